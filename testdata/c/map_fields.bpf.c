/* Every field of a BTF map definition libbpf parses (reference 4.2):
 * type, max_entries, map_flags, numa_node, key_size, key, value_size, value,
 * values (map-in-map and prog array, with initialised slots), pinning and
 * map_extra, through typedefs and qualifiers. */
#include "bpfc_fixture.h"

typedef __u32 u32_t;
typedef const volatile __u64 cv_u64;

struct flow_key {
	__u32 saddr;
	__u16 sport;
	/* 2 bytes of padding here */
	__u32 daddr;
	__u8 proto;
	/* 3 bytes of trailing padding */
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE); __uint(numa_node, 0);
	 __type(key, struct flow_key); __type(value, cv_u64); __uint(pinning, LIBBPF_PIN_BY_NAME); } flows SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __uint(key_size, 4); __type(key, u32_t); __uint(value_size, 16); } sized SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 64); __uint(map_flags, BPF_F_NO_COMMON_LRU); __type(key, __u64); __type(value, __u64); } lru_per_cpu SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 128); __uint(map_extra, 5); __type(value, __u64); } bloom SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG); __type(key, __u32); __type(value, __u32); } mmapable SEC(".maps");

struct inner_def {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_def inner_a SEC(".maps");
struct inner_def inner_b SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 4); __type(key, __u32); __array(values, struct inner_def); }
outer_array SEC(".maps") = { .values = { [1] = &inner_a, [3] = &inner_b } };

struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 4); __type(key, __u32); __uint(value_size, 4); __array(values, struct inner_def); }
outer_hash SEC(".maps") = { .values = { [0] = &inner_b } };

int tail_target(void *ctx);

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 3); __type(key, __u32); __array(values, int(void *)); }
jump_table SEC(".maps") = { .values = { [2] = (void *)&tail_target } };

SEC("tc")
int tail_target(void *ctx)
{
	return 7;
}

SEC("tc")
int entry(void *ctx)
{
	struct flow_key k = {};
	__u32 i = 0;

	bpf_map_lookup_elem(&flows, &k);
	bpf_map_lookup_elem(&outer_array, &i);
	bpf_tail_call(ctx, &jump_table, 2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
