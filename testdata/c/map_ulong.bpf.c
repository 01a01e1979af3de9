/* __ulong: a map_extra wider than 32 bits, encoded as a one-value enum
 * (libbpf 1.4+). The arena starts at a 4 GiB-aligned user address. A
 * bloom filter's map_extra through __ulong with a small value as well. */
#include "bpfc_fixture.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16);
	__ulong(map_extra, 0x100000000ULL);
} arena SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 16);
	__ulong(map_extra, 4);
	__type(value, __u32);
} bloom_ulong SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
