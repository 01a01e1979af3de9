// expect: OK (unions are not searched)
#include "special.h"
union u { int a; struct bpf_spin_lock l; };
struct v { union u x; struct bpf_spin_lock l; };
struct v g;
