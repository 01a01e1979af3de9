use bpfc::bpf_map;

#[bpf_map(max_entries = 8, numa_node = 1)]
pub static A: Array<u64>;

fn main() {}
