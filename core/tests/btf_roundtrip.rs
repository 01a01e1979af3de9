//! Parse → import → encode on real BTF: the same byte order must give the
//! input back byte for byte; the other byte order must parse back to the
//! same types, field by field (compared through the parser's views), and
//! swap back to the original bytes.

mod btf_roundtrip_support;

use bpfc::btf::build::BtfBuilder;
use bpfc::btf::Btf;
use btf_roundtrip_support::{self as support, describe, first_difference, Object};

/// `data` is base BTF, or split BTF on top of `base` (same byte order).
fn check_round_trip(label: &str, data: &[u8], base: Option<&[u8]>) {
    let base_btf = base.map(|b| Btf::parse(b).expect("base parses"));
    let btf = match &base_btf {
        Some(b) => Btf::parse_split(data, b),
        None => Btf::parse(data),
    }
    .unwrap_or_else(|e| panic!("{label}: {e}"));
    let imported = BtfBuilder::from_btf(&btf).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(imported.len(), btf.len());

    let same = imported.encode(btf.endian()).expect("encodes");
    if let Some(at) = first_difference(&same, data) {
        panic!(
            "{label}: re-encoding in {:?} differs from the input at byte {at} (lengths {} vs {})",
            btf.endian(),
            same.len(),
            data.len()
        );
    }

    // The other byte order; split BTF needs its base swapped too.
    let other_endian = btf.endian().other();
    let other = imported.encode(other_endian).expect("encodes");
    let other_base_bytes = base_btf.as_ref().map(|b| {
        BtfBuilder::from_btf(b)
            .expect("base imports")
            .encode(other_endian)
            .expect("base encodes")
    });
    let other_base = other_base_bytes
        .as_deref()
        .map(|b| Btf::parse(b).expect("swapped base parses"));
    let other_btf = match &other_base {
        Some(b) => Btf::parse_split(&other, b),
        None => Btf::parse(&other),
    }
    .unwrap_or_else(|e| panic!("{label}: swapped blob does not parse: {e}"));
    assert_eq!(other_btf.endian(), other_endian);
    assert_eq!(other_btf.first_id(), btf.first_id());
    assert_eq!(other_btf.len(), btf.len(), "{label}: type count");
    assert!(
        other_btf.string_section() == btf.string_section(),
        "{label}: string section changed"
    );
    for (a, b) in btf.types().zip(other_btf.types()) {
        let (da, db) = (describe(&btf, &a), describe(&other_btf, &b));
        assert_eq!(da, db, "{label}: type differs after swapping byte order");
    }

    let back = BtfBuilder::from_btf(&other_btf)
        .expect("swapped blob imports")
        .encode(btf.endian())
        .expect("encodes");
    assert!(
        back == data,
        "{label}: swapping twice does not give the input back"
    );
}

#[test]
fn running_kernel_vmlinux_round_trips() {
    let Some(data) = support::read_or_skip(support::SYS_VMLINUX) else {
        return;
    };
    check_round_trip(support::SYS_VMLINUX, &data, None);
}

#[test]
fn cilium_vmlinux_round_trips() {
    let Some(data) = support::cilium_vmlinux() else {
        return;
    };
    check_round_trip("cilium vmlinux.btf", &data, None);
}

#[test]
fn cilium_btf_testmod_split_round_trips() {
    let Some(base) = support::cilium_vmlinux() else {
        return;
    };
    let path = format!("{}/btf/testdata/btf_testmod.btf", support::CILIUM);
    let Some(data) = support::read_or_skip(&path) else {
        return;
    };
    // It really is split BTF on that base: ids continue it.
    let base_btf = Btf::parse(&base).unwrap();
    let split = Btf::parse_split(&data, &base_btf).unwrap();
    assert_eq!(split.first_id(), base_btf.last_id() + 1);
    check_round_trip(&path, &data, Some(&base));
}

#[test]
fn every_corpus_object_btf_round_trips() {
    let mut checked = 0;
    for path in support::corpus_objects() {
        let obj = Object::open(&path);
        let Some(btf) = obj.section(".BTF") else {
            continue;
        };
        check_round_trip(&obj.name(), btf, None);
        checked += 1;
    }
    // 34 cilium objects and 15 xdp-tools objects carry .BTF today.
    assert!(
        checked > 0 || std::env::var("CI").as_deref() != Ok("true"),
        "no corpus object had .BTF"
    );
    eprintln!("round-tripped the .BTF of {checked} objects");
}

#[test]
fn all_kinds_fixtures_round_trip() {
    // clang-19's .BTF of testdata/btf/all_kinds.bpf.c: every kind, both orders.
    for file in ["all_kinds.btf", "all_kinds.eb.btf"] {
        let path = format!("{}/../testdata/btf/{file}", env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_round_trip(&path, &data, None);
    }
}
