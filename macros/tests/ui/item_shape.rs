use bpfc::bpf_map;

#[bpf_map(max_entries = 64)]
pub static mut FLOWS: Hash<u32, u64>;

#[bpf_map(max_entries = 64)]
pub static STATS: Array<u64> = 0;

#[bpf_map(max_entries = 64)]
pub const CONFIG: Array<u64>;

fn main() {}
