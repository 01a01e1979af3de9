/* A prog array and a hash of maps with 40 initialised slots each: more
 * `.rel.maps` relocations than bpfc searches one by one (it indexes maps,
 * programs and places past 16). Slot i of `jt` is program p{i} at index
 * (i * 7) % 64; slot i of `outer` is map in{i} at index (i * 5) % 64. */
#include "bpfc_fixture.h"

SEC("xdp") int p0(void *ctx) { return 0; }
SEC("xdp") int p1(void *ctx) { return 1; }
SEC("xdp") int p2(void *ctx) { return 2; }
SEC("xdp") int p3(void *ctx) { return 0; }
SEC("xdp") int p4(void *ctx) { return 1; }
SEC("xdp") int p5(void *ctx) { return 2; }
SEC("xdp") int p6(void *ctx) { return 0; }
SEC("xdp") int p7(void *ctx) { return 1; }
SEC("xdp") int p8(void *ctx) { return 2; }
SEC("xdp") int p9(void *ctx) { return 0; }
SEC("xdp") int p10(void *ctx) { return 1; }
SEC("xdp") int p11(void *ctx) { return 2; }
SEC("xdp") int p12(void *ctx) { return 0; }
SEC("xdp") int p13(void *ctx) { return 1; }
SEC("xdp") int p14(void *ctx) { return 2; }
SEC("xdp") int p15(void *ctx) { return 0; }
SEC("xdp") int p16(void *ctx) { return 1; }
SEC("xdp") int p17(void *ctx) { return 2; }
SEC("xdp") int p18(void *ctx) { return 0; }
SEC("xdp") int p19(void *ctx) { return 1; }
SEC("xdp") int p20(void *ctx) { return 2; }
SEC("xdp") int p21(void *ctx) { return 0; }
SEC("xdp") int p22(void *ctx) { return 1; }
SEC("xdp") int p23(void *ctx) { return 2; }
SEC("xdp") int p24(void *ctx) { return 0; }
SEC("xdp") int p25(void *ctx) { return 1; }
SEC("xdp") int p26(void *ctx) { return 2; }
SEC("xdp") int p27(void *ctx) { return 0; }
SEC("xdp") int p28(void *ctx) { return 1; }
SEC("xdp") int p29(void *ctx) { return 2; }
SEC("xdp") int p30(void *ctx) { return 0; }
SEC("xdp") int p31(void *ctx) { return 1; }
SEC("xdp") int p32(void *ctx) { return 2; }
SEC("xdp") int p33(void *ctx) { return 0; }
SEC("xdp") int p34(void *ctx) { return 1; }
SEC("xdp") int p35(void *ctx) { return 2; }
SEC("xdp") int p36(void *ctx) { return 0; }
SEC("xdp") int p37(void *ctx) { return 1; }
SEC("xdp") int p38(void *ctx) { return 2; }
SEC("xdp") int p39(void *ctx) { return 0; }

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};
struct inner in0 SEC(".maps");
struct inner in1 SEC(".maps");
struct inner in2 SEC(".maps");
struct inner in3 SEC(".maps");
struct inner in4 SEC(".maps");
struct inner in5 SEC(".maps");
struct inner in6 SEC(".maps");
struct inner in7 SEC(".maps");
struct inner in8 SEC(".maps");
struct inner in9 SEC(".maps");
struct inner in10 SEC(".maps");
struct inner in11 SEC(".maps");
struct inner in12 SEC(".maps");
struct inner in13 SEC(".maps");
struct inner in14 SEC(".maps");
struct inner in15 SEC(".maps");
struct inner in16 SEC(".maps");
struct inner in17 SEC(".maps");
struct inner in18 SEC(".maps");
struct inner in19 SEC(".maps");
struct inner in20 SEC(".maps");
struct inner in21 SEC(".maps");
struct inner in22 SEC(".maps");
struct inner in23 SEC(".maps");
struct inner in24 SEC(".maps");
struct inner in25 SEC(".maps");
struct inner in26 SEC(".maps");
struct inner in27 SEC(".maps");
struct inner in28 SEC(".maps");
struct inner in29 SEC(".maps");
struct inner in30 SEC(".maps");
struct inner in31 SEC(".maps");
struct inner in32 SEC(".maps");
struct inner in33 SEC(".maps");
struct inner in34 SEC(".maps");
struct inner in35 SEC(".maps");
struct inner in36 SEC(".maps");
struct inner in37 SEC(".maps");
struct inner in38 SEC(".maps");
struct inner in39 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 64);
	__uint(key_size, 4);
	__array(values, int(void *));
} jt SEC(".maps") = {
	.values = {
		[0] = (void *)&p0,
		[7] = (void *)&p1,
		[14] = (void *)&p2,
		[21] = (void *)&p3,
		[28] = (void *)&p4,
		[35] = (void *)&p5,
		[42] = (void *)&p6,
		[49] = (void *)&p7,
		[56] = (void *)&p8,
		[63] = (void *)&p9,
		[6] = (void *)&p10,
		[13] = (void *)&p11,
		[20] = (void *)&p12,
		[27] = (void *)&p13,
		[34] = (void *)&p14,
		[41] = (void *)&p15,
		[48] = (void *)&p16,
		[55] = (void *)&p17,
		[62] = (void *)&p18,
		[5] = (void *)&p19,
		[12] = (void *)&p20,
		[19] = (void *)&p21,
		[26] = (void *)&p22,
		[33] = (void *)&p23,
		[40] = (void *)&p24,
		[47] = (void *)&p25,
		[54] = (void *)&p26,
		[61] = (void *)&p27,
		[4] = (void *)&p28,
		[11] = (void *)&p29,
		[18] = (void *)&p30,
		[25] = (void *)&p31,
		[32] = (void *)&p32,
		[39] = (void *)&p33,
		[46] = (void *)&p34,
		[53] = (void *)&p35,
		[60] = (void *)&p36,
		[3] = (void *)&p37,
		[10] = (void *)&p38,
		[17] = (void *)&p39,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 64);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = {
		[0] = &in0,
		[5] = &in1,
		[10] = &in2,
		[15] = &in3,
		[20] = &in4,
		[25] = &in5,
		[30] = &in6,
		[35] = &in7,
		[40] = &in8,
		[45] = &in9,
		[50] = &in10,
		[55] = &in11,
		[60] = &in12,
		[1] = &in13,
		[6] = &in14,
		[11] = &in15,
		[16] = &in16,
		[21] = &in17,
		[26] = &in18,
		[31] = &in19,
		[36] = &in20,
		[41] = &in21,
		[46] = &in22,
		[51] = &in23,
		[56] = &in24,
		[61] = &in25,
		[2] = &in26,
		[7] = &in27,
		[12] = &in28,
		[17] = &in29,
		[22] = &in30,
		[27] = &in31,
		[32] = &in32,
		[37] = &in33,
		[42] = &in34,
		[47] = &in35,
		[52] = &in36,
		[57] = &in37,
		[62] = &in38,
		[3] = &in39,
	},
};

char LICENSE[] SEC("license") = "GPL";
