//! The maps of a small flow monitor, declared in Rust: the single source of
//! truth for the BPF program (C or Rust) that fills them and for the user
//! space that reads them.
//!
//! ```sh
//! bpfc build examples/flows -o flows.bpf.o      # the BPF object: .maps, .BTF, license
//! bpfc inspect flows.bpf.o                       # what is in it
//! bpfc gen header flows.bpf.o -o flows.bpf.h     # extern declarations for a C BPF program
//! bpftool gen object app.bpf.o flows.bpf.o prog.bpf.o   # link (the maps object first)
//! ```
//!
//! A BPF program (e.g. XDP) parses each IPv4 TCP/UDP packet into a
//! [`FlowKey`], skips sources listed in [`IGNORED_NETS`], and updates the
//! flow's [`FlowStats`] in [`FLOWS`]. The first packet of a flow emits a
//! [`FlowEvent`] to [`EVENTS`] (a ring buffer; [`PERF_EVENTS`] for kernels
//! older than 5.8), and every packet is counted in the per-CPU
//! [`Counters`] of [`COUNTERS`]. [`CONFIG`] lets user space tune it.
//! `cli/tests/build_c_e2e.rs` runs exactly that program
//! (`testdata/c/extern/flows_prog.bpf.c`) against this crate's object.
//!
//! Every type here is `#[repr(C)]` with its padding spelled out, so that
//! the BPF side, the C header and user space agree on every byte; those
//! that derive [`Pod`] are proven free of hidden padding at compile time.
//! Addresses and ports are in network byte order, as in the packet.

#![warn(missing_docs)]

use bpfc::{bpf_map, Pod};

/// How many flows [`FLOWS`] tracks before the least recently used ones
/// are evicted.
pub const MAX_FLOWS: u32 = 65536;

/// Size of the [`EVENTS`] ring buffer in bytes (a power-of-two number of
/// pages, as the kernel requires).
pub const EVENTS_RING_BYTES: u32 = 256 * 1024;

/// A flow's identity: the IPv4 5-tuple, in network byte order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod)]
pub struct FlowKey {
    /// Source address.
    pub saddr: u32,
    /// Destination address.
    pub daddr: u32,
    /// Source port (0 for protocols without ports).
    pub sport: u16,
    /// Destination port (0 for protocols without ports).
    pub dport: u16,
    /// IP protocol number (6 TCP, 17 UDP).
    pub proto: u8,
    /// Explicit padding; must be zero (hash maps compare whole keys).
    pub pad: [u8; 3],
}

/// What the monitor knows about one flow.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod)]
pub struct FlowStats {
    /// Packets seen.
    pub packets: u64,
    /// Bytes seen (whole frames).
    pub bytes: u64,
    /// `bpf_ktime_get_ns()` of the first packet.
    pub first_seen_ns: u64,
    /// `bpf_ktime_get_ns()` of the latest packet.
    pub last_seen_ns: u64,
    /// TCP flags of every packet ORed together (0 for UDP).
    pub tcp_flags: u8,
    /// Explicit padding; zero.
    pub pad: [u8; 7],
}

/// Monitor-wide counters, one copy per CPU in [`COUNTERS`] (user space
/// sums the CPUs' copies).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod)]
pub struct Counters {
    /// Packets the program saw.
    pub packets: u64,
    /// Bytes the program saw.
    pub bytes: u64,
    /// Packets that are not IPv4 TCP/UDP, or too short to parse.
    pub not_tracked: u64,
    /// Packets whose source is in [`IGNORED_NETS`].
    pub ignored: u64,
    /// Flows seen for the first time.
    pub new_flows: u64,
    /// Flow events lost because the ring buffer was full.
    pub events_dropped: u64,
}

/// [`FlowEvent::kind`]: the first packet of a flow.
pub const FLOW_EVENT_NEW: u32 = 1;

/// A record of [`EVENTS`] (and of [`PERF_EVENTS`]): what user space
/// receives when a flow starts. Read a ring buffer sample as this type.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod)]
pub struct FlowEvent {
    /// The flow.
    pub key: FlowKey,
    /// [`FLOW_EVENT_NEW`].
    pub kind: u32,
    /// Interface the packet arrived on.
    pub ifindex: u32,
    /// `bpf_ktime_get_ns()` when the event was made.
    pub ts_ns: u64,
    /// Length of the packet that started the flow.
    pub packet_len: u32,
    /// Explicit padding; zero.
    pub pad: u32,
}

/// [`Config::flags`]: count packets but track no flows and send no events.
pub const CONFIG_PAUSED: u32 = 1;
/// [`Config::flags`]: also send each event to [`PERF_EVENTS`].
pub const CONFIG_PERF_EVENTS: u32 = 2;

/// Settings user space writes to [`CONFIG`]; all zero is the default
/// (tracking on, ring buffer events only, every new flow reported).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod)]
pub struct Config {
    /// [`CONFIG_PAUSED`], [`CONFIG_PERF_EVENTS`].
    pub flags: u32,
    /// Report one new flow in this many (0 and 1: every one).
    pub event_sample: u32,
}

/// An IPv4 prefix, the key of [`IGNORED_NETS`]: the layout of the kernel's
/// `struct bpf_lpm_trie_key_u8` with four data bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod)]
pub struct Ipv4Prefix {
    /// Prefix length in bits (32 for a lookup of one address).
    pub prefixlen: u32,
    /// The address, network byte order.
    pub addr: [u8; 4],
}

/// Every flow being tracked. LRU: when full, the least recently seen flow
/// makes room instead of the update failing.
#[bpf_map(max_entries = MAX_FLOWS)]
pub static FLOWS: LruHash<FlowKey, FlowStats>;

/// The monitor's counters, index 0 only, one copy per CPU (no atomic
/// operations needed on the hot path).
#[bpf_map(max_entries = 1)]
pub static COUNTERS: PercpuArray<Counters>;

/// New-flow events ([`FlowEvent`] records) for user space.
#[bpf_map(max_entries = EVENTS_RING_BYTES)]
pub static EVENTS: Ringbuf;

/// The same events through perf buffers, for kernels without ring buffers
/// (and when [`CONFIG_PERF_EVENTS`] is set). max_entries left out: one
/// slot per possible CPU, sized when the map is created.
#[bpf_map]
pub static PERF_EVENTS: PerfEventArray;

/// A per-CPU [`FlowEvent`] the program fills before sending it with
/// `bpf_perf_event_output` (which copies from memory the program owns).
/// Its value type also carries `FlowEvent`'s definition into the object's
/// BTF, and so into `bpfc gen header`'s output for C programs.
#[bpf_map(max_entries = 1)]
pub static EVENT_SCRATCH: PercpuArray<FlowEvent>;

/// The monitor's settings, index 0 only.
#[bpf_map(max_entries = 1)]
pub static CONFIG: Array<Config>;

/// Source prefixes not to track (e.g. the monitoring host's own network),
/// longest prefix match; the value is free for user space (a tag).
#[bpf_map(max_entries = 1024, map_flags = no_prealloc)]
pub static IGNORED_NETS: LpmTrie<Ipv4Prefix, u32>;
