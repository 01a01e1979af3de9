//! A minimal ELF64 relocatable-object assembler on goblin's record types,
//! written with scroll in the object's byte order.
//!
//! Layout: the 64-byte header, each section's bytes in section order
//! (aligned to its `sh_addralign`), then the section header table. One
//! string table (`.strtab`) holds both section and symbol names, as clang
//! and LLVM's integrated assembler write BPF objects.

use goblin::elf::header::{EI_CLASS, EI_DATA, EI_VERSION, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB};
use goblin::elf::header::{ELFMAG, EM_BPF, ET_REL, EV_CURRENT, SELFMAG};
use goblin::elf64::header::{Header, SIZEOF_EHDR};
use goblin::elf64::reloc::{Rel, SIZEOF_REL};
use goblin::elf64::section_header::{SectionHeader, SIZEOF_SHDR};
use goblin::elf64::sym::{Sym, SIZEOF_SYM};
use scroll::Pwrite;

use super::error::WriteError;
use crate::bytes::Endian;

/// One section after the NULL section; its index is its position + 1.
pub(super) struct Section {
    pub name: u32,
    pub sh_type: u32,
    pub flags: u64,
    pub align: u64,
    pub entsize: u64,
    pub link: u32,
    pub info: u32,
    pub data: Vec<u8>,
}

/// A deduplicated, NUL-separated string table starting with "\0"; strings
/// keep the order of their first addition, so output is deterministic.
pub(super) struct StringTable {
    bytes: Vec<u8>,
    offsets: std::collections::HashMap<String, u32>,
}

impl StringTable {
    pub fn new() -> StringTable {
        StringTable {
            bytes: vec![0],
            offsets: Default::default(),
        }
    }

    pub fn add(&mut self, s: &str) -> Result<u32, WriteError> {
        if s.is_empty() {
            return Ok(0);
        }
        if let Some(&off) = self.offsets.get(s) {
            return Ok(off);
        }
        let off = u32::try_from(self.bytes.len()).map_err(|_| WriteError::TooLarge {
            what: "the ELF string table",
            len: self.bytes.len() as u64,
        })?;
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
        self.offsets.insert(s.to_string(), off);
        Ok(off)
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

fn scroll_endian(e: Endian) -> scroll::Endian {
    match e {
        Endian::Little => scroll::Endian::Little,
        Endian::Big => scroll::Endian::Big,
    }
}

fn elf_err(what: &'static str) -> impl Fn(scroll::Error) -> WriteError {
    move |e| WriteError::Elf {
        what,
        message: e.to_string(),
    }
}

/// `.symtab` bytes: the NULL symbol, then `syms`.
pub(super) fn symtab_bytes(syms: &[Sym], endian: Endian) -> Result<Vec<u8>, WriteError> {
    let mut out = vec![0u8; SIZEOF_SYM * (syms.len() + 1)];
    let e = scroll_endian(endian);
    for (i, s) in syms.iter().enumerate() {
        out.pwrite_with(*s, SIZEOF_SYM * (i + 1), e)
            .map_err(elf_err("symbol"))?;
    }
    Ok(out)
}

/// `SHT_REL` bytes (BPF objects carry no addends: the addend is the
/// zeroed slot itself).
pub(super) fn rel_bytes(rels: &[Rel], endian: Endian) -> Result<Vec<u8>, WriteError> {
    let mut out = vec![0u8; SIZEOF_REL * rels.len()];
    let e = scroll_endian(endian);
    for (i, r) in rels.iter().enumerate() {
        out.pwrite_with(r.clone(), SIZEOF_REL * i, e)
            .map_err(elf_err("relocation"))?;
    }
    Ok(out)
}

/// `len` zero bytes, or an error instead of an allocation failure (a plan
/// may ask for a definition struct of up to 4 GiB).
pub(super) fn zeroed(len: usize) -> Result<Vec<u8>, WriteError> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| too_large(len as u64))?;
    v.resize(len, 0);
    Ok(v)
}

fn too_large(len: u64) -> WriteError {
    WriteError::TooLarge {
        what: "the ELF file",
        len,
    }
}

/// Lays out header, section bytes and section headers. `shstrndx` is the
/// index of the section holding section names.
pub(super) fn assemble(
    sections: &[Section],
    shstrndx: u16,
    endian: Endian,
) -> Result<Vec<u8>, WriteError> {
    let shnum = u16::try_from(sections.len() + 1).map_err(|_| WriteError::TooLarge {
        what: "the section count",
        len: sections.len() as u64 + 1,
    })?;
    let mut offsets = Vec::with_capacity(sections.len());
    let mut end = SIZEOF_EHDR as u64;
    for s in sections {
        let start = end.next_multiple_of(s.align.max(1));
        offsets.push(start);
        end = start
            .checked_add(s.data.len() as u64)
            .ok_or(too_large(u64::MAX))?;
    }
    let shoff = end.next_multiple_of(8);
    let total = shoff + (SIZEOF_SHDR as u64) * u64::from(shnum);
    let total_usize = usize::try_from(total).map_err(|_| too_large(total))?;
    let mut out = zeroed(total_usize)?;

    let mut e_ident = [0u8; 16];
    e_ident[..SELFMAG].copy_from_slice(ELFMAG);
    e_ident[EI_CLASS] = ELFCLASS64;
    e_ident[EI_DATA] = match endian {
        Endian::Little => ELFDATA2LSB,
        Endian::Big => ELFDATA2MSB,
    };
    e_ident[EI_VERSION] = EV_CURRENT;
    let header = Header {
        e_ident,
        e_type: ET_REL,
        e_machine: EM_BPF,
        e_version: u32::from(EV_CURRENT),
        e_entry: 0,
        e_phoff: 0,
        e_shoff: shoff,
        e_flags: 0,
        e_ehsize: SIZEOF_EHDR as u16,
        e_phentsize: 0,
        e_phnum: 0,
        e_shentsize: SIZEOF_SHDR as u16,
        e_shnum: shnum,
        e_shstrndx: shstrndx,
    };
    let e = scroll_endian(endian);
    // goblin writes the header in the byte order its e_ident names.
    out.pwrite_with(header, 0, e)
        .map_err(|err| WriteError::Elf {
            what: "header",
            message: err.to_string(),
        })?;
    for (s, &off) in sections.iter().zip(&offsets) {
        let at = off as usize; // < total, which fits usize
        out[at..at + s.data.len()].copy_from_slice(&s.data);
    }
    // Section header 0 stays all zeroes (SHN_UNDEF).
    for (i, (s, &off)) in sections.iter().zip(&offsets).enumerate() {
        let sh = SectionHeader {
            sh_name: s.name,
            sh_type: s.sh_type,
            sh_flags: s.flags,
            sh_addr: 0,
            sh_offset: off,
            sh_size: s.data.len() as u64,
            sh_link: s.link,
            sh_info: s.info,
            sh_addralign: s.align,
            sh_entsize: s.entsize,
        };
        out.pwrite_with(sh, shoff as usize + SIZEOF_SHDR * (i + 1), e)
            .map_err(elf_err("section header"))?;
    }
    Ok(out)
}
