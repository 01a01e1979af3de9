//! Helpers shared by the `bpfc build` tests (build.rs, build_oracle.rs):
//! fixture crates of testdata/rust copied next to one persistent target
//! directory under CARGO_TARGET_TMPDIR (bpfc and its dependencies compile
//! once for all the tests and all later runs), `bpfc build` run offline
//! into it, and what a test asks of the result.
#![allow(dead_code)]

#[path = "../../../core/tests/common/fixture_crate.rs"]
mod fixture_crate;

use crate::inspect_support::{stderr, stdout, BPFC};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

pub fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bpfc-build")
}

/// The one target directory every build here shares.
pub fn target_dir() -> PathBuf {
    scratch().join("target")
}

/// A fixture of testdata/rust copied for building (copies are made one at
/// a time: fixtures share files such as the lock file).
pub fn fixture(name: &str) -> PathBuf {
    fixture_in(name, "crates")
}

/// A fixture copied into `scratch()/dir` instead: a copy of its own (cargo
/// builds it apart from the shared copy, so a test may touch its files
/// without making other tests rebuild).
pub fn fixture_in(name: &str, dir: &str) -> PathBuf {
    static COPYING: Mutex<()> = Mutex::new(());
    let _guard = COPYING.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    fixture_crate::copy_fixture(root, name, &scratch().join(dir))
}

/// A crate written by the test: `files` as (path, text) pairs.
pub fn handmade(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

pub const PLAIN_MANIFEST: &str = r#"[package]
name = "handmade"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]
"#;

/// `bpfc build ARGS` in `dir`, offline, into the shared target directory.
pub fn build_in(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    build_with_target(dir, args, envs, &target_dir())
}

/// `bpfc build ARGS` in `dir`, offline, into `target`.
pub fn build_with_target(
    dir: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
    target: &Path,
) -> Output {
    Command::new(BPFC)
        .current_dir(dir)
        .arg("build")
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR")
        .envs(envs.iter().copied())
        .output()
        .expect("bpfc runs")
}

/// `--list-inputs` on a fixture: (origin, sections) per line.
pub fn list_inputs(name: &str) -> Vec<(String, Vec<String>)> {
    let krate = fixture(name);
    let out = build_in(&krate, &["--list-inputs"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "bpfc build --list-inputs {name}:\n{}",
        stderr(&out)
    );
    stdout(&out)
        .lines()
        .map(|line| {
            let (origin, sections) = line.rsplit_once(": ").expect("origin: sections");
            (
                origin.to_string(),
                sections.split(' ').map(str::to_string).collect(),
            )
        })
        .collect()
}

/// The crate of an origin `DIR/deps/libx-HASH.rlib(member.o)` (a
/// dependency) or `DIR/libx.rlib(member.o)` (the crate built, as cargo
/// reports it: its copy outside deps/).
pub fn crate_of(origin: &str) -> &str {
    let rlib = origin.split_once(".rlib(").expect("an rlib member").0;
    let file = rlib.rsplit('/').next().unwrap();
    let name = file.strip_prefix("lib").expect("rlibs are named libNAME");
    name.split_once('-').map_or(name, |(n, _)| n)
}

/// Nothing was written: no OUT, no default output, no temporary file.
pub fn assert_no_output(out: &Path, crate_name: &str) {
    assert!(!out.exists(), "{} was left behind", out.display());
    let default = target_dir().join(format!("bpf/{crate_name}.bpf.o"));
    assert!(!default.exists(), "{} was written", default.display());
    if let Ok(entries) = std::fs::read_dir(out.parent().unwrap()) {
        for e in entries {
            let name = e.unwrap().file_name().into_string().unwrap();
            assert!(!name.ends_with(".tmp"), "temporary file {name} left behind");
        }
    }
}

/// `bpfc inspect FILE`'s text.
pub fn inspect(file: &Path) -> String {
    let out = Command::new(BPFC)
        .arg("inspect")
        .arg(file)
        .output()
        .expect("bpfc runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}
