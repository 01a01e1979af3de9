// expect: EINVAL (the tag needs a second colon)
#include "special.h"
struct node { int v; struct bpf_list_node n; };
struct v { struct bpf_list_head h __attribute__((btf_decl_tag("contains:node"))); struct bpf_spin_lock l; };
struct v g;
struct node g2;
