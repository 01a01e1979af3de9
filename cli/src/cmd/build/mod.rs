//! `bpfc build [CRATE_DIR] [-o OUT] [--release] [--endian E] [--license TEXT]
//! [--features F,...] [--all-features] [--no-default-features]
//! [--target-dir DIR] [--list-inputs]`: compiles a library crate's
//! `#[bpf_map]` declarations with cargo (host target, stable rustc, full
//! debug info) and turns the objects holding them into one BPF object.
//!
//! The steps, one module each: [`cargo`] finds the crate and runs
//! `cargo build --lib`, [`rlib`] picks the objects that declare maps out of
//! the rlibs cargo reported, [`bpfc::build::build_object`] converts them,
//! and the result is checked like `bpfc check` before it is written
//! (atomically: a failed build leaves no new file, and an earlier OUT
//! untouched).
//!
//! Exit status: 0 built; 1 the crate is at fault (it does not compile,
//! declares no maps, or its object has error-level findings); 2 bpfc could
//! not do its job (arguments, no Cargo.toml, not a library crate, cargo not
//! runnable, unreadable rlibs, the output not writable), as for `check`.

pub mod cargo;
pub mod rlib;

use super::objfile;
use crate::output::write_atomically;
use crate::render::{CmdResult, Diagnostic};
use bpfc::build::{build_object, BuildError, BuildOptions, HostObject};
use bpfc::bytes::Endian;
use bpfc::diag::{check_object, CheckEnv, Severity};
use bpfc::report::{escape_controls_owned, render_finding_into, Counts};
use cargo::{CargoBuild, CargoError};
use clap::{Args, ValueEnum};
use rlib::RlibError;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
The crate must be a library (a `lib` target) that depends on `bpfc` and
declares its maps with #[bpf_map]. It is built for the host by stable
rustc with full debug info in any profile (CARGO_PROFILE_*_DEBUG=2, LTO off,
split-debuginfo off); every object of its rlib and of its dependencies'
rlibs that holds `.maps`, `maps` or `.bpfc.slots` is converted, so maps may
be declared in dependencies too. Cargo's progress and errors go to stderr;
cargo's own settings apply (CARGO to choose the cargo, CARGO_NET_OFFLINE,
.cargo/config.toml).

The object is checked as `bpfc check` would check it: error-level findings
fail the build, warnings are shown. It is written to a temporary file and
renamed, so a failed build never leaves a partial or new OUT.

The license section defaults to \"GPL\", which lets programs linked with
the object call GPL-only helpers; pass e.g. --license \"Dual BSD/GPL\".

Examples:
  bpfc build maps/ -o maps.bpf.o
  bpfc build --release --features ipv6     # writes target/bpf/<crate>.bpf.o
  bpfc build maps/ --list-inputs           # which objects declare maps

Exit status:
  0  the object was written
  1  the crate is at fault: it does not compile, declares no maps, or its
     object has error-level findings
  2  bpfc could not do its job: bad arguments, no Cargo.toml, not a library
     crate, cargo not runnable, unreadable rlibs, OUT not writable";

#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct BuildArgs {
    /// The library crate declaring the maps, or its Cargo.toml (default: the current directory).
    #[arg(value_name = "CRATE_DIR")]
    pub crate_dir: Option<PathBuf>,
    /// Where to write the BPF object (default: TARGET_DIR/bpf/<crate>.bpf.o).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Build the crate with the release profile.
    #[arg(long)]
    pub release: bool,
    /// Byte order of the written object (default: this machine's).
    #[arg(long, value_enum, value_name = "ENDIAN")]
    pub endian: Option<EndianArg>,
    /// Contents of the object's license section.
    #[arg(long, value_name = "TEXT", default_value = "GPL")]
    pub license: String,
    /// Features of the crate to activate (comma-separated or repeated).
    #[arg(short = 'F', long, value_name = "FEATURES", value_delimiter = ',')]
    pub features: Vec<String>,
    /// Activate all features of the crate.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the crate's `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Cargo's target directory (default: the crate's usual one).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Build the crate and list the objects that declare maps (one per
    /// line on stdout, with their map sections); write no BPF object.
    #[arg(long)]
    pub list_inputs: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EndianArg {
    Little,
    Big,
}

/// A failed build: the diagnostic and the exit status (1 or 2).
struct Failed {
    exit: u8,
    diag: Box<Diagnostic>,
}

impl Failed {
    /// bpfc could not do its job.
    fn tool(diag: Diagnostic) -> Failed {
        Failed {
            exit: 2,
            diag: Box::new(diag),
        }
    }

    /// The crate is at fault.
    fn input(diag: Diagnostic) -> Failed {
        Failed {
            exit: 1,
            diag: Box::new(diag),
        }
    }
}

pub fn run(args: &BuildArgs) -> CmdResult {
    match build(args) {
        Ok(code) => Ok(code),
        Err(Failed { exit: 2, diag }) => Err(diag),
        Err(Failed { exit, diag }) => {
            eprint!("{}", diag.render());
            Ok(ExitCode::from(exit))
        }
    }
}

fn build(args: &BuildArgs) -> Result<ExitCode, Failed> {
    let dir = args.crate_dir.as_deref().unwrap_or(Path::new("."));
    let manifest = cargo::find_manifest(dir).map_err(cargo_failure)?;
    let metadata = cargo::start_metadata(&manifest).map_err(cargo_failure)?;
    let target_dir = match &args.target_dir {
        Some(d) => Some(absolute(d)?),
        None => None,
    };
    let request = CargoBuild {
        release: args.release,
        features: args.features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
        target_dir: target_dir.clone(),
    };
    let built = cargo::build(&manifest, &request);
    // What the crate is (a library? its name and target directory) decides
    // first: a binary-only crate's build fails too, for that reason.
    let krate = cargo::read_crate(&manifest, metadata).map_err(cargo_failure)?;
    let rlibs = built.map_err(cargo_failure)?;
    let collected = rlib::collect(&rlibs).map_err(rlib_failure)?;
    if collected.is_empty() {
        return Err(no_maps(&krate, rlibs.len()));
    }
    if args.list_inputs {
        let mut text = String::new();
        for c in &collected {
            text.push_str(&format!("{}: {}\n", c.origin, c.sections.join(" ")));
        }
        let text = escape_controls_owned(text);
        objfile::written(io::stdout().lock().write_all(text.as_bytes()))
            .map_err(|d| Failed { exit: 2, diag: d })?;
        return Ok(ExitCode::SUCCESS);
    }

    let out = match &args.output {
        Some(o) => o.clone(),
        None => {
            let dir = target_dir
                .unwrap_or_else(|| krate.target_dir.clone())
                .join("bpf");
            std::fs::create_dir_all(&dir).map_err(|e| {
                Failed::tool(Diagnostic::error(format!(
                    "cannot create {}: {e}",
                    dir.display()
                )))
            })?;
            dir.join(format!("{}.bpf.o", krate.lib_name))
        }
    };
    let shown = objfile::display(&out);

    let inputs: Vec<HostObject<'_>> = collected
        .iter()
        .map(|c| HostObject {
            origin: &c.origin,
            data: &c.data,
        })
        .collect();
    let options = BuildOptions {
        endian: match args.endian {
            None => Endian::NATIVE,
            Some(EndianArg::Little) => Endian::Little,
            Some(EndianArg::Big) => Endian::Big,
        },
        license: args.license.clone(),
    };
    let built = build_object(&inputs, &options).map_err(|e| convert_failure(&krate, e))?;

    let mut report = String::new();
    for w in &built.warnings {
        report.push_str(&Diagnostic::warning(w.clone()).render());
    }
    let counts = check_built(&shown, &built.bytes, &mut report)?;
    eprint!("{}", escape_controls_owned(report));
    if counts.errors > 0 {
        return Err(Failed::input(
            Diagnostic::error(format!(
                "the object built from {} fails the checks of `bpfc check` ({})",
                krate.package,
                counts.text()
            ))
            .at(shown.clone())
            .note(format!("{shown} was not written"))
            .help("fix the map declarations the findings above point at"),
        ));
    }

    write_atomically(&out, &built.bytes).map_err(|e| {
        Failed::tool(Diagnostic::error(format!("cannot write {shown}: {e}")).at(shown.clone()))
    })?;
    eprintln!(
        "{}",
        summary(&shown, &built.maps, built.warnings.len() + counts.warnings)
    );
    Ok(ExitCode::SUCCESS)
}

/// `       Built OUT: 3 maps (FLOWS, EVENTS, LOG)`, cargo's verb column.
fn summary(out: &str, maps: &[String], warnings: usize) -> String {
    const SHOWN: usize = 8;
    let mut names = maps
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if maps.len() > SHOWN {
        names.push_str(&format!(", and {} more", maps.len() - SHOWN));
    }
    let mut line = format!(
        "{:>12} {out}: {} map{} ({names})",
        "Built",
        maps.len(),
        if maps.len() == 1 { "" } else { "s" }
    );
    if warnings > 0 {
        line.push_str(&format!(
            "; {warnings} warning{}",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    escape_controls_owned(line)
}

/// Checks the object about to be written to `file` as `bpfc check` would,
/// rendering its warnings and errors into `report`.
fn check_built(file: &str, bytes: &[u8], report: &mut String) -> Result<Counts, Failed> {
    let obj = objfile::parse(file, bytes).map_err(|e| {
        let mut d = e.diagnostic(file);
        d.help.clear();
        Failed::tool(
            d.note(format!("{file} was not written"))
                .help("this is a bug in bpfc build: please report it with the crate"),
        )
    })?;
    let mut findings = check_object(&obj, &CheckEnv::default());
    objfile::sort_findings(&mut findings);
    for f in findings.iter().filter(|f| f.severity >= Severity::Warning) {
        render_finding_into(report, file, f);
    }
    Ok(Counts::of(&findings))
}

/// `p` made absolute (cargo is given it, and origins are shown with it):
/// resolved when it exists, else relative to the current directory.
fn absolute(p: &Path) -> Result<PathBuf, Failed> {
    p.canonicalize()
        .or_else(|_| std::path::absolute(p))
        .map_err(|e| {
            Failed::tool(Diagnostic::error(format!(
                "cannot resolve {}: {e}",
                p.display()
            )))
        })
}

fn cargo_failure(e: CargoError) -> Failed {
    match e {
        CargoError::NoManifest(dir) => Failed::tool(
            Diagnostic::error(format!("no Cargo.toml in {}", dir.display()))
                .help("run `bpfc build` in the library crate's directory, or pass it as CRATE_DIR"),
        ),
        CargoError::NotRunnable { cargo, error } => Failed::tool(
            Diagnostic::error(format!(
                "cannot run cargo ({}): {error}",
                cargo.to_string_lossy()
            ))
            .note("bpfc build compiles the crate with cargo: is a Rust toolchain installed?")
            .help("install one (https://rustup.rs), put `cargo` on PATH, or set CARGO to the cargo to run"),
        ),
        CargoError::Metadata { manifest, message } => {
            let mut d = Diagnostic::error(format!("cargo metadata failed for {}", manifest.display()))
                .at(manifest.display().to_string());
            for line in message.lines().filter(|l| !l.trim().is_empty()) {
                d = d.note(line.to_string());
            }
            Failed::tool(d)
        }
        CargoError::NoPackage(manifest) => Failed::tool(
            Diagnostic::error(format!(
                "{} declares no package (a virtual workspace manifest)",
                manifest.display()
            ))
            .at(manifest.display().to_string())
            .help("pass the directory of the library crate that declares the maps"),
        ),
        CargoError::NotALibrary {
            manifest,
            package,
            kinds,
        } => Failed::tool(
            Diagnostic::error(format!("package `{package}` is not a library crate"))
                .at(manifest.display().to_string())
                .note(format!(
                    "its targets are: {}",
                    if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") }
                ))
                .note("#[bpf_map] declarations must live in a library crate: bpfc build converts the objects of its rlib")
                .help("move the #[bpf_map] statics into src/lib.rs (a `lib` target) and use them from the binary"),
        ),
        CargoError::BuildFailed { status } => Failed::input(
            Diagnostic::error("cargo build failed")
                .note(match status.code() {
                    Some(c) => format!("cargo exited with status {c}; its messages are above"),
                    None => format!("cargo was stopped ({status})"),
                })
                .note("no BPF object was written"),
        ),
        CargoError::Io(e) => Failed::tool(Diagnostic::error(format!("reading cargo's output: {e}"))),
    }
}

fn rlib_failure(e: RlibError) -> Failed {
    Failed::tool(
        Diagnostic::error(e.to_string())
            .at(e.place())
            .help("the build left a damaged file: run `cargo clean` and build again"),
    )
}

fn no_maps(krate: &cargo::Crate, rlibs: usize) -> Failed {
    Failed::input(
        Diagnostic::error(BuildError::NoMaps.to_string())
            .at(krate.manifest.display().to_string())
            .note(format!(
                "looked at the objects of {rlibs} rlib{} (package `{}` and its dependencies)",
                if rlibs == 1 { "" } else { "s" },
                krate.package
            ))
            .help("declare maps in the library with `#[bpf_map] pub static NAME: Hash<K, V>;`, or in a crate it depends on")
            .note("no BPF object was written"),
    )
}

/// The crate's maps could not become an object: the crate is at fault
/// (exit 1), as for a compile error.
fn convert_failure(krate: &cargo::Crate, e: BuildError) -> Failed {
    Failed::input(
        Diagnostic::error(format!(
            "cannot convert the maps of `{}` into a BPF object: {e}",
            krate.package
        ))
        .note("no BPF object was written"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let maps: Vec<String> = ["FLOWS", "EVENTS", "LOG"].map(String::from).to_vec();
        assert_eq!(
            summary("m.bpf.o", &maps, 0),
            "       Built m.bpf.o: 3 maps (FLOWS, EVENTS, LOG)"
        );
        assert_eq!(
            summary("m.bpf.o", &maps[..1], 2),
            "       Built m.bpf.o: 1 map (FLOWS); 2 warnings"
        );
        let many: Vec<String> = (0..10).map(|i| format!("M{i}")).collect();
        assert!(summary("m", &many, 0).ends_with("M7, and 2 more)"));
    }

    #[test]
    fn built_objects_are_checked_like_bpfc_check() {
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/example/flows.bpf.o"
        );
        let mut report = String::new();
        let counts = check_built("flows.bpf.o", &std::fs::read(example).unwrap(), &mut report)
            .unwrap_or_else(|f| panic!("{}", f.diag.render()));
        assert_eq!(counts.errors, 0, "{report}");

        // Non-zero bytes past a legacy definition: error BPFC-L003.
        let invalid = "/usr/share/gocode/src/github.com/cilium/ebpf/testdata/invalid_map-el.elf";
        let Ok(bytes) = std::fs::read(invalid) else {
            eprintln!("SKIP: {invalid} is not installed");
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI has the corpus"
            );
            return;
        };
        let mut report = String::new();
        let counts = check_built("bad.bpf.o", &bytes, &mut report).unwrap_or_else(|_| panic!());
        assert!(counts.errors > 0);
        assert!(report.contains("error[BPFC-L003]"), "{report}");
        assert!(report.contains("--> bad.bpf.o"), "{report}");

        // Not an object at all: a bug in the converter, exit 2.
        let mut report = String::new();
        let failed = check_built("x.bpf.o", b"junk", &mut report).err().unwrap();
        assert_eq!(failed.exit, 2);
        assert!(failed.diag.render().contains("x.bpf.o was not written"));
    }

    #[test]
    fn atomic_write_leaves_nothing_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.bpf.o");
        write_atomically(&out, b"abc").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        // A directory in the way: the rename fails, no temporary is left.
        let blocked = dir.path().join("d");
        std::fs::create_dir(blocked.join("")).unwrap();
        std::fs::write(blocked.join("f"), b"").unwrap();
        assert!(write_atomically(&blocked, b"abc").is_err());
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["d", "x.bpf.o"]);
        assert!(write_atomically(&dir.path().join("no/such/dir/x.o"), b"").is_err());
    }
}
