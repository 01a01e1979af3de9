// expect: EINVAL
#include "special.h"
struct in { struct bpf_spin_lock l; };
struct v { struct in i[2]; struct bpf_refcount r; };
struct v g;
