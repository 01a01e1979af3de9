use bpfc::bpf_map;

#[bpf_map(max_entries = 8)]
pub static SMALL: Array<u64>;

#[bpf_map(max_entries = 4, map_flags = no_prealloc)]
pub static OTHER: Hash<u32, u64>;

// Slots must match the template (max_entries 4, no `inner_map` flag).
#[bpf_map(max_entries = 4, inner(max_entries = 4), values = [SMALL, _, OTHER])]
pub static OUTER: ArrayOfMaps<Array<u64>>;

// An inner template is never pinned, and there cannot be more slots than entries.
#[bpf_map(max_entries = 1, inner(max_entries = 4, pinning = by_name), values = [SMALL, SMALL])]
pub static PINNED: ArrayOfMaps<Array<u64>>;

fn main() {}
