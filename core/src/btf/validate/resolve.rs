//! References: the kernel's depth-first resolution (`btf_resolve` and the
//! `resolve` callbacks), then the FUNC_PROTO checks (`btf_func_proto_check`).
//!
//! Resolution is iterative with an explicit stack capped at the kernel's
//! depth (32), and visits types in id order like the kernel, so that loops,
//! depth overflows and the order-dependent corner cases (a typedef of a
//! FUNC seen before or after the FUNC was resolved, DATASEC resetting the
//! resolve mode) come out as the kernel decides them. What each reference
//! type resolves to, and the size of each array, is memoised per id.
//!
//! What a referenced type is (kind, size, INT word) is read from its slot;
//! a type's bytes are only looked up when its own records are needed
//! (structs, arrays, DATASECs, DECL_TAGs, FUNC_PROTOs) or to report it.

use super::finding::Code;
use super::slots::State;
use super::{class, record_at, Checker, Node};
use crate::btf::{Kind, Member, Type, VarSecinfo};

/// The kernel's `MAX_RESOLVE_DEPTH`.
pub const MAX_RESOLVE_DEPTH: usize = 32;

/// What ends a resolution early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Halt {
    /// A finding was recorded.
    Reported,
    /// A referenced type already failed: nothing new to say.
    Silent,
    /// The stack is full (`-E2BIG`).
    TooDeep,
    /// A type on the stack was reached again (`-EEXIST`).
    Loop,
}

pub(super) type Step = Result<(), Halt>;

/// Where resolving a modifier, pointer or variable goes next.
enum Next {
    /// The referenced type must be resolved first.
    Descend(u32),
    /// Done: the type stands for this id.
    Resolved(u32),
}

/// `enum resolve_mode`: what counts as the end of a chain depends on what
/// started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Mode {
    /// Anything that needs no resolving ends the chain.
    #[default]
    Undecided,
    /// Below a pointer everything but modifiers and pointers ends it.
    Ptr,
    /// Below a struct or array, pointers end it too.
    StructOrArray,
}

#[derive(Clone, Copy, Default)]
struct Vertex {
    id: u32,
    /// Index of the next member/entry to look at (structs, DATASECs).
    next: u32,
}

/// The resolution stack (`env->stack`, `env->resolve_mode`), at most
/// [`MAX_RESOLVE_DEPTH`] deep.
#[derive(Default)]
pub(super) struct Stack {
    vertices: [Vertex; MAX_RESOLVE_DEPTH],
    len: usize,
    mode: Mode,
}

impl Stack {
    fn top(&self) -> Option<Vertex> {
        self.len.checked_sub(1).map(|i| self.vertices[i])
    }

    /// The vertices from the bottom up, emptying the stack.
    fn drain(&mut self) -> impl Iterator<Item = Vertex> + '_ {
        let len = std::mem::take(&mut self.len);
        self.vertices[..len].iter().copied()
    }
}

fn roundup_bytes(bits: u32) -> u32 {
    bits / 8 + u32::from(bits % 8 != 0)
}

/// `btf_type_int_is_regular` on an INT word: a whole u8/u16/u32/u64/u128,
/// not a bitfield.
pub(super) fn int_word_is_regular(data: u32) -> bool {
    let bits = data & 0xff;
    let offset = (data >> 16) & 0xff;
    bits % 8 == 0 && offset == 0 && matches!(roundup_bytes(bits), 1 | 2 | 4 | 8 | 16)
}

/// Member `i` of a STRUCT/UNION the checker is walking (`i < vlen`, which
/// the reader sized the type for).
#[inline(always)]
pub(super) fn member(t: &Type<'_>, i: u32) -> Member {
    t.member(i).expect("the walk stays below vlen")
}

/// Entry `i` of a DATASEC (`i < vlen`).
fn datasec_entry(t: &Type<'_>, i: u32) -> VarSecinfo {
    t.datasec_entry(i).expect("the walk stays below vlen")
}

impl<'a> Checker<'_, 'a> {
    #[inline]
    pub(super) fn is_resolved(&self, id: u32) -> bool {
        self.slots.get(id).is_some_and(|t| t.is(State::Resolved))
    }

    /// A referenced type: `Ok(None)` when it does not exist, `Err(Silent)`
    /// when it already failed.
    #[inline]
    pub(super) fn target(&self, id: u32) -> Result<Option<Node>, Halt> {
        match self.slots.get(id) {
            Some(t) if t.is(State::Failed) => Err(Halt::Silent),
            _ => Ok(self.node(id)),
        }
    }

    /// `env_type_is_resolve_sink`.
    #[inline]
    fn is_sink(&self, k: Option<Kind>) -> bool {
        match self.resolver.mode {
            Mode::Undecided => !class::needs_resolve(k),
            Mode::Ptr => !class::is_modifier(k) && k != Some(Kind::Ptr),
            Mode::StructOrArray => {
                !class::is_modifier(k) && k != Some(Kind::Array) && !class::is_struct(k)
            }
        }
    }

    /// Must `id` be resolved before the current type can go on?
    #[inline]
    fn must_descend(&self, n: Node, id: u32) -> bool {
        !self.is_sink(n.kind()) && !self.is_resolved(id)
    }

    /// `env_stack_push`.
    fn push(&mut self, id: u32) -> Step {
        if self.resolver.len == MAX_RESOLVE_DEPTH {
            return Err(Halt::TooDeep);
        }
        match self.slots.get(id).map(|t| t.state()) {
            Some(State::NotVisited) if !self.is_base_id(id) => {}
            Some(State::Failed) | None => return Err(Halt::Silent),
            // A base type that is not resolved failed in the base.
            Some(State::NotVisited) => return Err(Halt::Silent),
            Some(State::Visited | State::Resolved) => return Err(Halt::Loop),
        }
        self.slots.set_state(id, State::Visited);
        self.resolver.vertices[self.resolver.len] = Vertex { id, next: 0 };
        self.resolver.len += 1;
        if self.resolver.mode == Mode::Undecided {
            let k = self.node(id).and_then(|n| n.kind());
            if k == Some(Kind::Ptr) {
                self.resolver.mode = Mode::Ptr;
            } else if class::is_struct(k) || k == Some(Kind::Array) {
                self.resolver.mode = Mode::StructOrArray;
            }
        }
        Ok(())
    }

    fn set_next(&mut self, next: u32) {
        if let Some(top) = self.resolver.len.checked_sub(1) {
            self.resolver.vertices[top].next = next;
        }
    }

    /// `env_stack_pop_resolved`.
    #[inline]
    fn pop_resolved(&mut self, resolved_id: u32, resolved_size: u32) -> Step {
        let v = self.resolver.top().expect("a vertex is being resolved");
        self.resolver.len -= 1;
        self.slots.set_resolved(v.id, resolved_id, resolved_size);
        Ok(())
    }

    /// `btf_type_id_size`: the sized type `id` stands for, its id and size.
    #[inline]
    pub(super) fn id_size(&self, id: u32) -> Option<(u32, Node, u32)> {
        let n = self.node(id)?;
        let k = n.kind();
        if class::is_modifier(k) || k == Some(Kind::Var) {
            let rid = self.slots.resolved_id(id);
            let rn = self.node(rid)?;
            return self.sized(rid, rn);
        }
        self.sized(id, n)
    }

    /// `id_size(id).is_some()`, for the many checks that only ask whether
    /// there is a size: no size is looked up.
    #[inline]
    fn has_size(&self, id: u32) -> bool {
        let Some(n) = self.node(id) else {
            return false;
        };
        let sized = if class::is_modifier(n.kind()) || n.kind() == Some(Kind::Var) {
            self.node(self.slots.resolved_id(id))
        } else {
            Some(n)
        };
        sized.is_some_and(|n| class::is_sized(n.kind()))
    }

    /// The size of `id` (which is `n`) if its kind has one of its own.
    #[inline]
    fn sized(&self, id: u32, n: Node) -> Option<(u32, Node, u32)> {
        let k = n.kind();
        if class::has_no_size(k) {
            None
        } else if class::has_size(k) {
            Some((id, n, self.slots.word(id)))
        } else if k == Some(Kind::Array) {
            Some((id, n, self.slots.aux(id)))
        } else if k == Some(Kind::Ptr) {
            Some((id, n, 8))
        } else {
            None
        }
    }

    /// Whether `id` (which is `n`) is a whole INT, not a bitfield.
    #[inline]
    pub(super) fn is_regular_int(&self, id: u32, n: Node) -> bool {
        n == Node::Type(Kind::Int) && int_word_is_regular(self.slots.aux(id))
    }

    /// `btf_check_all_types`: resolves every type in id order and checks
    /// every FUNC_PROTO. Kinds with nothing to resolve are passed over on
    /// their slot alone.
    pub(super) fn resolve_all(&mut self) {
        let btf = self.btf;
        let last = btf.last_id().min(self.last_kept);
        for id in btf.first_id()..=last {
            let tag = self.slots.tag(id);
            // Failed, or resolved along with an earlier type.
            if !tag.is(State::NotVisited) {
                continue;
            }
            match tag.kind() {
                Some(Kind::FuncProto) => {
                    if let Some(t) = self.type_at(id) {
                        let _ = self.check_func_proto(&t);
                    }
                }
                Some(kind) => {
                    self.resolve_type(id, kind);
                }
                None => {}
            }
        }
    }

    /// Resolves type `id` (of `kind`, not visited; kinds with nothing to
    /// resolve are left alone): the kinds whose resolution usually takes
    /// one step get it without the stack. Returns whether it succeeded.
    #[inline]
    fn resolve_type(&mut self, id: u32, kind: Kind) -> bool {
        if self.is_base_id(id) {
            // Never the case for a type that is not resolved (a base type
            // either resolved in the base or failed); the kernel's walk
            // says what to do if it were.
            return !class::needs_resolve(Some(kind)) || self.resolve(id);
        }
        match kind {
            Kind::Func => self.resolve_lone_func(id),
            Kind::Ptr
            | Kind::Var
            | Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::TypeTag => self.resolve_lone_ref(id, kind),
            Kind::Struct | Kind::Union | Kind::Array | Kind::Datasec | Kind::DeclTag => {
                self.resolve(id)
            }
            Kind::Int | Kind::Enum | Kind::Fwd | Kind::FuncProto | Kind::Float | Kind::Enum64 => {
                true
            }
        }
    }

    /// `btf_resolve`: resolves `start` and everything it needs. Returns
    /// whether it succeeded; failures are recorded as findings.
    pub(super) fn resolve(&mut self, start: u32) -> bool {
        self.resolver.mode = Mode::Undecided;
        self.resolver.len = 0;
        let mut result = self.push(start);
        while result.is_ok() {
            let Some(v) = self.resolver.top() else {
                break;
            };
            let (id, next) = (v.id, v.next);
            let Some(Node::Type(kind)) = self.node(id) else {
                result = Err(Halt::Silent);
                break;
            };
            result = self.resolve_one(id, kind, next);
        }
        match result {
            Err(Halt::TooDeep) => self.report_id(
                start,
                0,
                Code::ResolveDepthExceeded,
                format!("Exceeded max resolving depth:{MAX_RESOLVE_DEPTH}"),
                format!("resolving this type needs a chain of more than {MAX_RESOLVE_DEPTH} unresolved types"),
            ),
            Err(Halt::Loop) => self.report_id(start, 0, Code::LoopDetected, "Loop detected", "the type refers back to itself without a pointer in between"),
            Err(Halt::Reported | Halt::Silent) => {}
            Ok(()) => {
                if !self.resolve_valid(start) {
                    self.report_id(start, 0, Code::InvalidResolveState, "Invalid resolve state", "the type did not resolve to what its kind requires");
                    return false;
                }
                return true;
            }
        }
        // Everything left on the stack is part of the failure.
        let on_stack: Vec<u32> = self.resolver.drain().map(|v| v.id).collect();
        for id in on_stack {
            self.slots.set_state(id, State::Failed);
        }
        self.slots.set_state(start, State::Failed);
        false
    }

    /// One step of resolving the type on top of the stack.
    fn resolve_one(&mut self, id: u32, kind: Kind, next: u32) -> Step {
        match kind {
            Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::TypeTag
            | Kind::Ptr
            | Kind::Var => match self.resolve_ref(id, kind)? {
                Next::Descend(next) => self.push(next),
                Next::Resolved(resolved) => self.pop_resolved(resolved, 0),
            },
            Kind::Func => self.resolve_func(id),
            _ => {
                let Some(t) = self.type_at(id) else {
                    return Err(Halt::Silent);
                };
                match kind {
                    Kind::Array => self.resolve_array(&t),
                    Kind::Struct | Kind::Union => self.resolve_struct(&t, next),
                    Kind::Datasec => self.resolve_datasec(&t, next),
                    Kind::DeclTag => self.resolve_decl_tag(&t),
                    _ => {
                        self.report(
                            &t,
                            0,
                            Code::InvalidResolveState,
                            "Unsupported resolve",
                            "this kind has nothing to resolve",
                        );
                        Err(Halt::Reported)
                    }
                }
            }
        }
    }

    #[cold]
    fn invalid_type_id(&mut self, id: u32, note: impl Into<String>) -> Halt {
        self.report_id(id, 8, Code::InvalidTypeId, "Invalid type_id", note);
        Halt::Reported
    }

    /// What a modifier or pointer may stand for when it has no size:
    /// `void`, a FWD or a FUNC_PROTO (`const void`, `struct s *`, function
    /// pointers).
    #[inline]
    fn unsized_ok(&self, id: u32, n: Node) -> (u32, bool) {
        let (id, n) = if self.is_resolved(id) {
            let rid = self.slots.resolved_id(id);
            (rid, self.node(rid).unwrap_or(n))
        } else {
            (id, n)
        };
        (
            id,
            matches!(n.kind(), None | Some(Kind::Fwd | Kind::FuncProto)),
        )
    }

    /// The step of resolving a modifier, pointer or variable `id`:
    /// `btf_modifier_resolve`, `btf_ptr_resolve` and `btf_var_resolve`.
    #[inline]
    fn resolve_ref(&mut self, id: u32, kind: Kind) -> Result<Next, Halt> {
        if class::is_modifier(Some(kind)) {
            self.resolve_modifier(id, kind)
        } else {
            self.resolve_ptr_or_var(id, kind)
        }
    }

    /// The type a modifier, pointer or VAR refers to; the kernel refuses a
    /// missing id and a reference to a VAR, DATASEC or DECL_TAG alike.
    #[inline]
    fn referenced(&mut self, id: u32, kind: Kind) -> Result<(u32, Node), Halt> {
        let next_id = self.slots.word(id);
        match self.target(next_id)? {
            Some(n) if !class::is_source_only(n.kind()) => Ok((next_id, n)),
            Some(_) => Err(self.invalid_type_id(
                id,
                format!("a {kind} cannot refer to a VAR, DATASEC or DECL_TAG"),
            )),
            None => Err(self.invalid_type_id(id, format!("type {next_id} does not exist"))),
        }
    }

    /// `btf_modifier_resolve`.
    #[inline]
    fn resolve_modifier(&mut self, id: u32, kind: Kind) -> Result<Next, Halt> {
        let (next_id, next) = self.referenced(id, kind)?;
        if self.must_descend(next, next_id) {
            return Ok(Next::Descend(next_id));
        }
        let resolved = match self.id_size(next_id) {
            Some((sid, _, _)) => sid,
            None => match self.unsized_ok(next_id, next) {
                (rid, true) => rid,
                (_, false) => {
                    return Err(self.invalid_type_id(
                        id,
                        format!("a {kind} must refer to a sized type, void, a FWD or a FUNC_PROTO"),
                    ))
                }
            },
        };
        Ok(Next::Resolved(resolved))
    }

    /// `btf_ptr_resolve` and `btf_var_resolve`: alike except that a
    /// variable needs a sized type while a pointer may point at anything.
    #[inline]
    fn resolve_ptr_or_var(&mut self, id: u32, kind: Kind) -> Result<Next, Halt> {
        let is_var = kind == Kind::Var;
        let (next_id, next) = self.referenced(id, kind)?;
        if self.must_descend(next, next_id) {
            return Ok(Next::Descend(next_id));
        }
        if class::is_modifier(next.kind()) {
            // A modifier resolved below a struct stopped at a pointer; make
            // sure that pointer does not lead back here.
            let rid = self.slots.resolved_id(next_id);
            if let Some(rn) = self.node(rid) {
                if rn.kind() == Some(Kind::Ptr) && self.must_descend(rn, rid) {
                    return Ok(Next::Descend(rid));
                }
            }
        }
        let resolved = match self.id_size(next_id) {
            Some((sid, _, _)) => sid,
            None if is_var => {
                return Err(self.invalid_type_id(id, "a variable must have a sized type"))
            }
            None => match self.unsized_ok(next_id, next) {
                (rid, true) => rid,
                (_, false) => {
                    return Err(self.invalid_type_id(
                        id,
                        "a pointer must point at a sized type, void, a FWD or a FUNC_PROTO",
                    ))
                }
            },
        };
        Ok(Next::Resolved(resolved))
    }

    /// `btf_array_resolve`.
    fn resolve_array(&mut self, t: &Type<'a>) -> Step {
        let Some(a) = t.array() else {
            return Err(Halt::Silent);
        };
        let bad_index = |c: &mut Self, note: &str| {
            c.report(t, 16, Code::InvalidArrayIndex, "Invalid index", note);
            Err(Halt::Reported)
        };
        let index = match self.target(a.index_type)? {
            Some(n) if !class::has_no_size(n.kind()) && !class::is_source_only(n.kind()) => n,
            _ => return bad_index(self, "the index type must be an integer type"),
        };
        if self.must_descend(index, a.index_type) {
            return self.push(a.index_type);
        }
        match self.id_size(a.index_type) {
            Some((iid, n, _)) if self.is_regular_int(iid, n) => {}
            _ => {
                return bad_index(
                    self,
                    "the index type must be a whole integer (u8..u128, not a bitfield)",
                )
            }
        }
        let bad_elem = |c: &mut Self, note: &str| {
            c.report(t, 12, Code::InvalidArrayElem, "Invalid elem", note);
            Err(Halt::Reported)
        };
        let elem = match self.target(a.elem_type)? {
            Some(n) if !class::has_no_size(n.kind()) && !class::is_source_only(n.kind()) => n,
            _ => return bad_elem(self, "the element type must exist and have a size"),
        };
        if self.must_descend(elem, a.elem_type) {
            return self.push(a.elem_type);
        }
        let Some((elem_id, elem_node, elem_size)) = self.id_size(a.elem_type) else {
            return bad_elem(self, "the element type must have a size");
        };
        if elem_node == Node::Type(Kind::Int) && !self.is_regular_int(elem_id, elem_node) {
            self.report(
                t,
                12,
                Code::InvalidArrayOfInt,
                "Invalid array of int",
                "array elements cannot be bitfield integers",
            );
            return Err(Halt::Reported);
        }
        if a.nelems != 0 && elem_size > u32::MAX / a.nelems {
            self.report(
                t,
                20,
                Code::ArraySizeOverflow,
                "Array size overflows U32_MAX",
                format!(
                    "{} elements of {elem_size} bytes do not fit in 4 GiB",
                    a.nelems
                ),
            );
            return Err(Halt::Reported);
        }
        self.pop_resolved(elem_id, elem_size * a.nelems)
    }

    /// `btf_struct_resolve`: every member must be resolved and fit.
    fn resolve_struct(&mut self, t: &Type<'a>, next: u32) -> Step {
        if next > 0 {
            // The member we descended into is resolved now: check it.
            let i = next - 1;
            let m = member(t, i);
            let Some(Node::Type(kind)) = self.node(m.type_id) else {
                return Err(Halt::Silent);
            };
            self.check_member(t, i, m.type_id, m.raw_offset, kind)?;
        }
        for i in next..t.vlen() {
            let m = member(t, i);
            let ty = m.type_id;
            let mt = match self.target(ty)? {
                Some(n) if !class::has_no_size(n.kind()) && !class::is_source_only(n.kind()) => n,
                _ => {
                    let name = self.name_of(m.name_off);
                    self.report(t, member_at(i) + 4, Code::InvalidMember, "Invalid member", format!("member #{i} '{name}': its type {ty} does not exist or has no size (void, FWD, FUNC, VAR, ...)"));
                    return Err(Halt::Reported);
                }
            };
            if self.must_descend(mt, ty) {
                self.set_next(i + 1);
                return self.push(ty);
            }
            let Node::Type(kind) = mt else {
                return Err(Halt::Silent);
            };
            self.check_member(t, i, ty, m.raw_offset, kind)?;
        }
        self.pop_resolved(0, 0)
    }

    /// `btf_datasec_resolve`.
    fn resolve_datasec(&mut self, t: &Type<'a>, next: u32) -> Step {
        // The kernel restarts the mode here, which is why a DATASEC's
        // variables resolve as if on their own.
        self.resolver.mode = Mode::Undecided;
        for i in next..t.vlen() {
            let e = datasec_entry(t, i);
            let at = member_at(i);
            let var = match self.target(e.type_id)? {
                Some(n @ Node::Type(Kind::Var)) => n,
                _ => {
                    self.report(
                        t,
                        at,
                        Code::DatasecEntryNotVar,
                        "Not a VAR kind member",
                        format!("entry #{i}: type {} is not a VAR", e.type_id),
                    );
                    return Err(Halt::Reported);
                }
            };
            if self.must_descend(var, e.type_id) {
                self.set_next(i + 1);
                return self.push(e.type_id);
            }
            let var_type = self.slots.word(e.type_id);
            let Some((_, _, size)) = self.id_size(var_type) else {
                self.report(
                    t,
                    at,
                    Code::InvalidVarType,
                    "Invalid type",
                    format!("entry #{i}: the variable's type has no size"),
                );
                return Err(Halt::Reported);
            };
            if e.size < size {
                self.report(
                    t,
                    at + 8,
                    Code::DatasecEntryTooSmall,
                    "Invalid size",
                    format!("entry #{i}: {} bytes hold a {size}-byte variable", e.size),
                );
                return Err(Halt::Reported);
            }
        }
        self.pop_resolved(0, 0)
    }

    /// `btf_decl_tag_resolve`.
    fn resolve_decl_tag(&mut self, t: &Type<'a>) -> Step {
        let next_id = t.type_id();
        let next = match self.target(next_id)? {
            Some(
                n @ Node::Type(Kind::Func | Kind::Struct | Kind::Union | Kind::Var | Kind::Typedef),
            ) => n,
            _ => {
                return Err(self.invalid_type_id(
                    t.id(),
                    "a DECL_TAG tags a FUNC, STRUCT, UNION, VAR or TYPEDEF",
                ))
            }
        };
        if self.must_descend(next, next_id) {
            return self.push(next_id);
        }
        let Node::Type(next_kind) = next else {
            return Err(Halt::Silent);
        };
        let idx = t.decl_tag_component_idx().unwrap_or(-1);
        if idx != -1 {
            let bad = |c: &mut Self, note: String| {
                c.report(
                    t,
                    12,
                    Code::InvalidComponentIdx,
                    "Invalid component_idx",
                    note,
                );
                Err(Halt::Reported)
            };
            if matches!(next_kind, Kind::Var | Kind::Typedef) {
                return bad(
                    self,
                    format!("a {next_kind} has no members or parameters; use -1"),
                );
            }
            // Members of a struct, parameters of a FUNC's prototype.
            let counted = if class::is_struct(Some(next_kind)) {
                next_id
            } else {
                self.slots.word(next_id)
            };
            let vlen = match self.node(counted) {
                Some(Node::Type(_)) => self.type_at(counted).map_or(0, |c| c.vlen()),
                _ => 0,
            };
            if idx as u32 >= vlen {
                return bad(
                    self,
                    format!("component {idx} does not exist ({vlen} members or parameters)"),
                );
            }
        }
        self.pop_resolved(next_id, 0)
    }

    /// `btf_func_resolve` (`btf_func_check`).
    fn resolve_func(&mut self, id: u32) -> Step {
        let proto_id = self.check_func(id)?;
        self.pop_resolved(proto_id, 0)
    }

    /// `btf_func_check`: the FUNC_PROTO a FUNC names, with named
    /// parameters. Returns the prototype's id. Which parameter lacks a
    /// name was noted in the prototype's slot by the meta pass, so the
    /// many FUNCs sharing a prototype do not read it again.
    #[inline]
    fn check_func(&mut self, id: u32) -> Result<u32, Halt> {
        let proto_id = self.slots.word(id);
        match self.target(proto_id)? {
            Some(Node::Type(Kind::FuncProto)) => {}
            _ => return Err(self.invalid_type_id(id, "a FUNC must refer to a FUNC_PROTO")),
        }
        if self.slots.tag(proto_id).unnamed_param() {
            return Err(self.unnamed_param(id, proto_id));
        }
        Ok(proto_id)
    }

    /// Reports the first parameter of FUNC `id`'s prototype that has a
    /// type but no name.
    #[cold]
    fn unnamed_param(&mut self, id: u32, proto_id: u32) -> Halt {
        let i = self
            .type_at(proto_id)
            .and_then(|p| p.params().position(|p| p.name_off == 0 && p.type_id != 0))
            .map_or(0, |i| i + 1);
        self.report_id(
            id,
            0,
            Code::InvalidArg,
            format!("Invalid arg#{i}"),
            format!("parameter #{i} of a function needs a name"),
        );
        Halt::Reported
    }

    /// Resolving a FUNC on its own (the common case: FUNCs are only
    /// referenced by DECL_TAGs and typedefs) needs no stack: the kernel's
    /// walk pushes it, checks it, pops it and finds it valid. Same result,
    /// without the machinery.
    #[inline]
    fn resolve_lone_func(&mut self, id: u32) -> bool {
        match self.check_func(id) {
            Ok(proto_id) => {
                self.slots.set_resolved(id, proto_id, 0);
                true
            }
            Err(_) => {
                self.slots.set_state(id, State::Failed);
                false
            }
        }
    }

    /// Resolving a modifier, pointer or variable whose target needs no
    /// resolving first (or already is) takes one step: the kernel's walk
    /// pushes it, takes the step, pops it and checks it. Same result,
    /// without the stack; anything longer goes through [`Self::resolve`].
    fn resolve_lone_ref(&mut self, id: u32, kind: Kind) -> bool {
        // What `push` would have set for this first vertex.
        self.resolver.mode = if kind == Kind::Ptr {
            Mode::Ptr
        } else {
            Mode::Undecided
        };
        match self.resolve_ref(id, kind) {
            // Nothing was changed yet: start over the kernel's way.
            Ok(Next::Descend(_)) => self.resolve(id),
            Ok(Next::Resolved(resolved)) => {
                self.slots.set_resolved(id, resolved, 0);
                if self.resolve_valid(id) {
                    return true;
                }
                self.report_id(
                    id,
                    0,
                    Code::InvalidResolveState,
                    "Invalid resolve state",
                    "the type did not resolve to what its kind requires",
                );
                false
            }
            Err(_) => {
                self.slots.set_state(id, State::Failed);
                false
            }
        }
    }

    /// `btf_resolve_valid`: the final sanity check of a resolved type.
    fn resolve_valid(&self, id: u32) -> bool {
        if !self.is_resolved(id) {
            return false;
        }
        let (rid, rsize) = (self.slots.resolved_id(id), self.slots.aux(id));
        let k = self.slots.tag(id).kind();
        if class::is_struct(k) || k == Some(Kind::Datasec) {
            return rid == 0 && rsize == 0;
        }
        if matches!(k, Some(Kind::DeclTag | Kind::Func)) {
            return rid != 0 && rsize == 0;
        }
        if class::is_modifier(k) || matches!(k, Some(Kind::Ptr | Kind::Var)) {
            return match self.node(rid) {
                Some(n) => {
                    let rk = n.kind();
                    !class::is_modifier(rk) && rk != Some(Kind::Var) && rk != Some(Kind::Datasec)
                }
                None => false,
            };
        }
        if k == Some(Kind::Array) {
            let Some(a) = self.type_at(id).and_then(|t| t.array()) else {
                return false;
            };
            return match self.id_size(a.elem_type) {
                Some((_, n, size)) => {
                    !class::is_modifier(n.kind()) && a.nelems.wrapping_mul(size) == rsize
                }
                None => false,
            };
        }
        false
    }

    /// `btf_func_proto_check`: return and parameter types.
    fn check_func_proto(&mut self, t: &Type<'a>) -> Step {
        let ret = t.type_id();
        if ret != 0 {
            let bad = |c: &mut Self, note: &str| {
                c.report(t, 8, Code::InvalidReturnType, "Invalid return type", note);
                Err(Halt::Reported)
            };
            let rn = match self.target(ret)? {
                Some(n) if !class::is_source_only(n.kind()) => n,
                _ => {
                    return bad(
                        self,
                        "the return type must exist and not be a VAR, DATASEC or DECL_TAG",
                    )
                }
            };
            if let Node::Type(kind) = rn {
                if class::needs_resolve(rn.kind())
                    && !self.is_resolved(ret)
                    && !self.resolve_type(ret, kind)
                {
                    return Err(Halt::Silent);
                }
            }
            if !self.has_size(ret) {
                return bad(self, "the return type must be void or have a size");
            }
        }
        let mut n = t.vlen();
        if n == 0 {
            return Ok(());
        }
        let last = t.param(n - 1).expect("a FUNC_PROTO with n > 0 parameters");
        let (last_name, last_type) = (last.name_off, last.type_id);
        let arg = |c: &mut Self, i: u32, note: String| {
            c.report(
                t,
                param_at(i),
                Code::InvalidArg,
                format!("Invalid arg#{}", i + 1),
                note,
            );
            Err(Halt::Reported)
        };
        if last_type == 0 {
            if last_name != 0 {
                return arg(
                    self,
                    n - 1,
                    "the variadic marker (a void last parameter) cannot have a name".into(),
                );
            }
            n -= 1;
        }
        for (i, p) in (0..n).zip(t.params()) {
            let (name_off, type_id) = (p.name_off, p.type_id);
            let pn = match self.target(type_id)? {
                Some(node) if !class::is_source_only(node.kind()) => node,
                _ => return arg(self, i, format!("parameter #{}: type {type_id} does not exist or is a VAR, DATASEC or DECL_TAG", i + 1)),
            };
            if name_off != 0
                && !(self.name_offset_ok(name_off) && self.identifier(t, name_off, false))
            {
                return arg(
                    self,
                    i,
                    format!("parameter #{}: names must be C identifiers", i + 1),
                );
            }
            if let Node::Type(kind) = pn {
                if class::needs_resolve(pn.kind())
                    && !self.is_resolved(type_id)
                    && !self.resolve_type(type_id, kind)
                {
                    return Err(Halt::Silent);
                }
            }
            if !self.has_size(type_id) {
                let why = if type_id == 0 {
                    "only the last parameter may be void (variadic)"
                } else {
                    "parameters must have a size"
                };
                return arg(self, i, format!("parameter #{}: {why}", i + 1));
            }
        }
        Ok(())
    }
}

/// Byte offset of member/entry `i` within its type.
pub(super) fn member_at(i: u32) -> u64 {
    record_at(i, 12)
}

/// Byte offset of FUNC_PROTO parameter `i` within its type.
fn param_at(i: u32) -> u64 {
    record_at(i, 8)
}
