// expect: EINVAL
#include "special.h"
struct t { int a; };
struct v { struct t __percpu_kptr *p; int __percpu_kptr *q; };
struct v g;
struct t g2;
