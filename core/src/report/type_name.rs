//! One-line C spellings of BTF types for reports: `struct flow_key`,
//! `__u32`, `char[16]`, `const struct sock *`, `int (*)(void *)`.
//!
//! These are names for people and for diffs, not declarations to compile
//! (that is `btf::dump::c`): anonymous aggregates read `struct (anon)`, a
//! DATASEC reads `datasec .rodata`, and a broken reference reads
//! `<bad type [id]>` instead of failing the whole report.

use crate::btf::{Btf, Kind, MAX_RESOLVE_DEPTH};

/// Most types one spelling visits. Depth alone does not bound the work: a
/// function prototype whose parameters point back at it would be spelled
/// (parameters ^ depth) times; real types need a few dozen visits.
const VISIT_BUDGET: u32 = 512;

/// The C spelling of type `id` (`void` for 0).
pub fn type_name(btf: &Btf<'_>, id: u32) -> String {
    let mut budget = VISIT_BUDGET;
    spell(btf, id, &mut Vec::new(), 0, &mut budget)
}

/// Spells `id`; `dims` collects array dimensions, outermost first, so that
/// `int m[2][3]` (ARRAY 2 of ARRAY 3 of int) reads `int[2][3]`.
fn spell(btf: &Btf<'_>, id: u32, dims: &mut Vec<u32>, depth: u32, budget: &mut u32) -> String {
    if depth > MAX_RESOLVE_DEPTH {
        return format!("<type loop at [{id}]>");
    }
    if *budget == 0 {
        return "...".to_string();
    }
    *budget -= 1;
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
            return spell(btf, a.elem_type, dims, depth + 1, budget);
        }
        Kind::Ptr => {
            // The pointee's own dimensions belong inside the pointer.
            let mut inner = Vec::new();
            let target = spell(btf, t.type_id(), &mut inner, depth + 1, budget);
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
            let target = spell(btf, t.type_id(), &mut inner, depth + 1, budget);
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
            let target = spell(btf, t.type_id(), &mut inner, depth + 1, budget);
            return with_dims(format!("{target} __tag({name})"), dims);
        }
        Kind::FuncProto => {
            let ret = spell(btf, t.type_id(), &mut Vec::new(), depth + 1, budget);
            let params: Vec<String> = t
                .params()
                .map(|p| {
                    if p.type_id == 0 {
                        // A trailing void parameter marks varargs.
                        "...".to_string()
                    } else {
                        spell(btf, p.type_id, &mut Vec::new(), depth + 1, budget)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::build::{BtfBuilder, Field};
    use crate::btf::int_encoding;
    use crate::bytes::Endian;

    fn names(b: &BtfBuilder, ids: &[u32]) -> Vec<String> {
        let blob = b.encode(Endian::Little).unwrap();
        let btf = Btf::parse(&blob).unwrap();
        ids.iter().map(|&id| type_name(&btf, id)).collect()
    }

    #[test]
    fn c_spellings() {
        let mut b = BtfBuilder::new();
        let int = b.add_int("int", 4, int_encoding::SIGNED);
        let chr = b.add_int("char", 1, int_encoding::SIGNED);
        let cchar = b.add_const(chr);
        let ptr_cchar = b.add_ptr(cchar);
        let ptr_int = b.add_ptr(int);
        let const_ptr = b.add_const(ptr_int);
        let row = b.add_array(int, int, 3);
        let grid = b.add_array(row, int, 2);
        let void_ptr = b.add_ptr(0);
        let proto = b.add_func_proto(int, &[("", void_ptr), ("", int)]);
        let fn_ptr = b.add_ptr(proto);
        let anon = b.add_struct("", 4, &[Field::new("x", int, 0)]);
        let fwd = b.add_fwd("u", true);
        let td = b.add_typedef("my_int", int);
        let varargs = b.add_func_proto(0, &[("", int), ("", 0)]);
        assert_eq!(
            names(
                &b,
                &[0, ptr_cchar, const_ptr, grid, fn_ptr, anon, fwd, td, varargs]
            ),
            [
                "void",
                "const char *",
                "int * const",
                "int[2][3]",
                "int (*)(void *, int)",
                "struct (anon)",
                "union u",
                "my_int",
                "void (int, ...)",
            ]
        );
    }

    #[test]
    fn hostile_types_are_bounded() {
        // A prototype whose 16 parameters point back at it, and a typedef loop.
        let mut b = BtfBuilder::new();
        let proto_id = b.next_id();
        let ptr_id = proto_id + 1;
        let params: Vec<(&str, u32)> = (0..16).map(|_| ("", ptr_id)).collect();
        assert_eq!(b.add_func_proto(ptr_id, &params), proto_id);
        assert_eq!(b.add_ptr(proto_id), ptr_id);
        let loop_a = b.next_id();
        b.add_typedef("a", loop_a + 1);
        b.add_const(loop_a);
        let const_loop = b.next_id();
        b.add_volatile(const_loop + 1);
        b.add_const(const_loop);
        let names = names(&b, &[ptr_id, loop_a + 1, const_loop]);
        assert!(names[0].len() < 64 * 1024, "{} bytes", names[0].len());
        assert_eq!(names[1], "const a", "a typedef is spelled by its name");
        assert!(names[2].contains("<type loop at"), "{}", names[2]);
    }
}
