//! What can stop an object from being written: a plan the loaders would
//! refuse (each variant names the map and the rule), BTF that cannot be
//! encoded, or the file system.

use std::path::PathBuf;

use thiserror::Error;

use crate::btf::build::BuildError;

#[derive(Debug, Error)]
pub enum WriteError {
    /// Two maps (BTF-defined or legacy) share a name: both would be ELF
    /// symbols and BTF VARs of that name, and libbpf, cilium/ebpf and the
    /// static linker all look maps up by name.
    #[error("map {name}: defined twice (map names must be unique in an object)")]
    DuplicateMap { name: String },

    /// A map name the kernel's BTF (`btf_name_valid_identifier` for the
    /// VAR), the ELF string table or the loaders cannot take.
    #[error("map {name:?}: invalid name: {rule}")]
    InvalidName { name: String, rule: &'static str },

    /// A map's name collides with a symbol the writer itself emits.
    #[error("map {name}: the name is reserved for the object's {what}")]
    ReservedName { name: String, what: &'static str },

    /// `type_id` does not name a STRUCT of the plan's BTF.
    #[error("map {map}: definition type [{type_id}] is {found}, not a STRUCT of the plan's BTF")]
    NotAStruct {
        map: String,
        type_id: u32,
        found: String,
    },

    /// `size` disagrees with the definition struct's BTF size; libbpf
    /// refuses a STRUCT larger than its variable ("invalid def size").
    #[error("map {map}: size {size} but its definition struct [{type_id}] is {btf_size} bytes")]
    SizeMismatch {
        map: String,
        type_id: u32,
        size: u32,
        btf_size: u32,
    },

    /// A zero-sized definition: the kernel refuses a DATASEC entry of size
    /// 0 ("Invalid size"), and libbpf a definition without `type`.
    #[error("map {map}: definition struct [{type_id}] is empty (0 bytes)")]
    EmptyDefinition { map: String, type_id: u32 },

    /// Initial slots need a `values` member (libbpf's `__array(values, ...)`)
    /// to sit in: libbpf reads slot relocations at its offset.
    #[error("map {map}: has {slots} initial slot(s) but its definition has no `values` member")]
    SlotsWithoutValues { map: String, slots: usize },

    /// libbpf: "'values' member should be last" (EINVAL).
    #[error("map {map}: `values` must be the last member of the definition (libbpf refuses it otherwise)")]
    ValuesNotLast { map: String },

    /// A slot names a map that is not a BTF-defined map of the plan
    /// (libbpf: "isn't a BTF-defined map").
    #[error(
        "map {map}: slot {slot} names {target:?}, which is not a BTF-defined map of this object"
    )]
    UnknownSlotTarget {
        map: String,
        slot: usize,
        target: String,
    },

    /// A slot names a map placed at or after its outer map. libbpf creates
    /// maps in `.maps` order and fills an outer map's slots right after
    /// creating it, so the inner map has no fd yet: libbpf 1.1 fails the
    /// load with "failed to initialize slot [i] to map 'x' fd=-1" (EBADF).
    #[error("map {map}: slot {slot} names {target}, which must come before {map} in the plan (libbpf fills slots as it creates maps, in order)")]
    SlotTargetNotBefore {
        map: String,
        slot: usize,
        target: String,
    },

    /// The license text would end early at an embedded NUL.
    #[error("license text contains a NUL byte at {offset}")]
    LicenseNul { offset: usize },

    /// The plan's BTF already holds a type the writer has to add (a DATASEC
    /// or VAR of the same name); the object would describe it twice.
    #[error("the plan's BTF already has {kind} {name:?}, which the writer emits itself")]
    BtfConflict { kind: &'static str, name: String },

    /// Object BTF is base BTF; split BTF (ids not starting at 1) is not.
    #[error("the plan's BTF is split BTF (first id {first_id}); an object needs base BTF")]
    SplitBtf { first_id: u32 },

    /// A section or offset would not fit the 32-bit fields that hold it
    /// (BTF DATASEC sizes and offsets, ELF symbol indexes).
    #[error("{what} would be {len} bytes (or entries), more than a 32-bit field holds")]
    TooLarge { what: &'static str, len: u64 },

    #[error("encoding BTF: {0}")]
    Btf(#[from] BuildError),

    /// The ELF library refused a record (never expected: buffers are sized
    /// before records are written).
    #[error("writing ELF {what}: {message}")]
    Elf { what: &'static str, message: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
