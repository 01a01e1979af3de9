//! `bpfc btf ...`. (Implementation in progress.)

use crate::render::{CmdResult, Diagnostic};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BtfCommand {
    /// Print the types of a BTF blob or of an ELF object's `.BTF`.
    Dump(DumpArgs),
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

pub fn run(cmd: BtfCommand) -> CmdResult {
    match cmd {
        BtfCommand::Dump(args) => Err(Box::new(
            Diagnostic::error(format!(
                "btf dump of {} is not implemented yet",
                args.file.display()
            ))
            .note(format!(
                "base: {:?}, format: {}",
                args.base,
                matches!(args.format, Format::Raw)
            )),
        )),
    }
}
