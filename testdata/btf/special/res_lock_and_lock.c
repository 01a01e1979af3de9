// expect: EINVAL (one kind of lock per struct)
#include "special.h"
struct v { struct bpf_res_spin_lock a; struct bpf_spin_lock b; };
struct v g;
