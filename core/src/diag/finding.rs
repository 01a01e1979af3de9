//! One finding: what is wrong, where, which rule, what a loader or the kernel
//! would do, and how to fix it.

use super::{Code, Errno};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Finding text: mostly fixed rule and fix sentences, so borrowed when it can be.
pub type Text = Cow<'static, str>;

/// How bad a finding is.
///
/// - `Error`: the kernel refuses the definition, no mainstream loader (libbpf
///   1.x, cilium/ebpf) accepts it, or it silently does something other than
///   what the file says.
/// - `Warning`: one mainstream loader refuses it or changes it, or it is a
///   known source of bugs (padded hash keys).
/// - `Note`: facts worth knowing (truncated names, loader adjustments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Subject {
    /// The object as a whole.
    Object,
    /// An ELF section, by name.
    Section(String),
    /// A map, by the name libbpf gives it.
    Map(String),
    /// A program, by its function name.
    Program(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Object => f.write_str("object"),
            Subject::Section(n) => write!(f, "section '{n}'"),
            Subject::Map(n) => write!(f, "map '{n}'"),
            Subject::Program(n) => write!(f, "program '{n}'"),
        }
    }
}

/// Where in the file: an ELF section and byte offset within it, and/or a BTF type id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub btf_type_id: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.section {
            parts.push(format!("section {s}"));
        }
        if let Some(o) = self.offset {
            parts.push(format!("offset {o:#x}"));
        }
        if let Some(id) = self.btf_type_id {
            parts.push(format!("BTF type [{id}]"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// Who applies a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The kernel (`bpf(2)`).
    Kernel,
    /// libbpf 1.x (`bpf_object__open` / `bpf_object__load`).
    Libbpf,
    /// libbpf's static linker (`bpftool gen object`).
    LibbpfLinker,
    /// cilium/ebpf (`LoadCollectionSpec` / `NewCollection`).
    Cilium,
}

impl Actor {
    /// How reports name the actor.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Kernel => "the kernel",
            Actor::Libbpf => "libbpf",
            Actor::LibbpfLinker => "libbpf's linker",
            Actor::Cilium => "cilium/ebpf",
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an actor does with the input: the errno it returns and the message it prints.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Effect {
    pub actor: Actor,
    /// `None` when the actor accepts the input but changes or ignores it.
    pub errno: Option<Errno>,
    /// The message the actor prints (libbpf's and cilium's text where known).
    pub message: Text,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(e) => write!(f, "{} fails with {}: {}", self.actor, e, self.message),
            None => write!(f, "{}: {}", self.actor, self.message),
        }
    }
}

/// A problem (or fact) found in an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub subject: Subject,
    pub location: Location,
    /// One line: what is wrong.
    pub message: Text,
    /// The rule that is broken, stated in full.
    pub rule: Text,
    /// What the kernel and loaders do with it.
    pub effects: Vec<Effect>,
    /// How to fix it.
    pub fix: Text,
}

impl Finding {
    /// A finding with the code's default severity and no location yet.
    pub fn new(code: Code, subject: Subject, message: impl Into<Text>) -> Finding {
        Finding {
            severity: code.default_severity(),
            code,
            subject,
            location: Location::default(),
            message: message.into(),
            rule: Text::Borrowed(""),
            effects: Vec::new(),
            fix: Text::Borrowed(""),
        }
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn section(mut self, section: impl Into<String>) -> Finding {
        self.location.section = Some(section.into());
        self
    }

    pub fn offset(mut self, offset: u64) -> Finding {
        self.location.offset = Some(offset);
        self
    }

    pub fn btf_type(mut self, id: u32) -> Finding {
        if id != 0 {
            self.location.btf_type_id = Some(id);
        }
        self
    }

    pub fn rule(mut self, rule: impl Into<Text>) -> Finding {
        self.rule = rule.into();
        self
    }

    /// Adds what `actor` does: fails with `errno` (or accepts when `None`) printing `message`.
    pub fn effect(
        mut self,
        actor: Actor,
        errno: Option<Errno>,
        message: impl Into<Text>,
    ) -> Finding {
        self.effects.push(Effect {
            actor,
            errno,
            message: message.into(),
        });
        self
    }

    pub fn fix(mut self, fix: impl Into<Text>) -> Finding {
        self.fix = fix.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `error[BPFC-K004]: map 'x': message (section .maps, offset 0x10)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]: {}: {}",
            self.severity, self.code, self.subject, self.message
        )?;
        let loc = self.location.to_string();
        if !loc.is_empty() {
            write!(f, " ({loc})")?;
        }
        Ok(())
    }
}
