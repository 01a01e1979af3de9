// expect: EFAULT (a misaligned lock is no field; the struct has none)
#include "special.h"
struct v { char c; struct bpf_spin_lock a __attribute__((packed)); int x; } __attribute__((packed));
struct v g;
