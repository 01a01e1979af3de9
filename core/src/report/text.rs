//! The readable `bpfc inspect` report of one object: what it is, its maps
//! (with key and value types by name), programs, BTF, and findings.

use super::finding::{render_finding_into, Counts};
use super::shown::Shown;
use super::snapshot::{
    flags_text, legacy_extra_text, pinning_name, source_line, type_text, value_type_id,
};
use super::type_name::type_name;
use crate::btf::{Btf, Kind};
use crate::diag::Finding;
use crate::maps::{MapSource, MapSpec};
use crate::object::{ObjectSpec, ProgramSpec};
use std::fmt::Write;

/// The report for `obj`, read from `file`, with its `findings` (normally
/// [`crate::diag::check_object`]'s). Ends with a newline.
pub fn inspect_text(file: &str, obj: &ObjectSpec<'_>, findings: &[Finding]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", Shown(file));
    let machine = match obj.machine {
        247 => "EM_BPF".to_string(),
        0 => "EM_NONE".to_string(),
        m => format!("machine {m}"),
    };
    let endian = match obj.endian {
        crate::bytes::Endian::Little => "little-endian",
        crate::bytes::Endian::Big => "big-endian",
    };
    field(
        &mut out,
        1,
        "object",
        format!("{}, {endian}, {machine}", obj.name),
    );
    field(
        &mut out,
        1,
        "license",
        obj.license
            .as_deref()
            .map_or("none".to_string(), |l| format!("{l:?}")),
    );
    if let Some(v) = obj.kern_version {
        field(
            &mut out,
            1,
            "kern_version",
            format!("{v:#x} ({}.{}.{})", v >> 16, (v >> 8) & 0xff, v & 0xff),
        );
    }
    field(&mut out, 1, "btf", btf_summary(obj));

    let _ = writeln!(out, "\nmaps ({})", obj.maps.len());
    for m in &obj.maps {
        map_block(&mut out, obj, m, 1);
    }

    let (progs, subs): (Vec<&ProgramSpec<'_>>, Vec<&ProgramSpec<'_>>) =
        obj.programs.iter().partition(|p| !p.subprogram);
    let _ = writeln!(out, "\nprograms ({})", progs.len());
    for p in progs {
        program_block(&mut out, obj, p);
    }
    if !subs.is_empty() {
        let list: Vec<String> = subs
            .iter()
            .map(|p| format!("{} ({} insns)", p.name, p.insn_count))
            .collect();
        let _ = writeln!(
            out,
            "\nsubprograms ({}): {}",
            subs.len(),
            Shown(&list.join(", "))
        );
    }
    if !obj.externs.is_empty() {
        let _ = writeln!(out, "\nexterns ({})", obj.externs.len());
        for e in &obj.externs {
            let _ = writeln!(out, "  {}: {}", Shown(&e.name), extern_text(e));
        }
    }

    let counts = Counts::of(findings);
    let _ = writeln!(out, "\nfindings: {}", counts.text());
    for f in findings {
        render_finding_into(&mut out, file, f);
    }
    out
}

/// What an extern is and where libbpf puts it: `kconfig int, 4 bytes at
/// .kconfig+0`, `ksym kfunc`, `ksym variable, weak`.
fn extern_text(e: &crate::object::Extern) -> String {
    use crate::object::{ExternKind, KconfigType};
    let mut text = match &e.kind {
        ExternKind::Kconfig {
            size,
            offset,
            value_type,
            signed,
            ..
        } => {
            let ty = match value_type {
                KconfigType::Char => "char",
                KconfigType::Bool => "bool",
                KconfigType::Int if *signed => "int",
                KconfigType::Int => "unsigned int",
                KconfigType::Tristate => "tristate",
                KconfigType::CharArray => "char array",
            };
            let plural = if *size == 1 { "" } else { "s" };
            format!("kconfig {ty}, {size} byte{plural} at .kconfig+{offset}")
        }
        ExternKind::Ksym { func: true } => "ksym kfunc".to_string(),
        ExternKind::Ksym { func: false } => "ksym variable".to_string(),
    };
    if e.weak {
        text.push_str(", weak");
    }
    text
}

/// One `name  value` line; the value may quote the object's names, so it
/// is [`Shown`] escaped.
fn field(out: &mut String, level: usize, name: &str, value: impl std::fmt::Display) {
    let value = value.to_string();
    let _ = writeln!(out, "{}{name:<13} {}", "  ".repeat(level), Shown(&value));
}

fn map_block(out: &mut String, obj: &ObjectSpec<'_>, m: &MapSpec, level: usize) {
    let pad = "  ".repeat(level);
    let btf = obj.btf.as_ref();
    let _ = writeln!(out, "{pad}{}", Shown(&m.name));
    let l = level + 1;
    field(out, l, "type", type_text(m));
    field(out, l, "defined in", source_line(m));
    field(out, l, "key", side(btf, m.key_size, m.btf_key_type_id));
    field(
        out,
        l,
        "value",
        side(btf, m.value_size, value_type_id(m, btf)),
    );
    field(out, l, "max_entries", m.max_entries);
    field(out, l, "map_flags", flags_text(m));
    if m.pinning != 0 {
        field(out, l, "pinning", pinning_name(m.pinning));
    }
    if m.numa_node != 0 {
        field(out, l, "numa_node", m.numa_node);
    }
    if m.map_extra != 0 {
        field(out, l, "map_extra", format!("{:#x}", m.map_extra));
    }
    if let MapSource::Legacy {
        def_size, extra, ..
    } = &m.source
    {
        if let Some(text) = legacy_extra_text(*def_size, extra, obj.endian) {
            field(out, l, "extra", text);
        }
    }
    for s in &m.slots {
        field(out, l, "slot", format!("[{}] = {}", s.index, s.target));
    }
    if let Some(inner) = &m.inner {
        let _ = writeln!(out, "{}inner map:", "  ".repeat(l));
        map_block(out, obj, inner, l + 1);
    }
}

/// `16 bytes, struct flow_key` or `4 bytes` when there is no BTF type.
fn side(btf: Option<&Btf<'_>>, size: u32, type_id: u32) -> String {
    match btf {
        Some(b) if type_id != 0 => format!("{size} bytes, {}", type_name(b, type_id)),
        _ => format!("{size} bytes"),
    }
}

fn program_block(out: &mut String, obj: &ObjectSpec<'_>, p: &ProgramSpec<'_>) {
    let _ = writeln!(out, "  {}", Shown(&p.name));
    field(out, 2, "section", &p.section);
    let kind = match (p.prog_type, p.attach_type) {
        (Some(t), Some(a)) => format!("{t}, attach {a}"),
        (Some(t), None) => t.to_string(),
        (None, _) => "unknown (no libbpf SEC() convention matches)".to_string(),
    };
    field(out, 2, "type", kind);
    if let Some(t) = &p.attach_target {
        field(out, 2, "attach to", t);
    }
    field(out, 2, "insns", p.insn_count);
    if !p.autoload {
        field(out, 2, "autoload", "off ('?' section prefix)");
    }
    if p.sleepable {
        field(out, 2, "sleepable", "yes");
    }
    let maps: Vec<&str> = obj.maps_used_by(p).map(|m| m.name.as_str()).collect();
    if !maps.is_empty() {
        field(out, 2, "maps", maps.join(", "));
    }
    let calls: Vec<&str> = obj.callees(p).map(|c| c.name.as_ref()).collect();
    if !calls.is_empty() {
        field(out, 2, "calls", calls.join(", "));
    }
}

/// `41 types (12 STRUCT, 8 INT, ...), 1234 string bytes; .BTF.ext 567 bytes`.
fn btf_summary(obj: &ObjectSpec<'_>) -> String {
    let Some(btf) = &obj.btf else {
        return "none".to_string();
    };
    let kinds: Vec<String> = kind_counts(btf)
        .into_iter()
        .map(|(k, n)| format!("{n} {}", k.name()))
        .collect();
    let mut s = format!(
        "{} types ({}), {} string bytes",
        btf.len(),
        kinds.join(", "),
        btf.string_section().len()
    );
    match obj.btf_ext {
        Some(ext) => {
            let _ = write!(s, "; .BTF.ext {} bytes", ext.len());
        }
        None => s.push_str("; no .BTF.ext"),
    }
    s
}

/// Types per kind, most frequent first (kind order breaks ties).
pub fn kind_counts(btf: &Btf<'_>) -> Vec<(Kind, usize)> {
    let mut counts: Vec<(Kind, usize)> = Vec::new();
    for t in btf.types() {
        match counts.iter_mut().find(|(k, _)| *k == t.kind()) {
            Some((_, n)) => *n += 1,
            None => counts.push((t.kind(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}
