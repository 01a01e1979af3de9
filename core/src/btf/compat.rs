//! CO-RE type compatibility between two BTF blobs, as libbpf decides it
//! (`bpf_core_types_are_compat`, relo_core.c) when it resolves a typed
//! `__ksym` variable or a kfunc against the kernel's BTF: the extern's
//! declared type must be compatible with the kernel's.
//!
//! Names are ignored below the root (the caller matched those):
//! - modifiers and typedefs are skipped on both sides, then the kinds must
//!   be the same (ENUM and ENUM64 count as one kind);
//! - any two STRUCTs, UNIONs, ENUMs, FWDs are compatible (sizes and members
//!   are not compared), and `void` with `void`;
//! - any two INTs are, unless one is a bitfield-like int (bit offset ≠ 0);
//! - PTRs and ARRAYs are when what they point to or hold is;
//! - FUNC_PROTOs are when they have as many parameters, each compatible,
//!   and compatible return types;
//! - any other kind (FLOAT, ...) is not, as libbpf 1.1 decides.
//!
//! Each walk stops, incompatible, after 32 steps, and prototypes nest at
//! most 32 deep, as libbpf's do.

use super::{Btf, Kind};

const MAX_STEPS: u32 = 32;
const MAX_LEVELS: u32 = 32;

/// Whether `local_id` of `local` and `targ_id` of `targ` are compatible.
pub fn types_are_compat(local: &Btf<'_>, local_id: u32, targ: &Btf<'_>, targ_id: u32) -> bool {
    compat(local, local_id, targ, targ_id, MAX_LEVELS)
}

/// The kind as libbpf's `btf_kind_str` spells it (`void` for id 0).
pub fn kind_str(btf: &Btf<'_>, id: u32) -> &'static str {
    match btf.type_by_id(id) {
        Ok(t) if id != 0 => match t.kind() {
            Kind::Int => "int",
            Kind::Ptr => "ptr",
            Kind::Array => "array",
            Kind::Struct => "struct",
            Kind::Union => "union",
            Kind::Enum => "enum",
            Kind::Fwd => "fwd",
            Kind::Typedef => "typedef",
            Kind::Volatile => "volatile",
            Kind::Const => "const",
            Kind::Restrict => "restrict",
            Kind::Func => "func",
            Kind::FuncProto => "func_proto",
            Kind::Var => "var",
            Kind::Datasec => "datasec",
            Kind::Float => "float",
            Kind::DeclTag => "decl_tag",
            Kind::TypeTag => "type_tag",
            Kind::Enum64 => "enum64",
        },
        _ => "void",
    }
}

/// `None` for void (id 0), else the kind; `Err` for a broken id.
fn kind_of(btf: &Btf<'_>, id: u32) -> Result<Option<Kind>, ()> {
    if id == 0 {
        return Ok(None);
    }
    btf.type_by_id(id).map(|t| Some(t.kind())).map_err(|_| ())
}

fn same_kind(a: Option<Kind>, b: Option<Kind>) -> bool {
    let enumlike = |k| matches!(k, Some(Kind::Enum | Kind::Enum64));
    a == b || (enumlike(a) && enumlike(b))
}

fn compat(local: &Btf<'_>, mut lid: u32, targ: &Btf<'_>, mut tid: u32, level: u32) -> bool {
    if level == 0 {
        return false;
    }
    let mut steps = MAX_STEPS;
    // The roots as given, before any modifier is skipped.
    match (kind_of(local, lid), kind_of(targ, tid)) {
        (Ok(a), Ok(b)) if same_kind(a, b) => {}
        _ => return false,
    }
    loop {
        if steps == 0 {
            return false;
        }
        steps -= 1;
        let (Ok(l), Ok(t)) = (
            local.skip_mods_and_typedefs(lid),
            targ.skip_mods_and_typedefs(tid),
        ) else {
            return false;
        };
        (lid, tid) = (l, t);
        let (Ok(lk), Ok(tk)) = (kind_of(local, lid), kind_of(targ, tid)) else {
            return false;
        };
        if !same_kind(lk, tk) {
            return false;
        }
        let (Some(kind), Ok(lt), Ok(tt)) = (lk, local.type_by_id(lid), targ.type_by_id(tid)) else {
            // Both void.
            return true;
        };
        match kind {
            Kind::Struct | Kind::Union | Kind::Enum | Kind::Fwd | Kind::Enum64 => return true,
            Kind::Int => {
                let offset = |t: &super::Type<'_>| t.int().map_or(1, |i| i.bit_offset);
                return offset(&lt) == 0 && offset(&tt) == 0;
            }
            Kind::Ptr => (lid, tid) = (lt.type_id(), tt.type_id()),
            Kind::Array => match (lt.array(), tt.array()) {
                (Some(a), Some(b)) => (lid, tid) = (a.elem_type, b.elem_type),
                _ => return false,
            },
            Kind::FuncProto => {
                if lt.vlen() != tt.vlen() {
                    return false;
                }
                let params_compat = lt
                    .params()
                    .zip(tt.params())
                    .all(|(a, b)| compat(local, a.type_id, targ, b.type_id, level - 1));
                if !params_compat {
                    return false;
                }
                (lid, tid) = (lt.type_id(), tt.type_id());
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::build::{BtfBuilder, Field};
    use crate::bytes::Endian;

    /// Two blobs built by `f` (local, then target), each returning the ids
    /// to compare.
    fn compare(
        local: impl Fn(&mut BtfBuilder) -> u32,
        targ: impl Fn(&mut BtfBuilder) -> u32,
    ) -> bool {
        let (mut a, mut b) = (BtfBuilder::new(), BtfBuilder::new());
        let (la, tb) = (local(&mut a), targ(&mut b));
        let (a, b) = (
            a.encode(Endian::Little).unwrap(),
            b.encode(Endian::Little).unwrap(),
        );
        let (a, b) = (Btf::parse(&a).unwrap(), Btf::parse(&b).unwrap());
        types_are_compat(&a, la, &b, tb)
    }

    #[test]
    fn compatibility_follows_libbpf() {
        let int = |b: &mut BtfBuilder| b.add_int("int", 4, 1);
        let long = |b: &mut BtfBuilder| b.add_int("long", 8, 1);
        let a_struct = |b: &mut BtfBuilder| {
            let i = b.add_int("int", 4, 1);
            b.add_struct("s", 4, &[Field::new("x", i, 0)])
        };
        let other_struct = |b: &mut BtfBuilder| b.add_struct("t", 0, &[]);
        // Sizes, signedness and names below the root do not matter.
        assert!(compare(int, long));
        assert!(compare(a_struct, other_struct));
        // Kinds do. Below the roots, modifiers and typedefs are skipped;
        // the roots are compared as given (callers skip them first).
        assert!(!compare(int, a_struct));
        let const_typedef_int = |b: &mut BtfBuilder| {
            let i = int(b);
            let t = b.add_typedef("u", i);
            b.add_const(t)
        };
        assert!(!compare(const_typedef_int, long));
        assert!(compare(
            |b| {
                let c = const_typedef_int(b);
                b.add_ptr(c)
            },
            |b| {
                let l = long(b);
                b.add_ptr(l)
            }
        ));
        // ENUM and ENUM64 are one kind.
        assert!(compare(
            |b| b.add_enum("e", 4, false, &[("A", 0)]),
            |b| b.add_enum64("f", 8, false, &[("B", 1)])
        ));
        // Pointers and arrays by what they lead to.
        assert!(compare(
            |b| {
                let i = int(b);
                b.add_ptr(i)
            },
            |b| {
                let l = long(b);
                b.add_ptr(l)
            }
        ));
        assert!(!compare(
            |b| {
                let i = int(b);
                b.add_ptr(i)
            },
            |b| {
                let s = other_struct(b);
                b.add_ptr(s)
            }
        ));
        assert!(compare(
            |b| {
                let i = int(b);
                b.add_array(i, i, 4)
            },
            |b| {
                let i = int(b);
                b.add_array(i, i, 16)
            }
        ));
        // Prototypes: as many compatible parameters, compatible returns.
        let proto = |params: usize| {
            move |b: &mut BtfBuilder| {
                let i = b.add_int("int", 4, 1);
                let ps: Vec<(&str, u32)> = (0..params).map(|_| ("", i)).collect();
                b.add_func_proto(i, &ps)
            }
        };
        assert!(compare(proto(2), proto(2)));
        assert!(!compare(proto(1), proto(0)));
        assert!(compare(
            |b| b.add_func_proto(0, &[]),
            |b| b.add_func_proto(0, &[])
        ));
        assert!(!compare(|b| b.add_func_proto(0, &[]), proto(0)));
        // FLOAT is a kind libbpf 1.1 does not relate.
        assert!(!compare(
            |b| b.add_float("double", 8),
            |b| b.add_float("double", 8)
        ));
    }

    #[test]
    fn kinds_are_spelled_as_libbpf_spells_them() {
        let mut b = BtfBuilder::new();
        let i = b.add_int("int", 4, 1);
        let p = b.add_func_proto(i, &[]);
        let blob = b.encode(Endian::Little).unwrap();
        let btf = Btf::parse(&blob).unwrap();
        assert_eq!(
            [kind_str(&btf, 0), kind_str(&btf, i), kind_str(&btf, p)],
            ["void", "int", "func_proto"]
        );
    }
}
