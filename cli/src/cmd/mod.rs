//! One module per subcommand.

pub mod btf;
pub mod build;
pub mod check;
pub mod gen;
pub mod inspect;
mod objfile;
pub mod snapshot;
