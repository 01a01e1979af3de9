//! The reader on every object of the corpus: cilium/ebpf's test objects in
//! both byte orders and the xdp-tools objects Debian ships.

mod object_support;

use bpfc::diag::{check_object, CheckEnv, Code, Severity};
use bpfc::maps::{MapSource, MapSpec};
use bpfc::object::{legacy_layout, ObjectSpec};
use object_support::{corpus, name_of};
use std::collections::BTreeSet;

/// The deliberately invalid cilium objects and the error each must produce
/// (cilium's testdata/*.c say what is wrong with each).
fn expected_errors(file: &str) -> BTreeSet<Code> {
    let stem = file.trim_end_matches("-el.elf").trim_end_matches("-eb.elf");
    match stem {
        // `dummy = 1` after the 20-byte struct bpf_map_def.
        "invalid_map" => [Code::LegacyExtraBytes].into(),
        // static struct bpf_map_def referenced from xdp_prog.
        "invalid_map_static" => [Code::LegacyStaticMapReferenced].into(),
        // `.key = (void *)1` in a .maps definition.
        "invalid_btf_map_init" => [Code::MapsNonZeroBytes].into(),
        _ => BTreeSet::new(),
    }
}

#[test]
fn every_corpus_object_reads_and_only_the_invalid_ones_have_errors() {
    let Some(files) = corpus() else { return };
    let env = CheckEnv::default();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let findings = check_object(&obj, &env);
        let errors: BTreeSet<Code> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.code)
            .collect();
        let file = path.file_name().unwrap().to_string_lossy();
        assert_eq!(
            errors,
            expected_errors(&file),
            "{}:\n{}",
            path.display(),
            findings
                .iter()
                .map(|f| format!("  {f}\n"))
                .collect::<String>()
        );
        // Every finding names its rule, what a loader does and a fix.
        for f in &findings {
            assert!(
                !f.rule.is_empty() && !f.effects.is_empty() && !f.fix.is_empty(),
                "{f:?}"
            );
        }
    }
}

/// A map with the bytes of legacy extra fields decoded, so that the two
/// byte orders of one definition compare equal.
fn normalized(m: &MapSpec, endian: bpfc::bytes::Endian) -> String {
    let mut m = m.clone();
    if let MapSource::Legacy {
        def_size, extra, ..
    } = &mut m.source
    {
        let decoded = format!("{:?}", legacy_layout(*def_size, extra, endian));
        extra.clear();
        m.name = format!("{} {decoded}", m.name);
    }
    format!("{m:?}")
}

#[test]
fn big_endian_objects_give_the_same_maps_and_programs_as_their_little_endian_twins() {
    let Some(files) = corpus() else { return };
    let mut pairs = 0;
    for el in files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("-el.elf"))
    {
        let eb = el.with_file_name(
            el.file_name()
                .unwrap()
                .to_string_lossy()
                .replace("-el.elf", "-eb.elf"),
        );
        let (Ok(a), Ok(b)) = (std::fs::read(el), std::fs::read(&eb)) else {
            continue;
        };
        // Same object name for both, so internal map names match too.
        let name = name_of(el);
        let little = ObjectSpec::parse(&a, &name).unwrap();
        let big = ObjectSpec::parse(&b, &name).unwrap();
        assert_ne!(little.endian, big.endian);
        let maps = |o: &ObjectSpec| {
            o.maps
                .iter()
                .map(|m| normalized(m, o.endian))
                .collect::<Vec<_>>()
        };
        assert_eq!(maps(&little), maps(&big), "{}", el.display());
        let progs = |o: &ObjectSpec| format!("{:?}", o.programs);
        assert_eq!(progs(&little), progs(&big), "{}", el.display());
        assert_eq!(little.license, big.license);
        pairs += 1;
    }
    assert!(pairs >= 15, "only {pairs} byte-order pairs found");
}

#[test]
fn xdp_tools_objects_have_their_programs_and_maps() {
    // Facts from xdp-tools' sources: every object has exactly one XDP
    // program (xdp-dispatcher: the dispatcher plus its xdp_pass slot) and
    // the filter objects keep per-CPU statistics in xdp_stats_map.
    let Some(files) = corpus() else { return };
    for path in files
        .iter()
        .filter(|p| p.starts_with(object_support::XDP_TOOLS))
    {
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path)).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let entry: Vec<_> = obj.programs.iter().filter(|p| !p.subprogram).collect();
        assert!(!entry.is_empty(), "{file}");
        if file.starts_with("xdpfilt_") {
            let stats = obj.map("xdp_stats_map").unwrap_or_else(|| panic!("{file}"));
            assert_eq!(
                stats.kind(),
                Some(bpfc::maps::MapType::PercpuArray),
                "{file}"
            );
            assert!(
                obj.maps_used_by(entry[0])
                    .any(|m| m.name == "xdp_stats_map"),
                "{file}"
            );
        }
        assert_eq!(obj.license.as_deref(), Some("GPL"), "{file}");
    }
}
