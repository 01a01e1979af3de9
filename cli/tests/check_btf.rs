//! `bpfc check --btf` and `bpfc inspect`: the kernel's BTF rules over an
//! object's fixed-up BTF (finding BPFC-T004). Whether the verdict matches
//! the kernel is tested in core (tests/object_btf_load.rs); here, how the
//! commands show it.

mod inspect_support;

use inspect_support::*;
use std::path::{Path, PathBuf};

/// xdp-tools' xdpdump_xdp.o with the member name `data` (of `struct
/// xdp_md`) turned into `da-a` in its `.BTF` strings: the kernel refuses
/// the BTF ("Invalid name"), while maps and programs are unchanged.
fn object_with_a_bad_member_name(dir: &Path) -> Option<PathBuf> {
    let original = installed(XDP_TOOLS, "xdpdump_xdp.o")?;
    let mut data = std::fs::read(original).unwrap();
    let btf = data
        .windows(4)
        .position(|w| w == [0x9f, 0xeb, 0x01, 0x00])
        .expect(".BTF");
    let word = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as usize;
    let strings = btf + word(btf + 4) + word(btf + 16);
    let len = word(btf + 20);
    let at = data[strings..strings + len]
        .windows(6)
        .position(|w| w == b"\0data\0")
        .expect("the string \"data\"");
    data[strings + at + 3] = b'-';
    let path = dir.join("bad_member_name.o");
    std::fs::write(&path, data).unwrap();
    Some(path)
}

#[test]
fn check_reports_the_kernels_btf_verdict_only_with_btf() {
    let dir = tempfile::tempdir().unwrap();
    let Some(obj) = object_with_a_bad_member_name(dir.path()) else {
        return;
    };
    let obj = obj.to_str().unwrap();

    let with = bpfc(dir.path(), &["check", "--btf", obj]);
    let text = stdout(&with);
    // A warning: libbpf goes on without BTF, so the run still passes.
    assert_eq!(with.status.code(), Some(0), "{text}");
    assert!(text.contains("warning[BPFC-T004]"), "{text}");
    assert!(text.contains("Invalid name"), "{text}");
    assert!(text.contains("BTF is optional, ignoring"), "{text}");

    let without = bpfc(dir.path(), &["check", obj]);
    assert_eq!(without.status.code(), Some(0));
    assert!(
        !stdout(&without).contains("BPFC-T004"),
        "{}",
        stdout(&without)
    );

    let json = bpfc(dir.path(), &["check", "--btf", "--json", obj]);
    let doc: serde_json::Value =
        serde_json::from_str(stdout(&json).lines().next().unwrap()).unwrap();
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["BPFC-T004"], "{doc}");
    assert!(doc["findings"][0]["location"]["btf_type_id"]
        .as_u64()
        .is_some());

    let original = installed(XDP_TOOLS, "xdpdump_xdp.o").unwrap();
    let clean = bpfc(dir.path(), &["check", "--btf", original.to_str().unwrap()]);
    assert!(!stdout(&clean).contains("BPFC-T004"), "{}", stdout(&clean));
}

#[test]
fn inspect_always_shows_the_kernels_btf_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let Some(obj) = object_with_a_bad_member_name(dir.path()) else {
        return;
    };
    let out = bpfc(dir.path(), &["inspect", obj.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("BPFC-T004"), "{text}");
}
