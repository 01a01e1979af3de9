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
    copy_crate(
        root,
        &format!("testdata/rust/{name}"),
        &root.join(Path::new("testdata/rust").join(name)),
        into,
        true,
    )
}

/// Copies the crate at `root`/`rel` (e.g. `examples/flows`, which depends
/// on bpfc by a relative path to `root`/core) to `into`/(its last path
/// component), as [`copy_fixture`] does; with `workspace_lock` false the
/// crate's own Cargo.lock is copied instead of the workspace's.
pub fn copy_example(root: &Path, rel: &str, into: &Path, workspace_lock: bool) -> PathBuf {
    copy_crate(root, rel, &root.join(rel), into, workspace_lock)
}

fn copy_crate(root: &Path, rel: &str, from: &Path, into: &Path, workspace_lock: bool) -> PathBuf {
    let root = root.canonicalize().expect("workspace root");
    let name = Path::new(rel).file_name().expect("a crate directory");
    let to = into.join(name);
    let manifest = std::fs::read_to_string(from.join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("reading the crate {rel}: {e}"));
    let up = "../".repeat(Path::new(rel).components().count());
    let local = manifest.replace(
        &format!(r#"path = "{up}core""#),
        &format!("path = {:?}", root.join("core").display().to_string()),
    );
    assert_ne!(
        local, manifest,
        "the crate {rel} depends on bpfc by the relative path {up}core"
    );
    write_if_changed(&to.join("Cargo.toml"), local.as_bytes());
    let lock = if workspace_lock {
        root.join("Cargo.lock")
    } else {
        from.join("Cargo.lock")
    };
    write_if_changed(&to.join("Cargo.lock"), &std::fs::read(lock).unwrap());
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
