//! A copy of a fixture crate from testdata/rust that builds `--offline`
//! anywhere: its `bpfc = { path = "../../../core" }` dependency made
//! absolute, the workspace's Cargo.lock beside it (the same versions, so no
//! network), and files rewritten only when they changed (cargo's
//! fingerprints stay valid, so a persistent target directory makes later
//! runs incremental). Fixtures that depend on each other by relative path
//! (`../dep_maps`) keep working when copied into the same directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Writes `contents` to `path` unless it already holds exactly that.
pub fn write_if_changed(path: &Path, contents: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(contents) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, contents)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// Copies `root`/testdata/rust/`name` to `into`/`name` (see the module
/// docs) and returns the copy's directory; `root` is the workspace root
/// (`concat!(env!("CARGO_MANIFEST_DIR"), "/..")` in a member's tests).
pub fn copy_fixture(root: &Path, name: &str, into: &Path) -> PathBuf {
    let root = root.canonicalize().expect("workspace root");
    let from = root.join("testdata/rust").join(name);
    let to = into.join(name);
    let manifest = std::fs::read_to_string(from.join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("reading the fixture {name}: {e}"));
    let local = manifest.replace(
        r#"path = "../../../core""#,
        &format!("path = {:?}", root.join("core").display().to_string()),
    );
    assert_ne!(
        local, manifest,
        "the fixture {name} depends on bpfc by the relative path ../../../core"
    );
    write_if_changed(&to.join("Cargo.toml"), local.as_bytes());
    write_if_changed(
        &to.join("Cargo.lock"),
        &std::fs::read(root.join("Cargo.lock")).unwrap(),
    );
    copy_tree(&from.join("src"), &to.join("src"));
    to
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            write_if_changed(&target, &std::fs::read(entry.path()).unwrap());
        }
    }
}
