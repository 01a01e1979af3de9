// expect: EINVAL (locks cannot repeat)
#include "special.h"
struct v { struct bpf_spin_lock a[2]; struct bpf_refcount r; };
struct v g;
