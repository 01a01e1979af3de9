// expect: EINVAL (nested structs of a parsed struct are searched too)
#include "special.h"
struct in { int a:3; int b:5; };
struct v { struct in i; struct bpf_spin_lock l; };
struct v g;
