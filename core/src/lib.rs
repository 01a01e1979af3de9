//! bpfc: BPF map definitions, BTF and BPF ELF objects in pure Rust.
//!
//! - [`btf`]: read, validate, build and dump BTF.
//! - [`maps`]: map types, flags and map specifications.
//!
//! Parsing never touches the kernel; the `sys` module (bpf(2)) is the only
//! place with `unsafe`.

#![deny(unsafe_code)]

pub mod btf;
pub mod bytes;
pub mod diag;
pub mod maps;
pub mod object;

/// Declares a BPF map in Rust; see the `bpfc-macros` crate docs for the syntax and
/// [`maps::DeclaredMap`] for the handle it leaves in user space.
pub use bpfc_macros::bpf_map;
/// Derives [`maps::Pod`] (plain data without padding: what hash-like map keys must be).
pub use bpfc_macros::Pod;
pub use maps::Pod;
