/* Layouts that natural alignment cannot reproduce: packed structs, packed
 * members inside unpacked structs, over-aligned members (BTF keeps only the
 * offsets, so these come back as explicit padding) and trailing padding. */

struct __attribute__((packed)) packed_pair {
	char tag;
	int value;
};

struct __attribute__((packed)) packed_tail {
	int a;
	char b;
};

struct holds_packed {
	short s;
	struct packed_tail p;
};

struct __attribute__((packed)) packed_holder {
	char c;
	struct packed_tail p;
	long l;
};

struct overaligned {
	char a;
	long b __attribute__((aligned(16)));
	char c;
};

struct aligned_struct {
	char a;
} __attribute__((aligned(8)));

struct uses_aligned {
	char c;
	struct aligned_struct s;
	int i;
};

union __attribute__((packed)) packed_union {
	char c;
	int i;
	char bytes[5];
};

struct __attribute__((packed, aligned(2))) packed_aligned2 {
	char a;
	int b;
	char c;
};

struct big_hole {
	char a;
	char b __attribute__((aligned(64)));
	char c __attribute__((aligned(32)));
};

struct packed_root {
	struct packed_pair a;
	struct holds_packed b;
	struct packed_holder c;
	struct overaligned d;
	struct uses_aligned e;
	union packed_union f;
	struct packed_aligned2 g;
	struct big_hole h;
};

struct packed_root packed_root;
