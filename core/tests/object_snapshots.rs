//! Snapshots of what the reader and the checks say about a representative
//! set of objects (read each .snap under snapshots/object as a review of
//! the output).

mod object_support;

use bpfc::diag::{check_object, CheckEnv};
use bpfc::object::ObjectSpec;
use object_support::{compile_into, corpus, name_of};
use std::fmt::Write;

fn render(obj: &ObjectSpec) -> String {
    let mut s = String::new();
    writeln!(s, "license: {:?}  endian: {:?}", obj.license, obj.endian).unwrap();
    for m in &obj.maps {
        writeln!(
            s,
            "map {} {} key={} value={} max_entries={} flags={} pinning={} extra={:#x} btf=({}, {})",
            m.name,
            m.kind()
                .map_or_else(|| m.map_type.to_string(), |t| t.name().to_string()),
            m.key_size,
            m.value_size,
            m.max_entries,
            m.flags(),
            m.pinning,
            m.map_extra,
            m.btf_key_type_id,
            m.btf_value_type_id
        )
        .unwrap();
        if let Some(i) = &m.inner {
            writeln!(
                s,
                "    inner {} {:?} key={} value={} max_entries={}",
                i.name,
                i.kind(),
                i.key_size,
                i.value_size,
                i.max_entries
            )
            .unwrap();
        }
        for slot in &m.slots {
            writeln!(s, "    slot {} -> {}", slot.index, slot.target).unwrap();
        }
    }
    for p in &obj.programs {
        let maps: Vec<&str> = obj.maps_used_by(p).map(|m| m.name.as_str()).collect();
        let calls: Vec<&str> = obj.callees(p).map(|c| &*c.name).collect();
        writeln!(
            s,
            "prog {} sec={} type={} attach={} insns={}{}{} calls={calls:?} maps={maps:?}",
            p.name,
            p.section,
            p.prog_type.map_or("-", |t| t.name()),
            p.attach_type.map_or("-", |t| t.name()),
            p.insn_count,
            if p.subprogram { " subprogram" } else { "" },
            if p.autoload { "" } else { " noautoload" },
        )
        .unwrap();
    }
    for f in check_object(obj, &CheckEnv::default()) {
        writeln!(s, "{f}").unwrap();
        for e in &f.effects {
            writeln!(s, "    = {e}").unwrap();
        }
        writeln!(s, "    rule: {}", f.rule).unwrap();
        writeln!(s, "    fix: {}", f.fix).unwrap();
    }
    s
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/object"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn corpus_objects() {
    let Some(files) = corpus() else { return };
    for wanted in [
        "loader-el.elf",
        "btf_map_init-el.elf",
        "invalid_map_static-el.elf",
        "iproute2_map_compat-eb.elf",
        "xdpfilt_alw_all.o",
        "xdp-dispatcher.o",
        "xsk_def_xdp_prog.o",
    ] {
        let path = files.iter().find(|p| p.ends_with(wanted)).unwrap();
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path)).unwrap();
        snapshot(&format!("corpus__{wanted}"), &render(&obj));
    }
}

#[test]
fn fixtures() {
    let dir = tempfile::tempdir().unwrap();
    for (file, args) in [
        ("map_fields.bpf.c", &[][..]),
        ("globals_with_a_long_name.bpf.c", &[]),
        ("programs.bpf.c", &[]),
        ("struct_ops.bpf.c", &[]),
        (
            "legacy_maps.bpf.c",
            &["-DSTATIC_REF", "-DEXTRA", "-DMIXED", "-DSHORT"],
        ),
    ] {
        let Some(path) = compile_into(dir.path(), file, args, &file.replace(".c", ".o")) else {
            return;
        };
        let data = std::fs::read(&path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(&path)).unwrap();
        snapshot(
            &format!("fixture__{}", file.trim_end_matches(".bpf.c")),
            &render(&obj),
        );
    }
}
