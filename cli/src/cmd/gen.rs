//! `bpfc gen header OBJ [-o FILE] [--define]`: C declarations of a BPF
//! object's maps for C BPF programs (what goes in the header, and why, is
//! in `bpfc::header`).
//!
//! Exit status: 0 with the header written; 1 when the object defines no
//! BTF maps (nothing to declare; no file is written); 2 when OBJ is not a
//! readable object, its BTF cannot be printed, or the output cannot be
//! written. With `-o FILE` the header goes to a temporary file next to FILE
//! that is renamed over it once complete, so FILE is never half written.

use super::objfile::{self, display, read_into, written, FileBuffer};
use crate::output::write_atomically;
use crate::render::{CmdResult, Diagnostic};
use bpfc::header::{generate, HeaderError, HeaderOptions};
use clap::{Args, Subcommand};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum GenCommand {
    /// C header declaring an object's maps (and their key/value types) for C BPF programs.
    #[command(long_about = HEADER_ABOUT, after_long_help = HEADER_AFTER)]
    Header(HeaderArgs),
}

const HEADER_ABOUT: &str = "\
C header declaring a BPF object's maps (and their key/value types) for C BPF programs.

For every BTF-defined map in the object's `.maps` the header has libbpf's definition \
(`__uint(type, ...)`, `__type(key, T)`, `__uint(max_entries, N)`, ..., `__array(values, ...)` \
for map-in-map), by default as an `extern` declaration that libbpf's static linker resolves \
against the object (`bpftool gen object OUT.o OBJ.o PROG.o`; list OBJ first: libbpf 1.1 \
mislinks extern maps that precede their definition), and the C definitions of the key/value types. It works with or without \
<bpf/bpf_helpers.h>; include it after vmlinux.h or <linux/bpf.h>. Define BPFC_TYPE_<kind>_<name> \
(e.g. BPFC_TYPE_struct_iphdr) before including it to skip a type you already have, \
BPFC_NO_TYPES to skip all. Legacy `maps` definitions are listed in comments, not declared; \
global data (.data/.rodata/.bss) is not declared.";

const HEADER_AFTER: &str = "\
Example:
  bpfc gen header maps.bpf.o -o maps.bpf.h
  clang -target bpf -g -O2 -c prog.bpf.c -o prog.bpf.o    # #include \"maps.bpf.h\"
  bpftool gen object app.bpf.o maps.bpf.o prog.bpf.o       # the maps object first (libbpf 1.1)

Exit status:
  0  header written
  1  the object defines no BTF maps: nothing to declare, nothing written
  2  OBJ is missing or not a readable BPF object, its BTF is malformed, or the output cannot be written";

#[derive(Args)]
pub struct HeaderArgs {
    /// A BPF ELF object (clang's, GCC's, bpfc's; either byte order).
    pub obj: PathBuf,
    /// Write the header to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Full map definitions instead of `extern` declarations.
    #[arg(long)]
    pub define: bool,
}

pub fn run(cmd: GenCommand) -> CmdResult {
    match cmd {
        GenCommand::Header(args) => header(&args),
    }
}

fn header(args: &HeaderArgs) -> CmdResult {
    let file = display(&args.obj);
    let mut buf = FileBuffer::new();
    let obj = read_into(&args.obj, &mut buf)
        .and_then(|()| objfile::parse(&file, buf.bytes()))
        .map_err(|e| Box::new(e.diagnostic(&file)))?;
    let opts = HeaderOptions {
        define: args.define,
        guard: None,
    };
    let result = match &obj.btf {
        Some(btf) => generate(&obj, btf, &opts),
        None => Err(HeaderError::NoMaps {
            object: obj.name.clone(),
            legacy: obj
                .maps
                .iter()
                .filter(|m| matches!(m.source, bpfc::maps::MapSource::Legacy { .. }))
                .count(),
        }),
    };
    let text = match result {
        Ok(t) => t,
        Err(e @ HeaderError::NoMaps { .. }) => {
            let d = Diagnostic::error(e.to_string())
                .at(&file)
                .note("only maps defined in section .maps are declared; global data (.data, .rodata, .bss) is the program's own")
                .help("pass the object that defines the maps: `struct { __uint(type, ...); ... } NAME SEC(\".maps\");`");
            eprint!("{}", d.render());
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            return Err(Box::new(
                Diagnostic::error(format!("{file}: {e}"))
                    .at(&file)
                    .help("check the object's BTF with `bpfc btf check`"),
            ))
        }
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes()).map_err(|e| {
            Box::new(Diagnostic::error(format!(
                "cannot write {}: {e}",
                display(path)
            )))
        })?,
        None => {
            let mut out = io::stdout().lock();
            written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
