//! A library with one map of its own whose other map comes from the
//! dependency `dep_maps`.

#![no_std]

use bpfc::bpf_map;

pub use dep_maps::DEP_COUNTS;

/// Seen source addresses, legacy `maps` section for old loaders.
#[bpf_map(max_entries = 128, legacy)]
pub static OWN_SEEN: Hash<u32, u64>;

/// Packets per key: keyed by the dependency's [`dep_maps::Key`], so the
/// same struct is described by the DWARF of both crates.
#[bpf_map(max_entries = 64)]
pub static OWN_PACKETS: Hash<dep_maps::Key, u64>;
