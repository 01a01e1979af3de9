/* The bad-input catalogue's BTF-defined map cases (reference section 8,
 * items 10-23), one per define; compile with -DCASE_<name>. Each case is
 * otherwise a complete object with one program using the map. */
#include "bpfc_fixture.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

#if defined(CASE_INIT)			/* 10: initialised .maps bytes */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); }
bad SEC(".maps") = { .key = (void *)1 };
#elif defined(CASE_UINT_NOT_PTR)	/* 11: __uint member that is a plain int */
struct { __uint(type, BPF_MAP_TYPE_HASH); int max_entries; __type(key, __u32); __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_UINT_NOT_ARRAY)	/* 11: pointer to int instead of to an array */
struct { __uint(type, BPF_MAP_TYPE_HASH); int *max_entries; __type(key, __u32); __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_KEY_NOT_PTR)		/* 12 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __u32 key; __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_KEY_FWD)		/* 13: key is a forward declaration */
struct undefined_key;
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); struct undefined_key *key; __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_KEY_CONFLICT)	/* 14 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __uint(key_size, 4); __type(key, __u64); __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_UNKNOWN_FIELD)	/* 15 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); __uint(foo, 1); } bad SEC(".maps");
#elif defined(CASE_NUMA_NODE)		/* 15: accepted by libbpf, refused by cilium */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); __uint(numa_node, 0); } bad SEC(".maps");
#elif defined(CASE_NO_TYPE)		/* 16 */
struct { __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_VALUES_NOT_LAST)	/* 17 */
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); typeof(struct inner) *values[0]; __uint(max_entries, 1); __type(key, __u32); } bad SEC(".maps");
#elif defined(CASE_VALUES_ON_HASH)	/* 17 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __array(values, struct inner); } bad SEC(".maps");
#elif defined(CASE_VALUES_NOT_ZERO_LEN)	/* 17 */
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32); typeof(struct inner) *values[1]; } bad SEC(".maps");
#elif defined(CASE_NESTED_VALUES)	/* 17 */
struct nested { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32); __array(values, struct inner); };
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32); __array(values, struct nested); } bad SEC(".maps");
#elif defined(CASE_INNER_PINNING)	/* 17 */
struct pinned_inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); __uint(pinning, LIBBPF_PIN_BY_NAME); };
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32); __array(values, struct pinned_inner); } bad SEC(".maps");
#elif defined(CASE_PINNING_2)		/* 18 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); __uint(pinning, 2); } bad SEC(".maps");
#elif defined(CASE_ULONG_TWO)		/* 19 */
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 1); __type(value, __u32); enum { ULONG_A = 1, ULONG_B = 2 } map_extra; } bad SEC(".maps");
#elif defined(CASE_STATIC)		/* 20 */
static struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bad SEC(".maps");
#elif defined(CASE_EXTERN)		/* 20 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } defined_map SEC(".maps");
extern struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bad SEC_EXTERN(".maps");
#elif defined(CASE_NOT_STRUCT)		/* 21 */
int bad SEC(".maps");
#elif defined(CASE_TWO_ARENAS)		/* 22 */
struct { __uint(type, BPF_MAP_TYPE_ARENA); __uint(max_entries, 1); __uint(map_flags, BPF_F_MMAPABLE); } bad SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARENA); __uint(max_entries, 1); __uint(map_flags, BPF_F_MMAPABLE); } bad2 SEC(".maps");
#elif defined(CASE_ARENA_DATA)		/* 22 */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bad SEC(".maps");
int __attribute__((address_space(1))) arena_global = 1;
#elif defined(CASE_SLOT_NOT_BTF_MAP)	/* 23 */
int not_a_map = 1;
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, __u32); __array(values, struct inner); }
bad SEC(".maps") = { .values = { [0] = (void *)&not_a_map } };
#elif defined(CASE_SLOT_SUBPROG)	/* 23 */
__attribute__((noinline)) int subprog(void *ctx) { return 1; }
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 1); __type(key, __u32); __array(values, int(void *)); }
bad SEC(".maps") = { .values = { [0] = (void *)&subprog } };
#else
#error "compile with -DCASE_<name>"
#endif

SEC("xdp")
int use_bad(void *ctx)
{
	__u32 k = 0;
#if defined(CASE_SLOT_SUBPROG)
	k = subprog(ctx);
#endif
#if defined(CASE_ARENA_DATA)
	k = *(int __attribute__((address_space(1))) *)&arena_global;
#endif
#if !defined(CASE_NOT_STRUCT)
	return bpf_map_lookup_elem(&bad, &k) ? 1 : 2;
#else
	return bad;
#endif
}

char LICENSE[] SEC("license") = "GPL";
