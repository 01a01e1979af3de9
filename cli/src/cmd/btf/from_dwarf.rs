//! `bpfc btf from-dwarf OBJ [-o OUT] [--funcs] [--vars]`: raw BTF from an
//! object's DWARF, the job of `pahole -J --btf_encode_detached`.

use super::FromDwarfArgs;
use crate::render::{CmdResult, Diagnostic};
use bpfc::bytes::Endian;
use bpfc::dwarf::{btf_from_elf, FromDwarfOptions};
use bpfc::input::{read_file_limited, MAX_BTF_INPUT_BYTES};
use std::io::{self, Write};
use std::process::ExitCode;

pub(super) fn run(args: &FromDwarfArgs) -> CmdResult {
    let shown = args.file.display().to_string();
    let data = read_file_limited(&args.file, MAX_BTF_INPUT_BYTES)
        .map_err(|e| Diagnostic::error(format!("cannot read {shown}: {e}")).at(&shown))?;
    let options = FromDwarfOptions {
        funcs: args.funcs,
        vars: args.vars,
    };
    let converted = btf_from_elf(&data, &options).map_err(|e| {
        Diagnostic::error(format!("cannot convert the DWARF of {shown}: {e}"))
            .at(&shown)
            .help("pass an ELF object built with debug info (clang/gcc -g, rustc -C debuginfo=2)")
    })?;
    for warning in &converted.warnings {
        eprintln!("warning: {warning}");
    }
    let endian = match args.endian {
        Some(super::EndianArg::Big) => Endian::Big,
        Some(super::EndianArg::Little) => Endian::Little,
        None if data.get(5) == Some(&2) => Endian::Big,
        None => Endian::Little,
    };
    let blob = converted
        .btf
        .encode(endian)
        .map_err(|e| Diagnostic::error(format!("cannot encode the BTF of {shown}: {e}")))?;
    match &args.output {
        Some(out) => {
            bpfc::write::write_file(out, &blob)
                .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", out.display())))?;
        }
        None => {
            let mut stdout = io::stdout().lock();
            match stdout.write_all(&blob).and_then(|()| stdout.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    return Err(Box::new(Diagnostic::error(format!(
                        "cannot write the BTF: {e}"
                    ))))
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
