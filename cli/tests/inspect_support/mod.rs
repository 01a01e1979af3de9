//! Shared helpers for the `inspect`, `check` and `snapshot` CLI tests: the
//! built binary run in a chosen directory (so file names in the output are
//! stable), objects from the installed corpus, C fixtures compiled with
//! clang-19, insta snapshots under snapshots/object_cli, and the
//! SKIP-unless-CI rule.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BPFC: &str = env!("CARGO_BIN_EXE_bpfc");
pub const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf/testdata";
pub const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";

#[path = "../../../core/tests/common/skip.rs"]
pub mod skip_rule;
pub use skip_rule::skip;

/// `dir/name` when it exists, else `None` after a SKIP.
pub fn installed(dir: &str, name: &str) -> Option<PathBuf> {
    let p = Path::new(dir).join(name);
    if p.exists() {
        Some(p)
    } else {
        skip(&format!("{} is not installed", p.display()));
        None
    }
}

/// Runs `bpfc ARGS` in `dir`.
pub fn bpfc(dir: &Path, args: &[&str]) -> Output {
    Command::new(BPFC)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("bpfc runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

/// Compiles `source` (C text) with `clang-19 -target bpf -g -O2` against the
/// fixture header into `dir/out_name`; `None` (after a SKIP) without clang-19.
pub fn compile_source(dir: &Path, source: &str, out_name: &str) -> Option<PathBuf> {
    let src = dir.join(format!("{out_name}.c"));
    std::fs::write(&src, source).unwrap();
    compile_file(dir, &src, &[], out_name)
}

/// Compiles testdata/c/`file` (with `defines`) into `dir/out_name`.
pub fn compile_fixture(
    dir: &Path,
    file: &str,
    defines: &[&str],
    out_name: &str,
) -> Option<PathBuf> {
    compile_file(dir, &fixture_dir().join(file), defines, out_name)
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/c")
        .canonicalize()
        .expect("testdata/c exists")
}

fn compile_file(dir: &Path, src: &Path, defines: &[&str], out_name: &str) -> Option<PathBuf> {
    let out = dir.join(out_name);
    let result = Command::new("clang-19")
        // Source paths end up in the BTF strings and DWARF; map the checkout
        // away so reports and snapshots do not depend on where it lives.
        .arg(repo_prefix_map())
        .args(["-target", "bpf", "-g", "-O2", "-c", "-I"])
        .arg(fixture_dir())
        .arg(src)
        .args(defines)
        .arg("-o")
        .arg(&out)
        .output();
    match result {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => panic!(
            "clang-19 failed on {}: {}",
            src.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            skip(&format!("clang-19 not runnable: {e}"));
            None
        }
    }
}

/// Copies `path` into `dir` (so the output names it by its file name alone).
pub fn copy_into(dir: &Path, path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::copy(path, dir.join(&name)).unwrap();
    name
}

/// An insta snapshot under snapshots/object_cli.
pub fn snapshot(name: &str, value: &str) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/object_cli"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, value);
    });
}

/// `-ffile-prefix-map=<checkout>=.` for the canonical checkout path (the
/// compiler's working directory and the fixture paths both start with it).
fn repo_prefix_map() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("checkout path");
    format!("-ffile-prefix-map={}=.", root.display())
}

/// The installed corpus (cilium/ebpf's test objects in both byte orders and
/// xdp-tools' objects), sorted, or `None` (after a SKIP) without it.
pub fn corpus() -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for dir in [CILIUM, XDP_TOOLS] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            skip(&format!("{dir} is not installed"));
            return None;
        };
        files.extend(
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "elf" || e == "o")),
        );
    }
    files.sort();
    Some(files)
}
