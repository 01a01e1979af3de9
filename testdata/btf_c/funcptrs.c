/* Function pointers: plain, void parameter lists, varargs, arrays of them,
 * returning pointers to arrays and other function pointers, typedef'd
 * prototypes, and a real function (FUNC, not printed). */

typedef int (*binop_t)(int, int);
typedef void handler_t(int signo);
typedef int (*printf_like_t)(const char *fmt, ...);

struct ops {
	binop_t add;
	handler_t *on_signal;
	printf_like_t log;
	void (*no_args)(void);
	int (*table[4])(long);
	int (*(*returns_array_ptr)(int))[3];
	void (*(*returns_fn)(int))(char *);
	const char *(*name)(const void *const obj);
	void (*takes_fn)(int (*cb)(void *), void *ctx);
};

struct ops ops_table;

int apply(struct ops *o, int x)
{
	return o->add(x, x);
}
