/* Test oracle: what the running kernel says when libbpf loads an object's
 * BTF and creates its maps for real. Every program's autoload (but
 * struct_ops programs') is turned off first, so only the maps (and the
 * BTF) reach the kernel. One JSON line per
 * object; "error" is libbpf's return (a negative errno), 0 on success.
 * Built by the test suite against libbpf-dev; never a runtime dependency.
 *
 *   libbpf_load [--programs] FILE...
 *   {"file":"x.o","stage":"load","error":-22,"log":"libbpf: map 'm': failed to create: ..."}
 *
 * With --programs every program keeps its autoload and goes to
 * BPF_PROG_LOAD too (for fixtures whose programs the verifier accepts).
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdbool.h>
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

int main(int argc, char **argv)
{
	bool programs = argc > 1 && strcmp(argv[1], "--programs") == 0;

	libbpf_set_print(keep);
	for (int i = programs ? 2 : 1; i < argc; i++) {
		log_len = 0;
		log_text[0] = 0;
		const char *stage = "open";
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		int err = libbpf_get_error(obj);

		if (!err) {
			struct bpf_program *prog;

			/* struct_ops programs stay: libbpf 1.1 crashes initialising a
			 * struct_ops map whose programs are not loaded. */
			bpf_object__for_each_program(prog, obj)
				if (!programs && bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS)
					bpf_program__set_autoload(prog, false);
			stage = "load";
			err = bpf_object__load(obj);
			bpf_object__close(obj);
		}
		printf("{\"file\":");
		json_string(argv[i]);
		printf(",\"stage\":\"%s\",\"error\":%d,\"log\":", stage, err);
		json_string(log_text);
		printf("}\n");
	}
	return 0;
}
