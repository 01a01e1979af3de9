//! `bpfc inspect [--json] FILE...`: what is in each BPF object.
//!
//! Text: one report per file (maps with key and value types, programs, BTF,
//! license, findings rendered like rustc's), separated by a blank line.
//! `--json`: one compact JSON document per line, one line per file, schema
//! in `bpfc::report` and the README; a file that is not a readable object
//! gives `{"schema_version":1,"file":...,"error":{"code","message"}}`.
//!
//! Exit status: 0 when every file was read (whatever the findings; `bpfc
//! check` is the command that fails on them), 2 when one could not be.

use super::objfile::{self, display, json_line, read_into, written, FileBuffer};
use crate::render::CmdResult;
use bpfc::diag::check_object;
use bpfc::report::inspect_text;
use bpfc::report::json::{FileError, InspectDoc, SCHEMA_VERSION};
use clap::Args;
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct InspectArgs {
    /// BPF ELF objects (either byte order).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON document per file, one per line.
    #[arg(long)]
    pub json: bool,
    /// Judge the object against this machine's kernel (limits and externs,
    /// see `bpfc check --host`).
    #[arg(long)]
    pub host: bool,
}

#[derive(Serialize)]
struct ErrorDoc<'a> {
    schema_version: u32,
    file: &'a str,
    error: FileError,
}

pub fn run(args: &InspectArgs) -> CmdResult {
    let stdout = io::stdout().lock();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout);
    // One object at a time for a person: worth the kernel's BTF rules too.
    let env = objfile::check_env(args.host, true)?;
    let mut buf = FileBuffer::new();
    let mut unreadable = false;
    let mut reports = 0;
    let code = |unreadable: bool| ExitCode::from(if unreadable { 2 } else { 0 });
    for path in &args.files {
        let file = display(path);
        let parsed = read_into(path, &mut buf).and_then(|()| objfile::parse(&file, buf.bytes()));
        let text = match parsed {
            Ok(obj) => {
                let mut findings = check_object(&obj, &env);
                objfile::sort_findings(&mut findings);
                if args.json {
                    json_line(&InspectDoc::new(&file, &obj, &findings))
                } else {
                    bpfc::report::escape_controls_owned(inspect_text(&file, &obj, &findings))
                }
            }
            Err(e) => {
                unreadable = true;
                if args.json {
                    json_line(&ErrorDoc {
                        schema_version: SCHEMA_VERSION,
                        file: &file,
                        error: e.file_error(),
                    })
                } else {
                    // Keep stdout and stderr in order for a reader of both.
                    if !written(out.flush())? {
                        return Ok(code(unreadable));
                    }
                    eprint!("{}", e.diagnostic(&file).render());
                    continue;
                }
            }
        };
        // Text reports are separated by a blank line.
        let sep = if reports > 0 && !args.json { "\n" } else { "" };
        reports += 1;
        if !written(write!(out, "{sep}{text}"))? {
            return Ok(code(unreadable));
        }
    }
    written(out.flush())?;
    Ok(code(unreadable))
}
