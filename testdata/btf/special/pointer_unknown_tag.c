// expect: EINVAL (in a parsed struct a pointer's type tag must be a kptr tag)
#include "special.h"
struct v { struct bpf_spin_lock a; int __tag("user") *p; };
struct v g;
