/* One valid BTF-defined map of every map type the kernel defines (1..35),
 * each with the key/value/max_entries/flags its type requires
 * (reference section 1.3). struct_ops maps live in struct_ops.bpf.c. */
#include "bpfc_fixture.h"

struct lpm_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct cgroup_storage_key {
	__u64 cgroup_inode_id;
	__u32 attach_type;
};

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } t_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } t_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } t_prog_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } t_perf_event_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } t_percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } t_percpu_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 16); __uint(key_size, 4); __uint(value_size, 127 * 8); } t_stack_trace SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY); __uint(max_entries, 1); __uint(key_size, 4); __uint(value_size, 4); } t_cgroup_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } t_lru_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } t_lru_percpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, struct lpm_key); __type(value, __u32); } t_lpm_trie SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } t_array_of_maps SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } t_hash_of_maps SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } t_devmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } t_sockmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } t_cpumap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_XSKMAP); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } t_xskmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKHASH); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 8); } t_sockhash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE); __type(key, struct cgroup_storage_key); __type(value, __u64); } t_cgroup_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 8); } t_reuseport_sockarray SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE); __type(key, __u64); __type(value, __u64); } t_percpu_cgroup_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u32); } t_queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, __u32); } t_stack SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } t_sk_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 8); } t_devmap_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4 * 4096); } t_ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_INODE_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } t_inode_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_TASK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } t_task_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 64); __uint(map_extra, 3); __type(value, __u32); } t_bloom_filter SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } t_user_ringbuf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CGRP_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } t_cgrp_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARENA); __uint(max_entries, 2); __uint(map_flags, BPF_F_MMAPABLE); } t_arena SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_INSN_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 16); } t_insn_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RHASH); __uint(max_entries, 16); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, __u32); __type(value, __u64); } t_rhash SEC(".maps");

SEC("xdp")
int uses_maps(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&t_hash, &key);

	if (v)
		return *v;
	v = bpf_map_lookup_elem(&t_array, &key);
	return v ? 2 : 1;
}

char LICENSE[] SEC("license") = "GPL";
