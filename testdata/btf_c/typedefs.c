/* Typedef chains, typedefs of anonymous aggregates and of pointers,
 * qualifiers at every position, restrict, type tags, floats and decl
 * tags (which BTF keeps but the header does not print). */

typedef unsigned int u32_t;
typedef u32_t my_u32;
typedef my_u32 chained_t;
typedef const chained_t const_chained_t;
typedef volatile const_chained_t *cv_ptr_t;
typedef struct { int x; } anon_struct_t;
typedef anon_struct_t *anon_struct_ptr_t;
typedef union { int i; float f; } anon_union_t;
typedef chained_t array_t[4];
typedef array_t matrix_t[2];
typedef double real_t;

#define __tag(x) __attribute__((btf_type_tag(x)))
#define __dtag(x) __attribute__((btf_decl_tag(x)))

struct qualified {
	const int ci;
	volatile int vi;
	const volatile int cvi;
	int *const cp;
	const int *pc;
	const int *const cpc;
	int *volatile vp;
	char *restrict rp;
	const char *const *volatile *p3;
	int __tag("user") *tagged;
	int __tag("a") __tag("b") *two_tags;
	int counter __dtag("counter_tag");
	float f;
	double d;
	long double ld;
	real_t r;
};

struct typedefs_root {
	chained_t a;
	const_chained_t b;
	cv_ptr_t c;
	anon_struct_t d;
	anon_struct_ptr_t e;
	anon_union_t f;
	array_t g;
	matrix_t h;
	struct qualified q;
	_Bool flag;
	__int128 wide;
	unsigned __int128 uwide;
};

struct typedefs_root typedefs_root __dtag("global_tag");
