//! BTF: the BPF Type Format.
//!
//! - [`Btf`] reads a blob of either byte order without copying it, base or
//!   split; [`Type`] is a view of one type.
//! - `query` answers size, alignment and lookup questions.
//! - `validate` applies the kernel's rules and reports findings.
//! - `build` constructs and encodes BTF.
//! - `dump` prints it the way bpftool does (raw, C) or as JSON.
//! - `ext` reads `.BTF.ext` (func_info, line_info, CO-RE relocations).

pub mod build;
pub mod compat;
pub mod dump;
pub mod elf;
mod error;
pub mod ext;
mod header;
pub mod kind;
mod parse;
mod query;
mod types;
pub mod validate;

pub use error::BtfError;
pub use header::{Header, BTF_MAGIC, HEADER_LEN};
pub use kind::{func_linkage, int_encoding, var_linkage, Kind, KIND_MAX};
pub use parse::{Btf, BTF_MAX_TYPE, TYPE_HEADER_LEN};
pub use query::{MemberPlace, MAX_RESOLVE_DEPTH, POINTER_SIZE};
pub use types::{ArrayInfo, Enumerator, IntInfo, Member, Param, Type, VarSecinfo};
