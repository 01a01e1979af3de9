//! `.BTF.ext`: func_info, line_info and CO-RE relocation records of a BPF
//! object, in either byte order.
//!
//! [`BtfExt::parse`] checks every rule libbpf applies up front (header,
//! subsection bounds and alignment, record sizes, block headers), so the
//! iterators afterwards cannot fail. Nothing is copied: blocks and records
//! are read from the borrowed bytes when asked for. [`BtfExtBuilder`]
//! writes the section.
//!
//! Layout: a header (`magic`, `version`, `flags`, `hdr_len`, then offset/
//! length pairs relative to the end of the header), and per subsection a
//! `u32` record size followed by blocks `{sec_name_off, num_info,
//! records[num_info]}`, one per ELF section with code.

mod error;
mod records;
mod write;

use std::borrow::Cow;
use std::marker::PhantomData;

pub use error::BtfExtError;
pub use records::{CoreRelo, CoreReloKind, ExtRecord, FuncInfo, LineInfo};
pub use write::{BtfExtBuilder, ExtBlock};

use crate::btf::{Btf, BtfError, BTF_MAGIC};
use crate::bytes::Endian;

/// Header length with func_info and line_info (both mandatory).
pub const EXT_HEADER_MIN_LEN: u32 = 24;
/// Header length that also has the CO-RE relocation subsection.
pub const EXT_HEADER_CORE_LEN: u32 = 32;

/// The `.BTF.ext` header (`struct btf_ext_header`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtHeader {
    pub version: u8,
    pub flags: u8,
    pub hdr_len: u32,
    pub func_info_off: u32,
    pub func_info_len: u32,
    pub line_info_off: u32,
    pub line_info_len: u32,
    /// 0 when the header is too short to have the field.
    pub core_relo_off: u32,
    pub core_relo_len: u32,
}

/// A parsed `.BTF.ext`, borrowing its bytes.
#[derive(Debug, Clone)]
pub struct BtfExt<'a> {
    data: &'a [u8],
    endian: Endian,
    header: ExtHeader,
    func_info: InfoSection<'a, FuncInfo>,
    line_info: InfoSection<'a, LineInfo>,
    core_relo: InfoSection<'a, CoreRelo>,
}

impl<'a> BtfExt<'a> {
    /// Parses and checks a `.BTF.ext` section of either byte order.
    ///
    /// Non-native byte order follows libbpf's stricter rule: record sizes
    /// must be exactly the known size, since a longer record's unknown tail
    /// could not be byte-swapped safely.
    pub fn parse(data: &'a [u8]) -> Result<BtfExt<'a>, BtfExtError> {
        let (header, endian) = parse_header(data)?;
        let native = endian == Endian::NATIVE;
        let body = &data[header.hdr_len as usize..];
        let hdr_len = header.hdr_len as usize;
        let func_info = InfoSection::parse(
            body,
            hdr_len,
            endian,
            native,
            header.func_info_off,
            header.func_info_len,
        )?;
        let line_info = InfoSection::parse(
            body,
            hdr_len,
            endian,
            native,
            header.line_info_off,
            header.line_info_len,
        )?;
        let core_relo = InfoSection::parse(
            body,
            hdr_len,
            endian,
            native,
            header.core_relo_off,
            header.core_relo_len,
        )?;
        Ok(BtfExt {
            data,
            endian,
            header,
            func_info,
            line_info,
            core_relo,
        })
    }

    /// The whole section.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn endian(&self) -> Endian {
        self.endian
    }

    pub fn header(&self) -> &ExtHeader {
        &self.header
    }

    pub fn func_info(&self) -> &InfoSection<'a, FuncInfo> {
        &self.func_info
    }

    pub fn line_info(&self) -> &InfoSection<'a, LineInfo> {
        &self.line_info
    }

    /// CO-RE relocations; empty when the header has no such fields.
    pub fn core_relo(&self) -> &InfoSection<'a, CoreRelo> {
        &self.core_relo
    }
}

/// Reads the header in the order libbpf checks it, so the first broken
/// rule is the one reported.
fn parse_header(data: &[u8]) -> Result<(ExtHeader, Endian), BtfExtError> {
    if data.len() < 8 {
        return Err(BtfExtError::TooShort { len: data.len() });
    }
    let endian = match [data[0], data[1]] {
        m if m == BTF_MAGIC.to_le_bytes() => Endian::Little,
        m if m == BTF_MAGIC.to_be_bytes() => Endian::Big,
        found => {
            return Err(BtfExtError::BadMagic {
                found: u16::from_le_bytes(found),
            })
        }
    };
    let (version, flags) = (data[2], data[3]);
    if version != 1 {
        return Err(BtfExtError::UnsupportedVersion { version });
    }
    if flags != 0 {
        return Err(BtfExtError::UnsupportedFlags { flags });
    }
    let word = |off: usize| endian.read_u32(data, off).unwrap_or(0);
    let hdr_len = word(4);
    if data.len() < hdr_len as usize {
        return Err(BtfExtError::HeaderTruncated {
            hdr_len,
            len: data.len(),
        });
    }
    if data.len() == hdr_len as usize {
        return Err(BtfExtError::NoData { hdr_len });
    }
    if hdr_len < EXT_HEADER_MIN_LEN {
        return Err(BtfExtError::HeaderMissingInfo { hdr_len });
    }
    // hdr_len ≤ data.len() from here on, so every field below is in bounds.
    let has_core = hdr_len >= EXT_HEADER_CORE_LEN;
    let header = ExtHeader {
        version,
        flags,
        hdr_len,
        func_info_off: word(8),
        func_info_len: word(12),
        line_info_off: word(16),
        line_info_len: word(20),
        core_relo_off: if has_core { word(24) } else { 0 },
        core_relo_len: if has_core { word(28) } else { 0 },
    };
    Ok((header, endian))
}

/// One subsection: its record size and the blocks that follow it.
#[derive(Debug, Clone, Copy)]
pub struct InfoSection<'a, R> {
    endian: Endian,
    /// 0 when the subsection is absent (length 0).
    record_size: u32,
    /// The blocks, after the record size word; all checked.
    blocks: &'a [u8],
    /// Offset of `blocks` within the `.BTF.ext` section.
    offset: usize,
    _record: PhantomData<R>,
}

impl<'a, R: ExtRecord> InfoSection<'a, R> {
    /// Checks a subsection at `off`/`len` (relative to `body`, the bytes
    /// after the header) the way libbpf's `btf_ext_parse_sec_info` does.
    fn parse(
        body: &'a [u8],
        hdr_len: usize,
        endian: Endian,
        native: bool,
        off: u32,
        len: u32,
    ) -> Result<InfoSection<'a, R>, BtfExtError> {
        let name = R::SUBSECTION;
        let empty = InfoSection {
            endian,
            record_size: 0,
            blocks: &[],
            offset: hdr_len,
            _record: PhantomData,
        };
        if len == 0 {
            return Ok(empty);
        }
        if off % 4 != 0 {
            return Err(BtfExtError::Unaligned {
                subsection: name,
                off,
            });
        }
        let (start, end) = (u64::from(off), u64::from(off) + u64::from(len));
        if end > body.len() as u64 {
            let base = hdr_len as u64;
            return Err(BtfExtError::OutOfBounds {
                subsection: name,
                start: base + start,
                end: base + end,
                len: hdr_len + body.len(),
            });
        }
        let sub = &body[start as usize..end as usize];
        let sub_offset = hdr_len + start as usize;
        let Some(record_size) = endian.read_u32(sub, 0) else {
            return Err(BtfExtError::NoRecordSize {
                subsection: name,
                offset: sub_offset,
                len,
            });
        };
        let bad_size = |rule: String| BtfExtError::BadRecordSize {
            subsection: name,
            offset: sub_offset,
            record_size,
            rule,
        };
        if record_size < R::MIN_SIZE {
            return Err(bad_size(format!(
                "less than the {}-byte record",
                R::MIN_SIZE
            )));
        }
        if record_size % 4 != 0 {
            return Err(bad_size("not a multiple of 4".into()));
        }
        if !native && record_size != R::MIN_SIZE {
            return Err(bad_size(format!(
                "non-native byte order needs exactly {} bytes to swap records safely",
                R::MIN_SIZE
            )));
        }
        let blocks = &sub[4..];
        if blocks.is_empty() {
            return Err(BtfExtError::NoRecords {
                subsection: name,
                offset: sub_offset,
            });
        }
        let section = InfoSection {
            endian,
            record_size,
            blocks,
            offset: sub_offset + 4,
            _record: PhantomData,
        };
        section.check_blocks()?;
        Ok(section)
    }

    /// Walks the blocks once: each has a full header, at least one record,
    /// and fits in what is left.
    fn check_blocks(&self) -> Result<(), BtfExtError> {
        let name = R::SUBSECTION;
        let mut pos = 0usize;
        while pos < self.blocks.len() {
            let left = self.blocks.len() - pos;
            let offset = self.offset + pos;
            let (Some(_), Some(num_info)) = (
                self.endian.read_u32(self.blocks, pos),
                self.endian.read_u32(self.blocks, pos + 4),
            ) else {
                return Err(BtfExtError::BlockHeaderTruncated {
                    subsection: name,
                    offset,
                    left,
                });
            };
            if num_info == 0 {
                return Err(BtfExtError::ZeroNumInfo {
                    subsection: name,
                    offset,
                });
            }
            let total = 8 + u64::from(num_info) * u64::from(self.record_size);
            if total > left as u64 {
                return Err(BtfExtError::BlockOverrun {
                    subsection: name,
                    offset,
                    num_info,
                    record_size: self.record_size,
                    left,
                });
            }
            pos += total as usize;
        }
        Ok(())
    }

    /// Size of each record in bytes (0 when the subsection is absent).
    pub fn record_size(&self) -> u32 {
        self.record_size
    }

    /// Offset of the first block within `.BTF.ext`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// True when the subsection has no blocks.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The blocks, one per ELF section with code.
    pub fn blocks(&self) -> impl Iterator<Item = InfoBlock<'a, R>> + 'a {
        let (endian, record_size, blocks, base) =
            (self.endian, self.record_size, self.blocks, self.offset);
        let mut pos = 0usize;
        std::iter::from_fn(move || {
            // `check_blocks` proved every header and record run is in bounds.
            let sec_name_off = endian.read_u32(blocks, pos)?;
            let num_info = endian.read_u32(blocks, pos + 4)?;
            let len = num_info as usize * record_size as usize;
            let records = blocks.get(pos + 8..pos + 8 + len)?;
            let block = InfoBlock {
                endian,
                sec_name_off,
                num_info,
                record_size,
                records,
                offset: base + pos,
                _record: PhantomData,
            };
            pos += 8 + len;
            Some(block)
        })
    }

    /// Records in all blocks together.
    pub fn num_records(&self) -> usize {
        self.blocks().map(|b| b.len()).sum()
    }
}

/// The records of one ELF section.
#[derive(Debug, Clone, Copy)]
pub struct InfoBlock<'a, R> {
    endian: Endian,
    sec_name_off: u32,
    num_info: u32,
    record_size: u32,
    records: &'a [u8],
    offset: usize,
    _record: PhantomData<R>,
}

impl<'a, R: ExtRecord> InfoBlock<'a, R> {
    /// Offset of the ELF section's name in the `.BTF` strings.
    pub fn sec_name_off(&self) -> u32 {
        self.sec_name_off
    }

    /// The ELF section's name, looked up in the object's `.BTF`.
    pub fn sec_name<'b>(&self, btf: &Btf<'b>) -> Result<Cow<'b, str>, BtfError> {
        btf.str_at(self.sec_name_off)
    }

    /// Number of records (`num_info`).
    pub fn len(&self) -> usize {
        self.num_info as usize
    }

    pub fn is_empty(&self) -> bool {
        self.num_info == 0
    }

    /// Offset of this block's header within `.BTF.ext`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn records(&self) -> impl ExactSizeIterator<Item = R> + 'a {
        let (endian, size, raw) = (self.endian, self.record_size as usize, self.records);
        (0..self.num_info as usize).map(move |i| R::read(endian, &raw[i * size..(i + 1) * size]))
    }
}
