// expect: EFAULT (a bpf_spin_lock of another size is no field)
struct bpf_spin_lock { unsigned long long val; };
struct v { struct bpf_spin_lock a; int x; };
struct v g;
