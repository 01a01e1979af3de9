//! The type graph between DWARF and BTF: one node per converted DIE, with
//! references as node indices, so that cycles (a struct that points at
//! itself) need no special casing and dedup can work on plain integers.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// An interned string: names are compared and hashed as integers, and a
/// name read from `.debug_str` is borrowed, not copied. 0 is `""`.
pub(crate) type Str = u32;

/// The strings of a graph.
#[derive(Debug, Clone)]
pub(crate) struct Strings<'a> {
    list: Vec<Cow<'a, str>>,
    index: FxHashMap<Cow<'a, str>, Str>,
}

impl Default for Strings<'_> {
    fn default() -> Self {
        let mut s = Strings {
            list: Vec::new(),
            index: FxHashMap::default(),
        };
        s.intern(Cow::Borrowed(""));
        s
    }
}

impl<'a> Strings<'a> {
    pub(crate) fn intern(&mut self, s: Cow<'a, str>) -> Str {
        if let Some(id) = self.index.get(s.as_ref()) {
            return *id;
        }
        let id = self.list.len() as Str;
        self.list.push(s.clone());
        self.index.insert(s, id);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn get(&self, id: Str) -> &str {
        self.list.get(id as usize).map_or("", |s| s.as_ref())
    }
}

/// A reference to a type: 0 is `void`, `n` is node `n - 1`.
pub(crate) type Ty = u32;

/// `void`: the BTF id 0.
pub(crate) const VOID: Ty = 0;

/// A named thing's name, and for Rust types the module path it lives in
/// (`krate::module`), which keeps types of the same name in different
/// modules apart until names are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Name {
    pub text: Str,
    /// `Some` for types of a Rust unit: the namespace path, maybe empty.
    pub rust_path: Option<Str>,
}

impl Name {
    pub(crate) fn plain(text: Str) -> Name {
        Name {
            text,
            rust_path: None,
        }
    }

    pub(crate) fn anonymous() -> Name {
        Name::default()
    }

    pub(crate) fn is_anonymous(&self) -> bool {
        self.text == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Member {
    pub name: Str,
    pub ty: Ty,
    pub bit_offset: u32,
    /// 0 for a plain member.
    pub bitfield_size: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Param {
    pub name: Str,
    /// `VOID` for the `...` of a variadic prototype.
    pub ty: Ty,
}

/// One type. References to other types are [`Ty`]s.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    /// Not converted yet (a reference taken before its DIE was read).
    Pending,
    /// Stands for another type (a DWARF qualifier BTF does not have, such as
    /// `_Atomic`); resolved away before dedup.
    Alias(Ty),
    Int {
        name: Str,
        size: u32,
        encoding: u8,
    },
    Float {
        name: Str,
        size: u32,
    },
    Ptr(Ty),
    Const(Ty),
    Volatile(Ty),
    Restrict(Ty),
    Typedef {
        name: Name,
        ty: Ty,
    },
    Array {
        elem: Ty,
        index: Ty,
        nelems: u32,
    },
    Struct {
        name: Name,
        size: u32,
        members: Vec<Member>,
    },
    Union {
        name: Name,
        size: u32,
        members: Vec<Member>,
    },
    Enum {
        name: Name,
        size: u32,
        signed: bool,
        /// Values as 64-bit patterns; ENUM when `size <= 4`, else ENUM64.
        values: Vec<(Str, u64)>,
    },
    Fwd {
        name: Name,
        union: bool,
    },
    FuncProto {
        ret: Ty,
        params: Vec<Param>,
    },
    Func {
        name: Str,
        proto: Ty,
        linkage: u32,
    },
    Var {
        name: Str,
        ty: Ty,
        linkage: u32,
    },
    /// `__attribute__((btf_type_tag("value")))` on what `ty` is.
    TypeTag {
        value: Str,
        ty: Ty,
    },
    /// `__attribute__((btf_decl_tag("value")))` on `ty`, or on its member
    /// or parameter `component` (-1: the declaration itself).
    DeclTag {
        value: Str,
        ty: Ty,
        component: i32,
    },
}

impl Node {
    /// Every type this node refers to, in a fixed order.
    pub(crate) fn refs(&self, out: &mut Vec<Ty>) {
        match self {
            Node::Pending | Node::Int { .. } | Node::Float { .. } | Node::Fwd { .. } => {}
            Node::Enum { .. } => {}
            Node::Alias(t)
            | Node::Ptr(t)
            | Node::Const(t)
            | Node::Volatile(t)
            | Node::Restrict(t)
            | Node::Typedef { ty: t, .. }
            | Node::Var { ty: t, .. }
            | Node::TypeTag { ty: t, .. }
            | Node::DeclTag { ty: t, .. }
            | Node::Func { proto: t, .. } => out.push(*t),
            Node::Array { elem, index, .. } => {
                out.push(*elem);
                out.push(*index);
            }
            Node::Struct { members, .. } | Node::Union { members, .. } => {
                out.extend(members.iter().map(|m| m.ty))
            }
            Node::FuncProto { ret, params } => {
                out.push(*ret);
                out.extend(params.iter().map(|p| p.ty));
            }
        }
    }

    /// Rewrites every reference through `f`, in the order of [`Node::refs`].
    pub(crate) fn map_refs(&mut self, mut f: impl FnMut(Ty) -> Ty) {
        match self {
            Node::Pending | Node::Int { .. } | Node::Float { .. } | Node::Fwd { .. } => {}
            Node::Enum { .. } => {}
            Node::Alias(t)
            | Node::Ptr(t)
            | Node::Const(t)
            | Node::Volatile(t)
            | Node::Restrict(t)
            | Node::Typedef { ty: t, .. }
            | Node::Var { ty: t, .. }
            | Node::TypeTag { ty: t, .. }
            | Node::DeclTag { ty: t, .. }
            | Node::Func { proto: t, .. } => *t = f(*t),
            Node::Array { elem, index, .. } => {
                *elem = f(*elem);
                *index = f(*index);
            }
            Node::Struct { members, .. } | Node::Union { members, .. } => {
                for m in members {
                    m.ty = f(m.ty);
                }
            }
            Node::FuncProto { ret, params } => {
                *ret = f(*ret);
                for p in params {
                    p.ty = f(p.ty);
                }
            }
        }
    }

    /// The name that C sees in the tag namespace (struct/union/enum and
    /// their forward declarations) or the ordinary one (typedef).
    pub(crate) fn type_name(&self) -> Option<&Name> {
        match self {
            Node::Struct { name, .. }
            | Node::Union { name, .. }
            | Node::Enum { name, .. }
            | Node::Fwd { name, .. }
            | Node::Typedef { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// All converted types.
#[derive(Debug, Default, Clone)]
pub(crate) struct Graph<'a> {
    pub nodes: Vec<Node>,
    pub strings: Strings<'a>,
}

impl<'a> Graph<'a> {
    /// Adds a node and returns its reference.
    pub(crate) fn push(&mut self, node: Node) -> Ty {
        self.nodes.push(node);
        self.nodes.len() as Ty
    }

    pub(crate) fn get(&self, ty: Ty) -> Option<&Node> {
        self.nodes.get((ty as usize).checked_sub(1)?)
    }

    pub(crate) fn set(&mut self, ty: Ty, node: Node) {
        self.nodes[ty as usize - 1] = node;
    }

    /// Follows aliases to the type they stand for; an alias loop (which
    /// only hostile DWARF makes) ends at `void`.
    pub(crate) fn unalias(&self, mut ty: Ty) -> Ty {
        for _ in 0..=self.nodes.len().min(64) {
            match self.get(ty) {
                Some(Node::Alias(next)) => ty = *next,
                _ => return ty,
            }
        }
        VOID
    }

    /// Replaces every reference to an alias by what it stands for.
    pub(crate) fn resolve_aliases(&mut self) {
        let targets: Vec<Ty> = (1..=self.nodes.len() as Ty)
            .map(|t| self.unalias(t))
            .collect();
        for node in &mut self.nodes {
            node.map_refs(|t| {
                if t == VOID {
                    VOID
                } else {
                    targets[t as usize - 1]
                }
            });
        }
    }
}
