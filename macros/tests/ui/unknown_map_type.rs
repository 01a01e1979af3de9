use bpfc::bpf_map;

#[bpf_map(max_entries = 1024)]
pub static FLOWS: HashMap<u32, u64>;

#[bpf_map(max_entries = 1 << 20)]
pub static LOG: RingBuf;

fn main() {}
