//! `bpfc btf dump FILE [--base FILE] [--format raw|c|json]`.
//!
//! FILE is raw BTF (`/sys/kernel/btf/vmlinux`, a module's split BTF) or an
//! ELF object carrying a `.BTF` section. Each input is read once into memory;
//! the BTF reader then borrows it without copying.

use super::input::{require_base_if_split, Inputs};
use super::{DumpArgs, Format};
use crate::render::{CmdResult, Diagnostic};
use crate::shown::Escaping;
use bpfc::btf::dump;
use std::io::{self, Write};
use std::process::ExitCode;

pub(super) fn run(args: &DumpArgs) -> CmdResult {
    let inputs = Inputs::read(&args.file, args.base.as_deref())?;
    let base = inputs.base_btf()?;
    let input = &inputs.input;
    let blob = input.btf_blob()?;
    let btf = blob.parse(base.as_ref())?;
    require_base_if_split(&btf, base.is_some(), input, &blob)?;

    let stdout = io::stdout().lock();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout);
    // Names are the blob's bytes: the text formats escape control
    // characters (JSON escapes its own).
    let written = match args.format {
        Format::Raw => dump::raw::dump_raw(&btf, &mut Escaping(&mut out)),
        Format::Json => dump::json::dump_json(&btf, &mut out),
        Format::C => dump::c::dump_c(&btf, &mut Escaping(&mut out)),
    }
    .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `bpfc btf dump ... | head`: the reader has what it wanted.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Box::new(
            Diagnostic::error(format!("cannot write the dump: {e}"))
                .at(input.path.display().to_string()),
        )),
    }
}
