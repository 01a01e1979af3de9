//! The DWARF sections of an ELF object, made ready for gimli: inflated when
//! compressed (`SHF_COMPRESSED`, zlib) and with their relocations applied.
//!
//! A relocatable host object keeps offsets into `.debug_str`, `.debug_abbrev`
//! and the like only in its relocations (x86-64 and arm64 use RELA with the
//! whole value in the addend), so reading `.debug_info` as stored would put
//! every name at offset 0. BPF objects use REL with the value in place.

use super::error::DwarfError;
use goblin::elf::section_header::{SHF_COMPRESSED, SHT_NOBITS, SHT_REL, SHT_RELA};
use goblin::elf::Elf;
use std::borrow::Cow;
use std::io::Read;

/// The most an inflated section may grow to: far past any real debug
/// section, and a bound on what a hostile header can make us allocate.
const MAX_INFLATED: u64 = 1 << 32;

/// The sections the DWARF reader uses (gimli reads `.debug_line` for each
/// unit's line program header, and the `str`/`addr`/ranges sections for
/// attribute forms). Others (`.debug_aranges`, `.debug_frame`, ...) are
/// not read, so their relocations cannot fail a conversion.
const READ: &[&str] = &[
    ".debug_info",
    ".debug_abbrev",
    ".debug_str",
    ".debug_line_str",
    ".debug_str_offsets",
    ".debug_addr",
    ".debug_line",
    ".debug_types",
    ".debug_ranges",
    ".debug_rnglists",
    ".debug_loc",
    ".debug_loclists",
];

/// `.debug_*` sections by name, borrowed where nothing had to change.
#[derive(Debug, Default)]
pub struct DwarfSections<'a> {
    sections: Vec<(String, Cow<'a, [u8]>)>,
    /// The object's byte order.
    pub little_endian: bool,
}

impl<'a> DwarfSections<'a> {
    /// Reads the `.debug_*` sections of the ELF object `data`.
    pub fn load(data: &'a [u8]) -> Result<DwarfSections<'a>, DwarfError> {
        let elf = Elf::parse(data).map_err(|e| DwarfError::Elf(e.to_string()))?;
        let mut out = DwarfSections {
            sections: Vec::new(),
            little_endian: elf.little_endian,
        };
        // The relocation sections of each section, in one pass.
        let mut relocations: Vec<(usize, usize)> = elf
            .section_headers
            .iter()
            .enumerate()
            .filter(|(_, rel)| rel.sh_type == SHT_RELA || rel.sh_type == SHT_REL)
            .map(|(i, rel)| (rel.sh_info as usize, i))
            .collect();
        relocations.sort_unstable();
        for (index, shdr) in elf.section_headers.iter().enumerate() {
            let name = elf.shdr_strtab.get_at(shdr.sh_name).unwrap_or("");
            // Only what the reader uses, and only the first of a name (the
            // one `get` finds): every copy made below is then one of a
            // dozen sections, however many headers a hostile file has.
            if !READ.contains(&name)
                || shdr.sh_type == SHT_NOBITS
                || out.sections.iter().any(|(n, _)| n == name)
            {
                continue;
            }
            let raw = section_bytes(data, name, shdr.sh_offset, shdr.sh_size)?;
            let mut bytes: Cow<'a, [u8]> = if shdr.sh_flags & u64::from(SHF_COMPRESSED) != 0 {
                Cow::Owned(inflate(name, raw, elf.is_64, elf.little_endian)?)
            } else {
                Cow::Borrowed(raw)
            };
            let first = relocations.partition_point(|(target, _)| *target < index);
            for &(target, rel) in &relocations[first..] {
                if target != index {
                    break;
                }
                let rel = &elf.section_headers[rel];
                if rel.sh_size != 0 {
                    apply_relocations(&elf, data, rel, name, bytes.to_mut())?;
                }
            }
            out.sections.push((name.to_string(), bytes));
        }
        Ok(out)
    }

    /// The contents of section `name`, empty when absent.
    pub fn get(&self, name: &str) -> &[u8] {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, b)| b.as_ref())
    }
}

fn section_bytes<'a>(
    data: &'a [u8],
    name: &str,
    offset: u64,
    size: u64,
) -> Result<&'a [u8], DwarfError> {
    offset
        .checked_add(size)
        .filter(|end| *end <= data.len() as u64)
        .map(|end| &data[offset as usize..end as usize])
        .ok_or_else(|| DwarfError::SectionOutOfBounds {
            section: name.to_string(),
            offset,
            size,
            file_len: data.len(),
        })
}

/// Inflates an `SHF_COMPRESSED` section: an `Elf{32,64}_Chdr`, then zlib.
fn inflate(name: &str, raw: &[u8], is_64: bool, little: bool) -> Result<Vec<u8>, DwarfError> {
    let word = |at: usize, len: usize| -> Option<u64> {
        let b = raw.get(at..at + len)?;
        let mut v = 0u64;
        for i in 0..len {
            let byte = if little { b[len - 1 - i] } else { b[i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    };
    let (kind, size, header_len) = if is_64 {
        (word(0, 4), word(8, 8), 24)
    } else {
        (word(0, 4), word(4, 4), 12)
    };
    let bad = |msg: &str| DwarfError::BadCompression {
        section: name.to_string(),
        size: size.unwrap_or(0),
        msg: msg.to_string(),
    };
    let (Some(kind), Some(size)) = (kind, size) else {
        return Err(bad("the compression header is cut short"));
    };
    if kind != 1 {
        return Err(DwarfError::UnsupportedCompression {
            section: name.to_string(),
            kind: kind as u32,
        });
    }
    if size > MAX_INFLATED {
        return Err(bad("the inflated size is beyond 4 GiB"));
    }
    let mut out = Vec::with_capacity(size.min(64 << 20) as usize);
    flate2::read::ZlibDecoder::new(&raw[header_len.min(raw.len())..])
        .take(size + 1)
        .read_to_end(&mut out)
        .map_err(|e| bad(&e.to_string()))?;
    if out.len() as u64 != size {
        return Err(bad(&format!("inflated to {} bytes", out.len())));
    }
    Ok(out)
}

/// Where a relocation type writes, and how wide: only the absolute 32- and
/// 64-bit types that debug sections use.
fn reloc_width(machine: u16, r_type: u32) -> Option<usize> {
    use goblin::elf::header::{EM_AARCH64, EM_BPF, EM_X86_64};
    match (machine, r_type) {
        (EM_X86_64, 10 | 11) => Some(4), // R_X86_64_32, R_X86_64_32S
        (EM_X86_64, 1) => Some(8),       // R_X86_64_64
        (EM_AARCH64, 258) => Some(4),    // R_AARCH64_ABS32
        (EM_AARCH64, 257) => Some(8),    // R_AARCH64_ABS64
        (EM_BPF, 3 | 4) => Some(4),      // R_BPF_64_ABS32, R_BPF_64_NODYLD32
        (EM_BPF, 2) => Some(8),          // R_BPF_64_ABS64
        (_, 0) => None,                  // R_*_NONE
        _ => Some(0),
    }
}

fn apply_relocations(
    elf: &Elf<'_>,
    data: &[u8],
    rel: &goblin::elf::SectionHeader,
    target: &str,
    bytes: &mut [u8],
) -> Result<(), DwarfError> {
    let rela = rel.sh_type == SHT_RELA;
    let entsize: u64 = match (elf.is_64, rela) {
        (true, true) => 24,
        (true, false) => 16,
        (false, true) => 12,
        (false, false) => 8,
    };
    let name = format!(".rel{}{}", if rela { "a" } else { "" }, target);
    let table = section_bytes(data, &name, rel.sh_offset, rel.sh_size)?;
    let little = elf.little_endian;
    let read = |b: &[u8]| -> u64 {
        let mut v = 0u64;
        for i in 0..b.len() {
            let byte = if little { b[b.len() - 1 - i] } else { b[i] };
            v = (v << 8) | u64::from(byte);
        }
        v
    };
    for (index, entry) in table.chunks_exact(entsize as usize).enumerate() {
        let bad = |msg: String| DwarfError::BadRelocation {
            section: name.clone(),
            index,
            msg,
        };
        let (offset, info, addend) = if elf.is_64 {
            (
                read(&entry[0..8]),
                read(&entry[8..16]),
                rela.then(|| read(&entry[16..24]) as i64),
            )
        } else {
            (
                read(&entry[0..4]),
                read(&entry[4..8]),
                rela.then(|| read(&entry[8..12]) as u32 as i32 as i64),
            )
        };
        let (sym, r_type) = if elf.is_64 {
            (info >> 32, (info & 0xffff_ffff) as u32)
        } else {
            (info >> 8, (info & 0xff) as u32)
        };
        let width = match reloc_width(elf.header.e_machine, r_type) {
            None => continue,
            Some(0) => return Err(bad(format!("relocation type {r_type} in a debug section"))),
            Some(w) => w,
        };
        let at = usize::try_from(offset)
            .ok()
            .filter(|at| at.checked_add(width).is_some_and(|end| end <= bytes.len()))
            .ok_or_else(|| bad(format!("offset {offset:#x} lies outside the section")))?;
        let symbol_value = if sym == 0 {
            0
        } else {
            elf.syms
                .get(sym as usize)
                .ok_or_else(|| bad(format!("symbol index {sym} is out of range")))?
                .st_value
        };
        let place = &mut bytes[at..at + width];
        let addend = addend.unwrap_or_else(|| read(place) as i64);
        let value = symbol_value.wrapping_add(addend as u64);
        for (i, byte) in place.iter_mut().enumerate() {
            let shift = 8 * if little { i } else { width - 1 - i };
            *byte = (value >> shift) as u8;
        }
    }
    Ok(())
}
