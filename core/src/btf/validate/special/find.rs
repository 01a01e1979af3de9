//! `btf_find_field`: the walk over a struct's members (into nested structs
//! and arrays) that lists its special fields, in member order, or stops at
//! the first member the kernel refuses.
//!
//! The kernel walks every nested struct again for every member that holds
//! it, which hostile BTF (many members of one struct type, nested 31 deep)
//! turns into exponential work. Here the walk of a struct at a nesting
//! level is done once and remembered. That is exact because the kernel's
//! result for a nested struct depends only on the struct, the level (the
//! depth limit) and how many field slots are left, and the slots only
//! decide *whether* the walk ends in "too many fields" at the point where
//! one more field is found: a walk with all `FIELDS_MAX` slots, recording
//! the fields found before it stopped, answers for any smaller number.

use std::collections::HashMap;
use std::rc::Rc;

use super::kinds::{kptr_tag, FieldKind, CONTAINS, FIELDS_MAX, NAMED};
use crate::btf::validate::resolve::MAX_RESOLVE_DEPTH;
use crate::btf::validate::{class, Checker, Code, State};
use crate::btf::{Btf, Kind, Member, Type};

/// How many links `btf_type_skip_modifiers` may follow here: resolution
/// already refused longer chains, so reaching this means a type we cannot
/// trust.
const MODIFIER_LIMIT: usize = MAX_RESOLVE_DEPTH;

/// One special field of a struct.
#[derive(Clone, Debug)]
pub(super) struct Field<'a> {
    pub kind: FieldKind,
    /// Bytes from the start of the struct being parsed.
    pub off: u32,
    /// The member of the struct being parsed that holds it.
    pub top: u32,
    /// Member names from the struct being parsed down to the field.
    pub path: String,
    /// Graph roots: what the `contains:` tag names.
    pub root: Option<GraphRoot<'a>>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct GraphRoot<'a> {
    /// The first STRUCT of the tag's type name (`btf_find_by_name_kind`).
    pub value_id: u32,
    /// The node member's name (what follows the second colon).
    pub node_name: &'a [u8],
}

/// The rule a member breaks.
#[derive(Clone, Debug)]
pub(super) struct Refusal {
    pub code: Code,
    /// The member of the struct being parsed that leads to it.
    pub top: u32,
    /// Member names from the struct being parsed down to the member.
    pub path: String,
    /// What is wrong, in our words (the kernel logs nothing).
    pub what: String,
}

/// The fields found in member order, and the refusal that ended the walk,
/// if any (after the fields found before it).
#[derive(Clone, Debug, Default)]
pub(super) struct Trace<'a> {
    pub fields: Vec<Field<'a>>,
    pub stop: Option<Refusal>,
}

/// Why a walk ended early.
pub(super) enum Stop {
    Refused(Refusal),
    /// It reached a type that an earlier phase refused (or one that does
    /// not exist): the kernel never gets this far, so there is nothing to
    /// say.
    Unknown,
}

type Step<T> = Result<T, Stop>;

/// What one member holds (`btf_find_field_one`'s outcome).
enum Found<'a> {
    Nothing,
    Field(FieldKind, Option<GraphRoot<'a>>),
}

/// `contains:` decl tag values (the text after the prefix) by the type id
/// and component index they are attached to.
type ContainsTags<'a> = HashMap<(u32, u32), Vec<&'a [u8]>>;

/// The walk's state shared by every struct of one blob.
pub(super) struct Finder<'c, 'a> {
    btf: &'c Btf<'a>,
    checker: &'c Checker<'c, 'a>,
    memo: HashMap<(u32, u32), Option<Rc<Trace<'a>>>>,
    /// `contains:` decl tags by (type id, component index): the text after
    /// the prefix of each. Built on first use.
    contains: Option<ContainsTags<'a>>,
    /// The first STRUCT of each name. Built on first use.
    structs: Option<HashMap<&'a [u8], u32>>,
}

impl<'c, 'a> Finder<'c, 'a> {
    pub(super) fn new(checker: &'c Checker<'c, 'a>) -> Self {
        Finder {
            btf: checker.btf,
            checker,
            memo: HashMap::new(),
            contains: None,
            structs: None,
        }
    }

    /// The type with this id as the kernel would see it at this point:
    /// `None` for `void`; `Unknown` for a type it would have refused
    /// already.
    pub(super) fn ty(&self, id: u32) -> Step<Option<Type<'a>>> {
        if id == 0 {
            return Ok(None);
        }
        let usable = id <= self.checker.last_kept
            && self
                .checker
                .slots
                .get(id)
                .is_some_and(|t| t.kind().is_some() && !t.is(State::Failed));
        if !usable {
            return Err(Stop::Unknown);
        }
        self.btf.type_by_id(id).map(Some).map_err(|_| Stop::Unknown)
    }

    /// A type's name bytes (`""` for `void` and anonymous types).
    pub(super) fn name(&self, t: Option<&Type<'a>>) -> Step<&'a [u8]> {
        match t {
            None => Ok(b""),
            Some(t) => self.btf.str_bytes(t.name_off()).map_err(|_| Stop::Unknown),
        }
    }

    /// `btf_find_struct_field` for a struct being parsed.
    pub(super) fn fields_of(&mut self, t: &Type<'a>) -> Step<Rc<Trace<'a>>> {
        self.struct_fields(t, 0)
    }

    /// `btf_find_struct_field` at a nesting level, remembered.
    fn struct_fields(&mut self, t: &Type<'a>, level: u32) -> Step<Rc<Trace<'a>>> {
        let key = (t.id(), level);
        if let Some(done) = self.memo.get(&key) {
            return done.clone().ok_or(Stop::Unknown);
        }
        // `walk` keeps refusals in its trace: its errors all mean Unknown.
        let done = self.walk(t, level).ok().map(Rc::new);
        self.memo.insert(key, done.clone());
        done.ok_or(Stop::Unknown)
    }

    fn walk(&mut self, t: &Type<'a>, level: u32) -> Step<Trace<'a>> {
        let mut trace = Trace::default();
        let mut seen = 0u16;
        for (i, m) in t.members().enumerate() {
            let i = i as u32;
            let outcome = if m.bit_offset() % 8 != 0 {
                // "valid C code cannot generate such BTF": every member,
                // special or not, must start on a byte.
                Err(refuse(
                    Code::SpecialFieldBitOffset,
                    i,
                    self.member_name(&m)?,
                    format!(
                        "a struct searched for special fields has a member at bit offset {}",
                        m.bit_offset()
                    ),
                ))
            } else {
                self.member(&mut trace, t, i, &m, m.bit_offset() / 8, &mut seen, level)
            };
            match outcome {
                Ok(()) => {}
                Err(Stop::Refused(r)) => {
                    trace.stop = Some(r);
                    break;
                }
                Err(Stop::Unknown) => return Err(Stop::Unknown),
            }
        }
        Ok(trace)
    }

    /// A member's name bytes.
    pub(super) fn member_name_bytes(&self, name_off: u32) -> Step<&'a [u8]> {
        self.btf.str_bytes(name_off).map_err(|_| Stop::Unknown)
    }

    /// A member's name for messages.
    pub(super) fn member_name(&self, m: &Member) -> Step<String> {
        let name = self.member_name_bytes(m.name_off)?;
        Ok(if name.is_empty() {
            "(anon)".to_string()
        } else {
            String::from_utf8_lossy(name).into_owned()
        })
    }

    /// `btf_find_field_one` for member `i` of `parent`, at byte `off`.
    #[allow(clippy::too_many_arguments)]
    fn member(
        &mut self,
        trace: &mut Trace<'a>,
        parent: &Type<'a>,
        i: u32,
        m: &Member,
        off: u32,
        seen: &mut u16,
        level: u32,
    ) -> Step<()> {
        let path = self.member_name(m)?;
        // Arrays of arrays count as one flat array (`nelems` is a u32 product
        // in the kernel, wrapping like this one).
        let mut var = self.ty(m.type_id)?;
        let mut nelems: u32 = 1;
        let mut depth = 0;
        while depth < MAX_RESOLVE_DEPTH {
            let Some(a) = var.as_ref().and_then(|t| t.array()) else {
                break;
            };
            nelems = nelems.wrapping_mul(a.nelems);
            var = self.ty(a.elem_type)?;
            depth += 1;
        }
        if depth == MAX_RESOLVE_DEPTH {
            return Err(refuse(
                Code::SpecialFieldsTooDeep,
                i,
                path,
                format!("arrays nested {MAX_RESOLVE_DEPTH} deep"),
            ));
        }
        if nelems == 0 {
            return Ok(());
        }
        let name = self.name(var.as_ref())?;
        // `btf_get_field_type`: the name decides, whatever the kind.
        let kind = match NAMED.iter().find(|(_, n, _)| *n == name) {
            Some(&(kind, _, unique)) => {
                if unique {
                    if *seen & kind.bit() != 0 {
                        return Err(refuse(
                            Code::SpecialFieldRepeated,
                            i,
                            path,
                            format!(
                                "a second {} in one struct (the kernel allows one)",
                                kind.name()
                            ),
                        ));
                    }
                    *seen |= kind.bit();
                }
                kind
            }
            None => match &var {
                Some(nested) if nested.kind() == Kind::Struct => {
                    return self.nested(trace, nested, i, path, off, nelems, level);
                }
                // Anything else may be a kptr; `btf_find_kptr` decides.
                _ => FieldKind::KptrRef,
            },
        };
        if off % kind.align() != 0 {
            // Misaligned: not a field at all (and if no field is left, the
            // struct has no record, which the caller refuses).
            return Ok(());
        }
        let found = match kind {
            FieldKind::KptrRef => self.kptr(var.as_ref(), i, &path)?,
            FieldKind::ListHead | FieldKind::RbRoot => {
                self.graph_root(parent, var.as_ref(), kind, i, &path)?
            }
            _ => match &var {
                Some(t) if t.kind() == Kind::Struct && t.size() == kind.size() => {
                    Found::Field(kind, None)
                }
                _ => Found::Nothing,
            },
        };
        let Found::Field(kind, root) = found else {
            return Ok(());
        };
        let left = FIELDS_MAX - trace.fields.len();
        if left == 0 {
            return Err(too_many(i, path));
        }
        if nelems > 1 {
            if !kind.may_repeat() {
                return Err(not_repeatable(i, path, kind, nelems));
            }
            if nelems as usize > left {
                return Err(too_many(i, path));
            }
        }
        for k in 0..nelems {
            trace.fields.push(Field {
                kind,
                off: off.wrapping_add(k.wrapping_mul(kind.size())),
                top: i,
                path: path.clone(),
                root,
            });
        }
        Ok(())
    }

    /// `btf_find_nested_struct`: the fields of a struct-typed member (or
    /// array of them), moved to the member's offset and repeated per
    /// element.
    #[allow(clippy::too_many_arguments)]
    fn nested(
        &mut self,
        trace: &mut Trace<'a>,
        inner: &Type<'a>,
        i: u32,
        path: String,
        off: u32,
        nelems: u32,
        level: u32,
    ) -> Step<()> {
        let level = level + 1;
        if level >= MAX_RESOLVE_DEPTH as u32 {
            return Err(refuse(
                Code::SpecialFieldsTooDeep,
                i,
                path,
                format!("structs nested {MAX_RESOLVE_DEPTH} deep"),
            ));
        }
        let found = self.struct_fields(inner, level)?;
        let left = FIELDS_MAX - trace.fields.len();
        if found.fields.len() > left {
            return Err(too_many(i, path));
        }
        if let Some(r) = &found.stop {
            return Err(Stop::Refused(Refusal {
                code: r.code,
                top: i,
                path: format!("{path}.{}", r.path),
                what: r.what.clone(),
            }));
        }
        if found.fields.is_empty() {
            return Ok(());
        }
        if nelems > 1 {
            if let Some(f) = found.fields.iter().find(|f| !f.kind.may_repeat()) {
                return Err(not_repeatable(
                    i,
                    format!("{path}.{}", f.path),
                    f.kind,
                    nelems,
                ));
            }
            if found.fields.len() as u64 * u64::from(nelems) > left as u64 {
                return Err(too_many(i, path));
            }
        }
        for k in 0..nelems {
            let base = off.wrapping_add(k.wrapping_mul(inner.size()));
            for f in &found.fields {
                trace.fields.push(Field {
                    kind: f.kind,
                    off: f.off.wrapping_add(base),
                    top: i,
                    path: format!("{path}.{}", f.path),
                    root: f.root,
                });
            }
        }
        Ok(())
    }

    /// `btf_find_kptr` with the struct-meta mask: a pointer (possibly
    /// volatile) to exactly one type tag without kind_flag.
    fn kptr(&self, var: Option<&Type<'a>>, i: u32, path: &str) -> Step<Found<'a>> {
        let Some(target) = self.kptr_target(var)? else {
            return Ok(Found::Nothing);
        };
        match target {
            Kptr::Field(kind) => Ok(Found::Field(kind, None)),
            Kptr::Ignored => Ok(Found::Nothing),
            Kptr::Refused(code, what) => Err(refuse(code, i, path.to_string(), what)),
        }
    }

    /// The kptr a type stands for, if it is a tagged pointer (`None` when
    /// it is not one). Also the test `btf_parse_struct_metas` runs on every
    /// type to find the kptr types a member may have.
    pub(super) fn kptr_target(&self, var: Option<&Type<'a>>) -> Step<Option<Kptr>> {
        let mut t = var.copied();
        // Permit modifiers on the pointer itself (volatile only).
        if let Some(v) = t.filter(|t| t.kind() == Kind::Volatile) {
            t = self.ty(v.type_id())?;
        }
        let Some(ptr) = t.filter(|t| t.kind() == Kind::Ptr) else {
            return Ok(None);
        };
        let Some(tag) = self
            .ty(ptr.type_id())?
            .filter(|t| t.kind() == Kind::TypeTag && !t.kflag())
        else {
            return Ok(None);
        };
        let below = self.ty(tag.type_id())?;
        let name = self.name(Some(&tag))?;
        let shown = String::from_utf8_lossy(name);
        if below.is_some_and(|b| b.kind() == Kind::TypeTag) {
            return Ok(Some(Kptr::Refused(
                Code::InvalidKptrTag,
                format!("a pointer with type tag '{shown}' and another type tag below it"),
            )));
        }
        let kind = match kptr_tag(name) {
            None => {
                return Ok(Some(Kptr::Refused(
                    Code::InvalidKptrTag,
                    format!(
                        "a pointer with type tag '{shown}' (the kernel knows kptr, kptr_untrusted, percpu_kptr, uptr)"
                    ),
                )))
            }
            Some(None) => return Ok(Some(Kptr::Ignored)),
            Some(Some(kind)) => kind,
        };
        let mut base = below;
        for _ in 0..MODIFIER_LIMIT {
            match base {
                Some(b) if class::is_modifier(Some(b.kind())) => base = self.ty(b.type_id())?,
                _ => break,
            }
        }
        match base {
            Some(b) if b.kind() == Kind::Struct => Ok(Some(Kptr::Field(kind))),
            Some(b) if class::is_modifier(Some(b.kind())) => Err(Stop::Unknown),
            other => Ok(Some(Kptr::Refused(
                Code::InvalidKptrTarget,
                format!(
                    "a __{} pointer to {}, not to a struct",
                    kind.name(),
                    other.map_or("void", |b| b.kind().name())
                ),
            ))),
        }
    }

    /// `btf_find_graph_root`: a `bpf_list_head`/`bpf_rb_root` of the
    /// kernel's size, whose member carries one `contains:<struct>:<node>`
    /// decl tag naming a defined struct.
    fn graph_root(
        &mut self,
        parent: &Type<'a>,
        var: Option<&Type<'a>>,
        kind: FieldKind,
        i: u32,
        path: &str,
    ) -> Step<Found<'a>> {
        match var {
            Some(t) if t.kind() == Kind::Struct && t.size() == kind.size() => {}
            _ => return Ok(Found::Nothing),
        }
        let tags = self.contains_tags(parent.id(), i);
        let value = match tags {
            [one] => *one,
            [] => {
                return Err(refuse(
                    Code::ContainsTagMissing,
                    i,
                    path.to_string(),
                    format!(
                        "a {} without a `contains:<struct>:<node member>` decl tag",
                        kind.name()
                    ),
                ))
            }
            more => {
                return Err(refuse(
                    Code::ContainsTagMissing,
                    i,
                    path.to_string(),
                    format!(
                        "a {} with {} `contains:` decl tags (one is allowed)",
                        kind.name(),
                        more.len()
                    ),
                ))
            }
        };
        let shown = String::from_utf8_lossy(value).into_owned();
        let malformed = |what: &str| {
            refuse(
                Code::ContainsTagMalformed,
                i,
                path.to_string(),
                format!("decl tag `contains:{shown}` {what}"),
            )
        };
        let Some(colon) = value.iter().position(|&b| b == b':') else {
            return Err(malformed("has no `:<node member>`"));
        };
        let (type_name, node_name) = (&value[..colon], &value[colon + 1..]);
        let Some(value_id) = self.struct_named(type_name) else {
            return Err(refuse(
                Code::ContainsTypeNotFound,
                i,
                path.to_string(),
                format!(
                    "decl tag `contains:{shown}` names struct '{}', which this BTF does not define",
                    String::from_utf8_lossy(type_name)
                ),
            ));
        };
        if node_name.is_empty() {
            return Err(malformed("names no node member"));
        }
        Ok(Found::Field(
            kind,
            Some(GraphRoot {
                value_id,
                node_name,
            }),
        ))
    }

    /// The `contains:` decl tags on member `comp` of struct `id`.
    fn contains_tags(&mut self, id: u32, comp: u32) -> &[&'a [u8]] {
        let btf = self.btf;
        let checker = self.checker;
        let map = self.contains.get_or_insert_with(|| {
            let mut map = ContainsTags::new();
            for tag_id in btf.first_id()..=checker.last_kept.min(btf.last_id()) {
                if checker.slots.tag(tag_id).kind() != Some(Kind::DeclTag) {
                    continue;
                }
                let Ok(tag) = btf.type_by_id(tag_id) else {
                    continue;
                };
                let Ok(name) = btf.str_bytes(tag.name_off()) else {
                    continue;
                };
                let (Some(rest), Some(comp)) =
                    (name.strip_prefix(CONTAINS), tag.decl_tag_component_idx())
                else {
                    continue;
                };
                map.entry((tag.type_id(), comp as u32))
                    .or_default()
                    .push(rest);
            }
            map
        });
        map.get(&(id, comp)).map_or(&[][..], |v| v.as_slice())
    }

    /// `btf_find_by_name_kind(name, BTF_KIND_STRUCT)`: the lowest id.
    fn struct_named(&mut self, name: &[u8]) -> Option<u32> {
        let btf = self.btf;
        let checker = self.checker;
        let map = self.structs.get_or_insert_with(|| {
            let mut map = HashMap::new();
            for id in btf.first_id()..=checker.last_kept.min(btf.last_id()) {
                if checker.slots.tag(id).kind() != Some(Kind::Struct) {
                    continue;
                }
                let Ok(t) = btf.type_by_id(id) else {
                    continue;
                };
                if let Ok(n) = btf.str_bytes(t.name_off()) {
                    map.entry(n).or_insert(id);
                }
            }
            map
        });
        map.get(name).copied()
    }
}

/// What a tagged pointer is to `btf_find_kptr`.
pub(super) enum Kptr {
    /// A kptr to a struct. Which struct matters only when the kernel looks
    /// it up in vmlinux (`btf_parse_kptr`), which this phase cannot do.
    Field(FieldKind),
    /// A tag the kernel knows but does not look for here (`uptr`).
    Ignored,
    Refused(Code, String),
}

/// The search (or the record built from it) stops: the kernel refuses.
pub(super) fn refuse(code: Code, top: u32, path: String, what: String) -> Stop {
    Stop::Refused(Refusal {
        code,
        top,
        path,
        what,
    })
}

fn too_many(top: u32, path: String) -> Stop {
    refuse(
        Code::TooManySpecialFields,
        top,
        path,
        format!("more than {FIELDS_MAX} special fields (BTF_FIELDS_MAX) in one struct"),
    )
}

fn not_repeatable(top: u32, path: String, kind: FieldKind, nelems: u32) -> Stop {
    refuse(
        Code::SpecialFieldArray,
        top,
        path,
        format!(
            "an array of {nelems} {}: only kptrs, bpf_list_head and bpf_rb_root may be array elements",
            kind.name()
        ),
    )
}
