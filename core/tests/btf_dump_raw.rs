//! The raw dump against its oracle: byte-identical with
//! `bpftool btf dump file X` (bpftool v7.1) on the running kernel, cilium's
//! vmlinux and split module BTF, every cilium and xdp-tools object, and a
//! fixture that exercises every kind.

mod btf_dump_support;

use bpfc::btf::dump::raw::dump_raw;
use bpfc::btf::elf::ElfBtfError;
use bpfc::btf::{Btf, Kind};
use btf_dump_support::*;
use std::path::Path;

fn ours(data: &[u8]) -> Vec<u8> {
    let btf = Btf::parse(btf_bytes(data).expect("has BTF")).expect("BTF parses");
    let mut out = Vec::new();
    dump_raw(&btf, &mut out).expect("dump to memory");
    out
}

fn compare_file(path: &Path) {
    let p = path.to_str().unwrap();
    let theirs = bpftool(&["btf", "dump", "file", p]).expect("bpftool dumps it");
    let data = std::fs::read(path).unwrap();
    assert_same_text(p, &ours(&data), &theirs);
}

#[test]
fn raw_matches_bpftool_on_running_kernel() {
    if !have_bpftool() {
        return;
    }
    if !Path::new(VMLINUX).exists() {
        skip(&format!("{VMLINUX} missing"));
        return;
    }
    compare_file(Path::new(VMLINUX));
}

#[test]
fn raw_matches_bpftool_on_cilium_vmlinux_and_split_module() {
    if !have_bpftool() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(vmlinux) = cilium_vmlinux(dir.path()) else {
        return;
    };
    compare_file(&vmlinux);

    let module = format!("{CILIUM}/btf/testdata/btf_testmod.btf");
    let base_data = std::fs::read(&vmlinux).unwrap();
    let base = Btf::parse(&base_data).unwrap();
    let split_data = std::fs::read(&module).unwrap();
    let split = Btf::parse_split(&split_data, &base).unwrap();
    let mut out = Vec::new();
    dump_raw(&split, &mut out).unwrap();
    let theirs = bpftool(&[
        "btf",
        "dump",
        "-B",
        vmlinux.to_str().unwrap(),
        "file",
        &module,
    ])
    .expect("bpftool dumps split BTF");
    assert!(
        out.starts_with(format!("[{}] ", base.last_id() + 1).as_bytes()),
        "split ids continue the base's"
    );
    assert_same_text(&module, &out, &theirs);
}

#[test]
fn raw_matches_bpftool_on_every_object() {
    if !have_bpftool() {
        return;
    }
    let mut compared = 0;
    for path in corpus() {
        let p = path.to_str().unwrap();
        let data = std::fs::read(&path).unwrap();
        let theirs = bpftool(&["btf", "dump", "file", p]);
        match btf_bytes(&data) {
            Err(ElfBtfError::NoBtfSection) => {
                assert!(
                    theirs.is_none(),
                    "{p}: bpftool found BTF where bpfc saw none"
                );
                continue;
            }
            Err(e) => panic!("{p}: {e}"),
            Ok(_) => {}
        }
        let ours = ours(&data);
        // bpftool v7.1 reads big-endian objects too; check against it
        // directly, and that the byte order of the ELF changes nothing.
        assert_same_text(p, &ours, &theirs.expect("bpftool dumps it"));
        if let Some(twin) = little_endian_twin(&path) {
            let twin_data = std::fs::read(&twin).unwrap();
            assert_same_text(p, &ours, &self::ours(&twin_data));
        }
        compared += 1;
    }
    eprintln!("compared {compared} objects with bpftool");
}

#[test]
fn raw_matches_bpftool_on_every_kind() {
    if !have_bpftool() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(obj) = compile_all_kinds(dir.path()) else {
        return;
    };
    compare_file(&obj);

    // The fixture must keep covering every kind, or this test proves less.
    let data = std::fs::read(&obj).unwrap();
    let btf = Btf::parse(btf_bytes(&data).unwrap()).unwrap();
    for k in 1..=bpfc::btf::KIND_MAX {
        let kind = Kind::from_u32(k).unwrap();
        assert!(
            btf.types().any(|t| t.kind() == kind),
            "all_kinds.bpf.c lost its {kind}"
        );
    }
}
