// expect: ELOOP (a node that is also a root owns a root)
#include "special.h"
struct node { struct bpf_list_node n; struct bpf_list_head h __contains(node, n); struct bpf_spin_lock l; struct bpf_refcount r; };
struct node g;
