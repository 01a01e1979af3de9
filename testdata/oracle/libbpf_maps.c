/* Test oracle: what libbpf (the reference loader) says about the maps of BPF
 * objects, one JSON line per object. Built by the test suite against
 * libbpf-dev; never a runtime dependency of bpfc.
 *
 *   libbpf_maps FILE...
 *   {"file":"x.o","maps":[{"name":"m","type":1,"key_size":4,...}]}
 *   {"file":"y.o","error":-95}
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>

#include "json_string.h"
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	for (int i = 1; i < argc; i++) {
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		int err = libbpf_get_error(obj);

		printf("{\"file\":");
		json_string(argv[i]);
		if (err) {
			printf(",\"error\":%d}\n", err);
			continue;
		}
		printf(",\"maps\":[");
		struct bpf_map *map;
		int first = 1;
		bpf_object__for_each_map(map, obj) {
			printf("%s{\"name\":", first ? "" : ",");
			first = 0;
			json_string(bpf_map__name(map));
			printf(",\"type\":%d,\"key_size\":%u,\"value_size\":%u,"
			       "\"max_entries\":%u,\"map_flags\":%u,\"numa_node\":%u,"
			       "\"map_extra\":%llu,\"internal\":%s}",
			       bpf_map__type(map), bpf_map__key_size(map),
			       bpf_map__value_size(map), bpf_map__max_entries(map),
			       bpf_map__map_flags(map), bpf_map__numa_node(map),
			       (unsigned long long)bpf_map__map_extra(map),
			       bpf_map__is_internal(map) ? "true" : "false");
		}
		printf("]}\n");
		bpf_object__close(obj);
	}
	return 0;
}
