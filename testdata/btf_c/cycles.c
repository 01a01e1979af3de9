/* Pointer cycles that need forward declarations, self references, cycles
 * through typedefs and function pointers, and an anonymous struct reached
 * through a pointer that still embeds a named struct (a strong link). */

struct node;
typedef struct node node_t;

struct list {
	node_t *head;
	struct list *self;
};

struct node {
	struct list owner;
	struct node *next;
	node_t *prev;
	int (*visit)(struct node *, struct list *);
};

struct a;
struct b {
	struct a *to_a;
};
struct a {
	struct b embedded;
	struct a *self;
};

struct leaf {
	int v;
};

struct via_anon_ptr {
	struct {
		struct leaf l;
		struct via_anon_ptr *back;
	} *p;
};

typedef struct tree tree_t;
struct tree {
	tree_t *left, *right;
	struct tree_meta *meta;
};
struct tree_meta {
	tree_t *root;
};

struct cycles_root {
	struct node n;
	struct a a;
	struct via_anon_ptr v;
	tree_t t;
};

struct cycles_root cycles_root;
