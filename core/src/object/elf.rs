//! The ELF layer: header, section table, symbol table and relocations, read
//! once and indexed by ELF index.
//!
//! goblin checks and decodes the ELF header. The three tables are arrays of
//! fixed-size records (64-byte section headers, 24-byte symbols, 16-byte
//! relocations), decoded here straight from the file's bytes once each
//! table's extent is bounds-checked: goblin's table readers would first copy
//! every record into a vector of their own, which costs more than the whole
//! rest of reading a small object. `Elf::parse` would also pre-parse every
//! string table (refusing non-UTF-8 names) and program/dynamic tables a
//! relocatable BPF object never has. Strings are looked up on demand,
//! bounds-checked.

use super::error::ObjectError;
use super::section::{Section, SectionKind};
use super::symbol::{Relocation, RelocationSection, Symbol, SymbolName, Tail};
use crate::bytes::Endian;
use goblin::elf::header::{self, Header};
use std::borrow::Cow;

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
    let table = section_header_table(data, &header, endian)?;
    let records = || records::<SHDR_SIZE>(table);
    let header_at = |i: usize| records().nth(i).map(|r| SectionHeader::decode(r, endian));
    let count = table.len() / SHDR_SIZE;
    let shstrndx = if u32::from(header.e_shstrndx) == SHN_XINDEX {
        header_at(0).map_or(0, |h| h.link as usize)
    } else {
        usize::from(header.e_shstrndx)
    };
    let shstrtab = match header_at(shstrndx) {
        Some(h) if shstrndx != 0 => section_bytes(data, &h, shstrndx as u32, "<shstrtab>")?,
        _ => {
            return Err(ObjectError::SectionNames {
                reason: format!("e_shstrndx {shstrndx} does not name one of the {count} sections"),
            })
        }
    };
    let shstrtab = StringTable::new(shstrtab);

    let mut sections = Vec::with_capacity(count);
    for (i, r) in records().enumerate() {
        let h = SectionHeader::decode(r, endian);
        let index = i as u32;
        let name = shstrtab
            .name(h.name)
            .ok_or_else(|| ObjectError::SectionNames {
                reason: format!(
                    "section [{index}] name offset {} is outside the {}-byte string table",
                    h.name,
                    shstrtab.len()
                ),
            })?;
        let bytes = if h.sh_type == SHT_NOBITS || h.sh_type == SHT_NULL {
            &[][..]
        } else {
            section_bytes(data, &h, index, &name)?
        };
        sections.push(Section::new(index, name, &h, bytes));
    }

    let mut problems = Vec::new();
    let mut symtabs = sections
        .iter()
        .filter(|s| s.sh_type == SHT_SYMTAB)
        .map(|s| s.index);
    let Some(symtab_index) = symtabs.next() else {
        return Err(ObjectError::NoSymbolTable);
    };
    problems.extend(symtabs.map(|index| ElfProblem::MultipleSymbolTables { index }));
    let symbols = read_symbols(&sections, symtab_index, (shstrndx, &shstrtab), endian)?;
    sections[symtab_index as usize].kind = SectionKind::SymbolTable;

    let relocations = read_relocations(&mut sections, symbols.len(), endian, &mut problems);
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
pub(crate) fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A string table whose names are handed out as text.
///
/// The table is UTF-8-checked once as a whole, which is far cheaper than
/// checking each of its names on its own; a name of a valid table is then
/// a slice of it (the NUL ending a name is always a character boundary, and
/// `str::get` refuses a start inside a character). Names of an invalid table,
/// or starting inside a character, go through [`text`] one by one, so every
/// name reads exactly as if checked alone.
#[derive(Clone)]
pub(crate) struct StringTable<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> StringTable<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> StringTable<'a> {
        StringTable {
            bytes,
            text: std::str::from_utf8(bytes).ok(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The table from `start` on: text when the table is UTF-8 and `start`
    /// is a character boundary (a name starting inside a character is
    /// read on its own, as [`StringTable::name`] does).
    fn tail(&self, start: usize) -> Option<Tail<'a>> {
        match self.text.and_then(|t| t.get(start..)) {
            Some(s) => Some(Tail::Text(s)),
            None => self.bytes.get(start..).map(Tail::Bytes),
        }
    }

    /// The NUL-terminated name at `offset`; `None` when `offset` is outside
    /// the table or no NUL follows it.
    #[inline]
    pub(crate) fn name(&self, offset: u32) -> Option<Cow<'a, str>> {
        let start = usize::try_from(offset).ok()?;
        let tail = self.bytes.get(start..)?;
        let bytes = &tail[..nul_position(tail)?];
        Some(
            match self.text.and_then(|t| t.get(start..start + bytes.len())) {
                Some(s) => Cow::Borrowed(s),
                None => text(bytes),
            },
        )
    }
}

/// Where the first NUL byte is, looking at eight bytes at a time: names are
/// short, and a byte-by-byte search was a tenth of the time to read an
/// object.
pub(crate) fn nul_position(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut before = 0;
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let v = u64::from_le_bytes(word);
        // The lowest set bit marks the first zero byte: a borrow only
        // carries upwards, from a zero byte into the bytes after it.
        let zeros = v.wrapping_sub(ONES) & !v & HIGHS;
        if zeros != 0 {
            return Some(before + (zeros.trailing_zeros() / 8) as usize);
        }
        before += 8;
    }
    let rest = words.remainder().iter().position(|&b| b == 0)?;
    Some(before + rest)
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

/// `sizeof(Elf64_Shdr)`.
const SHDR_SIZE: usize = 64;

/// One `Elf64_Shdr` (`sh_addr` left out: relocatable objects have none).
pub(crate) struct SectionHeader {
    pub name: u32,
    pub sh_type: u32,
    pub flags: u64,
    pub offset: u64,
    pub size: u64,
    pub link: u32,
    pub info: u32,
    pub addralign: u64,
    pub entsize: u64,
}

impl SectionHeader {
    /// Decodes a 64-byte record. Always inlined: returned through memory,
    /// the header was read back in pieces that stalled on its stores.
    #[inline(always)]
    fn decode(r: &[u8; SHDR_SIZE], e: Endian) -> SectionHeader {
        let f = Fields(r, e);
        SectionHeader {
            name: f.u32(0),
            sh_type: f.u32(4),
            flags: f.u64(8),
            offset: f.u64(24),
            size: f.u64(32),
            link: f.u32(40),
            info: f.u32(44),
            addralign: f.u64(48),
            entsize: f.u64(56),
        }
    }
}

/// Where an ELF64 object's last byte of use ends: its header, its section
/// header table, and the contents of every section that has contents in
/// the file. `None` when `data` does not hold the header and the whole
/// table (or is not ELF64), so the end cannot be known from it.
///
/// Reading stops at this end once a short read suggests the file is over
/// ([`super::FileBuffer`]): every byte the reader looks at lies before it,
/// so any bytes after it cannot change what is read.
pub(crate) fn contents_end(data: &[u8]) -> Option<u64> {
    let ident: &[u8; 64] = data.get(..64)?.try_into().ok()?;
    if &ident[..header::SELFMAG] != header::ELFMAG || ident[header::EI_CLASS] != header::ELFCLASS64
    {
        return None;
    }
    let endian = match ident[header::EI_DATA] {
        header::ELFDATA2LSB => Endian::Little,
        header::ELFDATA2MSB => Endian::Big,
        _ => return None,
    };
    let f = Fields(ident, endian);
    let (shoff, shentsize, shnum) = (f.u64(0x28), f.u16(0x3a), f.u16(0x3c));
    if usize::from(shentsize) != SHDR_SIZE {
        return None;
    }
    let first: &[u8; SHDR_SIZE] = data
        .get(usize::try_from(shoff).ok()?..)?
        .get(..SHDR_SIZE)?
        .try_into()
        .ok()?;
    let count = match shnum {
        0 => Fields(first, endian).u64(32).max(1),
        n => u64::from(n),
    };
    let table_end = count.checked_mul(SHDR_SIZE as u64)?.checked_add(shoff)?;
    let table = data.get(usize::try_from(shoff).ok()?..usize::try_from(table_end).ok()?)?;
    let mut end = table_end.max(64);
    for r in records::<SHDR_SIZE>(table) {
        let f = Fields(r, endian);
        if !matches!(f.u32(4), SHT_NOBITS | SHT_NULL) {
            end = end.max(f.u64(24).checked_add(f.u64(32))?);
        }
    }
    Some(end)
}

/// The records of a table of `N`-byte records; a partial record at the
/// end is not one.
fn records<const N: usize>(table: &[u8]) -> impl Iterator<Item = &[u8; N]> + '_ {
    // `chunks_exact` yields exactly N bytes, so the conversion never fails;
    // as arrays, the records' field reads need no bounds checks.
    table.chunks_exact(N).filter_map(|r| r.try_into().ok())
}

/// The fields of one fixed-size record, in the object's byte order. Every
/// field read is at a constant offset inside the record's array (the `0`
/// fallback is never taken, and the compiler drops it).
struct Fields<'r, const N: usize>(&'r [u8; N], Endian);

impl<const N: usize> Fields<'_, N> {
    #[inline]
    fn u16(&self, at: usize) -> u16 {
        self.1.read_u16(self.0, at).unwrap_or(0)
    }

    #[inline]
    fn u32(&self, at: usize) -> u32 {
        self.1.read_u32(self.0, at).unwrap_or(0)
    }

    #[inline]
    fn u64(&self, at: usize) -> u64 {
        self.1.read_u64(self.0, at).unwrap_or(0)
    }
}

/// The bytes of the section header table, a whole number of records.
///
/// With `e_shnum` 0 the count is in section 0's `sh_size` (the extended
/// numbering for more than SHN_LORESERVE sections); there is always at least
/// section 0. The table must lie inside the file, so a hostile count cannot
/// make anything allocate more than the file's size.
fn section_header_table<'a>(
    data: &'a [u8],
    header: &Header,
    endian: Endian,
) -> Result<&'a [u8], ObjectError> {
    let err = |reason: String| ObjectError::SectionHeaders { reason };
    if header.e_shoff == 0 {
        return Err(err("the object has no section header table".into()));
    }
    if usize::from(header.e_shentsize) != SHDR_SIZE {
        return Err(err(format!(
            "e_shentsize is {}, ELF64 section headers are {SHDR_SIZE} bytes",
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
    let rest = &data[shoff..];
    let outside = |count: u64| {
        err(format!(
            "{count} section headers at e_shoff {shoff:#x} do not fit in the {}-byte file",
            data.len()
        ))
    };
    let first = records::<SHDR_SIZE>(rest)
        .next()
        .ok_or_else(|| outside(1))?;
    let count = match header.e_shnum {
        0 => SectionHeader::decode(first, endian).size.max(1),
        n => u64::from(n),
    };
    usize::try_from(count)
        .ok()
        .and_then(|c| c.checked_mul(SHDR_SIZE))
        .and_then(|len| rest.get(..len))
        .ok_or_else(|| outside(count))
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
        offset: h.offset,
        size: h.size,
        file_len: data.len(),
    };
    let start = usize::try_from(h.offset).map_err(|_| oob())?;
    let len = usize::try_from(h.size).map_err(|_| oob())?;
    let end = start.checked_add(len).ok_or_else(oob)?;
    data.get(start..end).ok_or_else(oob)
}

/// The symbol table. Names are left in their string table (see
/// [`SymbolName`]); only that each one ends inside the table is checked here.
/// `shstrtab` is the section name table and its index: LLVM keeps section
/// and symbol names in one table, UTF-8-checked only once then.
fn read_symbols<'a>(
    sections: &[Section<'a>],
    symtab_index: u32,
    shstrtab: (usize, &StringTable<'a>),
    endian: Endian,
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
        Some(s) if symtab.link != 0 && s.sh_type == SHT_STRTAB => {
            if symtab.link as usize == shstrtab.0 {
                shstrtab.1.clone()
            } else {
                StringTable::new(s.data())
            }
        }
        _ => {
            return Err(err(format!(
                "sh_link {} does not name a string table (libbpf: \"symbol strings section missing or invalid\")",
                symtab.link
            )))
        }
    };
    // A name at an offset up to the table's last NUL ends inside the table.
    let names_end = strtab.bytes.iter().rposition(|&b| b == 0);
    // The table's bytes were bounds-checked with its section; a partial
    // record at the end is not a symbol.
    let mut symbols = Vec::with_capacity(symtab.data().len() / SYM_SIZE as usize);
    // One loop per byte order: the order is then fixed inside it, instead
    // of chosen again for each of a symbol's five fields.
    let decoded = match endian {
        Endian::Little => decode_symbols::<true>(symtab.data(), &strtab, names_end, &mut symbols),
        Endian::Big => decode_symbols::<false>(symtab.data(), &strtab, names_end, &mut symbols),
    };
    if let Err((i, st_name)) = decoded {
        return Err(err(format!(
            "symbol {i} name offset {st_name} is outside the {}-byte string table",
            strtab.len()
        )));
    }
    Ok(symbols)
}

/// Decodes every whole `Elf64_Sym` of `table` (little-endian when `LE`)
/// into `out`; `Err((index, st_name))` for the first whose name does not
/// end inside `strtab` (whose last NUL is at `names_end`).
fn decode_symbols<'a, const LE: bool>(
    table: &[u8],
    strtab: &StringTable<'a>,
    names_end: Option<usize>,
    out: &mut Vec<Symbol<'a>>,
) -> Result<(), (usize, u32)> {
    let e = Endian::of::<LE>();
    let u64_at = |r: &[u8; SYM_SIZE as usize], at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&r[at..at + 8]);
        e.u64(b)
    };
    for (i, r) in records::<{ SYM_SIZE as usize }>(table).enumerate() {
        let st_name = e.u32([r[0], r[1], r[2], r[3]]);
        let tail = usize::try_from(st_name)
            .ok()
            .filter(|&at| names_end.is_some_and(|end| at <= end))
            .and_then(|at| strtab.tail(at));
        let Some(tail) = tail else {
            return Err((i, st_name));
        };
        out.push(Symbol::from_elf(
            i as u32,
            SymbolName::new(tail),
            r[4],
            r[5],
            e.u16([r[6], r[7]]),
            u64_at(r, 8),
            u64_at(r, 16),
        ));
    }
    Ok(())
}

fn read_relocations(
    sections: &mut [Section<'_>],
    symbol_count: usize,
    endian: Endian,
    problems: &mut Vec<ElfProblem>,
) -> Vec<RelocationSection> {
    let mut out = Vec::new();
    let section_count = sections.len() as u32;
    for i in 0..sections.len() {
        let s = &sections[i];
        if s.sh_type != SHT_REL {
            continue;
        }
        let (index, target) = (s.index, s.info);
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
        if target == 0 || target >= section_count {
            bad(format!("sh_info {target} does not name a section"));
            continue;
        }
        // Only code, .maps and struct_ops relocations mean anything to a
        // loader; DWARF and .BTF.ext ones (often thousands) are not read.
        let wanted = matches!(
            sections[target as usize].kind,
            SectionKind::Program | SectionKind::BtfMaps | SectionKind::StructOps { .. }
        );
        let s = &mut sections[i];
        s.kind = SectionKind::Relocations { target };
        if !wanted {
            continue;
        }
        // The bytes were bounds-checked with the section; a partial record
        // at the end is not a relocation.
        let records = records::<{ REL_SIZE as usize }>(s.data());
        let mut entries = Vec::with_capacity(s.data().len() / REL_SIZE as usize);
        for (i, r) in records.enumerate() {
            let f = Fields(r, endian);
            let info = f.u64(8);
            let symbol = info >> 32;
            if symbol >= symbol_count as u64 {
                bad(format!(
                    "relocation #{i} names symbol {symbol} but the symbol table has {symbol_count}"
                ));
                entries.clear();
                break;
            }
            entries.push(Relocation {
                offset: f.u64(0),
                symbol: symbol as u32,
                r_type: info as u32,
            });
        }
        out.push(RelocationSection {
            section: index,
            target,
            entries,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ELF64 little-endian header and a 3-entry section header table at
    /// offset 64, whose PROGBITS section lies after the table (bytes
    /// 256..272) and whose NOBITS section claims 1 TiB it does not store.
    fn table_before_data() -> Vec<u8> {
        let mut d = vec![0u8; 272];
        d[..4].copy_from_slice(header::ELFMAG);
        d[header::EI_CLASS] = header::ELFCLASS64;
        d[header::EI_DATA] = header::ELFDATA2LSB;
        d[0x28..0x30].copy_from_slice(&64u64.to_le_bytes());
        d[0x3a..0x3c].copy_from_slice(&(SHDR_SIZE as u16).to_le_bytes());
        d[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        let shdr = |d: &mut Vec<u8>, i: usize, ty: u32, off: u64, size: u64| {
            let at = 64 + i * SHDR_SIZE;
            d[at + 4..at + 8].copy_from_slice(&ty.to_le_bytes());
            d[at + 24..at + 32].copy_from_slice(&off.to_le_bytes());
            d[at + 32..at + 40].copy_from_slice(&size.to_le_bytes());
        };
        shdr(&mut d, 1, SHT_PROGBITS, 256, 16);
        shdr(&mut d, 2, SHT_NOBITS, 0, 1 << 40);
        d
    }

    #[test]
    fn contents_end_covers_sections_stored_after_the_table() {
        let d = table_before_data();
        assert_eq!(contents_end(&d), Some(272));
        // Table whole, section data cut: the end is still known, and beyond.
        assert_eq!(contents_end(&d[..260]), Some(272));
        // Table cut: the end cannot be known.
        assert_eq!(contents_end(&d[..200]), None);
        assert_eq!(contents_end(&d[..63]), None);
        // Not ELF64.
        let mut elf32 = d.clone();
        elf32[header::EI_CLASS] = header::ELFCLASS32;
        assert_eq!(contents_end(&elf32), None);
        // A section end that overflows cannot be an end.
        let mut huge = d.clone();
        huge[64 + SHDR_SIZE + 24..64 + SHDR_SIZE + 32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(contents_end(&huge), None);
    }
}
