// expect: OK
#include "special.h"
struct v { struct bpf_spin_lock a; int x; };
struct v g;
