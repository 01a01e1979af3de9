use bpfc::bpf_map;

#[bpf_map(max_entries = 16, map_flags = no_prealloc)]
pub static SK: SkStorage<u64>;

fn main() {}
