//! The three record types of `.BTF.ext` (include/uapi/linux/bpf.h
//! `bpf_func_info`, `bpf_line_info`, `bpf_core_relo`).
//!
//! In an ELF object every `insn_off` is a byte offset into the section the
//! block names; libbpf divides by 8 before `BPF_PROG_LOAD`.

use std::fmt;

use crate::bytes::Endian;

/// A record of one subsection: its size on disk and how to read and write
/// it. Records longer than `MIN_SIZE` (a newer producer) are read by their
/// first `MIN_SIZE` bytes, as libbpf does.
pub trait ExtRecord: Copy + fmt::Debug + PartialEq {
    /// The subsection's name in diagnostics: `func_info`, `line_info`, `core_relo`.
    const SUBSECTION: &'static str;
    /// Size of the record as this crate (and libbpf) knows it.
    const MIN_SIZE: u32;
    /// Reads a record from `raw`, which holds at least `MIN_SIZE` bytes.
    fn read(endian: Endian, raw: &[u8]) -> Self;
    /// Appends the `MIN_SIZE`-byte record.
    fn write(&self, endian: Endian, out: &mut Vec<u8>);
}

/// Word `i` of a record; the reader checked the record is long enough.
fn word(endian: Endian, raw: &[u8], i: usize) -> u32 {
    let o = 4 * i;
    endian.u32([raw[o], raw[o + 1], raw[o + 2], raw[o + 3]])
}

fn put(endian: Endian, out: &mut Vec<u8>, words: &[u32]) {
    for &w in words {
        out.extend_from_slice(&endian.u32_bytes(w));
    }
}

/// `struct bpf_func_info`: the FUNC type of the function starting at `insn_off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuncInfo {
    pub insn_off: u32,
    /// A FUNC in `.BTF`.
    pub type_id: u32,
}

impl ExtRecord for FuncInfo {
    const SUBSECTION: &'static str = "func_info";
    const MIN_SIZE: u32 = 8;

    fn read(endian: Endian, raw: &[u8]) -> Self {
        FuncInfo {
            insn_off: word(endian, raw, 0),
            type_id: word(endian, raw, 1),
        }
    }

    fn write(&self, endian: Endian, out: &mut Vec<u8>) {
        put(endian, out, &[self.insn_off, self.type_id]);
    }
}

/// `struct bpf_line_info`: the source line of the instruction at `insn_off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    pub insn_off: u32,
    /// File name, in the `.BTF` strings.
    pub file_name_off: u32,
    /// Text of the source line, in the `.BTF` strings.
    pub line_off: u32,
    /// Line number in the top 22 bits, column in the low 10.
    pub line_col: u32,
}

impl LineInfo {
    pub fn line(&self) -> u32 {
        self.line_col >> 10
    }

    pub fn column(&self) -> u32 {
        self.line_col & 0x3ff
    }
}

impl ExtRecord for LineInfo {
    const SUBSECTION: &'static str = "line_info";
    const MIN_SIZE: u32 = 16;

    fn read(endian: Endian, raw: &[u8]) -> Self {
        LineInfo {
            insn_off: word(endian, raw, 0),
            file_name_off: word(endian, raw, 1),
            line_off: word(endian, raw, 2),
            line_col: word(endian, raw, 3),
        }
    }

    fn write(&self, endian: Endian, out: &mut Vec<u8>) {
        put(
            endian,
            out,
            &[
                self.insn_off,
                self.file_name_off,
                self.line_off,
                self.line_col,
            ],
        );
    }
}

/// `struct bpf_core_relo`: a CO-RE relocation of the instruction at `insn_off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreRelo {
    pub insn_off: u32,
    /// The local (this object's) type the access starts from.
    pub type_id: u32,
    /// Access string such as `0:1:2`, in the `.BTF` strings.
    pub access_str_off: u32,
    /// `enum bpf_core_relo_kind` as stored; see [`CoreRelo::relo_kind`].
    pub kind: u32,
}

impl CoreRelo {
    /// The relocation kind, `None` for a number no libbpf knows.
    pub fn relo_kind(&self) -> Option<CoreReloKind> {
        CoreReloKind::from_u32(self.kind)
    }
}

impl ExtRecord for CoreRelo {
    const SUBSECTION: &'static str = "core_relo";
    const MIN_SIZE: u32 = 16;

    fn read(endian: Endian, raw: &[u8]) -> Self {
        CoreRelo {
            insn_off: word(endian, raw, 0),
            type_id: word(endian, raw, 1),
            access_str_off: word(endian, raw, 2),
            kind: word(endian, raw, 3),
        }
    }

    fn write(&self, endian: Endian, out: &mut Vec<u8>) {
        put(
            endian,
            out,
            &[self.insn_off, self.type_id, self.access_str_off, self.kind],
        );
    }
}

/// `enum bpf_core_relo_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum CoreReloKind {
    FieldByteOffset = 0,
    FieldByteSize = 1,
    FieldExists = 2,
    FieldSigned = 3,
    FieldLshiftU64 = 4,
    FieldRshiftU64 = 5,
    TypeIdLocal = 6,
    TypeIdTarget = 7,
    TypeExists = 8,
    TypeSize = 9,
    EnumvalExists = 10,
    EnumvalValue = 11,
    TypeMatches = 12,
}

impl CoreReloKind {
    pub const ALL: [CoreReloKind; 13] = [
        CoreReloKind::FieldByteOffset,
        CoreReloKind::FieldByteSize,
        CoreReloKind::FieldExists,
        CoreReloKind::FieldSigned,
        CoreReloKind::FieldLshiftU64,
        CoreReloKind::FieldRshiftU64,
        CoreReloKind::TypeIdLocal,
        CoreReloKind::TypeIdTarget,
        CoreReloKind::TypeExists,
        CoreReloKind::TypeSize,
        CoreReloKind::EnumvalExists,
        CoreReloKind::EnumvalValue,
        CoreReloKind::TypeMatches,
    ];

    pub fn from_u32(v: u32) -> Option<CoreReloKind> {
        CoreReloKind::ALL.get(v as usize).copied()
    }

    /// The short name libbpf's logs and llvm-objdump print (`byte_off`, `type_size`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CoreReloKind::FieldByteOffset => "byte_off",
            CoreReloKind::FieldByteSize => "byte_sz",
            CoreReloKind::FieldExists => "field_exists",
            CoreReloKind::FieldSigned => "signed",
            CoreReloKind::FieldLshiftU64 => "lshift_u64",
            CoreReloKind::FieldRshiftU64 => "rshift_u64",
            CoreReloKind::TypeIdLocal => "local_type_id",
            CoreReloKind::TypeIdTarget => "target_type_id",
            CoreReloKind::TypeExists => "type_exists",
            CoreReloKind::TypeSize => "type_size",
            CoreReloKind::EnumvalExists => "enumval_exists",
            CoreReloKind::EnumvalValue => "enumval_value",
            CoreReloKind::TypeMatches => "type_matches",
        }
    }

    /// The UAPI constant name (`BPF_CORE_FIELD_BYTE_OFFSET`, ...).
    pub fn uapi_name(self) -> &'static str {
        match self {
            CoreReloKind::FieldByteOffset => "BPF_CORE_FIELD_BYTE_OFFSET",
            CoreReloKind::FieldByteSize => "BPF_CORE_FIELD_BYTE_SIZE",
            CoreReloKind::FieldExists => "BPF_CORE_FIELD_EXISTS",
            CoreReloKind::FieldSigned => "BPF_CORE_FIELD_SIGNED",
            CoreReloKind::FieldLshiftU64 => "BPF_CORE_FIELD_LSHIFT_U64",
            CoreReloKind::FieldRshiftU64 => "BPF_CORE_FIELD_RSHIFT_U64",
            CoreReloKind::TypeIdLocal => "BPF_CORE_TYPE_ID_LOCAL",
            CoreReloKind::TypeIdTarget => "BPF_CORE_TYPE_ID_TARGET",
            CoreReloKind::TypeExists => "BPF_CORE_TYPE_EXISTS",
            CoreReloKind::TypeSize => "BPF_CORE_TYPE_SIZE",
            CoreReloKind::EnumvalExists => "BPF_CORE_ENUMVAL_EXISTS",
            CoreReloKind::EnumvalValue => "BPF_CORE_ENUMVAL_VALUE",
            CoreReloKind::TypeMatches => "BPF_CORE_TYPE_MATCHES",
        }
    }

    /// Field relocations: the access string walks members and array indices.
    pub fn is_field(self) -> bool {
        (self as u32) <= CoreReloKind::FieldRshiftU64 as u32
    }

    /// Enumerator relocations: the access string is an enumerator index.
    pub fn is_enumval(self) -> bool {
        matches!(
            self,
            CoreReloKind::EnumvalExists | CoreReloKind::EnumvalValue
        )
    }
}

impl fmt::Display for CoreReloKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_number_like_the_uapi_enum() {
        for (i, k) in CoreReloKind::ALL.iter().enumerate() {
            assert_eq!(*k as u32, i as u32);
            assert_eq!(CoreReloKind::from_u32(i as u32), Some(*k));
        }
        assert_eq!(CoreReloKind::from_u32(13), None);
        assert!(CoreReloKind::FieldRshiftU64.is_field());
        assert!(!CoreReloKind::TypeIdLocal.is_field());
    }

    #[test]
    fn line_col_splits_at_bit_10() {
        let l = LineInfo {
            insn_off: 0,
            file_name_off: 0,
            line_off: 0,
            line_col: (42 << 10) | 7,
        };
        assert_eq!((l.line(), l.column()), (42, 7));
    }

    #[test]
    fn records_write_what_they_read() {
        let r = CoreRelo {
            insn_off: 8,
            type_id: 3,
            access_str_off: 12,
            kind: 9,
        };
        for endian in [Endian::Little, Endian::Big] {
            let mut out = Vec::new();
            r.write(endian, &mut out);
            assert_eq!(out.len() as u32, CoreRelo::MIN_SIZE);
            assert_eq!(CoreRelo::read(endian, &out), r);
        }
    }
}
