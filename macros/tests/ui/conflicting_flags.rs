use bpfc::bpf_map;

#[bpf_map(max_entries = 8, map_flags = rdonly | wronly)]
pub static A: Array<u64>;

#[bpf_map(max_entries = 8, map_flags = rdonly_prog | wronly_prog | rdonly_prog)]
pub static B: Array<u64>;

#[bpf_map(max_entries = 8, map_flags = numa_node | no_common_lru)]
pub static C: LruHash<u32, u64>;

fn main() {}
