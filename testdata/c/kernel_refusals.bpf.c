/* Maps that libbpf opens but the running kernel refuses at BPF_MAP_CREATE,
 * one per -D variant; each was a disagreement between `bpfc check` and a
 * real libbpf load. The define-less build is the baseline the kernel
 * accepts (the same shapes, done right). core/tests/object_kernel_load.rs
 * loads every variant with libbpf (no programs) and compares. */
#include "bpfc_fixture.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

#if defined(HASH_OF_MAPS_NO_COMMON_LRU)
/* fd_htab_map_alloc_check runs htab_map_alloc_check: LRU hashes only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__array(values, struct inner);
} refused SEC(".maps");
#elif defined(ARRAY_OF_MAPS_WITHOUT_INNER)
/* No inner definition: libbpf passes inner_map_fd 0, which is no map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} refused SEC(".maps");
#elif defined(HASH_OF_MAPS_WITHOUT_INNER)
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} refused SEC(".maps");
#elif defined(TOKEN_FD_FLAG)
/* BPF_F_TOKEN_FD makes the kernel read map_token_fd, which no loader
 * fills from an object file. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, 1U << 16);
	__type(key, __u32);
	__type(value, __u64);
} refused SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} hash_of_maps SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} array_of_maps SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} array SEC(".maps");
#endif

SEC("xdp")
int prog(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
