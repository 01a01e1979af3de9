//! `btf_check_type_tags`: in a chain of modifiers, TYPE_TAGs come first
//! (right below the pointer), then CONST/VOLATILE/RESTRICT/TYPEDEF.

use super::finding::Code;
use super::{class, Checker, Node, State};
use crate::btf::Kind;

/// The kernel follows at most this many links per chain.
const CHAIN_LIMIT: u32 = 32;

impl Checker<'_, '_> {
    /// Follows each modifier chain through the slots (kind and referenced
    /// id); no type's bytes are read unless a finding is made.
    pub(super) fn check_type_tags(&mut self) {
        let btf = self.btf;
        let last = btf.last_id().min(self.last_kept);
        // Chains through ids up to `good` are known to be in order.
        let mut good = btf.first_id() - 1;
        for id in btf.first_id()..=last {
            let tag = self.slots.tag(id);
            let Some(start_kind) = tag.kind() else {
                continue;
            };
            if !class::is_modifier(Some(start_kind)) || tag.is(State::Failed) {
                continue;
            }
            let mut in_tags = start_kind == Kind::TypeTag;
            let (mut cur, mut cur_kind) = (id, start_kind);
            let mut links = 0;
            loop {
                if cur_kind == Kind::TypeTag {
                    if !in_tags {
                        self.report_id(id, 8, Code::TypeTagAfterModifier, "Type tags don't precede modifiers", format!("type [{cur}] is a TYPE_TAG below a modifier; tags must come first in the chain"));
                        break;
                    }
                } else {
                    in_tags = false;
                }
                links += 1;
                if cur <= good || links > CHAIN_LIMIT {
                    break;
                }
                let next = self.slots.word(cur);
                match self.node(next) {
                    Some(Node::Type(k)) if class::is_modifier(Some(k)) => {
                        (cur, cur_kind) = (next, k)
                    }
                    _ => break,
                }
            }
            good = id;
        }
    }
}
