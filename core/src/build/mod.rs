//! `bpfc build`'s library half: host objects compiled from `#[bpf_map]`
//! declarations in, one relocatable EM_BPF object out.
//!
//! The CLI runs cargo and hands over every host object (or rlib member) that
//! holds `.maps`, `maps` or `.bpfc.slots`; this module reads their
//! definitions and DWARF, converts the DWARF to BTF, deduplicates it across
//! compilation units and writes the BPF object.

use crate::bytes::Endian;

/// One compiled host object that may hold map definitions.
#[derive(Debug, Clone, Copy)]
pub struct HostObject<'a> {
    /// Where it came from, for messages: a path, or `lib.rlib(member.o)`.
    pub origin: &'a str,
    /// The whole ELF file.
    pub data: &'a [u8],
}

/// How to write the object.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Byte order of the written object.
    pub endian: Endian,
    /// Contents of the `license` section (without the trailing NUL).
    pub license: String,
}

/// A written object and what the conversion had to say about it.
#[derive(Debug, Clone)]
pub struct BuiltObject {
    /// The ELF file's bytes.
    pub bytes: Vec<u8>,
    /// Names of the maps written, in section order (`.maps`, then `maps`).
    pub maps: Vec<String>,
    /// Things the conversion could only approximate (a data-carrying enum
    /// made opaque, a Rust `char` written as an unsigned int, ...).
    pub warnings: Vec<String>,
}

/// Why a build produced no object.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// None of the inputs declares a map.
    #[error("no map definitions found: no object of the crate or its dependencies has a `.maps` or `maps` section (declare maps with #[bpf_map])")]
    NoMaps,
    /// Not yet written.
    #[error("the BPF object writer is not implemented yet")]
    Unimplemented,
}

/// Reads the maps of `inputs` and writes them as one BPF object.
pub fn build_object(
    inputs: &[HostObject<'_>],
    options: &BuildOptions,
) -> Result<BuiltObject, BuildError> {
    let _ = (inputs, options);
    Err(BuildError::Unimplemented)
}
