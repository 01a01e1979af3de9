//! The ELF layer: header, section table, symbol table and relocations, read
//! once with goblin's structure decoders and indexed by ELF index.
//!
//! goblin's `Elf::parse` would also pre-parse every string table (refusing
//! non-UTF-8 names) and program/dynamic tables a relocatable BPF object never
//! has, so only its per-structure readers are used; strings are looked up on
//! demand, bounds-checked.

use super::error::ObjectError;
use super::section::{Section, SectionKind};
use super::symbol::{Relocation, RelocationSection, Symbol};
use crate::bytes::{c_str_at, Endian};
use goblin::container::{Container, Ctx};
use goblin::elf::header::{self, Header};
use goblin::elf::{RelocSection, SectionHeader, Symtab};

pub const EM_NONE: u16 = 0;
pub const EM_BPF: u16 = 247;

pub const SHT_NULL: u32 = 0;
pub const SHT_PROGBITS: u32 = 1;
pub const SHT_SYMTAB: u32 = 2;
pub const SHT_STRTAB: u32 = 3;
pub const SHT_NOBITS: u32 = 8;
pub const SHT_REL: u32 = 9;
pub const SHT_LLVM_ADDRSIG: u32 = 0x6fff_4c03;

pub const SHF_EXECINSTR: u64 = 0x4;
pub const SHF_COMPRESSED: u64 = 0x800;

pub const SHN_UNDEF: u32 = 0;
pub const SHN_LORESERVE: u32 = 0xff00;
const SHN_XINDEX: u32 = 0xffff;

/// `sizeof(Elf64_Sym)`.
pub const SYM_SIZE: u64 = 24;
/// `sizeof(Elf64_Rel)`.
pub const REL_SIZE: u64 = 16;

/// Everything read from the ELF structure, before any BPF meaning is given to it.
pub(crate) struct ElfParts<'a> {
    pub endian: Endian,
    pub machine: u16,
    pub sections: Vec<Section<'a>>,
    pub symbols: Vec<Symbol<'a>>,
    pub relocations: Vec<RelocationSection>,
    /// Problems that do not stop reading (duplicate symbol tables, bad REL sections).
    pub problems: Vec<ElfProblem>,
}

/// A structural problem the reader works around; turned into a finding by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ElfProblem {
    MultipleSymbolTables { index: u32 },
    BadRelocationSection { index: u32, reason: String },
}

pub(crate) fn read(data: &[u8]) -> Result<ElfParts<'_>, ObjectError> {
    let header = read_header(data)?;
    let endian = if header.e_ident[header::EI_DATA] == header::ELFDATA2MSB {
        Endian::Big
    } else {
        Endian::Little
    };
    let ctx = Ctx::new(
        Container::Big,
        match endian {
            Endian::Little => goblin::container::Endian::Little,
            Endian::Big => goblin::container::Endian::Big,
        },
    );
    let headers = read_section_headers(data, &header, ctx)?;
    let shstrndx = if u32::from(header.e_shstrndx) == SHN_XINDEX {
        headers.first().map_or(0, |h| h.sh_link as usize)
    } else {
        usize::from(header.e_shstrndx)
    };
    let shstrtab = match headers.get(shstrndx) {
        Some(h) if shstrndx != 0 => section_bytes(data, h, shstrndx as u32, "<shstrtab>")?,
        _ => {
            return Err(ObjectError::SectionNames {
                reason: format!(
                    "e_shstrndx {shstrndx} does not name one of the {} sections",
                    headers.len()
                ),
            })
        }
    };

    let mut sections = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let index = i as u32;
        let name = c_str_at(shstrtab, h.sh_name).ok_or_else(|| ObjectError::SectionNames {
            reason: format!(
                "section [{index}] name offset {} is outside the {}-byte string table",
                h.sh_name,
                shstrtab.len()
            ),
        })?;
        let name = text(name);
        let bytes = if h.sh_type == SHT_NOBITS || h.sh_type == SHT_NULL {
            &[][..]
        } else {
            section_bytes(data, h, index, &name)?
        };
        sections.push(Section::new(index, name, h, bytes));
    }

    let mut problems = Vec::new();
    let symtabs: Vec<u32> = sections
        .iter()
        .filter(|s| s.sh_type == SHT_SYMTAB)
        .map(|s| s.index)
        .collect();
    let Some(&symtab_index) = symtabs.first() else {
        return Err(ObjectError::NoSymbolTable);
    };
    for &extra in &symtabs[1..] {
        problems.push(ElfProblem::MultipleSymbolTables { index: extra });
    }
    let symbols = read_symbols(data, &sections, symtab_index, ctx)?;
    sections[symtab_index as usize].kind = SectionKind::SymbolTable;

    let relocations = read_relocations(data, &mut sections, symbols.len(), ctx, &mut problems);
    Ok(ElfParts {
        endian,
        machine: header.e_machine,
        sections,
        symbols,
        relocations,
        problems,
    })
}

/// A name from a string table: borrowed when it is UTF-8 (checked with the
/// fast validator; the lossy conversion is only for the rare invalid name).
pub(crate) fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn read_header(data: &[u8]) -> Result<Header, ObjectError> {
    if data.len() >= header::SIZEOF_IDENT
        && &data[..header::SELFMAG] == header::ELFMAG
        && data[header::EI_CLASS] == header::ELFCLASS32
    {
        return Err(ObjectError::Not64Bit);
    }
    let header = goblin::elf::Elf::parse_header(data).map_err(|e| ObjectError::NotElf {
        reason: e.to_string(),
    })?;
    if header.e_ident[header::EI_CLASS] != header::ELFCLASS64 {
        return Err(ObjectError::Not64Bit);
    }
    if header.e_type != header::ET_REL {
        return Err(ObjectError::NotRelocatable {
            e_type: header.e_type,
        });
    }
    // Old LLVM wrote EM_NONE; libbpf accepts both.
    if header.e_machine != EM_BPF && header.e_machine != EM_NONE {
        return Err(ObjectError::WrongMachine {
            machine: header.e_machine,
        });
    }
    Ok(header)
}

fn read_section_headers(
    data: &[u8],
    header: &Header,
    ctx: Ctx,
) -> Result<Vec<SectionHeader>, ObjectError> {
    let err = |reason: String| ObjectError::SectionHeaders { reason };
    if header.e_shoff == 0 {
        return Err(err("the object has no section header table".into()));
    }
    if header.e_shentsize != 64 {
        return Err(err(format!(
            "e_shentsize is {}, ELF64 section headers are 64 bytes",
            header.e_shentsize
        )));
    }
    let shoff = usize::try_from(header.e_shoff)
        .ok()
        .filter(|o| *o < data.len())
        .ok_or_else(|| {
            err(format!(
                "e_shoff {:#x} is past the end of the {}-byte file",
                header.e_shoff,
                data.len()
            ))
        })?;
    // goblin bounds the count by the file size (it reads the real count from
    // section 0 when e_shnum is 0), so a hostile count cannot allocate much.
    SectionHeader::parse(data, shoff, usize::from(header.e_shnum), ctx)
        .map_err(|e| err(e.to_string()))
}

fn section_bytes<'a>(
    data: &'a [u8],
    h: &SectionHeader,
    index: u32,
    name: &str,
) -> Result<&'a [u8], ObjectError> {
    let oob = || ObjectError::SectionOutOfBounds {
        index,
        name: name.to_string(),
        offset: h.sh_offset,
        size: h.sh_size,
        file_len: data.len(),
    };
    let start = usize::try_from(h.sh_offset).map_err(|_| oob())?;
    let len = usize::try_from(h.sh_size).map_err(|_| oob())?;
    let end = start.checked_add(len).ok_or_else(oob)?;
    data.get(start..end).ok_or_else(oob)
}

fn read_symbols<'a>(
    data: &'a [u8],
    sections: &[Section<'a>],
    symtab_index: u32,
    ctx: Ctx,
) -> Result<Vec<Symbol<'a>>, ObjectError> {
    let symtab = &sections[symtab_index as usize];
    let err = |reason: String| ObjectError::SymbolTable {
        index: symtab_index,
        reason,
    };
    if symtab.entsize != SYM_SIZE {
        return Err(err(format!(
            "sh_entsize is {}, Elf64_Sym is {SYM_SIZE} bytes",
            symtab.entsize
        )));
    }
    let strtab = match sections.get(symtab.link as usize) {
        Some(s) if symtab.link != 0 && s.sh_type == SHT_STRTAB => s.data(),
        _ => {
            return Err(err(format!(
                "sh_link {} does not name a string table (libbpf: \"symbol strings section missing or invalid\")",
                symtab.link
            )))
        }
    };
    let count = (symtab.size / SYM_SIZE) as usize;
    let table =
        Symtab::parse(data, symtab.offset as usize, count, ctx).map_err(|e| err(e.to_string()))?;
    let mut symbols = Vec::with_capacity(count);
    for (i, sym) in table.iter().enumerate() {
        let name = match c_str_at(strtab, sym.st_name) {
            Some(n) => text(n),
            None => {
                return Err(err(format!(
                    "symbol {i} name offset {} is outside the {}-byte string table",
                    sym.st_name,
                    strtab.len()
                )))
            }
        };
        symbols.push(Symbol::from_elf(i as u32, name, &sym));
    }
    Ok(symbols)
}

fn read_relocations(
    data: &[u8],
    sections: &mut [Section<'_>],
    symbol_count: usize,
    ctx: Ctx,
    problems: &mut Vec<ElfProblem>,
) -> Vec<RelocationSection> {
    let mut out = Vec::new();
    let section_count = sections.len() as u32;
    let wanted: Vec<bool> = sections
        .iter()
        .map(|s| {
            matches!(
                s.kind,
                SectionKind::Program | SectionKind::BtfMaps | SectionKind::StructOps { .. }
            )
        })
        .collect();
    for s in sections.iter_mut() {
        if s.sh_type != SHT_REL {
            continue;
        }
        let index = s.index;
        let mut bad = |reason: String| {
            problems.push(ElfProblem::BadRelocationSection { index, reason });
        };
        if s.entsize != REL_SIZE {
            bad(format!(
                "sh_entsize is {}, Elf64_Rel is {REL_SIZE} bytes",
                s.entsize
            ));
            continue;
        }
        if s.info == 0 || s.info >= section_count {
            bad(format!("sh_info {} does not name a section", s.info));
            continue;
        }
        s.kind = SectionKind::Relocations { target: s.info };
        // Only code, .maps and struct_ops relocations mean anything to a
        // loader; DWARF and .BTF.ext ones (often thousands) are not read.
        if !wanted[s.info as usize] {
            continue;
        }
        let Ok(table) = RelocSection::parse(data, s.offset as usize, s.size as usize, false, ctx)
        else {
            bad("entries outside the file".into());
            continue;
        };
        let mut entries = Vec::with_capacity(table.len());
        for (i, r) in table.iter().enumerate() {
            if r.r_sym >= symbol_count {
                bad(format!(
                    "relocation #{i} names symbol {} but the symbol table has {symbol_count}",
                    r.r_sym
                ));
                entries.clear();
                break;
            }
            entries.push(Relocation {
                offset: r.r_offset,
                symbol: r.r_sym as u32,
                r_type: r.r_type,
            });
        }
        out.push(RelocationSection {
            section: index,
            target: s.info,
            entries,
        });
    }
    out
}
