// expect: E2BIG
#include "special.h"
struct t { int a; };
struct v { struct t __kptr *p[11]; struct t __kptr *q; };
struct v g;
struct t g2;
