/* Maps that libbpf opens but the running kernel refuses at BPF_MAP_CREATE,
 * one per -D variant; each was a disagreement between `bpfc check` and a
 * real libbpf load. The define-less build is the baseline the kernel
 * accepts (the same shapes, done right). core/tests/object_kernel_load.rs
 * loads every variant with libbpf (no programs) and compares. Some
 * variants have BTF the kernel refuses; libbpf then retries without BTF
 * and the load succeeds, but bpfc must still name the refusal. */
#include "bpfc_fixture.h"

/* The kernel finds special fields by struct name and size (UAPI layout). */
struct bpf_spin_lock {
	__u32 val;
};

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

#if defined(HASH_OF_MAPS_NO_COMMON_LRU)
/* fd_htab_map_alloc_check runs htab_map_alloc_check: LRU hashes only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__array(values, struct inner);
} refused SEC(".maps");
#elif defined(ARRAY_OF_MAPS_WITHOUT_INNER)
/* No inner definition: libbpf passes inner_map_fd 0, which is no map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} refused SEC(".maps");
#elif defined(HASH_OF_MAPS_WITHOUT_INNER)
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} refused SEC(".maps");
#elif defined(TOKEN_FD_FLAG)
/* BPF_F_TOKEN_FD makes the kernel read map_token_fd, which no loader
 * fills from an object file. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, 1U << 16);
	__type(key, __u32);
	__type(value, __u64);
} refused SEC(".maps");
#elif defined(CGROUP_STORAGE_KEY_SECOND_MEMBER_U64)
/* cgroup_storage_check_btf: the 16-byte key's second member must be a
 * 4-byte integer at offset 8 (attach_type). */
struct wrong_key {
	__u64 cgroup_inode_id;
	__u64 attach_type;
};
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct wrong_key);
	__type(value, __u64);
} refused SEC(".maps");
#elif defined(CGROUP_STORAGE_KEY_8_BYTE_STRUCT)
/* An 8-byte key must be a bare u64 (the cgroup id), not a struct. */
struct short_key {
	__u32 lo;
	__u32 hi;
};
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct short_key);
	__type(value, __u64);
} refused SEC(".maps");
#elif defined(SPIN_LOCK_IN_PERCPU_ARRAY)
/* map_check_btf: per-CPU arrays cannot hold a bpf_spin_lock (EOPNOTSUPP);
 * libbpf creates the map without BTF, where the lock is unusable. */
struct locked {
	struct bpf_spin_lock lock;
	__u32 value;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} refused SEC(".maps");
#elif defined(CPUMAP_ENTRIES)
/* cpu_map_alloc: more entries than the kernel build's NR_CPUS is E2BIG.
 * The test builds it with 8193 (more than any build supports) and with
 * NR_CPUS + 1 of the running kernel (only `--host` knows that bound). */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, CPUMAP_ENTRIES);
	__uint(key_size, 4);
	__uint(value_size, 4);
} refused SEC(".maps");
#elif defined(STRUCT_OPS_UNKNOWN)
/* A struct_ops type the kernel does not define (nor register as
 * struct bpf_struct_ops_bpfc_no_such_ops). */
struct bpfc_no_such_ops {
	int (*f)(void);
};
SEC("struct_ops/f")
int f_impl(void)
{
	return 0;
}
SEC(".struct_ops")
struct bpfc_no_such_ops refused = { .f = (void *)f_impl };
#elif defined(NUMA_NODE)
/* map_create: with BPF_F_NUMA_NODE, numa_node must name an online node
 * below nr_node_ids. The test passes an offline node of the running
 * machine, and 1024 (beyond any build's MAX_NUMNODES). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, NUMA_NODE);
	__type(key, __u32);
	__type(value, __u64);
} refused SEC(".maps");
#else
struct locked {
	struct bpf_spin_lock lock;
	__u32 value;
};
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 4);
} cpumap SEC(".maps");
/* Node 0 is online on every machine; NUMA_NO_NODE (-1) with the flag
 * still means "any node". */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
	__type(key, __u32);
	__type(value, __u64);
} numa_node_0 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0xffffffff);
	__type(key, __u32);
	__type(value, __u64);
} numa_no_node SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locked_array SEC(".maps");
struct cgroup_storage_key {
	__u64 cgroup_inode_id;
	__u32 attach_type;
};
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct cgroup_storage_key);
	__type(value, __u64);
} cgroup_storage SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u64);
} percpu_cgroup_storage SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} hash_of_maps SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} array_of_maps SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} array SEC(".maps");
#endif

/* Externs, resolved by libbpf against the running kernel's config, BTF
 * and kallsyms (`bpfc check --host`). The baseline's exist on every BTF
 * kernel or are weak; each variant has one a kernel lacks or cannot fit. */
#if defined(KCONFIG_MISSING)
extern unsigned long CONFIG_BPFC_NO_SUCH_OPTION __kconfig;
#define USE_EXTERNS() ((long)CONFIG_BPFC_NO_SUCH_OPTION)
#elif defined(KCONFIG_WRONG_TYPE)
/* CONFIG_BPF_SYSCALL=y: a tristate value, not an int. */
extern int CONFIG_BPF_SYSCALL __kconfig;
#define USE_EXTERNS() ((long)CONFIG_BPF_SYSCALL)
#elif defined(KSYM_VAR_MISSING)
extern const int bpfc_no_such_var __ksym;
#define USE_EXTERNS() ((long)&bpfc_no_such_var)
#elif defined(KSYM_FUNC_MISSING)
extern void bpfc_no_such_kfunc(void) __ksym;
#define USE_EXTERNS() (bpfc_no_such_kfunc(), 0L)
#elif defined(KSYM_VAR_WRONG_TYPE)
/* The kernel's bpf_prog_active is an int. */
struct bpfc_wrong {
	int x;
};
extern const struct bpfc_wrong bpf_prog_active __ksym;
#define USE_EXTERNS() ((long)&bpf_prog_active)
#elif defined(KSYM_FUNC_WRONG_PROTO)
/* The kernel's bpf_rcu_read_lock takes no argument. */
extern void bpf_rcu_read_lock(int x) __ksym;
#define USE_EXTERNS() (bpf_rcu_read_lock(1), 0L)
#elif defined(KSYM_TYPELESS_MISSING)
extern const void bpfc_no_such_symbol __ksym;
#define USE_EXTERNS() ((long)&bpfc_no_such_symbol)
#else
extern unsigned long CONFIG_BPFC_NO_SUCH_OPTION __kconfig __weak;
extern const int bpf_prog_active __ksym;
extern const int bpfc_no_such_var __ksym __weak;
extern const void bpf_rcu_read_lock_typeless __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
#define USE_EXTERNS()                                                      \
	(bpf_rcu_read_lock(), (long)CONFIG_BPFC_NO_SUCH_OPTION +           \
	 (long)&bpf_prog_active + (long)&bpfc_no_such_var +                 \
	 (long)&bpf_rcu_read_lock_typeless + (long)LINUX_KERNEL_VERSION)
#endif

SEC("xdp")
int prog(void *ctx)
{
	/* The value itself, not a comparison the compiler could fold away. */
	return (int)USE_EXTERNS();
}

char _license[] SEC("license") = "GPL";
