// expect: OK
#include "special.h"
struct t { int a; };
struct v { struct t __kptr *p[3]; struct bpf_spin_lock l; };
struct v g;
struct t g2;
