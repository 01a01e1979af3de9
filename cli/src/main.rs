//! `bpfc`: build, inspect, check and create BPF maps and objects.

mod cmd;
mod output;
mod render;
mod shown;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "bpfc",
    version,
    about = "BPF maps, BTF and BPF objects, in pure Rust"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with BTF (BPF Type Format) blobs and objects.
    #[command(subcommand)]
    Btf(cmd::btf::BtfCommand),
    /// Compile a library crate's #[bpf_map] declarations into a BPF object (exit 1 when the crate is at fault, 2 when bpfc could not run).
    Build(cmd::build::BuildArgs),
    /// Generate code from BPF objects: `bpfc gen header` (C declarations of an object's maps).
    #[command(subcommand)]
    Gen(cmd::gen::GenCommand),
    /// Report what is in BPF objects: maps, programs, BTF, license, findings.
    Inspect(cmd::inspect::InspectArgs),
    /// Check BPF objects against kernel and loader rules (exit 1 on errors, 2 on unreadable files).
    Check(cmd::check::CheckArgs),
    /// Print an object's map ABI as stable text, for `bpfc check --snapshot`.
    Snapshot(cmd::snapshot::SnapshotArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Btf(c) => cmd::btf::run(c),
        Command::Build(a) => cmd::build::run(&a),
        Command::Gen(c) => cmd::gen::run(c),
        Command::Inspect(a) => cmd::inspect::run(&a),
        Command::Check(a) => cmd::check::run(&a),
        Command::Snapshot(a) => cmd::snapshot::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(diag) => {
            eprint!("{}", diag.render());
            ExitCode::from(2)
        }
    }
}
