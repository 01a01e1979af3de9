//! The object against the machine's kernel (`bpfc check --host`): the
//! externs libbpf's `bpf_object__resolve_externs` and the struct_ops types
//! its `bpf_map__init_kern_struct_ops` will not find when it loads the
//! object here.
//!
//! A strong extern the kernel lacks fails every load (the program needs
//! the value or the address); a weak one is left zero, which is what weak
//! is for. libbpf's words and errnos, checked against libbpf 1.1 loading
//! testdata/c/kernel_refusals.bpf.c (core/tests/object_kernel_load.rs):
//! - `__kconfig`: no `CONFIG_X=` line (a `# CONFIG_X is not set` comment
//!   is none): "extern 'X' (strong): not resolved", `ESRCH`; a value the
//!   extern's C type cannot hold: `EINVAL`, or `ERANGE` when too large;
//! - typed `__ksym` variable or kfunc missing from the kernel's and the
//!   modules' BTF: "extern (var ksym) 'x': not found in kernel BTF" /
//!   "extern (func ksym) 'x': not found in kernel or module BTFs", which
//!   fail the load with `EINVAL`;
//! - typed `__ksym` found, but its declared type not compatible with the
//!   kernel's (`bpf_core_types_are_compat`, [`crate::btf::compat`]):
//!   "extern (var ksym) 'x': incompatible types, expected [..] .., but
//!   kernel has [..] .." / "extern (func ksym) 'x': func_proto [..]
//!   incompatible with kernel [..]", `EINVAL`, weak or not;
//! - typeless `__ksym` (`const void`) missing from `/proc/kallsyms`:
//!   "extern 'x' (strong): not resolved", `ESRCH`.
//!
//! `LINUX_*` externs are libbpf's own values and always resolve.
//!
//! A struct_ops map needs its type (`struct X`) and the kernel's value type
//! for it (`struct bpf_struct_ops_X`, present when the kernel registers X
//! as a struct_ops type) in the kernel's BTF: "struct_ops init_kern: struct
//! X is not found in kernel BTF", `ENOENT`.

use super::{Actor, Code, Errno, Finding, Severity, Subject};
use crate::btf::compat::{kind_str, types_are_compat};
use crate::btf::Kind;
use crate::host::HostKernel;
use crate::maps::MapSource;
use crate::object::{Extern, ExternKind, KconfigType, ObjectSpec};

pub(super) fn check(obj: &ObjectSpec<'_>, host: &HostKernel, out: &mut Vec<Finding>) {
    let mut unreadable = None;
    for e in &obj.externs {
        let verdict = match &e.kind {
            ExternKind::Kconfig { .. } if e.name.starts_with("LINUX_") => continue,
            ExternKind::Kconfig {
                size,
                value_type,
                signed,
                ..
            } => match host.kconfig() {
                Ok(config) => match config.value(&e.name) {
                    Some(value) => kconfig_value(&e.name, value, *value_type, *size, *signed),
                    None if e.weak => None,
                    None => Some(not_resolved(&e.name)),
                },
                Err(err) => {
                    unreadable.get_or_insert_with(|| err.to_string());
                    continue;
                }
            },
            ExternKind::Ksym { func } => {
                let typeless = !func && is_typeless(obj, e);
                let found = if typeless {
                    host.kallsyms_has(&e.name)
                } else {
                    host.btf_has(&e.name, *func)
                };
                match found {
                    Ok(true) if typeless => None,
                    Ok(true) => match type_mismatch(obj, e, *func, host) {
                        Ok(mismatch) => mismatch,
                        Err(err) => {
                            unreadable.get_or_insert_with(|| err.to_string());
                            continue;
                        }
                    },
                    Ok(false) if e.weak => None,
                    Ok(false) if typeless => Some(not_resolved(&e.name)),
                    Ok(false) if *func => Some((
                        Errno::Einval,
                        format!(
                            "extern (func ksym) '{}': not found in kernel or module BTFs",
                            e.name
                        ),
                    )),
                    Ok(false) => Some((
                        Errno::Einval,
                        format!("extern (var ksym) '{}': not found in kernel BTF", e.name),
                    )),
                    Err(err) => {
                        unreadable.get_or_insert_with(|| err.to_string());
                        continue;
                    }
                }
            }
        };
        if let Some((errno, message)) = verdict {
            out.push(
                Finding::new(Code::ExternMissingOnHost, Subject::Object, message.clone())
                    .severity(Severity::Error)
                    .btf_type(e.btf_id)
                    .rule(
                        "a strong __kconfig or __ksym extern must exist in the kernel that loads \
                         the object (its config, BTF or kallsyms), with a value its C type holds",
                    )
                    .effect(Actor::Libbpf, Some(errno), message)
                    .fix("mark the extern __weak and test for it at run time, or load on a kernel that has it"),
            );
        }
    }
    for m in &obj.maps {
        let MapSource::StructOps { type_name, section } = &m.source else {
            continue;
        };
        let value_type = format!("bpf_struct_ops_{type_name}");
        let mut missing = None;
        for name in [type_name.as_str(), value_type.as_str()] {
            match host.btf_has_struct(name) {
                Ok(true) => {}
                Ok(false) => {
                    missing = Some(name);
                    break;
                }
                Err(err) => {
                    unreadable.get_or_insert_with(|| err.to_string());
                    break;
                }
            }
        }
        if let Some(name) = missing {
            let message = format!("struct_ops init_kern: struct {name} is not found in kernel BTF");
            out.push(
                Finding::new(
                    Code::StructOpsNotInKernel,
                    Subject::Map(m.name.clone()),
                    message.clone(),
                )
                .section(section.as_str())
                .btf_type(m.btf_value_type_id)
                .rule(format!(
                    "a struct_ops map needs the kernel to define struct {type_name} and register it \
                     as a struct_ops type (struct {value_type})"
                ))
                .effect(Actor::Libbpf, Some(Errno::Enoent), message)
                .fix("load on a kernel (or with the module) that provides this struct_ops type"),
            );
        }
    }
    if let Some(reason) = unreadable {
        out.push(
            Finding::new(
                Code::ExternMissingOnHost,
                Subject::Object,
                format!("the externs and struct_ops types cannot be checked against this machine: {reason}"),
            )
            .severity(Severity::Note)
            .rule("--host looks externs and struct_ops types up where libbpf does: kernel config, BTF and kallsyms")
            .fix("run with access to /sys/kernel/btf, /proc/kallsyms and the kernel config"),
        );
    }
}

/// libbpf's verdict when the extern's declared type is not compatible with
/// the kernel's (`bpf_core_types_are_compat`): a variable's type, or a
/// kfunc's prototype.
fn type_mismatch<'h>(
    obj: &ObjectSpec<'_>,
    e: &Extern,
    func: bool,
    host: &'h HostKernel,
) -> Result<Option<(Errno, String)>, &'h crate::host::HostError> {
    let Some(local) = obj.btf.as_ref() else {
        return Ok(None);
    };
    let Ok(t) = local.type_by_id(e.btf_id) else {
        return Ok(None);
    };
    let local_id = if func {
        t.type_id()
    } else {
        local.skip_mods_and_typedefs(t.type_id()).unwrap_or(0)
    };
    let verdict = host.with_symbol_btf(&e.name, func, |kernel, id| {
        let kernel_type = kernel.type_by_id(id).map_or(0, |k| k.type_id());
        let targ_id = if func {
            kernel_type
        } else {
            kernel.skip_mods_and_typedefs(kernel_type).unwrap_or(0)
        };
        if types_are_compat(local, local_id, kernel, targ_id) {
            return None;
        }
        let named = |btf: &crate::btf::Btf<'_>, id: u32| {
            let name = btf
                .type_by_id(id)
                .ok()
                .filter(|_| id != 0)
                .and_then(|t| btf.name(&t).ok())
                .unwrap_or_default();
            format!("[{id}] {} {name}", kind_str(btf, id))
        };
        Some(if func {
            format!(
                "extern (func ksym) '{}': func_proto [{local_id}] incompatible with kernel [{targ_id}]",
                e.name
            )
        } else {
            format!(
                "extern (var ksym) '{}': incompatible types, expected {}, but kernel has {}",
                e.name,
                named(local, local_id),
                named(kernel, targ_id)
            )
        })
    })?;
    Ok(verdict.flatten().map(|message| (Errno::Einval, message)))
}

fn not_resolved(name: &str) -> (Errno, String) {
    (
        Errno::Esrch,
        format!("extern '{name}' (strong): not resolved"),
    )
}

/// A `const void` ksym, which libbpf resolves through kallsyms.
fn is_typeless(obj: &ObjectSpec<'_>, e: &Extern) -> bool {
    let Some(btf) = obj.btf.as_ref() else {
        return false;
    };
    btf.type_by_id(e.btf_id)
        .ok()
        .filter(|t| t.kind() == Kind::Var)
        .and_then(|t| btf.skip_mods_and_typedefs(t.type_id()).ok())
        == Some(0)
}

/// What libbpf says when `value` (as the config file spells it) does not
/// fit the extern's type (`set_kcfg_value_tri`/`_str`/`_num`).
fn kconfig_value(
    name: &str,
    value: &str,
    ty: KconfigType,
    size: u32,
    signed: bool,
) -> Option<(Errno, String)> {
    let bad = |message: String| Some((Errno::Einval, format!("extern (kcfg) '{name}': {message}")));
    match value.as_bytes().first() {
        Some(&c @ (b'y' | b'n' | b'm')) => match ty {
            KconfigType::Bool if c == b'm' => bad(format!(
                "value '{}' implies tristate or char type",
                c as char
            )),
            KconfigType::Bool | KconfigType::Tristate | KconfigType::Char => None,
            KconfigType::Int | KconfigType::CharArray => bad(format!(
                "value '{}' implies bool, tristate, or char type",
                c as char
            )),
        },
        Some(b'"') => {
            if ty != KconfigType::CharArray {
                bad(format!("value '{value}' implies char array type"))
            } else if value.len() < 2 || !value.ends_with('"') {
                bad(format!("invalid string config '{value}'"))
            } else {
                None
            }
        }
        _ => {
            let Some(n) = parse_c_integer(value) else {
                return bad(format!("value '{value}' isn't a valid integer"));
            };
            match ty {
                KconfigType::Bool if n > 1 => bad(format!("value '{n}' isn't boolean compatible")),
                KconfigType::Bool => None,
                KconfigType::Int | KconfigType::Char => {
                    // is_kcfg_value_in_range: a signed value may be the
                    // two's complement of a negative one.
                    let bits = size.saturating_mul(8);
                    let fits = match (bits, signed) {
                        (0, _) | (64.., _) => true,
                        (b, true) => n.wrapping_add(1 << (b - 1)) < 1 << b,
                        (b, false) => n >> b == 0,
                    };
                    (!fits).then(|| {
                        (
                            Errno::Erange,
                            format!(
                                "extern (kcfg) '{name}': value '{n}' doesn't fit in {size} bytes"
                            ),
                        )
                    })
                }
                KconfigType::Tristate | KconfigType::CharArray => bad(format!(
                    "value '{n}' implies integer, char, or boolean type"
                )),
            }
        }
    }
}

/// `strtoull(value, NULL, 0)` accepting the whole text: decimal, `0x` hex
/// or `0` octal.
fn parse_c_integer(value: &str) -> Option<u64> {
    if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()
    } else if value.len() > 1 && value.starts_with('0') {
        u64::from_str_radix(&value[1..], 8).ok()
    } else {
        value.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kconfig_values_fit_their_types_as_libbpf_decides() {
        use KconfigType::*;
        let errno = |v, t, size| kconfig_value("CONFIG_X", v, t, size, false).map(|(e, _)| e);
        assert_eq!(errno("y", Bool, 1), None);
        assert_eq!(errno("m", Bool, 1), Some(Errno::Einval));
        assert_eq!(errno("m", Tristate, 4), None);
        assert_eq!(errno("y", Int, 4), Some(Errno::Einval));
        assert_eq!(errno("\"abc\"", CharArray, 8), None);
        assert_eq!(errno("\"abc\"", Int, 4), Some(Errno::Einval));
        assert_eq!(errno("250", Int, 4), None);
        assert_eq!(errno("0x100", Char, 1), Some(Errno::Erange));
        assert_eq!(errno("1", Bool, 1), None);
        assert_eq!(errno("2", Bool, 1), Some(Errno::Einval));
        assert_eq!(errno("250", Tristate, 4), Some(Errno::Einval));
        assert_eq!(errno("25x", Int, 4), Some(Errno::Einval));
        let signed = |v, size| kconfig_value("CONFIG_X", v, Int, size, true).map(|(e, _)| e);
        assert_eq!(signed("127", 1), None);
        assert_eq!(signed("128", 1), Some(Errno::Erange));
        assert_eq!(signed("0xffffffffffffffff", 1), None); // -1
        assert_eq!(parse_c_integer("010"), Some(8));
        assert_eq!(parse_c_integer("0"), Some(0));
    }
}
