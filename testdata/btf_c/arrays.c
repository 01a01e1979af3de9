/* Arrays: flexible and zero-length trailing arrays, arrays of arrays,
 * arrays of pointers, pointers to arrays, const arrays and arrays of
 * const pointers. */

struct flex {
	int len;
	char data[];
};

struct zero_len {
	long hdr;
	int items[0];
};

struct matrix {
	float m[3][4];
	char cube[2][3][4];
	int *ptrs[5];
	int (*row)[8];
	const char *const names[2];
	const int cvals[3];
	volatile unsigned char regs[16];
};

const int const_table[4] = { 1, 2, 3, 4 };
const char *const const_strs[2] = { "a", "b" };

struct arrays_root {
	struct matrix m;
	struct zero_len z;
	struct flex f;
};

struct arrays_root arrays_root;
