//! What the validator knows about every type id (base ids first for split
//! BTF), in flat arrays indexed by id.
//!
//! A record is 16 bytes, one cache line holds four: every reference the
//! checks follow looks at the referenced type's record, so it is small,
//! and everything about an id is in one place.

use crate::btf::Kind;

/// Per-id resolution state (`enum visit_state` plus our own marker).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[repr(u8)]
pub(super) enum State {
    #[default]
    NotVisited,
    Visited,
    Resolved,
    /// Already reported (or part of a failed resolution): never checked or
    /// reported again.
    Failed,
}

/// The facts about a type that references to it look at first.
#[derive(Clone, Copy, Default)]
pub(super) struct Tag {
    /// Filled in by the meta pass for every type, failed or not.
    kind: Option<Kind>,
    state: State,
    /// FUNC_PROTO only: a parameter has a type but no name, which a FUNC
    /// pointing here is refused for (found once by the meta pass for all
    /// the FUNCs that share the prototype).
    unnamed_param: bool,
}

impl Tag {
    #[inline]
    pub(super) fn kind(self) -> Option<Kind> {
        self.kind
    }

    #[inline]
    pub(super) fn state(self) -> State {
        self.state
    }

    #[inline]
    pub(super) fn is(self, state: State) -> bool {
        self.state == state
    }

    #[inline]
    pub(super) fn unnamed_param(self) -> bool {
        self.unnamed_param
    }
}

/// Everything known about one id, in one record so that looking at a
/// referenced type costs one cache line.
#[derive(Clone, Copy, Default)]
struct Slot {
    tag: Tag,
    /// The third header word: a size (INT, STRUCT, UNION, ENUM, DATASEC,
    /// FLOAT, ENUM64) or a referenced type id (the other kinds).
    word: u32,
    /// What a resolved reference type stands for (`resolved_ids`).
    resolved_id: u32,
    /// Resolved types: the memoised resolved size (`resolved_sizes`; only
    /// an ARRAY has a non-zero one). INT: the INT word (encoding, bit
    /// offset, bits), set by the meta pass and only read if the INT passed
    /// it: every reference to a failed type stops at `target`.
    aux: u32,
}

pub(super) struct Slots {
    slots: Vec<Slot>,
}

impl Slots {
    /// Slots for ids `0..ids`, all unknown and not visited.
    pub(super) fn new(ids: usize) -> Slots {
        Slots {
            slots: vec![Slot::default(); ids],
        }
    }

    /// Takes over what was found about the base's ids (split BTF).
    pub(super) fn copy_base(&mut self, base: &Slots) {
        self.slots[..base.slots.len()].copy_from_slice(&base.slots);
    }

    #[inline]
    pub(super) fn tag(&self, id: u32) -> Tag {
        self.slots[id as usize].tag
    }

    /// The tag of `id`, `None` past the last id.
    #[inline]
    pub(super) fn get(&self, id: u32) -> Option<Tag> {
        self.slots.get(id as usize).map(|s| s.tag)
    }

    #[inline]
    pub(super) fn word(&self, id: u32) -> u32 {
        self.slots[id as usize].word
    }

    #[inline]
    pub(super) fn resolved_id(&self, id: u32) -> u32 {
        self.slots[id as usize].resolved_id
    }

    #[inline]
    pub(super) fn aux(&self, id: u32) -> u32 {
        self.slots[id as usize].aux
    }

    #[inline]
    pub(super) fn set_state(&mut self, id: u32, state: State) {
        self.slots[id as usize].tag.state = state;
    }

    /// What the meta pass learns about every type.
    #[inline]
    pub(super) fn set_header(&mut self, id: u32, kind: Kind, word: u32) {
        let slot = &mut self.slots[id as usize];
        slot.tag.kind = Some(kind);
        slot.word = word;
    }

    pub(super) fn set_unnamed_param(&mut self, id: u32, yes: bool) {
        self.slots[id as usize].tag.unnamed_param = yes;
    }

    pub(super) fn set_aux(&mut self, id: u32, aux: u32) {
        self.slots[id as usize].aux = aux;
    }

    /// `env_stack_pop_resolved`'s bookkeeping: `id` is resolved.
    #[inline]
    pub(super) fn set_resolved(&mut self, id: u32, resolved_id: u32, resolved_size: u32) {
        let slot = &mut self.slots[id as usize];
        slot.resolved_id = resolved_id;
        slot.aux = resolved_size;
        slot.tag.state = State::Resolved;
    }
}
