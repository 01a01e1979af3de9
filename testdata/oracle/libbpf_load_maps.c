/* Test oracle: what the running kernel holds after libbpf loads an
 * object's maps. Opens each object (bpf_object__open_file), loads it
 * (bpf_object__load: BTF_LOAD, MAP_CREATE, initial slots) and prints, for
 * every map, the kernel's view from BPF_OBJ_GET_INFO_BY_FD and, for
 * map-in-map outer maps, which of the object's maps each filled slot holds
 * (the inner map id from bpf_map_lookup_elem, named by matching it with
 * the ids of the object's maps). One JSON line per object:
 *
 *   libbpf_load_maps FILE...
 *   {"file":"x.o","possible_cpus":4,"maps":[{"name":"m","type":1,...,"slots":[[1,"in0"]]}]}
 *   {"file":"y.o","stage":"load","error":-22,"log":"libbpf: ..."}
 *
 * Built by the test suite against libbpf-dev (1.1: bpf_obj_get_info_by_fd,
 * not the newer bpf_map_get_info_by_fd); never a runtime dependency.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json_string.h"

static char log_text[4096];
static size_t log_len;

/* Keeps libbpf's warnings (the reason for a failure), drops debug chatter. */
static int keep(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || log_len >= sizeof(log_text) - 1)
		return 0;
	int n = vsnprintf(log_text + log_len, sizeof(log_text) - log_len, fmt, args);
	if (n > 0)
		log_len += (size_t)n;
	if (log_len > sizeof(log_text) - 1)
		log_len = sizeof(log_text) - 1;
	return 0;
}

static int info_of(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* The name of the object's map whose kernel id is `id`, or NULL. */
static const char *name_of_id(struct bpf_object *obj, __u32 id)
{
	struct bpf_map *m;
	struct bpf_map_info info;

	bpf_object__for_each_map(m, obj)
		if (info_of(bpf_map__fd(m), &info) == 0 && info.id == id)
			return bpf_map__name(m);
	return NULL;
}

static void print_slots(struct bpf_object *obj, int fd)
{
	__u32 key, next, inner_id;
	int first = 1, have = 0;

	printf(",\"slots\":[");
	while (bpf_map_get_next_key(fd, have ? &key : NULL, &next) == 0) {
		have = 1;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &inner_id) != 0)
			continue;
		const char *name = name_of_id(obj, inner_id);
		printf("%s[%u,", first ? "" : ",", key);
		json_string(name ? name : "?");
		printf("]");
		first = 0;
	}
	printf("]");
}

int main(int argc, char **argv)
{
	libbpf_set_print(keep);
	for (int i = 1; i < argc; i++) {
		log_len = 0;
		log_text[0] = 0;
		const char *stage = "open";
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		int err = libbpf_get_error(obj);

		if (!err) {
			stage = "load";
			err = bpf_object__load(obj);
		}
		printf("{\"file\":");
		json_string(argv[i]);
		if (err) {
			printf(",\"stage\":\"%s\",\"error\":%d,\"log\":", stage, err);
			json_string(log_text);
			printf("}\n");
			if (!libbpf_get_error(obj))
				bpf_object__close(obj);
			continue;
		}
		printf(",\"possible_cpus\":%d,\"maps\":[", libbpf_num_possible_cpus());
		struct bpf_map *map;
		int first = 1;
		bpf_object__for_each_map(map, obj) {
			struct bpf_map_info info;
			int fd = bpf_map__fd(map);

			printf("%s{\"name\":", first ? "" : ",");
			first = 0;
			json_string(bpf_map__name(map));
			if (info_of(fd, &info) != 0) {
				printf(",\"error\":\"no info\"}");
				continue;
			}
			printf(",\"type\":%u,\"key_size\":%u,\"value_size\":%u,"
			       "\"max_entries\":%u,\"map_flags\":%u,\"btf_id\":%u,"
			       "\"btf_key_type_id\":%u,\"btf_value_type_id\":%u,\"kernel_name\":",
			       info.type, info.key_size, info.value_size, info.max_entries,
			       info.map_flags, info.btf_id, info.btf_key_type_id,
			       info.btf_value_type_id);
			json_string(info.name);
			if (info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			    info.type == BPF_MAP_TYPE_HASH_OF_MAPS)
				print_slots(obj, fd);
			printf("}");
		}
		printf("]}\n");
		bpf_object__close(obj);
	}
	return 0;
}
