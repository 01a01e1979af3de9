//! C declarations of an object's maps, for C BPF programs (`bpfc gen header`).
//!
//! [`generate`] turns any BPF object bpfc reads (clang's, GCC's, bpfc's own)
//! into a C header with, for every BTF-defined map in `.maps`:
//!
//! - the key and value types and everything they reference, printed by the
//!   BTF→C dumper ([`crate::btf::dump::c::dump_c_types`], bpftool's style);
//! - libbpf's map definition, by default as an `extern` declaration
//!   (`extern struct { ... } NAME SEC(".maps");`) that a C program compiles
//!   against and libbpf's static linker (`bpftool gen object out.o maps.o
//!   prog.o`) resolves to the object's definition; with
//!   [`HeaderOptions::define`] as a full definition instead.
//!
//! # Choices
//!
//! - **Works with or without `<bpf/bpf_helpers.h>`.** `SEC`, `__uint`,
//!   `__type`, `__array` (and `__ulong`, only when a `map_extra` needs 64
//!   bits) are defined exactly as bpf_helpers.h defines them, each under
//!   `#ifndef`, so including bpf_helpers.h before or after changes nothing.
//! - **Numbers, not enum names.** `__uint(type, 1 /* BPF_MAP_TYPE_HASH */)`:
//!   the map type, flags and pinning are written as numbers with the names in
//!   a comment, so the header needs neither `<linux/bpf.h>` nor `vmlinux.h`
//!   (and cannot be broken by an older one that lacks a newer name).
//! - **Types can be skipped, one by one or all.** Each top-level definition
//!   is wrapped in `#ifndef BPFC_TYPE_<kind>_<name>` and defines that macro,
//!   so two generated headers sharing a type can be included together, and a
//!   program that gets a type elsewhere (its own header, `vmlinux.h`) defines
//!   e.g. `BPFC_TYPE_struct_iphdr` before including the header. Defining
//!   `BPFC_NO_TYPES` skips every type definition. The BPF types that
//!   `<linux/bpf.h>` and `vmlinux.h` define for maps (`struct bpf_spin_lock`,
//!   `bpf_timer`, `bpf_lpm_trie_key`, ...) are skipped automatically when
//!   either was included first (the header goes after them). Typedefs identical to the kernel's (`__u32`) may be repeated in
//!   C11, so including `<linux/types.h>` before or after is fine.
//! - **No `preserve_access_index`.** Unlike `vmlinux.h`, the types are the
//!   program's own, not the kernel's: CO-RE relocations against them would
//!   make libbpf look for them in the kernel's BTF and fail.
//! - **Legacy maps** (`SEC("maps")`, `struct bpf_map_def`) get a comment,
//!   not a declaration: libbpf 1.0 dropped them and its static linker cannot
//!   resolve them. Global data maps (`.data`, `.rodata`, `.bss`, `.kconfig`)
//!   are the program's own variables and are left out; struct_ops maps get a
//!   comment.
//! - **Key and value.** `__type(key, T)`/`__type(value, T)` where the map
//!   has BTF types, `__uint(key_size, N)`/`__uint(value_size, N)` where it
//!   has only sizes. An outer map's inner template is spelled out inline in
//!   `__array(values, struct { ... })`; its initial slots (`.values = {...}`)
//!   are listed in a comment but not reproduced by `--define`. Fields that
//!   are zero (flags, numa_node, pinning, map_extra, max_entries) are left
//!   out, which libbpf reads the same way.
//! - **Outer maps with initial values** (`.values = { [1] = &inner }`) are
//!   declared, with a comment: libbpf 1.1's linker gives the linked map the
//!   extern declaration's BTF type, which has no room for the values, and
//!   libbpf then fails to open the result ("cannot find map 'inner' at
//!   rel->r_offset"). Outer maps without initial values link and load.
//! - **Link order.** With libbpf 1.1's linker (bpftool v7.1) the object that
//!   defines the maps must come before the one that declares them extern,
//!   as in the kernel selftests (`linked_maps`): the other way round the
//!   program's relocations end up pointing where no map is ("map relo
//!   failed to find map for section '.maps'").
//! - **Limits.** A type named like a kernel type (`struct node`, `enum
//!   proto`) cannot share a C file with `vmlinux.h`: the `BPFC_TYPE_*`
//!   macros only help when the type *is* the kernel's. Two different types
//!   of one name in the object's BTF are printed as `name` and `name___2`
//!   (as bpftool does), so the second no longer matches the object's type
//!   by name when libbpf's linker compares them. Integer types are spelled
//!   by their BTF name (`unsigned int`), which clang may record differently
//!   than an old compiler did (`long unsigned int`); sizes and encodings
//!   are what the kernel uses.
//! - **Deterministic.** No timestamps, paths or versions: the same object
//!   gives the same bytes.

use std::fmt::Write as _;

use thiserror::Error;

use crate::btf::dump::c::{dump_c_types, CTypeSubset};
use crate::btf::{Btf, Kind};
use crate::maps::{MapFlags, MapSource, MapSpec, MapType, PIN_BY_NAME};
use crate::object::ObjectSpec;

/// How to generate the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderOptions {
    /// Full definitions (`struct {...} NAME SEC(".maps");`) instead of
    /// `extern` declarations.
    pub define: bool,
    /// Include guard macro (bytes that cannot be in a macro name become
    /// `_`); `None` for `BPFC_<OBJECT>_H` from the object name.
    pub guard: Option<String>,
}

/// Why no header could be generated.
#[derive(Debug, Error)]
pub enum HeaderError {
    /// Nothing to declare: the object has no BTF-defined map.
    #[error("object '{object}' has no BTF-defined maps (section .maps) to declare{}", legacy_note(*.legacy))]
    NoMaps {
        object: String,
        /// How many legacy (`maps` section) maps it has instead.
        legacy: usize,
    },
    /// The key/value types could not be printed as C (malformed BTF).
    #[error("cannot print the maps' key/value types as C: {0}")]
    Types(#[source] std::io::Error),
    /// A type the declarations need has a name that is no C identifier
    /// (the kernel would refuse it too); printing it could forge C code.
    #[error("BTF type [{type_id}] used by map '{map}' has the name \"{name}\", which is not a C identifier")]
    BadName {
        map: String,
        type_id: u32,
        /// The name, control characters escaped.
        name: String,
    },
}

fn legacy_note(legacy: usize) -> String {
    match legacy {
        0 => String::new(),
        n => format!("; its {n} legacy map definition(s) (section maps) are not declared: libbpf 1.0 dropped legacy maps"),
    }
}

/// The header for `obj`'s BTF-defined maps, their types taken from `btf`
/// (normally `obj.btf`). See the module docs for what it contains.
pub fn generate(
    obj: &ObjectSpec<'_>,
    btf: &Btf<'_>,
    opts: &HeaderOptions,
) -> Result<String, HeaderError> {
    let declared: Vec<&MapSpec> = obj
        .maps
        .iter()
        .filter(|m| matches!(m.source, MapSource::BtfMaps { .. }) && is_c_identifier(&m.name))
        .collect();
    let btf_maps = obj
        .maps
        .iter()
        .filter(|m| matches!(m.source, MapSource::BtfMaps { .. }))
        .count();
    if btf_maps == 0 {
        return Err(HeaderError::NoMaps {
            object: obj.name.clone(),
            legacy: obj
                .maps
                .iter()
                .filter(|m| matches!(m.source, MapSource::Legacy { .. }))
                .count(),
        });
    }

    // Every BTF type a declaration spells, in declaration order, each
    // checked to print as C names only.
    let mut roots = Vec::new();
    for m in &declared {
        for spec in std::iter::once(*m).chain(m.inner.as_deref()) {
            for id in [spec.btf_key_type_id, spec.btf_value_type_id] {
                if id != 0 {
                    check_names(btf, id, &m.name)?;
                    roots.push(id);
                }
            }
        }
    }
    let types = dump_c_types(btf, &roots).map_err(HeaderError::Types)?;
    let names: TypeNames = roots
        .iter()
        .copied()
        .zip(types.type_names.iter().cloned())
        .collect();

    let guard = match &opts.guard {
        Some(g) => macro_part(g),
        None => format!("BPFC_{}_H", macro_part(&obj.name).to_ascii_uppercase()),
    };
    let mut h = String::new();
    let shown = comment_safe(&obj.name);
    let _ = writeln!(
        h,
        "/* Maps of the BPF object \"{shown}\", for C BPF programs."
    );
    if opts.define {
        h.push_str(" * Full definitions: the program that includes this defines the maps.\n");
        h.push_str(" * Generated by `bpfc gen header --define`; do not edit.\n */\n");
    } else {
        h.push_str(" * Declared extern: link the program with the object, the object first:\n");
        h.push_str(" *   bpftool gen object OUT.o OBJECT.o PROGRAM.o\n");
        h.push_str(" * Generated by `bpfc gen header`; do not edit.\n */\n");
    }
    let _ = writeln!(h, "#ifndef {guard}\n#define {guard}\n");
    h.push_str(HELPER_MACROS);
    if declared
        .iter()
        .flat_map(|m| std::iter::once(*m).chain(m.inner.as_deref()))
        .any(|m| m.map_extra > u64::from(u32::MAX))
    {
        h.push_str(ULONG_MACRO);
    }
    h.push('\n');
    write_types(&mut h, &types);

    for m in &obj.maps {
        match &m.source {
            MapSource::BtfMaps { .. } if is_c_identifier(&m.name) => {
                write_map(&mut h, m, opts.define, &names);
            }
            MapSource::BtfMaps { .. } => {
                let _ = writeln!(
                    h,
                    "/* map \"{}\": its name is not a C identifier; not declared */\n",
                    comment_safe(&m.name)
                );
            }
            MapSource::Legacy { section, .. } => {
                let _ = writeln!(
                    h,
                    "/* map \"{}\": legacy definition in section \"{}\" (struct bpf_map_def); not declared: libbpf 1.0 dropped legacy maps and its linker cannot resolve them */\n",
                    comment_safe(&m.name),
                    comment_safe(section)
                );
            }
            MapSource::StructOps { section, .. } => {
                let _ = writeln!(
                    h,
                    "/* map \"{}\": struct_ops map in section \"{}\"; not declared */\n",
                    comment_safe(&m.name),
                    comment_safe(section)
                );
            }
            MapSource::Internal { .. } | MapSource::Declared | MapSource::Inner => {}
        }
    }
    let _ = writeln!(h, "#endif /* {guard} */");
    Ok(h)
}

/// How each key/value type id is spelled in a declaration.
type TypeNames = std::collections::BTreeMap<u32, String>;

/// bpf_helpers.h's definitions (libbpf 1.x), each only if not yet defined.
const HELPER_MACROS: &str = r#"/* libbpf's map definition macros, as <bpf/bpf_helpers.h> defines them. */
#ifndef SEC
#define SEC(name) \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wignored-attributes\"") \
	__attribute__((section(name), used)) \
	_Pragma("GCC diagnostic pop")
#endif
#ifndef __uint
#define __uint(name, val) int (*name)[val]
#endif
#ifndef __type
#define __type(name, val) typeof(val) *name
#endif
#ifndef __array
#define __array(name, val) typeof(val) *name[]
#endif
"#;

const ULONG_MACRO: &str = r#"#ifndef __ulong
#define ___bpfc_concat(a, b) a##b
#define ___bpfc_unique(n) ___bpfc_concat(___bpfc_ulong_, n)
#define __ulong(name, val) enum { ___bpfc_unique(__COUNTER__) = val } name
#endif
"#;

/// Struct names `<linux/bpf.h>` (and so `vmlinux.h`) defines that can be a
/// map key or value or part of one. Skipped after either header: a newer
/// linux/bpf.h would clash with our copy; an older one that lacks a newer
/// type (bpf_wq, bpf_list_head, ...) leaves it undefined, a clear error that
/// vmlinux.h of a kernel supporting the map fixes.
const UAPI_BPF_STRUCTS: &[&str] = &[
    "bpf_spin_lock",
    "bpf_res_spin_lock",
    "bpf_timer",
    "bpf_wq",
    "bpf_task_work",
    "bpf_dynptr",
    "bpf_list_head",
    "bpf_list_node",
    "bpf_rb_root",
    "bpf_rb_node",
    "bpf_refcount",
    "bpf_lpm_trie_key",
    "bpf_lpm_trie_key_hdr",
    "bpf_lpm_trie_key_u8",
    "bpf_cgroup_storage_key",
    "bpf_stack_build_id",
];

fn write_types(h: &mut String, types: &CTypeSubset) {
    if types.definitions.is_empty() {
        return;
    }
    h.push_str(
        "/* Key and value types. Define BPFC_TYPE_<kind>_<name> to skip one you already\n * have (from vmlinux.h or your own header), BPFC_NO_TYPES to skip them all. */\n",
    );
    h.push_str("#ifndef BPFC_NO_TYPES\n\n");
    for d in &types.definitions {
        let kind = match d.kind {
            Kind::Struct => "struct",
            Kind::Union => "union",
            Kind::Enum | Kind::Enum64 => "enum",
            Kind::Typedef | Kind::Int => "typedef",
            // Forward declarations may be repeated freely.
            _ => "",
        };
        if kind.is_empty() || d.name.is_empty() {
            h.push_str(&d.text);
            continue;
        }
        let mac = format!("BPFC_TYPE_{kind}_{}", macro_part(&d.name));
        if kind == "struct" && UAPI_BPF_STRUCTS.contains(&d.name.as_str()) {
            let _ = writeln!(
                h,
                "#if !defined({mac}) && !defined(__VMLINUX_H__) && !defined(__LINUX_BPF_H__)"
            );
        } else {
            let _ = writeln!(h, "#ifndef {mac}");
        }
        let _ = writeln!(h, "#define {mac}");
        h.push_str(d.text.trim_end_matches('\n'));
        h.push_str("\n#endif\n\n");
    }
    h.push_str("#endif /* BPFC_NO_TYPES */\n\n");
}

fn write_map(h: &mut String, m: &MapSpec, define: bool, names: &TypeNames) {
    if !m.slots.is_empty() {
        let slots: Vec<String> = m
            .slots
            .iter()
            .map(|s| format!("[{}] = {}", s.index, comment_safe(&s.target)))
            .collect();
        let _ = writeln!(
            h,
            "/* {}: initial values in the object: {}{} */",
            m.name,
            slots.join(", "),
            if define {
                " (not reproduced here)"
            } else {
                ";\n * with libbpf 1.1 (bpftool v7.1) a program referencing this declaration links\n * but does not open: the linked map gets this declaration's size, no values"
            }
        );
    }
    if !define {
        h.push_str("extern ");
    }
    h.push_str("struct {\n");
    write_fields(h, m, 1, names);
    let _ = writeln!(h, "}} {} SEC(\".maps\");\n", m.name);
}

fn write_fields(h: &mut String, m: &MapSpec, lvl: usize, names: &TypeNames) {
    let ind = "\t".repeat(lvl);
    let type_comment = match MapType::from_u32(m.map_type) {
        Some(t) => format!(" /* BPF_MAP_TYPE_{} */", t.name().to_ascii_uppercase()),
        None => String::new(),
    };
    let _ = writeln!(h, "{ind}__uint(type, {}{type_comment});", m.map_type);
    if m.btf_key_type_id != 0 {
        let _ = writeln!(h, "{ind}__type(key, {});", names[&m.btf_key_type_id]);
    } else if m.key_size != 0 {
        let _ = writeln!(h, "{ind}__uint(key_size, {});", m.key_size);
    }
    // An outer map's value is the inner map (libbpf makes value_size 4).
    if m.inner.is_none() {
        if m.btf_value_type_id != 0 {
            let _ = writeln!(h, "{ind}__type(value, {});", names[&m.btf_value_type_id]);
        } else if m.value_size != 0 {
            let _ = writeln!(h, "{ind}__uint(value_size, {});", m.value_size);
        }
    }
    if m.max_entries != 0 {
        let _ = writeln!(h, "{ind}__uint(max_entries, {});", m.max_entries);
    }
    if m.map_flags != 0 {
        let (names, rest) = MapFlags(m.map_flags).names();
        let mut parts: Vec<String> = names
            .iter()
            .map(|n| format!("BPF_F_{}", n.to_ascii_uppercase()))
            .collect();
        if rest != 0 {
            parts.push(format!("{rest:#x}"));
        }
        let _ = writeln!(
            h,
            "{ind}__uint(map_flags, {:#x} /* {} */);",
            m.map_flags,
            parts.join(" | ")
        );
    }
    if m.numa_node != 0 {
        let _ = writeln!(h, "{ind}__uint(numa_node, {});", m.numa_node);
    }
    if m.pinning != 0 {
        let c = if m.pinning == PIN_BY_NAME {
            " /* LIBBPF_PIN_BY_NAME */"
        } else {
            ""
        };
        let _ = writeln!(h, "{ind}__uint(pinning, {}{c});", m.pinning);
    }
    if m.map_extra > u64::from(u32::MAX) {
        let _ = writeln!(h, "{ind}__ulong(map_extra, {:#x}ULL);", m.map_extra);
    } else if m.map_extra != 0 {
        let _ = writeln!(h, "{ind}__uint(map_extra, {});", m.map_extra);
    }
    if let Some(inner) = &m.inner {
        let _ = writeln!(h, "{ind}__array(values, struct {{");
        write_fields(h, inner, lvl + 1, names);
        let _ = writeln!(h, "{ind}}});");
    }
}

/// Every name reachable from type `root` (types, members, parameters,
/// enumerators) must be a C identifier, integer and float names may have
/// spaces (`unsigned int`): the header is C that a user compiles, and a
/// hostile object must not get a newline or a `#define` into it. Type ids
/// that do not resolve are left to the dumper's errors.
fn check_names(btf: &Btf<'_>, root: u32, map: &str) -> Result<(), HeaderError> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root];
    let bad = |type_id: u32, name: &[u8]| HeaderError::BadName {
        map: map.to_string(),
        type_id,
        name: comment_safe(&String::from_utf8_lossy(name)),
    };
    // `extra`: bytes allowed besides an identifier's (spaces in `unsigned
    // int`; a type tag's attribute text such as `address_space(1)`).
    let name_ok = |off: u32, extra: &[u8]| -> Result<(), Vec<u8>> {
        let name = btf.str_bytes(off).unwrap_or(b"");
        let cleaned: String = name
            .iter()
            .map(|&b| {
                if extra.contains(&b) {
                    '_'
                } else {
                    char::from(b)
                }
            })
            .collect();
        let ok = name.is_empty() || (name.is_ascii() && is_c_identifier(&cleaned));
        if ok {
            Ok(())
        } else {
            Err(name.to_vec())
        }
    };
    while let Some(id) = stack.pop() {
        if id == 0 || !seen.insert(id) {
            continue;
        }
        let Ok(t) = btf.type_by_id(id) else {
            continue;
        };
        let extra: &[u8] = match t.kind() {
            Kind::Int | Kind::Float => b" ",
            Kind::TypeTag => b" (),",
            _ => b"",
        };
        name_ok(t.name_off(), extra).map_err(|n| bad(id, &n))?;
        match t.kind() {
            Kind::Struct | Kind::Union => {
                for m in t.members() {
                    name_ok(m.name_off, b"").map_err(|n| bad(id, &n))?;
                    stack.push(m.type_id);
                }
            }
            Kind::Enum | Kind::Enum64 => {
                for e in t.enumerators() {
                    name_ok(e.name_off, b"").map_err(|n| bad(id, &n))?;
                }
            }
            Kind::FuncProto => {
                stack.push(t.type_id());
                for p in t.params() {
                    name_ok(p.name_off, b"").map_err(|n| bad(id, &n))?;
                    stack.push(p.type_id);
                }
            }
            Kind::Array => {
                if let Some(a) = t.array() {
                    stack.push(a.elem_type);
                }
            }
            Kind::Ptr
            | Kind::Typedef
            | Kind::Const
            | Kind::Volatile
            | Kind::Restrict
            | Kind::TypeTag => stack.push(t.type_id()),
            _ => {}
        }
    }
    Ok(())
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn is_c_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `s` with every byte that cannot be part of a macro name as `_`.
fn macro_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `s` safe inside a C comment on one line: control characters and the
/// comment terminator are escaped.
fn comment_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.replace("*/", "*\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_macro_names() {
        assert!(is_c_identifier("flows"));
        assert!(is_c_identifier("_x1"));
        assert!(!is_c_identifier("1x"));
        assert!(!is_c_identifier("a.b"));
        assert!(!is_c_identifier(""));
        assert_eq!(macro_part("map-fields.x"), "map_fields_x");
        assert_eq!(comment_safe("a*/b\n"), "a*\\/b\\n");
    }
}
