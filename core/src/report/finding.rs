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

use crate::diag::{Finding, Severity};
use serde::Serialize;
use std::fmt::Write;

/// Renders one finding about `file` (a path as the user gave it), ending in a newline.
pub fn render_finding(file: &str, f: &Finding) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}[{}]: {}: {}",
        f.severity, f.code, f.subject, f.message
    );
    let loc = f.location.to_string();
    if loc.is_empty() {
        let _ = writeln!(s, "  --> {file}");
    } else {
        let _ = writeln!(s, "  --> {file}: {loc}");
    }
    if !f.rule.is_empty() {
        let _ = writeln!(s, "   = note: rule: {}", f.rule);
    }
    for e in &f.effects {
        let _ = writeln!(s, "   = note: {e}");
    }
    if !f.fix.is_empty() {
        let _ = writeln!(s, "   = help: {}", f.fix);
    }
    s
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
