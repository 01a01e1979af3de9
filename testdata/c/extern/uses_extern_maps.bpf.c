/* An XDP program that uses maps defined in another object (kept out of
 * testdata/c itself, whose fixtures compile on their own): it includes
 * the header `bpfc gen header extern_maps_defs.bpf.o -o extern_maps.h`
 * writes (extern map declarations and their key/value types), and is
 * linked with that object by `bpftool gen object`. Each run adds 1 to
 * counts[{42, 7}] and the packet's length to totals[0], and bumps the
 * counter of the inner map per_queue[0] holds, if any (none in the test:
 * the verifier checks the map-in-map access, nothing is written). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "extern_maps.h"

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	struct pkt_key key = { .ifindex = 42, .proto = 7 };
	__u64 one = 1, *n;
	__u32 zero = 0;
	struct pkt_stats *s;
	void *inner;

	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_ANY);

	s = bpf_map_lookup_elem(&totals, &zero);
	if (s) {
		s->packets += 1;
		s->bytes += ctx->data_end - ctx->data;
	}
	inner = bpf_map_lookup_elem(&per_queue, &zero);
	if (inner) {
		n = bpf_map_lookup_elem(inner, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
