/* Anchor for the object benchmark: libbpf's bpf_object__open (what a loader
 * pays to read an object before any bpf(2) call), plus close.
 *
 *   libbpf_open list FILE...            -> the FILEs libbpf opens, one per line
 *   libbpf_open time-file ITERS FILE... -> "<ns per object>" for bpf_object__open_file + close
 *   libbpf_open time-mem ITERS FILE...  -> "<ns per object>" for bpf_object__open_mem + close,
 *                                          the files read into memory beforehand
 *   libbpf_open open-list LIST          -> opens and closes each path listed in LIST (one per
 *                                          line) once; timed from outside as a whole process,
 *                                          against `bpfc check --files-from LIST`
 *
 * Files libbpf refuses make a time mode fail: time only what `list` printed.
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct blob {
	void *data;
	size_t size;
};

static int read_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	b->size = (size_t)n;
	b->data = malloc(b->size ? b->size : 1);
	if (!b->data || fread(b->data, 1, b->size, f) != b->size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Opens and closes one object; 0 when libbpf opened it. */
static int open_close(const char *path, const struct blob *b)
{
	struct bpf_object *obj;

	if (b) {
		/* libbpf names it after the buffer's address: only internal map
		 * names differ from open_file, not the work done. */
		obj = bpf_object__open_mem(b->data, b->size, NULL);
	} else {
		obj = bpf_object__open_file(path, NULL);
	}
	if (libbpf_get_error(obj))
		return -1;
	bpf_object__close(obj);
	return 0;
}

/* Every path in the list, opened from the file like a loader does. */
static int open_list(const char *list)
{
	FILE *f = fopen(list, "r");
	char path[4096];
	int failed = 0;

	if (!f)
		return 2;
	while (fgets(path, sizeof(path), f)) {
		path[strcspn(path, "\n")] = 0;
		if (path[0] && open_close(path, NULL))
			failed = 1;
	}
	fclose(f);
	return failed;
}

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		for (int i = 2; i < argc; i++)
			if (!open_close(argv[i], NULL))
				printf("%s\n", argv[i]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "open-list"))
		return open_list(argv[2]);
	if (argc < 4)
		return 2;
	int iters = atoi(argv[2]);
	int n = argc - 3;
	char **files = argv + 3;
	struct blob *blobs = NULL;

	if (!strcmp(argv[1], "time-mem")) {
		blobs = calloc(n, sizeof(*blobs));
		for (int i = 0; i < n; i++)
			if (read_file(files[i], &blobs[i]))
				return 1;
	} else if (strcmp(argv[1], "time-file")) {
		return 2;
	}
	/* One warm-up pass (page cache, libbpf's lazy state), then the timed passes. */
	for (int i = 0; i < n; i++)
		if (open_close(files[i], blobs ? &blobs[i] : NULL))
			return 1;
	long long start = now_ns();
	for (int it = 0; it < iters; it++)
		for (int i = 0; i < n; i++)
			if (open_close(files[i], blobs ? &blobs[i] : NULL))
				return 1;
	printf("%lld\n", (now_ns() - start) / ((long long)iters * n));
	return 0;
}
