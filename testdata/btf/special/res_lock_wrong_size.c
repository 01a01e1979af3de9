// expect: EINVAL (an 8-byte bpf_res_spin_lock is no lock: the list has none)
struct bpf_res_spin_lock { unsigned int val[2]; } __attribute__((aligned(8)));
struct bpf_list_head { unsigned long long opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { unsigned long long opaque[3]; } __attribute__((aligned(8)));
struct node { int v; struct bpf_list_node n; };
struct v { struct bpf_list_head h __attribute__((btf_decl_tag("contains:node:n"))); struct bpf_res_spin_lock l; };
struct v g;
struct node g2;
