//! The kernel's verdict on an object's BTF: what `BPF_BTF_LOAD` says about
//! the `.BTF` libbpf hands it after its open-time fix-ups.
//!
//! libbpf loads the object's BTF before creating maps. When the kernel
//! refuses it, libbpf 1.x goes on without BTF ("BTF is optional,
//! ignoring") unless the object has struct_ops, whose maps need it: maps are
//! then created without key/value BTF and programs without func/line info,
//! so anything that needs BTF in the kernel (spin locks and other special
//! fields, global subprograms, CO-RE-free kfunc calls) fails later, far from
//! the cause. Hence a warning, an error with struct_ops.
//!
//! This runs the whole validator, so it is opt-in for `bpfc check`
//! ([`super::CheckEnv::validate_btf`]) and always on for `bpfc inspect`.

use super::{Actor, Code, Finding, Severity, Subject};
use crate::btf::elf::BTF_SECTION;
use crate::btf::validate::{self, Options, Severity as BtfSeverity};
use crate::btf::Btf;
use crate::maps::MapSource;
use crate::object::ObjectSpec;

/// Appends a finding for the first rule the kernel would refuse the
/// object's fixed-up BTF on, if any. Objects without BTF, and BTF that
/// does not parse or cannot be fixed up, are already reported by the
/// reader.
pub(super) fn kernel_btf_verdict(obj: &ObjectSpec<'_>, out: &mut Vec<Finding>) {
    let Some(Ok(fixed)) = obj.fixed_btf() else {
        return;
    };
    let Ok(btf) = Btf::parse(&fixed) else {
        return;
    };
    let opts = Options {
        // libbpf swaps a foreign-order object's BTF before loading it.
        byte_order: None,
        // Only what the running kernel refuses; `bpfc btf check` covers
        // older kernels.
        older_kernels: false,
    };
    let findings = validate::validate_with(&btf, &opts);
    let mut errors = findings.iter().filter(|f| f.severity == BtfSeverity::Error);
    let Some(first) = errors.next() else {
        return;
    };
    let more = errors.count();
    let mandatory = obj
        .maps
        .iter()
        .any(|m| matches!(m.source, MapSource::StructOps { .. }));
    let refusal = first.code.kernel_refusal();
    let errno = refusal.errno;
    let mut where_ = match (first.type_id, first.kind) {
        (Some(id), Some(kind)) => format!("type [{id}] {}", kind.name()),
        (Some(id), None) => format!("type [{id}]"),
        _ => "the header".to_string(),
    };
    if more > 0 {
        where_.push_str(&format!(
            " (and {more} more error(s); `bpfc btf check` lists all)"
        ));
    }
    let mut f = Finding::new(
        Code::BtfKernelRefuses,
        Subject::Section(BTF_SECTION.to_string()),
        format!(
            "the kernel refuses this object's BTF: {}, at {where_}",
            first.message
        ),
    )
    .section(BTF_SECTION)
    .rule(format!(
        "BPF_BTF_LOAD checks every type (kernel/bpf/btf.c): {}",
        first.note
    ))
    .effect(
        Actor::Kernel,
        Some(errno),
        if refusal.logs {
            first.message.clone()
        } else {
            "BPF_BTF_LOAD fails without a log line".to_string()
        },
    );
    if let Some(offset) = first.offset {
        f = f.offset(offset);
    }
    if let Some(id) = first.type_id {
        f = f.btf_type(id);
    }
    // libbpf 1.1's words (bpf_object__sanitize_and_load_btf).
    let libbpf_says = format!("Error loading .BTF into kernel: -{}.", errno.number());
    f = if mandatory {
        f.severity(Severity::Error).effect(
            Actor::Libbpf,
            Some(errno),
            format!("{libbpf_says} BTF is mandatory, can't proceed. (the object has struct_ops)"),
        )
    } else {
        f.severity(Severity::Warning).effect(
            Actor::Libbpf,
            None,
            format!(
                "{libbpf_says} BTF is optional, ignoring. \
                 (maps lose key/value BTF, programs lose func/line info)"
            ),
        )
    };
    out.push(f.fix(
        "rebuild with a clang and pahole that match this kernel, or fix the type the kernel names \
         (`bpfc btf check --load FILE` shows the kernel's own log)",
    ));
}
