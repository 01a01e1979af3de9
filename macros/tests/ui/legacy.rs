use bpfc::bpf_map;

#[bpf_map(max_entries = 64, legacy, pinning = by_name)]
pub static PINNED: Hash<u32, u64>;

#[bpf_map(map_flags = no_prealloc, legacy)]
pub static SK: SkStorage<u64>;

fn main() {}
