/* The flow monitor of examples/flows, written in C against the maps the
 * Rust crate declares: it includes the header
 *
 *   bpfc build examples/flows -o flows.bpf.o
 *   bpfc gen header flows.bpf.o -o flows.bpf.h           (extern maps)
 *
 * and is linked with that object (the maps object first, for libbpf 1.1):
 *
 *   clang-19 -g -O2 -target bpf -c flows_prog.bpf.c -o prog.bpf.o
 *   bpftool gen object linked.bpf.o flows.bpf.o prog.bpf.o
 *
 * With `bpfc gen header --define` the same source compiles into an object
 * that defines the maps itself (no linking). cli/tests/build_c_e2e.rs does
 * both, loads the result with libbpf, runs it with BPF_PROG_TEST_RUN on an
 * IPv4 TCP packet and reads the maps back.
 *
 * For every IPv4 TCP/UDP packet whose source is not in IGNORED_NETS: the
 * flow's FlowStats in FLOWS are created or updated; a new flow emits a
 * FlowEvent to the EVENTS ring buffer (and to PERF_EVENTS when CONFIG asks
 * for it); the per-CPU Counters in COUNTERS count everything. Kept out of
 * testdata/c itself, whose fixtures compile on their own. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flows.bpf.h"

/* The constants of examples/flows/src/lib.rs (constants are not types:
 * the object's BTF does not carry them). */
#define FLOW_EVENT_NEW 1
#define CONFIG_PAUSED 1
#define CONFIG_PERF_EVENTS 2

SEC("xdp")
int track_flows(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data, now = bpf_ktime_get_ns();
	__u32 zero = 0, cfg_flags = 0, sample = 0;
	struct Counters *c;
	struct Config *cfg;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct FlowKey key = {};
	struct FlowStats *st;
	__u8 tcp_flags = 0;
	void *l4;

	c = bpf_map_lookup_elem(&COUNTERS, &zero);
	if (!c)
		return XDP_PASS;
	c->packets++;
	c->bytes += len;

	cfg = bpf_map_lookup_elem(&CONFIG, &zero);
	if (cfg) {
		cfg_flags = cfg->flags;
		sample = cfg->event_sample;
	}
	if (cfg_flags & CONFIG_PAUSED)
		return XDP_PASS;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto not_tracked;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		goto not_tracked;
	l4 = (void *)ip + ip->ihl * 4;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			goto not_tracked;
		key.sport = tcp->source;
		key.dport = tcp->dest;
		tcp_flags = ((__u8 *)tcp)[13];
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			goto not_tracked;
		key.sport = udp->source;
		key.dport = udp->dest;
	} else {
		goto not_tracked;
	}

	struct Ipv4Prefix src = { .prefixlen = 32 };
	__builtin_memcpy(src.addr, &key.saddr, sizeof(src.addr));
	if (bpf_map_lookup_elem(&IGNORED_NETS, &src)) {
		c->ignored++;
		return XDP_PASS;
	}

	st = bpf_map_lookup_elem(&FLOWS, &key);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
		st->last_seen_ns = now;
		st->tcp_flags |= tcp_flags;
		return XDP_PASS;
	}
	struct FlowStats fresh = {
		.packets = 1,
		.bytes = len,
		.first_seen_ns = now,
		.last_seen_ns = now,
		.tcp_flags = tcp_flags,
	};
	if (bpf_map_update_elem(&FLOWS, &key, &fresh, BPF_NOEXIST))
		return XDP_PASS; /* another CPU made it first */
	c->new_flows++;
	if (sample > 1 && c->new_flows % sample)
		return XDP_PASS;

	struct FlowEvent *e = bpf_ringbuf_reserve(&EVENTS, sizeof(*e), 0);
	if (e) {
		e->key = key;
		e->kind = FLOW_EVENT_NEW;
		e->ifindex = ctx->ingress_ifindex;
		e->ts_ns = now;
		e->packet_len = len;
		e->pad = 0;
		bpf_ringbuf_submit(e, 0);
	} else {
		c->events_dropped++;
	}
	if (cfg_flags & CONFIG_PERF_EVENTS) {
		e = bpf_map_lookup_elem(&EVENT_SCRATCH, &zero);
		if (e) {
			e->key = key;
			e->kind = FLOW_EVENT_NEW;
			e->ifindex = ctx->ingress_ifindex;
			e->ts_ns = now;
			e->packet_len = len;
			e->pad = 0;
			bpf_perf_event_output(ctx, &PERF_EVENTS, BPF_F_CURRENT_CPU, e, sizeof(*e));
		}
	}
	return XDP_PASS;

not_tracked:
	c->not_tracked++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
