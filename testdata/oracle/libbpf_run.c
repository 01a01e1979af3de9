/* Test oracle: libbpf opens and loads an object (every program goes
 * through the verifier), runs one program once with BPF_PROG_TEST_RUN on
 * a zeroed packet, and prints every entry of the named maps. Built by the
 * test suite against libbpf-dev; never a runtime dependency.
 *
 *   libbpf_run FILE PROG PACKET_LEN MAP...
 *   load 0
 *   run 0 retval 2
 *   map counts key 2a000000 07000000 value 0100000000000000
 *
 * Keys and values are printed as hex bytes; "load"/"run" carry libbpf's
 * return (a negative errno on failure, after which it stops).
 *
 * PACKET_LEN may instead be the packet itself, `hex:` and its bytes
 * (`hex:0011...`); LIBBPF_RUN_REPEAT=N runs the program N times (default
 * 1); LIBBPF_RUN_SET="MAP:KEYHEX:VALUEHEX ..." (space-separated) writes
 * those entries after the load, before the run (a per-CPU map's value is
 * given once and written for every CPU). Per-CPU maps print, per key, the sum over the possible CPUs of each
 * 8-byte word of the value (counters as user space totals them):
 *
 *   map COUNTERS key 00000000 sum 0200000000000000...
 *
 * and a ring buffer prints each record it holds, oldest first:
 *
 *   ringbuf EVENTS sample 0a000001...
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n bytes of hex from h into out; -1 unless h is exactly 2n hex digits. */
static int parse_hex(const char *h, size_t hl, unsigned char *out, size_t n)
{
	if (hl != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = unhex(h[2 * i]), lo = unhex(h[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

static int is_percpu(enum bpf_map_type t);

/* LIBBPF_RUN_SET: "MAP:KEY:VALUE ..."; prints "set MAP ERR" for each. */
static int set_entries(struct bpf_object *obj, const char *spec)
{
	char *copy = strdup(spec), *save = NULL;
	for (char *e = strtok_r(copy, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
		char *k = strchr(e, ':'), *v = k ? strchr(k + 1, ':') : NULL;
		if (!v) {
			fprintf(stderr, "libbpf_run: LIBBPF_RUN_SET entry %s is not MAP:KEY:VALUE\n", e);
			return -1;
		}
		*k++ = 0;
		*v++ = 0;
		struct bpf_map *map = bpf_object__find_map_by_name(obj, e);
		if (!map) {
			printf("set %s missing\n", e);
			return -1;
		}
		size_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map);
		int percpu = is_percpu(bpf_map__type(map));
		int ncpus = percpu ? libbpf_num_possible_cpus() : 1;
		size_t stride = percpu ? (vs + 7) / 8 * 8 : vs;
		unsigned char *key = calloc(1, ks), *val = calloc(ncpus, stride);
		if (parse_hex(k, strlen(k), key, ks) || parse_hex(v, strlen(v), val, vs)) {
			fprintf(stderr, "libbpf_run: %s: key or value is not %zu/%zu hex bytes\n", e, ks, vs);
			return -1;
		}
		for (int cpu = 1; cpu < ncpus; cpu++)
			memcpy(val + cpu * stride, val, vs);
		int err = bpf_map__update_elem(map, key, ks, val, stride * ncpus, BPF_ANY);
		printf("set %s %d\n", e, err);
		free(key);
		free(val);
		if (err)
			return err;
	}
	free(copy);
	return 0;
}

static int is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static int print_sample(void *ctx, void *data, size_t size)
{
	printf("ringbuf %s sample ", (const char *)ctx);
	hex(data, size);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: libbpf_run FILE PROG PACKET_LEN MAP...\n");
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("open %d\n", -errno);
		return 1;
	}
	int err = bpf_object__load(obj);
	printf("load %d\n", err);
	if (err)
		return 1;
	const char *set = getenv("LIBBPF_RUN_SET");
	if (set && set_entries(obj, set))
		return 1;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog) {
		printf("run -2 (no program %s)\n", argv[2]);
		return 1;
	}
	size_t len;
	unsigned char *pkt;
	if (strncmp(argv[3], "hex:", 4) == 0) {
		const char *h = argv[3] + 4;
		len = strlen(h) / 2;
		pkt = calloc(1, len ? len : 1);
		for (size_t i = 0; i < len; i++) {
			int hi = unhex(h[2 * i]), lo = unhex(h[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				fprintf(stderr, "libbpf_run: bad hex packet\n");
				return 2;
			}
			pkt[i] = hi << 4 | lo;
		}
	} else {
		len = strtoul(argv[3], NULL, 0);
		pkt = calloc(1, len ? len : 1);
	}
	const char *repeat = getenv("LIBBPF_RUN_REPEAT");
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
		    .repeat = repeat ? strtoul(repeat, NULL, 0) : 1);
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	printf("run %d retval %u\n", err, opts.retval);
	if (err)
		return 1;
	for (int i = 4; i < argc; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, argv[i]);
		if (!map) {
			printf("map %s missing\n", argv[i]);
			continue;
		}
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF) {
			struct ring_buffer *rb =
				ring_buffer__new(bpf_map__fd(map), print_sample, argv[i], NULL);
			if (!rb) {
				printf("ringbuf %s error %d\n", argv[i], -errno);
				continue;
			}
			ring_buffer__consume(rb);
			ring_buffer__free(rb);
			continue;
		}
		int percpu = is_percpu(bpf_map__type(map));
		int ncpus = percpu ? libbpf_num_possible_cpus() : 1;
		size_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map);
		size_t stride = percpu ? (vs + 7) / 8 * 8 : vs;
		unsigned char *key = calloc(1, ks), *next = calloc(1, ks);
		unsigned char *val = calloc(ncpus, stride), *sum = calloc(1, stride);
		int have = bpf_map__get_next_key(map, NULL, next, ks);
		while (have == 0) {
			memcpy(key, next, ks);
			if (bpf_map__lookup_elem(map, key, ks, val, stride * ncpus, 0) == 0) {
				printf("map %s key ", argv[i]);
				hex(key, ks);
				if (percpu) {
					memset(sum, 0, stride);
					for (int cpu = 0; cpu < ncpus; cpu++)
						for (size_t w = 0; w < stride / 8; w++) {
							unsigned long long a, b;
							memcpy(&a, sum + 8 * w, 8);
							memcpy(&b, val + cpu * stride + 8 * w, 8);
							a += b;
							memcpy(sum + 8 * w, &a, 8);
						}
					printf(" sum ");
					hex(sum, vs);
				} else {
					printf(" value ");
					hex(val, vs);
				}
				printf("\n");
			}
			have = bpf_map__get_next_key(map, key, next, ks);
		}
	}
	bpf_object__close(obj);
	return 0;
}
