//! Finding the `.BTF` and `.BTF.ext` sections of an ELF object.
//!
//! Only the ELF header, the section headers and the section-name table are
//! read: a file whose symbols or relocations are broken still yields its BTF,
//! the way `bpftool btf dump file` does. The full object reader lives in
//! `crate::object`.

use crate::bytes::{c_str_at, Endian};
use goblin::container::{Container, Ctx};
use goblin::elf::header::{self, Header as ElfHeader};
use goblin::elf::section_header::{self, SectionHeader};
use thiserror::Error;

/// Name of the section holding the BTF types and strings.
pub const BTF_SECTION: &str = ".BTF";
/// Name of the section holding func_info, line_info and CO-RE relocations.
pub const BTF_EXT_SECTION: &str = ".BTF.ext";

/// What a file holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// A bare BTF blob (magic 0xeb9f in either byte order), like
    /// `/sys/kernel/btf/vmlinux`.
    RawBtf,
    /// An ELF file (`\x7fELF`), expected to carry a `.BTF` section.
    Elf,
    /// Neither.
    Unknown,
}

/// Tells raw BTF from ELF by magic, the way bpftool decides how to open a file.
pub fn detect_format(data: &[u8]) -> InputFormat {
    match data {
        [0x9f, 0xeb, ..] | [0xeb, 0x9f, ..] => InputFormat::RawBtf,
        [0x7f, b'E', b'L', b'F', ..] => InputFormat::Elf,
        _ => InputFormat::Unknown,
    }
}

/// Why the BTF sections of an ELF file could not be found.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ElfBtfError {
    #[error("not an ELF file (magic {found:02x?}, expected [7f, 45, 4c, 46])")]
    NotElf { found: Vec<u8> },

    #[error("malformed ELF {what}: {msg}")]
    Malformed { what: &'static str, msg: String },

    #[error("ELF has no {BTF_SECTION} section")]
    NoBtfSection,

    #[error("ELF section {name} (index {index}) [{offset:#x}, +{size:#x}) lies outside the {file_len}-byte file")]
    SectionOutOfBounds {
        name: &'static str,
        index: usize,
        offset: u64,
        size: u64,
        file_len: usize,
    },

    #[error("ELF section {name} (index {index}) is SHT_NOBITS: it has no contents in the file")]
    NoBits { name: &'static str, index: usize },

    #[error(
        "ELF section {name} (index {index}) is compressed (SHF_COMPRESSED), which is not supported"
    )]
    Compressed { name: &'static str, index: usize },
}

/// One section's contents, with where it sits in the file (for diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfSection<'a> {
    pub name: &'static str,
    /// Section header index.
    pub index: usize,
    /// Offset of the contents in the file.
    pub file_offset: u64,
    pub data: &'a [u8],
}

/// The BTF-carrying sections of an ELF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfBtf<'a> {
    /// Byte order of the ELF file (the BTF inside normally matches it).
    pub endian: Endian,
    pub is_64: bool,
    pub btf: ElfSection<'a>,
    pub btf_ext: Option<ElfSection<'a>>,
}

/// Finds `.BTF` (required) and `.BTF.ext` (optional) in an ELF file of either
/// byte order and class. Every offset is checked against the file length.
pub fn btf_sections(data: &[u8]) -> Result<ElfBtf<'_>, ElfBtfError> {
    if detect_format(data) != InputFormat::Elf {
        return Err(ElfBtfError::NotElf {
            found: data.iter().take(4).copied().collect(),
        });
    }
    let hdr = goblin::elf::Elf::parse_header(data).map_err(|e| malformed("header", e))?;
    let ctx = elf_ctx(&hdr)?;
    let shdrs = SectionHeader::parse(data, hdr.e_shoff as usize, usize::from(hdr.e_shnum), ctx)
        .map_err(|e| malformed("section header table", e))?;
    let names = section_names(data, &hdr, &shdrs)?;

    let find = |wanted: &'static str| -> Result<Option<ElfSection<'_>>, ElfBtfError> {
        let found = shdrs
            .iter()
            .enumerate()
            .find(|(_, sh)| c_str_at(names, sh.sh_name) == Some(wanted.as_bytes()));
        match found {
            Some((index, sh)) => section_contents(data, wanted, index, sh).map(Some),
            None => Ok(None),
        }
    };

    let btf = find(BTF_SECTION)?.ok_or(ElfBtfError::NoBtfSection)?;
    let btf_ext = find(BTF_EXT_SECTION)?;
    Ok(ElfBtf {
        endian: if ctx.is_little_endian() {
            Endian::Little
        } else {
            Endian::Big
        },
        is_64: ctx.container.is_big(),
        btf,
        btf_ext,
    })
}

fn malformed(what: &'static str, e: goblin::error::Error) -> ElfBtfError {
    ElfBtfError::Malformed {
        what,
        msg: e.to_string(),
    }
}

/// Class and byte order from `e_ident`; goblin reads everything else with it.
fn elf_ctx(hdr: &ElfHeader) -> Result<Ctx, ElfBtfError> {
    let container = match hdr.e_ident[header::EI_CLASS] {
        header::ELFCLASS64 => Container::Big,
        header::ELFCLASS32 => Container::Little,
        c => {
            return Err(ElfBtfError::Malformed {
                what: "header",
                msg: format!("unknown ELF class {c}"),
            })
        }
    };
    let endian = match hdr.e_ident[header::EI_DATA] {
        header::ELFDATA2LSB => goblin::container::Endian::Little,
        header::ELFDATA2MSB => goblin::container::Endian::Big,
        d => {
            return Err(ElfBtfError::Malformed {
                what: "header",
                msg: format!("unknown ELF data encoding {d}"),
            })
        }
    };
    Ok(Ctx::new(container, endian))
}

/// The section-name string table (`e_shstrndx`, or the extended index kept in
/// section 0's `sh_link` when it does not fit in 16 bits).
fn section_names<'a>(
    data: &'a [u8],
    hdr: &ElfHeader,
    shdrs: &[SectionHeader],
) -> Result<&'a [u8], ElfBtfError> {
    let mut index = usize::from(hdr.e_shstrndx);
    if index == section_header::SHN_XINDEX as usize {
        index = shdrs.first().map_or(0, |sh| sh.sh_link as usize);
    }
    match shdrs.get(index) {
        // Index 0 is the null section: no names at all, so no .BTF either.
        Some(sh) if index != 0 => {
            section_contents(data, "section name table", index, sh).map(|s| s.data)
        }
        _ => Ok(&[]),
    }
}

fn section_contents<'a>(
    data: &'a [u8],
    name: &'static str,
    index: usize,
    sh: &SectionHeader,
) -> Result<ElfSection<'a>, ElfBtfError> {
    if sh.sh_type == section_header::SHT_NOBITS {
        return Err(ElfBtfError::NoBits { name, index });
    }
    if sh.sh_flags & u64::from(section_header::SHF_COMPRESSED) != 0 {
        return Err(ElfBtfError::Compressed { name, index });
    }
    let out_of_bounds = || ElfBtfError::SectionOutOfBounds {
        name,
        index,
        offset: sh.sh_offset,
        size: sh.sh_size,
        file_len: data.len(),
    };
    let start = usize::try_from(sh.sh_offset).map_err(|_| out_of_bounds())?;
    let len = usize::try_from(sh.sh_size).map_err(|_| out_of_bounds())?;
    let end = start.checked_add(len).ok_or_else(out_of_bounds)?;
    let bytes = data.get(start..end).ok_or_else(out_of_bounds)?;
    Ok(ElfSection {
        name,
        index,
        file_offset: sh.sh_offset,
        data: bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal 64-bit ELF: header, a name table, one `.BTF` section.
    fn tiny_elf(endian: Endian, btf_offset: u64, btf_size: u64) -> Vec<u8> {
        let names = b"\0.shstrtab\0.BTF\0";
        let mut f = vec![0u8; 64];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2; // ELFCLASS64
        f[5] = if endian == Endian::Little { 1 } else { 2 };
        f[6] = 1; // EV_CURRENT
        let names_off = f.len() as u64;
        f.extend_from_slice(names);
        let btf_data = [0xaa_u8; 8];
        let data_off = f.len() as u64;
        f.extend_from_slice(&btf_data);
        while f.len() % 8 != 0 {
            f.push(0);
        }
        let shoff = f.len() as u64;
        let put16 = |f: &mut Vec<u8>, at: usize, v: u16| {
            f[at..at + 2].copy_from_slice(&endian.u16_bytes(v));
        };
        put16(&mut f, 16, 1); // ET_REL
        put16(&mut f, 18, 247); // EM_BPF
        f[40..48].copy_from_slice(&endian.u64_bytes(shoff));
        put16(&mut f, 52, 64); // e_ehsize
        put16(&mut f, 58, 64); // e_shentsize
        put16(&mut f, 60, 3); // e_shnum
        put16(&mut f, 62, 1); // e_shstrndx
        let shdr = |name: u32, ty: u32, off: u64, size: u64| {
            let mut s = Vec::with_capacity(64);
            s.extend_from_slice(&endian.u32_bytes(name));
            s.extend_from_slice(&endian.u32_bytes(ty));
            s.extend_from_slice(&[0; 16]); // flags, addr
            s.extend_from_slice(&endian.u64_bytes(off));
            s.extend_from_slice(&endian.u64_bytes(size));
            s.extend_from_slice(&[0; 24]); // link, info, align, entsize
            s
        };
        f.extend(shdr(0, 0, 0, 0));
        f.extend(shdr(1, 3, names_off, names.len() as u64));
        let off = if btf_offset == u64::MAX {
            data_off
        } else {
            btf_offset
        };
        f.extend(shdr(11, 1, off, btf_size));
        f
    }

    #[test]
    fn detects_by_magic() {
        assert_eq!(detect_format(&[0x9f, 0xeb, 1, 0]), InputFormat::RawBtf);
        assert_eq!(detect_format(&[0xeb, 0x9f, 1, 0]), InputFormat::RawBtf);
        assert_eq!(detect_format(b"\x7fELF\x02"), InputFormat::Elf);
        assert_eq!(detect_format(b"\x7fEL"), InputFormat::Unknown);
        assert_eq!(detect_format(b""), InputFormat::Unknown);
    }

    #[test]
    fn finds_btf_in_both_byte_orders() {
        for endian in [Endian::Little, Endian::Big] {
            let f = tiny_elf(endian, u64::MAX, 8);
            let found = btf_sections(&f).unwrap();
            assert_eq!(found.endian, endian);
            assert!(found.is_64);
            assert_eq!(found.btf.data, &[0xaa; 8]);
            assert_eq!(found.btf.index, 2);
            assert_eq!(found.btf_ext, None);
        }
    }

    #[test]
    fn section_past_the_end_is_an_error() {
        let f = tiny_elf(Endian::Little, 0x10_0000, 8);
        assert!(matches!(
            btf_sections(&f),
            Err(ElfBtfError::SectionOutOfBounds {
                name: ".BTF",
                index: 2,
                ..
            })
        ));
        let f = tiny_elf(Endian::Little, 64, u64::MAX);
        assert!(matches!(
            btf_sections(&f),
            Err(ElfBtfError::SectionOutOfBounds { .. })
        ));
    }

    #[test]
    fn truncated_elf_is_an_error_not_a_panic() {
        let f = tiny_elf(Endian::Big, u64::MAX, 8);
        for cut in [4, 20, 63, 64, f.len() - 1] {
            assert!(btf_sections(&f[..cut]).is_err(), "cut at {cut}");
        }
        assert!(matches!(
            btf_sections(b"nope"),
            Err(ElfBtfError::NotElf { .. })
        ));
    }
}
