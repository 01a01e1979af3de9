//! One-line C spellings of BTF types for reports: `struct flow_key`,
//! `__u32`, `char[16]`, `const struct sock *`, `int (*)(void *)`.
//!
//! These are names for people and for diffs, not declarations to compile
//! (that is `btf::dump::c`): anonymous aggregates read `struct (anon)`, a
//! DATASEC reads `datasec .rodata`, and a broken reference reads
//! `<bad type [id]>` instead of failing the whole report.

use crate::btf::{Btf, Kind, MAX_RESOLVE_DEPTH};

/// The C spelling of type `id` (`void` for 0).
pub fn type_name(btf: &Btf<'_>, id: u32) -> String {
    let mut dims = Vec::new();
    spell(btf, id, &mut dims, 0)
}

/// Spells `id`; `dims` collects array dimensions, outermost first, so that
/// `int m[2][3]` (ARRAY 2 of ARRAY 3 of int) reads `int[2][3]`.
fn spell(btf: &Btf<'_>, id: u32, dims: &mut Vec<u32>, depth: u32) -> String {
    if depth > MAX_RESOLVE_DEPTH {
        return format!("<type loop at [{id}]>");
    }
    if id == 0 {
        return with_dims("void".to_string(), dims);
    }
    let Ok(t) = btf.type_by_id(id) else {
        return format!("<bad type [{id}]>");
    };
    let name = btf.name(&t).unwrap_or_default();
    let named = |prefix: &str| {
        if name.is_empty() {
            format!("{prefix} (anon)")
        } else {
            format!("{prefix} {name}")
        }
    };
    let base = match t.kind() {
        Kind::Int | Kind::Float | Kind::Typedef => name.into_owned(),
        Kind::Struct => named("struct"),
        Kind::Union => named("union"),
        Kind::Enum | Kind::Enum64 => named("enum"),
        Kind::Fwd if t.kflag() => named("union"),
        Kind::Fwd => named("struct"),
        Kind::Datasec => format!("datasec {name}"),
        Kind::Var => format!("var {name}"),
        Kind::Func => format!("func {name}"),
        Kind::DeclTag => format!("decl_tag {name}"),
        Kind::Array => {
            let Some(a) = t.array() else {
                return format!("<bad type [{id}]>");
            };
            dims.push(a.nelems);
            return spell(btf, a.elem_type, dims, depth + 1);
        }
        Kind::Ptr => {
            // The pointee's own dimensions belong inside the pointer.
            let mut inner = Vec::new();
            let target = spell(btf, t.type_id(), &mut inner, depth + 1);
            let ptr = if is_func_proto(btf, t.type_id()) {
                // `int (void *)` becomes `int (*)(void *)`.
                target.replacen(" (", " (*)(", 1)
            } else {
                format!("{target} *")
            };
            return with_dims(ptr, dims);
        }
        Kind::Const | Kind::Volatile | Kind::Restrict => {
            let q = match t.kind() {
                Kind::Const => "const",
                Kind::Volatile => "volatile",
                _ => "restrict",
            };
            let mut inner = Vec::new();
            let target = spell(btf, t.type_id(), &mut inner, depth + 1);
            // A qualified pointer is `int * const`; anything else `const int`.
            let q = if is_kind(btf, t.type_id(), Kind::Ptr) {
                format!("{target} {q}")
            } else {
                format!("{q} {target}")
            };
            return with_dims(q, dims);
        }
        Kind::TypeTag => {
            let mut inner = Vec::new();
            let target = spell(btf, t.type_id(), &mut inner, depth + 1);
            return with_dims(format!("{target} __tag({name})"), dims);
        }
        Kind::FuncProto => {
            let ret = spell(btf, t.type_id(), &mut Vec::new(), depth + 1);
            let params: Vec<String> = t
                .params()
                .map(|p| {
                    if p.type_id == 0 {
                        "...".to_string()
                    } else {
                        spell(btf, p.type_id, &mut Vec::new(), depth + 1)
                    }
                })
                .collect();
            let params = if params.is_empty() {
                "void".to_string()
            } else {
                params.join(", ")
            };
            format!("{ret} ({params})")
        }
    };
    with_dims(base, dims)
}

fn with_dims(mut s: String, dims: &[u32]) -> String {
    for d in dims {
        s.push_str(&format!("[{d}]"));
    }
    s
}

fn is_kind(btf: &Btf<'_>, id: u32, kind: Kind) -> bool {
    id != 0 && btf.type_by_id(id).is_ok_and(|t| t.kind() == kind)
}

fn is_func_proto(btf: &Btf<'_>, id: u32) -> bool {
    btf.skip_mods(id)
        .is_ok_and(|id| is_kind(btf, id, Kind::FuncProto))
}
