//! `bpfc btf dump`, `bpfc btf check` and `bpfc btf from-dwarf`.

mod check;
mod dump;
mod from_dwarf;
mod input;

use crate::render::CmdResult;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BtfCommand {
    /// Print the types of a BTF blob or of an ELF object's `.BTF`.
    Dump(DumpArgs),
    /// Check BTF against the kernel's rules (kernel/bpf/btf.c); exit 1 when the kernel would refuse it.
    Check(CheckArgs),
    /// Raw BTF from an ELF object's DWARF (what `pahole -J --btf_encode_detached` makes).
    #[command(
        after_help = "Examples:\n  bpfc btf from-dwarf prog.o -o prog.btf\n  bpfc btf from-dwarf kernel-types.o --funcs --vars | bpfc btf dump /dev/stdin\n\nExit status: 0 on success, 2 when the input cannot be read or its DWARF cannot be converted."
    )]
    FromDwarf(FromDwarfArgs),
}

#[derive(Args)]
pub struct FromDwarfArgs {
    /// An ELF object with DWARF (C from clang or gcc, Rust from rustc; either byte order).
    pub file: PathBuf,
    /// Write the BTF here (atomically) instead of to standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Also a FUNC for every function with code.
    #[arg(long)]
    pub funcs: bool,
    /// Also a VAR for every global variable, and a DATASEC per section.
    #[arg(long)]
    pub vars: bool,
    /// Byte order of the BTF (default: the object's).
    #[arg(long, value_enum)]
    pub endian: Option<EndianArg>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EndianArg {
    Little,
    Big,
}

#[derive(Args)]
pub struct DumpArgs {
    /// Raw BTF (e.g. /sys/kernel/btf/vmlinux) or an ELF object with a .BTF section.
    pub file: PathBuf,
    /// Base BTF for split BTF (e.g. /sys/kernel/btf/vmlinux for a module).
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Raw)]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Exactly what `bpftool btf dump file FILE` prints.
    Raw,
    /// A C header, like `bpftool btf dump file FILE format c`.
    C,
    /// One JSON document (schema in the README).
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Raw BTF or a BPF object; an object's BTF is checked after libbpf's load-time fix-ups.
    pub file: PathBuf,
    /// Base BTF for split BTF (e.g. /sys/kernel/btf/vmlinux for a module).
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Print one JSON document instead of diagnostics.
    #[arg(long)]
    pub json: bool,
    /// Also hand the blob to the running kernel (BPF_BTF_LOAD) and report its verdict.
    #[arg(long)]
    pub load: bool,
}

pub fn run(cmd: BtfCommand) -> CmdResult {
    match cmd {
        BtfCommand::Dump(args) => dump::run(&args),
        BtfCommand::Check(args) => check::run(&args),
        BtfCommand::FromDwarf(args) => from_dwarf::run(&args),
    }
}
