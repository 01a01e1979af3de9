/* Every BTF kind bpftool's raw dump formats, for `bpfc btf dump` tests.
 * No headers on purpose: the core tests compile it with clang-19 on the fly.
 *
 * all_kinds.btf and all_kinds.eb.btf next to it are its .BTF sections, kept
 * so the CLI snapshots do not move with the clang version. Regenerate with:
 *   clang-19 -target bpfel -g -O2 -c all_kinds.bpf.c -o /tmp/el.o
 *   clang-19 -target bpfeb -g -O2 -c all_kinds.bpf.c -o /tmp/eb.o
 *   llvm-objcopy-19 --dump-section .BTF=all_kinds.btf /tmp/el.o /tmp/el2.o
 *   llvm-objcopy-19 --dump-section .BTF=all_kinds.eb.btf /tmp/eb.o /tmp/eb2.o
 */

#define SEC(name) __attribute__((section(name), used))
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __user __attribute__((btf_type_tag("user")))

typedef unsigned int u32;
typedef unsigned long long u64;

/* FWD struct and FWD union: only pointed to, never defined. */
struct never_defined;
union never_defined_u;

/* ENUM, unsigned and signed (kind_flag), and ENUM64 unsigned and signed. */
enum colour { RED, GREEN = 7, BLUE = 0xffffffff };
enum delta { MINUS = -2, ZERO = 0, PLUS = 2 };
enum wide { WIDE_SMALL = 1, WIDE_BIG = 0x123456789ULL, WIDE_TOP = 0xffffffffffffffffULL };
enum wide_signed { WS_NEG = -0x100000000LL, WS_POS = 0x100000000LL };

/* STRUCT with kind_flag bitfields, an anonymous union and struct, tags on
 * the type and on a member (DECL_TAG component_idx), nested arrays. */
struct sample {
	u32 a : 3;
	u32 b : 13;
	int c : 1;
	char name[16];
	union {
		u64 whole;
		struct {
			u32 lo;
			u32 hi;
		};
	};
	unsigned short grid[2][3] __tag("grid_member");
	_Bool flag;
	float f;
	double d;
	long double ld;
	__int128 big;
	unsigned __int128 ubig;
	signed char sc;
	unsigned char uc;
	const volatile int *cvp;
	int *__restrict rp;
	int __user *uptr;
	struct never_defined *fwd_s;
	union never_defined_u *fwd_u;
	enum colour col;
	enum delta del;
	enum wide wid;
	enum wide_signed wsg;
	int (*callback)(struct sample *self, int how, ...);
} __tag("sample_tag");

union either {
	int i;
	float f;
};

/* VARs: global (.data, .bss, .rodata), static, extern (.kconfig). */
struct sample global_sample = { .a = 1 };
union either global_either;
const volatile u32 config_value = 42;
static volatile int static_counter;
extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));

/* FUNC extern (a kfunc-style ksym) */
extern int some_kfunc(int x) __attribute__((section(".ksyms")));

/* FUNC static, with a tagged parameter. */
static __attribute__((noinline)) int helper(struct sample *s __tag("param_tag"), int k)
{
	static_counter += k;
	return s->a + k + static_counter;
}

/* FUNC global (a program). */
SEC("xdp") int prog(void *ctx)
{
	union either e = global_either;
	if (LINUX_KERNEL_VERSION > 0x50000)
		return some_kfunc(helper(&global_sample, e.i)) + config_value;
	return helper(&global_sample, (int)config_value);
}

char LICENSE[] SEC("license") = "GPL";
