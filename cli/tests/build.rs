//! `bpfc build` as a user runs it, on real crates built by real cargo
//! (`--offline`, against the workspace's Cargo.lock): the objects it picks
//! out of the rlibs (`--list-inputs`: `.maps`, `maps`, `.bpfc.slots`, and
//! maps declared in a dependency), and each way it fails, with its exit
//! status, its message and no output file left behind.
//!
//! The fixture crates are copied from testdata/rust next to one persistent
//! target directory under CARGO_TARGET_TMPDIR, so bpfc and its dependencies
//! compile once for all the tests and all later runs.

mod inspect_support;

#[path = "../../core/tests/common/fixture_crate.rs"]
mod fixture_crate;

use inspect_support::{stderr, stdout, BPFC};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bpfc-build")
}

/// The one target directory every build here shares.
fn target_dir() -> PathBuf {
    scratch().join("target")
}

/// A fixture of testdata/rust copied for building (copies are made one at
/// a time: fixtures share files such as the lock file).
fn fixture(name: &str) -> PathBuf {
    static COPYING: Mutex<()> = Mutex::new(());
    let _guard = COPYING.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    fixture_crate::copy_fixture(root, name, &scratch().join("crates"))
}

/// A crate written by the test: `files` as (path, text) pairs.
fn handmade(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const PLAIN_MANIFEST: &str = r#"[package]
name = "handmade"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]
"#;

/// `bpfc build ARGS` in `dir`, offline, into the shared target directory.
fn build_in(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let target = target_dir();
    Command::new(BPFC)
        .current_dir(dir)
        .arg("build")
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR")
        .envs(envs.iter().copied())
        .output()
        .expect("bpfc runs")
}

/// `--list-inputs` on a fixture: (origin, sections) per line.
fn list_inputs(name: &str) -> Vec<(String, Vec<String>)> {
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
fn crate_of(origin: &str) -> &str {
    let rlib = origin.split_once(".rlib(").expect("an rlib member").0;
    let file = rlib.rsplit('/').next().unwrap();
    let name = file.strip_prefix("lib").expect("rlibs are named libNAME");
    name.split_once('-').map_or(name, |(n, _)| n)
}

/// Nothing was written: no OUT, no default output, no temporary file.
fn assert_no_output(out: &Path, crate_name: &str) {
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

// ---------------------------------------------------------------- inputs

#[test]
fn macro_maps_objects_holding_every_map_section_are_collected() {
    let inputs = list_inputs("macro_maps");
    assert!(!inputs.is_empty());
    for (origin, _) in &inputs {
        assert!(
            crate_of(origin) == "macro_maps",
            "only the fixture's own rlib declares maps: {origin}"
        );
        assert!(origin.ends_with(".o)"), "{origin}");
    }
    let sorted = {
        let mut o: Vec<_> = inputs.iter().map(|(o, _)| o.clone()).collect();
        o.sort();
        o
    };
    assert_eq!(
        inputs.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>(),
        sorted,
        "sorted by origin"
    );
    for section in [".maps", "maps", ".bpfc.slots"] {
        assert!(
            inputs.iter().any(|(_, s)| s.iter().any(|x| x == section)),
            "no collected object has {section}: {inputs:?}"
        );
    }
}

#[test]
fn maps_declared_in_a_dependency_are_collected() {
    fixture("dep_maps");
    let inputs = list_inputs("uses_dep_maps");
    let with = |name: &str| -> Vec<&Vec<String>> {
        inputs
            .iter()
            .filter(|(o, _)| crate_of(o) == name)
            .map(|(_, s)| s)
            .collect()
    };
    let dep = with("dep_maps");
    assert!(
        dep.iter().any(|s| s.contains(&".maps".to_string())),
        "the dependency's .maps object is missing: {inputs:?}"
    );
    let own = with("uses_dep_maps");
    assert!(
        own.iter().any(|s| s.contains(&"maps".to_string())),
        "the crate's own legacy map is missing: {inputs:?}"
    );
    assert_eq!(dep.len() + own.len(), inputs.len(), "{inputs:?}");
}

// ---------------------------------------------------------------- failures

#[test]
fn a_directory_without_cargo_toml() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("x.bpf.o");
    let out = build_in(dir.path(), &["-o", out_path.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: no Cargo.toml in ."), "{err}");
    // Also when named.
    let sub = dir.path().join("empty");
    std::fs::create_dir(&sub).unwrap();
    let out = build_in(
        dir.path(),
        &["empty", "-o", out_path.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Cargo.toml in empty"),
        "{}",
        stderr(&out)
    );
    assert_no_output(&out_path, "empty");
}

#[test]
fn a_binary_only_crate() {
    let krate = handmade(&[
        ("Cargo.toml", PLAIN_MANIFEST),
        ("src/main.rs", "fn main() {}\n"),
    ]);
    let out_path = krate.path().join("x.bpf.o");
    let out = build_in(krate.path(), &["-o", out_path.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: package `handmade` is not a library crate"),
        "{err}"
    );
    assert!(
        err.contains("#[bpf_map] declarations must live in a library crate"),
        "{err}"
    );
    assert!(err.contains("its targets are: bin"), "{err}");
    assert_no_output(&out_path, "handmade");
}

#[test]
fn a_crate_that_does_not_compile() {
    let krate = handmade(&[
        ("Cargo.toml", PLAIN_MANIFEST),
        (
            "src/lib.rs",
            "pub fn answer() -> u32 {\n    \"forty-two\"\n}\n",
        ),
    ]);
    let out_path = krate.path().join("x.bpf.o");
    let out = build_in(krate.path(), &["-o", out_path.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    // cargo's own diagnostic, rendered, then ours.
    assert!(err.contains("mismatched types"), "{err}");
    let ours = err.find("error: cargo build failed").expect(&err);
    assert!(err.find("mismatched types").unwrap() < ours, "{err}");
    assert_no_output(&out_path, "handmade");
}

#[test]
fn a_library_without_maps() {
    let krate = handmade(&[
        ("Cargo.toml", PLAIN_MANIFEST),
        ("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n"),
    ]);
    let out_path = krate.path().join("x.bpf.o");
    let out = build_in(krate.path(), &["-o", out_path.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: no map definitions found"), "{err}");
    assert!(err.contains("looked at the objects of 1 rlib"), "{err}");
    assert_no_output(&out_path, "handmade");
}

#[test]
fn a_missing_toolchain() {
    let krate = handmade(&[
        ("Cargo.toml", PLAIN_MANIFEST),
        ("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n"),
    ]);
    let out_path = krate.path().join("x.bpf.o");
    let out = build_in(
        krate.path(),
        &["-o", out_path.to_str().unwrap()],
        &[("CARGO", "/nonexistent")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot run cargo (/nonexistent)"),
        "{err}"
    );
    assert!(err.contains("set CARGO"), "{err}");
    assert_no_output(&out_path, "handmade");
}

#[test]
fn features_and_profile_reach_cargo() {
    // Each option turns on one compile_error!, so the error cargo prints
    // shows which options it was given.
    let krate = handmade(&[
        (
            "Cargo.toml",
            &format!("{PLAIN_MANIFEST}\n[features]\ndefault = [\"std\"]\nstd = []\nbroken = []\nextra = []\n"),
        ),
        (
            "src/lib.rs",
            concat!(
                "#[cfg(feature = \"broken\")]\ncompile_error!(\"feature broken is on\");\n",
                "#[cfg(all(feature = \"extra\", not(feature = \"broken\")))]\ncompile_error!(\"feature extra is on\");\n",
                "#[cfg(not(feature = \"std\"))]\ncompile_error!(\"default features are off\");\n",
                "#[cfg(not(debug_assertions))]\ncompile_error!(\"release profile\");\n",
            ),
        ),
    ]);
    for (args, expected) in [
        (&["--features", "broken"][..], "feature broken is on"),
        (&["-F", "extra"][..], "feature extra is on"),
        (&["--all-features"][..], "feature broken is on"),
        (&["--no-default-features"][..], "default features are off"),
        (&["--release"][..], "release profile"),
    ] {
        let out = build_in(krate.path(), args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(err.contains("error: cargo build failed"), "{args:?}: {err}");
    }
    // None of them: it builds, and has no maps.
    let out = build_in(krate.path(), &[], &[]);
    assert!(
        stderr(&out).contains("no map definitions found"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- success

/// `bpfc inspect FILE`'s text.
fn inspect(file: &Path) -> String {
    let out = Command::new(BPFC)
        .arg("inspect")
        .arg(file)
        .output()
        .expect("bpfc runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn macro_maps_builds_an_object_with_every_map() {
    let krate = fixture("macro_maps");
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("maps.bpf.o");
    let out = build_in(&krate, &["-o", out_path.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Built "), "{}", stderr(&out));
    let text = inspect(&out_path);
    for map in [
        "FLOWS",
        "OUTER_ARR",
        "LOG",
        "renamed_map",
        "OLD_HASH",
        "OLD_PERF",
    ] {
        assert!(text.contains(map), "{map} missing from:\n{text}");
    }
}

#[test]
fn a_dependency_s_maps_land_in_the_default_output() {
    fixture("dep_maps");
    let krate = fixture("uses_dep_maps");
    let out = build_in(&krate, &["--license", "Dual BSD/GPL"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = target_dir().join("bpf/uses_dep_maps.bpf.o");
    let text = inspect(&written);
    for map in ["DEP_COUNTS", "OWN_SEEN", "Dual BSD/GPL"] {
        assert!(text.contains(map), "{map} missing from:\n{text}");
    }
}
