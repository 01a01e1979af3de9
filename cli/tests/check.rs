//! `bpfc check` as CI runs it: exit codes 0/1/2, the deliberately invalid
//! cilium/ebpf objects failing with their specific finding in both byte
//! orders, unreadable files not stopping the run, `--level`, `--json`
//! lines with a summary, and `--files-from` over thousands of paths.

mod inspect_support;

use inspect_support::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The deliberately invalid objects and the finding each must fail with.
const INVALID: &[(&str, &str)] = &[
    // Non-zero bytes past the 20-byte struct bpf_map_def.
    ("invalid_map", "BPFC-L003"),
    // A static legacy map referenced from code.
    ("invalid_map_static", "BPFC-L004"),
    // Initialised (non-zero) bytes in a BTF .maps definition.
    ("invalid_btf_map_init", "BPFC-M019"),
];

fn is_invalid(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    INVALID
        .iter()
        .any(|(stem, _)| name == format!("{stem}-el.elf") || name == format!("{stem}-eb.elf"))
}

fn check(args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let out = bpfc(Path::new("."), &all);
    (out.status.code(), stdout(&out))
}

fn strs(files: &[PathBuf]) -> Vec<&str> {
    files.iter().map(|p| p.to_str().unwrap()).collect()
}

#[test]
fn every_valid_corpus_object_passes() {
    let Some(files) = corpus() else {
        return;
    };
    let valid: Vec<PathBuf> = files.into_iter().filter(|p| !is_invalid(p)).collect();
    assert!(valid.len() >= 35, "{} objects", valid.len());
    let (code, out) = check(&strs(&valid));
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("error["), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "bpfc check: {} files, {} ok, 0 failed, 0 unreadable;",
            valid.len(),
            valid.len()
        )),
        "{last}"
    );
}

#[test]
fn invalid_cilium_objects_fail_with_their_finding() {
    for (stem, code) in INVALID {
        for order in ["el", "eb"] {
            let Some(path) = installed(CILIUM, &format!("{stem}-{order}.elf")) else {
                return;
            };
            let file = path.to_str().unwrap();
            let (exit, out) = check(&[file]);
            assert_eq!(exit, Some(1), "{file}: {out}");
            assert!(out.contains(&format!("error[{code}]: ")), "{file}: {out}");
            assert!(out.contains(&format!("  --> {file}: ")), "{file}: {out}");

            let (exit, json) = check(&["--json", file]);
            assert_eq!(exit, Some(1));
            let doc: Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
            assert_eq!(doc["status"], "failed");
            assert!(
                doc["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["code"] == *code && f["severity"] == "error"),
                "{file}: {doc}"
            );
        }
    }
    // Their rendered findings, as a user sees them.
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (stem, _) in INVALID {
        let Some(path) = installed(CILIUM, &format!("{stem}-el.elf")) else {
            return;
        };
        names.push(copy_into(dir.path(), &path));
    }
    let args: Vec<&str> = std::iter::once("check")
        .chain(names.iter().map(String::as_str))
        .collect();
    let out = bpfc(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    snapshot("check_invalid_cilium_objects", &stdout(&out));
}

#[test]
fn unreadable_files_exit_2_and_the_rest_is_still_checked() {
    let Some(bad) = installed(CILIUM, "invalid_map-el.elf") else {
        return;
    };
    let Some(good) = installed(XDP_TOOLS, "xdpdump_bpf.o") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = copy_into(dir.path(), &bad);
    let good = copy_into(dir.path(), &good);
    std::fs::write(
        dir.path().join("truncated.o"),
        &std::fs::read(dir.path().join(&good)).unwrap()[..100],
    )
    .unwrap();
    let out = bpfc(
        dir.path(),
        &["check", "truncated.o", &bad, "missing.o", &good],
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    // The invalid object after the unreadable one was still checked.
    assert!(text.contains("error[BPFC-L003]"), "{text}");
    snapshot("check_mixed_files", &text);

    let out = bpfc(
        dir.path(),
        &["check", "--json", "truncated.o", &bad, "missing.o", &good],
    );
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "four files and the summary");
    let status: Vec<&str> = lines[..4]
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["unreadable", "failed", "unreadable", "ok"]);
    assert_eq!(
        lines[0]["error"]["code"].as_str().unwrap().len(),
        9,
        "a BPFC-F code"
    );
    assert_eq!(lines[2]["error"]["code"], "io");
    let summary = &lines[4]["summary"];
    assert_eq!(summary["files"], 4);
    assert_eq!(summary["ok"], 1);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["unreadable"], 2);
    assert_eq!(summary["exit_code"], 2);
}

#[test]
fn level_chooses_what_is_shown_not_what_fails() {
    let Some(path) = installed(CILIUM, "loader-el.elf") else {
        return;
    };
    let file = path.to_str().unwrap();
    let (code, warnings) = check(&[file]);
    assert_eq!(
        code,
        Some(0),
        "legacy maps are a warning: cilium/ebpf loads them"
    );
    assert!(warnings.contains("warning[BPFC-L001]"), "{warnings}");
    assert!(!warnings.contains("\nnote["), "{warnings}");
    assert!(
        warnings.contains("below --level warning not shown"),
        "{warnings}"
    );

    let (code, notes) = check(&["--level", "note", file]);
    assert_eq!(code, Some(0));
    assert!(notes.contains("note[BPFC-"), "{notes}");
    assert!(!notes.contains("not shown"), "{notes}");

    let (code, errors) = check(&["--level", "error", file]);
    assert_eq!(code, Some(0));
    assert_eq!(errors.lines().count(), 1, "only the summary: {errors}");

    // The same counts whatever is shown.
    let counts = |s: &str| {
        let last = s.lines().last().unwrap();
        let after = last.split("; ").nth(1).unwrap();
        after.split(" (").next().unwrap().to_string()
    };
    assert_eq!(counts(&warnings), counts(&notes));
    assert_eq!(counts(&warnings), counts(&errors));
}

#[test]
fn files_from_a_list_of_thousands() {
    let Some(path) = installed(XDP_TOOLS, "xdpfilt_alw_all.o") else {
        return;
    };
    let Some(invalid) = installed(CILIUM, "invalid_btf_map_init-el.elf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    for _ in 0..3000 {
        list.push_str(path.to_str().unwrap());
        list.push('\n');
    }
    std::fs::write(dir.path().join("list"), &list).unwrap();
    let (code, out) = check(&["--files-from", dir.path().join("list").to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("bpfc check: 3000 files, 3000 ok,"), "{out}");

    // From standard input, plus an argument: both are checked.
    let mut child = Command::new(BPFC)
        .args([
            "check",
            "--json",
            "--files-from",
            "-",
            invalid.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n{}\n", path.display(), path.display()).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0]["file"],
        invalid.to_str().unwrap(),
        "arguments come first"
    );
    assert_eq!(lines[3]["summary"]["files"], 3);
    assert_eq!(lines[3]["summary"]["exit_code"], 1);
}

#[test]
fn usage_errors_exit_2() {
    let (code, _) = check(&[]);
    assert_eq!(code, Some(2));
    let out = bpfc(
        Path::new("."),
        &["check", "--files-from", "/nonexistent/list"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the file list /nonexistent/list"));
}

/// `--host` judges the limits that depend on the kernel build against this
/// machine: a cpumap one entry over its NR_CPUS passes the static check
/// (some kernel build may take it) and fails with `--host`, E2BIG named.
#[test]
fn host_judges_machine_limits() {
    let dir = tempfile::tempdir().unwrap();
    let kernel_max: u32 = std::fs::read_to_string("/sys/devices/system/cpu/kernel_max")
        .expect("sysfs is mounted")
        .trim()
        .parse()
        .unwrap();
    let entries = format!("-DCPUMAP_ENTRIES={}", kernel_max + 2);
    let Some(obj) = compile_fixture(dir.path(), "kernel_refusals.bpf.c", &[&entries], "cpumap.o")
    else {
        return;
    };
    let obj = obj.to_str().unwrap();

    let anywhere = bpfc(dir.path(), &["check", "--json", obj]);
    assert_eq!(anywhere.status.code(), Some(0), "{}", stderr(&anywhere));
    assert!(
        !stdout(&anywhere).contains("BPFC-K004"),
        "{}",
        stdout(&anywhere)
    );

    let here = bpfc(dir.path(), &["check", "--json", "--host", obj]);
    let doc: Value = serde_json::from_str(stdout(&here).lines().next().unwrap()).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BPFC-K004")
        .unwrap_or_else(|| panic!("no BPFC-K004 with --host: {doc}"));
    let rule = finding["rule"].as_str().unwrap();
    assert!(
        rule.contains(&format!("NR_CPUS ({})", kernel_max + 1)),
        "{rule}"
    );
    assert!(finding.to_string().contains("E2BIG"), "{finding}");

    // inspect takes the flag too, and reports the same finding.
    let inspected = bpfc(dir.path(), &["inspect", "--host", obj]);
    assert!(
        stdout(&inspected).contains("BPFC-K004"),
        "{}",
        stdout(&inspected)
    );
}
