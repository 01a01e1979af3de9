// expect: EINVAL (a struct that is only declared is a FWD)
#include "special.h"
struct t;
struct v { struct t __kptr *p; struct bpf_spin_lock l; };
struct v g;
