/* With names_b.c, linked by `bpftool gen object`: two different structs,
 * enums and typedefs that share names, so the header needs ___2 names. */

struct conflict {
	int from_a;
};

enum mode { MODE_IDLE, MODE_BUSY };

typedef int handle_t;

struct conflict conflict_a;
enum mode mode_a;
handle_t handle_a;
