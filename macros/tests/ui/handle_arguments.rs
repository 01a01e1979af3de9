use bpfc::bpf_map;

#[bpf_map(max_entries = 64)]
pub static ONE: Hash<u32>;

#[bpf_map(max_entries = 64)]
pub static TOO_MANY: Array<u32, u64>;

#[bpf_map(max_entries = 64)]
pub static RAW: Hash<_, u64>;

#[bpf_map(max_entries = 64, key_size = 8)]
pub static BOTH: Hash<u64, u64>;

#[bpf_map(max_entries = 4, inner(max_entries = 4))]
pub static NESTED: ArrayOfMaps<ArrayOfMaps<Array<u64>>>;

fn main() {}
