// expect: OK (BTF_FIELDS_MAX is 11)
#include "special.h"
struct t { int a; };
struct v { struct t __kptr *p[10]; struct t __kptr *q; };
struct v g;
struct t g2;
