//! References: the kernel's depth-first resolution (`btf_resolve` and the
//! `resolve` callbacks), then the FUNC_PROTO checks (`btf_func_proto_check`).
//!
//! Resolution is iterative with an explicit stack capped at the kernel's
//! depth (32), and visits types in id order like the kernel, so that loops,
//! depth overflows and the order-dependent corner cases (a typedef of a
//! FUNC seen before or after the FUNC was resolved, DATASEC resetting the
//! resolve mode) come out as the kernel decides them. What each reference
//! type resolves to, and the size of each array, is memoised per id.

use super::finding::Code;
use super::view::{record_at, View};
use super::{class, Checker, Node, Slot, State};
use crate::btf::Kind;

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

struct Vertex {
    id: u32,
    /// Index of the next member/entry to look at (structs, DATASECs).
    next: u32,
}

/// The resolution stack (`env->stack`, `env->resolve_mode`).
pub(super) struct Stack {
    vertices: Vec<Vertex>,
    mode: Mode,
}

impl Default for Stack {
    fn default() -> Self {
        Stack {
            vertices: Vec::with_capacity(MAX_RESOLVE_DEPTH),
            mode: Mode::Undecided,
        }
    }
}

fn roundup_bytes(bits: u32) -> u32 {
    bits / 8 + u32::from(bits % 8 != 0)
}

/// `btf_type_int_is_regular`: a whole u8/u16/u32/u64/u128, not a bitfield.
pub(super) fn int_is_regular(t: &View<'_>) -> bool {
    if t.kind() != Kind::Int {
        return false;
    }
    let data = t.extra();
    let bits = data & 0xff;
    let offset = (data >> 16) & 0xff;
    bits % 8 == 0 && offset == 0 && matches!(roundup_bytes(bits), 1 | 2 | 4 | 8 | 16)
}

impl<'a> Checker<'_, 'a> {
    pub(super) fn is_resolved(&self, id: u32) -> bool {
        self.slots
            .get(id as usize)
            .is_some_and(|s| s.state == State::Resolved)
    }

    /// A referenced type: `Ok(None)` when it does not exist, `Err(Silent)`
    /// when it already failed.
    pub(super) fn target(&self, id: u32) -> Result<Option<Node<'a>>, Halt> {
        if self
            .slots
            .get(id as usize)
            .is_some_and(|s| s.state == State::Failed)
        {
            return Err(Halt::Silent);
        }
        Ok(self.node(id))
    }

    /// `env_type_is_resolve_sink`.
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
    fn must_descend(&self, n: Node<'_>, id: u32) -> bool {
        !self.is_sink(n.kind()) && !self.is_resolved(id)
    }

    /// `env_stack_push`.
    fn push(&mut self, id: u32) -> Step {
        if self.resolver.vertices.len() == MAX_RESOLVE_DEPTH {
            return Err(Halt::TooDeep);
        }
        match self.slots.get(id as usize).map(|s| s.state) {
            Some(State::NotVisited) if !self.is_base_id(id) => {}
            Some(State::Failed) | None => return Err(Halt::Silent),
            // A base type that is not resolved failed in the base.
            Some(State::NotVisited) => return Err(Halt::Silent),
            Some(State::Visited | State::Resolved) => return Err(Halt::Loop),
        }
        self.slots[id as usize].state = State::Visited;
        self.resolver.vertices.push(Vertex { id, next: 0 });
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
        if let Some(v) = self.resolver.vertices.last_mut() {
            v.next = next;
        }
    }

    /// `env_stack_pop_resolved`.
    fn pop_resolved(&mut self, resolved_id: u32, resolved_size: u32) -> Step {
        let v = self
            .resolver
            .vertices
            .pop()
            .expect("a vertex is being resolved");
        let i = v.id as usize;
        self.slots[i] = Slot {
            resolved_id,
            resolved_size,
            state: State::Resolved,
            ..self.slots[i]
        };
        Ok(())
    }

    /// `btf_type_id_size`: the sized type `id` stands for, its id and size.
    pub(super) fn id_size(&self, id: u32) -> Option<(u32, Node<'a>, u32)> {
        let sized = |c: &Self, id: u32, n: Node<'a>| -> Option<(u32, Node<'a>, u32)> {
            let k = n.kind();
            if class::has_no_size(k) {
                None
            } else if class::has_size(k) {
                let Node::Type(t) = n else { return None };
                Some((id, n, t.size()))
            } else if k == Some(Kind::Array) {
                Some((id, n, c.slots[id as usize].resolved_size))
            } else if k == Some(Kind::Ptr) {
                Some((id, n, 8))
            } else {
                None
            }
        };
        let n = self.node(id)?;
        let k = n.kind();
        if class::is_modifier(k) || k == Some(Kind::Var) {
            let rid = self.slots[id as usize].resolved_id;
            let rn = self.node(rid)?;
            return sized(self, rid, rn);
        }
        sized(self, id, n)
    }

    /// `btf_check_all_types`: resolves every type in id order and checks
    /// every FUNC_PROTO.
    pub(super) fn resolve_all(&mut self) {
        let btf = self.btf;
        let last = btf.last_id().min(self.last_kept);
        for id in btf.first_id()..=last {
            if self.slots[id as usize].state == State::Failed {
                continue;
            }
            let Some(Node::Type(t)) = self.node(id) else {
                continue;
            };
            if class::needs_resolve(Some(t.kind())) && !self.is_resolved(id) {
                let resolved = if t.kind() == Kind::Func {
                    self.resolve_lone_func(&t)
                } else {
                    self.resolve(&t)
                };
                if !resolved {
                    continue;
                }
            }
            if t.kind() == Kind::FuncProto {
                let _ = self.check_func_proto(&t);
            }
        }
    }

    /// `btf_resolve`: resolves `start` and everything it needs. Returns
    /// whether it succeeded; failures are recorded as findings.
    pub(super) fn resolve(&mut self, start: &View<'a>) -> bool {
        self.resolver.mode = Mode::Undecided;
        self.resolver.vertices.clear();
        let mut result = self.push(start.id());
        while result.is_ok() {
            let Some(v) = self.resolver.vertices.last() else {
                break;
            };
            let (id, next) = (v.id, v.next);
            let Some(Node::Type(t)) = self.node(id) else {
                result = Err(Halt::Silent);
                break;
            };
            result = self.resolve_one(&t, next);
        }
        match result {
            Err(Halt::TooDeep) => self.report(
                start,
                0,
                Code::ResolveDepthExceeded,
                format!("Exceeded max resolving depth:{MAX_RESOLVE_DEPTH}"),
                format!("resolving this type needs a chain of more than {MAX_RESOLVE_DEPTH} unresolved types"),
            ),
            Err(Halt::Loop) => self.report(start, 0, Code::LoopDetected, "Loop detected", "the type refers back to itself without a pointer in between"),
            Err(Halt::Reported | Halt::Silent) => {}
            Ok(()) => {
                if !self.resolve_valid(start) {
                    self.report(start, 0, Code::InvalidResolveState, "Invalid resolve state", "the type did not resolve to what its kind requires");
                    return false;
                }
                return true;
            }
        }
        // Everything left on the stack is part of the failure.
        for v in std::mem::take(&mut self.resolver.vertices) {
            self.slots[v.id as usize].state = State::Failed;
        }
        self.slots[start.id() as usize].state = State::Failed;
        false
    }

    fn resolve_one(&mut self, t: &View<'a>, next: u32) -> Step {
        match t.kind() {
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.resolve_modifier(t)
            }
            Kind::Ptr => self.resolve_ptr_or_var(t),
            Kind::Var => self.resolve_ptr_or_var(t),
            Kind::Array => self.resolve_array(t),
            Kind::Struct | Kind::Union => self.resolve_struct(t, next),
            Kind::Datasec => self.resolve_datasec(t, next),
            Kind::DeclTag => self.resolve_decl_tag(t),
            Kind::Func => self.resolve_func(t),
            _ => {
                self.report(
                    t,
                    0,
                    Code::InvalidResolveState,
                    "Unsupported resolve",
                    "this kind has nothing to resolve",
                );
                Err(Halt::Reported)
            }
        }
    }

    fn invalid_type_id(&mut self, t: &View<'_>, note: impl Into<String>) -> Halt {
        self.report(t, 8, Code::InvalidTypeId, "Invalid type_id", note);
        Halt::Reported
    }

    /// What a modifier or pointer may stand for when it has no size:
    /// `void`, a FWD or a FUNC_PROTO (`const void`, `struct s *`, function
    /// pointers).
    fn unsized_ok(&self, id: u32, n: Node<'a>) -> (u32, bool) {
        let (id, n) = if self.is_resolved(id) {
            let rid = self.slots[id as usize].resolved_id;
            (rid, self.node(rid).unwrap_or(n))
        } else {
            (id, n)
        };
        (
            id,
            matches!(n.kind(), None | Some(Kind::Fwd | Kind::FuncProto)),
        )
    }

    /// `btf_modifier_resolve`.
    fn resolve_modifier(&mut self, t: &View<'a>) -> Step {
        let next_id = t.type_id();
        let next = match self.target(next_id)? {
            Some(n) if !class::is_source_only(n.kind()) => n,
            Some(_) => {
                return Err(self.invalid_type_id(
                    t,
                    format!("a {} cannot refer to a VAR, DATASEC or DECL_TAG", t.kind()),
                ))
            }
            None => return Err(self.invalid_type_id(t, format!("type {next_id} does not exist"))),
        };
        if self.must_descend(next, next_id) {
            return self.push(next_id);
        }
        let resolved = match self.id_size(next_id) {
            Some((sid, _, _)) => sid,
            None => match self.unsized_ok(next_id, next) {
                (rid, true) => rid,
                (_, false) => {
                    return Err(self.invalid_type_id(
                        t,
                        format!(
                            "a {} must refer to a sized type, void, a FWD or a FUNC_PROTO",
                            t.kind()
                        ),
                    ))
                }
            },
        };
        self.pop_resolved(resolved, 0)
    }

    /// `btf_ptr_resolve` and `btf_var_resolve`: alike except that a
    /// variable needs a sized type while a pointer may point at anything.
    fn resolve_ptr_or_var(&mut self, t: &View<'a>) -> Step {
        let is_var = t.kind() == Kind::Var;
        let next_id = t.type_id();
        let next = match self.target(next_id)? {
            Some(n) if !class::is_source_only(n.kind()) => n,
            Some(_) => {
                return Err(self.invalid_type_id(
                    t,
                    format!("a {} cannot refer to a VAR, DATASEC or DECL_TAG", t.kind()),
                ))
            }
            None => return Err(self.invalid_type_id(t, format!("type {next_id} does not exist"))),
        };
        if self.must_descend(next, next_id) {
            return self.push(next_id);
        }
        if class::is_modifier(next.kind()) {
            // A modifier resolved below a struct stopped at a pointer; make
            // sure that pointer does not lead back here.
            let rid = self.slots[next_id as usize].resolved_id;
            if let Some(rn) = self.node(rid) {
                if rn.kind() == Some(Kind::Ptr) && self.must_descend(rn, rid) {
                    return self.push(rid);
                }
            }
        }
        let resolved = match self.id_size(next_id) {
            Some((sid, _, _)) => sid,
            None if is_var => {
                return Err(self.invalid_type_id(t, "a variable must have a sized type"))
            }
            None => match self.unsized_ok(next_id, next) {
                (rid, true) => rid,
                (_, false) => {
                    return Err(self.invalid_type_id(
                        t,
                        "a pointer must point at a sized type, void, a FWD or a FUNC_PROTO",
                    ))
                }
            },
        };
        self.pop_resolved(resolved, 0)
    }

    /// `btf_array_resolve`.
    fn resolve_array(&mut self, t: &View<'a>) -> Step {
        let a = t.array();
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
            Some((_, Node::Type(it), _)) if it.kind() == Kind::Int && int_is_regular(&it) => {}
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
        if let Node::Type(et) = elem_node {
            if et.kind() == Kind::Int && !int_is_regular(&et) {
                self.report(
                    t,
                    12,
                    Code::InvalidArrayOfInt,
                    "Invalid array of int",
                    "array elements cannot be bitfield integers",
                );
                return Err(Halt::Reported);
            }
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
    fn resolve_struct(&mut self, t: &View<'a>, next: u32) -> Step {
        if next > 0 {
            // The member we descended into is resolved now: check it.
            let i = next - 1;
            let (_, ty, raw) = t.member(i);
            let Some(Node::Type(mt)) = self.node(ty) else {
                return Err(Halt::Silent);
            };
            self.check_member(t, i, ty, raw, &mt)?;
        }
        for i in next..t.vlen() {
            let (_, ty, raw) = t.member(i);
            let at = member_at(i);
            let mt = match self.target(ty)? {
                Some(n) if !class::has_no_size(n.kind()) && !class::is_source_only(n.kind()) => n,
                _ => {
                    let name = self.name_of(t.member(i).0);
                    self.report(t, at + 4, Code::InvalidMember, "Invalid member", format!("member #{i} '{name}': its type {ty} does not exist or has no size (void, FWD, FUNC, VAR, ...)"));
                    return Err(Halt::Reported);
                }
            };
            if self.must_descend(mt, ty) {
                self.set_next(i + 1);
                return self.push(ty);
            }
            let Node::Type(mt) = mt else {
                return Err(Halt::Silent);
            };
            self.check_member(t, i, ty, raw, &mt)?;
        }
        self.pop_resolved(0, 0)
    }

    /// `btf_datasec_resolve`.
    fn resolve_datasec(&mut self, t: &View<'a>, next: u32) -> Step {
        // The kernel restarts the mode here, which is why a DATASEC's
        // variables resolve as if on their own.
        self.resolver.mode = Mode::Undecided;
        for i in next..t.vlen() {
            let e = t.entry(i);
            let at = member_at(i);
            let var = match self.target(e.type_id)? {
                Some(n @ Node::Type(v)) if v.kind() == Kind::Var => n,
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
            let Node::Type(v) = var else {
                return Err(Halt::Silent);
            };
            let Some((_, _, size)) = self.id_size(v.type_id()) else {
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
    fn resolve_decl_tag(&mut self, t: &View<'a>) -> Step {
        let next_id = t.type_id();
        let next = match self.target(next_id)? {
            Some(n @ Node::Type(nt))
                if matches!(
                    nt.kind(),
                    Kind::Func | Kind::Struct | Kind::Union | Kind::Var | Kind::Typedef
                ) =>
            {
                n
            }
            _ => {
                return Err(self
                    .invalid_type_id(t, "a DECL_TAG tags a FUNC, STRUCT, UNION, VAR or TYPEDEF"))
            }
        };
        if self.must_descend(next, next_id) {
            return self.push(next_id);
        }
        let Node::Type(nt) = next else {
            return Err(Halt::Silent);
        };
        let idx = t.extra() as i32;
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
            if matches!(nt.kind(), Kind::Var | Kind::Typedef) {
                return bad(
                    self,
                    format!("a {} has no members or parameters; use -1", nt.kind()),
                );
            }
            let vlen = if class::is_struct(Some(nt.kind())) {
                nt.vlen()
            } else {
                match self.node(nt.type_id()) {
                    Some(Node::Type(proto)) => proto.vlen(),
                    _ => 0,
                }
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
    fn resolve_func(&mut self, t: &View<'a>) -> Step {
        let proto_id = self.check_func(t)?;
        self.pop_resolved(proto_id, 0)
    }

    /// `btf_func_check`: the FUNC_PROTO a FUNC names, with named
    /// parameters. Returns the prototype's id.
    fn check_func(&mut self, t: &View<'a>) -> Result<u32, Halt> {
        let proto_id = t.type_id();
        let proto = match self.target(proto_id)? {
            Some(Node::Type(p)) if p.kind() == Kind::FuncProto => p,
            _ => return Err(self.invalid_type_id(t, "a FUNC must refer to a FUNC_PROTO")),
        };
        for i in 0..proto.vlen() {
            let (name_off, type_id) = proto.param(i);
            if name_off == 0 && type_id != 0 {
                self.report(
                    t,
                    0,
                    Code::InvalidArg,
                    format!("Invalid arg#{}", i + 1),
                    format!("parameter #{} of a function needs a name", i + 1),
                );
                return Err(Halt::Reported);
            }
        }
        Ok(proto_id)
    }

    /// Resolving a FUNC on its own (the common case: FUNCs are only
    /// referenced by DECL_TAGs and typedefs) needs no stack: the kernel's
    /// walk pushes it, checks it, pops it and finds it valid. Same result,
    /// without the machinery.
    fn resolve_lone_func(&mut self, t: &View<'a>) -> bool {
        match self.check_func(t) {
            Ok(proto_id) => {
                let slot = &mut self.slots[t.id() as usize];
                slot.resolved_id = proto_id;
                slot.resolved_size = 0;
                slot.state = State::Resolved;
                true
            }
            Err(_) => {
                self.slots[t.id() as usize].state = State::Failed;
                false
            }
        }
    }

    /// `btf_resolve_valid`: the final sanity check of a resolved type.
    fn resolve_valid(&self, t: &View<'a>) -> bool {
        let id = t.id();
        if !self.is_resolved(id) {
            return false;
        }
        let rid = self.slots[id as usize].resolved_id;
        let rsize = self.slots[id as usize].resolved_size;
        let k = Some(t.kind());
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
            let a = t.array();
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
    fn check_func_proto(&mut self, t: &View<'a>) -> Step {
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
            if let Node::Type(rt) = rn {
                if class::needs_resolve(rn.kind()) && !self.is_resolved(ret) && !self.resolve(&rt) {
                    return Err(Halt::Silent);
                }
            }
            if self.id_size(ret).is_none() {
                return bad(self, "the return type must be void or have a size");
            }
        }
        let mut n = t.vlen();
        if n == 0 {
            return Ok(());
        }
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
        let (last_name, last_type) = t.param(n - 1);
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
        for i in 0..n {
            let (name_off, type_id) = t.param(i);
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
            if let Node::Type(pt) = pn {
                if class::needs_resolve(pn.kind())
                    && !self.is_resolved(type_id)
                    && !self.resolve(&pt)
                {
                    return Err(Halt::Silent);
                }
            }
            if self.id_size(type_id).is_none() {
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
