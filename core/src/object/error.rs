//! Errors that stop the reader: the bytes are not a BPF ELF object whose
//! structure can be walked. Everything a kernel or loader would merely refuse
//! is a finding instead (see `crate::diag`), so that one run reports all of it.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ObjectError {
    #[error("not an ELF file: {reason}")]
    NotElf { reason: String },

    #[error("32-bit ELF: BPF objects are ELFCLASS64 (libbpf: \"not a 64-bit ELF object\")")]
    Not64Bit,

    #[error("ELF type {e_type} is not ET_REL (1): BPF objects are relocatable files")]
    NotRelocatable { e_type: u16 },

    #[error("unexpected machine type {machine} for BPF ELF (expected EM_BPF 247 or EM_NONE 0)")]
    WrongMachine { machine: u16 },

    #[error("ELF section headers: {reason}")]
    SectionHeaders { reason: String },

    #[error("section [{index}] '{name}': data [{offset:#x}, +{size:#x}) lies outside the {file_len}-byte file")]
    SectionOutOfBounds {
        index: u32,
        name: String,
        offset: u64,
        size: u64,
        file_len: usize,
    },

    #[error("section name string table: {reason}")]
    SectionNames { reason: String },

    #[error("no symbol table (stripped object?); libbpf: \"couldn't find symbol table\"")]
    NoSymbolTable,

    #[error("symbol table section [{index}]: {reason}")]
    SymbolTable { index: u32, reason: String },
}

impl ObjectError {
    /// A stable code for the error, in the same style as finding codes.
    pub fn code(&self) -> &'static str {
        match self {
            ObjectError::NotElf { .. } => "BPFC-F001",
            ObjectError::Not64Bit => "BPFC-F002",
            ObjectError::NotRelocatable { .. } => "BPFC-F003",
            ObjectError::WrongMachine { .. } => "BPFC-F004",
            ObjectError::SectionHeaders { .. } => "BPFC-F005",
            ObjectError::SectionOutOfBounds { .. } => "BPFC-F006",
            ObjectError::SectionNames { .. } => "BPFC-F007",
            ObjectError::NoSymbolTable => "BPFC-F008",
            ObjectError::SymbolTable { .. } => "BPFC-F009",
        }
    }
}
