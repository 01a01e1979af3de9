//! Borrowed views of single BTF types and their trailing records.

use super::kind::Kind;
use crate::bytes::Endian;

/// One type of a BTF blob: the 12-byte `btf_type` header and the records
/// that follow it, still in the blob's byte order.
#[derive(Clone, Copy, Debug)]
pub struct Type<'a> {
    id: u32,
    offset: u32,
    raw: &'a [u8],
    endian: Endian,
}

impl<'a> Type<'a> {
    /// `raw` must hold the whole type (header and trailing records); the
    /// reader guarantees it.
    pub(crate) fn new(id: u32, offset: u32, raw: &'a [u8], endian: Endian) -> Type<'a> {
        debug_assert!(raw.len() >= 12);
        Type {
            id,
            offset,
            raw,
            endian,
        }
    }

    /// The u32 at byte `off` of this type. Callers only read words the
    /// reader accounted for when it sized the type, so the one bounds check
    /// here never fails on a walked type.
    #[inline]
    fn word(&self, off: usize) -> u32 {
        let b: [u8; 4] = self.raw[off..off + 4]
            .try_into()
            .expect("a 4-byte slice converts to [u8; 4]");
        match self.endian {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    /// The type id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Byte offset of this type within the type section (for diagnostics).
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The raw bytes of this type (header and trailing records).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub fn endian(&self) -> Endian {
        self.endian
    }

    #[inline]
    pub fn name_off(&self) -> u32 {
        self.word(0)
    }

    #[inline]
    pub fn info(&self) -> u32 {
        self.word(4)
    }

    /// The kind; always known, the reader refuses unknown kinds.
    #[inline]
    pub fn kind(&self) -> Kind {
        // The reader only indexes types of known kinds.
        Kind::from_info(self.info()).expect("reader only indexes known kinds")
    }

    /// `vlen`: member/param/enumerator/entry count, or the FUNC linkage.
    #[inline]
    pub fn vlen(&self) -> u32 {
        self.info() & 0xffff
    }

    #[inline]
    pub fn kflag(&self) -> bool {
        self.info() >> 31 != 0
    }

    /// The third header word: a size for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT/ENUM64.
    #[inline]
    pub fn size(&self) -> u32 {
        self.word(8)
    }

    /// The third header word: a referenced type id for PTR/TYPEDEF/modifiers/FUNC/FUNC_PROTO (return)/VAR/DECL_TAG.
    #[inline]
    pub fn type_id(&self) -> u32 {
        self.word(8)
    }

    /// The INT word: encoding, bit offset and bit count.
    pub fn int(&self) -> Option<IntInfo> {
        (self.kind() == Kind::Int).then(|| IntInfo::from_raw(self.word(12)))
    }

    /// The raw INT word, for validators that check unused bits.
    pub fn int_raw(&self) -> Option<u32> {
        (self.kind() == Kind::Int).then(|| self.word(12))
    }

    pub fn array(&self) -> Option<ArrayInfo> {
        (self.kind() == Kind::Array).then(|| ArrayInfo {
            elem_type: self.word(12),
            index_type: self.word(16),
            nelems: self.word(20),
        })
    }

    /// STRUCT/UNION members (empty for other kinds).
    pub fn members(&self) -> impl ExactSizeIterator<Item = Member> + 'a {
        let n = if matches!(self.kind(), Kind::Struct | Kind::Union) {
            self.vlen()
        } else {
            0
        };
        let t = *self;
        (0..n).map(move |i| t.member_at(i))
    }

    /// The type ids of the STRUCT/UNION members, in order (empty for other
    /// kinds): one word read per member, for scans over every struct.
    pub fn member_types(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let n = if matches!(self.kind(), Kind::Struct | Kind::Union) {
            self.vlen()
        } else {
            0
        };
        let t = *self;
        (0..n).map(move |i| t.word(12 + i as usize * 12 + 4))
    }

    /// STRUCT/UNION member `i`, in O(1) (resuming a walk in the middle of a
    /// struct must not re-read the members before it); `None` for other
    /// kinds or `i >= vlen`.
    pub fn member(&self, i: u32) -> Option<Member> {
        (matches!(self.kind(), Kind::Struct | Kind::Union) && i < self.vlen())
            .then(|| self.member_at(i))
    }

    /// Member `i` of a STRUCT/UNION whose kind and vlen the caller checked.
    fn member_at(&self, i: u32) -> Member {
        let b = 12 + i as usize * 12;
        Member {
            name_off: self.word(b),
            type_id: self.word(b + 4),
            raw_offset: self.word(b + 8),
            kflag: self.kflag(),
        }
    }

    /// ENUM and ENUM64 enumerators (empty for other kinds). Values are the
    /// raw bits; `signed()` says how to read them.
    pub fn enumerators(&self) -> impl ExactSizeIterator<Item = Enumerator> + 'a {
        let t = *self;
        let kind = t.kind();
        let n = if matches!(kind, Kind::Enum | Kind::Enum64) {
            t.vlen() as usize
        } else {
            0
        };
        (0..n).map(move |i| {
            if kind == Kind::Enum {
                let b = 12 + i * 8;
                Enumerator {
                    name_off: t.word(b),
                    // ENUM values are 32-bit; sign-extend so signed enums read naturally.
                    value: if t.kflag() {
                        t.word(b + 4) as i32 as i64 as u64
                    } else {
                        u64::from(t.word(b + 4))
                    },
                    raw32: Some(t.word(b + 4)),
                }
            } else {
                let b = 12 + i * 12;
                Enumerator {
                    name_off: t.word(b),
                    value: u64::from(t.word(b + 4)) | (u64::from(t.word(b + 8)) << 32),
                    raw32: None,
                }
            }
        })
    }

    /// FUNC_PROTO parameters (empty for other kinds).
    pub fn params(&self) -> impl ExactSizeIterator<Item = Param> + 'a {
        let t = *self;
        let n = if t.kind() == Kind::FuncProto {
            t.vlen()
        } else {
            0
        };
        (0..n).map(move |i| t.param_at(i))
    }

    /// FUNC_PROTO parameter `i`, in O(1) (the varargs check looks at the
    /// last one only); `None` for other kinds or `i >= vlen`.
    pub fn param(&self, i: u32) -> Option<Param> {
        (self.kind() == Kind::FuncProto && i < self.vlen()).then(|| self.param_at(i))
    }

    fn param_at(&self, i: u32) -> Param {
        let b = 12 + i as usize * 8;
        Param {
            name_off: self.word(b),
            type_id: self.word(b + 4),
        }
    }

    /// VAR linkage (`var_linkage::*`).
    pub fn var_linkage(&self) -> Option<u32> {
        (self.kind() == Kind::Var).then(|| self.word(12))
    }

    /// FUNC linkage (`func_linkage::*`), stored in vlen.
    pub fn func_linkage(&self) -> Option<u32> {
        (self.kind() == Kind::Func).then(|| self.vlen())
    }

    /// DATASEC entries (empty for other kinds).
    pub fn datasec_entries(&self) -> impl ExactSizeIterator<Item = VarSecinfo> + 'a {
        let t = *self;
        let n = if t.kind() == Kind::Datasec {
            t.vlen()
        } else {
            0
        };
        (0..n).map(move |i| t.datasec_entry_at(i))
    }

    /// DATASEC entry `i`, in O(1); `None` for other kinds or `i >= vlen`.
    pub fn datasec_entry(&self, i: u32) -> Option<VarSecinfo> {
        (self.kind() == Kind::Datasec && i < self.vlen()).then(|| self.datasec_entry_at(i))
    }

    fn datasec_entry_at(&self, i: u32) -> VarSecinfo {
        let b = 12 + i as usize * 12;
        VarSecinfo {
            type_id: self.word(b),
            offset: self.word(b + 4),
            size: self.word(b + 8),
        }
    }

    /// DECL_TAG component index (-1 for the whole declaration).
    pub fn decl_tag_component_idx(&self) -> Option<i32> {
        (self.kind() == Kind::DeclTag).then(|| self.word(12) as i32)
    }
}

/// The decoded INT word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntInfo {
    /// `int_encoding::*` bits.
    pub encoding: u8,
    pub bit_offset: u8,
    pub bits: u8,
}

impl IntInfo {
    pub fn from_raw(word: u32) -> IntInfo {
        IntInfo {
            encoding: ((word >> 24) & 0x0f) as u8,
            bit_offset: ((word >> 16) & 0xff) as u8,
            bits: (word & 0xff) as u8,
        }
    }

    pub fn to_raw(self) -> u32 {
        (u32::from(self.encoding) << 24) | (u32::from(self.bit_offset) << 16) | u32::from(self.bits)
    }

    pub fn is_signed(&self) -> bool {
        self.encoding & super::kind::int_encoding::SIGNED != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayInfo {
    pub elem_type: u32,
    pub index_type: u32,
    pub nelems: u32,
}

/// A STRUCT/UNION member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub name_off: u32,
    pub type_id: u32,
    /// The offset word as stored (bitfield size in the top 8 bits when kflag).
    pub raw_offset: u32,
    /// The parent's kind_flag, which decides how `raw_offset` reads.
    pub kflag: bool,
}

impl Member {
    /// Offset of the member from the start of the struct, in bits.
    pub fn bit_offset(&self) -> u32 {
        if self.kflag {
            self.raw_offset & 0x00ff_ffff
        } else {
            self.raw_offset
        }
    }

    /// Bitfield width in bits, 0 for a regular member (kflag encoding only;
    /// old-style bitfields live in the INT type instead).
    pub fn bitfield_size(&self) -> u32 {
        if self.kflag {
            self.raw_offset >> 24
        } else {
            0
        }
    }
}

/// An ENUM/ENUM64 enumerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enumerator {
    pub name_off: u32,
    /// The value's bits (ENUM values sign-extended when the enum is signed).
    pub value: u64,
    /// The stored 32-bit word for ENUM (None for ENUM64).
    pub raw32: Option<u32>,
}

/// A FUNC_PROTO parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name_off: u32,
    pub type_id: u32,
}

/// A DATASEC entry (`struct btf_var_secinfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarSecinfo {
    pub type_id: u32,
    pub offset: u32,
    pub size: u32,
}
