//! bpf(2): the one place where bpfc talks to the kernel, and the only module
//! with `unsafe`.
//!
//! Layers, bottom up:
//! - `syscall`: the raw call. Each command's attribute is a `#[repr(C)]`
//!   struct implementing the unsafe [`Attr`](syscall::Attr) trait; every
//!   `unsafe` block of bpfc lives in that file.
//! - [`Errno`] and [`BpfError`]: a failed call keeps its errno and says which
//!   command failed.
//! - [`LogLevel`] and the log buffer: verifier logs that grow until the
//!   kernel's whole message fits.
//! - One file per command family: [`btf_load`] (`BPF_BTF_LOAD`) for now;
//!   MAP_CREATE, OBJ_PIN/GET, GET_INFO_BY_FD and feature probes follow the
//!   same pattern.

mod btf;
mod error;
mod log;
mod syscall;

pub use btf::{btf_load, btf_load_with, BtfLoadError, BtfLoadOptions, BTF_MAX_SIZE};
pub use error::{BpfError, Errno};
pub use log::LogLevel;
pub use syscall::Command;
