//! Text from an object, shown on one line of a report.
//!
//! Names (sections, symbols, maps, programs, BTF types) are whatever bytes
//! the file holds. A newline in one would split a report line in two, so
//! that a hostile object could print a line of its own choosing (a forged
//! finding or summary); an escape sequence could act on the reader's
//! terminal. In the text reports, every control character of such text,
//! newline and tab included, is shown as an escape: `\x0a` for C0 and DEL,
//! `\u{9b}` for C1. JSON carries the exact text with JSON's own escapes.

use std::fmt;

/// Whether `b` may start a control character: C0, DEL, or the lead byte of
/// a two-byte UTF-8 sequence that may be C1 (U+0080 to U+009F).
fn suspect(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == 0xc2
}

/// `text`, displayed with its control characters escaped.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.bytes().any(suspect) {
            return f.write_str(self.0);
        }
        for c in self.0.chars() {
            let n = u32::from(c);
            if !c.is_control() {
                fmt::Write::write_char(f, c)?;
            } else if n < 0x80 {
                write!(f, "\\x{n:02x}")?;
            } else {
                write!(f, "\\u{{{n:x}}}")?;
            }
        }
        Ok(())
    }
}

/// Appends `text` to `out` as [`Shown`] displays it.
pub fn push_shown(out: &mut String, text: &str) {
    if text.bytes().any(suspect) {
        let _ = fmt::Write::write_fmt(out, format_args!("{}", Shown(text)));
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_shown_as_they_are() {
        for name in ["flows", "xdp/prog", "maps.élan \u{a0}"] {
            assert_eq!(Shown(name).to_string(), name);
            let mut out = String::from(">");
            push_shown(&mut out, name);
            assert_eq!(out, format!(">{name}"));
        }
    }

    #[test]
    fn control_characters_are_escaped_newlines_and_tabs_too() {
        let hostile = "m\nbpfc check: 1 file, 1 ok\r\t\x1b[2J\x7f\u{9b}";
        let shown = r"m\x0abpfc check: 1 file, 1 ok\x0d\x09\x1b[2J\x7f\u{9b}";
        assert_eq!(Shown(hostile).to_string(), shown);
        let mut out = String::new();
        push_shown(&mut out, hostile);
        assert_eq!(out, shown);
        assert!(!out.contains('\n'));
    }
}
