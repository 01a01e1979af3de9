//! Header, section layout and string section, in the order and with the
//! byte order the kernel uses (`btf_parse_hdr`, `btf_check_sec_info`,
//! `btf_parse_str_sec`, the start of `btf_parse_type_sec`).

use super::finding::{Code, Finding, Severity};
use crate::btf::{BTF_MAGIC, HEADER_LEN};
use crate::bytes::Endian;

/// The kernel refuses larger blobs (`BTF_MAX_SIZE`).
pub const BTF_MAX_SIZE: usize = 16 * 1024 * 1024;
/// Largest string offset (`BTF_MAX_NAME_OFFSET`).
pub const BTF_MAX_NAME_OFFSET: u32 = 0x00ff_ffff;

/// The header as the kernel sees it: only the first `hdr_len` bytes are
/// copied, so fields past a short header read as zero.
#[derive(Debug, Clone, Copy)]
struct KernelHeader {
    magic: u16,
    version: u8,
    flags: u8,
    hdr_len: u32,
    type_off: u32,
    type_len: u32,
    str_off: u32,
    str_len: u32,
}

fn finding(code: Code, message: &str, offset: u64, note: impl Into<String>) -> Finding {
    Finding {
        code,
        severity: Severity::Error,
        message: message.to_string(),
        type_id: None,
        kind: None,
        offset: Some(offset),
        note: note.into(),
    }
}

/// Runs the kernel's blob-level checks reading the header in `endian`,
/// stopping at the first failure like the kernel does. `split` selects the
/// rules for split BTF (a module's BTF on top of vmlinux).
pub(super) fn check(data: &[u8], endian: Endian, split: bool) -> Result<(), Finding> {
    let size = data.len();
    if size > BTF_MAX_SIZE {
        return Err(finding(
            Code::TooLarge,
            "BTF larger than BTF_MAX_SIZE (16 MiB)",
            0,
            format!("the blob is {size} bytes; the kernel refuses it with E2BIG before checking anything, so it logs nothing"),
        ));
    }
    if size < 8 {
        return Err(finding(
            Code::HdrLenNotFound,
            "hdr_len not found",
            0,
            format!("the blob is {size} bytes, too short to hold btf_header.hdr_len"),
        ));
    }
    let word = |off: usize| endian.read_u32(data, off).unwrap_or(0);
    let hdr_len = word(4);
    if hdr_len as usize > size {
        return Err(finding(
            Code::HeaderNotFound,
            "btf_header not found",
            4,
            format!("hdr_len is {hdr_len} but the blob has only {size} bytes"),
        ));
    }
    if hdr_len > HEADER_LEN {
        let tail = &data[HEADER_LEN as usize..hdr_len as usize];
        if let Some(pos) = tail.iter().position(|&b| b != 0) {
            return Err(finding(
                Code::UnsupportedHeader,
                "Unsupported btf_header",
                (HEADER_LEN as usize + pos) as u64,
                format!("hdr_len is {hdr_len}; header bytes past the {HEADER_LEN} this kernel knows must be zero"),
            ));
        }
    }
    let h = kernel_header(data, endian, hdr_len);
    if h.magic != BTF_MAGIC {
        return Err(finding(
            Code::InvalidMagic,
            "Invalid magic",
            0,
            format!("magic reads {:#06x}, expected {BTF_MAGIC:#06x}", h.magic),
        ));
    }
    if h.version != 1 {
        return Err(finding(
            Code::UnsupportedVersion,
            "Unsupported version",
            2,
            format!(
                "version is {}; only version 1 exists (the kernel answers ENOTSUPP)",
                h.version
            ),
        ));
    }
    if h.flags != 0 {
        return Err(finding(
            Code::UnsupportedFlags,
            "Unsupported flags",
            3,
            format!(
                "flags is {:#x}; no flags are defined (the kernel answers ENOTSUPP)",
                h.flags
            ),
        ));
    }
    if !split && size == hdr_len as usize {
        return Err(finding(
            Code::NoData,
            "No data",
            0,
            "the blob is only a header",
        ));
    }
    check_sections(&h, size)?;
    check_strings(data, &h, split)?;
    if h.type_off % 4 != 0 {
        return Err(finding(
            Code::UnalignedTypeOff,
            "Unaligned type_off",
            8,
            format!("type_off {} is not a multiple of 4", h.type_off),
        ));
    }
    if !split && h.type_len == 0 {
        return Err(finding(
            Code::NoTypeFound,
            "No type found",
            12,
            "the type section is empty",
        ));
    }
    Ok(())
}

fn kernel_header(data: &[u8], endian: Endian, hdr_len: u32) -> KernelHeader {
    // Fields that lie past a short hdr_len are not copied: they read as 0.
    let word = |off: usize| {
        if off + 4 <= hdr_len as usize {
            endian.read_u32(data, off).unwrap_or(0)
        } else {
            0
        }
    };
    KernelHeader {
        magic: endian.read_u16(data, 0).unwrap_or(0),
        version: data[2],
        flags: data[3],
        hdr_len,
        type_off: word(8),
        type_len: word(12),
        str_off: word(16),
        str_len: word(20),
    }
}

/// `btf_check_sec_info`: the type and string sections, sorted by offset,
/// must tile the bytes after the header exactly.
fn check_sections(h: &KernelHeader, size: usize) -> Result<(), Finding> {
    // (offset, length, byte offset of the header field naming the offset)
    let mut secs = [
        (h.type_off, h.type_len, 8u64),
        (h.str_off, h.str_len, 16u64),
    ];
    // The kernel's comparator subtracts u32s and reads the result as int.
    let cmp = |a: &(u32, u32, u64), b: &(u32, u32, u64)| {
        let d = a.0.wrapping_sub(b.0) as i32;
        if d != 0 {
            d
        } else {
            a.1.wrapping_sub(b.1) as i32
        }
    };
    if cmp(&secs[0], &secs[1]) > 0 {
        secs.swap(0, 1);
    }
    let expected_total = (size - h.hdr_len as usize) as u64;
    let mut total = 0u64;
    for &(off, len, field) in &secs {
        let (off, len) = (u64::from(off), u64::from(len));
        let name = if field == 8 { "type" } else { "string" };
        if expected_total < off {
            return Err(finding(
                Code::InvalidSectionOffset,
                "Invalid section offset",
                field,
                format!("the {name} section starts at {off}, past the {expected_total} bytes after the header"),
            ));
        }
        if total < off {
            return Err(finding(
                Code::UnsupportedSection,
                "Unsupported section found",
                field,
                format!("bytes {total}..{off} after the header belong to no section"),
            ));
        }
        if total > off {
            return Err(finding(
                Code::SectionOverlap,
                "Section overlap found",
                field,
                format!("the {name} section starts at {off}, inside the previous section (which ends at {total})"),
            ));
        }
        if expected_total - total < len {
            return Err(finding(
                Code::SectionTooLong,
                "Total section length too long",
                field + 4,
                format!(
                    "the {name} section ({len} bytes from {off}) runs past the end of the blob"
                ),
            ));
        }
        total += len;
    }
    if expected_total != total {
        return Err(finding(
            Code::UnsupportedSection,
            "Unsupported section found",
            u64::from(h.hdr_len) + total,
            format!(
                "{} bytes after the last section belong to no section",
                expected_total - total
            ),
        ));
    }
    Ok(())
}

/// `btf_parse_str_sec`.
fn check_strings(data: &[u8], h: &KernelHeader, split: bool) -> Result<(), Finding> {
    let start = u64::from(h.hdr_len) + u64::from(h.str_off);
    let end = start + u64::from(h.str_len);
    if end != data.len() as u64 {
        return Err(finding(
            Code::StringSectionNotLast,
            "String section is not at the end",
            16,
            "the string section must be the last bytes of the blob",
        ));
    }
    if split && h.str_len == 0 {
        return Ok(());
    }
    let strings = &data[start as usize..end as usize];
    let bad = |offset: u64, note: &str| {
        Err(finding(
            Code::InvalidStringSection,
            "Invalid string section",
            offset,
            note,
        ))
    };
    if strings.is_empty() {
        return bad(
            20,
            "the string section is empty; it needs at least the empty string",
        );
    }
    if h.str_len - 1 > BTF_MAX_NAME_OFFSET {
        return bad(
            20,
            "the string section is larger than string offsets can address (16 MiB)",
        );
    }
    if strings[strings.len() - 1] != 0 {
        return bad(end - 1, "the string section does not end with a NUL");
    }
    if !split && strings[0] != 0 {
        return bad(
            start,
            "the string section must start with the empty string (a NUL)",
        );
    }
    Ok(())
}
