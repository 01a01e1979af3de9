//! Text from an object, shown on one line of a report.
//!
//! Names (sections, symbols, maps, programs, BTF types) are whatever bytes
//! the file holds. A newline in one would split a report line in two, so
//! that a hostile object could print a line of its own choosing (a forged
//! finding or summary); an escape sequence could act on the reader's
//! terminal. In the text reports, every control character of such text,
//! newline and tab included, is shown as an escape: `\x0a` for C0 and DEL,
//! `\u{9b}` for C1. JSON carries the exact text with JSON's own escapes.

use std::borrow::Cow;
use std::fmt;

/// The control characters a text keeps as they are: none in a name (one
/// line of a report), newline and tab in a whole report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    Nothing,
    LineBreaks,
}

fn kept(c: char, keep: Keep) -> bool {
    !c.is_control() || (keep == Keep::LineBreaks && (c == '\n' || c == '\t'))
}

/// Whether `b` may start a control character `keep` does not keep: C0,
/// DEL, or the lead byte of a two-byte UTF-8 sequence that may be C1
/// (U+0080 to U+009F). A byte scan decides, for nearly every text, that
/// the character walk is not needed.
fn suspect(b: u8, keep: Keep) -> bool {
    let line_break = b == b'\n' || b == b'\t';
    (b < 0x20 && !(keep == Keep::LineBreaks && line_break)) || b == 0x7f || b == 0xc2
}

fn needs_escapes(text: &str, keep: Keep) -> bool {
    text.bytes().any(|b| suspect(b, keep)) && text.chars().any(|c| !kept(c, keep))
}

/// `text` with the control characters `keep` does not keep as escapes.
fn write_escaped(out: &mut impl fmt::Write, text: &str, keep: Keep) -> fmt::Result {
    for c in text.chars() {
        let n = u32::from(c);
        if kept(c, keep) {
            out.write_char(c)?;
        } else if n < 0x80 {
            write!(out, "\\x{n:02x}")?;
        } else {
            write!(out, "\\u{{{n:x}}}")?;
        }
    }
    Ok(())
}

/// `text`, displayed with its control characters escaped.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if needs_escapes(self.0, Keep::Nothing) {
            write_escaped(f, self.0, Keep::Nothing)
        } else {
            f.write_str(self.0)
        }
    }
}

/// Appends `text` to `out` as [`Shown`] displays it.
pub fn push_shown(out: &mut String, text: &str) {
    if needs_escapes(text, Keep::Nothing) {
        let _ = write_escaped(out, text, Keep::Nothing);
    } else {
        out.push_str(text);
    }
}

/// A whole text of many lines (a report, a diagnostic) with its control
/// characters escaped but newline and tab; borrowed when there are none,
/// as for nearly every text.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !needs_escapes(text, Keep::LineBreaks) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let _ = write_escaped(&mut out, text, Keep::LineBreaks);
    Cow::Owned(out)
}

/// [`escape_controls`] of an owned text: the text itself when nothing is
/// escaped, not a copy.
pub fn escape_controls_owned(text: String) -> String {
    match escape_controls(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// [`escape_controls`] for bytes written piece by piece: a piece that is
/// UTF-8 (formatted output hands over whole UTF-8 pieces) as text; any
/// other gets its C0 controls (but newline and tab) and DEL escaped.
pub fn escape_control_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.iter().any(|&b| suspect(b, Keep::LineBreaks)) {
        return Cow::Borrowed(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => match escape_controls(text) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(escaped) => Cow::Owned(escaped.into_bytes()),
        },
        Err(_) => {
            let mut out = Vec::with_capacity(bytes.len() + 16);
            for &b in bytes {
                if b != 0xc2 && suspect(b, Keep::LineBreaks) {
                    out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
                } else {
                    out.push(b);
                }
            }
            Cow::Owned(out)
        }
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
    fn whole_texts_without_controls_are_borrowed_and_unchanged() {
        let text = "map 'flows': hash\n\tkey 4 bytes, é ü \u{a0}\u{bf}\n";
        assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
        let owned = String::from(text);
        let at = owned.as_ptr();
        let back = escape_controls_owned(owned);
        assert_eq!(back.as_ptr(), at, "not a copy");
    }

    #[test]
    fn whole_texts_keep_their_line_breaks_and_escape_the_rest() {
        assert_eq!(
            escape_controls("xdp\x1b[2Jpass\r\x07\x7f\u{9b}31m\n\tok"),
            "xdp\\x1b[2Jpass\\x0d\\x07\\x7f\\u{9b}31m\n\tok"
        );
        assert_eq!(escape_controls("a\0b"), "a\\x00b");
        assert_eq!(escape_controls_owned("a\x1bb".into()), "a\\x1bb");
    }

    #[test]
    fn bytes_are_escaped_as_text_or_byte_by_byte() {
        let text = "[1] FUNC 'bad\x1b]0;title\x07' type_id=2\n";
        assert_eq!(
            &*escape_control_bytes(text.as_bytes()),
            b"[1] FUNC 'bad\\x1b]0;title\\x07' type_id=2\n"
        );
        assert_eq!(
            &*escape_control_bytes(b"raw \xff\x1b bytes\n"),
            b"raw \xff\\x1b bytes\n"
        );
        assert!(matches!(escape_control_bytes(b"plain\n"), Cow::Borrowed(_)));
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
