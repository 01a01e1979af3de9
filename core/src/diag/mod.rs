//! Findings: what the kernel or a loader will refuse in an object, found
//! before load time.
//!
//! Each [`Finding`] has a stable [`Code`], a [`Severity`], the map, program or
//! section it is about, where in the file it is (section and offset, or BTF
//! type id), the rule, what the kernel / libbpf / cilium/ebpf would do
//! ([`Effect`], with the errno and their message text) and a fix.
//!
//! The object reader records problems it meets while parsing (they need the
//! parsing context); [`check_object`] adds the kernel's per-type rules for
//! every map and returns everything, sorted.

mod btf;
mod check;
mod code;
mod errno;
mod finding;
mod host_kernel;
mod padding;

pub use check::{
    check_map, check_maps, check_object, take_and_check_object, CheckEnv, HostKernelRef,
};
pub use code::Code;
pub use errno::Errno;
pub use finding::{Actor, Effect, Finding, Location, Severity, Subject, Text};
pub use padding::{key_padding, PaddingHole};
