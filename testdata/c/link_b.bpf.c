/* Linker fixture: an extern declaration of link_a.bpf.c's shared_map.
 * SHARED_MAX_ENTRIES (default 20) makes it differ in max_entries; with
 * -DSHARED_MAX_ENTRIES=10 the definitions agree. */
#include "bpfc_fixture.h"

#ifndef SHARED_MAX_ENTRIES
#define SHARED_MAX_ENTRIES 20
#endif

extern struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SHARED_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} shared_map SEC_EXTERN(".maps");

SEC("xdp")
int prog_b(void *ctx)
{
	__u32 k = 1;
	return bpf_map_lookup_elem(&shared_map, &k) ? 3 : 4;
}
