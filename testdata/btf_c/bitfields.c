/* Bitfields: runs, gaps, zero-width separators, signed/unsigned, enum and
 * char bitfields, bitfields straddling storage units, and a plain member
 * after a bitfield run. clang writes them with kind_flag set. */

enum colour { RED, GREEN, BLUE };

struct flags {
	unsigned int a: 1;
	unsigned int b: 2;
	int c: 5;
	unsigned int : 0;
	unsigned int d: 3;
	unsigned long long wide: 40;
	char tiny: 2;
	enum colour col: 2;
	short after;
};

struct gappy {
	char first;
	int x: 3;
	int : 12;
	int y: 5;
	long z: 40;
	char c;
	int : 0;
	short w: 7;
	long long tail: 1;
};

struct only_bits {
	unsigned char b0: 1, b1: 1, b2: 1;
};

union bits_union {
	unsigned int all;
	struct {
		unsigned int lo: 16;
		unsigned int hi: 16;
	};
};

struct bitfields_root {
	struct flags f;
	struct gappy g;
	struct only_bits o;
	union bits_union u;
};

struct bitfields_root bitfields_root;
