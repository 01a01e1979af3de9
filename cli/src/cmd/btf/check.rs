//! `bpfc btf check FILE [--base FILE] [--json] [--load]`: the kernel's BTF
//! rules as findings.
//!
//! An object's `.BTF` is checked as the kernel would receive it from libbpf,
//! after the load-time fix-ups (clang leaves DATASEC sizes and VAR offsets at
//! 0, which the kernel refuses). `--load` also asks the running kernel, so a
//! user can see both verdicts side by side.

use super::input::{require_base_if_split, Blob, Input, Inputs};
use super::CheckArgs;
use crate::render::{CmdResult, Diagnostic};
use bpfc::btf::validate::{self, Finding, Severity};
use bpfc::btf::Btf;
use bpfc::object::{object_name_from_path, ObjectSpec};
use bpfc::sys::{self, LogLevel};
use serde_json::json;
use std::borrow::Cow;
use std::process::ExitCode;

/// The blob the kernel would see, and whether libbpf's fix-ups made it.
struct Subject<'a> {
    bytes: Cow<'a, [u8]>,
    fixed_up: bool,
}

pub(super) fn run(args: &CheckArgs) -> CmdResult {
    let result = check(args);
    if let (true, Err(diag)) = (args.json, &result) {
        // JSON consumers get a document for unreadable input too; the
        // diagnostic still goes to stderr and the exit code stays 2.
        let doc = json!({
            "schema_version": 1,
            "file": args.file.display().to_string(),
            "error": { "message": diag.message },
        });
        println!("{doc}");
    }
    result
}

fn check(args: &CheckArgs) -> CmdResult {
    let inputs = Inputs::read(&args.file, args.base.as_deref())?;
    let base = inputs.base_btf()?;
    let input = &inputs.input;
    let blob = input.btf_blob()?;
    let subject = as_the_kernel_sees_it(input, &blob)?;

    let findings = match &base {
        Some(base) => {
            let btf = parse_subject(&subject, &blob, Some(base))?;
            validate::validate(&btf)
        }
        None => match Btf::parse(&subject.bytes) {
            Ok(btf) => {
                require_base_if_split(&btf, false, input, &blob)?;
                validate::validate(&btf)
            }
            // The reader cannot walk it; the validator still says why the
            // kernel would refuse it.
            Err(_) => validate::validate_bytes(&subject.bytes),
        },
    };
    let kernel = args
        .load
        .then(|| KernelVerdict::ask(&subject, base.is_some()));

    let errors = findings.iter().filter(|f| f.is_error()).count();
    let refused = kernel.as_ref().is_some_and(|k| k.refused());
    if args.json {
        print_json(input, &subject, &findings, kernel.as_ref());
    } else {
        print_text(input, &blob, &subject, &findings, kernel.as_ref());
    }
    Ok(if errors > 0 || refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Raw BTF as it is; an object's BTF after libbpf's load-time fix-ups.
fn as_the_kernel_sees_it<'a>(
    input: &'a Input,
    blob: &Blob<'a>,
) -> Result<Subject<'a>, Box<Diagnostic>> {
    let as_is = Subject {
        bytes: Cow::Borrowed(blob.bytes),
        fixed_up: false,
    };
    if blob.section.is_none() {
        return Ok(as_is);
    }
    let name = object_name_from_path(&input.path.to_string_lossy());
    let Ok(obj) = ObjectSpec::parse(&input.data, &name) else {
        // Not an object libbpf could open; its .BTF can still be judged as is.
        return Ok(as_is);
    };
    match obj.fixed_btf() {
        Some(Ok(bytes)) => Ok(Subject {
            bytes: Cow::Owned(bytes),
            fixed_up: true,
        }),
        Some(Err(problems)) => {
            let mut d = Diagnostic::error(format!(
                "libbpf cannot prepare the BTF of {} for the kernel",
                input.path.display()
            ))
            .at(blob.location());
            for p in &problems {
                d = d.note(format!(
                    "DATASEC {} (type [{}]): {} ({})",
                    p.datasec, p.type_id, p.message, p.errno
                ));
            }
            Err(Box::new(d.help(
                "run `bpfc check` on the object for the full findings",
            )))
        }
        None => Ok(as_is),
    }
}

fn parse_subject<'a>(
    subject: &'a Subject<'_>,
    blob: &Blob<'_>,
    base: Option<&'a Btf<'a>>,
) -> Result<Btf<'a>, Box<Diagnostic>> {
    let parsed = match base {
        Some(b) => Btf::parse_split(&subject.bytes, b),
        None => Btf::parse(&subject.bytes),
    };
    parsed.map_err(|e| {
        Box::new(
            Diagnostic::error(format!("cannot read the BTF: {e}"))
                .at(blob.location())
                .note("the kernel refuses BTF it cannot walk"),
        )
    })
}

/// What BPF_BTF_LOAD said about the blob.
enum KernelVerdict {
    Accepted,
    Refused {
        errno: String,
        last_line: String,
    },
    /// The question could not be asked (privileges, split BTF).
    NotAsked(String),
}

impl KernelVerdict {
    fn ask(subject: &Subject<'_>, split: bool) -> KernelVerdict {
        if split {
            return KernelVerdict::NotAsked(
                "BPF_BTF_LOAD takes no base; the kernel loads split BTF only for its own modules"
                    .into(),
            );
        }
        match sys::btf_load(&subject.bytes, LogLevel::BASIC) {
            Ok(_fd) => KernelVerdict::Accepted,
            Err(e) if e.is_permission_denied() => KernelVerdict::NotAsked(format!(
                "bpf(2) refused: {e} (run as root or with CAP_BPF)"
            )),
            Err(e) => KernelVerdict::Refused {
                errno: e.errno().to_string(),
                last_line: e
                    .log
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            },
        }
    }

    fn refused(&self) -> bool {
        matches!(self, KernelVerdict::Refused { .. })
    }

    fn json(&self) -> serde_json::Value {
        match self {
            KernelVerdict::Accepted => json!({ "accepted": true }),
            KernelVerdict::Refused { errno, last_line } => {
                json!({ "accepted": false, "errno": errno, "log": last_line })
            }
            KernelVerdict::NotAsked(why) => json!({ "accepted": null, "not_asked": why }),
        }
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn print_text(
    input: &Input,
    blob: &Blob<'_>,
    subject: &Subject<'_>,
    findings: &[Finding],
    kernel: Option<&KernelVerdict>,
) {
    for f in findings {
        let what = match (f.type_id, f.kind) {
            (Some(id), Some(kind)) => format!("[{id}] {kind}: {}", f.message),
            (Some(id), None) => format!("[{id}]: {}", f.message),
            _ => f.message.clone(),
        };
        let at = match f.offset {
            Some(off) => format!("{}, {}", blob.location(), blob.offset(off)),
            None => blob.location(),
        };
        let mut d = Diagnostic {
            level: level(f.severity),
            code: Some(f.code.as_str().to_string()),
            message: what,
            location: Some(at),
            ..Default::default()
        };
        if !f.note.is_empty() {
            d = d.note(f.note.clone());
        }
        if subject.fixed_up {
            d = d.note("offsets are those of the BTF after libbpf's load-time fix-ups");
        }
        eprint!("{}", d.render());
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let how = if subject.fixed_up {
        " (after libbpf's load-time fix-ups)"
    } else {
        ""
    };
    println!(
        "bpfc btf check: {}{how}: {} errors, {} warnings, {} notes",
        bpfc::report::escape_controls(&input.path.display().to_string()),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    );
    match kernel {
        Some(KernelVerdict::Accepted) => println!("kernel: BPF_BTF_LOAD accepted it"),
        Some(KernelVerdict::Refused { errno, last_line }) => {
            let last_line = bpfc::report::escape_controls(last_line);
            println!("kernel: BPF_BTF_LOAD refused it with {errno}: {last_line}")
        }
        Some(KernelVerdict::NotAsked(why)) => println!("kernel: not asked: {why}"),
        None => {}
    }
}

fn print_json(
    input: &Input,
    subject: &Subject<'_>,
    findings: &[Finding],
    kernel: Option<&KernelVerdict>,
) {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let doc = json!({
        "schema_version": 1,
        "file": input.path.display().to_string(),
        "fixed_up": subject.fixed_up,
        "findings": findings,
        "counts": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "notes": count(Severity::Note),
        },
        "kernel": kernel.map(KernelVerdict::json),
    });
    println!("{doc}");
}
