//! Errors of the BTF reader: input that cannot even be walked.
//!
//! Blobs that can be walked but break a kernel rule are not errors here; the
//! validator reports them as findings.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BtfError {
    #[error("invalid BTF magic {found:#06x} (expected 0xeb9f in either byte order)")]
    BadMagic { found: u16 },

    #[error("truncated BTF: {what} at offset {offset} needs {need} bytes, blob has {have}")]
    Truncated {
        what: &'static str,
        offset: usize,
        need: usize,
        have: usize,
    },

    #[error("invalid BTF header: {msg}")]
    Header { msg: String },

    #[error("BTF {section} section [{start}, {end}) lies outside the {len}-byte blob")]
    SectionOutOfBounds {
        section: &'static str,
        start: u64,
        end: u64,
        len: usize,
    },

    #[error("BTF type [{id}] at type-section offset {offset}: unknown kind {kind}")]
    UnknownKind { id: u32, offset: u32, kind: u32 },

    #[error("BTF type [{id}] at type-section offset {offset}: {kind} with vlen {vlen} runs past the end of the type section")]
    TypeTruncated {
        id: u32,
        offset: u32,
        kind: &'static str,
        vlen: u32,
    },

    #[error("BTF type section has {count} types, more than the {max} that fit in a type id")]
    TooManyTypes { count: u64, max: u64 },

    #[error("BTF type id {id} does not exist (last id is {last})")]
    NoSuchType { id: u32, last: u32 },

    #[error("BTF string offset {offset} is outside the string section ({len} bytes)")]
    BadStringOffset { offset: u32, len: u32 },

    #[error("split BTF base has byte order {base:?}, split blob {split:?}")]
    EndianMismatch {
        base: crate::bytes::Endian,
        split: crate::bytes::Endian,
    },

    #[error("BTF type [{id}]: {msg}")]
    Type { id: u32, msg: String },
}
