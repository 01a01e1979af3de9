// expect: EINVAL (the node member must be 8-byte aligned)
#include "special.h"
struct node { int v; struct bpf_rb_node n; } __attribute__((packed));
struct v { struct bpf_rb_root r __contains(node, n); struct bpf_spin_lock l; };
struct v g;
struct node g2;
