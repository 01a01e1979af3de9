/* The extended legacy layouts: iproute2's 36-byte struct bpf_elf_map
 * (default), aya's 28-byte definition (-DAYA) and iproute2's packed 21-byte
 * 2015 layout (-DPACKED). */
#include "bpfc_fixture.h"

#if defined(AYA)
struct aya_map_def {
	__u32 type, key_size, value_size, max_entries, map_flags, id, pinning;
};
struct aya_map_def aya_map SEC("maps") = { BPF_MAP_TYPE_HASH, 4, 8, 32, 0, 3, 1 };
#elif defined(PACKED)
struct __attribute__((packed)) bpf_elf_map_2015 {
	__u32 type, size_key, size_value, max_elem, id;
	__u8 pinning;
};
struct bpf_elf_map_2015 old_tc_map SEC("maps") = { BPF_MAP_TYPE_ARRAY, 4, 4, 8, 9, 2 };
#else
struct bpf_elf_map {
	__u32 type, size_key, size_value, max_elem, flags, id, pinning, inner_id, inner_idx;
};
#define PIN_GLOBAL_NS 2
struct bpf_elf_map tc_outer SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS, .size_key = 4, .size_value = 4, .max_elem = 2,
	.id = 1, .pinning = PIN_GLOBAL_NS, .inner_id = 2, .inner_idx = 1,
};
struct bpf_elf_map tc_inner SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH, .size_key = 4, .size_value = 8, .max_elem = 16,
	.id = 2, .pinning = PIN_GLOBAL_NS,
};
#endif

char LICENSE[] SEC("license") = "GPL";
