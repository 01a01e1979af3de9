// expect: OK (an array of one is a plain field; the refcount picks the struct)
#include "special.h"
struct v { struct bpf_spin_lock a[1]; struct bpf_refcount r; };
struct v g;
