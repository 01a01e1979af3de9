/* See names_a.c. */

struct conflict {
	long from_b;
	struct conflict *next;
};

enum mode { MODE_IDLE = 5, MODE_OFF };

typedef long handle_t;

struct user_b {
	struct conflict c;
	enum mode m;
	handle_t h;
};

struct user_b user_b;
