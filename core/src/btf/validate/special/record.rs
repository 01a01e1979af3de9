//! `btf_parse_fields` after the walk (field layout, graph roots, which
//! fields need which) and `btf_check_and_fixup_fields` (graph ownership).

use std::collections::BTreeMap;

use super::find::{refuse, Field, Finder, Refusal, Stop};
use super::kinds::FieldKind;
use crate::btf::validate::Code;
use crate::btf::{Kind, Type};

/// What the kernel keeps of a struct's fields (`struct btf_record`).
pub(super) struct Record {
    /// One bit per [`FieldKind`] present.
    mask: u16,
    /// The graph roots, by offset.
    roots: Vec<Root>,
}

struct Root {
    value_id: u32,
    top: u32,
    path: String,
    kind: FieldKind,
}

impl Record {
    fn has(&self, kind: FieldKind) -> bool {
        self.mask & kind.bit() != 0
    }

    fn has_graph_node(&self) -> bool {
        self.has(FieldKind::ListNode) || self.has(FieldKind::RbNode)
    }

    fn has_graph_root(&self) -> bool {
        self.has(FieldKind::ListHead) || self.has(FieldKind::RbRoot)
    }
}

/// `btf_parse_fields` for struct `t`, which the kernel parses because its
/// member `trigger` has a special type.
pub(super) fn parse<'a>(
    finder: &mut Finder<'_, 'a>,
    t: &Type<'a>,
    trigger: u32,
) -> Result<Record, Stop> {
    let trace = finder.fields_of(t)?;
    if let Some(r) = &trace.stop {
        return Err(Stop::Refused(r.clone()));
    }
    if trace.fields.is_empty() {
        // "The record cannot be unset": the struct was picked for a
        // special-typed member, but none of them counts.
        let path = match t.member(trigger) {
            Some(m) => finder.member_name(&m)?,
            None => String::new(),
        };
        return Err(refuse(
            Code::NoSpecialFields,
            trigger,
            path,
            "no usable special field: every member of a special type is misaligned or not the kernel's size".to_string(),
        ));
    }
    let mut mask = 0u16;
    // The first field of each kind: the layout rules name it.
    let mut first_of: [Option<&Field<'_>>; FieldKind::COUNT] = [None; FieldKind::COUNT];
    let mut roots = Vec::new();
    let mut next_off = 0u64;
    for f in &trace.fields {
        let start = u64::from(f.off);
        let end = start + u64::from(f.kind.size());
        if end > u64::from(t.size()) {
            return Err(at(
                f,
                Code::SpecialFieldPastEnd,
                format!(
                    "{} ends at byte {end}, past the struct's {} bytes",
                    f.kind.name(),
                    t.size()
                ),
            ));
        }
        if start < next_off {
            return Err(at(
                f,
                Code::SpecialFieldOverlap,
                format!(
                    "{} at byte {start} overlaps the special field before it (which ends at byte {next_off})",
                    f.kind.name()
                ),
            ));
        }
        next_off = end;
        mask |= f.kind.bit();
        first_of[f.kind as usize].get_or_insert(f);
        if let (Some(root), Some(node_kind)) = (&f.root, f.kind.node_of_root()) {
            check_node(finder, f, node_kind, root.value_id, root.node_name)?;
            roots.push(Root {
                value_id: root.value_id,
                top: f.top,
                path: f.path.clone(),
                kind: f.kind,
            });
        }
    }
    let first = |kind: FieldKind| first_of[kind as usize];
    if let (Some(_), Some(f)) = (first(FieldKind::SpinLock), first(FieldKind::ResSpinLock)) {
        return Err(at(
            f,
            Code::SpinLockConflict,
            "a bpf_res_spin_lock and a bpf_spin_lock in one struct".to_string(),
        ));
    }
    let lock = first(FieldKind::SpinLock).or(first(FieldKind::ResSpinLock));
    let root = first(FieldKind::ListHead).or(first(FieldKind::RbRoot));
    if let (Some(f), None) = (root, lock) {
        return Err(at(
            f,
            Code::GraphRootWithoutLock,
            format!(
                "a {} without a bpf_spin_lock or bpf_res_spin_lock in the same struct",
                f.kind.name()
            ),
        ));
    }
    if let (None, Some(_), Some(f)) = (
        first(FieldKind::Refcount),
        first(FieldKind::ListNode),
        first(FieldKind::RbNode),
    ) {
        return Err(at(
            f,
            Code::GraphNodesWithoutRefcount,
            "a bpf_list_node and a bpf_rb_node without a bpf_refcount in the same struct"
                .to_string(),
        ));
    }
    Ok(Record { mask, roots })
}

/// `btf_parse_graph_root`: the value struct has exactly one member named
/// like the tag says, a struct of the node type at an 8-byte aligned
/// offset.
fn check_node(
    finder: &Finder<'_, '_>,
    f: &Field<'_>,
    node_kind: FieldKind,
    value_id: u32,
    node_name: &[u8],
) -> Result<(), Stop> {
    let Some(value) = finder.ty(value_id)? else {
        return Err(Stop::Unknown);
    };
    let value_name = String::from_utf8_lossy(finder.name(Some(&value))?).into_owned();
    let node_shown = String::from_utf8_lossy(node_name).into_owned();
    let bad = |what: String| {
        at(
            f,
            Code::ContainsNodeInvalid,
            format!("node member '{node_shown}' of struct {value_name} {what}"),
        )
    };
    let mut seen = false;
    for m in value.members() {
        if finder.member_name_bytes(m.name_off)? != node_name {
            continue;
        }
        if seen {
            return Err(bad("is defined twice".to_string()));
        }
        seen = true;
        let n = finder.ty(m.type_id)?;
        let node_type = match &n {
            Some(n) if n.kind() == Kind::Struct => finder.name(Some(n))?,
            _ => b"",
        };
        if node_type != node_kind.name().as_bytes() {
            return Err(bad(format!("is not a struct {}", node_kind.name())));
        }
        // The kernel reads the offset with the node type's kind_flag, not
        // the value struct's; for a member that is not a bitfield the two
        // agree.
        let kflag = n.is_some_and(|n| n.kflag());
        let bits = if kflag {
            m.raw_offset & 0x00ff_ffff
        } else {
            m.raw_offset
        };
        if bits % 8 != 0 || (bits / 8) % node_kind.align() != 0 {
            return Err(bad(format!(
                "is at bit offset {bits}, not {}-byte aligned",
                node_kind.align()
            )));
        }
    }
    if !seen {
        return Err(at(
            f,
            Code::ContainsNodeNotFound,
            format!(
                "struct {value_name} has no member '{node_shown}' (named by its contains: tag)"
            ),
        ));
    }
    Ok(())
}

/// `btf_check_and_fixup_fields` for every struct that parsed (in id
/// order): each graph root's value struct has a record, and a struct that
/// is both a node and a root does not own roots. Returns the struct and
/// the refusal.
pub(super) fn check_ownership(records: &BTreeMap<u32, Option<Record>>) -> Vec<(u32, Refusal)> {
    let mut out = Vec::new();
    for (&id, record) in records {
        let Some(record) = record else { continue };
        for root in &record.roots {
            let value = match records.get(&root.value_id) {
                Some(Some(value)) => value,
                // Refused on its own account already.
                Some(None) => continue,
                None => {
                    out.push((
                        id,
                        root_refusal(
                            root,
                            Code::GraphValueWithoutRecord,
                            "its value struct has no member of a special type, so the kernel has no record of it",
                        ),
                    ));
                    break;
                }
            };
            if record.has_graph_node() && value.has_graph_root() {
                out.push((
                    id,
                    root_refusal(
                        root,
                        Code::GraphOwnershipCycle,
                        "this struct is a graph node and its value struct is a graph root: ownership could form a cycle",
                    ),
                ));
                break;
            }
        }
    }
    out
}

fn root_refusal(root: &Root, code: Code, what: &str) -> Refusal {
    Refusal {
        code,
        top: root.top,
        path: root.path.clone(),
        what: format!("{}: {what}", root.kind.name()),
    }
}

fn at(f: &Field<'_>, code: Code, what: String) -> Stop {
    refuse(code, f.top, f.path.clone(), what)
}
