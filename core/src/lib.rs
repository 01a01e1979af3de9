//! bpfc: BPF map definitions, BTF and BPF ELF objects in pure Rust.
//!
//! - [`btf`]: read, validate, build and dump BTF.
//! - [`maps`]: map types, flags and map specifications.
//! - [`bpf_map`]: declare maps in Rust, laid out as libbpf's `.maps`; user
//!   space gets a typed handle ([`maps::DeclaredMap`]). Hash keys derive [`Pod`].
//! - [`object`]: BPF ELF objects; [`diag`]: what loaders and the kernel would refuse.
//! - [`dwarf`]: DWARF → deduplicated BTF (`bpfc btf from-dwarf`).
//! - [`build`]: host objects compiled from `#[bpf_map]` declarations → one
//!   BPF object (`bpfc build`).
//! - [`header`]: C declarations of an object's maps for C BPF programs (`bpfc gen header`).
//! - [`report`]: inspect reports, JSON documents and map ABI snapshots.
//! - [`write`]: BPF ELF objects from a plan (maps, BTF, license), in either byte order.
//! - [`input`]: how much is read from one input (an endless or huge file is an error).
//!
//! Parsing never touches the kernel; the `sys` module (bpf(2)) is the only
//! place with `unsafe`.

#![deny(unsafe_code)]

pub mod btf;
pub mod build;
pub mod bytes;
pub mod diag;
pub mod dwarf;
pub mod header;
pub mod host;
pub mod input;
pub mod maps;
pub mod object;
pub mod report;
#[allow(unsafe_code)]
pub mod sys;
/// The workspace's one SKIP-unless-CI rule, for unit tests too.
#[cfg(test)]
#[path = "../tests/common/skip.rs"]
mod test_skip;
pub mod write;

pub use bpfc_macros::{bpf_map, Pod};
pub use maps::Pod;
