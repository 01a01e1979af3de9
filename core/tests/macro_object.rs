//! What `#[bpf_map]` puts into an object file: the fixture crate
//! `testdata/rust/macro_maps` (one declaration of every map type and every
//! argument) is compiled for the host with debug info on the stable
//! toolchain, and its object is read back with goblin (sections, symbols,
//! relocations) and gimli (the DWARF that bpfc later turns into BTF).
//!
//! The oracle is clang: `testdata/rust/macro_maps/equivalent.bpf.c` declares
//! the same maps with libbpf's C macros, and every definition's DWARF layout,
//! every legacy record and every slot relocation must match what clang made.

use bpfc::maps::{MapFlags, MapType};
use gimli::{AttributeValue, EndianSlice, LittleEndian, UnitOffset};
use goblin::elf::{Elf, Reloc};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/rust/macro_maps");

/// Every BTF-defined map of the fixture with its libbpf map type.
const BTF_MAPS: &[(&str, &str)] = &[
    ("FLOWS", "hash"),
    ("COUNTERS", "array"),
    ("JUMP", "prog_array"),
    ("EVENTS", "perf_event_array"),
    ("PCPU_HASH", "percpu_hash"),
    ("PCPU_ARRAY", "percpu_array"),
    ("STACKS", "stack_trace"),
    ("CGROUPS", "cgroup_array"),
    ("LRU", "lru_hash"),
    ("LRU_PCPU", "lru_percpu_hash"),
    ("ROUTES", "lpm_trie"),
    ("SLOT_A", "array"),
    ("SLOT_B", "array"),
    ("OUTER_ARR", "array_of_maps"),
    ("OUTER_HASH", "hash_of_maps"),
    ("TX_PORTS", "devmap"),
    ("TX_PROGS", "devmap"),
    ("SOCKS", "sockmap"),
    ("CPUS", "cpumap"),
    ("XSKS", "xskmap"),
    ("SOCK_HASH", "sockhash"),
    ("CG_STORE", "cgroup_storage"),
    ("REUSEPORT", "reuseport_sockarray"),
    ("PCPU_CG_STORE", "percpu_cgroup_storage"),
    ("JOBS", "queue"),
    ("LIFO", "stack"),
    ("SK_STORE", "sk_storage"),
    ("DEV_HASH", "devmap_hash"),
    ("OPS", "struct_ops"),
    ("LOG", "ringbuf"),
    ("INODE_STORE", "inode_storage"),
    ("TASK_STORE", "task_storage"),
    ("SEEN", "bloom_filter"),
    ("USER_LOG", "user_ringbuf"),
    ("CGRP_STORE", "cgrp_storage"),
    ("ARENA", "arena"),
    ("INSNS", "insn_array"),
    ("RESIZABLE", "rhash"),
    ("renamed_map", "hash"),
    ("RAW_KEY", "hash"),
    ("PADDED", "hash"),
];

/// The legacy maps with their `struct bpf_map_def`, worked out by hand
/// from the fixture's declarations.
fn legacy_maps() -> Vec<(&'static str, [u32; 5])> {
    let flow_key = 16; // 3 × u32 + 2 × u16 ... as declared: 4+4+2+2+1+3
    let flow_stats = 56; // 2 × u64 + [u32; 8] + Stamp (2 × u32)
    vec![
        (
            "OLD_HASH",
            [
                MapType::Hash as u32,
                flow_key,
                8,
                32,
                MapFlags::NO_PREALLOC.bits(),
            ],
        ),
        ("OLD_ARRAY", [MapType::Array as u32, 4, flow_stats, 4, 0]),
        ("OLD_PERF", [MapType::PerfEventArray as u32, 4, 4, 4, 0]),
    ]
}

// ---------------------------------------------------------------- building

/// The fixture's object file, built once per test run. The crate is copied
/// next to a persistent target directory (so dependencies compile once)
/// with the workspace's Cargo.lock (same versions, no network).
fn rust_object() -> &'static [u8] {
    static OBJECT: OnceLock<Vec<u8>> = OnceLock::new();
    OBJECT.get_or_init(|| {
        let path = build_fixture();
        std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    })
}

fn write_if_changed(path: &Path, contents: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

fn build_fixture() -> PathBuf {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let krate = scratch.join("macro_maps");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let manifest = std::fs::read_to_string(format!("{FIXTURE}/Cargo.toml")).unwrap();
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let local = manifest.replace(
        r#"path = "../../../core""#,
        &format!("path = {:?}", core.display().to_string()),
    );
    assert_ne!(
        local, manifest,
        "the fixture depends on bpfc by a relative path"
    );
    write_if_changed(&krate.join("Cargo.toml"), local.as_bytes());
    write_if_changed(
        &krate.join("src/lib.rs"),
        &std::fs::read(format!("{FIXTURE}/src/lib.rs")).unwrap(),
    );
    write_if_changed(
        &krate.join("Cargo.lock"),
        &std::fs::read(core.join("../Cargo.lock")).unwrap(),
    );

    // rustc writes the object to a path of our choosing; cargo skips the
    // build when nothing changed, so a lost object forces one.
    let object = scratch.join("macro_maps.o");
    if !object.exists() {
        let lib = krate.join("src/lib.rs");
        let _ = std::fs::remove_file(&lib);
        write_if_changed(
            &lib,
            &std::fs::read(format!("{FIXTURE}/src/lib.rs")).unwrap(),
        );
    }
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let output = Command::new(cargo)
        .args(["rustc", "--offline", "--lib", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(scratch.join("macro_maps-target"))
        .args(["--", "-C", "debuginfo=2", "-C", "codegen-units=1"])
        .arg(format!("--emit=obj={}", object.display()))
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("running cargo");
    assert!(
        output.status.success(),
        "building the fixture failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(object.exists(), "{} missing", object.display());
    object
}

/// The C declarations compiled by clang for the BPF target, or `None` (with
/// a SKIP line) where clang-19 is missing outside CI.
fn clang_object() -> Option<Vec<u8>> {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("macro_maps_equivalent.bpf.o");
    let arch_include = format!("-I/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    let result = Command::new("clang-19")
        .args(["-g", "-O2", "-target", "bpfel", &arch_include, "-c"])
        .arg(format!("{FIXTURE}/equivalent.bpf.c"))
        .arg("-o")
        .arg(&out)
        .output();
    match result {
        Ok(output) if output.status.success() => Some(std::fs::read(&out).unwrap()),
        Ok(output) => panic!(
            "clang-19 failed on equivalent.bpf.c:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) => {
            eprintln!("SKIP: clang-19 not runnable ({e}); the C oracle comparison did not run");
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must have clang-19"
            );
            None
        }
    }
}

// ---------------------------------------------------------------- ELF

/// An ELF symbol in a data section, with its bytes.
struct Symbol {
    name: String,
    section: String,
    size: u64,
    bytes: Vec<u8>,
    global: bool,
}

fn symbols(data: &[u8]) -> Vec<Symbol> {
    let elf = Elf::parse(data).expect("ELF");
    let mut out = Vec::new();
    for sym in elf.syms.iter() {
        if sym.st_type() != goblin::elf::sym::STT_OBJECT {
            continue;
        }
        let shdr = &elf.section_headers[sym.st_shndx];
        let section = elf.shdr_strtab.get_at(shdr.sh_name).unwrap().to_string();
        let start = (shdr.sh_offset + sym.st_value) as usize;
        out.push(Symbol {
            name: elf.strtab.get_at(sym.st_name).unwrap().to_string(),
            section,
            size: sym.st_size,
            bytes: data[start..start + sym.st_size as usize].to_vec(),
            global: sym.st_bind() == goblin::elf::sym::STB_GLOBAL,
        });
    }
    out
}

/// Relocations of the sections named `section`: (offset from the symbol
/// that holds it, name of the holder, target symbol name).
fn relocations(data: &[u8], section: &str) -> Vec<(String, u64, String)> {
    let elf = Elf::parse(data).expect("ELF");
    let mut out = Vec::new();
    for (reloc_index, relocs) in &elf.shdr_relocs {
        let target_index = &(elf.section_headers[*reloc_index].sh_info as usize);
        let target = &elf.section_headers[*target_index];
        if elf.shdr_strtab.get_at(target.sh_name) != Some(section) {
            continue;
        }
        for reloc in relocs.iter() {
            let Reloc {
                r_offset, r_sym, ..
            } = reloc;
            let sym = elf.syms.get(r_sym).unwrap();
            let to = elf.strtab.get_at(sym.st_name).unwrap().to_string();
            // The symbol of that section covering the offset.
            let holder = elf
                .syms
                .iter()
                .find(|s| {
                    s.st_shndx == *target_index
                        && s.st_type() == goblin::elf::sym::STT_OBJECT
                        && (s.st_value..s.st_value + s.st_size).contains(&r_offset)
                })
                .expect("relocation inside a symbol");
            let holder_name = elf.strtab.get_at(holder.st_name).unwrap().to_string();
            out.push((holder_name, r_offset - holder.st_value, to));
        }
    }
    out.sort();
    out
}

/// DWARF sections with their relocations applied: in an x86-64 object
/// (RELA) the offsets into `.debug_str` & co. live only in the relocations;
/// BPF objects (REL) keep them in place.
fn dwarf_sections(data: &[u8]) -> HashMap<String, Vec<u8>> {
    let elf = Elf::parse(data).expect("ELF");
    let mut sections: HashMap<String, Vec<u8>> = HashMap::new();
    for (index, shdr) in elf.section_headers.iter().enumerate() {
        let name = elf.shdr_strtab.get_at(shdr.sh_name).unwrap_or("");
        if !name.starts_with(".debug_") {
            continue;
        }
        let mut bytes =
            data[shdr.sh_offset as usize..(shdr.sh_offset + shdr.sh_size) as usize].to_vec();
        let applying = elf
            .shdr_relocs
            .iter()
            .find(|(reloc_index, _)| elf.section_headers[*reloc_index].sh_info as usize == index);
        if let Some((_, relocs)) = applying {
            for reloc in relocs.iter().filter(|r| r.r_addend.is_some()) {
                let sym = elf.syms.get(reloc.r_sym).unwrap();
                let value = (sym.st_value as i64 + reloc.r_addend.unwrap()) as u64;
                let at = reloc.r_offset as usize;
                match reloc.r_type {
                    goblin::elf::reloc::R_X86_64_32 => {
                        bytes[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes())
                    }
                    goblin::elf::reloc::R_X86_64_64 => {
                        bytes[at..at + 8].copy_from_slice(&value.to_le_bytes())
                    }
                    other => panic!("unexpected relocation type {other} in {name}"),
                }
            }
        }
        sections.insert(name.to_string(), bytes);
    }
    sections
}

// ---------------------------------------------------------------- DWARF

/// How a definition member encodes its value, read the way libbpf reads the
/// BTF made from it (`parse_btf_map_def`): by member name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Encoding {
    /// `__uint`: pointer to an array of `int`; the element count.
    Uint(u64),
    /// `__type`: pointer to a type of this size.
    Type { size: u64 },
    /// `__ulong`: an enum with one enumerator.
    Ulong(u64),
    /// `__array(values, T)`: zero-length array of pointers to this layout.
    Values(Layout),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    offset: u64,
    encoding: Encoding,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    size: u64,
    members: Vec<Member>,
}

type Reader<'a> = EndianSlice<'a, LittleEndian>;

struct Debug<'a> {
    dwarf: gimli::Dwarf<Reader<'a>>,
}

impl<'a> Debug<'a> {
    fn new(sections: &'a HashMap<String, Vec<u8>>) -> Debug<'a> {
        let dwarf = gimli::Dwarf::load(|id| -> Result<Reader<'a>, gimli::Error> {
            let bytes = sections.get(id.name()).map(Vec::as_slice).unwrap_or(&[]);
            Ok(EndianSlice::new(bytes, LittleEndian))
        })
        .unwrap();
        Debug { dwarf }
    }

    /// The layout of every variable named in `names` (by DW_AT_linkage_name
    /// or DW_AT_name) whose type is a struct.
    fn layouts(&self, names: &[String]) -> BTreeMap<String, Layout> {
        let mut out = BTreeMap::new();
        let mut units = self.dwarf.units();
        while let Some(header) = units.next().unwrap() {
            let unit = self.dwarf.unit(header).unwrap();
            let mut entries = unit.entries();
            while let Some((_, entry)) = entries.next_dfs().unwrap() {
                if entry.tag() != gimli::DW_TAG_variable {
                    continue;
                }
                let name = self
                    .string(&unit, entry.attr_value(gimli::DW_AT_linkage_name).unwrap())
                    .or_else(|| self.string(&unit, entry.attr_value(gimli::DW_AT_name).unwrap()));
                let Some(name) = name.filter(|n| names.contains(n)) else {
                    continue;
                };
                let ty =
                    type_ref(entry.attr_value(gimli::DW_AT_type).unwrap()).expect("typed variable");
                if let Some(layout) = self.layout(&unit, ty) {
                    out.insert(name, layout);
                }
            }
        }
        out
    }

    fn string(
        &self,
        unit: &gimli::Unit<Reader<'a>>,
        value: Option<AttributeValue<Reader<'a>>>,
    ) -> Option<String> {
        let raw = self.dwarf.attr_string(unit, value?).ok()?;
        Some(raw.to_string_lossy().into_owned())
    }

    fn attr(
        &self,
        unit: &gimli::Unit<Reader<'a>>,
        at: UnitOffset,
        name: gimli::DwAt,
    ) -> Option<AttributeValue<Reader<'a>>> {
        unit.entry(at).unwrap().attr_value(name).unwrap()
    }

    /// The DW_AT_type of the entry at `at` (pointers to void are not expected).
    fn type_of(&self, unit: &gimli::Unit<Reader<'a>>, at: UnitOffset) -> UnitOffset {
        type_ref(self.attr(unit, at, gimli::DW_AT_type)).expect("entry has a type")
    }

    fn tag(&self, unit: &gimli::Unit<Reader<'a>>, at: UnitOffset) -> gimli::DwTag {
        unit.entry(at).unwrap().tag()
    }

    /// Skips typedefs and qualifiers (as libbpf does on BTF).
    fn strip(&self, unit: &gimli::Unit<Reader<'a>>, mut at: UnitOffset) -> UnitOffset {
        while matches!(
            self.tag(unit, at),
            gimli::DW_TAG_typedef | gimli::DW_TAG_const_type | gimli::DW_TAG_volatile_type
        ) {
            at = self.type_of(unit, at);
        }
        at
    }

    fn udata(
        &self,
        unit: &gimli::Unit<Reader<'a>>,
        at: UnitOffset,
        name: gimli::DwAt,
    ) -> Option<u64> {
        self.attr(unit, at, name)?.udata_value()
    }

    /// Element count of a one-dimensional array (0 for C's `[]`).
    fn count(&self, unit: &gimli::Unit<Reader<'a>>, array: UnitOffset) -> u64 {
        let mut tree = unit.entries_tree(Some(array)).unwrap();
        let root = tree.root().unwrap();
        let mut children = root.children();
        let subrange = children.next().unwrap().expect("array has a subrange");
        let entry = subrange.entry();
        if let Some(count) = entry.attr_value(gimli::DW_AT_count).unwrap() {
            return count.udata_value().unwrap();
        }
        match entry.attr_value(gimli::DW_AT_upper_bound).unwrap() {
            Some(upper) => upper.udata_value().unwrap() + 1,
            None => 0,
        }
    }

    fn size(&self, unit: &gimli::Unit<Reader<'a>>, at: UnitOffset) -> u64 {
        let at = self.strip(unit, at);
        if let Some(size) = self.udata(unit, at, gimli::DW_AT_byte_size) {
            return size;
        }
        assert_eq!(self.tag(unit, at), gimli::DW_TAG_array_type, "unsized type");
        let elem = self.type_of(unit, at);
        self.count(unit, at) * self.size(unit, elem)
    }

    fn layout(&self, unit: &gimli::Unit<Reader<'a>>, ty: UnitOffset) -> Option<Layout> {
        let ty = self.strip(unit, ty);
        if self.tag(unit, ty) != gimli::DW_TAG_structure_type {
            return None;
        }
        let mut members = Vec::new();
        let mut tree = unit.entries_tree(Some(ty)).unwrap();
        let root = tree.root().unwrap();
        let mut children = root.children();
        while let Some(child) = children.next().unwrap() {
            let entry = child.entry();
            if entry.tag() != gimli::DW_TAG_member {
                continue;
            }
            let name = self
                .string(unit, entry.attr_value(gimli::DW_AT_name).unwrap())
                .unwrap();
            let offset = entry
                .attr_value(gimli::DW_AT_data_member_location)
                .unwrap()
                .and_then(|v| v.udata_value())
                .unwrap();
            let member_ty = type_ref(entry.attr_value(gimli::DW_AT_type).unwrap()).unwrap();
            let encoding = self.encoding(unit, &name, member_ty);
            members.push(Member {
                name,
                offset,
                encoding,
            });
        }
        let size = self.udata(unit, ty, gimli::DW_AT_byte_size).unwrap();
        Some(Layout { size, members })
    }

    fn encoding(&self, unit: &gimli::Unit<Reader<'a>>, name: &str, ty: UnitOffset) -> Encoding {
        let ty = self.strip(unit, ty);
        let pointee = |at: UnitOffset| {
            assert_eq!(
                self.tag(unit, at),
                gimli::DW_TAG_pointer_type,
                "member {name} is not a pointer"
            );
            self.type_of(unit, at)
        };
        match name {
            "key" | "value" => Encoding::Type {
                size: self.size(unit, pointee(ty)),
            },
            "values" => {
                assert_eq!(self.tag(unit, ty), gimli::DW_TAG_array_type);
                assert_eq!(
                    self.count(unit, ty),
                    0,
                    "values must be a zero-length array"
                );
                let elem = self.strip(unit, self.type_of(unit, ty));
                Encoding::Values(
                    self.layout(unit, pointee(elem))
                        .expect("inner definition struct"),
                )
            }
            "map_extra" if self.tag(unit, ty) == gimli::DW_TAG_enumeration_type => {
                let mut tree = unit.entries_tree(Some(ty)).unwrap();
                let root = tree.root().unwrap();
                let mut children = root.children();
                let enumerator = children.next().unwrap().expect("one enumerator");
                let value = enumerator
                    .entry()
                    .attr_value(gimli::DW_AT_const_value)
                    .unwrap()
                    .unwrap();
                assert!(
                    children.next().unwrap().is_none(),
                    "__ulong has exactly one enumerator"
                );
                Encoding::Ulong(
                    value
                        .udata_value()
                        .or(value.sdata_value().map(|v| v as u64))
                        .unwrap(),
                )
            }
            _ => {
                let array = self.strip(unit, pointee(ty));
                assert_eq!(
                    self.tag(unit, array),
                    gimli::DW_TAG_array_type,
                    "__uint member {name}"
                );
                let elem = self.type_of(unit, array);
                assert_eq!(self.size(unit, elem), 4, "__uint member {name} counts ints");
                Encoding::Uint(self.count(unit, array))
            }
        }
    }
}

fn type_ref(value: Option<AttributeValue<Reader>>) -> Option<UnitOffset> {
    match value? {
        AttributeValue::UnitRef(offset) => Some(offset),
        other => panic!("unexpected type reference {other:?}"),
    }
}

fn uint(layout: &Layout, member: &str) -> Option<u64> {
    layout
        .members
        .iter()
        .find(|m| m.name == member)
        .map(|m| match m.encoding {
            Encoding::Uint(n) => n,
            ref other => panic!("{member} is {other:?}"),
        })
}

// ---------------------------------------------------------------- tests

fn maps_symbols(data: &[u8]) -> Vec<Symbol> {
    symbols(data)
        .into_iter()
        .filter(|s| s.section == ".maps")
        .collect()
}

#[test]
fn maps_section_holds_one_zeroed_definition_per_map() {
    let object = rust_object();
    let maps = maps_symbols(object);
    let mut names: Vec<&str> = maps.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = BTF_MAPS.iter().map(|(n, _)| *n).collect();
    expected.sort_unstable();
    assert_eq!(
        names, expected,
        "one `.maps` symbol per BTF-defined map, named by the map"
    );

    let sections = dwarf_sections(object);
    let layouts =
        Debug::new(&sections).layouts(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    for sym in &maps {
        assert!(
            sym.global,
            "{} must be a global symbol (libbpf wants GLOBAL_ALLOCATED VARs)",
            sym.name
        );
        let layout = &layouts[&sym.name];
        let pointers = layout.members.iter().filter(|m| m.name != "values").count() as u64;
        assert_eq!(
            sym.size, layout.size,
            "{}: symbol size is the definition's",
            sym.name
        );
        assert_eq!(
            sym.size,
            8 * pointers,
            "{}: one 8-byte slot per field",
            sym.name
        );
        if sym.name == "ARENA" {
            // The one exception: a 64-bit map_extra is an enum holding its value.
            let extra = layout
                .members
                .iter()
                .find(|m| m.name == "map_extra")
                .unwrap();
            let at = extra.offset as usize;
            assert_eq!(sym.bytes[at..at + 8], 0x1_0000_0000u64.to_le_bytes());
            assert!(sym.bytes[..at]
                .iter()
                .chain(&sym.bytes[at + 8..])
                .all(|b| *b == 0));
        } else {
            assert!(
                sym.bytes.iter().all(|b| *b == 0),
                "{}: definition is zeroed",
                sym.name
            );
        }
    }
}

#[test]
fn dwarf_describes_every_definition() {
    let object = rust_object();
    let sections = dwarf_sections(object);
    let names: Vec<String> = BTF_MAPS.iter().map(|(n, _)| n.to_string()).collect();
    let layouts = Debug::new(&sections).layouts(&names);
    const LIBBPF_FIELDS: &[&str] = &[
        "type",
        "max_entries",
        "map_flags",
        "numa_node",
        "key_size",
        "key",
        "value_size",
        "value",
        "values",
        "pinning",
        "map_extra",
    ];
    for (name, kind) in BTF_MAPS {
        let layout = layouts
            .get(*name)
            .unwrap_or_else(|| panic!("no DWARF variable for {name}"));
        let expected = MapType::from_name(kind).unwrap() as u64;
        assert_eq!(uint(layout, "type"), Some(expected), "{name}: type");
        for member in &layout.members {
            assert!(
                LIBBPF_FIELDS.contains(&member.name.as_str()),
                "{name}: unknown field {}",
                member.name
            );
        }
        if let Some(pos) = layout.members.iter().position(|m| m.name == "values") {
            assert_eq!(pos, layout.members.len() - 1, "{name}: values must be last");
        }
    }
    // One definition in full, worked out from the declaration.
    let flows = &layouts["FLOWS"];
    let expected = vec![
        ("type", 0, Encoding::Uint(1)),
        ("key", 8, Encoding::Type { size: 16 }),
        ("value", 16, Encoding::Type { size: 56 }),
        ("max_entries", 24, Encoding::Uint(10240)),
        (
            "map_flags",
            32,
            Encoding::Uint(u64::from(
                (MapFlags::NO_PREALLOC | MapFlags::RDONLY_PROG).bits(),
            )),
        ),
    ];
    let got: Vec<(&str, u64, Encoding)> = flows
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.offset, m.encoding.clone()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        uint(&layouts["LOG"], "max_entries"),
        Some(64 * 4096),
        "const expression"
    );
    assert_eq!(
        uint(&layouts["LRU"], "pinning"),
        Some(1),
        "pinning = by_name"
    );
    assert_eq!(uint(&layouts["RAW_KEY"], "key_size"), Some(12));
    assert_eq!(
        uint(&layouts["EVENTS"], "max_entries"),
        None,
        "left to the loader"
    );
    let Encoding::Values(inner) = &layouts["OUTER_HASH"].members.last().unwrap().encoding else {
        panic!("OUTER_HASH has values");
    };
    assert_eq!(uint(inner, "type"), Some(MapType::Hash as u64));
    assert_eq!(uint(inner, "max_entries"), Some(4096));
}

#[test]
fn legacy_records_decode() {
    let object = rust_object();
    let legacy: BTreeMap<String, Vec<u8>> = symbols(object)
        .into_iter()
        .filter(|s| s.section == "maps")
        .map(|s| {
            assert!(
                s.global,
                "{}: libbpf 0.x refuses static legacy maps",
                s.name
            );
            (s.name, s.bytes)
        })
        .collect();
    let expected = legacy_maps();
    assert_eq!(legacy.len(), expected.len());
    for (name, record) in expected {
        let bytes = &legacy[name];
        assert_eq!(bytes.len(), 20, "{name}: struct bpf_map_def is 5 × u32");
        let fields: Vec<u32> = bytes
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(
            fields, record,
            "{name}: type, key_size, value_size, max_entries, map_flags"
        );
    }
    assert!(
        maps_symbols(object)
            .iter()
            .all(|s| !legacy.contains_key(&s.name)),
        "a legacy map has no `.maps` definition"
    );
}

#[test]
fn slot_table_names_the_outer_map_and_its_slots() {
    let object = rust_object();
    let tables: Vec<Symbol> = symbols(object)
        .into_iter()
        .filter(|s| s.section == ".bpfc.slots")
        .collect();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].size, 8 * 4, "outer map + 3 slots");
    let table = &tables[0].name;
    let relocs: Vec<(u64, String)> = relocations(object, ".bpfc.slots")
        .into_iter()
        .map(|(holder, offset, to)| {
            assert_eq!(&holder, table);
            (offset, to)
        })
        .collect();
    assert_eq!(
        relocs,
        vec![
            (0, "OUTER_ARR".to_string()),
            (8, "SLOT_A".into()),
            (24, "SLOT_B".into())
        ]
    );
}

#[test]
fn definitions_match_clang() {
    let Some(c_object) = clang_object() else {
        return;
    };
    let object = rust_object();
    let rust_names: Vec<String> = BTF_MAPS.iter().map(|(n, _)| n.to_string()).collect();
    let mut c_maps: Vec<String> = maps_symbols(&c_object)
        .into_iter()
        .map(|s| s.name)
        .collect();
    c_maps.sort();
    let mut sorted = rust_names.clone();
    sorted.sort();
    assert_eq!(c_maps, sorted, "the C file declares the same maps");

    let rust_sections = dwarf_sections(object);
    let rust = Debug::new(&rust_sections).layouts(&rust_names);
    let c_sections = dwarf_sections(&c_object);
    let c = Debug::new(&c_sections).layouts(&rust_names);
    for name in &rust_names {
        assert_eq!(rust[name], c[name], "{name}: layout differs from clang's");
    }

    // Legacy records: the same 20 bytes.
    let rust_legacy: BTreeMap<String, Vec<u8>> = symbols(object)
        .into_iter()
        .filter(|s| s.section == "maps")
        .map(|s| (s.name, s.bytes))
        .collect();
    let c_legacy: BTreeMap<String, Vec<u8>> = symbols(&c_object)
        .into_iter()
        .filter(|s| s.section == "maps")
        .map(|s| (s.name, s.bytes))
        .collect();
    assert_eq!(rust_legacy, c_legacy);

    // Slots: clang relocates `values[i]` inside the definition; bpfc's table
    // has the outer map first, then slot i at 8 + 8·i.
    let values_offset = rust["OUTER_ARR"].size;
    let c_slots: Vec<(u64, String)> = relocations(&c_object, ".maps")
        .into_iter()
        .map(|(holder, offset, to)| {
            assert_eq!(holder, "OUTER_ARR");
            ((offset - values_offset) / 8, to)
        })
        .collect();
    let rust_slots: Vec<(u64, String)> = relocations(object, ".bpfc.slots")
        .into_iter()
        .filter(|(_, offset, _)| *offset > 0)
        .map(|(_, offset, to)| ((offset - 8) / 8, to))
        .collect();
    assert_eq!(rust_slots, c_slots);
}
