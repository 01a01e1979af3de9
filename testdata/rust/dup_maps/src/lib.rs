//! A map whose name is already taken by a map of the dependency
//! `dep_maps`: one object cannot hold both.

#![no_std]

use bpfc::bpf_map;

pub use dep_maps::DEP_COUNTS as THEIR_COUNTS;

/// The same map name as `dep_maps::DEP_COUNTS`.
#[bpf_map(max_entries = 8)]
pub static DEP_COUNTS: Array<u32>;
