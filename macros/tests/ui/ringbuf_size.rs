use bpfc::bpf_map;

#[bpf_map(max_entries = 5000)]
pub static LOG: Ringbuf;

#[bpf_map(max_entries = 3 * 4096)]
pub static USER: UserRingbuf;

fn main() {}
