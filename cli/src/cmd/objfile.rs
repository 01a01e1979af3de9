//! Reading BPF objects for `inspect`, `check` and `snapshot`: each file read
//! once into a buffer the caller reuses from file to file, and the errors
//! for files that are not objects.

use crate::render::Diagnostic;
use bpfc::diag::CheckEnv;
pub use bpfc::object::FileBuffer;
use bpfc::object::{object_name_from_path, ObjectError, ObjectSpec};
use bpfc::report::json::FileError;
use std::io;
use std::path::Path;

/// Why a file gave no object.
pub enum Unreadable {
    Io(io::Error),
    Object(ObjectError),
}

impl Unreadable {
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        match self {
            Unreadable::Io(e) => Diagnostic::error(format!("cannot read {file}: {e}")).at(file),
            Unreadable::Object(e) => {
                let d = Diagnostic::error(format!("{file} is not a readable BPF object: {e}"))
                    .code(e.code())
                    .at(file);
                match e {
                    ObjectError::NotElf { .. }
                    | ObjectError::Not64Bit
                    | ObjectError::NotRelocatable { .. }
                    | ObjectError::WrongMachine { .. } => d.help(
                        "pass a relocatable BPF object, as `clang -target bpf -g -c` produces",
                    ),
                    ObjectError::NoSymbolTable => {
                        d.help("do not strip BPF objects: loaders need the symbol table")
                    }
                    _ => d.help("the file looks cut short or corrupted; produce it again"),
                }
            }
        }
    }

    pub fn file_error(&self) -> FileError {
        match self {
            Unreadable::Io(e) => FileError::io(e),
            Unreadable::Object(e) => FileError::object(e),
        }
    }
}

/// Reads `path` into `buf` (replacing its contents, keeping its room for
/// the next file: open, read, close, no size query).
pub fn read_into(path: &Path, buf: &mut FileBuffer) -> Result<(), Unreadable> {
    buf.read(path).map(|_| ()).map_err(Unreadable::Io)
}

/// What findings are judged against: any kernel (the default), or with
/// `--host` the limits of this machine's kernel (NR_CPUS, online NUMA
/// nodes, possible CPUs, perf_event_max_stack, page size).
pub fn check_env(host: bool, validate_btf: bool) -> Result<CheckEnv, Box<Diagnostic>> {
    let env = if host {
        CheckEnv::host().map_err(|e| {
            Box::new(
                Diagnostic::error(format!("--host: {e}"))
                    .note("--host reads the running kernel's limits from sysfs and procfs")
                    .help("run on the machine that will load the objects, or drop --host"),
            )
        })?
    } else {
        CheckEnv::default()
    };
    Ok(CheckEnv {
        validate_btf,
        ..env
    })
}

/// Parses an object read from `file`, named as libbpf names it.
pub fn parse<'a>(file: &str, data: &'a [u8]) -> Result<ObjectSpec<'a>, Unreadable> {
    ObjectSpec::parse(data, object_name_from_path(file)).map_err(Unreadable::Object)
}

/// The path as text for reports (lossy for non-UTF-8 names).
pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Findings most severe first, keeping the reader's order within a severity.
pub fn sort_findings(findings: &mut [bpfc::diag::Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

/// `Ok(true)` when a write succeeded, `Ok(false)` when the reader closed
/// the pipe (`| head`: stop quietly), a diagnostic for real write errors.
pub fn written(r: io::Result<()>) -> Result<bool, Box<Diagnostic>> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Box::new(Diagnostic::error(format!(
            "cannot write the output: {e}"
        )))),
    }
}

/// A document as one line of JSON.
pub fn json_line<T: serde::Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string(doc).expect("report documents serialise");
    s.push('\n');
    s
}
