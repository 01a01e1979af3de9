//! `bpfc snapshot FILE`: the object's map ABI as stable, diff-friendly text
//! (format in `bpfc::report::snapshot`), to commit next to the sources and
//! compare in CI with `bpfc check --snapshot SNAPFILE FILE`.
//!
//! Exit status: 0 with the snapshot on stdout, 2 when FILE is not a
//! readable object. Findings do not change the snapshot or the status.

use super::objfile::{self, display, read_into, written, FileBuffer};
use crate::render::CmdResult;
use bpfc::report::snapshot;
use clap::Args;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct SnapshotArgs {
    /// A BPF ELF object (either byte order).
    pub file: PathBuf,
}

pub fn run(args: &SnapshotArgs) -> CmdResult {
    let file = display(&args.file);
    let mut buf = FileBuffer::new();
    let obj = read_into(&args.file, &mut buf)
        .and_then(|()| objfile::parse(&file, buf.bytes()))
        .map_err(|e| Box::new(e.diagnostic(&file)))?;
    let text = snapshot(&obj);
    let text = bpfc::report::escape_controls(&text);
    let mut out = io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}
