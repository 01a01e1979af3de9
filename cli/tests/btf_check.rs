//! `bpfc btf check`: the validator's verdict on real blobs and objects, side
//! by side with the running kernel's (BPF_BTF_LOAD through `--load`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BPFC: &str = env!("CARGO_BIN_EXE_bpfc");
const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf/testdata";
const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

#[path = "../../core/tests/common/skip.rs"]
mod skip_rule;
use skip_rule::skip;

/// `bpfc btf check --json ARGS`: exit code and the JSON document.
fn check_json(args: &[&str]) -> (i32, Value) {
    let out = Command::new(BPFC)
        .args(["btf", "check", "--json"])
        .args(args)
        .output()
        .expect("bpfc runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: no JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), doc)
}

/// The kernel's verdict in a `--load` document; `None` when it could not be asked.
fn kernel_accepted(doc: &Value) -> Option<bool> {
    doc["kernel"]["accepted"].as_bool()
}

/// A valid blob with one byte changed: type [1]'s kind becomes 20.
fn blob_with_unknown_kind() -> tempfile::NamedTempFile {
    let mut data = std::fs::read(repo("testdata/btf/all_kinds.btf")).expect("fixture");
    data[24 + 7] = 20; // little-endian info word of type [1]: kind lives in byte 3
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &data).unwrap();
    file
}

#[test]
fn bundled_example_is_clean_after_fixups_and_the_kernel_agrees() {
    let obj = repo("testdata/example/flows.bpf.o");
    let (code, doc) = check_json(&["--load", obj.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        doc["fixed_up"], true,
        "an object's BTF is checked after fix-ups"
    );
    assert_eq!(doc["counts"]["errors"], 0);
    match kernel_accepted(&doc) {
        Some(accepted) => assert!(accepted, "kernel refused: {doc}"),
        None => skip(&format!("kernel not asked: {}", doc["kernel"])),
    }
}

#[test]
fn broken_blob_fails_with_the_kernels_message() {
    let bad = blob_with_unknown_kind();
    let (code, doc) = check_json(&["--load", bad.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let first = &doc["findings"][0];
    assert_eq!(first["code"], "invalid-kind");
    assert_eq!(first["message"], "Invalid kind:20");
    assert_eq!(first["type_id"], 1);
    match kernel_accepted(&doc) {
        Some(accepted) => {
            assert!(!accepted);
            let log = doc["kernel"]["log"].as_str().unwrap();
            assert!(log.contains("Invalid kind:20"), "kernel log: {log}");
        }
        None => skip(&format!("kernel not asked: {}", doc["kernel"])),
    }
}

#[test]
fn text_output_renders_findings_like_rustc() {
    let bad = blob_with_unknown_kind();
    let out = Command::new(BPFC)
        .args(["btf", "check"])
        .arg(bad.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error[invalid-kind]: [1]: Invalid kind:20\n  --> "),
        "{err}"
    );
    assert!(err.contains(", offset 0x18\n"), "{err}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains(": 1 errors, 0 warnings, 0 notes"),
        "{summary}"
    );
}

#[test]
fn unreadable_input_exits_2_with_a_json_error_document() {
    let out = Command::new(BPFC)
        .args(["btf", "check", "/nonexistent/x.o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (code, doc) = check_json(&["/nonexistent/x.o"]);
    assert_eq!(code, 2);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read"),
        "{doc}"
    );
}

/// Every host-order object of the corpus: bpfc says "the kernel refuses it"
/// exactly when BPF_BTF_LOAD does.
#[test]
fn verdicts_agree_with_the_kernel_on_the_corpus() {
    let mut files: Vec<PathBuf> = Vec::new();
    for (dir, suffix) in [(CILIUM, "-el.elf"), (XDP_TOOLS, ".o")] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            skip(&format!(
                "{dir} missing (golang-github-cilium-ebpf-dev, xdp-tools)"
            ));
            continue;
        };
        files.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix)),
        );
    }
    files.push(repo("testdata/example/flows.bpf.o"));
    files.sort();
    let mut asked = 0;
    for file in &files {
        let (code, doc) = check_json(&["--load", file.to_str().unwrap()]);
        if doc.get("error").is_some() {
            // No .BTF at all (exit 2): nothing for the kernel to judge.
            assert_eq!(code, 2, "{}: {doc}", file.display());
            continue;
        }
        let ours_ok = doc["counts"]["errors"] == 0;
        let Some(kernel_ok) = kernel_accepted(&doc) else {
            skip(&format!("kernel not asked: {}", doc["kernel"]));
            return;
        };
        asked += 1;
        assert_eq!(
            ours_ok,
            kernel_ok,
            "{}: bpfc says {} but the kernel {}: {doc}",
            file.display(),
            if ours_ok { "valid" } else { "invalid" },
            if kernel_ok {
                "accepts it"
            } else {
                "refuses it"
            }
        );
        assert_eq!(code, if ours_ok { 0 } else { 1 }, "{}", file.display());
    }
    assert!(asked > 20, "only {asked} objects were judged");
}
