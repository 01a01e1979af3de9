use bpfc::bpf_map;

#[bpf_map(max_entries = 1024, map_flags = mmapable)]
pub static FLOWS: Hash<u32, u64>;

#[bpf_map(max_entries = 1024, map_flags = no_prealloc)]
pub static LRU: LruHash<u32, u64>;

#[bpf_map(max_entries = 8, map_flags = numa_node)]
pub static PCPU: PercpuArray<u64>;

#[bpf_map(max_entries = 8, map_flags = token_fd)]
pub static TOKEN: Array<u64>;

fn main() {}
