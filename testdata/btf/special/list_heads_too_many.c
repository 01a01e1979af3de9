// expect: E2BIG (12 list heads and a lock)
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct in { struct bpf_list_head h[2] __contains(node, n); };
struct v { struct in i[6]; struct bpf_spin_lock l; };
struct v g;
struct node g2;
