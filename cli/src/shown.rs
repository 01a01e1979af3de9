//! Text that came from an input, made safe to show on a terminal.
//!
//! Everything the CLI prints as text goes through
//! [`bpfc::report::escape_controls`] (control characters other than newline
//! and tab shown as escapes, `\x1b` for C0 and DEL, `\u{9b}` for C1), or,
//! for reports written piece by piece, through [`Escaping`]. JSON output
//! needs none of this: serde_json escapes control characters in strings.

use bpfc::report::escape_control_bytes;
use std::io::{self, Write};

/// An output that escapes what goes through it as
/// [`bpfc::report::escape_controls`] does, for reports written piece by
/// piece (`bpfc btf dump`). Each write is taken whole (see
/// [`escape_control_bytes`]).
pub struct Escaping<W: Write>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(&escape_control_bytes(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_escapes_each_piece() {
        let mut out = Escaping(Vec::new());
        let name = "bad\x1b]0;title\x07";
        writeln!(out, "[1] FUNC '{name}' type_id=2").unwrap();
        out.write_all(b"raw \xff\x1b bytes\n").unwrap();
        out.write_all("plain\n".as_bytes()).unwrap();
        assert_eq!(
            out.0,
            b"[1] FUNC 'bad\\x1b]0;title\\x07' type_id=2\nraw \xff\\x1b bytes\nplain\n"
        );
    }
}
