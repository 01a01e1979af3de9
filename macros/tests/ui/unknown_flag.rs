use bpfc::bpf_map;

#[bpf_map(max_entries = 1024, map_flags = no_prealoc | BPF_F_RDONLY_PROG)]
pub static FLOWS: Hash<u32, u64>;

fn main() {}
