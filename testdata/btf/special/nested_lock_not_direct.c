// expect: OK (only `in` is parsed: `v` has no direct special member)
#include "special.h"
struct in { int x; struct bpf_spin_lock l; };
struct v { struct in i; int y; };
struct v g;
