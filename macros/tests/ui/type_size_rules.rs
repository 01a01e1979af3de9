use bpfc::bpf_map;

// lpm_trie keys: a u32 prefix length and 1..=256 data bytes.
#[bpf_map(max_entries = 64, map_flags = no_prealloc)]
pub static ROUTES: LpmTrie<u32, u64>;

// Hash keys and values must not be empty.
#[bpf_map(max_entries = 64)]
pub static EMPTY: Hash<[u8; 0], u64>;

// devmap values: ifindex (4) or struct bpf_devmap_val (8).
#[bpf_map(max_entries = 64)]
pub static PORTS: Devmap<[u8; 12]>;

// Per-CPU values are limited to 32 KiB.
#[bpf_map(max_entries = 4)]
pub static BIG: PercpuArray<[u8; 40000]>;

// Stack traces hold u64 addresses.
#[bpf_map(max_entries = 64)]
pub static STACKS: StackTrace<[u32; 3]>;

fn main() {}
