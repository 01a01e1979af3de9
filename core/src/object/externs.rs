//! Extern symbols: `.kconfig` values libbpf fills in and `.ksyms` kernel
//! symbols it resolves (`bpf_object__collect_externs`).
//!
//! Their layout matters before load: the `.kconfig` map's size and the BTF
//! fix-ups both come from it.

use super::symbol::Symbol;
use crate::btf::{func_linkage, int_encoding, var_linkage, Btf, Kind};
use serde::Serialize;

/// An extern the object references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extern {
    pub name: String,
    /// Symbol table index.
    pub symbol: u32,
    /// BTF id of its VAR or FUNC.
    pub btf_id: u32,
    pub weak: bool,
    pub kind: ExternKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExternKind {
    /// A `.kconfig` value, placed at `offset` in the `.kconfig` map.
    Kconfig {
        size: u32,
        align: u32,
        offset: u32,
        value_type: KconfigType,
        signed: bool,
    },
    /// A `.ksyms` kernel symbol (variable or kfunc).
    Ksym { func: bool },
}

/// libbpf's `enum kcfg_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KconfigType {
    Char,
    Bool,
    Int,
    Tristate,
    CharArray,
}

/// An extern libbpf refuses at open time, with libbpf's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternError {
    pub name: String,
    pub message: String,
    pub errno: crate::diag::Errno,
}

pub(crate) struct Externs {
    pub list: Vec<Extern>,
    pub errors: Vec<ExternError>,
    /// Total size of the `.kconfig` map (0 when there are no kconfig externs).
    pub kconfig_size: u32,
}

/// Finds the externs among the symbols and lays out `.kconfig`, as libbpf does.
pub(crate) fn collect(symbols: &[Symbol<'_>], btf: Option<&Btf<'_>>) -> Externs {
    use crate::diag::Errno;
    let mut list = Vec::new();
    let mut errors = Vec::new();
    let mut fail = |name: &str, errno, message: String| {
        errors.push(ExternError {
            name: name.to_string(),
            message,
            errno,
        })
    };
    for sym in symbols
        .iter()
        .filter(|s| s.is_extern() && !s.name.is_empty())
    {
        let name = sym.name.text();
        let name: &str = &name;
        let Some(btf) = btf else {
            fail(
                name,
                Errno::Esrch,
                format!("failed to find BTF for extern '{name}': -3"),
            );
            continue;
        };
        let btf_id = match find_extern_btf_id(btf, name) {
            Ok(id) => id,
            Err(errno) => {
                fail(
                    name,
                    errno,
                    format!(
                        "failed to find BTF for extern '{name}': -{}",
                        errno.number()
                    ),
                );
                continue;
            }
        };
        let Some((sec_name, _)) = find_extern_datasec(btf, btf_id) else {
            fail(
                name,
                Errno::Enoent,
                format!("failed to find BTF for extern '{name}' [{btf_id}] section: -2"),
            );
            continue;
        };
        let t = btf.type_by_id(btf_id).expect("id found above");
        let is_func = t.kind() == Kind::Func;
        let kind = match sec_name.as_str() {
            ".kconfig" => {
                if is_func {
                    fail(
                        name,
                        Errno::Eopnotsupp,
                        format!("extern function {name} is unsupported under .kconfig section"),
                    );
                    continue;
                }
                let size = btf.resolve_size(t.type_id()).unwrap_or(0);
                if size == 0 {
                    fail(
                        name,
                        Errno::Einval,
                        format!("failed to resolve size of extern (kcfg) '{name}'"),
                    );
                    continue;
                }
                let align = btf.align_of(t.type_id()).unwrap_or(0);
                if align == 0 {
                    fail(
                        name,
                        Errno::Einval,
                        format!("failed to determine alignment of extern (kcfg) '{name}'"),
                    );
                    continue;
                }
                let Some((value_type, signed)) = kconfig_type(btf, t.type_id(), 0) else {
                    fail(
                        name,
                        Errno::Eopnotsupp,
                        format!("extern (kcfg) '{name}': type is unsupported"),
                    );
                    continue;
                };
                ExternKind::Kconfig {
                    size: size as u32,
                    align: align as u32,
                    offset: 0,
                    value_type,
                    signed,
                }
            }
            ".ksyms" => ExternKind::Ksym { func: is_func },
            other => {
                fail(
                    name,
                    Errno::Eopnotsupp,
                    format!("unrecognized extern section '{other}'"),
                );
                continue;
            }
        };
        list.push(Extern {
            name: super::type_name(btf, &t).into_owned(),
            symbol: sym.index,
            btf_id,
            weak: sym.binding == super::symbol::Binding::Weak,
            kind,
        });
    }

    // libbpf's cmp_externs: kconfig before ksyms; kconfig by alignment
    // (largest first), then size (smallest first); then by name.
    list.sort_by(|a, b| {
        let key = |e: &Extern| match e.kind {
            ExternKind::Kconfig { align, size, .. } => (0, u32::MAX - align, size),
            ExternKind::Ksym { .. } => (1, 0, 0),
        };
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    let mut off = 0u32;
    for e in &mut list {
        if let ExternKind::Kconfig {
            size,
            align,
            ref mut offset,
            ..
        } = e.kind
        {
            *offset = off.div_ceil(align).saturating_mul(align);
            off = offset.saturating_add(size);
        }
    }
    Externs {
        list,
        errors,
        kconfig_size: off,
    }
}

/// libbpf's `find_extern_btf_id`: the first VAR or FUNC with the name, which
/// must have extern linkage.
fn find_extern_btf_id(btf: &Btf<'_>, name: &str) -> Result<u32, crate::diag::Errno> {
    use crate::diag::Errno;
    for t in btf.types() {
        let linkage = match t.kind() {
            Kind::Var => t.var_linkage().unwrap_or(0) == var_linkage::GLOBAL_EXTERN,
            Kind::Func => t.func_linkage().unwrap_or(0) == func_linkage::EXTERN,
            _ => continue,
        };
        if super::btf_str(btf, t.name_off()) != Some(name.as_bytes()) {
            continue;
        }
        return if linkage {
            Ok(t.id())
        } else {
            Err(Errno::Einval)
        };
    }
    Err(Errno::Enoent)
}

/// The DATASEC that lists `id` (its name and type id).
pub(crate) fn find_extern_datasec(btf: &Btf<'_>, id: u32) -> Option<(String, u32)> {
    btf.types()
        .filter(|t| t.kind() == Kind::Datasec)
        .find(|t| t.datasec_entries().any(|e| e.type_id == id))
        .map(|t| (super::type_name(btf, &t).into_owned(), t.id()))
}

/// libbpf's `find_kcfg_type`.
fn kconfig_type(btf: &Btf<'_>, id: u32, depth: u32) -> Option<(KconfigType, bool)> {
    if depth > crate::btf::MAX_RESOLVE_DEPTH {
        return None;
    }
    let t = btf.type_by_id(btf.skip_mods_and_typedefs(id).ok()?).ok()?;
    match t.kind() {
        Kind::Int => {
            let enc = t.int()?.encoding;
            if enc & int_encoding::BOOL != 0 {
                return (t.size() == 1).then_some((KconfigType::Bool, false));
            }
            let signed = enc & int_encoding::SIGNED != 0;
            match t.size() {
                1 => Some((KconfigType::Char, signed)),
                2 | 4 | 8 => Some((KconfigType::Int, signed)),
                _ => None,
            }
        }
        Kind::Enum | Kind::Enum64 => {
            let named = super::btf_str(btf, t.name_off())? == b"libbpf_tristate";
            (named && (t.kind() == Kind::Enum64 || t.size() == 4))
                .then_some((KconfigType::Tristate, false))
        }
        Kind::Array => {
            let a = t.array()?;
            (a.nelems != 0 && kconfig_type(btf, a.elem_type, depth + 1)?.0 == KconfigType::Char)
                .then_some((KconfigType::CharArray, false))
        }
        _ => None,
    }
}
