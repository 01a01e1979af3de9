// expect: E2BIG (one bpf_spin_lock per struct)
#include "special.h"
struct v { struct bpf_spin_lock a; struct bpf_spin_lock b; int x; };
struct v g;
