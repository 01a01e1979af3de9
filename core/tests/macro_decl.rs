use bpfc::{bpf_map, Pod};

#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct FlowKey {
    pub saddr: u32,
    pub daddr: u32,
    pub sport: u16,
    pub dport: u16,
    pub proto: u8,
    pub pad: [u8; 3],
}

/// Flows.
#[bpf_map(max_entries = 10240)]
pub static FLOWS: Hash<FlowKey, u64>;

#[bpf_map(max_entries = 256 * 1024, pinning = by_name)]
pub static LOG: Ringbuf;

#[bpf_map]
pub static EVENTS: PerfEventArray;

#[bpf_map(max_entries = 4)]
pub static A: Array<u64>;

#[bpf_map(max_entries = 4)]
pub static B: Array<u64>;

#[bpf_map(max_entries = 4, inner(max_entries = 4), values = [A, _, B])]
pub static OUTER: ArrayOfMaps<Array<u64>>;

#[bpf_map(max_entries = 4, legacy, map_flags = no_prealloc)]
pub static OLD: Hash<u32, u32>;

#[bpf_map(max_entries = 4096, map_flags = mmapable, map_extra = 0x1_0000_0000)]
pub static ARENA: Arena;

#[test]
fn scratch() {
    println!("{:#?}", FLOWS.spec());
    println!("{:#?}", OUTER.spec());
    println!("{:#?}", ARENA.spec());
}
