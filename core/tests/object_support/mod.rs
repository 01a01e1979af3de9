//! Shared helpers for the object reader's integration tests: the corpus
//! (cilium/ebpf and xdp-tools objects), compiling the C fixtures with
//! clang-19, and the SKIP-unless-CI rule.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";
pub const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";

#[path = "../common/skip.rs"]
pub mod skip_rule;
pub use skip_rule::skip;

#[path = "../common/libbpf_oracle.rs"]
mod libbpf_oracle;
#[allow(unused_imports)] // not every test crate builds an oracle
pub use libbpf_oracle::build_libbpf_oracle;

fn list(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// Every cilium/ebpf test object (both byte orders) and xdp-tools object, or
/// `None` (after a SKIP) when the corpus is not installed.
pub fn corpus() -> Option<Vec<PathBuf>> {
    let mut v = list(&format!("{CILIUM}/testdata"), ".elf");
    v.extend(list(&format!("{CILIUM}/btf/testdata"), ".elf"));
    let cilium = v.len();
    v.extend(list(XDP_TOOLS, ".o"));
    if cilium == 0 || v.len() == cilium {
        skip("cilium/ebpf testdata or xdp-tools objects are not installed");
        return None;
    }
    Some(v)
}

/// The libbpf object name for a path.
pub fn name_of(path: &Path) -> String {
    bpfc::object::object_name_from_path(&path.to_string_lossy())
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/c")
        .canonicalize()
        .expect("testdata/c exists")
}

/// Compiles `testdata/c/<file>` with `clang-19 -target bpf -g -O2`, plus
/// `args` (defines), into `out_name` inside `dir`; `None` (after a SKIP)
/// without clang-19.
pub fn compile_into(dir: &Path, file: &str, args: &[&str], out_name: &str) -> Option<PathBuf> {
    let out = dir.join(out_name);
    let status = Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-O2", "-c"])
        // Source paths end up in the BTF strings and DWARF; map the checkout
        // away so reports and snapshots do not depend on where it lives.
        .arg(repo_prefix_map())
        .arg(fixture_dir().join(file))
        .args(args)
        .arg("-o")
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => Some(out),
        Ok(s) => panic!("clang-19 failed on {file} {args:?}: {s}"),
        Err(e) => {
            skip(&format!("clang-19 not runnable: {e}"));
            None
        }
    }
}

/// Compiles a fixture into a fresh temporary directory; returns the bytes.
pub fn compile(file: &str, args: &[&str]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = compile_into(dir.path(), file, args, "fixture.bpf.o")?;
    Some(std::fs::read(path).unwrap())
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
