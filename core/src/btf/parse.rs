//! The zero-copy BTF reader.
//!
//! `Btf::parse` walks the type section once to record where each type
//! starts (4 bytes per type, bounded by the section size, never by a count
//! taken from the input). Everything else is read on demand from the
//! borrowed bytes.

use super::error::BtfError;
use super::header::Header;
use super::kind::Kind;
use super::types::Type;
use crate::bytes::{c_str_at, Endian};

/// The largest type id the kernel accepts (`BTF_MAX_TYPE`).
pub const BTF_MAX_TYPE: u32 = 0x000f_ffff;
/// Size of `struct btf_type`.
pub const TYPE_HEADER_LEN: usize = 12;

/// A parsed BTF blob, borrowing its bytes. Split BTF (a module's BTF on top
/// of vmlinux) borrows its base too; ids and string offsets continue where
/// the base's end.
#[derive(Debug, Clone)]
pub struct Btf<'a> {
    data: &'a [u8],
    endian: Endian,
    header: Header,
    types: &'a [u8],
    strings: &'a [u8],
    /// Offset of each type in `types`; index 0 is type id `first_id`.
    offsets: Vec<u32>,
    base: Option<&'a Btf<'a>>,
    /// First type id described by this blob (1, or one past the base's last).
    first_id: u32,
    /// First string offset described by this blob (0, or the base's string length).
    first_str: u32,
    /// `pointer_size()`, found on first use.
    pointer_size: std::sync::OnceLock<u64>,
}

impl<'a> Btf<'a> {
    /// Parses a standalone ("base") BTF blob of either byte order.
    pub fn parse(data: &'a [u8]) -> Result<Btf<'a>, BtfError> {
        Self::parse_inner(data, None)
    }

    /// Parses split BTF whose ids and strings continue those of `base`.
    pub fn parse_split(data: &'a [u8], base: &'a Btf<'a>) -> Result<Btf<'a>, BtfError> {
        Self::parse_inner(data, Some(base))
    }

    fn parse_inner(data: &'a [u8], base: Option<&'a Btf<'a>>) -> Result<Btf<'a>, BtfError> {
        let (header, endian) = Header::parse(data)?;
        if let Some(b) = base {
            if b.endian != endian {
                return Err(BtfError::EndianMismatch {
                    base: b.endian,
                    split: endian,
                });
            }
        }
        let types = section(data, &header, header.type_off, header.type_len, "type")?;
        let strings = section(data, &header, header.str_off, header.str_len, "string")?;
        let (first_id, first_str) = match base {
            Some(b) => {
                let first_str =
                    b.first_str
                        .checked_add(b.header.str_len)
                        .ok_or_else(|| BtfError::Header {
                            msg: "base and split string sections together exceed 4 GiB".into(),
                        })?;
                (b.last_id() + 1, first_str)
            }
            None => (1, 0),
        };
        let offsets = index_types(types, endian, first_id)?;
        Ok(Btf {
            data,
            endian,
            header,
            types,
            strings,
            offsets,
            base,
            first_id,
            first_str,
            pointer_size: std::sync::OnceLock::new(),
        })
    }

    /// The whole blob this BTF was parsed from.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn endian(&self) -> Endian {
        self.endian
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub(super) fn pointer_size_cell(&self) -> &std::sync::OnceLock<u64> {
        &self.pointer_size
    }

    /// The raw type section.
    pub fn type_section(&self) -> &'a [u8] {
        self.types
    }

    /// The raw string section.
    pub fn string_section(&self) -> &'a [u8] {
        self.strings
    }

    pub fn base(&self) -> Option<&'a Btf<'a>> {
        self.base
    }

    /// First type id this blob defines (1 for base BTF).
    pub fn first_id(&self) -> u32 {
        self.first_id
    }

    /// First string offset this blob defines (0 for base BTF).
    pub fn first_str_off(&self) -> u32 {
        self.first_str
    }

    /// Number of types this blob defines (not counting the base or void).
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The highest valid type id, counting the base (0 when there are no types).
    pub fn last_id(&self) -> u32 {
        self.first_id + self.offsets.len() as u32 - 1
    }

    /// The type with this id (searching the base for lower ids). Id 0 is
    /// `void` and has no `Type`.
    pub fn type_by_id(&self, id: u32) -> Result<Type<'a>, BtfError> {
        if id < self.first_id {
            return match self.base {
                Some(b) if id != 0 => b.type_by_id(id),
                _ => Err(self.no_such_type(id)),
            };
        }
        let idx = (id - self.first_id) as usize;
        let start = *self.offsets.get(idx).ok_or_else(|| self.no_such_type(id))? as usize;
        let end = match self.offsets.get(idx + 1) {
            Some(&next) => next as usize,
            None => self.types.len(),
        };
        Ok(Type::new(
            id,
            start as u32,
            &self.types[start..end],
            self.endian,
        ))
    }

    fn no_such_type(&self, id: u32) -> BtfError {
        BtfError::NoSuchType {
            id,
            last: self.last_id(),
        }
    }

    /// The types this blob defines, in id order (not the base's).
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type<'a>> + '_ {
        let types = self.types;
        let endian = self.endian;
        let first = self.first_id;
        let offsets = &self.offsets;
        // Each type ends where the next begins; the last one at the section end.
        (0..offsets.len()).map(move |i| {
            let start = offsets[i] as usize;
            let end = offsets.get(i + 1).map_or(types.len(), |&o| o as usize);
            Type::new(first + i as u32, start as u32, &types[start..end], endian)
        })
    }

    /// The string at `offset` (base strings for offsets below this blob's),
    /// as raw bytes without the NUL.
    pub fn str_bytes(&self, offset: u32) -> Result<&'a [u8], BtfError> {
        if offset < self.first_str {
            return match self.base {
                Some(b) => b.str_bytes(offset),
                None => Err(self.bad_str(offset)),
            };
        }
        if offset == 0 && self.strings.is_empty() {
            // Offset 0 means "anonymous"; a blob without strings (the kernel
            // refuses it, the validator says so) still has anonymous types.
            return Ok(b"");
        }
        c_str_at(self.strings, (offset - self.first_str) as usize)
            .ok_or_else(|| self.bad_str(offset))
    }

    /// The string at `offset` as text; invalid UTF-8 is replaced lossily
    /// (the kernel would refuse such a name anyway, and the validator says so).
    pub fn str_at(&self, offset: u32) -> Result<std::borrow::Cow<'a, str>, BtfError> {
        Ok(String::from_utf8_lossy(self.str_bytes(offset)?))
    }

    /// The name of a type, `""` when anonymous.
    pub fn name(&self, ty: &Type<'_>) -> Result<std::borrow::Cow<'a, str>, BtfError> {
        self.str_at(ty.name_off())
    }

    fn bad_str(&self, offset: u32) -> BtfError {
        BtfError::BadStringOffset {
            offset,
            len: self.first_str + self.header.str_len,
        }
    }
}

/// Cuts a section out of the blob, checking it lies within it.
fn section<'a>(
    data: &'a [u8],
    header: &Header,
    off: u32,
    len: u32,
    name: &'static str,
) -> Result<&'a [u8], BtfError> {
    let start = u64::from(header.hdr_len) + u64::from(off);
    let end = start + u64::from(len);
    if end > data.len() as u64 {
        return Err(BtfError::SectionOutOfBounds {
            section: name,
            start,
            end,
            len: data.len(),
        });
    }
    Ok(&data[start as usize..end as usize])
}

/// Walks the type section once, recording where each type starts.
///
/// This is the only pass over every type at parse time, so it is kept tight:
/// one bounds check per type, table lookups for the record sizes.
fn index_types(types: &[u8], endian: Endian, first_id: u32) -> Result<Vec<u32>, BtfError> {
    // Each type takes at least 12 bytes, so this bound comes from the section
    // size the blob actually has, not from anything a header claims. Pages
    // of the reservation that are never written are never touched, so the
    // worst case costs address space, not memory, and no reallocation.
    let mut offsets = Vec::with_capacity(types.len() / TYPE_HEADER_LEN + 1);
    // One loop per byte order, so the order is not chosen again per type.
    match endian {
        Endian::Little => index_types_in::<true>(types, first_id, &mut offsets)?,
        Endian::Big => index_types_in::<false>(types, first_id, &mut offsets)?,
    }
    Ok(offsets)
}

/// [`index_types`] for one byte order (little-endian when `LE`).
fn index_types_in<const LE: bool>(
    types: &[u8],
    first_id: u32,
    offsets: &mut Vec<u32>,
) -> Result<(), BtfError> {
    let max_types = u64::from(u32::MAX - first_id) + 1;
    // No section holds more types than it has 12-byte headers, so the id
    // limit needs checking per type only when the section could pass it.
    let may_run_out = (types.len() / TYPE_HEADER_LEN) as u64 >= max_types;
    let mut pos = 0usize;
    while pos < types.len() {
        let id = first_id.wrapping_add(offsets.len() as u32);
        if may_run_out && offsets.len() as u64 >= max_types {
            return Err(BtfError::TooManyTypes {
                count: offsets.len() as u64 + 1,
                max: max_types,
            });
        }
        let Some(hdr) = types.get(pos + 4..pos + TYPE_HEADER_LEN) else {
            return Err(BtfError::TypeTruncated {
                id,
                offset: pos as u32,
                kind: "btf_type header",
                vlen: 0,
            });
        };
        let info = Endian::of::<LE>().u32([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let kind_num = (info >> 24) & 0x1f;
        let vlen = info & 0xffff;
        let (fixed, per_entry) = RECORD_LEN[kind_num as usize];
        if fixed == u8::MAX {
            return Err(BtfError::UnknownKind {
                id,
                offset: pos as u32,
                kind: kind_num,
            });
        }
        let end = pos + TYPE_HEADER_LEN + fixed as usize + per_entry as usize * vlen as usize;
        if end > types.len() {
            return Err(BtfError::TypeTruncated {
                id,
                offset: pos as u32,
                kind: Kind::from_u32(kind_num).map_or("?", Kind::name),
                vlen,
            });
        }
        offsets.push(pos as u32);
        pos = end;
    }
    Ok(())
}

/// Trailing record length per kind number (0..=31): fixed bytes and bytes per
/// vlen entry; `u8::MAX` marks kinds this reader does not know. Mirrors
/// `Kind::trailing_len`, which a test keeps in step.
const RECORD_LEN: [(u8, u8); 32] = {
    let mut t = [(u8::MAX, 0u8); 32];
    let mut k = 1;
    while k <= super::kind::KIND_MAX as usize {
        t[k] = match k {
            1 | 14 | 17 => (4, 0),      // INT, VAR, DECL_TAG
            3 => (12, 0),               // ARRAY
            4 | 5 | 15 | 19 => (0, 12), // STRUCT, UNION, DATASEC, ENUM64
            6 | 13 => (0, 8),           // ENUM, FUNC_PROTO
            _ => (0, 0),
        };
        k += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Type ids end at u32::MAX: a split blob whose ids would pass it is
    /// refused, in either byte order, and one that ends there is not.
    #[test]
    fn type_ids_past_u32_max_are_refused() {
        for endian in [Endian::Little, Endian::Big] {
            // Two INTs: name 0, info INT, size 4, then the INT word.
            let mut types = Vec::new();
            for _ in 0..2 {
                for w in [0u32, 1 << 24, 4, 32] {
                    types.extend_from_slice(&endian.u32_bytes(w));
                }
            }
            let ok = index_types(&types, endian, u32::MAX - 1).unwrap();
            assert_eq!(ok, [0, 16], "{endian:?}");
            let err = index_types(&types, endian, u32::MAX).unwrap_err();
            assert!(
                matches!(err, BtfError::TooManyTypes { count: 2, max: 1 }),
                "{endian:?}: {err:?}"
            );
        }
    }

    #[test]
    fn record_table_matches_kind_layout() {
        for k in 0..32u32 {
            let (fixed, per) = RECORD_LEN[k as usize];
            match Kind::from_u32(k) {
                Some(kind) => {
                    for vlen in [0u32, 1, 7] {
                        assert_eq!(
                            u64::from(fixed) + u64::from(per) * u64::from(vlen),
                            kind.trailing_len(vlen),
                            "{kind}"
                        );
                    }
                }
                None => assert_eq!(fixed, u8::MAX, "kind {k}"),
            }
        }
    }
}
