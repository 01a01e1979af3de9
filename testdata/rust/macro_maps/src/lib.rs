//! One `#[bpf_map]` declaration of every map type and every argument.
//!
//! `core/tests/macro_object.rs` compiles this crate for the host with debug
//! info and checks the object: `.maps` symbols, legacy `maps` records, the
//! slot table, and the DWARF layout of every definition against clang's for
//! the C declarations in `equivalent.bpf.c` (keep the two in step).
//!
//! `no_std` and edition 2024 on purpose: the section-bound part of the
//! expansion must name only `core::` and use `unsafe(...)` attributes.

#![no_std]
#![deny(warnings, missing_docs)]

use bpfc::{Pod, bpf_map};

/// A flow's 5-tuple, padded explicitly so that it is `Pod`.
#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct FlowKey {
    /// Source address.
    pub saddr: u32,
    /// Destination address.
    pub daddr: u32,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// IP protocol.
    pub proto: u8,
    /// Zeroed padding.
    pub pad: [u8; 3],
}

/// A timestamp, nested in [`FlowStats`].
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Stamp {
    /// Seconds.
    pub sec: u32,
    /// Nanoseconds.
    pub nsec: u32,
}

/// Per-flow counters: nested struct and array.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FlowStats {
    /// Packets seen.
    pub packets: u64,
    /// Bytes seen.
    pub bytes: u64,
    /// Packet size histogram.
    pub sizes: [u32; 8],
    /// Last packet.
    pub last: Stamp,
}

/// An IPv4 LPM trie key (`struct bpf_lpm_trie_key_u8` with 4 data bytes).
#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct Ipv4LpmKey {
    /// Prefix length in bits.
    pub prefixlen: u32,
    /// The address.
    pub addr: [u8; 4],
}

/// `struct bpf_cgroup_storage_key`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CgroupStorageKey {
    /// cgroup inode id.
    pub cgroup_inode_id: u64,
    /// Attach type.
    pub attach_type: u32,
    /// Padding made explicit.
    pub pad: u32,
}

/// `struct bpf_cpumap_val`: queue size and program fd.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CpumapVal {
    /// Queue size.
    pub qsize: u32,
    /// Program fd.
    pub prog_fd: i32,
}

/// A key with padding after `b`, for `allow_key_padding`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Padded {
    /// One byte...
    pub b: u8,
    /// ...then three bytes of padding.
    pub w: u32,
}

/// Capacity of [`FLOWS`], a `const` the macro cannot evaluate itself.
pub const FLOW_CAPACITY: u32 = 10240;
const RING_PAGES: u32 = 64;

/// Every flow: a hash with struct key and value, const-expression size.
#[bpf_map(max_entries = FLOW_CAPACITY, map_flags = no_prealloc | rdonly_prog)]
pub static FLOWS: Hash<FlowKey, FlowStats>;

/// Counters on NUMA node 0.
#[bpf_map(max_entries = 256, map_flags = mmapable | numa_node, numa_node = 0)]
pub static COUNTERS: Array<u64>;

/// Tail calls.
#[bpf_map(max_entries = 8)]
pub static JUMP: ProgArray;

/// Perf events: sized per CPU by the loader.
#[bpf_map]
pub static EVENTS: PerfEventArray;

/// Per-CPU hash.
#[bpf_map(max_entries = 1024)]
pub static PCPU_HASH: PercpuHash<u32, u64>;

/// Per-CPU array of arrays.
#[bpf_map(max_entries = 4)]
pub static PCPU_ARRAY: PercpuArray<[u64; 4]>;

/// Stack traces.
#[bpf_map(max_entries = 1024)]
pub static STACKS: StackTrace<[u64; 127]>;

/// cgroups.
#[bpf_map(max_entries = 16)]
pub static CGROUPS: CgroupArray;

/// LRU, pinned by name.
#[bpf_map(max_entries = 4096, map_flags = no_common_lru, pinning = by_name)]
pub static LRU: LruHash<FlowKey, u64>;

/// Per-CPU LRU.
#[bpf_map(max_entries = 4096)]
pub static LRU_PCPU: LruPercpuHash<u64, u64>;

/// Routes.
#[bpf_map(max_entries = 1024, map_flags = no_prealloc)]
pub static ROUTES: LpmTrie<Ipv4LpmKey, u32>;

/// Slot 0 of [`OUTER_ARR`].
#[bpf_map(max_entries = 4)]
pub static SLOT_A: Array<u64>;

/// Slot 2 of [`OUTER_ARR`].
#[bpf_map(max_entries = 4)]
pub static SLOT_B: Array<u64>;

/// Array of arrays, two slots filled.
#[bpf_map(max_entries = 4, inner(max_entries = 4), values = [SLOT_A, _, SLOT_B])]
pub static OUTER_ARR: ArrayOfMaps<Array<u64>>;

/// Hash of hashes.
#[bpf_map(max_entries = 16, inner(max_entries = 4096, map_flags = no_prealloc))]
pub static OUTER_HASH: HashOfMaps<u32, Hash<FlowKey, u64>>;

/// Redirect targets: ifindex values.
#[bpf_map(max_entries = 64)]
pub static TX_PORTS: Devmap;

/// Redirect targets with programs: raw 8-byte values.
#[bpf_map(max_entries = 64, value_size = 8)]
pub static TX_PROGS: Devmap<_>;

/// Sockets.
#[bpf_map(max_entries = 64)]
pub static SOCKS: Sockmap;

/// CPU redirect.
#[bpf_map(max_entries = 4)]
pub static CPUS: Cpumap<CpumapVal>;

/// AF_XDP sockets.
#[bpf_map(max_entries = 64)]
pub static XSKS: Xskmap;

/// Sockets by flow.
#[bpf_map(max_entries = 64)]
pub static SOCK_HASH: Sockhash<FlowKey>;

/// cgroup storage.
#[bpf_map]
pub static CG_STORE: CgroupStorage<CgroupStorageKey, u64>;

/// Reuseport groups.
#[bpf_map(max_entries = 16)]
pub static REUSEPORT: ReuseportSockarray<u64>;

/// Per-CPU cgroup storage, max_entries spelled out.
#[bpf_map(max_entries = 0)]
pub static PCPU_CG_STORE: PercpuCgroupStorage<u64, u64>;

/// FIFO.
#[bpf_map(max_entries = 128)]
pub static JOBS: Queue<u64>;

/// LIFO.
#[bpf_map(max_entries = 128)]
pub static LIFO: Stack<u64>;

/// Socket storage.
#[bpf_map(map_flags = no_prealloc)]
pub static SK_STORE: SkStorage<u64>;

/// Redirect by ifindex hash.
#[bpf_map(max_entries = 64)]
pub static DEV_HASH: DevmapHash<CpumapVal>;

/// struct_ops value.
#[bpf_map(max_entries = 1)]
pub static OPS: StructOps<[u64; 4]>;

/// Ring buffer: size from a `const`, explicit `pinning = none`.
#[bpf_map(max_entries = RING_PAGES * 4096, pinning = none)]
pub static LOG: Ringbuf;

/// Inode storage.
#[bpf_map(map_flags = no_prealloc | clone)]
pub static INODE_STORE: InodeStorage<u32>;

/// Task storage.
#[bpf_map(map_flags = no_prealloc)]
pub static TASK_STORE: TaskStorage<u64>;

/// Bloom filter with 3 hash functions.
#[bpf_map(max_entries = 1000, map_extra = 3)]
pub static SEEN: BloomFilter<u64>;

/// User ring buffer.
#[bpf_map(max_entries = 64 * 1024)]
pub static USER_LOG: UserRingbuf;

/// cgroup storage (new style).
#[bpf_map(map_flags = no_prealloc)]
pub static CGRP_STORE: CgrpStorage<u64>;

/// Arena mapped at 4 GiB: a 64-bit map_extra (`__ulong`, which libbpf
/// reads from 1.4 on).
#[cfg(not(feature = "libbpf1_1"))]
#[bpf_map(max_entries = 16, map_flags = mmapable, map_extra = 0x1_0000_0000)]
pub static ARENA: Arena;

/// Instruction array.
#[bpf_map(max_entries = 8)]
pub static INSNS: InsnArray;

/// Resizable hash with a size hint.
#[bpf_map(max_entries = 1024, map_flags = no_prealloc, map_extra = 64)]
pub static RESIZABLE: Rhash<u64, u64>;

/// A long Rust name with a short kernel name.
#[bpf_map(max_entries = 64, name = "renamed_map")]
pub static RENAMED_MAP_WITH_LONG_NAME: Hash<u32, u32>;

/// A raw 12-byte key (no key BTF).
#[bpf_map(max_entries = 16, key_size = 12)]
pub static RAW_KEY: Hash<_, u64>;

/// A key with padding, accepted on purpose.
#[bpf_map(max_entries = 16, allow_key_padding, crate = ::bpfc)]
pub static PADDED: Hash<Padded, u32>;

/// Legacy hash for old loaders.
#[cfg(not(feature = "libbpf1_1"))]
#[bpf_map(max_entries = 32, legacy, map_flags = no_prealloc)]
pub static OLD_HASH: Hash<FlowKey, u64>;

/// Legacy array.
#[cfg(not(feature = "libbpf1_1"))]
#[bpf_map(max_entries = 4, legacy)]
pub static OLD_ARRAY: Array<FlowStats>;

/// Legacy perf event array.
#[cfg(not(feature = "libbpf1_1"))]
#[bpf_map(max_entries = 4, legacy)]
pub static OLD_PERF: PerfEventArray;
