// expect: OK (a program-only struct: an object from bpf_obj_new)
#include "special.h"
struct t { int a; };
struct v { struct t __kptr *p; };
struct v g;
struct t g2;
