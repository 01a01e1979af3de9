//! `bpfc check [--json] [--level L] [--btf] [-j N] [--snapshot SNAPFILE] [--files-from LIST] FILE...`:
//! the findings of each BPF object, for CI.
//!
//! Built for many files per call: one process, files checked on worker
//! threads (`-j N`, default one per CPU), each file read once into its
//! worker's reused buffer, output streamed file by file in the order given
//! (the same bytes for any N), a summary line at the end.
//! A file that is not a readable object is reported and the others are
//! still checked.
//!
//! Exit status: 2 when any file could not be read as an object (or the
//! arguments or SNAPFILE are unusable), else 1 when any file has an
//! error-level finding or its map ABI differs from SNAPFILE, else 0.

use super::objfile::{self, display, json_line, read_into, written, FileBuffer, Unreadable};
use crate::render::{CmdResult, Diagnostic};
use bpfc::diag::{take_and_check_object, CheckEnv, Severity};
use bpfc::input::read_text_limited;
use bpfc::object::{default_jobs, for_each_file};
use bpfc::report::json::{
    CheckDoc, CheckStatus, CheckSummary, CheckSummaryDoc, SnapshotDoc, SCHEMA_VERSION,
};
use bpfc::report::{
    escape_controls_owned, render_finding_into, snapshot, unified_diff, Counts, SNAPSHOT_HEADER,
};
use clap::{Args, ValueEnum};
use std::borrow::Cow;
use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct CheckArgs {
    /// BPF ELF objects (either byte order).
    pub files: Vec<PathBuf>,
    /// Also check the paths listed in LIST, one per line (`-`: standard input).
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,
    /// One JSON document per file, one per line, then a summary line.
    #[arg(long)]
    pub json: bool,
    /// The least severe findings shown (all are counted).
    #[arg(long, value_enum, default_value_t = Level::Warning)]
    pub level: Level,
    /// Check files on up to N threads (default: one per CPU; 1: one at a
    /// time; one thread per 64 files at most). Output and exit status do
    /// not depend on N.
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
    /// Fail with a diff when FILE's map ABI differs from this `bpfc snapshot` output (one FILE only).
    #[arg(long, value_name = "SNAPFILE")]
    pub snapshot: Option<PathBuf>,
    /// Also check each object's BTF against the kernel's BTF rules, as
    /// `BPF_BTF_LOAD` would (finding BPFC-T004; ~40% more CPU per object).
    #[arg(long)]
    pub btf: bool,
    /// Judge the object against this machine's kernel, as libbpf will when
    /// it loads it here: the limits that depend on the kernel build and the
    /// machine (NR_CPUS for cpumaps, online NUMA nodes, possible CPUs,
    /// perf_event_max_stack, page size), the externs (__kconfig values in
    /// its config, __ksym in its BTF or kallsyms) and struct_ops types.
    #[arg(long)]
    pub host: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    fn shows(self, s: Severity) -> bool {
        s >= match self {
            Level::Note => Severity::Note,
            Level::Warning => Severity::Warning,
            Level::Error => Severity::Error,
        }
    }
}

/// The expected snapshot, read once.
struct Expected {
    path: String,
    text: String,
}

pub fn run(args: &CheckArgs) -> CmdResult {
    let list = read_file_list(args)?;
    let files = file_list(args, &list)?;
    let expected = match &args.snapshot {
        None => None,
        Some(p) => {
            if files.len() != 1 {
                return Err(Box::new(
                    Diagnostic::error(format!(
                        "--snapshot compares one object, {} given",
                        files.len()
                    ))
                    .help("run one `bpfc check --snapshot SNAPFILE FILE` per snapshot"),
                ));
            }
            Some(read_snapshot(p)?)
        }
    };

    // Not locked for the whole run: the worker thread that finishes the
    // next file in order writes it (a lock guard cannot move between
    // threads). The buffer goes to stdout in 64 KiB writes.
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout());
    let env = objfile::check_env(args.host, args.btf)?;
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let mut summary = CheckSummary::default();
    // Files are checked on `jobs` threads; each one's text and tally come
    // back in file order, so output and counts are the same for any -j.
    let mut write_error = None;
    let mut pipe_closed = false;
    for_each_file(
        &files,
        jobs,
        |buf, path| check_one(args, &env, expected.as_ref(), path, buf),
        |file| {
            count(&mut summary, &file);
            match written(out.write_all(file.text.as_bytes())) {
                Ok(true) => ControlFlow::Continue(()),
                Ok(false) => {
                    pipe_closed = true;
                    ControlFlow::Break(())
                }
                Err(e) => {
                    write_error = Some(e);
                    ControlFlow::Break(())
                }
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e);
    }
    if pipe_closed {
        // Stop quietly, with the status so far.
        return Ok(ExitCode::from(exit_code(&summary)));
    }
    summary.exit_code = exit_code(&summary);
    let last = if args.json {
        json_line(&CheckSummaryDoc { summary })
    } else {
        summary_text(&summary, args.level)
    };
    written(out.write_all(last.as_bytes()).and_then(|()| out.flush()))?;
    Ok(ExitCode::from(summary.exit_code))
}

/// About the length of a rendered finding (most are 400 to 800 bytes).
const RENDERED_FINDING_BYTES: usize = 640;

/// One file's output and what it adds to the summary.
struct FileChecked {
    text: String,
    status: CheckStatus,
    counts: Counts,
}

fn count(summary: &mut CheckSummary, file: &FileChecked) {
    summary.files += 1;
    match file.status {
        CheckStatus::Ok => summary.ok += 1,
        CheckStatus::Failed => summary.failed += 1,
        CheckStatus::Unreadable => summary.unreadable += 1,
    }
    summary.counts.merge(file.counts);
}

/// Reads and checks one file (into `buf`, reused from file to file by the
/// thread that runs this).
fn check_one(
    args: &CheckArgs,
    env: &CheckEnv,
    expected: Option<&Expected>,
    path: &Path,
    buf: &mut FileBuffer,
) -> FileChecked {
    // Borrowed for UTF-8 paths (nearly all): no copy per file, and checked
    // with the fast UTF-8 validator (the lossy conversion walks the path
    // character by character even when it is valid).
    let file = path
        .to_str()
        .map_or_else(|| path.to_string_lossy(), Cow::Borrowed);
    let mut obj = match read_into(path, buf).and_then(|()| objfile::parse(&file, buf.bytes())) {
        Ok(obj) => obj,
        Err(e) => {
            return FileChecked {
                text: unreadable_text(args.json, &file, &e),
                status: CheckStatus::Unreadable,
                counts: Counts::default(),
            }
        }
    };
    let mut findings = take_and_check_object(&mut obj, env);
    objfile::sort_findings(&mut findings);
    let counts = Counts::of(&findings);
    let diff = expected.and_then(|e| unified_diff(&e.text, &snapshot(&obj), &e.path, &file));
    let status = if counts.errors > 0 || diff.is_some() {
        CheckStatus::Failed
    } else {
        CheckStatus::Ok
    };
    // Sorted most severe first, so the findings at or above --level lead.
    let shown = &findings[..findings
        .iter()
        .take_while(|f| args.level.shows(f.severity))
        .count()];
    let text = if args.json {
        json_line(&CheckDoc {
            schema_version: SCHEMA_VERSION,
            file: &file,
            status,
            error: None,
            findings: shown,
            counts,
            snapshot: expected.map(|e| SnapshotDoc {
                path: &e.path,
                matches: diff.is_none(),
                diff: diff.as_deref(),
            }),
        })
    } else {
        // Room for a typical rendered finding each, so the text rarely grows.
        let mut text = String::with_capacity(shown.len() * RENDERED_FINDING_BYTES);
        for f in shown {
            render_finding_into(&mut text, &file, f);
        }
        if let (Some(e), Some(d)) = (expected, &diff) {
            text.push_str(&drift_text(e, &file, d));
        }
        escape_controls_owned(text)
    };
    FileChecked {
        text,
        status,
        counts,
    }
}

fn exit_code(s: &CheckSummary) -> u8 {
    if s.unreadable > 0 {
        2
    } else if s.failed > 0 {
        1
    } else {
        0
    }
}

/// The text of `--files-from` (empty without it).
fn read_file_list(args: &CheckArgs) -> Result<String, Box<Diagnostic>> {
    let mut text = String::new();
    let Some(list) = &args.files_from else {
        return Ok(text);
    };
    // Read whole and split: one UTF-8 check for the list instead of a
    // buffered read and check per line (the same lines, `\n` or `\r\n`
    // ended, and the same error for a list that is not UTF-8).
    let limit = bpfc::input::MAX_TEXT_BYTES;
    if list == Path::new("-") {
        read_text_limited(io::stdin().lock(), limit)
    } else {
        std::fs::File::open(list).and_then(|f| read_text_limited(f, limit))
    }
    .map(|read| text = read)
    .map_err(|e| {
        Box::new(Diagnostic::error(format!(
            "cannot read the file list {}: {e}",
            list.display()
        )))
    })?;
    Ok(text)
}

/// FILE arguments, then the paths in the `--files-from` text `list`,
/// borrowed from it (a list of thousands of paths costs no allocation per
/// path).
fn file_list<'a>(args: &'a CheckArgs, list: &'a str) -> Result<Vec<&'a Path>, Box<Diagnostic>> {
    let listed = list.lines().filter(|l| !l.is_empty()).map(Path::new);
    let files: Vec<&Path> = args
        .files
        .iter()
        .map(PathBuf::as_path)
        .chain(listed)
        .collect();
    if files.is_empty() {
        return Err(Box::new(
            Diagnostic::error("no files to check")
                .help("pass BPF objects as arguments or with --files-from LIST"),
        ));
    }
    Ok(files)
}

fn read_snapshot(path: &Path) -> Result<Expected, Box<Diagnostic>> {
    let shown = display(path);
    let text = std::fs::File::open(path)
        .and_then(|f| read_text_limited(f, bpfc::input::MAX_TEXT_BYTES))
        .map_err(|e| {
            Box::new(
                Diagnostic::error(format!("cannot read the snapshot {shown}: {e}"))
                    .at(shown.clone())
                    .help("create it with `bpfc snapshot FILE > SNAPFILE`"),
            )
        })?;
    // A checkout with CRLF line endings holds the same snapshot.
    let text = text.replace("\r\n", "\n");
    Ok(Expected { path: shown, text })
}

fn drift_text(e: &Expected, file: &str, diff: &str) -> String {
    let mut d = Diagnostic::error(format!("map ABI of {file} differs from {}", e.path))
        .at(e.path.clone())
        .note("lines starting with - are in the snapshot, lines with + in the object");
    if !e.text.starts_with(SNAPSHOT_HEADER) {
        d = d.note(format!(
            "{} does not start with `{SNAPSHOT_HEADER}`: is it a bpfc snapshot of this format?",
            e.path
        ));
    }
    d = d.help(format!(
        "if the change is intended, update the snapshot: bpfc snapshot {file} > {}",
        e.path
    ));
    format!("{}{diff}", d.render())
}

fn unreadable_text(json: bool, file: &str, e: &Unreadable) -> String {
    if json {
        json_line(&CheckDoc {
            schema_version: SCHEMA_VERSION,
            file,
            status: CheckStatus::Unreadable,
            error: Some(e.file_error()),
            findings: &[],
            counts: Counts::default(),
            snapshot: None,
        })
    } else {
        e.diagnostic(file).render()
    }
}

/// `bpfc check: 3 files, 1 ok, 1 failed, 1 unreadable; 2 errors, 1 warning, 5 notes (5 below --level warning not shown)`.
fn summary_text(s: &CheckSummary, level: Level) -> String {
    let c = s.counts;
    let hidden = match level {
        Level::Note => 0,
        Level::Warning => c.notes,
        Level::Error => c.notes + c.warnings,
    };
    let level_name = match level {
        Level::Note => "note",
        Level::Warning => "warning",
        Level::Error => "error",
    };
    let mut line = format!(
        "bpfc check: {} file{}, {} ok, {} failed, {} unreadable; {}",
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.ok,
        s.failed,
        s.unreadable,
        c.text()
    );
    if hidden > 0 {
        line.push_str(&format!(" ({hidden} below --level {level_name} not shown)"));
    }
    line.push('\n');
    line
}
