//! `bpfc btf dump` as a user runs it: the built binary, its stdout against
//! bpftool's, its JSON (snapshot), its errors (snapshots) and exit codes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BPFC: &str = env!("CARGO_BIN_EXE_bpfc");
const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";

fn fixture(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/btf")
        .join(name);
    p.to_str().unwrap().to_string()
}

#[path = "../../core/tests/common/skip.rs"]
mod skip_rule;
use skip_rule::skip;

/// Runs `bpfc btf dump ARGS` in `dir` (so relative paths in errors are stable).
fn bpfc(dir: &Path, args: &[&str]) -> Output {
    Command::new(BPFC)
        .current_dir(dir)
        .args(["btf", "dump"])
        .args(args)
        .output()
        .expect("bpfc runs")
}

/// bpftool's stdout, or `None` (with a SKIP) when bpftool is not installed.
fn bpftool(args: &[&str]) -> Option<Vec<u8>> {
    match Command::new("bpftool").args(args).output() {
        Ok(o) => {
            assert!(o.status.success(), "bpftool {args:?} failed");
            Some(o.stdout)
        }
        Err(e) => {
            skip(&format!("bpftool not runnable: {e}"));
            None
        }
    }
}

fn snapshot(name: &str, value: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/btf_dump"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, value);
    });
}

/// A failing run: exit code 2, nothing on stdout, the diagnostic on stderr.
fn failure(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "exit code");
    assert!(out.stdout.is_empty(), "no dump on failure");
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn raw_output_is_bpftools_for_both_byte_orders() {
    for name in ["all_kinds.btf", "all_kinds.eb.btf"] {
        let p = fixture(name);
        let ours = bpfc(Path::new("."), &[&p]);
        assert!(ours.status.success(), "{name}: {ours:?}");
        let Some(theirs) = bpftool(&["btf", "dump", "file", &p]) else {
            return;
        };
        assert!(ours.stdout == theirs, "{name}: bpfc and bpftool differ");
    }
}

#[test]
fn raw_output_of_split_btf_with_base() {
    let dir = tempfile::tempdir().unwrap();
    let gz = format!("{CILIUM}/btf/testdata/vmlinux.btf.gz");
    let Ok(compressed) = std::fs::read(&gz) else {
        skip(&format!("{gz} missing"));
        return;
    };
    let mut base = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut base)
        .unwrap();
    let base_path = dir.path().join("vmlinux.btf");
    std::fs::write(&base_path, base).unwrap();
    let module = format!("{CILIUM}/btf/testdata/btf_testmod.btf");
    let b = base_path.to_str().unwrap();

    let ours = bpfc(dir.path(), &[&module, "--base", b]);
    assert!(ours.status.success(), "{ours:?}");
    let Some(theirs) = bpftool(&["btf", "dump", "-B", b, "file", &module]) else {
        return;
    };
    assert!(ours.stdout == theirs, "split dump differs from bpftool's");

    // Without its base, the module's BTF is refused with a hint.
    std::fs::copy(&module, dir.path().join("btf_testmod.btf")).unwrap();
    let err = failure(&bpfc(dir.path(), &["btf_testmod.btf"]));
    snapshot("split_without_base", &err);
}

#[test]
fn json_dump_of_every_kind() {
    let out = bpfc(
        Path::new("."),
        &[&fixture("all_kinds.btf"), "--format", "json"],
    );
    assert!(out.status.success(), "{out:?}");
    let json = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str::<serde_json::Value>(&json).expect("one JSON document");
    snapshot("json_all_kinds", &json);

    // The big-endian twin differs only in the declared byte order.
    let eb = bpfc(
        Path::new("."),
        &[&fixture("all_kinds.eb.btf"), "--format", "json"],
    );
    let eb = String::from_utf8(eb.stdout).unwrap();
    assert_eq!(
        eb.replace("\"endian\": \"big\"", "\"endian\": \"little\""),
        json
    );
}

#[test]
fn truncated_btf_is_reported_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(fixture("all_kinds.btf")).unwrap();
    // Header intact, sections cut short.
    std::fs::write(dir.path().join("truncated.btf"), &data[..200]).unwrap();
    let err = failure(&bpfc(dir.path(), &["truncated.btf"]));
    snapshot("truncated_btf", &err);
    // Cut inside the header.
    std::fs::write(dir.path().join("header.btf"), &data[..10]).unwrap();
    let err = failure(&bpfc(dir.path(), &["header.btf"]));
    snapshot("truncated_header", &err);
}

#[test]
fn truncated_elf_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let obj = format!("{CILIUM}/testdata/loader-el.elf");
    let Ok(data) = std::fs::read(&obj) else {
        skip(&format!("{obj} missing"));
        return;
    };
    std::fs::write(dir.path().join("cut.o"), &data[..data.len() / 2]).unwrap();
    let err = failure(&bpfc(dir.path(), &["cut.o"]));
    assert!(err.contains("--> cut.o"), "{err}");
    assert!(err.contains("section header table"), "{err}");
}

#[test]
fn unknown_kind_is_reported_with_its_type_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = std::fs::read(fixture("all_kinds.btf")).unwrap();
    // Type [2] starts 12 bytes into the type section (type [1] is a bare
    // PTR); its info word's top byte holds the kind: make it 31.
    data[24 + 12 + 7] = 0x1f;
    std::fs::write(dir.path().join("kind31.btf"), &data).unwrap();
    let err = failure(&bpfc(dir.path(), &["kind31.btf"]));
    snapshot("unknown_kind", &err);
}

#[test]
fn broken_btf_inside_elf_names_the_section() {
    let dir = tempfile::tempdir().unwrap();
    let obj = format!("{CILIUM}/testdata/loader-el.elf");
    let Ok(mut data) = std::fs::read(&obj) else {
        skip(&format!("{obj} missing"));
        return;
    };
    let btf_at = bpfc::btf::elf::btf_sections(&data)
        .expect("loader-el.elf has .BTF")
        .btf
        .file_offset as usize;
    data[btf_at..btf_at + 2].copy_from_slice(&[0xde, 0xad]);
    std::fs::write(dir.path().join("bad-magic.o"), &data).unwrap();
    let err = failure(&bpfc(dir.path(), &["bad-magic.o"]));
    snapshot("bad_magic_in_elf", &err);
}

#[test]
fn non_btf_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello, BTF\n").unwrap();
    let err = failure(&bpfc(dir.path(), &["notes.txt"]));
    snapshot("not_btf", &err);
}

#[test]
fn missing_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let err = failure(&bpfc(dir.path(), &["no-such-file.btf"]));
    assert!(
        err.starts_with("error: cannot read no-such-file.btf: "),
        "{err}"
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    // Many times the size of a pipe buffer.
    let big = Path::new("/sys/kernel/btf/vmlinux");
    if !big.exists() {
        skip("no /sys/kernel/btf/vmlinux");
        return;
    }
    let mut child = Command::new(BPFC)
        .args(["btf", "dump"])
        .arg(big)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"[1] "));
    drop(stdout); // what `| head` does when it has enough
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
