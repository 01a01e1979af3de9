//! C header dump. (In progress.)

use crate::btf::Btf;
use std::io;

/// Writes a C header for `btf`. Placeholder until the C dumper lands.
pub fn dump_c(_btf: &Btf<'_>, _out: &mut dyn io::Write) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "C format not built yet",
    ))
}
