use bpfc::bpf_map;

#[bpf_map(max_entries = 1024, max_entries = 2048)]
pub static FLOWS: Hash<u32, u64>;

fn main() {}
