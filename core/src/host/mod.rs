//! Facts about the machine bpfc runs on, for judging an object against the
//! kernel that will load it (`bpfc check --host`): the limits
//! `BPF_MAP_CREATE` depends on ([`limits`]) and the kernel's symbols and
//! configuration that an object's externs must find ([`kernel`]).

pub mod kernel;
pub mod limits;

pub use kernel::HostKernel;
pub use limits::{host_env, parse_list, possible_cpus};

use std::path::PathBuf;

/// A host fact that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {text:?} is not {what}")]
    Parse {
        path: PathBuf,
        text: String,
        what: &'static str,
    },
    #[error("{path}: {message}")]
    Btf { path: PathBuf, message: String },
}
