/* Programs: SEC() conventions (libbpf's section_defs), the "?" prefix,
 * global, static and hidden subprograms, callbacks and tail calls. */
#include "bpfc_fixture.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } hits SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __uint(key_size, 4); __uint(value_size, 4); } jumps SEC(".maps");

static __attribute__((noinline)) int count_hit(void)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);

	if (v)
		*v += 1;
	return 0;
}

__attribute__((noinline)) int global_helper(int x)
{
	return x + count_hit();
}

__hidden __attribute__((noinline)) int hidden_helper(int x)
{
	return x * 2;
}

static int loop_cb(__u32 i, void *ctx)
{
	return count_hit();
}

SEC("xdp") int p_xdp(void *ctx) { return global_helper(1); }
SEC("xdp.frags") int p_xdp_frags(void *ctx) { return hidden_helper(2); }
SEC("xdp/devmap") int p_xdp_devmap(void *ctx) { return 2; }
SEC("tc") int p_tc(void *ctx) { bpf_tail_call(ctx, &jumps, 0); return 0; }
SEC("tc/ingress") int p_tcx(void *ctx) { return 0; }
SEC("socket") int p_socket(void *ctx) { return 0; }
SEC("kprobe/do_sys_open") int p_kprobe(void *ctx) { return count_hit(); }
SEC("kretprobe/do_sys_open") int p_kretprobe(void *ctx) { return 0; }
SEC("uprobe.s//bin/sh:main") int p_uprobe_s(void *ctx) { return 0; }
SEC("usdt/libc.so.6:libc:setjmp") int p_usdt(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_enter_openat") int p_tp(void *ctx) { return 0; }
SEC("raw_tp/sys_enter") int p_raw_tp(void *ctx) { bpf_loop(4, loop_cb, 0, 0); return 0; }
SEC("tp_btf/sched_switch") int p_tp_btf(void *ctx) { return 0; }
SEC("fentry/do_unlinkat") int p_fentry(void *ctx) { return 0; }
SEC("fexit.s/do_unlinkat") int p_fexit_s(void *ctx) { return 0; }
SEC("fentry") int p_fentry_no_target(void *ctx) { return 0; }
SEC("lsm/file_open") int p_lsm(void *ctx) { return 0; }
SEC("iter/task") int p_iter(void *ctx) { return 0; }
SEC("cgroup_skb/egress") int p_cgroup_skb(void *ctx) { return 1; }
SEC("cgroup/connect4") int p_connect4(void *ctx) { return 1; }
SEC("sk_msg") int p_sk_msg(void *ctx) { return 1; }
SEC("struct_ops/unused") int p_struct_ops(void *ctx) { return 0; }
SEC("syscall") int p_syscall(void *ctx) { return 0; }
SEC("?xdp") int p_not_autoloaded(void *ctx) { return 0; }
SEC("not_a_libbpf_section") int p_unknown(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x060100;
