//! What libbpf's static linker (`bpftool gen object`, src/linker.c) says
//! about the `.maps` variables of objects linked together: an extern or weak
//! map must match the definition in every field (`glob_map_defs_match`), and
//! two strong definitions of one name conflict.

use super::btf_maps::{DefParser, MapDef};
use super::symbol::Binding;
use super::ObjectSpec;
use crate::btf::{var_linkage, Btf, Kind, MAX_RESOLVE_DEPTH};
use crate::diag::{Actor, Code, Errno, Finding, Subject};

/// One `.maps` variable of one object.
struct MapVar<'o, 'a> {
    file: &'o str,
    btf: &'o Btf<'a>,
    name: String,
    def_type: u32,
    strong: bool,
}

fn map_vars<'o, 'a>(file: &'o str, obj: &'o ObjectSpec<'a>) -> Vec<MapVar<'o, 'a>> {
    let Some(btf) = obj.btf.as_ref() else {
        return Vec::new();
    };
    let Some(ds) = btf.types().find(|t| {
        t.kind() == Kind::Datasec && btf.str_bytes(t.name_off()).ok() == Some(&b".maps"[..])
    }) else {
        return Vec::new();
    };
    ds.datasec_entries()
        .filter_map(|e| btf.type_by_id(e.type_id).ok())
        .filter(|v| v.kind() == Kind::Var)
        .map(|v| {
            let name = super::type_name(btf, &v).into_owned();
            let weak = obj
                .symbols
                .iter()
                .any(|s| s.name == *name && s.binding == Binding::Weak);
            MapVar {
                file,
                btf,
                strong: v.var_linkage() == Some(var_linkage::GLOBAL_ALLOCATED) && !weak,
                def_type: btf.skip_mods_and_typedefs(v.type_id()).unwrap_or(0),
                name,
            }
        })
        .collect()
}

fn parse_def(var: &MapVar<'_, '_>) -> Option<MapDef> {
    let def = var
        .btf
        .type_by_id(var.def_type)
        .ok()
        .filter(|t| t.kind() == Kind::Struct)?;
    DefParser {
        btf: var.btf,
        findings: Vec::new(),
    }
    .parse(&var.name, &def, false)
    .ok()
}

/// Checks `.maps` variables across objects in link order (`(file, object)` pairs).
pub fn check_link(objects: &[(&str, &ObjectSpec<'_>)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: Vec<MapVar<'_, '_>> = Vec::new();
    for (file, obj) in objects {
        for var in map_vars(file, obj) {
            let Some(main) = seen.iter().find(|m| m.name == var.name) else {
                seen.push(var);
                continue;
            };
            let finding = |message: String, errno| {
                Finding::new(Code::LinkMapMismatch, Subject::Map(var.name.clone()), message.clone())
                    .section(".maps")
                    .rule("a map shared between linked objects is defined once; extern and weak declarations repeat the definition exactly (type, key, value, max_entries, map_flags, numa_node, pinning, inner map)")
                    .effect(Actor::LibbpfLinker, Some(errno), message)
                    .fix(format!("make the declaration in {} match the definition in {}", var.file, main.file))
            };
            if main.strong && var.strong {
                findings.push(finding(
                    format!(
                        "conflicting non-weak symbol ({}) definition in '{}'",
                        var.name, var.file
                    ),
                    Errno::Einval,
                ));
                continue;
            }
            let (Some(a), Some(b)) = (parse_def(main), parse_def(&var)) else {
                continue;
            };
            if let Some(reason) = defs_mismatch(main.btf, &a, var.btf, &b) {
                findings.push(finding(
                    format!("global '{}': map {reason} mismatch", var.name),
                    Errno::Einval,
                ));
            }
        }
    }
    findings
}

/// libbpf's `map_defs_match`: the first field that differs, in libbpf's order
/// and with its wording (a differing value *type* is reported as "key type",
/// as libbpf does).
fn defs_mismatch(btf1: &Btf<'_>, a: &MapDef, btf2: &Btf<'_>, b: &MapDef) -> Option<&'static str> {
    if a.map_type != b.map_type {
        return Some("type");
    }
    if a.key_size != b.key_size {
        return Some("key_size");
    }
    if (a.key_type_id != 0) != (b.key_type_id != 0)
        || (a.has_key && !types_match(btf1, a.key_type_id, btf2, b.key_type_id, true, 0))
    {
        return Some("key type");
    }
    if a.value_size != b.value_size {
        return Some("value_size");
    }
    if (a.value_type_id != 0) != (b.value_type_id != 0) {
        return Some("value type");
    }
    if a.has_value && !types_match(btf1, a.value_type_id, btf2, b.value_type_id, true, 0) {
        return Some("key type");
    }
    if a.max_entries != b.max_entries {
        return Some("max_entries");
    }
    if a.map_flags != b.map_flags {
        return Some("map_flags");
    }
    if a.numa_node != b.numa_node {
        return Some("numa_node");
    }
    if a.pinning != b.pinning {
        return Some("pinning");
    }
    match (&a.inner, &b.inner) {
        (None, None) => None,
        (Some(ia), Some(ib)) => defs_mismatch(btf1, ia, btf2, ib),
        _ => Some("inner map"),
    }
}

/// libbpf's `glob_sym_btf_matches`: structural equality across two BTFs.
/// Pointers compare only the shape of what they point to; arrays ignore
/// their length; integers and enums compare size only.
fn types_match(
    btf1: &Btf<'_>,
    id1: u32,
    btf2: &Btf<'_>,
    id2: u32,
    exact: bool,
    depth: u32,
) -> bool {
    if depth > MAX_RESOLVE_DEPTH {
        return false;
    }
    let (Ok(id1), Ok(id2)) = (
        btf1.skip_mods_and_typedefs(id1),
        btf2.skip_mods_and_typedefs(id2),
    ) else {
        return false;
    };
    if id1 == 0 || id2 == 0 {
        return id1 == id2;
    }
    let (Ok(t1), Ok(t2)) = (btf1.type_by_id(id1), btf2.type_by_id(id2)) else {
        return false;
    };
    if !exact && (t1.kind() == Kind::Fwd) != (t2.kind() == Kind::Fwd) {
        // A forward declaration matches a struct/union of the same name.
        return btf1.str_bytes(t1.name_off()).ok() == btf2.str_bytes(t2.name_off()).ok();
    }
    if t1.kind() != t2.kind() {
        return false;
    }
    if matches!(
        t1.kind(),
        Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64 | Kind::Fwd | Kind::Func | Kind::Var
    ) && btf1.str_bytes(t1.name_off()).ok() != btf2.str_bytes(t2.name_off()).ok()
    {
        return false;
    }
    let recurse = |a, b, exact| types_match(btf1, a, btf2, b, exact, depth + 1);
    match t1.kind() {
        Kind::Fwd => true,
        Kind::Int | Kind::Float | Kind::Enum | Kind::Enum64 => t1.size() == t2.size(),
        Kind::Ptr => recurse(t1.type_id(), t2.type_id(), false),
        Kind::Array => match (t1.array(), t2.array()) {
            (Some(a), Some(b)) => recurse(a.elem_type, b.elem_type, exact),
            _ => false,
        },
        Kind::Func | Kind::Var => recurse(t1.type_id(), t2.type_id(), exact),
        Kind::Struct | Kind::Union => {
            if !exact {
                return true;
            }
            t1.vlen() == t2.vlen()
                && t1.members().zip(t2.members()).all(|(m1, m2)| {
                    btf1.str_bytes(m1.name_off).ok() == btf2.str_bytes(m2.name_off).ok()
                        && m1.raw_offset == m2.raw_offset
                        && recurse(m1.type_id, m2.type_id, exact)
                })
        }
        Kind::FuncProto => {
            t1.vlen() == t2.vlen()
                && recurse(t1.type_id(), t2.type_id(), exact)
                && t1
                    .params()
                    .zip(t2.params())
                    .all(|(p1, p2)| recurse(p1.type_id, p2.type_id, exact))
        }
        _ => false,
    }
}
