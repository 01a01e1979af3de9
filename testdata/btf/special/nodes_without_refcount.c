// expect: EINVAL
#include "special.h"
struct v { struct bpf_list_node a; struct bpf_rb_node b; };
struct v g;
