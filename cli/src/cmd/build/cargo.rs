//! Running cargo for `bpfc build`: finding the crate (`cargo metadata`),
//! building its library with debug info (`cargo build --lib`), and the
//! rlibs the build produced (its `compiler-artifact` messages).

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The crate to build, as `cargo metadata` describes it.
#[derive(Debug)]
pub struct Crate {
    /// Its `Cargo.toml`.
    pub manifest: PathBuf,
    /// The package name (for `cargo build -p`).
    pub package: String,
    /// The library target's name (the crate name, `-` made `_`).
    pub lib_name: String,
    /// The target directory cargo uses for it (before `--target-dir`).
    pub target_dir: PathBuf,
}

/// What to ask cargo for.
#[derive(Debug, Default)]
pub struct CargoBuild {
    pub release: bool,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// `--target-dir`, absolute.
    pub target_dir: Option<PathBuf>,
}

/// Why cargo gave no rlibs.
#[derive(Debug)]
pub enum CargoError {
    /// No `Cargo.toml` in the directory given.
    NoManifest(PathBuf),
    /// cargo could not be started.
    NotRunnable {
        cargo: OsString,
        error: std::io::Error,
    },
    /// `cargo metadata` failed (its stderr) or said something unexpected.
    Metadata { manifest: PathBuf, message: String },
    /// The manifest declares no package (a virtual workspace).
    NoPackage(PathBuf),
    /// The package has no `lib` target.
    NotALibrary {
        manifest: PathBuf,
        package: String,
        kinds: Vec<String>,
    },
    /// `cargo build` exited unsuccessfully (its messages are on stderr).
    BuildFailed { status: std::process::ExitStatus },
    /// Reading cargo's output failed.
    Io(std::io::Error),
}

/// The cargo to run: `$CARGO` when set (as cargo sets it for the commands
/// it runs), else `cargo` from `PATH`.
pub fn cargo_program() -> OsString {
    std::env::var_os("CARGO")
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| OsString::from("cargo"))
}

/// The manifest for a crate directory (or a `Cargo.toml` path itself).
pub fn find_manifest(dir: &Path) -> Result<PathBuf, CargoError> {
    let manifest = if dir.is_file() && dir.file_name().is_some_and(|n| n == "Cargo.toml") {
        dir.to_path_buf()
    } else {
        dir.join("Cargo.toml")
    };
    if !manifest.is_file() {
        return Err(CargoError::NoManifest(dir.to_path_buf()));
    }
    // Absolute, so that it compares with what cargo metadata reports.
    manifest
        .canonicalize()
        .map_err(|_| CargoError::NoManifest(dir.to_path_buf()))
}

fn spawn_error(cargo: &OsString) -> impl FnOnce(std::io::Error) -> CargoError + '_ {
    move |error| CargoError::NotRunnable {
        cargo: cargo.clone(),
        error,
    }
}

/// Starts `cargo metadata --no-deps` on `manifest`, to run beside the build
/// (it answers in ~10 ms, a third of an up-to-date build's time); its
/// answer is read by [`read_crate`].
pub fn start_metadata(manifest: &Path) -> Result<std::process::Child, CargoError> {
    let cargo = cargo_program();
    Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(manifest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error(&cargo))
}

/// The package of `manifest` and its library target, from the `cargo
/// metadata` started by [`start_metadata`].
pub fn read_crate(manifest: &Path, metadata: std::process::Child) -> Result<Crate, CargoError> {
    let output = metadata.wait_with_output().map_err(CargoError::Io)?;
    let fail = |message: String| CargoError::Metadata {
        manifest: manifest.to_path_buf(),
        message,
    };
    if !output.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .to_string(),
        ));
    }
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| fail(format!("cargo metadata printed no JSON: {e}")))?;
    parse_metadata(manifest, &doc)
}

/// The package of `manifest` in a `cargo metadata` document.
pub fn parse_metadata(manifest: &Path, doc: &serde_json::Value) -> Result<Crate, CargoError> {
    let fail = |message: &str| CargoError::Metadata {
        manifest: manifest.to_path_buf(),
        message: message.to_string(),
    };
    let target_dir = doc["target_directory"]
        .as_str()
        .ok_or_else(|| fail("no target_directory in cargo metadata's output"))?;
    let packages = doc["packages"]
        .as_array()
        .ok_or_else(|| fail("no packages in cargo metadata's output"))?;
    let same = |p: &serde_json::Value| {
        p["manifest_path"].as_str().is_some_and(|m| {
            let m = Path::new(m);
            m == manifest || m.canonicalize().is_ok_and(|c| c == manifest)
        })
    };
    let package = packages
        .iter()
        .find(|p| same(p))
        .ok_or_else(|| CargoError::NoPackage(manifest.to_path_buf()))?;
    let name = package["name"]
        .as_str()
        .ok_or_else(|| fail("a package without a name"))?;
    let targets = package["targets"].as_array().map_or(&[][..], Vec::as_slice);
    let kinds_of = |t: &serde_json::Value| -> Vec<String> {
        t["kind"]
            .as_array()
            .map(|k| {
                k.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let lib = targets
        .iter()
        .find(|t| kinds_of(t).iter().any(|k| k == "lib" || k == "rlib"));
    let Some(lib) = lib else {
        let mut kinds: Vec<String> = targets.iter().flat_map(kinds_of).collect();
        kinds.sort();
        kinds.dedup();
        return Err(CargoError::NotALibrary {
            manifest: manifest.to_path_buf(),
            package: name.to_string(),
            kinds,
        });
    };
    let lib_name = lib["name"].as_str().unwrap_or(name).replace('-', "_");
    Ok(Crate {
        manifest: manifest.to_path_buf(),
        package: name.to_string(),
        lib_name,
        target_dir: PathBuf::from(target_dir),
    })
}

/// The environment that makes every profile's objects usable: full debug
/// info (the DWARF becomes BTF), real machine-code objects rather than
/// LTO bitcode, and the debug info in the objects themselves.
pub const PROFILE_ENV: &[(&str, &str)] = &[
    ("CARGO_PROFILE_DEV_DEBUG", "2"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "2"),
    ("CARGO_PROFILE_DEV_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_DEV_SPLIT_DEBUGINFO", "off"),
    ("CARGO_PROFILE_RELEASE_SPLIT_DEBUGINFO", "off"),
];

/// The `cargo build` command line (without the program). A member's own
/// manifest selects that member, so no `--package` is needed (and the
/// build need not wait for `cargo metadata` to name it).
pub fn build_args(manifest: &Path, build: &CargoBuild) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["build", "--lib", "--message-format=json-render-diagnostics"]
        .map(OsString::from)
        .to_vec();
    args.push("--manifest-path".into());
    args.push(manifest.into());
    if build.release {
        args.push("--release".into());
    }
    if !build.features.is_empty() {
        args.push("--features".into());
        args.push(build.features.join(",").into());
    }
    if build.all_features {
        args.push("--all-features".into());
    }
    if build.no_default_features {
        args.push("--no-default-features".into());
    }
    if let Some(dir) = &build.target_dir {
        args.push("--target-dir".into());
        args.push(dir.clone().into());
    }
    args
}

/// Builds the crate's library; cargo's progress and errors go straight to
/// our stderr. Returns every rlib the build reported (the crate's and its
/// dependencies'), in message order without repeats.
pub fn build(manifest: &Path, build: &CargoBuild) -> Result<Vec<PathBuf>, CargoError> {
    let cargo = cargo_program();
    let mut child = Command::new(&cargo)
        .args(build_args(manifest, build))
        .envs(PROFILE_ENV.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(spawn_error(&cargo))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut rlibs = Vec::new();
    let mut read_error = None;
    for line in BufReader::new(stdout).lines() {
        match line {
            Ok(line) => rlibs_of_message(&line, &mut rlibs),
            Err(e) => {
                // Keep going to the exit: cargo must not block on a full pipe.
                read_error.get_or_insert(e);
            }
        }
    }
    let status = child.wait().map_err(CargoError::Io)?;
    if !status.success() {
        return Err(CargoError::BuildFailed { status });
    }
    if let Some(e) = read_error {
        return Err(CargoError::Io(e));
    }
    Ok(rlibs)
}

/// Adds the `.rlib` files of one line of cargo's JSON output (a
/// `compiler-artifact` message; other lines are ignored).
pub fn rlibs_of_message(line: &str, rlibs: &mut Vec<PathBuf>) {
    let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    if msg["reason"] != "compiler-artifact" {
        return;
    }
    let Some(files) = msg["filenames"].as_array() else {
        return;
    };
    for f in files.iter().filter_map(|f| f.as_str()) {
        let path = PathBuf::from(f);
        if f.ends_with(".rlib") && !rlibs.contains(&path) {
            rlibs.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rlibs_from_artifact_messages_only() {
        let mut rlibs = Vec::new();
        for line in [
            r#"{"reason":"compiler-artifact","target":{"kind":["proc-macro"]},"filenames":["/t/deps/libbpfc_macros-1.so"]}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["custom-build"]},"filenames":["/t/build/x-1/build-script-build"]}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"]},"filenames":["/t/deps/libbpfc-1.rlib","/t/deps/libbpfc-1.rmeta"]}"#,
            r#"{"reason":"build-script-executed","filenames":["/t/x.rlib"]}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"]},"filenames":["/t/deps/libbpfc-1.rlib"]}"#,
            "not json",
            r#"{"reason":"build-finished","success":true}"#,
        ] {
            rlibs_of_message(line, &mut rlibs);
        }
        assert_eq!(rlibs, [PathBuf::from("/t/deps/libbpfc-1.rlib")]);
    }

    fn doc(kinds: &[&str]) -> serde_json::Value {
        json!({
            "target_directory": "/w/target",
            "packages": [
                {"name": "other", "manifest_path": "/w/other/Cargo.toml", "targets": []},
                {"name": "my-maps", "manifest_path": "/w/maps/Cargo.toml", "targets": [
                    {"name": "my-maps", "kind": kinds},
                    {"name": "tool", "kind": ["bin"]},
                ]},
            ],
        })
    }

    #[test]
    fn metadata_finds_the_library() {
        let m = Path::new("/w/maps/Cargo.toml");
        let c = parse_metadata(m, &doc(&["lib"])).unwrap();
        assert_eq!(c.package, "my-maps");
        assert_eq!(c.lib_name, "my_maps");
        assert_eq!(c.target_dir, Path::new("/w/target"));
        assert!(parse_metadata(m, &doc(&["rlib", "cdylib"])).is_ok());
        match parse_metadata(m, &doc(&["proc-macro"])) {
            Err(CargoError::NotALibrary { kinds, .. }) => assert_eq!(kinds, ["bin", "proc-macro"]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_metadata(Path::new("/w/Cargo.toml"), &doc(&["lib"])),
            Err(CargoError::NoPackage(_))
        ));
    }

    #[test]
    fn build_command_line() {
        let args = build_args(
            Path::new("/w/maps/Cargo.toml"),
            &CargoBuild {
                release: true,
                features: vec!["a".into(), "b".into()],
                no_default_features: true,
                target_dir: Some("/tmp/t".into()),
                ..CargoBuild::default()
            },
        );
        let args: Vec<_> = args.iter().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            args,
            [
                "build",
                "--lib",
                "--message-format=json-render-diagnostics",
                "--manifest-path",
                "/w/maps/Cargo.toml",
                "--release",
                "--features",
                "a,b",
                "--no-default-features",
                "--target-dir",
                "/tmp/t",
            ]
        );
    }
}
