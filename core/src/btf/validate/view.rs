//! A lean view of one type for the validator's hot loops: the same bytes as
//! [`Type`], read with one bounds check per word.

use crate::btf::{ArrayInfo, Btf, Kind, Type, VarSecinfo, TYPE_HEADER_LEN};
use crate::bytes::Endian;

#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    id: u32,
    /// Offset in the type section.
    offset: u32,
    /// The type's bytes: header and trailing records (the reader checked
    /// that they are all there).
    raw: &'a [u8],
    big_endian: bool,
}

impl<'a> View<'a> {
    pub(super) fn of(t: &Type<'a>) -> View<'a> {
        View {
            id: t.id(),
            offset: t.offset(),
            raw: t.raw(),
            big_endian: t.endian() == Endian::Big,
        }
    }

    /// The type with this id, if it exists (the reader's lookup, used for
    /// the types of a split BTF's base).
    pub(super) fn by_id(btf: &Btf<'a>, id: u32) -> Option<View<'a>> {
        btf.type_by_id(id).ok().map(|t| View::of(&t))
    }

    /// The type at `offset` of a type section the reader walked: its
    /// records lie within `types[offset..]`.
    #[inline]
    pub(super) fn at(types: &'a [u8], id: u32, offset: u32, big_endian: bool) -> View<'a> {
        View {
            id,
            offset,
            raw: types.get(offset as usize..).unwrap_or(&[]),
            big_endian,
        }
    }

    /// The u32 at byte `off` of the type; 0 past its end (never reached for
    /// records the reader accounted for).
    #[inline]
    pub(super) fn word(&self, off: usize) -> u32 {
        match self.raw.get(off..off + 4) {
            Some(b) => {
                let b = [b[0], b[1], b[2], b[3]];
                if self.big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            }
            None => 0,
        }
    }

    #[inline]
    pub(super) fn id(&self) -> u32 {
        self.id
    }

    #[inline]
    pub(super) fn offset(&self) -> u32 {
        self.offset
    }

    #[inline]
    pub(super) fn name_off(&self) -> u32 {
        self.word(0)
    }

    #[inline]
    pub(super) fn info(&self) -> u32 {
        self.word(4)
    }

    /// The reader only indexes known kinds; INT stands in for the
    /// impossible rest.
    #[inline]
    pub(super) fn kind(&self) -> Kind {
        Kind::from_u32((self.info() >> 24) & 0x1f).unwrap_or(Kind::Int)
    }

    #[inline]
    pub(super) fn vlen(&self) -> u32 {
        self.info() & 0xffff
    }

    #[inline]
    pub(super) fn kflag(&self) -> bool {
        self.info() >> 31 != 0
    }

    /// The third header word read as a size.
    #[inline]
    pub(super) fn size(&self) -> u32 {
        self.word(8)
    }

    /// The third header word read as a type id.
    #[inline]
    pub(super) fn type_id(&self) -> u32 {
        self.word(8)
    }

    /// The word after the header (INT data, VAR linkage, DECL_TAG index).
    #[inline]
    pub(super) fn extra(&self) -> u32 {
        self.word(TYPE_HEADER_LEN)
    }

    pub(super) fn array(&self) -> ArrayInfo {
        ArrayInfo {
            elem_type: self.word(12),
            index_type: self.word(16),
            nelems: self.word(20),
        }
    }

    /// STRUCT/UNION member `i`: (name offset, type id, offset word).
    #[inline]
    pub(super) fn member(&self, i: u32) -> (u32, u32, u32) {
        let at = record_at(i, 12) as usize;
        (self.word(at), self.word(at + 4), self.word(at + 8))
    }

    /// FUNC_PROTO parameter `i`: (name offset, type id).
    #[inline]
    pub(super) fn param(&self, i: u32) -> (u32, u32) {
        let at = record_at(i, 8) as usize;
        (self.word(at), self.word(at + 4))
    }

    /// DATASEC entry `i`.
    #[inline]
    pub(super) fn entry(&self, i: u32) -> VarSecinfo {
        let at = record_at(i, 12) as usize;
        VarSecinfo {
            type_id: self.word(at),
            offset: self.word(at + 4),
            size: self.word(at + 8),
        }
    }

    /// Name offset of ENUM/ENUM64 enumerator `i`.
    #[inline]
    pub(super) fn enumerator_name(&self, i: u32) -> u32 {
        self.word(record_at(i, self.enum_stride()) as usize)
    }

    pub(super) fn enum_stride(&self) -> u64 {
        if self.kind() == Kind::Enum {
            8
        } else {
            12
        }
    }
}

/// Byte offset of record `i` (of `size` bytes) within its type.
#[inline]
pub(super) fn record_at(i: u32, size: u64) -> u64 {
    TYPE_HEADER_LEN as u64 + size * u64::from(i)
}
