// expect: OK (uptr is for map values only)
#include "special.h"
struct t { int a; };
struct v { struct t __tag("uptr") *p; struct bpf_spin_lock l; };
struct v g;
struct t g2;
