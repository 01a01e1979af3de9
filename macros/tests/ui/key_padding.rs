use bpfc::bpf_map;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Key {
    pub proto: u8,
    pub addr: u32,
}

#[bpf_map(max_entries = 64)]
pub static FLOWS: Hash<Key, u64>;

fn main() {}
