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
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog) {
		printf("run -2 (no program %s)\n", argv[2]);
		return 1;
	}
	size_t len = strtoul(argv[3], NULL, 0);
	unsigned char *pkt = calloc(1, len ? len : 1);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = 1);
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
		size_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map);
		unsigned char *key = calloc(1, ks), *next = calloc(1, ks), *val = calloc(1, vs);
		int have = bpf_map__get_next_key(map, NULL, next, ks);
		while (have == 0) {
			memcpy(key, next, ks);
			if (bpf_map__lookup_elem(map, key, ks, val, vs, 0) == 0) {
				printf("map %s key ", argv[i]);
				hex(key, ks);
				printf(" value ");
				hex(val, vs);
				printf("\n");
			}
			have = bpf_map__get_next_key(map, key, next, ks);
		}
	}
	bpf_object__close(obj);
	return 0;
}
