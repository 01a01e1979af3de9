//! `bpfc`: build, inspect, check and create BPF maps and objects.

mod cmd;
mod render;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Btf(c) => cmd::btf::run(c),
    };
    match result {
        Ok(code) => code,
        Err(diag) => {
            eprint!("{}", diag.render());
            ExitCode::from(2)
        }
    }
}
