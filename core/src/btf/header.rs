//! The BTF header (`struct btf_header`).

use super::error::BtfError;
use crate::bytes::Endian;

pub const BTF_MAGIC: u16 = 0xeb9f;
/// Size of the classic header; larger headers are allowed when the extra bytes are zero.
pub const HEADER_LEN: u32 = 24;

/// The fixed part of a BTF blob: where the type and string sections are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    pub magic: u16,
    pub version: u8,
    pub flags: u8,
    pub hdr_len: u32,
    /// Offset of the type section, relative to the end of the header.
    pub type_off: u32,
    pub type_len: u32,
    /// Offset of the string section, relative to the end of the header.
    pub str_off: u32,
    pub str_len: u32,
}

impl Header {
    /// Reads the header and detects the byte order from the magic.
    ///
    /// Only what is needed to find the sections is enforced here; the
    /// kernel's stricter header rules (version, flags, gaps) are findings of
    /// the validator, so that a blob the kernel refuses can still be dumped.
    pub fn parse(data: &[u8]) -> Result<(Header, Endian), BtfError> {
        if data.len() < 4 {
            return Err(BtfError::Truncated {
                what: "btf_header magic",
                offset: 0,
                need: 4,
                have: data.len(),
            });
        }
        let endian = match [data[0], data[1]] {
            [0x9f, 0xeb] => Endian::Little,
            [0xeb, 0x9f] => Endian::Big,
            found => {
                return Err(BtfError::BadMagic {
                    found: u16::from_le_bytes(found),
                })
            }
        };
        let word = |off: usize, what: &'static str| {
            endian.read_u32(data, off).ok_or(BtfError::Truncated {
                what,
                offset: off,
                need: off + 4,
                have: data.len(),
            })
        };
        let hdr_len = word(4, "btf_header.hdr_len")?;
        let header = Header {
            magic: BTF_MAGIC,
            version: data[2],
            flags: data[3],
            hdr_len,
            type_off: word(8, "btf_header.type_off")?,
            type_len: word(12, "btf_header.type_len")?,
            str_off: word(16, "btf_header.str_off")?,
            str_len: word(20, "btf_header.str_len")?,
        };
        if hdr_len < HEADER_LEN {
            return Err(BtfError::Header {
                msg: format!("hdr_len {hdr_len} is shorter than the {HEADER_LEN}-byte btf_header"),
            });
        }
        if hdr_len as usize > data.len() {
            return Err(BtfError::Truncated {
                what: "btf_header (hdr_len)",
                offset: 0,
                need: hdr_len as usize,
                have: data.len(),
            });
        }
        Ok((header, endian))
    }

    /// Bytes the header says the whole blob spans.
    pub fn end(&self) -> u64 {
        let t = u64::from(self.type_off) + u64::from(self.type_len);
        let s = u64::from(self.str_off) + u64::from(self.str_len);
        u64::from(self.hdr_len) + t.max(s)
    }

    /// Serialises the classic 24-byte header.
    pub fn write(&self, endian: Endian, out: &mut Vec<u8>) {
        out.extend_from_slice(&endian.u16_bytes(BTF_MAGIC));
        out.push(self.version);
        out.push(self.flags);
        for w in [
            self.hdr_len,
            self.type_off,
            self.type_len,
            self.str_off,
            self.str_len,
        ] {
            out.extend_from_slice(&endian.u32_bytes(w));
        }
    }
}
