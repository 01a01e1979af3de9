/* Test oracle: what the running kernel holds after libbpf loads an
 * object's maps. Opens each object (bpf_object__open_file), loads it
 * (bpf_object__load: BTF_LOAD, MAP_CREATE, initial slots) and prints, for
 * every map, the kernel's view from BPF_OBJ_GET_INFO_BY_FD and, for
 * map-in-map outer maps, which of the object's maps each filled slot holds
 * (the inner map id from bpf_map_lookup_elem, named by matching it with
 * the ids of the object's maps). One JSON line per object:
 *
 *   libbpf_load_maps [--skip-unsupported] [--no-pin] FILE...
 *   {"file":"x.o","possible_cpus":4,"maps":[{"name":"m","type":1,...,"slots":[[1,"in0"]]}]}
 *   {"file":"y.o","stage":"load","error":-22,"log":"libbpf: ..."}
 *
 * --skip-unsupported: before loading, turns autocreate off
 * (bpf_map__set_autocreate, libbpf >= 1.0) for every map whose type
 * libbpf_probe_bpf_map_type does not confirm (result != 1), and for
 * struct_ops maps declared in `.maps` (libbpf 1.1 only knows struct_ops
 * from `.struct_ops` sections and dereferences their missing st_ops data
 * in bpf_object__load: a segfault, with clang's objects as with ours).
 * Those maps are listed as
 *   "skipped":[{"name":"m","type":34,"probe":0}]
 * (probe: libbpf_probe_bpf_map_type's result) and left out of "maps".
 *
 * --no-pin: maps declared with pinning by name are neither pinned nor
 * reused from bpffs (their pin path is cleared before loading, and printed
 * as "pin_path"), so that loading two objects with a map of the same name
 * compares two fresh maps and leaves nothing behind in /sys/fs/bpf.
 *
 * Built by the test suite against libbpf-dev (1.1: bpf_obj_get_info_by_fd,
 * not the newer bpf_map_get_info_by_fd); never a runtime dependency.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The "skipped" list of --skip-unsupported (see the header). */
static void skip_unsupported(struct bpf_object *obj)
{
	struct bpf_map *map;
	int first = 1;

	printf(",\"skipped\":[");
	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type type = bpf_map__type(map);
		int probe = libbpf_probe_bpf_map_type(type, NULL);

		if (probe == 1 && type != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		bpf_map__set_autocreate(map, false);
		if (type == BPF_MAP_TYPE_STRUCT_OPS)
			/* Keeps libbpf 1.1 away from its st_ops data. */
			bpf_map__set_type(map, BPF_MAP_TYPE_ARRAY);
		printf("%s{\"name\":", first ? "" : ",");
		first = 0;
		json_string(bpf_map__name(map));
		printf(",\"type\":%d,\"probe\":%d}", type, probe);
	}
	printf("]");
}

/* The pin paths --no-pin cleared, by map index. */
#define MAX_MAPS 256
static char *pin_paths[MAX_MAPS];

static void no_pin(struct bpf_object *obj)
{
	struct bpf_map *map;
	int i = 0;

	bpf_object__for_each_map(map, obj) {
		const char *path = bpf_map__pin_path(map);

		if (i < MAX_MAPS) {
			free(pin_paths[i]);
			pin_paths[i] = path ? strdup(path) : NULL;
		}
		i++;
		if (path)
			bpf_map__set_pin_path(map, NULL);
	}
}

int main(int argc, char **argv)
{
	int skip = 0, unpinned = 0, from = 1;

	for (; from < argc && strncmp(argv[from], "--", 2) == 0; from++) {
		if (strcmp(argv[from], "--skip-unsupported") == 0)
			skip = 1;
		else if (strcmp(argv[from], "--no-pin") == 0)
			unpinned = 1;
		else {
			fprintf(stderr, "unknown option %s\n", argv[from]);
			return 2;
		}
	}
	libbpf_set_print(keep);
	for (int i = from; i < argc; i++) {
		log_len = 0;
		log_text[0] = 0;
		const char *stage = "open";
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		int err = libbpf_get_error(obj);

		printf("{\"file\":");
		json_string(argv[i]);
		if (!err) {
			if (skip)
				skip_unsupported(obj);
			if (unpinned)
				no_pin(obj);
			stage = "load";
			err = bpf_object__load(obj);
		}
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
		int first = 1, index = -1;
		bpf_object__for_each_map(map, obj) {
			struct bpf_map_info info;
			int fd = bpf_map__fd(map);

			index++;
			if (!bpf_map__autocreate(map))
				continue;

			printf("%s{\"name\":", first ? "" : ",");
			first = 0;
			json_string(bpf_map__name(map));
			if (info_of(fd, &info) != 0) {
				printf(",\"error\":\"no info\"}");
				continue;
			}
			printf(",\"type\":%u,\"key_size\":%u,\"value_size\":%u,"
			       "\"max_entries\":%u,\"map_flags\":%u,\"btf_id\":%u,"
			       "\"btf_key_type_id\":%u,\"btf_value_type_id\":%u,"
			       "\"map_extra\":%llu,\"kernel_name\":",
			       info.type, info.key_size, info.value_size, info.max_entries,
			       info.map_flags, info.btf_id, info.btf_key_type_id,
			       info.btf_value_type_id, (unsigned long long)info.map_extra);
			json_string(info.name);
			if (unpinned && index < MAX_MAPS && pin_paths[index]) {
				printf(",\"pin_path\":");
				json_string(pin_paths[index]);
			}
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
