/* One XDP program whose ELF name is PROG_NAME (an asm label, as a
 * generated or mangled name would be): the kernel's BPF_PROG_LOAD checks
 * the first 15 characters of the name libbpf passes (bpf_obj_name_cpy).
 * The test compiles it once per name and loads it with libbpf for real. */
#include "bpfc_fixture.h"

#ifndef PROG_NAME
#define PROG_NAME "plain_name"
#endif

SEC("xdp") int prog(void *ctx) __asm__(PROG_NAME);
SEC("xdp") int prog(void *ctx)
{
	return 2; /* XDP_PASS */
}

char LICENSE[] SEC("license") = "GPL";
