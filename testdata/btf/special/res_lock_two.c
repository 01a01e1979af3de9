// expect: E2BIG
#include "special.h"
struct v { struct bpf_res_spin_lock a; struct bpf_res_spin_lock b; struct bpf_refcount r; };
struct v g;
