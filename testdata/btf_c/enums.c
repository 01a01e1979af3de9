/* Enums of every size and signedness: negative values, 64-bit values
 * (ENUM64, signed and unsigned), packed 1- and 2-byte enums, mode(byte),
 * an empty-valued enum forward use, and anonymous enums. */

enum small { S0, S1, S2 };

enum negative { NEG_MIN = -2147483647 - 1, NEG_ONE = -1, NEG_ZERO = 0 };

enum big_unsigned { BIG_U = 0xffffffffffffffffULL, BIG_SMALL = 1 };

enum big_signed { BIG_NEG = -5000000000LL, BIG_POS = 5000000000LL };

enum fits32_but_wide { W32 = 1 } __attribute__((mode(word)));

enum __attribute__((packed)) one_byte { OB0, OB1 = 200 };

enum __attribute__((packed)) two_bytes { TB0, TB1 = 40000 };

enum __attribute__((mode(byte))) moded { MB0, MB1 };

enum u32_max { U32_MAX_VAL = 0xffffffffu };

struct enums_root {
	enum small a;
	enum negative b;
	enum big_unsigned c;
	enum big_signed d;
	enum fits32_but_wide e;
	enum one_byte f;
	enum two_bytes g;
	enum moded h;
	enum u32_max i;
	enum { ANON_X = 7, ANON_Y } anon;
};

struct enums_root enums_root;
