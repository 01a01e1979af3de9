//! What older kernels still in use would say. Cheap: one pass over facts
//! the other phases already looked at, one finding per rule (the first
//! place it applies, and how many more there are).

use super::finding::{Code, Finding, Severity};
use super::Checker;
use crate::btf::{Kind, Type};

/// The first type something applies to, and how many types it applies to.
#[derive(Clone, Copy)]
struct First {
    id: u32,
    /// Offset of the type in the type section.
    offset: u32,
    kind: Kind,
    count: u32,
}

impl First {
    fn of(t: &Type<'_>) -> First {
        First {
            id: t.id(),
            offset: t.offset(),
            kind: t.kind(),
            count: 1,
        }
    }
}

/// Every type is counted by its shape: kind, kind_flag and whether vlen
/// is 1 (a global FUNC). That is all the feature rules look at, so each
/// type costs one table update, and [`FEATURES`] are summed up at the end.
const SHAPES: usize = 32 * 4;

/// Types are counted in this many tables in turn: runs of one shape (a
/// thousand FUNCs in a row) would otherwise make each increment wait for
/// the previous one to reach memory.
const TABLES: usize = 4;

fn shape(kind: Kind, vlen: u32, kflag: bool) -> usize {
    (kind as usize) << 2 | usize::from(kflag) << 1 | usize::from(vlen == 1)
}

/// First occurrence and count of each older-kernel rule and feature,
/// gathered while the other phases look at the types anyway.
pub(super) struct Tally {
    /// Older-kernel name rules, in the order first seen.
    seen: Vec<(Code, First)>,
    /// Types per shape, and the first type id of each shape, per table.
    shape_count: [[u32; SHAPES]; TABLES],
    shape_first: [[u32; SHAPES]; TABLES],
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            seen: Vec::new(),
            shape_count: [[0; SHAPES]; TABLES],
            shape_first: [[0; SHAPES]; TABLES],
        }
    }
}

impl Tally {
    /// Notes that `t` is affected by `code`.
    pub(super) fn saw(&mut self, code: Code, t: &Type<'_>) {
        if let Some((_, first)) = self.seen.iter_mut().find(|e| e.0 == code) {
            first.count += 1;
        } else {
            self.seen.push((code, First::of(t)));
        }
    }

    /// Counts type `id` of `kind` with `vlen` and `kflag` (every type,
    /// valid or not, in id order).
    #[inline]
    pub(super) fn saw_type(&mut self, id: u32, kind: Kind, vlen: u32, kflag: bool) {
        let (table, s) = (id as usize % TABLES, shape(kind, vlen, kflag));
        if self.shape_count[table][s] == 0 {
            self.shape_first[table][s] = id;
        }
        self.shape_count[table][s] += 1;
    }

    /// For each of [`FEATURES`], how many counted types need it and the id
    /// of the first: one pass over the shapes, whatever the blob's size
    /// (small objects are validated by the thousand).
    fn feature_uses(&self) -> [Option<(u32, u32)>; FEATURES.len()] {
        let mut uses = [None; FEATURES.len()];
        for s in 0..SHAPES {
            let Some(kind) = Kind::from_u32((s >> 2) as u32) else {
                continue;
            };
            let Some(i) = feature(kind, (s & 1) as u32, s & 2 != 0) else {
                continue;
            };
            for table in 0..TABLES {
                let count = self.shape_count[table][s];
                if count == 0 {
                    continue;
                }
                let first = self.shape_first[table][s];
                uses[i] = Some(match uses[i] {
                    Some((c, f)) => (c + count, first.min(f)),
                    None => (count, first),
                });
            }
        }
        uses
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
#[inline]
fn feature(kind: Kind, vlen: u32, kflag: bool) -> Option<usize> {
    Some(match kind {
        Kind::Func if vlen == 1 => 1,
        Kind::Func | Kind::FuncProto => 0,
        Kind::Var | Kind::Datasec => 2,
        Kind::Float => 3,
        Kind::DeclTag if kflag => 8,
        Kind::DeclTag => 4,
        Kind::TypeTag if kflag => 9,
        Kind::TypeTag => 5,
        Kind::Enum64 => 6,
        Kind::Enum if kflag => 7,
        _ => return None,
    })
}

impl Checker<'_, '_> {
    pub(super) fn check_compat(&mut self) {
        // Kind features: first use of each, as a note.
        let uses = self.compat.feature_uses();
        for ((what, since), used) in FEATURES.iter().zip(uses) {
            let Some((count, id)) = used else {
                continue;
            };
            let Some(t) = self.type_at(id) else { continue };
            let note = format!(
                "{count} type(s) use it; libbpf and cilium/ebpf rewrite it for older kernels, other loaders may not"
            );
            let f = self.finding(
                First {
                    count,
                    ..First::of(&t)
                },
                4,
                Severity::Note,
                Code::CompatFeature,
                format!("{what} needs kernel {since}"),
                note,
            );
            self.findings.push(f);
        }
        let seen = std::mem::take(&mut self.compat.seen);
        for (code, first) in seen {
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
            let note = format!("{note}; {} type(s) affected", first.count);
            let f = self.finding(first, 0, Severity::Warning, code, message.to_string(), note);
            self.findings.push(f);
        }
    }

    /// A finding about the first type a rule applies to.
    fn finding(
        &self,
        first: First,
        within: u64,
        severity: Severity,
        code: Code,
        message: String,
        note: String,
    ) -> Finding {
        Finding {
            code,
            severity,
            message,
            type_id: Some(first.id),
            kind: Some(first.kind),
            offset: Some(self.types_at + u64::from(first.offset) + within),
            note,
        }
    }
}
