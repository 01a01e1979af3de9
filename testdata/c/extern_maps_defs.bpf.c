/* A maps-only object (no programs): the maps that uses_extern_maps.bpf.c
 * declares extern through the header `bpfc gen header` makes of this
 * object, resolved by `bpftool gen object linked.o prog.o this.o`. */
#include "bpfc_fixture.h"

struct pkt_key {
	__u32 ifindex;
	__u16 proto;
	/* 2 bytes of trailing padding */
};

struct pkt_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct pkt_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt_stats);
} totals SEC(".maps");

/* Map-in-map: an outer map whose inner template is an array of one
 * counter (no initial slots: libbpf 1.1's linker cannot link an extern
 * reference to an outer map with initial values). */
struct inner_counter {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_counter);
} per_queue SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
