//! What older kernels still in use would say. Cheap: one pass over facts
//! the other phases already looked at, one finding per rule (the first
//! place it applies, and how many more there are).

use super::finding::{Code, Severity};
use super::view::View;
use super::{Checker, Node};
use crate::btf::Kind;

/// First occurrence and count of each older-kernel rule.
#[derive(Default)]
pub(super) struct Tally {
    /// (rule, first type id, byte offset of that type, kind, count)
    seen: Vec<(Code, u32, u64, Kind, u32)>,
}

impl Tally {
    /// Notes that `t` is affected by `code`.
    pub(super) fn saw(&mut self, code: Code, t: &View<'_>) {
        if let Some(entry) = self.seen.iter_mut().find(|e| e.0 == code) {
            entry.4 += 1;
        } else {
            self.seen
                .push((code, t.id(), u64::from(t.offset()), t.kind(), 1));
        }
    }
}

/// Kinds, flags and linkages older kernels do not know, with the first
/// kernel that does.
const FEATURES: [(&str, &str); 10] = [
    ("FUNC and FUNC_PROTO", "5.0"),
    ("global FUNC linkage", "5.6"),
    ("VAR and DATASEC", "5.2"),
    ("FLOAT", "5.13"),
    ("DECL_TAG", "5.16"),
    ("TYPE_TAG", "5.17"),
    ("ENUM64", "6.0"),
    ("signed ENUM (kind_flag)", "6.0"),
    ("DECL_TAG with kind_flag (attribute)", "~6.15"),
    ("TYPE_TAG with kind_flag (attribute)", "~6.15"),
];

/// Index into [`FEATURES`] of what `t` needs, if anything.
fn feature(t: &View<'_>) -> Option<usize> {
    Some(match t.kind() {
        Kind::Func if t.vlen() == 1 => 1,
        Kind::Func | Kind::FuncProto => 0,
        Kind::Var | Kind::Datasec => 2,
        Kind::Float => 3,
        Kind::DeclTag if t.kflag() => 8,
        Kind::DeclTag => 4,
        Kind::TypeTag if t.kflag() => 9,
        Kind::TypeTag => 5,
        Kind::Enum64 => 6,
        Kind::Enum if t.kflag() => 7,
        _ => return None,
    })
}

impl Checker<'_, '_> {
    pub(super) fn check_compat(&mut self) {
        let btf = self.btf;
        // Kind features: first use of each, as a note.
        let mut firsts: [Option<(View<'_>, u32)>; FEATURES.len()] = [None; FEATURES.len()];
        for id in btf.first_id()..=btf.last_id() {
            let Some(Node::Type(t)) = self.node(id) else {
                continue;
            };
            if let Some(i) = feature(&t) {
                match &mut firsts[i] {
                    Some((_, count)) => *count += 1,
                    none => *none = Some((t, 1)),
                }
            }
        }
        for (i, first) in firsts.into_iter().enumerate() {
            let Some((t, count)) = first else { continue };
            let (what, since) = FEATURES[i];
            self.advise(
                &t,
                4,
                Severity::Note,
                Code::CompatFeature,
                format!("{what} needs kernel {since}"),
                format!(
                    "{count} type(s) use it; libbpf and cilium/ebpf rewrite it for older kernels, other loaders may not"
                ),
            );
        }
        let seen = std::mem::take(&mut self.compat.seen);
        for (code, id, offset, kind, count) in seen {
            let (message, note) = match code {
                Code::CompatLongName => (
                    "Invalid name",
                    "names longer than 128 bytes are refused by kernels before 6.1 (KSYM_NAME_LEN was 128)",
                ),
                Code::CompatDotInName => (
                    "Invalid name",
                    "'.' in names other than DATASEC and VAR names is refused by kernels without the June 2023 fix (mainline 6.5, backported to stable trees)",
                ),
                Code::CompatDatasecName => (
                    "Invalid name",
                    "DATASEC names with characters other than letters, digits, '_' and '.' are refused before 6.9 (libbpf renames a leading '?')",
                ),
                Code::CompatEmptyDatasec => (
                    "vlen == 0",
                    "a DATASEC without variables is refused by kernels before 5.12",
                ),
                _ => unreachable!("only older-kernel rules are tallied"),
            };
            let f = super::Finding {
                code,
                severity: Severity::Warning,
                message: message.to_string(),
                type_id: Some(id),
                kind: Some(kind),
                offset: Some(self.types_at + offset),
                note: format!("{note}; {count} type(s) affected"),
            };
            self.findings.push(f);
        }
    }
}
