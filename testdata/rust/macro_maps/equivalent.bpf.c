// The declarations of src/lib.rs written the way a C BPF program writes them
// with libbpf's macros (bpf_helpers.h), member for member in the same order.
// core/tests/macro_object.rs compiles this with clang (-g, BPF target) and
// compares the DWARF layout of every map definition, the legacy records and
// the slot relocations with what rustc made of the Rust declarations.
// cli/tests/build_oracle.rs compiles it with -DLIBBPF1_1 (the fixture's
// `libbpf1_1` feature) and has libbpf 1.1 load it next to `bpfc build`'s
// object: the kernel must hold the same maps for both.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// libbpf >= 1.4 defines __ulong; older bpf_helpers.h do not.
#ifndef __ulong
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name
#endif

// Map types newer than the installed UAPI header.
#define MAP_TYPE_CGRP_STORAGE 32
#define MAP_TYPE_ARENA 33
#define MAP_TYPE_INSN_ARRAY 34
#define MAP_TYPE_RHASH 35

struct flow_key { __u32 saddr, daddr; __u16 sport, dport; __u8 proto; __u8 pad[3]; };
struct stamp { __u32 sec, nsec; };
struct flow_stats { __u64 packets, bytes; __u32 sizes[8]; struct stamp last; };
struct ipv4_lpm_key { __u32 prefixlen; __u8 addr[4]; };
struct cgroup_storage_key { __u64 cgroup_inode_id; __u32 attach_type, pad; };
struct cpumap_val { __u32 qsize; __s32 prog_fd; };
struct padded { __u8 b; __u32 w; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
} FLOWS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
} COUNTERS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 8);
} JUMP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} EVENTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1024);
} PCPU_HASH SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64[4]);
	__uint(max_entries, 4);
} PCPU_ARRAY SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__type(key, __u32);
	__type(value, __u64[127]);
	__uint(max_entries, 1024);
} STACKS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 16);
} CGROUPS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, __u64);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LRU SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 4096);
} LRU_PCPU SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u32);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ROUTES SEC(".maps");

struct slot {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} SLOT_A SEC(".maps"), SLOT_B SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, 4);
	__array(values, struct slot);
} OUTER_ARR SEC(".maps") = {
	.values = { [0] = &SLOT_A, [2] = &SLOT_B },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, 16);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, struct flow_key);
		__type(value, __u64);
		__uint(max_entries, 4096);
		__uint(map_flags, BPF_F_NO_PREALLOC);
	});
} OUTER_HASH SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} TX_PORTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct bpf_devmap_val));
	__uint(max_entries, 64);
} TX_PROGS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} SOCKS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct cpumap_val));
	__uint(max_entries, 4);
} CPUS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} XSKS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(key_size, sizeof(struct flow_key));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} SOCK_HASH SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct cgroup_storage_key);
	__type(value, __u64);
} CG_STORE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} REUSEPORT SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 0);
} PCPU_CG_STORE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u64);
	__uint(max_entries, 128);
} JOBS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u64);
	__uint(max_entries, 128);
} LIFO SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__type(key, int);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} SK_STORE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct cpumap_val));
	__uint(max_entries, 64);
} DEV_HASH SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STRUCT_OPS);
	__type(key, __u32);
	__type(value, __u64[4]);
	__uint(max_entries, 1);
} OPS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 4096);
	__uint(pinning, LIBBPF_PIN_NONE);
} LOG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__type(key, int);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
} INODE_STORE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__type(key, int);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} TASK_STORE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u64);
	__uint(max_entries, 1000);
	__uint(map_extra, 3);
} SEEN SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 64 * 1024);
} USER_LOG SEC(".maps");

struct {
	__uint(type, MAP_TYPE_CGRP_STORAGE);
	__type(key, int);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} CGRP_STORE SEC(".maps");

// -DLIBBPF1_1 matches the fixture's `libbpf1_1` feature: it leaves out
// what libbpf 1.1 cannot open (this 64-bit map_extra, the legacy maps).
#ifndef LIBBPF1_1
struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_MMAPABLE);
	__ulong(map_extra, 0x100000000ULL);
} ARENA SEC(".maps");
#endif

struct {
	__uint(type, MAP_TYPE_INSN_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 16);
	__uint(max_entries, 8);
} INSNS SEC(".maps");

struct {
	__uint(type, MAP_TYPE_RHASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(map_extra, 64);
} RESIZABLE SEC(".maps");

// The kernel name given with `name = "renamed_map"`.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} renamed_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 12);
	__type(value, __u64);
	__uint(max_entries, 16);
} RAW_KEY SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct padded);
	__type(value, __u32);
	__uint(max_entries, 16);
} PADDED SEC(".maps");

#ifndef LIBBPF1_1
// libbpf <= 0.8's legacy definition.
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") OLD_HASH = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct flow_key),
	.value_size = sizeof(__u64),
	.max_entries = 32,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct bpf_map_def SEC("maps") OLD_ARRAY = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct flow_stats),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") OLD_PERF = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 4,
};
#endif

char LICENSE[] SEC("license") = "GPL";
