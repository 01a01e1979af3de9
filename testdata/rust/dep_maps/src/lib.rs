//! A map declared in a dependency: `bpfc build` on `uses_dep_maps` must
//! find it in this crate's rlib.

#![no_std]

use bpfc::{bpf_map, Pod};

/// Packet counts per CPU slot, declared one crate away from the build.
#[bpf_map(max_entries = 64)]
pub static DEP_COUNTS: Array<u64>;

/// A key type shared by maps of both crates (`uses_dep_maps` keys a map of
/// its own with it): its BTF must appear once in the built object.
#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct Key {
    /// Interface index.
    pub ifindex: u32,
    /// IP protocol, widened.
    pub proto: u32,
}

/// Bytes per key, declared in the dependency.
#[bpf_map(max_entries = 64)]
pub static DEP_BYTES: Hash<Key, u64>;
