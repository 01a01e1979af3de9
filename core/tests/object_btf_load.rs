//! The kernel is the oracle for the BTF fix-ups: the fixed-up BTF of every
//! host-order object loads with BPF_BTF_LOAD, as it does under libbpf.

mod object_support;

use bpfc::object::ObjectSpec;
use bpfc::sys::{btf_load, LogLevel};
use object_support::{compile, corpus, name_of, skip};

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
    match btf_load(&fixed, LogLevel::BASIC) {
        Ok(_fd) => Ok(true),
        Err(e) if e.is_permission_denied() => Ok(false),
        Err(e) => Err(format!("{label}: {e}\n{}", e.log)),
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
