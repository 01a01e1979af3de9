// expect: EINVAL (one contains: tag per member)
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct v { struct bpf_list_head h __contains(node, n) __contains(node, v); struct bpf_spin_lock l; };
struct v g;
struct node g2;
