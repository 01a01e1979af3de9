//! The map definitions of one compiled host object: the `.maps` statics
//! (their names and sizes; their layout is in the DWARF), legacy `maps`
//! records, and the `.bpfc.slots` tables the macro emits for map-in-map
//! initial slots, whose pointers live in relocations.
//!
//! An object may hold several sections of each name: rustc puts every
//! static in a section of its own when one codegen unit holds several of
//! them (`-C incremental` off, or `codegen-units = 1`), and ELF lets those
//! sections share the name `.maps`. All of them are read.

use goblin::elf::sym::{STB_GLOBAL, STB_WEAK, STT_OBJECT};
use goblin::elf::Elf;

/// A `.maps` static.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMap {
    pub name: String,
    /// Size of the definition in bytes.
    pub size: u32,
    /// Index of its `.maps` section (one of several, see the module docs).
    pub section: usize,
    /// Offset in that section.
    pub offset: u64,
}

/// A legacy `struct bpf_map_def` record, read in the host's byte order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLegacy {
    pub name: String,
    pub def: [u32; 5],
}

/// One `.bpfc.slots` table: the outer map and its initial slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSlots {
    pub outer: String,
    pub slots: Vec<Option<String>>,
}

/// Everything map-related in one host object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMaps {
    pub maps: Vec<HostMap>,
    pub legacy: Vec<HostLegacy>,
    pub slots: Vec<HostSlots>,
}

impl HostMaps {
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty() && self.legacy.is_empty() && self.slots.is_empty()
    }
}

/// Reads the map sections of a host object.
pub fn read_maps(data: &[u8]) -> Result<HostMaps, String> {
    let elf = Elf::parse(data).map_err(|e| format!("not a readable ELF object: {e}"))?;
    // Every section of a name, in index order.
    let sections = |name: &str| -> Vec<usize> {
        elf.section_headers
            .iter()
            .enumerate()
            .filter(|(_, s)| elf.shdr_strtab.get_at(s.sh_name) == Some(name))
            .map(|(i, _)| i)
            .collect()
    };
    let maps_idx = sections(".maps");
    let legacy_idx = sections("maps");
    let slots_idx = sections(".bpfc.slots");
    let mut out = HostMaps::default();
    let contents = |idx: usize| -> Result<&[u8], String> {
        let s = &elf.section_headers[idx];
        s.sh_offset
            .checked_add(s.sh_size)
            .filter(|end| *end <= data.len() as u64)
            .map(|end| &data[s.sh_offset as usize..end as usize])
            .ok_or_else(|| format!("section #{idx} lies outside the file"))
    };
    let symbol_name = |st_name: usize| -> Result<String, String> {
        elf.strtab
            .get_at(st_name)
            .map(str::to_string)
            .ok_or_else(|| format!("a symbol name offset ({st_name}) lies outside .strtab"))
    };
    for sym in elf.syms.iter() {
        let exported = matches!(sym.st_bind(), STB_GLOBAL | STB_WEAK);
        if sym.st_type() != STT_OBJECT || !exported {
            continue;
        }
        if maps_idx.contains(&sym.st_shndx) {
            let size = u32::try_from(sym.st_size)
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("`.maps` symbol of size {}", sym.st_size))?;
            out.maps.push(HostMap {
                name: symbol_name(sym.st_name)?,
                size,
                section: sym.st_shndx,
                offset: sym.st_value,
            });
        } else if legacy_idx.contains(&sym.st_shndx) {
            let name = symbol_name(sym.st_name)?;
            let bytes = contents(sym.st_shndx)?;
            let record = usize::try_from(sym.st_value)
                .ok()
                .filter(|_| sym.st_size == 20)
                .and_then(|at| bytes.get(at..at.checked_add(20)?))
                .ok_or_else(|| {
                    format!("legacy map `{name}` is not a 20-byte record inside section `maps`")
                })?;
            let mut def = [0u32; 5];
            for (i, word) in record.chunks_exact(4).enumerate() {
                let w = [word[0], word[1], word[2], word[3]];
                def[i] = if elf.little_endian {
                    u32::from_le_bytes(w)
                } else {
                    u32::from_be_bytes(w)
                };
            }
            out.legacy.push(HostLegacy { name, def });
        }
    }
    out.maps.sort_by_key(|m| (m.section, m.offset));
    for slots_idx in slots_idx {
        let tables = read_slots(&elf, data, slots_idx, &maps_idx, &out.maps)?;
        out.slots.extend(tables);
    }
    out.slots.sort_by(|a, b| a.outer.cmp(&b.outer));
    Ok(out)
}

/// The `.bpfc.slots` tables: each is a pointer to the outer map's
/// definition, then one pointer per slot (null when empty). The pointers
/// are relocations against the `.maps` statics.
fn read_slots(
    elf: &Elf<'_>,
    data: &[u8],
    slots_idx: usize,
    maps_idx: &[usize],
    maps: &[HostMap],
) -> Result<Vec<HostSlots>, String> {
    let ptr = if elf.is_64 { 8u64 } else { 4 };
    // Offset in `.bpfc.slots` → the map it points at.
    let mut targets: std::collections::BTreeMap<u64, String> = Default::default();
    let section = &elf.section_headers[slots_idx];
    for (rel_idx, relocs) in &elf.shdr_relocs {
        if elf.section_headers[*rel_idx].sh_info as usize != slots_idx {
            continue;
        }
        for reloc in relocs.iter() {
            let sym = elf.syms.get(reloc.r_sym).ok_or_else(|| {
                format!(
                    "a `.bpfc.slots` relocation names symbol #{}, which does not exist",
                    reloc.r_sym
                )
            })?;
            let addend = match reloc.r_addend {
                Some(a) => a,
                None => {
                    let at = section.sh_offset.saturating_add(reloc.r_offset) as usize;
                    let word = data
                        .get(at..at + ptr as usize)
                        .ok_or("a `.bpfc.slots` relocation lies outside the file")?;
                    let mut v = 0u64;
                    for (i, b) in word.iter().enumerate() {
                        let shift = if elf.little_endian {
                            8 * i
                        } else {
                            8 * (word.len() - 1 - i)
                        };
                        v |= u64::from(*b) << shift;
                    }
                    v as i64
                }
            };
            // A map of another codegen unit or crate is an undefined
            // symbol of its exported name; one of this object may also be
            // reached through the `.maps` section symbol and an addend.
            let exported = matches!(sym.st_bind(), STB_GLOBAL | STB_WEAK);
            let name = if exported && addend == 0 {
                elf.strtab
                    .get_at(sym.st_name)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
            } else {
                None
            };
            let name = match name {
                Some(n) => n,
                None if maps_idx.contains(&sym.st_shndx) => {
                    let at = sym.st_value.wrapping_add(addend as u64);
                    maps.iter()
                        .find(|m| m.section == sym.st_shndx && m.offset == at)
                        .map(|m| m.name.clone())
                        .ok_or_else(|| format!("a `.bpfc.slots` pointer points at `.maps`+{at:#x}, where no map starts"))?
                }
                None => {
                    return Err(format!(
                        "a `.bpfc.slots` pointer at offset {:#x} does not point at a map",
                        reloc.r_offset
                    ))
                }
            };
            targets.insert(reloc.r_offset, name);
        }
    }
    let mut tables = Vec::new();
    for sym in elf.syms.iter() {
        if sym.st_shndx != slots_idx || sym.st_type() != STT_OBJECT {
            continue;
        }
        if sym.st_size < ptr || sym.st_size % ptr != 0 {
            return Err(format!("a `.bpfc.slots` table of {} bytes", sym.st_size));
        }
        let outer = targets
            .get(&sym.st_value)
            .cloned()
            .ok_or("a `.bpfc.slots` table does not name its outer map")?;
        let count = (sym.st_size / ptr - 1) as usize;
        let slots = (0..count)
            .map(|i| targets.get(&(sym.st_value + ptr * (i as u64 + 1))).cloned())
            .collect();
        tables.push(HostSlots { outer, slots });
    }
    tables.sort_by(|a, b| a.outer.cmp(&b.outer));
    Ok(tables)
}
