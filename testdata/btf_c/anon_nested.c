/* Anonymous structs, unions and enums, inline at several depths, used as
 * members, through pointers and in arrays; plus empty aggregates. */

struct empty {};

struct nested {
	int kind;
	union {
		struct {
			int x, y;
		} point;
		struct {
			union {
				long l;
				double d;
			};
			enum { SHAPE_A, SHAPE_B } shape;
		} *shape_ptr;
		char raw[8];
	};
	struct {
		struct {
			struct {
				int deepest;
			} level3;
		} level2;
	} level1;
	struct {
		int q;
	} arr_of_anon[2];
	struct empty nothing;
	struct {} inline_empty;
	union {} inline_empty_union;
	enum {
		MODE_OFF = 0,
		MODE_ON = 1,
		MODE_AUTO = -1,
	} mode;
};

typedef struct {
	int a;
	union {
		int b;
		float c;
	};
} anon_typedef_t;

struct anon_root {
	struct nested n;
	anon_typedef_t t;
	anon_typedef_t *tp;
};

struct anon_root anon_root;
