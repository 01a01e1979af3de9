//! `btf_check_type_tags`: in a chain of modifiers, TYPE_TAGs come first
//! (right below the pointer), then CONST/VOLATILE/RESTRICT/TYPEDEF.

use super::finding::Code;
use super::{class, Checker, Node, State};
use crate::btf::Kind;

/// The kernel follows at most this many links per chain.
const CHAIN_LIMIT: u32 = 32;

impl Checker<'_, '_> {
    pub(super) fn check_type_tags(&mut self) {
        let btf = self.btf;
        let last = btf.last_id().min(self.last_kept);
        // Chains through ids up to `good` are known to be in order.
        let mut good = btf.first_id() - 1;
        for id in btf.first_id()..=last {
            let Some(Node::Type(start)) = self.node(id) else {
                continue;
            };
            if !class::is_modifier(Some(start.kind()))
                || self.slots[id as usize].state == State::Failed
            {
                continue;
            }
            let mut in_tags = start.kind() == Kind::TypeTag;
            let mut cur = start;
            let mut links = 0;
            loop {
                if cur.kind() == Kind::TypeTag {
                    if !in_tags {
                        self.report(&start, 8, Code::TypeTagAfterModifier, "Type tags don't precede modifiers", format!("type [{}] is a TYPE_TAG below a modifier; tags must come first in the chain", cur.id()));
                        break;
                    }
                } else {
                    in_tags = false;
                }
                links += 1;
                if cur.id() <= good || links > CHAIN_LIMIT {
                    break;
                }
                match self.node(cur.type_id()) {
                    Some(Node::Type(next)) if class::is_modifier(Some(next.kind())) => cur = next,
                    _ => break,
                }
            }
            good = id;
        }
    }
}
