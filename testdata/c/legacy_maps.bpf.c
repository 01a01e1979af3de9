/* Legacy map definitions (reference section 3). Without defines: two
 * 20-byte struct bpf_map_def in SEC("maps") referenced from code. The
 * defines turn it into the bad-input catalogue's legacy cases:
 *   STATIC_REF  a static definition referenced from code (item 2)
 *   EXTRA       non-zero bytes after the 20-byte struct (item 3)
 *   MIXED       definitions of different sizes in one section (item 5)
 *   SHORT       a 12-byte definition (item 7)
 *   SUBSECTION  definitions in SEC("maps/sub") instead of SEC("maps")
 */
#include "bpfc_fixture.h"

#ifdef SUBSECTION
#define MAPS_SEC "maps/sub"
#else
#define MAPS_SEC "maps"
#endif

struct bpf_map_def counts SEC(MAPS_SEC) = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 128,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct bpf_map_def table SEC(MAPS_SEC) = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 4,
};

#ifdef STATIC_REF
static struct bpf_map_def hidden_table SEC(MAPS_SEC) = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1,
};
#endif

#ifdef EXTRA
struct {
	struct bpf_map_def def;
	__u32 unknown;
} extended SEC(MAPS_SEC) = {
	.def = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 },
	.unknown = 7,
};
#endif

#ifdef MIXED
struct {
	struct bpf_map_def def;
	__u32 id;
	__u32 pinning;
} aya_style SEC(MAPS_SEC) = {
	.def = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 },
};
#endif

#ifdef SHORT
struct {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
} short_def SEC(MAPS_SEC) = { BPF_MAP_TYPE_ARRAY, 4, 4 };
#endif

SEC("xdp")
int legacy_user(void *ctx)
{
	__u32 k = 0;

	bpf_map_lookup_elem(&counts, &k);
#ifdef STATIC_REF
	bpf_map_lookup_elem(&hidden_table, &k);
#endif
	return bpf_map_lookup_elem(&table, &k) ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
