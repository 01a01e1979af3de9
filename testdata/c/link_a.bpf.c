/* Linker fixture: defines shared_map; link_b.bpf.c declares it extern. */
#include "bpfc_fixture.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10);
	__type(key, __u32);
	__type(value, __u64);
} shared_map SEC(".maps");

SEC("xdp")
int prog_a(void *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&shared_map, &k) ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
