//! The object writer (`bpfc::write`) against its oracles.
//!
//! Plans are built by hand with `BtfBuilder`, definition structs shaped
//! exactly as libbpf's macros lay them out (`__uint` = PTR → ARRAY(int, N),
//! `__type` = PTR → T, `__array(values, ...)` = zero-length ARRAY of PTR →
//! inner definition). The written objects, in both byte orders, are then:
//!
//! - read back by bpfc's reader (same maps for LE and BE, equal to the
//!   plan) and checked by `bpfc::diag::check_object` with the kernel's BTF
//!   rules on: no error-level finding;
//! - opened by libbpf 1.1 (testdata/oracle/libbpf_maps.c): the same maps
//!   field by field;
//! - loaded into the running kernel by libbpf
//!   (testdata/oracle/libbpf_load_maps.c): each map's BPF_OBJ_GET_INFO_BY_FD
//!   equals the plan, BTF key/value ids are the plan's type ids, and the
//!   outer map's slots hold the planned inner maps;
//! - dumped by `bpftool btf dump file` identically to bpfc's raw dump, and
//!   accepted by `bpftool gen skeleton`;
//! - compared with what clang-19 emits for the same C declarations
//!   (section flags, alignment, symbols, relocations, BTF but for the
//!   DATASEC sizes clang leaves to libbpf).
//!
//! Legacy `maps` are tested on their own: libbpf >= 1.0 refuses them.

mod object_support;

use bpfc::btf::build::{BtfBuilder, Field};
use bpfc::btf::dump::raw::dump_raw;
use bpfc::btf::{int_encoding, Btf};
use bpfc::bytes::Endian;
use bpfc::diag::{check_object, CheckEnv, Code, Severity};
use bpfc::maps::{MapSlot, MapSpec};
use bpfc::object::ObjectSpec;
use bpfc::write::{
    write_file, write_object, LegacyDefinition, MapDefinition, ObjectPlan, WriteError,
};
use object_support::skip_rule::have_bpftool;
use object_support::{build_libbpf_oracle, skip};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---- plans ----

/// BTF for libbpf-style definitions, with the `__uint` arrays shared.
struct Defs {
    b: BtfBuilder,
    int: u32,
    index: u32,
    uints: HashMap<u32, u32>,
}

impl Defs {
    fn new() -> Defs {
        let mut b = BtfBuilder::new();
        let int = b.add_int("int", 4, int_encoding::SIGNED);
        let index = b.add_int("__ARRAY_SIZE_TYPE__", 4, 0);
        Defs {
            b,
            int,
            index,
            uints: HashMap::new(),
        }
    }

    /// `__uint(name, n)`: `int (*name)[n]`.
    fn uint(&mut self, n: u32) -> u32 {
        if let Some(&id) = self.uints.get(&n) {
            return id;
        }
        let arr = self.b.add_array(self.int, self.index, n);
        let id = self.b.add_ptr(arr);
        self.uints.insert(n, id);
        id
    }

    /// A definition struct of (member name, member type) at 8-byte steps.
    fn def(&mut self, name: &str, members: &[(&str, u32)]) -> (u32, u32) {
        let fields: Vec<Field<'_>> = members
            .iter()
            .enumerate()
            .map(|(i, &(n, t))| Field::new(n, t, 64 * i as u32))
            .collect();
        // A trailing `values` is a zero-length array: it adds no bytes.
        let size = 8 * members.iter().filter(|(n, _)| *n != "values").count() as u32;
        (self.b.add_struct(name, size, &fields), size)
    }
}

const HASH: u32 = 1;
const ARRAY: u32 = 2;
const PERF_EVENT_ARRAY: u32 = 4;
const ARRAY_OF_MAPS: u32 = 12;
const RINGBUF: u32 = 27;
const NO_PREALLOC: u32 = 1;

/// What each map of [`plan`] must read back as.
#[derive(Debug, Clone)]
struct Expect {
    name: &'static str,
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    /// BTF ids of key and value (0: none).
    key_id: u32,
    value_id: u32,
    slots: Vec<(u32, &'static str)>,
}

/// A hash with struct key and value, an array, a ring buffer, a perf event
/// array, three inner maps and an array of maps with 2 filled slots out of
/// 4; with `legacy`, also a legacy map.
fn plan(endian: Endian, legacy: bool) -> (ObjectPlan, Vec<Expect>) {
    let mut d = Defs::new();
    let uint_t = d.b.add_int("unsigned int", 4, 0);
    let u32_t = d.b.add_typedef("__u32", uint_t);
    let ushort = d.b.add_int("unsigned short", 2, 0);
    let u16_t = d.b.add_typedef("__u16", ushort);
    let ull = d.b.add_int("unsigned long long", 8, 0);
    let u64_t = d.b.add_typedef("__u64", ull);
    let key = d.b.add_struct(
        "flow_key",
        12,
        &[
            Field::new("saddr", u32_t, 0),
            Field::new("daddr", u32_t, 32),
            Field::new("sport", u16_t, 64),
            Field::new("dport", u16_t, 80),
        ],
    );
    let stats = d.b.add_struct(
        "flow_stats",
        16,
        &[
            Field::new("packets", u64_t, 0),
            Field::new("bytes", u64_t, 64),
        ],
    );
    let p_key = d.b.add_ptr(key);
    let p_stats = d.b.add_ptr(stats);
    let p_u32 = d.b.add_ptr(u32_t);
    let p_u64 = d.b.add_ptr(u64_t);

    let mut maps = Vec::new();
    let mut expect = Vec::new();
    let add = |maps: &mut Vec<MapDefinition>, name: &str, (type_id, size): (u32, u32)| {
        maps.push(MapDefinition {
            name: name.to_string(),
            type_id,
            size,
            slots: vec![],
        })
    };

    let members = [
        ("type", d.uint(HASH)),
        ("key", p_key),
        ("value", p_stats),
        ("max_entries", d.uint(1024)),
        ("map_flags", d.uint(NO_PREALLOC)),
    ];
    let def = d.def("", &members);
    add(&mut maps, "flows", def);
    expect.push(Expect {
        name: "flows",
        map_type: HASH,
        key_size: 12,
        value_size: 16,
        max_entries: 1024,
        map_flags: NO_PREALLOC,
        key_id: key,
        value_id: stats,
        slots: vec![],
    });

    let members = [
        ("type", d.uint(ARRAY)),
        ("key", p_u32),
        ("value", p_u64),
        ("max_entries", d.uint(8)),
    ];
    let def = d.def("", &members);
    add(&mut maps, "counters", def);
    expect.push(Expect {
        name: "counters",
        map_type: ARRAY,
        key_size: 4,
        value_size: 8,
        max_entries: 8,
        map_flags: 0,
        key_id: u32_t,
        value_id: u64_t,
        slots: vec![],
    });

    let members = [
        ("type", d.uint(RINGBUF)),
        ("max_entries", d.uint(256 * 1024)),
    ];
    let def = d.def("", &members);
    add(&mut maps, "events", def);
    expect.push(Expect {
        name: "events",
        map_type: RINGBUF,
        key_size: 0,
        value_size: 0,
        max_entries: 256 * 1024,
        map_flags: 0,
        key_id: 0,
        value_id: 0,
        slots: vec![],
    });

    let members = [
        ("type", d.uint(PERF_EVENT_ARRAY)),
        ("key_size", d.uint(4)),
        ("value_size", d.uint(4)),
    ];
    let def = d.def("", &members);
    add(&mut maps, "perf", def);
    expect.push(Expect {
        name: "perf",
        map_type: PERF_EVENT_ARRAY,
        key_size: 4,
        value_size: 4,
        max_entries: 0, // libbpf sizes it by the possible CPUs at create
        map_flags: 0,
        key_id: 0,
        value_id: 0,
        slots: vec![],
    });

    // struct inner { __uint(type, ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); };
    let members = [
        ("type", d.uint(ARRAY)),
        ("max_entries", d.uint(1)),
        ("key", p_u32),
        ("value", p_u32),
    ];
    let inner = d.def("inner", &members);
    for name in ["in0", "in1", "in2"] {
        add(&mut maps, name, inner);
        expect.push(Expect {
            name,
            map_type: ARRAY,
            key_size: 4,
            value_size: 4,
            max_entries: 1,
            map_flags: 0,
            key_id: u32_t,
            value_id: u32_t,
            slots: vec![],
        });
    }

    let p_inner = d.b.add_ptr(inner.0);
    let values = d.b.add_array(p_inner, d.index, 0);
    let members = [
        ("type", d.uint(ARRAY_OF_MAPS)),
        ("max_entries", d.uint(4)),
        ("key", p_u32),
        ("values", values),
    ];
    let def = d.def("", &members);
    add(&mut maps, "outer", def);
    maps.last_mut().unwrap().slots = vec![None, Some("in2".into()), None, Some("in0".into())];
    expect.push(Expect {
        name: "outer",
        map_type: ARRAY_OF_MAPS,
        key_size: 4,
        value_size: 4,
        max_entries: 4,
        map_flags: 0,
        key_id: u32_t, // libbpf records it, though it passes no BTF for map-in-map
        value_id: 0,
        slots: vec![(1, "in2"), (3, "in0")],
    });

    let mut legacy_defs = Vec::new();
    if legacy {
        legacy_defs.push(LegacyDefinition {
            name: "old_hash".into(),
            def: [HASH, 4, 8, 64, NO_PREALLOC],
        });
        // bpfc's reader lists the legacy section's maps first.
        expect.insert(
            0,
            Expect {
                name: "old_hash",
                map_type: HASH,
                key_size: 4,
                value_size: 8,
                max_entries: 64,
                map_flags: NO_PREALLOC,
                key_id: 0,
                value_id: 0,
                slots: vec![],
            },
        );
    }
    let plan = ObjectPlan {
        btf: d.b,
        maps,
        legacy: legacy_defs,
        license: "Dual MIT/GPL".into(),
        endian,
    };
    (plan, expect)
}

fn write(endian: Endian, legacy: bool) -> (Vec<u8>, Vec<Expect>) {
    let (plan, expect) = plan(endian, legacy);
    (write_object(&plan).expect("plan is writable"), expect)
}

fn slots_of(m: &MapSpec) -> Vec<(u32, String)> {
    m.slots
        .iter()
        .map(|MapSlot { index, target }| (*index, target.clone()))
        .collect()
}

fn assert_maps(obj: &ObjectSpec<'_>, expect: &[Expect]) {
    let names: Vec<&str> = obj.maps.iter().map(|m| m.name.as_str()).collect();
    let wanted: Vec<&str> = expect.iter().map(|e| e.name).collect();
    assert_eq!(names, wanted);
    for (m, e) in obj.maps.iter().zip(expect) {
        let got = (
            m.map_type,
            m.key_size,
            m.value_size,
            m.max_entries,
            m.map_flags,
            m.btf_key_type_id,
            m.btf_value_type_id,
        );
        let want = (
            e.map_type,
            e.key_size,
            e.value_size,
            e.max_entries,
            e.map_flags,
            e.key_id,
            e.value_id,
        );
        assert_eq!(got, want, "map {}", e.name);
        let want_slots: Vec<(u32, String)> =
            e.slots.iter().map(|(i, t)| (*i, t.to_string())).collect();
        assert_eq!(slots_of(m), want_slots, "slots of {}", e.name);
    }
    let outer = obj.maps.iter().find(|m| m.name == "outer").unwrap();
    let inner = outer.inner.as_deref().expect("outer has an inner template");
    assert_eq!(
        (
            inner.map_type,
            inner.key_size,
            inner.value_size,
            inner.max_entries
        ),
        (ARRAY, 4, 4, 1)
    );
}

// ---- bpfc's own reader and checker ----

#[test]
fn reader_lists_the_planned_maps_in_both_byte_orders() {
    let (le, expect) = write(Endian::Little, false);
    let (be, _) = write(Endian::Big, false);
    let le_obj = ObjectSpec::parse(&le, "plan").expect("LE object parses");
    let be_obj = ObjectSpec::parse(&be, "plan").expect("BE object parses");
    assert_maps(&le_obj, &expect);
    assert_maps(&be_obj, &expect);
    assert_eq!(le_obj.maps, be_obj.maps, "LE and BE give the same maps");
    assert_eq!(le_obj.license.as_deref(), Some("Dual MIT/GPL"));
    assert_eq!(be_obj.license.as_deref(), Some("Dual MIT/GPL"));
}

#[test]
fn checker_finds_no_error() {
    let env = CheckEnv {
        validate_btf: true,
        ..CheckEnv::default()
    };
    for endian in [Endian::Little, Endian::Big] {
        let (bytes, _) = write(endian, false);
        let obj = ObjectSpec::parse(&bytes, "plan").unwrap();
        let errors: Vec<_> = check_object(&obj, &env)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{endian:?}: {errors:#?}");
    }
}

#[test]
fn legacy_map_reads_back_with_only_the_legacy_finding() {
    let env = CheckEnv {
        validate_btf: true,
        ..CheckEnv::default()
    };
    for endian in [Endian::Little, Endian::Big] {
        let (bytes, expect) = write(endian, true);
        let obj = ObjectSpec::parse(&bytes, "plan").unwrap();
        assert_maps(&obj, &expect);
        let findings = check_object(&obj, &env);
        let serious: Vec<_> = findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning && f.code != Code::LegacyMapsSection)
            .collect();
        assert!(serious.is_empty(), "{endian:?}: {serious:#?}");
        assert!(
            findings.iter().any(|f| f.code == Code::LegacyMapsSection),
            "{endian:?}: libbpf >= 1.0 refuses `maps`; bpfc must say so"
        );
        // The record is in the plan's byte order.
        let def = &bytes[find_section(&bytes, "maps").unwrap()];
        let first = |i: usize| endian.u32([def[i], def[i + 1], def[i + 2], def[i + 3]]);
        assert_eq!(
            (0..5).map(|i| first(4 * i)).collect::<Vec<_>>(),
            [HASH, 4, 8, 64, NO_PREALLOC]
        );
    }
}

/// The byte range of a section, by name, through goblin.
fn find_section(bytes: &[u8], name: &str) -> Option<std::ops::Range<usize>> {
    let elf = goblin::elf::Elf::parse(bytes).ok()?;
    elf.section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(name))
        .map(|s| s.sh_offset as usize..(s.sh_offset + s.sh_size) as usize)
}

// ---- clang-19: the same declarations in C ----

/// The C declarations [`plan`] writes, as a libbpf user writes them.
const EQUIVALENT_C: &str = r#"
#include "bpfc_fixture.h"
struct flow_key { __u32 saddr, daddr; __u16 sport, dport; };
struct flow_stats { __u64 packets, bytes; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} counters SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} perf SEC(".maps");
struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};
struct inner in0 SEC(".maps");
struct inner in1 SEC(".maps");
struct inner in2 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { [1] = &in2, [3] = &in0 } };
#ifdef LEGACY
struct bpf_map_def SEC("maps") old_hash = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8,
	.max_entries = 64, .map_flags = BPF_F_NO_PREALLOC,
};
#endif
char _license[] SEC("license") = "Dual MIT/GPL";
"#;

/// [`EQUIVALENT_C`] compiled by clang-19 for `endian`; `None` after a SKIP.
fn clang_equivalent(dir: &Path, endian: Endian, legacy: bool) -> Option<Vec<u8>> {
    let src = dir.join("equivalent.bpf.c");
    std::fs::write(&src, EQUIVALENT_C).unwrap();
    let out = dir.join("equivalent.bpf.o");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/c");
    let target = match endian {
        Endian::Little => "bpfel",
        Endian::Big => "bpfeb",
    };
    let mut cmd = Command::new("clang-19");
    cmd.args(["-target", target, "-g", "-O2", "-c", "-I"])
        .arg(&fixtures)
        .arg(&src)
        .arg("-o")
        .arg(&out);
    if legacy {
        cmd.arg("-DLEGACY");
    }
    match cmd.output() {
        Ok(o) if o.status.success() => Some(std::fs::read(&out).unwrap()),
        Ok(o) => panic!("clang-19: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            skip(&format!("clang-19 not runnable: {e}"));
            None
        }
    }
}

/// type, flags, align, entsize, link's name, info's name or number, size.
type SectionFacts = (u32, u64, u64, u64, String, String, u64);
/// A DATASEC's name and its (var name, linkage, offset, size) entries.
type Datasec = (String, Vec<(String, u32, u32, u32)>);

/// The parts of an object that must agree with clang's: every section of
/// ours (but `.strtab`/`.symtab` whose contents differ by clang's debug
/// info) with its header fields and, for data, its bytes; every symbol;
/// every `.rel.maps` relocation.
#[derive(Debug, PartialEq)]
struct ElfFacts {
    /// name → its header fields ([`SectionFacts`]; `.BTF` size 0: the blobs differ)
    sections: Vec<(String, SectionFacts)>,
    data: Vec<(String, Vec<u8>)>,
    /// name, info, other, section name, size (clang places the variables
    /// of `.maps` in its own order, so values are not compared)
    symbols: Vec<(String, u8, u8, String, u64)>,
    /// map holding the slot, offset in that map, type, target symbol name
    relocs: Vec<(String, u64, u32, String)>,
}

fn elf_facts(bytes: &[u8], only: &[String]) -> ElfFacts {
    let elf = goblin::elf::Elf::parse(bytes).expect("goblin parses it");
    let sec_name = |i: usize| -> String {
        elf.section_headers
            .get(i)
            .and_then(|s| elf.shdr_strtab.get_at(s.sh_name))
            .unwrap_or("")
            .to_string()
    };
    let wanted = |n: &str| only.iter().any(|o| o == n);
    let mut sections = Vec::new();
    let mut data = Vec::new();
    for (i, s) in elf.section_headers.iter().enumerate() {
        let name = sec_name(i);
        if !wanted(&name) {
            continue;
        }
        let info = if s.sh_flags & u64::from(goblin::elf::section_header::SHF_INFO_LINK) != 0 {
            sec_name(s.sh_info as usize)
        } else {
            s.sh_info.to_string()
        };
        let size = if name == ".BTF" { 0 } else { s.sh_size };
        sections.push((
            name.clone(),
            (
                s.sh_type,
                s.sh_flags,
                s.sh_addralign,
                s.sh_entsize,
                sec_name(s.sh_link as usize),
                info,
                size,
            ),
        ));
        if ["maps", ".maps", "license"].contains(&name.as_str()) {
            let r = s.sh_offset as usize..(s.sh_offset + s.sh_size) as usize;
            data.push((name, bytes[r].to_vec()));
        }
    }
    sections.sort();
    let objects: Vec<_> = elf
        .syms
        .iter()
        .filter(|s| s.st_type() == goblin::elf::sym::STT_OBJECT)
        .collect();
    let sym_name = |s: &goblin::elf::Sym| elf.strtab.get_at(s.st_name).unwrap_or("").to_string();
    let mut symbols: Vec<_> = objects
        .iter()
        .map(|s| {
            (
                sym_name(s),
                s.st_info,
                s.st_other,
                sec_name(s.st_shndx),
                s.st_size,
            )
        })
        .collect();
    symbols.sort();
    let mut relocs = Vec::new();
    for (idx, rels) in &elf.shdr_relocs {
        if sec_name(*idx) != ".rel.maps" {
            continue;
        }
        for r in rels.iter() {
            let target = sym_name(&elf.syms.get(r.r_sym).unwrap());
            let holder = objects
                .iter()
                .find(|s| {
                    sec_name(s.st_shndx) == ".maps"
                        && (s.st_value..s.st_value + s.st_size).contains(&r.r_offset)
                })
                .expect("a slot lies inside a map's symbol");
            relocs.push((
                sym_name(holder),
                r.r_offset - holder.st_value,
                r.r_type,
                target,
            ));
        }
    }
    relocs.sort();
    ElfFacts {
        sections,
        data,
        symbols,
        relocs,
    }
}

/// (st_value, st_size) of a symbol.
fn symbol(bytes: &[u8], name: &str) -> (u64, u64) {
    let elf = goblin::elf::Elf::parse(bytes).unwrap();
    let s = elf
        .syms
        .iter()
        .find(|s| elf.strtab.get_at(s.st_name) == Some(name))
        .unwrap();
    (s.st_value, s.st_size)
}

fn section_names(bytes: &[u8]) -> Vec<String> {
    let elf = goblin::elf::Elf::parse(bytes).unwrap();
    elf.section_headers
        .iter()
        .filter_map(|s| elf.shdr_strtab.get_at(s.sh_name))
        .filter(|n| !n.is_empty() && *n != ".strtab" && *n != ".symtab")
        .map(str::to_string)
        .collect()
}

/// Maps by name without BTF ids and `.maps` offsets (clang numbers its
/// types and places its variables in its own order).
fn without_ids(maps: &[MapSpec]) -> Vec<MapSpec> {
    let mut v: Vec<MapSpec> = maps
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m.btf_key_type_id = 0;
            m.btf_value_type_id = 0;
            if let Some(inner) = &mut m.inner {
                inner.btf_key_type_id = 0;
                inner.btf_value_type_id = 0;
            }
            if let bpfc::maps::MapSource::BtfMaps { offset, .. } = &mut m.source {
                *offset = 0;
            }
            m
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// (var name, linkage, entry offset, entry size) per DATASEC, by name.
fn datasecs(bytes: &[u8]) -> Vec<Datasec> {
    let elf_btf = bpfc::btf::elf::btf_sections(bytes).expect("has .BTF");
    let btf = Btf::parse(elf_btf.btf.data).expect("BTF parses");
    let mut out = Vec::new();
    for t in btf.types() {
        if t.kind() != bpfc::btf::Kind::Datasec {
            continue;
        }
        let entries = t
            .datasec_entries()
            .map(|e| {
                let var = btf.type_by_id(e.type_id).unwrap();
                (
                    btf.name(&var).unwrap().into_owned(),
                    var.var_linkage().unwrap(),
                    e.offset,
                    e.size,
                )
            })
            .collect();
        out.push((btf.name(&t).unwrap().into_owned(), entries));
    }
    out.sort();
    out
}

#[test]
fn matches_what_clang_emits_for_the_same_c() {
    let dir = tempfile::tempdir().unwrap();
    for endian in [Endian::Little, Endian::Big] {
        for legacy in [false, true] {
            let what = format!("{endian:?}, legacy {legacy}");
            let Some(theirs) = clang_equivalent(dir.path(), endian, legacy) else {
                return;
            };
            let (ours, _) = write(endian, legacy);
            let names = section_names(&ours);
            let theirs_names = section_names(&theirs);
            for n in &names {
                assert!(theirs_names.contains(n), "{what}: clang has no {n}");
            }
            assert_eq!(
                elf_facts(&ours, &names),
                elf_facts(&theirs, &names),
                "{what}: ELF differs from clang's"
            );
            let (o, t) = (
                ObjectSpec::parse(&ours, "equivalent").unwrap(),
                ObjectSpec::parse(&theirs, "equivalent").unwrap(),
            );
            assert_eq!(without_ids(&o.maps), without_ids(&t.maps), "{what}: maps");
            assert_eq!(o.license, t.license, "{what}: license");

            // DATASECs: the same variables with the same linkage and sizes;
            // clang leaves offsets (and section sizes) to libbpf, ours are
            // the symbols' values.
            let ours_ds = datasecs(&ours);
            let theirs_ds = datasecs(&theirs);
            let strip = |v: &[Datasec]| {
                v.iter()
                    .map(|(n, e)| {
                        let mut e: Vec<_> =
                            e.iter().map(|(v, l, _, s)| (v.clone(), *l, *s)).collect();
                        e.sort();
                        (n.clone(), e)
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&ours_ds), strip(&theirs_ds), "{what}: DATASECs");
            for (_, entries) in &ours_ds {
                for (var, _, offset, size) in entries {
                    let sym = symbol(&ours, var);
                    assert_eq!((u64::from(*offset), u64::from(*size)), sym, "{what}: {var}");
                }
            }
        }
    }
}

// ---- libbpf, the kernel, bpftool ----

/// Writes [`plan`] into `dir` with `write_file`.
fn write_into(dir: &Path, name: &str, endian: Endian, legacy: bool) -> (PathBuf, Vec<Expect>) {
    let (bytes, expect) = write(endian, legacy);
    let path = dir.join(name);
    write_file(&path, &bytes).expect("write_file");
    (path, expect)
}

fn run_json(cmd: &Path, args: &[&Path]) -> Vec<Value> {
    let out = Command::new(cmd).args(args).output().expect("oracle runs");
    assert!(out.status.success(), "{}: {out:?}", cmd.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn libbpf_opens_the_same_maps() {
    let dir = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(dir.path(), "libbpf_maps") else {
        return;
    };
    let (le, expect) = write_into(dir.path(), "plan.bpf.o", Endian::Little, false);
    let (be, _) = write_into(dir.path(), "plan_be.bpf.o", Endian::Big, false);
    let (legacy, _) = write_into(dir.path(), "plan_legacy.bpf.o", Endian::Little, true);
    let lines = run_json(&oracle, &[&le, &be, &legacy]);
    let maps = lines[0]["maps"].as_array().expect("libbpf opens it");
    let names: Vec<&str> = maps.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, expect.iter().map(|e| e.name).collect::<Vec<_>>());
    for (m, e) in maps.iter().zip(&expect) {
        let u = |k: &str| m[k].as_u64().unwrap() as u32;
        assert_eq!(
            (
                u("type"),
                u("key_size"),
                u("value_size"),
                u("max_entries"),
                u("map_flags"),
                u("numa_node"),
                m["map_extra"].as_u64().unwrap(),
                m["internal"].as_bool().unwrap()
            ),
            (
                e.map_type,
                e.key_size,
                e.value_size,
                // The ring buffer's size is already a power-of-two number
                // of pages: libbpf leaves it as it is.
                e.max_entries,
                e.map_flags,
                0,
                0,
                false
            ),
            "map {}",
            e.name
        );
    }
    // A big-endian object on a little-endian host: LIBBPF_ERRNO__ENDIAN.
    if Endian::NATIVE == Endian::Little {
        assert_eq!(lines[1]["error"].as_i64(), Some(-4003), "{}", lines[1]);
    }
    // libbpf >= 1.0 refuses the legacy `maps` section (EOPNOTSUPP).
    assert_eq!(lines[2]["error"].as_i64(), Some(-95), "{}", lines[2]);
}

/// libbpf loads the object into the running kernel; the kernel's view of
/// each map equals the plan.
#[test]
fn kernel_creates_the_planned_maps_and_slots() {
    let dir = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(dir.path(), "libbpf_load_maps") else {
        return;
    };
    let (path, expect) = write_into(dir.path(), "plan.bpf.o", Endian::NATIVE, false);
    let lines = run_json(&oracle, &[&path]);
    let line = &lines[0];
    if line["error"].as_i64() == Some(-1) {
        skip(&format!("no permission to create maps: {line}"));
        return;
    }
    let maps = line["maps"]
        .as_array()
        .unwrap_or_else(|| panic!("libbpf could not load the object: {line}"));
    let cpus = line["possible_cpus"].as_u64().unwrap() as u32;
    let names: Vec<&str> = maps.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, expect.iter().map(|e| e.name).collect::<Vec<_>>());
    for (m, e) in maps.iter().zip(&expect) {
        let u = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k}: {m}")) as u32;
        let max_entries = if e.map_type == PERF_EVENT_ARRAY && e.max_entries == 0 {
            cpus
        } else {
            e.max_entries
        };
        // libbpf passes no BTF for map-in-map outer maps (the kernel
        // refuses value BTF there), nor for maps without key/value types.
        let (key_id, value_id) = if e.map_type == ARRAY_OF_MAPS {
            (0, 0)
        } else {
            (e.key_id, e.value_id)
        };
        assert_eq!(
            (
                u("type"),
                u("key_size"),
                u("value_size"),
                u("max_entries"),
                u("map_flags"),
                u("btf_key_type_id"),
                u("btf_value_type_id"),
            ),
            (
                e.map_type,
                e.key_size,
                e.value_size,
                max_entries,
                e.map_flags,
                key_id,
                value_id
            ),
            "map {}",
            e.name
        );
        assert_eq!(m["kernel_name"].as_str(), Some(e.name));
        if key_id != 0 {
            assert_ne!(u("btf_id"), 0, "map {} has BTF", e.name);
        }
        if e.map_type == ARRAY_OF_MAPS {
            let slots: Vec<(u32, String)> = m["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s[0].as_u64().unwrap() as u32, s[1].as_str().unwrap().into()))
                .collect();
            let want: Vec<(u32, String)> =
                e.slots.iter().map(|(i, t)| (*i, t.to_string())).collect();
            assert_eq!(slots, want, "slots of {}", e.name);
        }
    }
}

#[test]
fn bpftool_btf_dump_equals_bpfc_raw_dump() {
    if !have_bpftool() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (endian, legacy, name) in [
        (Endian::Little, false, "le.bpf.o"),
        (Endian::Big, false, "be.bpf.o"),
        (Endian::Little, true, "le_legacy.bpf.o"),
        (Endian::Big, true, "be_legacy.bpf.o"),
    ] {
        let (path, _) = write_into(dir.path(), name, endian, legacy);
        let out = Command::new("bpftool")
            .args(["btf", "dump", "file"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "bpftool on {name}: {out:?}");
        let bytes = std::fs::read(&path).unwrap();
        let elf_btf = bpfc::btf::elf::btf_sections(&bytes).unwrap();
        let btf = Btf::parse(elf_btf.btf.data).unwrap();
        let mut ours = Vec::new();
        dump_raw(&btf, &mut ours).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&out.stdout),
            "{name}"
        );
    }
}

#[test]
fn bpftool_generates_a_skeleton() {
    if !have_bpftool() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, expect) = write_into(dir.path(), "plan.bpf.o", Endian::NATIVE, false);
    let out = Command::new("bpftool")
        .args(["gen", "skeleton"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "bpftool gen skeleton: {out:?}");
    let skel = String::from_utf8(out.stdout).unwrap();
    for e in &expect {
        assert!(
            skel.contains(&format!("struct bpf_map *{};", e.name)),
            "skeleton lacks map {}",
            e.name
        );
    }
}

// ---- determinism, files, errors ----

#[test]
fn same_plan_same_bytes() {
    for endian in [Endian::Little, Endian::Big] {
        for legacy in [false, true] {
            let (a, _) = write(endian, legacy);
            let (b, _) = write(endian, legacy);
            assert_eq!(a, b);
        }
    }
    // The byte orders differ, and only in byte order: same length.
    let (le, _) = write(Endian::Little, true);
    let (be, _) = write(Endian::Big, true);
    assert_ne!(le, be);
    assert_eq!(le.len(), be.len());
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn write_file_replaces_atomically_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.bpf.o");
    std::fs::write(&path, b"old").unwrap();
    let (bytes, _) = write(Endian::Little, false);
    write_file(&path, &bytes).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(entries(dir.path()), ["x.bpf.o"], "no temporary file left");

    // The target is a directory: the rename fails, the temporary file goes.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("keep"), b"k").unwrap();
    let err = write_file(&sub, &bytes).unwrap_err();
    assert!(
        matches!(&err, WriteError::Io { path, .. } if path == &sub),
        "{err}"
    );
    assert_eq!(entries(dir.path()), ["sub", "x.bpf.o"]);

    // A missing directory: nothing can be created, the error names the path.
    let missing = dir.path().join("nope").join("y.bpf.o");
    let err = write_file(&missing, &bytes).unwrap_err();
    assert!(matches!(err, WriteError::Io { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn write_file_in_a_read_only_directory_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let path = ro.join("x.bpf.o");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores directory permissions: then the write simply succeeds.
    let probe = ro.join(".probe");
    if std::fs::write(&probe, b"").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("running as root: a read-only directory is writable; checked via other errors");
        return;
    }
    let err = write_file(&path, b"new").unwrap_err();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(err, WriteError::Io { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(entries(&ro), ["x.bpf.o"]);
}

/// A small valid plan to break in one way at a time.
fn small() -> ObjectPlan {
    plan(Endian::Little, false).0
}

fn err_of(p: &ObjectPlan) -> WriteError {
    write_object(p).expect_err("plan must be refused")
}

#[test]
fn refuses_plans_loaders_would_refuse() {
    let mut p = small();
    p.maps[1].name = "flows".into();
    assert!(matches!(err_of(&p), WriteError::DuplicateMap { name } if name == "flows"));

    let mut p = small();
    p.legacy.push(LegacyDefinition {
        name: "counters".into(),
        def: [1, 4, 4, 1, 0],
    });
    assert!(matches!(err_of(&p), WriteError::DuplicateMap { name } if name == "counters"));

    for bad in ["", "1st", "a-b", "a.b", "ü", "x\0y", &"n".repeat(128)] {
        let mut p = small();
        p.maps[0].name = bad.into();
        assert!(
            matches!(err_of(&p), WriteError::InvalidName { .. }),
            "{bad:?}"
        );
    }
    let mut p = small();
    p.maps[0].name = "_license".into();
    assert!(matches!(err_of(&p), WriteError::ReservedName { .. }));

    let outer = p_index(&small(), "outer");
    let mut p = small();
    p.maps[outer].slots[1] = Some("nope".into());
    let e = err_of(&p);
    assert!(
        matches!(&e, WriteError::UnknownSlotTarget { map, slot: 1, target } if map == "outer" && target == "nope"),
        "{e}"
    );
    assert!(e.to_string().contains("outer"), "{e}");

    // libbpf 1.1 fills an outer map's slots right after creating it, so a
    // slot's map must come earlier (else "failed to initialize slot [1] to
    // map 'in2' fd=-1": EBADF, seen with testdata/oracle/libbpf_load_maps.c).
    let mut p = small();
    let o = p.maps.remove(outer);
    p.maps.insert(0, o);
    let e = err_of(&p);
    assert!(
        matches!(&e, WriteError::SlotTargetNotBefore { map, slot: 1, target } if map == "outer" && target == "in2"),
        "{e}"
    );
    let mut p = small();
    p.maps[outer].slots[0] = Some("outer".into());
    assert!(matches!(err_of(&p), WriteError::SlotTargetNotBefore { .. }));

    // A legacy map is not a BTF-defined map: it cannot fill a slot.
    let mut p = small();
    p.legacy.push(LegacyDefinition {
        name: "old".into(),
        def: [2, 4, 4, 1, 0],
    });
    p.maps[outer].slots[0] = Some("old".into());
    assert!(matches!(err_of(&p), WriteError::UnknownSlotTarget { .. }));

    let mut p = small();
    p.maps[0].slots = vec![Some("in0".into())];
    assert!(
        matches!(err_of(&p), WriteError::SlotsWithoutValues { map, slots: 1 } if map == "flows")
    );

    let mut p = small();
    p.maps[0].size += 8;
    assert!(matches!(err_of(&p), WriteError::SizeMismatch { .. }));

    let mut p = small();
    p.maps[0].type_id = 1; // INT 'int'
    assert!(matches!(err_of(&p), WriteError::NotAStruct { .. }));
    let mut p = small();
    p.maps[0].type_id = 100_000;
    assert!(matches!(err_of(&p), WriteError::NotAStruct { .. }));

    let mut p = small();
    let empty = p.btf.add_struct("empty", 0, &[]);
    p.maps[0].type_id = empty;
    p.maps[0].size = 0;
    assert!(matches!(err_of(&p), WriteError::EmptyDefinition { .. }));

    let mut p = small();
    p.license = "GPL\0x".into();
    assert!(matches!(err_of(&p), WriteError::LicenseNul { offset: 3 }));

    let mut p = small();
    p.btf.add_datasec(".maps", 0, &[]);
    assert!(matches!(
        err_of(&p),
        WriteError::BtfConflict {
            kind: "DATASEC",
            ..
        }
    ));
    let mut p = small();
    let int = 1;
    p.btf.add_var("counters", int, 1);
    assert!(matches!(
        err_of(&p),
        WriteError::BtfConflict { kind: "VAR", .. }
    ));

    // `values` must be the last member (libbpf), and slots sit after it.
    let mut d = Defs::new();
    let p_int = d.b.add_ptr(d.int);
    let values = d.b.add_array(p_int, d.index, 0);
    let ty = d.uint(ARRAY_OF_MAPS);
    let def = d.b.add_struct(
        "",
        16,
        &[Field::new("values", values, 0), Field::new("type", ty, 0)],
    );
    let p = ObjectPlan {
        btf: d.b,
        maps: vec![MapDefinition {
            name: "o".into(),
            type_id: def,
            size: 16,
            slots: vec![None],
        }],
        legacy: vec![],
        license: String::new(),
        endian: Endian::Little,
    };
    assert!(matches!(err_of(&p), WriteError::ValuesNotLast { .. }));

    let mut p = small();
    p.btf =
        BtfBuilder::new_split(&Btf::parse(&small().btf.encode(Endian::Little).unwrap()).unwrap());
    assert!(matches!(err_of(&p), WriteError::SplitBtf { .. }));
}

fn p_index(p: &ObjectPlan, name: &str) -> usize {
    p.maps.iter().position(|m| m.name == name).unwrap()
}

#[test]
fn empty_plan_is_a_license_only_object() {
    let p = ObjectPlan {
        btf: BtfBuilder::new(),
        maps: vec![],
        legacy: vec![],
        license: "GPL".into(),
        endian: Endian::Big,
    };
    let bytes = write_object(&p).unwrap();
    let obj = ObjectSpec::parse(&bytes, "empty").unwrap();
    assert!(obj.maps.is_empty());
    assert_eq!(obj.license.as_deref(), Some("GPL"));
    assert_eq!(section_names(&bytes), ["license", ".BTF"]);
}

#[test]
fn too_large_plans_are_errors_not_panics() {
    // Two definitions of almost 4 GiB each: `.maps` would not fit the u32
    // DATASEC size (and nothing is allocated before that is known).
    let mut b = BtfBuilder::new();
    let big = b.add_struct("big", u32::MAX - 7, &[]);
    let map = |name: &str| MapDefinition {
        name: name.into(),
        type_id: big,
        size: u32::MAX - 7,
        slots: vec![],
    };
    let p = ObjectPlan {
        btf: b,
        maps: vec![map("a"), map("b")],
        legacy: vec![],
        license: "GPL".into(),
        endian: Endian::Little,
    };
    let e = err_of(&p);
    assert!(matches!(e, WriteError::TooLarge { .. }), "{e}");
}
