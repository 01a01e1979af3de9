/* The bundled example object: the maps of design.md's "user's day", written
 * in C the way libbpf expects, with a small XDP program that uses them.
 *
 * Rebuild (the committed flows.bpf.o is what the README inspects):
 *   clang-19 -target bpf -g -O2 -c flows.bpf.c -o flows.bpf.o
 *
 * Self-contained on purpose: no vmlinux.h or libbpf headers needed.
 */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

enum { BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4, BPF_MAP_TYPE_RINGBUF = 27 };
enum { LIBBPF_PIN_BY_NAME = 1 };

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct flow_key);
	__type(value, __u64);
} FLOWS SEC(".maps");

/* max_entries left out: libbpf sizes it to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} EVENTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} LOG SEC(".maps");

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_ringbuf_output)(void *rb, void *data, __u64 size, __u64 flags) = (void *)130;

struct xdp_md {
	__u32 data;
	__u32 data_end;
};

SEC("xdp")
int count_flows(struct xdp_md *ctx)
{
	struct flow_key key = { .proto = 6 };
	__u64 *packets = bpf_map_lookup_elem(&FLOWS, &key);

	if (packets)
		__sync_fetch_and_add(packets, 1);
	else
		bpf_ringbuf_output(&LOG, &key, sizeof(key), 0);
	return 2; /* XDP_PASS */
}

char LICENSE[] SEC("license") = "GPL";
