//! A map declared in a dependency: `bpfc build` on `uses_dep_maps` must
//! find it in this crate's rlib.

#![no_std]

use bpfc::bpf_map;

/// Packet counts per CPU slot, declared one crate away from the build.
#[bpf_map(max_entries = 64)]
pub static DEP_COUNTS: Array<u64>;
