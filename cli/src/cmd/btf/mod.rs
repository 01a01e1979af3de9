//! `bpfc btf dump` and `bpfc btf check`.

mod check;
mod dump;
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
    }
}
