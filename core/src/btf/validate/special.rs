//! `btf_parse_struct_metas`: the special-field pass `BPF_BTF_LOAD` runs on
//! program BTF after resolution and the type-tag check.
//!
//! When the BTF defines a STRUCT named like one of the kernel's
//! allocatable-object fields (`bpf_spin_lock`, `bpf_list_head`,
//! `bpf_list_node`, `bpf_rb_root`, `bpf_rb_node`, `bpf_refcount`), or a
//! pointer tagged `__kptr`, `__kptr_untrusted` or `__percpu_kptr` to a
//! struct, the kernel parses the special fields of every STRUCT that has a
//! member of exactly such a type (not through a typedef, array or
//! qualifier; unions are never parsed) and refuses the whole blob at the
//! first struct that breaks a rule. Once a struct is picked, the search
//! goes through its nested structs and arrays too. The kernel logs nothing
//! for any of this: the findings use our own words, naming the rule and the
//! member.
//!
//! Rules the kernel checks that depend on the running kernel's own BTF are
//! left out: a `__kptr` to a struct that vmlinux or a module also defines
//! needs a registered destructor kfunc there (`btf_parse_kptr`), which a
//! blob alone cannot tell. Split BTF is not checked: the kernel runs this
//! pass for program BTF only, which has no base.
//!
//! The walk itself is in `find`, the per-struct layout rules and the
//! ownership check in `record`, the kernel's table of field types in
//! `kinds`.

mod find;
mod kinds;
mod record;

use std::collections::BTreeMap;

use super::finding::Code;
use super::{record_at, Checker};
use crate::btf::Kind;
use find::{Finder, Kptr, Refusal, Stop};
use kinds::ALLOC_OBJ_FIELDS;

/// Byte size of a member record.
const MEMBER_LEN: u64 = 12;

impl Checker<'_, '_> {
    pub(super) fn check_special_fields(&mut self) {
        if self.btf.base().is_some() {
            return;
        }
        let (refusals, ownership) = {
            let mut finder = Finder::new(self);
            let triggers = self.special_types(&finder);
            if triggers.is_empty() {
                return;
            }
            let mut refusals = Vec::new();
            let mut records = BTreeMap::new();
            for id in self.btf.first_id()..=self.last_kept.min(self.btf.last_id()) {
                let tag = self.slots.tag(id);
                if tag.kind() != Some(Kind::Struct) || tag.is(super::State::Failed) {
                    continue;
                }
                let Some(t) = self.type_at(id) else { continue };
                let Some(trigger) = t.member_types().position(|id| triggers.contains(id)) else {
                    continue;
                };
                match record::parse(&mut finder, &t, trigger as u32) {
                    Ok(rec) => {
                        records.insert(id, Some(rec));
                    }
                    Err(Stop::Refused(r)) => {
                        records.insert(id, None);
                        refusals.push((id, r));
                    }
                    // Broken below in a way an earlier phase reported.
                    Err(Stop::Unknown) => {
                        records.insert(id, None);
                    }
                }
            }
            (refusals, record::check_ownership(&records))
        };
        // The kernel checks ownership only once every struct has parsed.
        for (id, r) in refusals.into_iter().chain(ownership) {
            self.report_special(id, r);
        }
    }

    /// The ids a member must have for the kernel to parse its struct
    /// (`aof` in the kernel), sorted: the first STRUCT of each special
    /// name, and every kptr type.
    fn special_types(&self, finder: &Finder<'_, '_>) -> IdSet {
        let mut named = [None; ALLOC_OBJ_FIELDS.len()];
        let mut kptrs = Vec::new();
        let last = self.last_kept.min(self.btf.last_id());
        for id in self.btf.first_id()..=last {
            match self.slots.tag(id).kind() {
                Some(Kind::Struct) => {
                    let Some(t) = self.type_at(id) else { continue };
                    // Every struct's name is looked at (15k in vmlinux):
                    // its first four bytes settle nearly all of them.
                    if !self.name_starts_with_bpf(t.name_off()) {
                        continue;
                    }
                    let Ok(name) = self.btf.str_bytes(t.name_off()) else {
                        continue;
                    };
                    if let Some(k) = ALLOC_OBJ_FIELDS.iter().position(|n| *n == name) {
                        named[k].get_or_insert(id);
                    }
                }
                Some(Kind::Ptr | Kind::Volatile) if self.may_be_kptr(id) => {
                    let Some(t) = self.type_at(id) else { continue };
                    if let Ok(Some(Kptr::Field(_))) = finder.kptr_target(Some(&t)) {
                        kptrs.push(id);
                    }
                }
                _ => {}
            }
        }
        let mut triggers = IdSet::with_room(last);
        for id in named.into_iter().flatten().chain(kptrs) {
            triggers.insert(id);
        }
        triggers
    }

    /// Whether `id` (a PTR or VOLATILE) reaches a TYPE_TAG as a kptr
    /// would, judged from the slots alone so that the many plain pointers
    /// of vmlinux cost no reads.
    /// Whether the string at `name_off` starts with `bpf_`, as every name
    /// in [`ALLOC_OBJ_FIELDS`] does. (Split BTF, whose names may lie in
    /// the base's strings, is not searched at all.)
    fn name_starts_with_bpf(&self, name_off: u32) -> bool {
        let Some(at) = name_off.checked_sub(self.btf.first_str_off()) else {
            return false;
        };
        let at = at as usize;
        self.btf.string_section().get(at..at + 4) == Some(b"bpf_")
    }

    fn may_be_kptr(&self, id: u32) -> bool {
        let kind_of = |id: u32| self.slots.get(id).and_then(|t| t.kind());
        let mut ptr = id;
        if kind_of(id) == Some(Kind::Volatile) {
            ptr = self.slots.word(id);
            if kind_of(ptr) != Some(Kind::Ptr) {
                return false;
            }
        }
        kind_of(self.slots.word(ptr)) == Some(Kind::TypeTag)
    }

    fn report_special(&mut self, id: u32, r: Refusal) {
        let name = self
            .type_at(id)
            .map_or_else(String::new, |t| self.name_of(t.name_off()));
        let message = if r.path.is_empty() {
            format!("struct {name}: {}", r.what)
        } else {
            format!("struct {name}, member {}: {}", r.path, r.what)
        };
        self.report_id(
            id,
            record_at(r.top, MEMBER_LEN),
            r.code,
            message,
            note(r.code),
        );
    }
}

/// What the kernel does, for people (it says nothing itself).
/// The type ids that make the kernel parse a struct holding them: one bit
/// per id, since every member of every struct is looked up (vmlinux has
/// 170k members).
struct IdSet {
    bits: Vec<u64>,
    len: usize,
}

impl IdSet {
    fn with_room(last_id: u32) -> IdSet {
        IdSet {
            bits: vec![0; (last_id as usize + 1).div_ceil(64)],
            len: 0,
        }
    }

    fn insert(&mut self, id: u32) {
        if let Some(w) = self.bits.get_mut(id as usize / 64) {
            *w |= 1 << (id % 64);
            self.len += 1;
        }
    }

    fn contains(&self, id: u32) -> bool {
        self.bits
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn note(code: Code) -> &'static str {
    match code {
        Code::SpecialFieldRepeated => {
            "btf_get_field_type: a struct may hold one bpf_spin_lock and one bpf_res_spin_lock; BPF_BTF_LOAD fails with E2BIG and no log"
        }
        Code::TooManySpecialFields => {
            "btf_find_field: at most BTF_FIELDS_MAX special fields per struct, nested structs and arrays included; E2BIG, no log"
        }
        Code::SpecialFieldsTooDeep => {
            "btf_find_field_one: nested structs and arrays are searched 32 levels deep at most; E2BIG, no log"
        }
        Code::SpecialFieldBitOffset => {
            "btf_find_struct_field: in a struct searched for special fields (and its nested structs) every member must start on a byte; EINVAL, no log"
        }
        Code::InvalidKptrTag => {
            "btf_find_kptr: a pointer member's type tag must be one of kptr, kptr_untrusted, percpu_kptr, uptr, and only one; EINVAL, no log"
        }
        Code::InvalidKptrTarget => {
            "btf_find_kptr: a kptr must point to a struct; EINVAL, no log"
        }
        Code::SpecialFieldArray => {
            "btf_repeat_fields: locks, nodes and bpf_refcount cannot be array elements (an array of one is fine); EINVAL, no log"
        }
        Code::ContainsTagMissing => {
            "btf_find_graph_root: a bpf_list_head or bpf_rb_root member needs exactly one decl tag \"contains:<struct>:<node member>\" (__contains in bpf_experimental.h); EINVAL, no log"
        }
        Code::ContainsTagMalformed => {
            "btf_find_graph_root: the tag reads \"contains:<struct>:<node member>\"; EINVAL, no log"
        }
        Code::ContainsTypeNotFound => {
            "btf_find_graph_root: the value type must be a struct defined in the same BTF; ENOENT, no log"
        }
        Code::ContainsNodeNotFound => {
            "btf_parse_graph_root: the value struct must have the node member the tag names; ENOENT, no log"
        }
        Code::ContainsNodeInvalid => {
            "btf_parse_graph_root: the node member must be one struct bpf_list_node (bpf_rb_node for a bpf_rb_root) at an 8-byte aligned offset; EINVAL, no log"
        }
        Code::SpecialFieldPastEnd => {
            "btf_parse_fields: a special field ends past its struct (the kernel also warns of a verifier bug); EFAULT, no log"
        }
        Code::SpecialFieldOverlap => {
            "btf_parse_fields: special fields must not overlap (e.g. two kptrs in a union); EEXIST, no log"
        }
        Code::SpinLockConflict => {
            "btf_parse_fields: a struct holds a bpf_spin_lock or a bpf_res_spin_lock, not both; EINVAL, no log"
        }
        Code::GraphRootWithoutLock => {
            "btf_parse_fields: a bpf_list_head or bpf_rb_root needs a bpf_spin_lock or bpf_res_spin_lock beside it; EINVAL, no log"
        }
        Code::GraphNodesWithoutRefcount => {
            "btf_parse_fields: an object on both a list and a tree needs a bpf_refcount; EINVAL, no log"
        }
        Code::NoSpecialFields => {
            "btf_parse_struct_metas: a struct with a member of a special type must end up with at least one special field (misaligned ones and ones of another size do not count); EFAULT, no log"
        }
        Code::GraphValueWithoutRecord => {
            "btf_check_and_fixup_fields: a graph root's value struct must itself have special fields (its node); EFAULT, no log"
        }
        Code::GraphOwnershipCycle => {
            "btf_check_and_fixup_fields: a struct that is both a graph node and a graph root may only own structs that are not roots; ELOOP, no log"
        }
        _ => "",
    }
}
