//! The kernel is the oracle for the BTF fix-ups: the fixed-up BTF of every
//! host-order object loads with BPF_BTF_LOAD, as it does under libbpf.

mod object_support;

use bpfc::diag::{check_object, CheckEnv, Code, Severity};
use bpfc::maps::MapSource;
use bpfc::object::ObjectSpec;
use bpfc::sys::{btf_load, LogLevel};
use object_support::{compile, corpus, name_of, skip};
use std::path::Path;

/// Loads the fixed-up BTF of `data`; `Err` with the kernel's answer, or
/// `Ok(false)` when bpf(2) is not permitted here.
fn load_fixed(label: &str, data: &[u8], name: &str) -> Result<bool, String> {
    let obj = ObjectSpec::parse(data, name).map_err(|e| format!("{label}: {e}"))?;
    if obj.endian != bpfc::bytes::Endian::NATIVE {
        return Ok(true);
    }
    let Some(fixed) = obj.fixed_btf() else {
        return Ok(true); // no BTF (clang 7 era)
    };
    let fixed = fixed.map_err(|p| format!("{label}: fix-up failed: {p:?}"))?;
    load(&fixed).map_err(|(errno, log)| format!("{label}: errno {errno}\n{log}"))
}

/// BPF_BTF_LOAD of `blob`: `Ok(true)` loaded, `Ok(false)` when bpf(2) is
/// not permitted here, `Err((errno, log))` when refused.
fn load(blob: &[u8]) -> Result<bool, (i32, String)> {
    match btf_load(blob, LogLevel::BASIC) {
        Ok(_fd) => Ok(true),
        Err(e) if e.is_permission_denied() => Ok(false),
        Err(e) => Err((e.errno().0, e.log)),
    }
}

#[test]
fn fixed_btf_of_every_host_order_corpus_object_loads() {
    let Some(files) = corpus() else { return };
    let mut loaded = 0;
    for path in &files {
        let data = std::fs::read(path).unwrap();
        match load_fixed(&path.display().to_string(), &data, &name_of(path)) {
            Ok(true) => loaded += 1,
            Ok(false) => return skip("BPF_BTF_LOAD not permitted"),
            Err(e) => panic!("{e}"),
        }
    }
    assert!(loaded > 20);
}

#[test]
fn unfixed_btf_is_refused_so_the_fixups_matter() {
    // LLVM leaves DATASEC sizes 0: the kernel refuses the raw section.
    let Some(files) = corpus() else { return };
    let path = files
        .iter()
        .find(|p| p.ends_with("xdpdump_xdp.o"))
        .expect("xdp-tools xdpdump_xdp.o");
    let data = std::fs::read(path).unwrap();
    let obj = ObjectSpec::parse(&data, "xdpdump_xdp").unwrap();
    let raw = obj.btf.as_ref().unwrap().data();
    match btf_load(raw, LogLevel::BASIC) {
        Err(e) if e.is_permission_denied() => skip("BPF_BTF_LOAD not permitted"),
        Err(e) => assert!(
            e.log.contains("size == 0") || e.log.contains("Invalid"),
            "{}",
            e.log
        ),
        Ok(_) => panic!("the kernel accepted DATASEC size 0"),
    }
}

#[test]
fn fixed_btf_of_the_c_fixtures_loads() {
    // Globals exercise hidden VARs, .kconfig layout and the .ksyms dummy VAR.
    for (file, args) in [
        ("globals_with_a_long_name.bpf.c", &[][..]),
        ("map_types.bpf.c", &[]),
        ("map_fields.bpf.c", &[]),
        ("programs.bpf.c", &[]),
        ("struct_ops.bpf.c", &[]),
    ] {
        let Some(data) = compile(file, args) else {
            return;
        };
        match load_fixed(file, &data, "fixture") {
            Ok(true) => {}
            Ok(false) => return skip("BPF_BTF_LOAD not permitted"),
            Err(e) => panic!("{e}"),
        }
    }
}

/// Whether the kernel loads the fixed-up BTF of `obj`: `None` when there is
/// none to load, `Some(Err((errno, log)))` when refused, and
/// `Some(Ok(false))` when bpf(2) is not permitted (the caller SKIPs).
fn kernel_accepts(obj: &ObjectSpec<'_>) -> Option<Result<bool, (i32, String)>> {
    let fixed = obj.fixed_btf()?.ok()?;
    Some(load(&fixed))
}

/// The BPFC-T004 findings `bpfc check --btf` makes for `obj`.
fn btf_verdicts(obj: &ObjectSpec<'_>) -> Vec<bpfc::diag::Finding> {
    let env = CheckEnv {
        validate_btf: true,
        ..CheckEnv::default()
    };
    check_object(obj, &env)
        .into_iter()
        .filter(|f| f.code == Code::BtfKernelRefuses)
        .collect()
}

/// What the kernel did with an object's fixed-up BTF.
#[derive(PartialEq, Eq)]
enum Kernel {
    /// bpf(2) is not permitted here: the caller SKIPs.
    NotPermitted,
    NoBtf,
    Loaded,
    Refused,
}

/// Asserts that `bpfc check --btf` agrees with the kernel on one object,
/// and returns what the kernel did (one load per object).
fn verdict_agrees(label: &str, obj: &ObjectSpec<'_>) -> Kernel {
    let verdicts = btf_verdicts(obj);
    match kernel_accepts(obj) {
        None => {
            assert!(verdicts.is_empty(), "{label}: verdict without BTF");
            Kernel::NoBtf
        }
        Some(Ok(false)) => Kernel::NotPermitted,
        Some(Ok(true)) => {
            assert!(
                verdicts.is_empty(),
                "{label}: the kernel loads this BTF, bpfc says {:?}",
                verdicts[0].message
            );
            Kernel::Loaded
        }
        Some(Err((errno, log))) => {
            assert_eq!(verdicts.len(), 1, "{label}: the kernel refuses:\n{log}");
            let v = &verdicts[0];
            let ours = v.effects[0].errno.map(|e| e.number());
            assert_eq!(ours, Some(errno), "{label}: errno; kernel log:\n{log}");
            // The kernel's log line for the first broken rule is ours
            // (special-field rules fail without one).
            let said = &v.effects[0].message;
            assert!(
                log.contains(said.as_ref())
                    || said.as_ref() == "BPF_BTF_LOAD fails without a log line",
                "{label}: {said:?} not in\n{log}"
            );
            let struct_ops = obj
                .maps
                .iter()
                .any(|m| matches!(m.source, MapSource::StructOps { .. }));
            let expected = if struct_ops {
                Severity::Error
            } else {
                Severity::Warning
            };
            assert_eq!(v.severity, expected, "{label}");
            Kernel::Refused
        }
    }
}

#[test]
fn check_btf_verdict_agrees_with_the_kernel_on_the_corpus() {
    let Some(files) = corpus() else { return };
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let Ok(obj) = ObjectSpec::parse(&data, name_of(path)) else {
            continue;
        };
        if obj.endian != bpfc::bytes::Endian::NATIVE {
            continue;
        }
        if verdict_agrees(&path.display().to_string(), &obj) == Kernel::NotPermitted {
            return skip("BPF_BTF_LOAD not permitted");
        }
    }
}

/// Byte changes in the type section of a few objects' `.BTF` (seeded, so
/// the same mutants every run): the kernel refuses some and loads others,
/// and `bpfc check --btf` must say which. struct_ops objects need their BTF
/// (error); others load without it (warning).
#[test]
fn check_btf_verdict_agrees_with_the_kernel_on_mutants() {
    let Some(mut sources) = ["map_types.bpf.c", "struct_ops.bpf.c", "programs.bpf.c"]
        .iter()
        .map(|f| compile(f, &[]).map(|d| (f.to_string(), d)))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    if let Some(files) = corpus() {
        let xdp = files.iter().find(|p| p.ends_with("xdpdump_xdp.o")).unwrap();
        sources.push((xdp.display().to_string(), std::fs::read(xdp).unwrap()));
    }
    let (mut refused, mut loaded) = (0, 0);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (name, data) in &sources {
        let obj = ObjectSpec::parse(data, "fixture").unwrap();
        let btf = obj.btf.as_ref().expect("fixtures have BTF").data();
        // Where the type section is in the file (the blob is a slice of it).
        let blob_at = btf.as_ptr() as usize - data.as_ptr() as usize;
        let word = |at: usize| u32::from_le_bytes(btf[at..at + 4].try_into().unwrap()) as usize;
        let types_at = blob_at + word(4) + word(8);
        let types_len = word(12);
        for i in 0..60 {
            let mut mutant = data.clone();
            let at = types_at + next() as usize % types_len;
            mutant[at] = next() as u8;
            let label = format!("{name} mutant {i} (byte {at:#x} = {:#04x})", mutant[at]);
            let Ok(obj) = ObjectSpec::parse(&mutant, "fixture") else {
                continue;
            };
            match verdict_agrees(&label, &obj) {
                Kernel::NotPermitted => return skip("BPF_BTF_LOAD not permitted"),
                Kernel::Loaded => loaded += 1,
                Kernel::Refused => refused += 1,
                Kernel::NoBtf => {}
            }
        }
    }
    eprintln!("mutants: refused {refused}, loaded {loaded}");
    // The mutants must exercise both answers, or the test says nothing.
    assert!(
        refused > 20 && loaded > 5,
        "refused {refused}, loaded {loaded}"
    );
}

/// The special-field fixtures (testdata/btf/special, each a global of a
/// struct with locks, lists, trees, kptrs...) as objects: `bpfc check --btf`
/// refuses exactly those the kernel refuses, with the kernel's errno,
/// though the kernel logs nothing for these rules.
#[test]
fn check_btf_verdict_agrees_with_the_kernel_on_special_fields() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/btf/special");
    let mut sources: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    assert!(sources.len() > 20);
    let mut refused = 0;
    for source in &sources {
        let rel = format!(
            "../btf/special/{}",
            source.file_name().unwrap().to_string_lossy()
        );
        let Some(data) = compile(&rel, &[]) else {
            return;
        };
        let obj = ObjectSpec::parse(&data, "fixture").unwrap();
        match verdict_agrees(&rel, &obj) {
            Kernel::NotPermitted => return skip("BPF_BTF_LOAD not permitted"),
            Kernel::Refused => refused += 1,
            Kernel::Loaded | Kernel::NoBtf => {}
        }
    }
    assert!(refused > 10, "only {refused} refused");
}
