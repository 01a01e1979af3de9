use bpfc::bpf_map;

// A ring buffer has no key.
#[bpf_map(max_entries = 4096, key_size = 4)]
pub static LOG: Ringbuf;

// Only map-in-map types have initial slots.
#[bpf_map(max_entries = 4)]
pub static A: Array<u64>;

#[bpf_map(max_entries = 4, values = [A])]
pub static H: Hash<u32, u64>;

// prog_array slots would name programs.
#[bpf_map(max_entries = 4, values = [A])]
pub static JUMP: ProgArray;

fn main() {}
