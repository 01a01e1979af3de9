use bpfc::bpf_map;

// A literal the macro checks itself...
#[bpf_map(max_entries = 8, key_size = 8)]
pub static A: Array<u64>;

// ...and an expression the compiler checks.
#[bpf_map(max_entries = 8, key_size = core::mem::size_of::<u64>())]
pub static B: Array<u64>;

fn main() {}
