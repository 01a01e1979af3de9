// expect: OK
#include "special.h"
struct v { struct bpf_list_node a; struct bpf_rb_node b; struct bpf_refcount r; };
struct v g;
