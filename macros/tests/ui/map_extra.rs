use bpfc::bpf_map;

#[bpf_map(max_entries = 64, map_extra = 16)]
pub static SEEN: BloomFilter<u64>;

#[bpf_map(max_entries = 64, map_extra = 1)]
pub static FLOWS: Hash<u32, u64>;

#[bpf_map(max_entries = 16, map_flags = mmapable, map_extra = 0x1001)]
pub static ARENA: Arena;

fn main() {}
