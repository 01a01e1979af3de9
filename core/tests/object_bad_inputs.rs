//! The bad-input catalogue, items 1-24 (reference section 8): each input is
//! built from a C fixture (or a real object patched byte by byte) and must
//! give its specific finding, with the loader's own message where the loader
//! has one. Expected messages are libbpf's and cilium/ebpf's format strings
//! (libbpf.c, linker.c, elf_reader.go) filled in for the fixture; the
//! libbpf 1.1 oracle printed the same text for every case it shares.

mod object_support;

use bpfc::diag::{check_object, Actor, CheckEnv, Code, Finding, Severity};
use bpfc::maps::MapSource;
use bpfc::object::{check_link, legacy_layout, LegacyLayout, ObjectError, ObjectSpec};
use object_support::{compile, compile_into};

fn check(data: &[u8]) -> Vec<Finding> {
    let obj = ObjectSpec::parse(data, "fixture").expect("reads");
    check_object(&obj, &CheckEnv::default())
}

/// The finding with `code`, asserting its severity and (when given) that
/// `actor` prints exactly `message`.
fn expect<'f>(
    findings: &'f [Finding],
    code: Code,
    severity: Severity,
    said: Option<(Actor, &str)>,
) -> &'f Finding {
    let all = || {
        findings
            .iter()
            .map(|f| format!("  {f}\n"))
            .collect::<String>()
    };
    let f = findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} among:\n{}", all()));
    assert_eq!(f.severity, severity, "{f}");
    if let Some((actor, message)) = said {
        assert!(
            f.effects
                .iter()
                .any(|e| e.actor == actor && e.message == message),
            "{actor} should say {message:?}; {f:?}"
        );
    }
    f
}

fn legacy(args: &[&str]) -> Option<Vec<Finding>> {
    Some(check(&compile("legacy_maps.bpf.c", args)?))
}

fn bad_map(case: &str) -> Option<Vec<Finding>> {
    Some(check(&compile(
        "bad_btf_maps.bpf.c",
        &[&format!("-DCASE_{case}")],
    )?))
}

#[test]
fn item_01_legacy_maps_section() {
    let Some(f) = legacy(&[]) else { return };
    expect(
        &f,
        Code::LegacyMapsSection,
        Severity::Warning,
        Some((
            Actor::Libbpf,
            "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+",
        )),
    );
    // maps/NAME: libbpf skips it, cilium reads it.
    let Some(f) = legacy(&["-DSUBSECTION"]) else {
        return;
    };
    expect(&f, Code::LegacyMapsSubsection, Severity::Warning, None);
    assert!(f.iter().all(|f| f.severity != Severity::Error), "{f:?}");
}

#[test]
fn item_02_static_legacy_map_referenced() {
    let Some(f) = legacy(&["-DSTATIC_REF"]) else {
        return;
    };
    expect(&f, Code::LegacyStaticMapReferenced, Severity::Error, Some((
        Actor::Cilium,
        "possible erroneous static qualifier on map definition: found reference to \"hidden_table\"",
    )));
    expect(
        &f,
        Code::LegacyStaticMap,
        Severity::Warning,
        Some((Actor::Libbpf, "libbpf 0.x: static maps are not supported")),
    );
}

#[test]
fn item_03_legacy_extra_non_zero_bytes() {
    let Some(f) = legacy(&["-DEXTRA"]) else {
        return;
    };
    let e = expect(
        &f,
        Code::LegacyExtraBytes,
        Severity::Error,
        Some((
            Actor::Cilium,
            "map extended: extra contains unhandled non-zero bytes, drain before creating map",
        )),
    );
    assert_eq!(e.subject, bpfc::diag::Subject::Map("extended".into()));
}

#[test]
fn item_04_iproute2_bpf_elf_map() {
    let Some(data) = compile("legacy_layouts.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "fixture").unwrap();
    let outer = obj.map("tc_outer").unwrap();
    let MapSource::Legacy {
        def_size, extra, ..
    } = &outer.source
    else {
        panic!("{outer:?}")
    };
    // Values from the fixture's initialiser.
    assert_eq!(
        legacy_layout(*def_size, extra, obj.endian),
        LegacyLayout::Iproute2 {
            id: 1,
            pinning: 2,
            inner_id: 2,
            inner_idx: 1
        }
    );
    assert_eq!(
        (outer.key_size, outer.value_size, outer.max_entries),
        (4, 4, 2)
    );
    let f = check_object(&obj, &CheckEnv::default());
    expect(&f, Code::LegacyExtendedFields, Severity::Note, None);
    assert!(!f.iter().any(|f| f.code == Code::LegacyExtraBytes));

    let Some(data) = compile("legacy_layouts.bpf.c", &["-DPACKED"]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "fixture").unwrap();
    let m = obj.map("old_tc_map").unwrap();
    let MapSource::Legacy {
        def_size, extra, ..
    } = &m.source
    else {
        panic!()
    };
    assert_eq!(*def_size, 21);
    assert_eq!(
        legacy_layout(21, extra, obj.endian),
        LegacyLayout::Iproute2Packed { id: 9, pinning: 2 }
    );
    assert_eq!(
        (
            m.map_type,
            m.key_size,
            m.value_size,
            m.max_entries,
            m.map_flags
        ),
        (2, 4, 4, 8, 0)
    );

    let Some(data) = compile("legacy_layouts.bpf.c", &["-DAYA"]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "fixture").unwrap();
    let m = obj.map("aya_map").unwrap();
    let MapSource::Legacy {
        def_size, extra, ..
    } = &m.source
    else {
        panic!()
    };
    assert_eq!(
        legacy_layout(*def_size, extra, obj.endian),
        LegacyLayout::Extended28 { word5: 3, word6: 1 }
    );
}

#[test]
fn item_05_unequal_legacy_sizes() {
    let Some(f) = legacy(&["-DMIXED"]) else {
        return;
    };
    expect(
        &f,
        Code::LegacyUnequalSizes,
        Severity::Warning,
        Some((
            Actor::Cilium,
            "up to v0.20: map descriptors are not of equal size",
        )),
    );
}

/// Offset of the Elf64_Sym of `name` in the file.
fn symbol_offset(data: &[u8], name: &str) -> usize {
    let obj = ObjectSpec::parse(data, "fixture").unwrap();
    let symtab = obj.sections.iter().find(|s| s.sh_type == 2).unwrap();
    let sym = obj.symbols.iter().find(|s| s.name == name).unwrap();
    symtab.offset as usize + sym.index as usize * 24
}

#[test]
fn item_06_symbol_past_section_end() {
    let Some(mut data) = compile("legacy_maps.bpf.c", &[]) else {
        return;
    };
    let at = symbol_offset(&data, "table") + 16; // st_size
    data[at..at + 8].copy_from_slice(&1000u64.to_ne_bytes());
    expect(
        &check(&data),
        Code::LegacyDefinitionOutOfBounds,
        Severity::Error,
        Some((Actor::Cilium, "map table: size goes out of bounds")),
    );
}

#[test]
fn item_07_legacy_definition_too_short() {
    let Some(f) = legacy(&["-DSHORT"]) else {
        return;
    };
    expect(
        &f,
        Code::LegacyDefinitionTooShort,
        Severity::Error,
        Some((Actor::Cilium, "map short_def: missing max entries")),
    );
}

/// Offset of section `name`'s header in the file.
fn section_header_offset(data: &[u8], name: &str) -> usize {
    let obj = ObjectSpec::parse(data, "fixture").unwrap();
    let idx = obj.section(name).unwrap().index as usize;
    let shoff = u64::from_ne_bytes(data[0x28..0x30].try_into().unwrap()) as usize;
    shoff + idx * 64
}

#[test]
fn item_08_compressed_map_section() {
    let Some(mut data) = compile("legacy_maps.bpf.c", &[]) else {
        return;
    };
    let at = section_header_offset(&data, "maps") + 8; // sh_flags
    let flags = u64::from_ne_bytes(data[at..at + 8].try_into().unwrap()) | 0x800;
    data[at..at + 8].copy_from_slice(&flags.to_ne_bytes());
    expect(
        &check(&data),
        Code::CompressedSection,
        Severity::Error,
        Some((Actor::Cilium, "compressed map section is not supported")),
    );
}

#[test]
fn item_09_wrong_machine() {
    let Some(mut data) = compile("legacy_maps.bpf.c", &[]) else {
        return;
    };
    data[18..20].copy_from_slice(&62u16.to_ne_bytes()); // EM_X86_64
    assert_eq!(
        ObjectSpec::parse(&data, "x").unwrap_err(),
        ObjectError::WrongMachine { machine: 62 }
    );
    // EM_NONE, as old LLVM wrote it, is accepted.
    data[18..20].copy_from_slice(&0u16.to_ne_bytes());
    assert!(ObjectSpec::parse(&data, "x").is_ok());
}

#[test]
fn item_10_initialised_maps_bytes() {
    let Some(f) = bad_map("INIT") else { return };
    expect(
        &f,
        Code::MapsNonZeroBytes,
        Severity::Error,
        Some((
            Actor::Cilium,
            "not supported: initializing BTF map definitions",
        )),
    );
}

#[test]
fn item_11_uint_not_pointer_to_array() {
    let Some(f) = bad_map("UINT_NOT_PTR") else {
        return;
    };
    expect(
        &f,
        Code::MapFieldEncoding,
        Severity::Error,
        Some((
            Actor::Libbpf,
            "map 'bad': attr 'max_entries': expected PTR, got int.",
        )),
    );
    let Some(f) = bad_map("UINT_NOT_ARRAY") else {
        return;
    };
    expect(
        &f,
        Code::MapFieldEncoding,
        Severity::Error,
        Some((
            Actor::Libbpf,
            "map 'bad': attr 'max_entries': expected ARRAY, got int.",
        )),
    );
}

#[test]
fn item_12_key_not_a_pointer() {
    let Some(f) = bad_map("KEY_NOT_PTR") else {
        return;
    };
    // The member's own type is the __u32 typedef; libbpf does not skip it.
    expect(
        &f,
        Code::MapKeyValueNotPointer,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': key spec is not PTR: typedef.")),
    );
}

#[test]
fn item_13_key_without_size() {
    let Some(f) = bad_map("KEY_FWD") else { return };
    let e = expect(&f, Code::MapKeyValueSize, Severity::Error, None);
    let msg = &e.effects[0].message;
    assert!(
        msg.starts_with("map 'bad': can't determine key size for type [")
            && msg.ends_with("]: -22."),
        "{msg}"
    );
}

#[test]
fn item_14_conflicting_key_size() {
    let Some(f) = bad_map("KEY_CONFLICT") else {
        return;
    };
    expect(
        &f,
        Code::MapConflictingSize,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': conflicting key size 4 != 8.")),
    );
    // Equal sizes: libbpf accepts, cilium refuses (map_fields.bpf.c's `sized`).
    let Some(data) = compile("map_fields.bpf.c", &[]) else {
        return;
    };
    let f = check(&data);
    let e = expect(
        &f,
        Code::MapSizeAndType,
        Severity::Warning,
        Some((Actor::Cilium, "both key and key_size given")),
    );
    assert_eq!(e.subject, bpfc::diag::Subject::Map("sized".into()));
}

#[test]
fn item_15_unknown_field_and_numa_node() {
    let Some(f) = bad_map("UNKNOWN_FIELD") else {
        return;
    };
    expect(
        &f,
        Code::MapUnknownField,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': unknown field 'foo'.")),
    );
    let Some(f) = bad_map("NUMA_NODE") else {
        return;
    };
    expect(
        &f,
        Code::MapNumaNodeField,
        Severity::Warning,
        Some((
            Actor::Cilium,
            "unrecognized field numa_node in BTF map definition",
        )),
    );
}

#[test]
fn item_16_missing_type() {
    let Some(f) = bad_map("NO_TYPE") else { return };
    expect(
        &f,
        Code::MapTypeMissing,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': map type isn't specified.")),
    );
}

#[test]
fn item_17_values_misuse() {
    for (case, code, message) in [
        (
            "VALUES_NOT_LAST",
            Code::MapValuesSpec,
            "map 'bad': 'values' member should be last.",
        ),
        (
            "VALUES_ON_HASH",
            Code::MapValuesSpec,
            "map 'bad': should be map-in-map or prog-array.",
        ),
        (
            "VALUES_NOT_ZERO_LEN",
            Code::MapValuesSpec,
            "map 'bad': map-in-map inner spec is not a zero-sized array.",
        ),
        (
            "NESTED_VALUES",
            Code::MapValuesSpec,
            "map 'bad.inner': multi-level inner maps not supported.",
        ),
        (
            "INNER_PINNING",
            Code::MapPinning,
            "map 'bad.inner': inner def can't be pinned.",
        ),
    ] {
        let Some(f) = bad_map(case) else { return };
        expect(&f, code, Severity::Error, Some((Actor::Libbpf, message)));
    }
}

#[test]
fn item_18_invalid_pinning() {
    let Some(f) = bad_map("PINNING_2") else {
        return;
    };
    expect(
        &f,
        Code::MapPinning,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': invalid pinning value 2.")),
    );
}

#[test]
fn item_19_ulong_with_two_enumerators() {
    // libbpf 1.4+ (which reads __ulong) says this; 1.1 says "expected PTR, got enum.".
    let Some(f) = bad_map("ULONG_TWO") else {
        return;
    };
    expect(
        &f,
        Code::MapInvalidUlong,
        Severity::Error,
        Some((
            Actor::Libbpf,
            "map 'bad': attr 'map_extra': invalid __ulong",
        )),
    );
}

#[test]
fn item_20_static_and_extern_maps() {
    let Some(f) = bad_map("STATIC") else { return };
    expect(
        &f,
        Code::MapLinkage,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': unsupported map linkage static.")),
    );
    let Some(f) = bad_map("EXTERN") else { return };
    expect(
        &f,
        Code::MapLinkage,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': unsupported map linkage extern.")),
    );
    // libbpf meets the extern symbol first, in bpf_object__collect_externs.
    expect(
        &f,
        Code::BadExtern,
        Severity::Warning,
        Some((Actor::Libbpf, "unrecognized extern section '.maps'")),
    );
}

#[test]
fn item_21_map_variable_not_a_struct() {
    let Some(f) = bad_map("NOT_STRUCT") else {
        return;
    };
    // libbpf prints the VAR's kind, not the definition's.
    expect(
        &f,
        Code::MapDefNotStruct,
        Severity::Error,
        Some((Actor::Libbpf, "map 'bad': unexpected def kind var.")),
    );
}

#[test]
fn item_22_arenas() {
    let Some(f) = bad_map("TWO_ARENAS") else {
        return;
    };
    expect(
        &f,
        Code::MultipleArenas,
        Severity::Error,
        Some((
            Actor::Libbpf,
            "map 'bad2': only single ARENA map is supported (map 'bad' is also ARENA)",
        )),
    );
    let Some(f) = bad_map("ARENA_DATA") else {
        return;
    };
    expect(&f, Code::ArenaDataWithoutArena, Severity::Error, Some((
        Actor::Libbpf,
        "elf: sec '.addr_space.1': to use global __arena variables the ARENA map should be explicitly declared in SEC(\".maps\")",
    )));
}

#[test]
fn item_23_slot_relocations() {
    let Some(f) = bad_map("SLOT_NOT_BTF_MAP") else {
        return;
    };
    expect(
        &f,
        Code::MapSlotRelocation,
        Severity::Error,
        Some((
            Actor::Libbpf,
            ".maps relo #0: 'not_a_map' isn't a BTF-defined map",
        )),
    );
    let Some(f) = bad_map("SLOT_SUBPROG") else {
        return;
    };
    // libbpf's program lookup skips subprograms, so it never gets to "isn't an entry-point program".
    expect(
        &f,
        Code::MapSlotRelocation,
        Severity::Error,
        Some((
            Actor::Libbpf,
            ".maps relo #0: 'subprog' isn't a valid program reference",
        )),
    );
}

#[test]
fn item_24_linked_map_definitions_differ() {
    let dir = tempfile::tempdir().unwrap();
    let Some(a) = compile_into(dir.path(), "link_a.bpf.c", &[], "a.o") else {
        return;
    };
    let Some(b) = compile_into(dir.path(), "link_b.bpf.c", &[], "b.o") else {
        return;
    };
    let Some(b_same) = compile_into(
        dir.path(),
        "link_b.bpf.c",
        &["-DSHARED_MAX_ENTRIES=10"],
        "b10.o",
    ) else {
        return;
    };
    let (da, db, db_same) = (
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        std::fs::read(&b_same).unwrap(),
    );
    let oa = ObjectSpec::parse(&da, "a").unwrap();
    let ob = ObjectSpec::parse(&db, "b").unwrap();
    let ob_same = ObjectSpec::parse(&db_same, "b").unwrap();
    let f = check_link(&[("a.o", &oa), ("b.o", &ob)]);
    let msg = "global 'shared_map': map max_entries mismatch";
    expect(
        &f,
        Code::LinkMapMismatch,
        Severity::Error,
        Some((Actor::LibbpfLinker, msg)),
    );
    assert!(check_link(&[("a.o", &oa), ("b10.o", &ob_same)]).is_empty());

    // The oracle: libbpf's linker says the same thing, and links the matching pair.
    let link = |b: &std::path::Path| {
        std::process::Command::new("bpftool")
            .args(["gen", "object"])
            .arg(dir.path().join("out.o"))
            .arg(&a)
            .arg(b)
            .output()
    };
    match link(&b) {
        Ok(out) => {
            assert!(!out.status.success());
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(msg),
                "{out:?}"
            );
            assert!(link(&b_same).unwrap().status.success());
        }
        Err(e) => object_support::skip(&format!("bpftool not runnable: {e}")),
    }
}
