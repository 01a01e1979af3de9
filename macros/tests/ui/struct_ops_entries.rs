use bpfc::bpf_map;

#[bpf_map(max_entries = 2)]
pub static OPS: StructOps<[u64; 4]>;

fn main() {}
