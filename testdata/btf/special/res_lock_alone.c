// expect: OK (bpf_res_spin_lock alone does not make the kernel parse)
struct bpf_res_spin_lock { unsigned int val[2]; } __attribute__((aligned(8)));
struct v { struct bpf_res_spin_lock a; struct bpf_res_spin_lock b; };
struct v g;
