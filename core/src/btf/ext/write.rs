//! Writing `.BTF.ext` in either byte order.
//!
//! The layout is clang's: the header, then func_info, line_info and
//! core_relo subsections back to back, each starting with its record size;
//! an empty subsection gets length 0 at the current offset.

use super::error::BtfExtError;
use super::records::{CoreRelo, ExtRecord, FuncInfo, LineInfo};
use super::{BtfExt, InfoSection, EXT_HEADER_CORE_LEN, EXT_HEADER_MIN_LEN};
use crate::btf::BTF_MAGIC;
use crate::bytes::Endian;

/// The records of one ELF section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtBlock<R> {
    /// The ELF section's name in the `.BTF` strings.
    pub sec_name_off: u32,
    pub records: Vec<R>,
}

/// An owned `.BTF.ext`, to build from scratch or import from a parsed one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BtfExtBuilder {
    pub func_info: Vec<ExtBlock<FuncInfo>>,
    pub line_info: Vec<ExtBlock<LineInfo>>,
    pub core_relo: Vec<ExtBlock<CoreRelo>>,
    /// Write the 24-byte header of LLVM before CO-RE (no core_relo fields).
    /// Only possible while `core_relo` is empty; an import of such a blob
    /// sets it.
    pub short_header: bool,
    /// Header words after `core_relo_len` that no libbpf reads, kept
    /// verbatim (clang 9 wrote an extra, empty subsection's off/len there).
    pub extra_header_words: Vec<u32>,
}

impl BtfExtBuilder {
    pub fn new() -> BtfExtBuilder {
        BtfExtBuilder::default()
    }

    /// Copies a parsed `.BTF.ext`. Re-encoding in the same byte order gives
    /// the same bytes when the input had clang's layout. Fails for what the
    /// owned form cannot hold: records longer than this crate knows (their
    /// tail would be lost) and a header length that is not 24 or 32 plus
    /// whole words.
    pub fn from_ext(ext: &BtfExt<'_>) -> Result<BtfExtBuilder, BtfExtError> {
        let hdr_len = ext.header().hdr_len;
        let short_header = hdr_len < EXT_HEADER_CORE_LEN;
        if (short_header && hdr_len != EXT_HEADER_MIN_LEN) || hdr_len % 4 != 0 {
            return Err(BtfExtError::Unrepresentable {
                offset: 4,
                what: format!("hdr_len {hdr_len} is neither 24 nor 32 plus whole u32 words"),
            });
        }
        let extra_header_words = (EXT_HEADER_CORE_LEN..hdr_len)
            .step_by(4)
            .map(|off| ext.endian().read_u32(ext.data(), off as usize).unwrap_or(0))
            .collect();
        Ok(BtfExtBuilder {
            func_info: import(ext.func_info())?,
            line_info: import(ext.line_info())?,
            core_relo: import(ext.core_relo())?,
            short_header,
            extra_header_words,
        })
    }

    /// Encodes the section. Blocks without records are left out (libbpf
    /// rejects `num_info == 0`), and a subsection without blocks is written
    /// with length 0.
    pub fn encode(&self, endian: Endian) -> Result<Vec<u8>, BtfExtError> {
        let short = self.short_header && self.core_relo.iter().all(|b| b.records.is_empty());
        let hdr_len = if short {
            EXT_HEADER_MIN_LEN as usize
        } else {
            EXT_HEADER_CORE_LEN as usize + 4 * self.extra_header_words.len()
        };
        let func_info = subsection(&self.func_info, endian)?;
        let line_info = subsection(&self.line_info, endian)?;
        let core_relo = subsection(&self.core_relo, endian)?;

        let mut fields = Vec::new();
        let mut off = 0usize;
        for sub in [&func_info, &line_info, &core_relo] {
            fields.push(fits("subsection offset", off)?);
            fields.push(fits("subsection length", sub.len())?);
            off += sub.len();
        }
        if short {
            fields.truncate(4);
        } else {
            fields.extend_from_slice(&self.extra_header_words);
        }

        let mut out = Vec::with_capacity(hdr_len + off);
        out.extend_from_slice(&endian.u16_bytes(BTF_MAGIC));
        out.push(1); // version
        out.push(0); // flags
        out.extend_from_slice(&endian.u32_bytes(fits("hdr_len", hdr_len)?));
        for w in fields {
            out.extend_from_slice(&endian.u32_bytes(w));
        }
        out.extend_from_slice(&func_info);
        out.extend_from_slice(&line_info);
        out.extend_from_slice(&core_relo);
        Ok(out)
    }
}

fn import<R: ExtRecord>(section: &InfoSection<'_, R>) -> Result<Vec<ExtBlock<R>>, BtfExtError> {
    if !section.is_empty() && section.record_size() != R::MIN_SIZE {
        return Err(BtfExtError::Unrepresentable {
            offset: section.offset() - 4,
            what: format!(
                "{} records are {} bytes, only the first {} are known",
                R::SUBSECTION,
                section.record_size(),
                R::MIN_SIZE
            ),
        });
    }
    Ok(section
        .blocks()
        .map(|b| ExtBlock {
            sec_name_off: b.sec_name_off(),
            records: b.records().collect(),
        })
        .collect())
}

/// A subsection's bytes: record size, then each non-empty block.
fn subsection<R: ExtRecord>(
    blocks: &[ExtBlock<R>],
    endian: Endian,
) -> Result<Vec<u8>, BtfExtError> {
    let mut out = Vec::new();
    if blocks.iter().all(|b| b.records.is_empty()) {
        return Ok(out);
    }
    out.extend_from_slice(&endian.u32_bytes(R::MIN_SIZE));
    for b in blocks.iter().filter(|b| !b.records.is_empty()) {
        out.extend_from_slice(&endian.u32_bytes(b.sec_name_off));
        out.extend_from_slice(&endian.u32_bytes(fits("num_info", b.records.len())?));
        for r in &b.records {
            r.write(endian, &mut out);
        }
    }
    Ok(out)
}

fn fits(what: &'static str, v: usize) -> Result<u32, BtfExtError> {
    u32::try_from(v).map_err(|_| BtfExtError::TooLarge {
        what,
        len: v as u64,
    })
}
