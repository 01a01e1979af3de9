// expect: OK
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct v { struct bpf_list_head h __contains(node, n); struct bpf_spin_lock l; };
struct v g;
struct node g2;
