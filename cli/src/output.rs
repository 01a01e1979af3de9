//! Writing an output file the one way every command does: through
//! `bpfc::write::write_file` (a temporary file beside it, synced, renamed
//! over it; devices and FIFOs written into), with its error as an
//! `io::Error` for the commands' messages.

use std::io;
use std::path::Path;

/// Writes `bytes` to `path` whole or not at all.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    bpfc::write::write_file(path, bytes).map_err(|e| match e {
        bpfc::write::WriteError::Io { source, .. } => source,
        other => io::Error::other(other.to_string()),
    })
}
