// expect: EINVAL (every member of a parsed struct starts on a byte)
#include "special.h"
struct v { struct bpf_spin_lock a; int x:3; int y:5; };
struct v g;
