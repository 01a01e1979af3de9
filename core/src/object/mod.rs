//! Reading BPF ELF objects into plain data: [`ObjectSpec`].
//!
//! One pass over a byte slice (the file is never copied): the ELF structure
//! is indexed once, then maps (legacy `maps`, BTF `.maps`, global data,
//! `.kconfig`, struct_ops), programs and relocations are read the way libbpf
//! 1.x does, with cilium/ebpf's differences noted. Anything a kernel or
//! loader would refuse becomes a [`Finding`] in [`ObjectSpec::findings`];
//! only input whose ELF structure cannot be walked is an [`ObjectError`].
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data = std::fs::read("prog.bpf.o")?;
//! let obj = bpfc::object::ObjectSpec::parse(&data, "prog")?;
//! for m in &obj.maps {
//!     println!("{} {:?} {} {}", m.name, m.kind(), m.key_size, m.value_size);
//! }
//! # Ok(())
//! # }
//! ```

mod batch;
mod btf_fixup;
mod btf_maps;
mod by_name;
mod data_maps;
mod dir_open;
mod elf;
mod error;
mod externs;
mod file;
mod insn;
mod legacy_maps;
mod link;
mod program;
mod relocs;
mod sec_def;
mod section;
mod symbol;

pub use batch::{default_jobs, for_each_file, threads_for};
pub use btf_fixup::{BtfFixups, DatasecFixup, FixupProblem};
pub use data_maps::{internal_map_name, object_name_from_path};
pub use error::ObjectError;
pub use externs::{Extern, ExternKind, KconfigType};
pub use file::FileBuffer;
pub use legacy_maps::{legacy_layout, LegacyLayout};
pub use link::check_link;
pub use program::{ProgramRelocation, ProgramSpec, RelocationKind};
pub use sec_def::{find_sec_def, sec_flags, AttachType, ProgType, SecDef, SECTION_DEFS};
pub use section::{Section, SectionKind};
pub use symbol::{
    Binding, Relocation, RelocationSection, Symbol, SymbolKind, SymbolName, Visibility,
};

use crate::btf::Btf;
use crate::bytes::Endian;
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use crate::maps::{MapSource, MapSpec, MapType};
use serde::Serialize;

/// Everything a BPF object says, as plain data borrowing the file's bytes.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectSpec<'a> {
    /// libbpf's object name (internal map names are derived from it).
    pub name: String,
    pub endian: Endian,
    /// `e_machine`: EM_BPF (247), or EM_NONE (0) from old LLVM.
    pub machine: u16,
    /// Every section, indexed by ELF section index.
    pub sections: Vec<Section<'a>>,
    /// Every symbol, indexed by symbol table index.
    pub symbols: Vec<Symbol<'a>>,
    /// The REL sections of code, `.maps` and struct_ops sections.
    pub relocations: Vec<RelocationSection>,
    /// The `license` string (up to the first NUL).
    pub license: Option<std::borrow::Cow<'a, str>>,
    /// The `version` section (`LINUX_VERSION_CODE` for old kprobe loaders).
    pub kern_version: Option<u32>,
    /// Maps in libbpf's order: legacy definitions (which libbpf 1.x refuses),
    /// BTF-defined maps, global data, `.kconfig`, struct_ops.
    pub maps: Vec<MapSpec>,
    /// Programs and subprograms, by section index and offset.
    pub programs: Vec<ProgramSpec<'a>>,
    /// `.kconfig` and `.ksyms` externs, in libbpf's order.
    pub externs: Vec<Extern>,
    /// Problems found while reading; see [`crate::diag::check_object`] for the full check.
    pub findings: Vec<Finding>,
    /// The object's BTF, when `.BTF` parses.
    #[serde(skip)]
    pub btf: Option<Btf<'a>>,
    /// libbpf's BTF fix-ups, when there is BTF.
    #[serde(skip)]
    pub btf_fixups: Option<BtfFixups<'a>>,
    /// Raw `.BTF.ext`.
    #[serde(skip)]
    pub btf_ext: Option<&'a [u8]>,
}

impl<'a> ObjectSpec<'a> {
    /// Reads an object. `name` is libbpf's object name (see
    /// [`object_name_from_path`]); it only affects internal map names.
    pub fn parse(data: &'a [u8], name: impl Into<String>) -> Result<ObjectSpec<'a>, ObjectError> {
        Self::parse_named(data, name.into())
    }

    fn parse_named(data: &'a [u8], name: String) -> Result<ObjectSpec<'a>, ObjectError> {
        let parts = elf::read(data)?;
        let mut findings = Vec::new();
        for p in &parts.problems {
            findings.push(elf_problem(p, &parts.sections));
        }
        if parts.endian != Endian::NATIVE {
            findings.push(
                Finding::new(
                    Code::ForeignByteOrder,
                    Subject::Object,
                    format!(
                        "object is {:?}-endian, this host is {:?}-endian",
                        parts.endian,
                        Endian::NATIVE
                    ),
                )
                .rule("libbpf opens objects of the host's byte order only")
                .effect(
                    Actor::Libbpf,
                    Some(Errno::LibbpfEndian),
                    "elf: endianness mismatch",
                )
                .fix("load it on a host of its byte order, or rebuild with -target bpfel/bpfeb"),
            );
        }
        let sections = parts.sections;
        let symbols = parts.symbols;
        let relocations = parts.relocations;
        let roles = Roles::of(&sections);
        let by_kind = |k: SectionKind| roles.first(k).map(|i| &sections[i]);

        let license = by_kind(SectionKind::License).map(|s| {
            let d = s.data();
            let end = d.iter().position(|&b| b == 0).unwrap_or(d.len()).min(63);
            elf::text(&d[..end])
        });
        let kern_version = by_kind(SectionKind::Version).and_then(|s| {
            let v = parts.endian.read_u32(s.data(), 0).filter(|_| s.size == 4);
            if v.is_none() {
                findings.push(
                    Finding::new(
                        Code::BadLicenseOrVersion,
                        Subject::Section("version".into()),
                        format!("version section is {} bytes, not 4", s.size),
                    )
                    .section("version")
                    .rule("the version section holds one u32")
                    .effect(
                        Actor::Libbpf,
                        Some(Errno::LibbpfFormat),
                        "invalid kver section",
                    )
                    .fix("declare `__u32 _version SEC(\"version\") = ...;` or drop it"),
                );
            }
            v
        });

        let btf = read_btf(by_kind(SectionKind::Btf), &mut findings);
        let btf_ext = by_kind(SectionKind::BtfExt).map(|s| s.data());
        let externs = externs::collect(&symbols, btf.as_ref());
        for e in &externs.errors {
            findings.push(
                Finding::new(Code::BadExtern, Subject::Object, e.message.clone())
                    .rule("externs are __kconfig (CONFIG_*/LINUX_*) or __ksym variables and kfuncs, described by BTF in DATASEC .kconfig or .ksyms")
                    .effect(Actor::Libbpf, Some(e.errno), e.message.clone())
                    .fix("declare the extern with __kconfig or __ksym from bpf_helpers.h, and build with -g"),
            );
        }
        let mut fixups = btf
            .as_ref()
            .map(|b| BtfFixups::compute(b, &sections, &symbols, &externs.list));
        if let Some(fx) = &fixups {
            for p in &fx.problems {
                findings.push(
                    Finding::new(Code::BtfFixup, Subject::Section(p.datasec.clone()), p.message.clone())
                        .btf_type(p.type_id)
                        .rule("libbpf fills DATASEC sizes from ELF sections and VAR offsets from ELF symbols")
                        .effect(Actor::Libbpf, Some(p.errno), p.message.clone())
                        .fix("keep the section and a global symbol for every global variable (do not strip the object)"),
                );
            }
        }
        let empty_fixups = BtfFixups::default();
        let fx = fixups.as_ref().unwrap_or(&empty_fixups);

        // Maps, in libbpf's order (legacy first, as libbpf 0.x did). Room for
        // the usual ones (one per .maps variable and data section, and
        // .kconfig) up front; legacy and struct_ops maps grow it.
        let data_sections = roles.data_maps;
        let map_vars = fx.datasec_named(".maps").map_or(0, |d| d.entries.len());
        let mut maps = Vec::with_capacity(map_vars + data_sections + 1);
        let mut legacy_places = Vec::new();
        for s in sections
            .iter()
            .filter(|s| roles.legacy_maps && s.kind == SectionKind::LegacyMaps)
        {
            let (m, p) = legacy_maps::parse(s, &symbols, btf.as_ref(), parts.endian, &mut findings);
            maps.extend(m);
            legacy_places.extend(p);
        }
        let btf_maps_section = by_kind(SectionKind::BtfMaps);
        let mut btf_map_start = 0;
        let mut btf_places = Vec::new();
        let mut failed_btf_maps = Vec::new();
        let maps_rel =
            btf_maps_section.and_then(|s| relocations.iter().find(|r| r.target == s.index));
        if let Some(s) = btf_maps_section {
            let slots: Vec<u64> =
                maps_rel.map_or_else(Vec::new, |r| r.entries.iter().map(|e| e.offset).collect());
            let symbols_in = symbols
                .iter()
                .filter(|y| {
                    y.section == s.index
                        && matches!(y.kind, SymbolKind::Object | SymbolKind::NoType)
                        && !y.name.is_empty()
                })
                .count();
            if s.is_compressed() {
                findings.push(
                    Finding::new(
                        Code::CompressedSection,
                        Subject::Section(".maps".into()),
                        "compressed .maps section",
                    )
                    .section(".maps")
                    .rule("loaders read .maps as stored")
                    .effect(
                        Actor::Cilium,
                        Some(Errno::Eopnotsupp),
                        "compressed map section is not supported",
                    )
                    .fix("do not compress allocated sections"),
                );
            }
            btf_map_start = maps.len();
            let parsed = btf_maps::parse(
                s,
                btf.as_ref(),
                fx,
                &slots,
                symbols_in,
                &mut maps,
                &mut findings,
            );
            btf_places = parsed.places;
            failed_btf_maps = parsed.failed;
        }
        let data_start = maps.len();
        data_maps::global_data_maps(&name, &sections, btf.as_ref(), fx, &mut maps, &mut findings);
        // One internal map per non-empty data section, in section order.
        let data_places: Vec<(u32, usize)> = sections
            .iter()
            .filter(|s| s.is_global_data() && s.size > 0)
            .map(|s| s.index)
            .zip(data_start..maps.len())
            .collect();
        if let Some(m) = data_maps::kconfig_map(&name, externs.kconfig_size, btf.as_ref(), fx) {
            maps.push(m);
        }
        let mut struct_ops_places = Vec::new();
        for s in sections
            .iter()
            .filter(|s| roles.struct_ops && matches!(s.kind, SectionKind::StructOps { .. }))
        {
            for (m, offset) in data_maps::struct_ops_maps(s, btf.as_ref(), fx, &mut findings) {
                let type_id = btf
                    .as_ref()
                    .and_then(|b| match &m.source {
                        MapSource::StructOps { type_name, .. } => {
                            b.find_by_name_kind(type_name, crate::btf::Kind::Struct)
                        }
                        _ => None,
                    })
                    .map_or(0, |t| t.id());
                struct_ops_places.push(relocs::StructOpsPlace {
                    section: s.index,
                    offset,
                    size: m.value_size,
                    map_index: maps.len(),
                    type_id,
                });
                maps.push(m);
            }
        }
        arena_checks(&sections, &maps, &mut findings);

        // Programs and relocations.
        let text_index = roles.text;
        let mut programs = program::collect(&sections, &symbols, text_index, &mut findings);
        let arena = maps
            .iter()
            .position(|m| m.kind() == Some(MapType::Arena))
            .and_then(|i| Some((by_kind(SectionKind::ArenaData)?.index, i)));
        let places = relocs::MapPlaces {
            btf_maps_section: btf_maps_section.map(|s| s.index),
            btf_maps: &btf_places,
            btf_map_start,
            failed_btf_maps: &failed_btf_maps,
            legacy: &legacy_places,
            data: data_places.into_iter().chain(arena).collect(),
            struct_ops: struct_ops_places,
        };
        let cx = relocs::Ctx {
            sections: &sections,
            symbols: &symbols,
            endian: parts.endian,
            text_index,
            places: &places,
        };
        let edges = relocs::program_relocations(&cx, &relocations, &mut programs, &mut findings);
        relocs::call_graph(&sections, parts.endian, &mut programs, edges);
        if let Some(rel) = maps_rel {
            relocs::map_slots(&cx, rel, &mut maps, btf_map_start, &programs, &mut findings);
        }
        if let Some(b) = btf.as_ref().filter(|_| roles.struct_ops) {
            for rel in relocations.iter().filter(|r| {
                sections
                    .get(r.target as usize)
                    .is_some_and(|s| matches!(s.kind, SectionKind::StructOps { .. }))
            }) {
                relocs::struct_ops_slots(&cx, rel, b, &mut maps, &programs, &mut findings);
            }
        }
        duplicate_names(&maps, &mut findings);
        if let (Some(b), Some(fx)) = (&btf, &mut fixups) {
            let hidden: Vec<&str> = programs
                .iter()
                .filter(|p| p.subprogram && p.hidden)
                .map(|p| &*p.name)
                .collect();
            fx.mark_funcs_static(b, &hidden);
        }
        if btf.is_some() {
            if let Some(ext) = btf_ext {
                check_btf_ext(ext, &mut findings);
            }
        }

        Ok(ObjectSpec {
            name,
            endian: parts.endian,
            machine: parts.machine,
            sections,
            symbols,
            relocations,
            license,
            kern_version,
            maps,
            programs,
            externs: externs.list,
            findings,
            btf,
            btf_fixups: fixups,
            btf_ext,
        })
    }

    /// The first map with this name.
    pub fn map(&self, name: &str) -> Option<&MapSpec> {
        self.maps.iter().find(|m| m.name == name)
    }

    /// The first program (or subprogram) with this name.
    pub fn program(&self, name: &str) -> Option<&ProgramSpec<'a>> {
        self.programs.iter().find(|p| p.name == name)
    }

    /// The maps a program uses (directly or through the subprograms it calls).
    pub fn maps_used_by<'s>(
        &'s self,
        p: &'s ProgramSpec<'a>,
    ) -> impl Iterator<Item = &'s MapSpec> + 's {
        p.maps.iter().filter_map(|&i| self.maps.get(i))
    }

    /// The programs a program calls directly.
    pub fn callees<'s>(
        &'s self,
        p: &'s ProgramSpec<'a>,
    ) -> impl Iterator<Item = &'s ProgramSpec<'a>> + 's {
        p.calls.iter().filter_map(|&i| self.programs.get(i))
    }

    /// The first section with this name.
    pub fn section(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The BTF libbpf would load: DATASEC sizes and VAR offsets filled in,
    /// hidden globals static, `.kconfig`/`.ksyms` laid out (bytes in the
    /// object's byte order). `None` without BTF; an error when libbpf's
    /// fix-up itself fails (the findings say why).
    pub fn fixed_btf(&self) -> Option<Result<Vec<u8>, Vec<FixupProblem>>> {
        let (btf, fx) = (self.btf.as_ref()?, self.btf_fixups.as_ref()?);
        Some(if fx.problems.is_empty() {
            Ok(fx.apply(btf))
        } else {
            Err(fx.problems.clone())
        })
    }
}

/// Where the sections the reader looks up by role are, and which roles
/// occur at all: one pass over the sections instead of a search per role.
#[derive(Default)]
struct Roles {
    /// First section of each of [`Roles::LOOKED_UP`].
    first: [Option<usize>; 6],
    /// The `.text` section (subprograms).
    text: Option<u32>,
    /// Non-empty global data sections, one internal map each.
    data_maps: usize,
    legacy_maps: bool,
    struct_ops: bool,
}

impl Roles {
    const LOOKED_UP: [SectionKind; 6] = [
        SectionKind::License,
        SectionKind::Version,
        SectionKind::Btf,
        SectionKind::BtfExt,
        SectionKind::BtfMaps,
        SectionKind::ArenaData,
    ];

    fn of(sections: &[Section<'_>]) -> Roles {
        let mut r = Roles::default();
        for (i, s) in sections.iter().enumerate() {
            match s.kind {
                SectionKind::Program if r.text.is_none() && s.name == ".text" => {
                    r.text = Some(s.index)
                }
                SectionKind::Data | SectionKind::Rodata | SectionKind::Bss if s.size > 0 => {
                    r.data_maps += 1
                }
                SectionKind::LegacyMaps => r.legacy_maps = true,
                SectionKind::StructOps { .. } => r.struct_ops = true,
                k => {
                    if let Some(slot) = Self::LOOKED_UP.iter().position(|l| *l == k) {
                        r.first[slot].get_or_insert(i);
                    }
                }
            }
        }
        r
    }

    /// Index of the first section of `kind` (one of [`Roles::LOOKED_UP`]).
    fn first(&self, kind: SectionKind) -> Option<usize> {
        let slot = Self::LOOKED_UP.iter().position(|l| *l == kind)?;
        self.first[slot]
    }
}

/// A type's name, `""` when anonymous or unreadable. Same text as
/// `Btf::name`, without its lossy conversion's cost for valid UTF-8 names.
pub(crate) fn type_name<'a>(btf: &Btf<'a>, t: &crate::btf::Type<'_>) -> std::borrow::Cow<'a, str> {
    btf_str(btf, t.name_off()).map_or(std::borrow::Cow::Borrowed(""), elf::text)
}

/// `btf.str_bytes(offset).ok()`, with the terminating NUL found a word at a
/// time (names are looked up many times per map; a byte-by-byte search was
/// a visible part of reading an object).
pub(crate) fn btf_str<'a>(btf: &Btf<'a>, offset: u32) -> Option<&'a [u8]> {
    if btf.first_str_off() != 0 {
        // Split BTF: low offsets are the base's strings.
        return btf.str_bytes(offset).ok();
    }
    let strings = btf.string_section();
    if offset == 0 && strings.is_empty() {
        return Some(b"");
    }
    let tail = strings.get(usize::try_from(offset).ok()?..)?;
    tail.get(..elf::nul_position(tail)?)
}

/// A libbpf message without its leading `map 'x': ` / `prog 'x': ` / `sec 'x': `
/// (the finding's subject already says which), for the one-line summary.
pub(crate) fn headline(message: &str) -> String {
    for prefix in ["map '", "prog '", "sec '"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some(end) = rest.find("': ") {
                return rest[end + 3..].to_string();
            }
        }
    }
    message.to_string()
}

fn elf_problem(p: &elf::ElfProblem, sections: &[Section<'_>]) -> Finding {
    let name = |i: u32| {
        sections
            .get(i as usize)
            .map_or_else(|| format!("#{i}"), |s| s.name.to_string())
    };
    match p {
        elf::ElfProblem::MultipleSymbolTables { index } => Finding::new(
            Code::MultipleSymbolTables,
            Subject::Section(name(*index)),
            "a second symbol table",
        )
        .section(name(*index))
        .rule("a relocatable BPF object has one SHT_SYMTAB")
        .effect(
            Actor::Libbpf,
            Some(Errno::LibbpfFormat),
            "elf: multiple symbol tables",
        )
        .fix("rebuild the object"),
        elf::ElfProblem::BadRelocationSection { index, reason } => Finding::new(
            Code::BadRelocationSection,
            Subject::Section(name(*index)),
            reason.clone(),
        )
        .section(name(*index))
        .rule("REL sections hold 16-byte Elf64_Rel entries for an existing section and symbol")
        .effect(
            Actor::Libbpf,
            Some(Errno::LibbpfFormat),
            "invalid relocation section",
        )
        .fix("rebuild the object"),
    }
}

fn read_btf<'a>(section: Option<&Section<'a>>, findings: &mut Vec<Finding>) -> Option<Btf<'a>> {
    let s = section?;
    let err = |msg: String| {
        Finding::new(
            Code::BtfUnreadable,
            Subject::Section(".BTF".into()),
            msg.clone(),
        )
        .section(".BTF")
        .rule("the object's BTF must parse")
        .effect(
            Actor::Libbpf,
            Some(Errno::Einval),
            format!("Error loading ELF section .BTF: {msg}"),
        )
        .fix("rebuild the object with a current clang")
    };
    if s.is_compressed() || s.sh_type != elf::SHT_PROGBITS {
        findings.push(err("section is compressed or not PROGBITS".into()));
        return None;
    }
    match Btf::parse(s.data()) {
        Ok(b) => Some(b),
        Err(e) => {
            findings.push(err(e.to_string()));
            None
        }
    }
}

/// The `.BTF.ext` header checks libbpf applies (`btf_ext__new`); a bad one is ignored with a warning.
fn check_btf_ext(ext: &[u8], findings: &mut Vec<Finding>) {
    let problem = if ext.len() < 8 {
        Some("shorter than its header".to_string())
    } else {
        let magic_le = u16::from_le_bytes([ext[0], ext[1]]);
        let endian = match magic_le {
            0xeb9f => Some(Endian::Little),
            0x9feb => Some(Endian::Big),
            _ => None,
        };
        match endian {
            None => Some(format!("bad magic {magic_le:#06x}")),
            Some(e) => {
                let hdr_len = e.read_u32(ext, 4).unwrap_or(0) as usize;
                if ext[2] != 1 {
                    Some(format!("unsupported version {}", ext[2]))
                } else if ext[3] != 0 {
                    Some(format!("unsupported flags {:#x}", ext[3]))
                } else if hdr_len < 24 || hdr_len > ext.len() {
                    Some(format!("header length {hdr_len} does not fit"))
                } else {
                    None
                }
            }
        }
    };
    if let Some(p) = problem {
        findings.push(
            Finding::new(
                Code::BtfExtUnreadable,
                Subject::Section(".BTF.ext".into()),
                format!(".BTF.ext {p}"),
            )
            .section(".BTF.ext")
            .rule("libbpf reads func_info/line_info/CO-RE relocations from .BTF.ext")
            .effect(
                Actor::Libbpf,
                None,
                "Error loading ELF section .BTF.ext. Ignored and continue.",
            )
            .fix("rebuild the object"),
        );
    }
}

fn arena_checks(sections: &[Section<'_>], maps: &[MapSpec], findings: &mut Vec<Finding>) {
    let arenas: Vec<&MapSpec> = maps
        .iter()
        .filter(|m| m.kind() == Some(MapType::Arena))
        .collect();
    if let [first, second, ..] = arenas[..] {
        let msg = format!(
            "map '{}': only single ARENA map is supported (map '{}' is also ARENA)",
            second.name, first.name
        );
        findings.push(
            Finding::new(
                Code::MultipleArenas,
                Subject::Map(second.name.clone()),
                msg.clone(),
            )
            .rule("an object has at most one ARENA map")
            .effect(Actor::Libbpf, Some(Errno::Einval), msg)
            .fix("use one arena per object"),
        );
    }
    let Some(data) = sections
        .iter()
        .find(|s| s.kind == SectionKind::ArenaData && s.size > 0)
    else {
        return;
    };
    let subject = Subject::Section(data.name.to_string());
    match arenas.first() {
        None => {
            let msg = "elf: sec '.addr_space.1': to use global __arena variables the ARENA map should be explicitly declared in SEC(\".maps\")";
            findings.push(
                Finding::new(
                    Code::ArenaDataWithoutArena,
                    subject,
                    "arena globals without an ARENA map",
                )
                .section(data.name.to_string())
                .rule("__arena globals live in the object's ARENA map")
                .effect(Actor::Libbpf, Some(Errno::Enoent), msg)
                .fix("declare a BPF_MAP_TYPE_ARENA map in SEC(\".maps\")"),
            );
        }
        Some(arena) => {
            // bpf_map_mmap_sz() of an arena is max_entries pages.
            let page = 4096u64;
            let mmap_sz = u64::from(arena.max_entries) * page;
            if data.size.div_ceil(page) * page > mmap_sz {
                let msg = format!(
                    "elf: sec '.addr_space.1': declared ARENA map size ({mmap_sz}) is too small to hold global __arena variables of size {}",
                    data.size
                );
                findings.push(
                    Finding::new(
                        Code::ArenaTooSmall,
                        Subject::Map(arena.name.clone()),
                        msg.clone(),
                    )
                    .section(data.name.to_string())
                    .rule("the arena must have room for the __arena globals (rounded up to pages)")
                    .effect(Actor::Libbpf, Some(Errno::E2big), msg)
                    .fix("raise the arena's max_entries (pages)"),
                );
            }
        }
    }
}

fn duplicate_names(maps: &[MapSpec], findings: &mut Vec<Finding>) {
    // Objects have a handful of maps, nearly always uniquely named: pairwise
    // comparison finds that without sorting a copy of the names. Many maps
    // go straight to the sort.
    const PAIRWISE_UP_TO: usize = 32;
    if maps.len() <= PAIRWISE_UP_TO
        && !maps
            .iter()
            .enumerate()
            .any(|(i, a)| maps[..i].iter().any(|b| a.name == b.name))
    {
        return;
    }
    let mut names: Vec<&str> = maps.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    for w in names.windows(2) {
        if w[0] == w[1] {
            let legacy = maps
                .iter()
                .filter(|m| m.name == w[0])
                .all(|m| matches!(m.source, MapSource::Legacy { .. }));
            findings.push(
                Finding::new(
                    if legacy {
                        Code::LegacyDuplicateName
                    } else {
                        Code::MapDuplicateName
                    },
                    Subject::Map(w[0].to_string()),
                    format!("more than one map named '{}'", w[0]),
                )
                .rule("map names identify maps to loaders, relocations and pin paths")
                .effect(
                    Actor::Cilium,
                    Some(Errno::Einval),
                    format!("duplicate map name {}", w[0]),
                )
                .effect(Actor::Libbpf, None, "finds only the first by name")
                .fix("rename one of the maps"),
            );
        }
    }
}
