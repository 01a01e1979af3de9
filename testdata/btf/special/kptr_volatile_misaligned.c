// expect: EFAULT (a volatile kptr picks the struct too)
#include "special.h"
struct t { int a; };
struct v { char c; struct t __kptr * volatile p; } __attribute__((packed));
struct v g;
struct t g2;
