//! Errors rendered like rustc's: what went wrong, where, notes, help.
//!
//! ```text
//! error[E-BTF-0003]: BTF type section is truncated
//!   --> maps.bpf.o: section .BTF, offset 0x1c4, type [12]
//!    = note: the kernel refuses this blob with "Invalid type_off"
//!    = help: rebuild the object; the file looks cut short
//! ```

use std::fmt::Write;

/// Result of a subcommand: an exit code, or an error to render (boxed: diagnostics are large).
pub type CmdResult = Result<std::process::ExitCode, Box<Diagnostic>>;

/// A user-facing error or finding, ready to print.
#[derive(Debug, Clone, Default)]
pub struct Diagnostic {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// Stable code, e.g. `E-BTF-0003` (optional).
    pub code: Option<String>,
    /// One line: what is wrong.
    pub message: String,
    /// Where: file, section, offset, type id, map name.
    pub location: Option<String>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
}

#[allow(dead_code)] // builder methods are used as commands land
impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: "error",
            message: message.into(),
            ..Default::default()
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: "warning",
            message: message.into(),
            ..Default::default()
        }
    }

    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// The rustc-like text, ending in a newline.
    pub fn render(&self) -> String {
        let mut s = String::new();
        match &self.code {
            Some(code) => {
                let _ = writeln!(s, "{}[{}]: {}", self.level, code, self.message);
            }
            None => {
                let _ = writeln!(s, "{}: {}", self.level, self.message);
            }
        }
        if let Some(loc) = &self.location {
            let _ = writeln!(s, "  --> {loc}");
        }
        for n in &self.notes {
            let _ = writeln!(s, "   = note: {n}");
        }
        for h in &self.help {
            let _ = writeln!(s, "   = help: {h}");
        }
        // Messages quote names and paths from the input.
        bpfc::report::escape_controls_owned(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let d = Diagnostic::error("BTF type section is truncated")
            .code("E0001")
            .at("x.o: section .BTF, offset 0x1c4")
            .note("the kernel says \"Invalid type_off\"")
            .help("rebuild the object");
        assert_eq!(
            d.render(),
            "error[E0001]: BTF type section is truncated\n  --> x.o: section .BTF, offset 0x1c4\n   = note: the kernel says \"Invalid type_off\"\n   = help: rebuild the object\n"
        );
    }
}
