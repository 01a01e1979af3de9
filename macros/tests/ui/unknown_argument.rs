use bpfc::bpf_map;

#[bpf_map(max_entry = 1024)]
pub static FLOWS: Hash<u32, u64>;

#[bpf_map(type = hash, max_entries = 1024)]
pub static TYPED: Hash<u32, u64>;

fn main() {}
