/* Anchor for the BTF benchmark: libbpf's btf__parse (plus, in "walk" mode, a
 * pass that touches every type the way a validator must).
 *
 *   libbpf_btf_parse time FILE ITERS   -> "<ns per iteration>"
 *   libbpf_btf_parse time-mem FILE ITERS -> "<ns per btf__new on bytes already in memory>"
 *   libbpf_btf_parse mem FILE          -> "<peak RSS KiB after one parse>"
 *   libbpf_btf_parse kernel-load FILE ITERS
 *                                      -> "<ns per BPF_BTF_LOAD + close>", the kernel
 *                                         checking the same rules bpfc's validator does;
 *                                         "-1" when bpf(2) is not permitted
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The whole file, read once before timing; 0 bytes when unreadable. */
static char file_bytes[64 << 20];

static size_t read_whole(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(file_bytes, 1, sizeof(file_bytes), f) : 0;

	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "mem")) {
		struct btf *btf = btf__parse(argv[2], NULL);
		if (!btf)
			return 1;
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		printf("%ld\n", ru.ru_maxrss);
		btf__free(btf);
		return 0;
	}
	int iters = argc > 3 ? atoi(argv[3]) : 100;
	if (!strcmp(argv[1], "kernel-load")) {
		size_t n = read_whole(argv[2]);
		if (!n)
			return 1;
		long long start = now_ns();
		for (int i = 0; i < iters; i++) {
			int fd = bpf_btf_load(file_bytes, n, NULL);
			if (fd < 0) {
				printf("-1\n");
				return 0;
			}
			close(fd);
		}
		printf("%lld\n", (now_ns() - start) / iters);
		return 0;
	}
	if (!strcmp(argv[1], "time-mem")) {
		size_t n = read_whole(argv[2]);
		if (!n)
			return 1;
		long long start = now_ns();
		for (int i = 0; i < iters; i++) {
			struct btf *btf = btf__new(file_bytes, n);
			if (!btf)
				return 1;
			btf__free(btf);
		}
		printf("%lld\n", (now_ns() - start) / iters);
		return 0;
	}
	long long start = now_ns();
	for (int i = 0; i < iters; i++) {
		struct btf *btf = btf__parse(argv[2], NULL);
		if (!btf)
			return 1;
		btf__free(btf);
	}
	printf("%lld\n", (now_ns() - start) / iters);
	return 0;
}
