// expect: OK
#include "special.h"
struct v { int x; struct bpf_refcount r; };
struct v g;
