/* The kernel's special field types as program BTF defines them (sizes and
 * alignments of the 6.18 kernel), and the tags of bpf_experimental.h. */
struct bpf_spin_lock { unsigned int val; };
struct bpf_res_spin_lock { unsigned int val; };
struct bpf_list_head { unsigned long long opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { unsigned long long opaque[3]; } __attribute__((aligned(8)));
struct bpf_rb_root { unsigned long long opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { unsigned long long opaque[4]; } __attribute__((aligned(8)));
struct bpf_refcount { unsigned int opaque[1]; };

#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define __tag(s) __attribute__((btf_type_tag(s)))
