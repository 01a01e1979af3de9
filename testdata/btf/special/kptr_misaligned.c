// expect: EFAULT (misaligned kptrs are no fields; the struct has none)
#include "special.h"
struct t { int a; };
struct v { char c; struct t __kptr *p; struct t __kptr *q; } __attribute__((packed));
struct v g;
struct t g2;
