//! The BPF object writer: an [`ObjectPlan`] (BTF, map definitions, legacy
//! maps, license, byte order) becomes the bytes of a relocatable ELF64
//! `EM_BPF` object that libbpf, bpftool and cilium/ebpf load.
//!
//! The object mirrors what `clang -target bpf -g -O2` emits for the same C
//! declarations (`struct {...} name SEC(".maps")`, `struct bpf_map_def
//! SEC("maps")`, `char _license[] SEC("license")`), without code or DWARF:
//!
//! | section     | contents                                                                   |
//! |-------------|----------------------------------------------------------------------------|
//! | `.strtab`   | section and symbol names (one table for both, like clang)                  |
//! | `.maps`     | zeroed definitions, 8-aligned, plan order; 8 bytes per initial slot after `values` |
//! | `.rel.maps` | `R_BPF_64_ABS64` per filled slot, against the inner map's symbol           |
//! | `maps`      | legacy `struct bpf_map_def` records (20 bytes, plan byte order)            |
//! | `license`   | the license text and its NUL                                               |
//! | `.BTF`      | plan BTF + a VAR per variable + DATASECs `.maps`, `license`, `maps`        |
//! | `.symtab`   | one GLOBAL `STT_OBJECT` symbol per map (plan order), legacy map, `_license` |
//!
//! Sections that would be empty (`.maps`, `.rel.maps`, `maps`) are left
//! out. Unlike clang, the DATASECs carry their real sizes and offsets, so
//! the BTF needs no loader fix-up (libbpf skips its fix-up when a DATASEC
//! has a size). The same plan always gives the same bytes.
//!
//! Plans loaders would refuse are errors naming the map and the rule
//! ([`WriteError`]): duplicate or invalid names, slots on a definition
//! without a last `values` member, slots naming no BTF-defined map of the
//! plan or one placed after its outer map (libbpf fills slots as it
//! creates maps, in order), definitions that are not STRUCTs of the stated
//! size, a license with a NUL, BTF that already has the writer's VARs or
//! DATASECs.
//!
//! ```
//! use bpfc::btf::build::{BtfBuilder, Field};
//! use bpfc::btf::int_encoding;
//! use bpfc::bytes::Endian;
//! use bpfc::write::{write_object, MapDefinition, ObjectPlan};
//!
//! // struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); } counts SEC(".maps");
//! let mut btf = BtfBuilder::new();
//! let int = btf.add_int("int", 4, int_encoding::SIGNED);
//! let idx = btf.add_int("__ARRAY_SIZE_TYPE__", 4, 0);
//! let two = btf.add_array(int, idx, 2);
//! let four = btf.add_array(int, idx, 4);
//! let (p2, p4) = (btf.add_ptr(two), btf.add_ptr(four));
//! let def = btf.add_struct("", 16, &[Field::new("type", p2, 0), Field::new("max_entries", p4, 64)]);
//! let plan = ObjectPlan {
//!     btf,
//!     maps: vec![MapDefinition { name: "counts".into(), type_id: def, size: 16, slots: vec![] }],
//!     legacy: vec![],
//!     license: "GPL".into(),
//!     endian: Endian::Little,
//! };
//! let bytes = write_object(&plan).unwrap();
//! let obj = bpfc::object::ObjectSpec::parse(&bytes, "counts").unwrap();
//! assert_eq!(obj.maps[0].max_entries, 4);
//! ```

mod btf;
mod elf;
mod error;
mod file;
mod layout;

pub use error::WriteError;
pub use file::{is_special_target, write_file};

use goblin::elf::section_header::{
    SHF_ALLOC, SHF_INFO_LINK, SHF_WRITE, SHT_PROGBITS, SHT_REL, SHT_STRTAB, SHT_SYMTAB,
};
use goblin::elf::sym::{STB_GLOBAL, STT_OBJECT};
use goblin::elf64::reloc::{Rel, SIZEOF_REL};
use goblin::elf64::sym::{Sym, SIZEOF_SYM};

use crate::btf::build::BtfBuilder;
use crate::bytes::Endian;
use elf::{Section, StringTable};

/// One BTF-defined map in `.maps` (libbpf's convention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapDefinition {
    /// ELF symbol name and BTF VAR name.
    pub name: String,
    /// Id in `plan.btf` of the definition STRUCT (members `type`, `key`,
    /// `value`, `max_entries`, ... as libbpf's `__uint`/`__type`/`__array`
    /// macros encode them).
    pub type_id: u32,
    /// Size of that struct in bytes.
    pub size: u32,
    /// Map-in-map initial slots: slot i = the map named so (another
    /// [`MapDefinition`] of the plan), `None` = empty. Non-empty means the
    /// definition must end with a `values` member.
    pub slots: Vec<Option<String>>,
}

/// One legacy `struct bpf_map_def` in section `maps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyDefinition {
    pub name: String,
    /// type, key_size, value_size, max_entries, map_flags.
    pub def: [u32; 5],
}

/// Everything an object holds.
#[derive(Debug, Clone)]
pub struct ObjectPlan {
    /// Base BTF with the types the definitions refer to; the writer adds
    /// the VARs and DATASECs itself.
    pub btf: BtfBuilder,
    pub maps: Vec<MapDefinition>,
    pub legacy: Vec<LegacyDefinition>,
    pub license: String,
    pub endian: Endian,
}

pub(crate) const MAPS_SECTION: &str = ".maps";
pub(crate) const LEGACY_SECTION: &str = "maps";
pub(crate) const LICENSE_SECTION: &str = "license";
pub(crate) const LICENSE_SYMBOL: &str = "_license";

/// `R_BPF_64_ABS64` (LLVM's BPF relocation 2): what clang writes for a
/// pointer stored in data, and what libbpf reads `.rel.maps` slots as.
/// goblin has no BPF relocation constants.
const R_BPF_64_ABS64: u32 = 2;

/// The object's bytes; deterministic for a given plan.
pub fn write_object(plan: &ObjectPlan) -> Result<Vec<u8>, WriteError> {
    let layout = layout::layout(plan)?;
    let btf_blob = btf::object_btf(plan, &layout)?;
    let endian = plan.endian;

    // Section indexes, fixed before any bytes are made: symbols and
    // relocation sections refer to them.
    let has_maps = !plan.maps.is_empty();
    let has_rels = !layout.relocs.is_empty();
    let has_legacy = !plan.legacy.is_empty();
    // 0 NULL, 1 .strtab, then .maps, .rel.maps, maps when present, then
    // license, .BTF, .symtab.
    let maps_idx = has_maps.then_some(2u16);
    let legacy_idx = has_legacy.then_some(2 + u16::from(has_maps) + u16::from(has_rels));
    let license_idx = 2 + u16::from(has_maps) + u16::from(has_rels) + u16::from(has_legacy);
    let symtab_idx = license_idx + 2;

    let mut strtab = StringTable::new();
    let object_sym = |name: u32, shndx: u16, value: u64, size: u64| Sym {
        st_name: name,
        st_info: (STB_GLOBAL << 4) | STT_OBJECT,
        st_other: 0, // STV_DEFAULT, as clang: hidden would make libbpf treat the VAR as static
        st_shndx: shndx,
        st_value: value,
        st_size: size,
    };
    let mut syms = Vec::with_capacity(plan.maps.len() + plan.legacy.len() + 1);
    if let Some(shndx) = maps_idx {
        for (m, p) in plan.maps.iter().zip(&layout.maps) {
            let name = strtab.add(&m.name)?;
            syms.push(object_sym(name, shndx, p.offset.into(), p.size.into()));
        }
    }
    if let Some(shndx) = legacy_idx {
        for (i, l) in plan.legacy.iter().enumerate() {
            let name = strtab.add(&l.name)?;
            let at = layout::LEGACY_DEF_SIZE * i as u64;
            syms.push(object_sym(name, shndx, at, layout::LEGACY_DEF_SIZE));
        }
    }
    let name = strtab.add(LICENSE_SYMBOL)?;
    syms.push(object_sym(
        name,
        license_idx,
        0,
        layout.license.len() as u64,
    ));

    // Map i is symbol i + 1 (after the NULL symbol); r_info holds a 32-bit
    // symbol index.
    if u32::try_from(syms.len()).is_err() {
        return Err(WriteError::TooLarge {
            what: "the symbol table",
            len: syms.len() as u64,
        });
    }
    let rels: Vec<Rel> = layout
        .relocs
        .iter()
        .map(|r| Rel {
            r_offset: r.offset,
            r_info: ((r.target as u64 + 1) << 32) | u64::from(R_BPF_64_ABS64),
        })
        .collect();

    let mut sections = Vec::new();
    let name = strtab.add(".strtab")?;
    sections.push(section(name, SHT_STRTAB, 0, 1, Vec::new()));
    if has_maps {
        let name = strtab.add(MAPS_SECTION)?;
        let data = elf::zeroed(layout.maps_size as usize)?;
        sections.push(section(name, SHT_PROGBITS, WA, layout::MAPS_ALIGN, data));
    }
    if has_rels {
        let name = strtab.add(".rel.maps")?;
        let mut rel = section(
            name,
            SHT_REL,
            SHF_INFO_LINK.into(),
            8,
            elf::rel_bytes(&rels, endian)?,
        );
        rel.entsize = SIZEOF_REL as u64;
        rel.link = symtab_idx.into();
        rel.info = maps_idx.unwrap_or_default().into();
        sections.push(rel);
    }
    if has_legacy {
        let name = strtab.add(LEGACY_SECTION)?;
        let mut data = Vec::with_capacity(layout.legacy_size as usize);
        for l in &plan.legacy {
            for v in l.def {
                data.extend_from_slice(&endian.u32_bytes(v));
            }
        }
        sections.push(section(name, SHT_PROGBITS, WA, 4, data));
    }
    let name = strtab.add(LICENSE_SECTION)?;
    sections.push(section(name, SHT_PROGBITS, WA, 1, layout.license.clone()));
    let name = strtab.add(".BTF")?;
    sections.push(section(name, SHT_PROGBITS, 0, 4, btf_blob));
    let name = strtab.add(".symtab")?;
    let mut symtab = section(name, SHT_SYMTAB, 0, 8, elf::symtab_bytes(&syms, endian)?);
    symtab.entsize = SIZEOF_SYM as u64;
    symtab.link = 1;
    // sh_info: index of the first non-local symbol; all but NULL are global.
    symtab.info = 1;
    sections.push(symtab);
    sections[0].data = strtab.into_bytes();
    elf::assemble(&sections, 1, endian)
}

/// `SHF_WRITE | SHF_ALLOC`: clang's flags for data sections (`.maps`,
/// `maps`, `license`).
const WA: u64 = (SHF_WRITE | SHF_ALLOC) as u64;

fn section(name: u32, sh_type: u32, flags: u64, align: u64, data: Vec<u8>) -> Section {
    Section {
        name,
        sh_type,
        flags,
        align,
        entsize: 0,
        link: 0,
        info: 0,
        data,
    }
}
