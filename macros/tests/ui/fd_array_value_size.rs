use bpfc::bpf_map;

const EIGHT: usize = 8;

#[bpf_map(value_size = 8)]
pub static EVENTS: PerfEventArray;

#[bpf_map(max_entries = 4, value_size = EIGHT)]
pub static JUMP: ProgArray;

fn main() {}
