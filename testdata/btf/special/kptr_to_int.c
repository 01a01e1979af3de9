// expect: EINVAL (kptrs point to structs)
#include "special.h"
struct v { int __kptr *p; struct bpf_spin_lock l; };
struct v g;
