//! Why DWARF could not be turned into BTF.

use thiserror::Error;

/// A conversion failure, naming the ELF section or the DIE (as its offset in
/// `.debug_info`) and the rule that was broken.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DwarfError {
    #[error("not an ELF object: {0}")]
    Elf(String),

    #[error("the object has no DWARF (.debug_info is missing or empty); build it with debug info (-g, or -C debuginfo=2)")]
    NoDwarf,

    #[error(
        "ELF section {section} [{offset:#x}, +{size:#x}) lies outside the {file_len}-byte file"
    )]
    SectionOutOfBounds {
        section: String,
        offset: u64,
        size: u64,
        file_len: usize,
    },

    #[error(
        "ELF section {section} is compressed with {kind}, which bpfc cannot inflate (only zlib)"
    )]
    UnsupportedCompression { section: String, kind: u32 },

    #[error("ELF section {section}: compressed contents are damaged or not the {size} bytes the header says: {msg}")]
    BadCompression {
        section: String,
        size: u64,
        msg: String,
    },

    #[error("relocation #{index} of {section}: {msg}")]
    BadRelocation {
        section: String,
        index: usize,
        msg: String,
    },

    #[error("DWARF unit at .debug_info+{unit:#x}: {msg}")]
    Unit { unit: usize, msg: String },

    #[error("DWARF entry at .debug_info+{die:#x}: {msg}")]
    Die { die: usize, msg: String },

    #[error("the BTF would have more than {limit} types")]
    TooManyTypes { limit: u32 },
}
