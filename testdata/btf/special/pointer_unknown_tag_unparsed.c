// expect: OK (the struct is not parsed)
#include "special.h"
struct v { int x; int __tag("user") *p; };
struct v g;
