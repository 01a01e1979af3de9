/* Key and value types with every layout feature a map header must
 * reproduce (bpfc gen header round trip): padding holes, bitfields with a
 * bit hole, a union, typedefs of typedefs, an array of structs, a 2-D
 * array, nested named and anonymous structs and unions, a packed struct,
 * a self-referential struct reached through a pointer, a function pointer,
 * an enum, an array as a value type, an anonymous struct as a key type,
 * a struct bpf_spin_lock member, and two maps sharing their types. */
#include "bpfc_fixture.h"

struct bpf_spin_lock { __u32 val; };

struct inner { __u8 tag; __u32 value; };
union addr { __u32 v4; __u8 v6[16]; };
typedef struct inner inner_t;
typedef inner_t inner2_t;
enum hl_proto { HL_PROTO_TCP = 6, HL_PROTO_UDP = 17 };
struct hl_node { struct hl_node *next; struct hl_node *prev; __u32 id; };

struct layout_key {
	__u16 kind;
	union addr addr;
	unsigned int a : 3, b : 5;
	unsigned int c : 12;
	__u8 flag;
	inner_t slots[2];
	struct { __u16 x; __u64 y; } nested;
	struct { __u8 p; __u8 q; };
	union { __u32 as_u32; __u8 as_bytes[4]; };
	void *ptr;
	const char *name;
	int (*cb)(void *, int);
	__u8 grid[2][3];
	enum hl_proto proto;
	struct hl_node *list;
};

struct packed_val {
	__u8 a;
	__u32 b;
	__u16 c;
} __attribute__((packed));

struct locked {
	struct bpf_spin_lock lock;
	__u64 counter;
	struct packed_val pv;
};

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, struct layout_key); __type(value, inner2_t); } layouts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct layout_key[3]); } arrays SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, struct { __u32 lo; __u32 hi; }); __type(value, struct locked); } locks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16); __type(key, struct hl_node); __type(value, struct packed_val); } nodes SEC(".maps");

char _license[] SEC("license") = "GPL";
