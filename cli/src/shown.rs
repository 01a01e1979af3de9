//! Text that came from an input, made safe to show on a terminal.
//!
//! Names in a BPF object (sections, symbols, BTF strings) and paths are
//! whatever bytes the file holds. Written raw, an escape sequence in one
//! could recolour, retitle or clear the reader's terminal, and a carriage
//! return could overwrite a line of the report with a forged one. Every
//! text output goes through here: control characters other than newline
//! and tab become visible escapes, `\x1b` for C0 and DEL, `\u{9b}` for C1.
//! JSON output needs none of this: serde_json escapes control characters
//! in strings.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Whether `b` starts something to escape: a C0 control but newline and
/// tab, DEL, or the lead byte of a UTF-8 C1 control (U+0080 to U+009F).
fn suspect(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2
}

fn is_escaped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

fn push_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    let _ = if n < 0x80 {
        write!(out, "\\x{n:02x}")
    } else {
        write!(out, "\\u{{{n:x}}}")
    };
}

/// `text` with its control characters (but `\n` and `\t`) escaped;
/// borrowed when there are none, as for nearly every text.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    // 0xc2 also leads U+00A0 to U+00BF, which stay: the byte scan only
    // decides whether the character walk is needed.
    if !text.bytes().any(suspect) || !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_escaped(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// An output that escapes what goes through it as [`escape_controls`] does,
/// for reports written piece by piece (`bpfc btf dump`). Each write is taken
/// whole: formatted output hands over whole UTF-8 pieces; bytes that are
/// not UTF-8 get their C0 controls and DEL escaped.
pub struct Escaping<W: Write>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if !buf.iter().copied().any(suspect) {
            return self.0.write_all(buf);
        }
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(escape_controls(text).as_bytes()),
            Err(_) => {
                let mut out = Vec::with_capacity(buf.len() + 16);
                for &b in buf {
                    if b != 0xc2 && suspect(b) {
                        let _ = write!(out, "\\x{b:02x}");
                    } else {
                        out.push(b);
                    }
                }
                self.0.write_all(&out)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        let text = "map 'flows': hash\n\tkey 4 bytes, é ü \u{a0}\u{bf}\n";
        assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            escape_controls("xdp\x1b[2Jpass\r\x07\x7f\u{9b}31m\n\tok"),
            "xdp\\x1b[2Jpass\\x0d\\x07\\x7f\\u{9b}31m\n\tok"
        );
        assert_eq!(escape_controls("a\0b"), "a\\x00b");
    }

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
