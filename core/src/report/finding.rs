//! Findings rendered the way rustc renders diagnostics: severity and code,
//! one line saying what is wrong, an arrow to the place, notes with the rule
//! and what the kernel and each loader would do, help with the fix.
//!
//! ```text
//! error[BPFC-L003]: map 'invalid_map': legacy definition has non-zero bytes past ...
//!   --> invalid_map-el.elf: section maps, offset 0x0
//!    = note: rule: ...
//!    = note: cilium/ebpf fails with EINVAL (22): ...
//!    = help: ...
//! ```

use super::shown::push_shown;
use crate::diag::{Effect, Finding, Location, Severity, Subject};
use serde::Serialize;

/// Renders one finding about `file` (a path as the user gave it), ending in a newline.
pub fn render_finding(file: &str, f: &Finding) -> String {
    let mut s = String::new();
    render_finding_into(&mut s, file, f);
    s
}

/// [`render_finding`], appended to `out`: a caller rendering many findings
/// reuses one buffer instead of building and copying a String for each.
///
/// The text is pushed piece by piece rather than through `write!`: the
/// formatting machinery costs more than the copying for these short
/// pieces, and `bpfc check` renders a dozen findings per object.
pub fn render_finding_into(out: &mut String, file: &str, f: &Finding) {
    out.push_str(f.severity.as_str());
    out.push('[');
    out.push_str(f.code.as_str());
    out.push_str("]: ");
    push_subject(out, &f.subject);
    out.push_str(": ");
    // Every field is one line by contract; what came from the object (or
    // the path) is escaped so that it stays so (report::shown).
    push_shown(out, &f.message);
    out.push_str("\n  --> ");
    push_shown(out, file);
    push_location(out, &f.location);
    out.push('\n');
    if !f.rule.is_empty() {
        out.push_str("   = note: rule: ");
        push_shown(out, &f.rule);
        out.push('\n');
    }
    for e in &f.effects {
        out.push_str("   = note: ");
        push_effect(out, e);
        out.push('\n');
    }
    if !f.fix.is_empty() {
        out.push_str("   = help: ");
        push_shown(out, &f.fix);
        out.push('\n');
    }
}

/// As `Subject`'s Display writes it.
fn push_subject(out: &mut String, subject: &Subject) {
    let (what, name) = match subject {
        Subject::Object => {
            out.push_str("object");
            return;
        }
        Subject::Section(n) => ("section '", n),
        Subject::Map(n) => ("map '", n),
        Subject::Program(n) => ("program '", n),
    };
    out.push_str(what);
    push_shown(out, name);
    out.push('\'');
}

/// `: ` and the location as `Location`'s Display writes it, or nothing
/// when there is none.
fn push_location(out: &mut String, loc: &Location) {
    let mut sep = ": ";
    if let Some(s) = &loc.section {
        out.push_str(sep);
        out.push_str("section ");
        push_shown(out, s);
        sep = ", ";
    }
    if let Some(o) = loc.offset {
        out.push_str(sep);
        out.push_str("offset 0x");
        push_digits(out, o, 16);
        sep = ", ";
    }
    if let Some(id) = loc.btf_type_id {
        out.push_str(sep);
        out.push_str("BTF type [");
        push_digits(out, u64::from(id), 10);
        out.push(']');
    }
}

/// `n` in base 10 or 16 (lower case), as `{n}` and `{n:x}` write it: one
/// `write!` costs several times the handful of digits it produces.
fn push_digits(out: &mut String, mut n: u64, base: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // u64::MAX has 20 decimal digits.
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = DIGITS[(n % base) as usize];
        n /= base;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[start..] {
        out.push(char::from(d));
    }
}

/// As `Effect`'s Display writes it.
fn push_effect(out: &mut String, e: &Effect) {
    out.push_str(e.actor.as_str());
    if let Some(errno) = e.errno {
        out.push_str(" fails with ");
        out.push_str(errno.name());
        out.push_str(" (");
        // Errno numbers are positive.
        push_digits(out, u64::from(errno.number().unsigned_abs()), 10);
        out.push(')');
    }
    out.push_str(": ");
    push_shown(out, &e.message);
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.add(f.severity);
        }
        c
    }

    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    pub fn merge(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.notes += other.notes;
    }

    /// `1 error, 2 warnings, no notes`.
    pub fn text(&self) -> String {
        let part = |n: usize, one: &str, many: &str| match n {
            0 => format!("no {many}"),
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        format!(
            "{}, {}, {}",
            part(self.errors, "error", "errors"),
            part(self.warnings, "warning", "warnings"),
            part(self.notes, "note", "notes")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Actor, Code, Errno};

    /// The rendering spelled with the Display impls, as it was written
    /// before [`render_finding_into`] pushed the pieces itself.
    fn through_display(file: &str, f: &Finding) -> String {
        let mut s = format!("{}[{}]: {}: {}\n", f.severity, f.code, f.subject, f.message);
        let loc = f.location.to_string();
        if loc.is_empty() {
            s += &format!("  --> {file}\n");
        } else {
            s += &format!("  --> {file}: {loc}\n");
        }
        if !f.rule.is_empty() {
            s += &format!("   = note: rule: {}\n", f.rule);
        }
        for e in &f.effects {
            s += &format!("   = note: {e}\n");
        }
        if !f.fix.is_empty() {
            s += &format!("   = help: {}\n", f.fix);
        }
        s
    }

    #[test]
    fn pushed_pieces_match_the_display_impls() {
        let subjects = [
            Subject::Object,
            Subject::Section(".maps".into()),
            Subject::Map("m".into()),
            Subject::Program("p".into()),
        ];
        let mut rendered = String::new();
        let mut expected = String::new();
        for (i, subject) in subjects.into_iter().enumerate() {
            // Every combination of location parts, with and without rule,
            // effects and fix.
            for parts in 0..8u32 {
                let mut f = Finding::new(Code::KernelKeySize, subject.clone(), "msg");
                if parts & 1 != 0 {
                    f = f.section("maps");
                }
                // Offsets and ids of every digit count, 0 and the largest included.
                let n = [0, 7, 0x1c, 0xabcdef, 12345, u64::MAX][(parts as usize + i) % 6];
                if parts & 2 != 0 {
                    f = f.offset(n);
                }
                if parts & 4 != 0 {
                    f = f.btf_type(u32::try_from(n).unwrap_or(u32::MAX));
                }
                if (parts + i as u32) % 2 == 0 {
                    f = f
                        .rule("the rule")
                        .effect(Actor::Kernel, Some(Errno::Einval), "fails")
                        .effect(Actor::Cilium, None, "adjusts")
                        .effect(Actor::LibbpfLinker, Some(Errno::Enotsupp), "x")
                        .effect(Actor::Libbpf, Some(Errno::LibbpfFormat), "y")
                        .fix("the fix");
                }
                rendered.push_str(&render_finding("a.o", &f));
                render_finding_into(&mut rendered, "a.o", &f);
                expected.push_str(&through_display("a.o", &f).repeat(2));
            }
        }
        assert_eq!(rendered, expected);
    }
}
