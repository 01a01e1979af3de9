// expect: EINVAL
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct v { struct bpf_list_head h __contains(node, n); };
struct v g;
struct node g2;
