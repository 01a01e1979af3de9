// expect: OK (vmlinux has task_struct; an untrusted kptr needs no destructor)
#include "special.h"
struct task_struct { int pid; };
struct v { struct task_struct __kptr_untrusted *p; };
struct v g;
struct task_struct g2;
