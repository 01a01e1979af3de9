// expect: OK (a typedef'd lock is not recognised, so only one lock counts)
#include "special.h"
typedef struct bpf_spin_lock lock_t;
struct v { lock_t a; struct bpf_spin_lock b; };
struct v g;
