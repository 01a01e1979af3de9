use bpfc::bpf_map;

#[bpf_map]
pub static FLOWS: Hash<u32, u64>;

#[bpf_map(max_entries = 4, inner())]
pub static OUTER: ArrayOfMaps<Array<u64>>;

fn main() {}
