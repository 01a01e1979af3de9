use bpfc::bpf_map;

// Every mistake is reported at once.
#[bpf_map(max_entries = 0, map_flags = mmapable, pining = by_name)]
pub static A_MAP_WITH_A_LONG_NAME: Hash<u32, u64>;

fn main() {}
