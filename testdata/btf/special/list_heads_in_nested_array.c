// expect: OK (list heads may repeat; `in` holds an array, so it is not parsed on its own)
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct in { struct bpf_list_head h[1] __contains(node, n); };
struct v { struct in i[2]; struct bpf_spin_lock l; };
struct v g;
struct node g2;
