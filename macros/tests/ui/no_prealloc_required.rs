use bpfc::bpf_map;

#[repr(C)]
#[derive(Clone, Copy, bpfc::Pod)]
pub struct Key {
    pub prefixlen: u32,
    pub addr: [u8; 4],
}

#[bpf_map(max_entries = 1024)]
pub static ROUTES: LpmTrie<Key, u32>;

#[bpf_map(map_flags = clone)]
pub static TASKS: TaskStorage<u64>;

fn main() {}
