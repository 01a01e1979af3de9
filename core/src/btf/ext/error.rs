//! Errors of the `.BTF.ext` reader and writer. Each reader error is one of
//! libbpf's rules (src/btf.c `btf_ext_parse_hdr`, `btf_ext_parse_sec_info`);
//! libbpf ignores a `.BTF.ext` that breaks one, with a warning, and loads
//! the object without func/line info and CO-RE relocations.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BtfExtError {
    #[error(".BTF.ext is {len} bytes, too short for the 8-byte magic/version/flags/hdr_len")]
    TooShort { len: usize },

    #[error(
        ".BTF.ext at offset 0: invalid magic {found:#06x} (expected 0xeb9f in either byte order)"
    )]
    BadMagic { found: u16 },

    #[error(".BTF.ext at offset 2: unsupported version {version} (only 1 exists)")]
    UnsupportedVersion { version: u8 },

    #[error(".BTF.ext at offset 3: unsupported flags {flags:#04x} (must be 0)")]
    UnsupportedFlags { flags: u8 },

    #[error(".BTF.ext at offset 4: hdr_len {hdr_len} exceeds the {len}-byte section")]
    HeaderTruncated { hdr_len: u32, len: usize },

    #[error(".BTF.ext has only its {hdr_len}-byte header, no data")]
    NoData { hdr_len: u32 },

    #[error(".BTF.ext at offset 4: hdr_len {hdr_len} is too short for the mandatory func_info and line_info fields (24 bytes)")]
    HeaderMissingInfo { hdr_len: u32 },

    #[error(".BTF.ext {subsection} subsection offset {off} is not 4-byte aligned")]
    Unaligned { subsection: &'static str, off: u32 },

    #[error(".BTF.ext {subsection} subsection [{start}, {end}) lies beyond the end of the {len}-byte section")]
    OutOfBounds {
        subsection: &'static str,
        start: u64,
        end: u64,
        len: usize,
    },

    #[error(".BTF.ext {subsection} subsection at offset {offset}: {len} bytes, no room for the record size")]
    NoRecordSize {
        subsection: &'static str,
        offset: usize,
        len: u32,
    },

    #[error(".BTF.ext {subsection} subsection at offset {offset}: invalid record size {record_size} ({rule})")]
    BadRecordSize {
        subsection: &'static str,
        offset: usize,
        record_size: u32,
        rule: String,
    },

    #[error(
        ".BTF.ext {subsection} subsection at offset {offset}: record size present but no records"
    )]
    NoRecords {
        subsection: &'static str,
        offset: usize,
    },

    #[error(".BTF.ext {subsection} block at offset {offset}: {left} bytes left, less than the 8-byte sec_name_off/num_info header")]
    BlockHeaderTruncated {
        subsection: &'static str,
        offset: usize,
        left: usize,
    },

    #[error(".BTF.ext {subsection} block at offset {offset}: num_info is 0 (each block needs at least one record)")]
    ZeroNumInfo {
        subsection: &'static str,
        offset: usize,
    },

    #[error(".BTF.ext {subsection} block at offset {offset}: {num_info} records of {record_size} bytes overrun the {left} bytes left in the subsection")]
    BlockOverrun {
        subsection: &'static str,
        offset: usize,
        num_info: u32,
        record_size: u32,
        left: usize,
    },

    /// Import for re-encoding: the blob holds bytes the owned form does not
    /// keep, so writing it back would change it.
    #[error(".BTF.ext at offset {offset}: {what}; it cannot be imported without losing bytes")]
    Unrepresentable { offset: usize, what: String },

    #[error(".BTF.ext {what} would be {len}, more than a u32 field holds")]
    TooLarge { what: &'static str, len: u64 },
}
