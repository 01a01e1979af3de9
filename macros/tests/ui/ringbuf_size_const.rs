use bpfc::bpf_map;

const SIZE: u32 = 100 * 1024;

#[bpf_map(max_entries = SIZE)]
pub static LOG: Ringbuf;

fn main() {}
