use bpfc::bpf_map;

// A ring buffer has no key.
#[bpf_map(max_entries = 4096, key_size = 4)]
pub static LOG: Ringbuf;

// ...and no key or value type either, nor a `key = ...` argument.
#[bpf_map(max_entries = 4096)]
pub static LOG2: Ringbuf<u32>;

#[bpf_map(max_entries = 4096, key = u32)]
pub static LOG3: Ringbuf;

// Only map-in-map types have initial slots.
#[bpf_map(max_entries = 4)]
pub static A: Array<u64>;

#[bpf_map(max_entries = 4, values = [A])]
pub static H: Hash<u32, u64>;

// prog_array slots would name programs.
#[bpf_map(max_entries = 4, values = [A])]
pub static JUMP: ProgArray;

fn main() {}
