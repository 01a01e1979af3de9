/* struct_ops maps: a plain .struct_ops and a .struct_ops.link map, with
 * their function pointers relocated to SEC("struct_ops/...") programs. The
 * struct type only has to match the kernel's by name and layout at load. */
#include "bpfc_fixture.h"

struct sock;

struct tcp_congestion_ops {
	void (*init)(struct sock *sk);
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	__u32 flags;
	char name[16];
};

SEC("struct_ops/fixture_init")
void fixture_init(struct sock *sk)
{
}

SEC("struct_ops/fixture_ssthresh")
__u32 fixture_ssthresh(struct sock *sk)
{
	return 2;
}

SEC("struct_ops/fixture_cong_avoid")
void fixture_cong_avoid(struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/fixture_undo_cwnd")
__u32 fixture_undo_cwnd(struct sock *sk)
{
	return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops fixture_cc = {
	.init = (void *)fixture_init,
	.ssthresh = (void *)fixture_ssthresh,
	.cong_avoid = (void *)fixture_cong_avoid,
	.undo_cwnd = (void *)fixture_undo_cwnd,
	.name = "bpfc_fixture",
};

SEC(".struct_ops.link")
struct tcp_congestion_ops fixture_cc_link = {
	.init = (void *)fixture_init,
	.ssthresh = (void *)fixture_ssthresh,
	.undo_cwnd = (void *)fixture_undo_cwnd,
	.name = "bpfc_fixture_l",
};

char LICENSE[] SEC("license") = "GPL";
