//! Comparing two BTFs by what C sees: every named struct, union, enum and
//! typedef with its size and member layout, members described down to the
//! names of the types they use (anonymous types are described in full).
//! Ids, order and type names of integers (clang says `unsigned long` where
//! gcc said `long unsigned int`) do not matter; sizes, offsets, bitfields,
//! element counts, enumerator values and the names C code uses do.

#![allow(dead_code)]

use bpfc::btf::{Btf, Kind, Type};
use std::collections::BTreeMap;

/// `(kind, name)` → the layouts of every type so named (several for
/// duplicate names: the C dumper calls the second `name___2`, whose suffix
/// is dropped here).
pub type Layouts = BTreeMap<(String, String), Vec<String>>;

/// Strips the `___N` the C dumper adds to tell same-named types apart.
pub fn base_name(name: &str) -> &str {
    match name.rfind("___") {
        Some(at) if name[at + 3..].chars().all(|c| c.is_ascii_digit()) && at + 3 < name.len() => {
            &name[..at]
        }
        _ => name,
    }
}

fn kind_word(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Struct => "struct",
        Kind::Union => "union",
        Kind::Enum | Kind::Enum64 => "enum",
        Kind::Typedef => "typedef",
        _ => return None,
    })
}

/// A type as a member sees it.
pub fn describe(btf: &Btf<'_>, id: u32, depth: u32) -> String {
    if id == 0 {
        return "void".into();
    }
    let Ok(t) = btf.type_by_id(id) else {
        return format!("bad#{id}");
    };
    let name = btf
        .name(&t)
        .map(|n| base_name(&n).to_string())
        .unwrap_or_default();
    let named = !name.is_empty();
    match t.kind() {
        Kind::Int => {
            let info = t.int().expect("int");
            let bool_ = info.encoding & bpfc::btf::int_encoding::BOOL != 0;
            // `char` may be signed or not depending on who compiled it.
            let signed = info.is_signed() && t.size() > 1;
            format!(
                "int{}{}{}",
                t.size() * 8,
                if signed { "s" } else { "" },
                if bool_ { "b" } else { "" }
            )
        }
        Kind::Float if name == "long double" => "long double".into(),
        Kind::Float => format!("float{}", t.size() * 8),
        Kind::Ptr => format!(
            "*{}",
            if depth > 8 {
                "..".into()
            } else {
                describe(btf, t.type_id(), depth + 1)
            }
        ),
        // C: a qualified array type is an array of qualified elements;
        // gcc writes both qualifiers, clang only the elements'.
        Kind::Const | Kind::Volatile if is_array(btf, t.type_id()) => {
            describe(btf, t.type_id(), depth + 1)
        }
        // clang's DWARF drops `const` on an anonymous struct member
        // (`const struct { ... };`), so a C round trip cannot keep it.
        Kind::Const if is_anonymous_composite(btf, t.type_id()) => {
            describe(btf, t.type_id(), depth + 1)
        }
        Kind::Const => format!("const {}", describe(btf, t.type_id(), depth + 1)),
        Kind::Volatile => format!("volatile {}", describe(btf, t.type_id(), depth + 1)),
        Kind::Restrict => format!("restrict {}", describe(btf, t.type_id(), depth + 1)),
        Kind::TypeTag => format!("tag({name}) {}", describe(btf, t.type_id(), depth + 1)),
        Kind::Array => {
            let a = t.array().expect("array");
            format!("[{}]{}", a.nelems, describe(btf, a.elem_type, depth + 1))
        }
        Kind::FuncProto => {
            let params: Vec<String> = t
                .params()
                .map(|p| describe(btf, p.type_id, depth + 1))
                .collect();
            format!(
                "fn({}) -> {}",
                params.join(", "),
                describe(btf, t.type_id(), depth + 1)
            )
        }
        Kind::Fwd => format!("{} {name}", if t.kflag() { "union" } else { "struct" }),
        k if named => format!("{} {name}", kind_word(k).unwrap_or("?")),
        _ if depth > 8 => "anon..".into(),
        _ => layout(btf, &t, depth + 1),
    }
}

fn is_anonymous_composite(btf: &Btf<'_>, id: u32) -> bool {
    btf.type_by_id(id)
        .is_ok_and(|t| matches!(t.kind(), Kind::Struct | Kind::Union) && t.name_off() == 0)
}

fn is_array(btf: &Btf<'_>, id: u32) -> bool {
    btf.type_by_id(id).is_ok_and(|t| t.kind() == Kind::Array)
}

/// A named or anonymous type's own layout.
pub fn layout(btf: &Btf<'_>, t: &Type<'_>, depth: u32) -> String {
    match t.kind() {
        Kind::Struct | Kind::Union => {
            let members: Vec<String> = t
                .members()
                .map(|m| {
                    let name = btf.str_at(m.name_off).unwrap_or_default();
                    let bits = if t.kflag() { m.bitfield_size() } else { 0 };
                    let off = m.bit_offset();
                    format!("{name}@{off}:{bits} {}", describe(btf, m.type_id, depth))
                })
                .collect();
            // C cannot give a composite without members a size (the dump
            // writes `union {}`), so such a size is not compared.
            let size = if members.is_empty() {
                "?".to_string()
            } else {
                t.size().to_string()
            };
            format!(
                "{}{{size={size} {}}}",
                kind_word(t.kind()).unwrap_or("?"),
                members.join("; ")
            )
        }
        Kind::Enum | Kind::Enum64 => {
            let mut values: Vec<String> = t
                .enumerators()
                .map(|e| {
                    let name = btf.str_at(e.name_off).unwrap_or_default();
                    let name = base_name(&name);
                    // Compare the bit pattern cut to the enum's size.
                    let bits = t.size().min(8) * 8;
                    let mask = if bits == 64 {
                        u64::MAX
                    } else {
                        (1u64 << bits) - 1
                    };
                    format!("{name}={}", e.value & mask)
                })
                .collect();
            values.sort();
            format!("enum{{size={} {}}}", t.size(), values.join(","))
        }
        Kind::Typedef => format!("= {}", describe(btf, t.type_id(), depth)),
        _ => describe(btf, t.id(), depth),
    }
}

/// Every named struct, union, enum and typedef.
pub fn layouts(btf: &Btf<'_>) -> Layouts {
    let mut out = Layouts::new();
    for t in btf.types() {
        let Some(kind) = kind_word(t.kind()) else {
            continue;
        };
        let name = btf.name(&t).unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        // An enum declared but not defined (vlen 0) says nothing to compare.
        if kind == "enum" && t.vlen() == 0 {
            continue;
        }
        out.entry((kind.to_string(), base_name(&name).to_string()))
            .or_default()
            .push(layout(btf, &t, 0));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// The differences of `ours` from `reference` for every type of the
/// reference (types only ours has are not differences), skipping those
/// `skip` says to.
pub fn differences(
    reference: &Layouts,
    ours: &Layouts,
    skip: impl Fn(&(String, String), &str) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, want) in reference {
        let got = ours.get(key);
        let want: Vec<&String> = want.iter().filter(|l| !skip(key, l)).collect();
        if want.is_empty() {
            continue;
        }
        let Some(got) = got else {
            out.push(format!("{} {}: missing", key.0, key.1));
            continue;
        };
        for w in want {
            if !got.contains(w) {
                out.push(format!(
                    "{} {}:\n  want {w}\n  got  {}",
                    key.0,
                    key.1,
                    got.join("\n       ")
                ));
            }
        }
    }
    out
}

/// The named types that hold one of `seeds` by value (directly, in an
/// array, or through a named type that does), and the seeds themselves:
/// what a difference in the seeds' layout also changes.
pub fn holding(
    reference: &Layouts,
    seeds: impl IntoIterator<Item = (String, String)>,
) -> std::collections::HashSet<(String, String)> {
    let mut out: std::collections::HashSet<(String, String)> = seeds.into_iter().collect();
    loop {
        let before = out.len();
        for (key, layouts) in reference {
            if out.contains(key) {
                continue;
            }
            let by_value = |l: &String| {
                out.iter().any(|(k, n)| {
                    [" ", "]", "= "].iter().any(|pre| {
                        [";", "}"]
                            .iter()
                            .any(|post| l.contains(&format!("{pre}{k} {n}{post}")))
                            || l.ends_with(&format!("{pre}{k} {n}"))
                    })
                })
            };
            if layouts.iter().any(by_value) {
                out.insert(key.clone());
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The named types whose layout mentions `needle`, and those that hold
/// them by value.
pub fn tainted(reference: &Layouts, needle: &str) -> std::collections::HashSet<(String, String)> {
    let seeds: Vec<(String, String)> = reference
        .iter()
        .filter(|(_, ls)| ls.iter().any(|l| l.contains(needle)))
        .map(|(k, _)| k.clone())
        .collect();
    holding(reference, seeds)
}

/// Every VAR and FUNC by kind and name (a VAR's linkage and type, a FUNC's
/// linkage and prototype), and for each variable in a DATASEC that it is in
/// one. Which section is the target's choice (a host puts a table of
/// pointers in `.data.rel.ro`, BPF in `.rodata`), and clang leaves offsets
/// and sizes 0 for libbpf to fill in, so neither is compared.
pub fn declarations(btf: &Btf<'_>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for t in btf.types() {
        let name = btf.name(&t).unwrap_or_default().to_string();
        match t.kind() {
            Kind::Var => {
                out.insert(
                    format!("VAR {name}"),
                    format!(
                        "linkage {:?} {}",
                        t.var_linkage(),
                        describe(btf, t.type_id(), 0)
                    ),
                );
            }
            Kind::Func => {
                out.insert(
                    format!("FUNC {name}"),
                    format!(
                        "linkage {:?} {}",
                        t.func_linkage(),
                        describe(btf, t.type_id(), 0)
                    ),
                );
            }
            Kind::Datasec => {
                for e in t.datasec_entries() {
                    let var = btf
                        .type_by_id(e.type_id)
                        .ok()
                        .and_then(|v| btf.name(&v).ok().map(|n| n.to_string()))
                        .unwrap_or_default();
                    out.insert(format!("IN DATASEC {var}"), "yes".into());
                }
            }
            _ => {}
        }
    }
    out
}
