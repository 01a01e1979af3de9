//! Programs: every function symbol in an executable section
//! (`bpf_object__add_programs`), typed by its section name.

use super::insn::INSN_SIZE;
use super::sec_def::{find_sec_def, sec_flags, AttachType, ProgType, SecDef};
use super::section::{Section, SectionKind};
use super::symbol::{Binding, Symbol, SymbolKind};
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use serde::Serialize;
use std::borrow::Cow;

/// One program or subprogram, borrowing its names from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramSpec<'a> {
    /// Function name.
    pub name: Cow<'a, str>,
    /// ELF section name as written (a leading `?` included).
    pub section: Cow<'a, str>,
    pub section_index: u32,
    /// Byte offset of the first instruction in the section.
    pub offset: u64,
    /// Number of instructions of this function alone (subprograms not appended).
    pub insn_count: u32,
    /// libbpf loads it by default (`SEC("?...")` turns this off).
    pub autoload: bool,
    /// A `.text` function libbpf appends to the programs calling it, not loaded on its own.
    pub subprogram: bool,
    /// Global or weak symbol.
    pub global: bool,
    /// Hidden visibility: libbpf marks a global subprogram's BTF static.
    pub hidden: bool,
    /// From the section name; `None` when no SEC() convention matches.
    pub prog_type: Option<ProgType>,
    pub attach_type: Option<AttachType>,
    /// The libbpf `SEC()` pattern that matched.
    pub sec_def: Option<&'static SecDef>,
    /// Text after the first `/` of an attach-by-BTF section (`fentry/<func>`).
    pub attach_target: Option<String>,
    pub sleepable: bool,
    /// Relocations in this function, in instruction order.
    pub relocations: Vec<ProgramRelocation<'a>>,
    /// Programs called directly (indices into `ObjectSpec::programs`, ascending).
    pub calls: Vec<usize>,
    /// Maps referenced by this program and every subprogram it reaches
    /// (indices into `ObjectSpec::maps`, ascending).
    pub maps: Vec<usize>,
}

/// A relocated instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramRelocation<'a> {
    /// Instruction index within the program.
    pub insn: u32,
    /// The symbol the relocation names (the section name for section symbols).
    pub symbol: Cow<'a, str>,
    #[serde(flatten)]
    pub kind: RelocationKind<'a>,
}

/// What a relocated instruction refers to. Indices are into
/// `ObjectSpec::maps` and `ObjectSpec::programs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RelocationKind<'a> {
    /// `ld_imm64` of a map (BTF-defined or legacy).
    Map { map: usize },
    /// `ld_imm64` of an address in a global data map, `offset` bytes into it.
    Data { map: usize, offset: u64 },
    /// bpf-to-bpf call; `None` when no function starts at the target.
    Call { target: Option<usize> },
    /// Address of a subprogram (callbacks); `None` as for calls.
    SubprogAddress { target: Option<usize> },
    /// A `.kconfig` / `.ksyms` extern or kfunc.
    Extern { name: Cow<'a, str>, call: bool },
}

pub(crate) fn collect<'a>(
    sections: &[Section<'a>],
    symbols: &[Symbol<'a>],
    text_index: Option<u32>,
    findings: &mut Vec<Finding>,
) -> Vec<ProgramSpec<'a>> {
    // One program per function symbol in an executable section, at most.
    // They are picked out once: most symbols are jump labels, and walking
    // all of them again for every executable section cost more than the rest.
    let mut functions: Vec<&Symbol<'a>> = symbols
        .iter()
        .filter(|s| {
            s.kind == SymbolKind::Func
                && sections
                    .get(s.section as usize)
                    .is_some_and(|x| x.kind == SectionKind::Program)
        })
        .collect();
    // Grouped by section, in symbol-table order within each (a stable
    // sort): each section takes its run, instead of every section walking
    // every function (an object can have thousands of each).
    functions.sort_by_key(|s| s.section);
    let mut progs = Vec::with_capacity(functions.len());
    for sec in sections.iter().filter(|s| s.kind == SectionKind::Program) {
        let sec_name: &str = &sec.name;
        let sec_finding = |code, message: String| {
            Finding::new(code, Subject::Section(sec_name.to_string()), message).section(sec_name)
        };
        if sec.is_compressed() {
            findings.push(
                sec_finding(
                    Code::CompressedSection,
                    "compressed executable section".into(),
                )
                .rule("instructions are read as stored")
                .fix("do not compress allocated sections"),
            );
            continue;
        }
        if sec.size % INSN_SIZE != 0 {
            findings.push(
                sec_finding(
                    Code::ExecutableSize,
                    format!("size {} is not a multiple of 8", sec.size),
                )
                .rule("BPF instructions are 8 bytes")
                .effect(
                    Actor::LibbpfLinker,
                    Some(Errno::Einval),
                    format!(
                        "ELF section #{} has unexpected size alignment {}",
                        sec.index, sec.size
                    ),
                )
                .fix("rebuild the object"),
            );
        }
        let before = progs.len();
        let first = functions.partition_point(|s| s.section < sec.index);
        let in_section = functions[first..]
            .iter()
            .take_while(|s| s.section == sec.index);
        for sym in in_section {
            let sym_name = sym.name.text();
            let name: &str = &sym_name;
            let prog_finding = |code, message: String| {
                Finding::new(
                    code,
                    Subject::Program(name.to_string()),
                    super::headline(&message),
                )
                .section(sec_name)
                .offset(sym.value)
            };
            if sym
                .value
                .checked_add(sym.size)
                .is_none_or(|end| end > sec.size)
            {
                let msg = format!(
                    "sec '{sec_name}': program at offset {} crosses section boundary",
                    sym.value
                );
                findings.push(
                    prog_finding(Code::CorruptedProgram, msg.clone())
                        .rule("a function must lie inside its section")
                        .effect(Actor::Libbpf, Some(Errno::LibbpfFormat), msg)
                        .fix("rebuild the object"),
                );
                continue;
            }
            if sym.size == 0 || sym.size % INSN_SIZE != 0 || sym.value % INSN_SIZE != 0 {
                let msg = format!(
                    "sec '{sec_name}': corrupted program '{name}', offset {}, size {}",
                    sym.value, sym.size
                );
                findings.push(
                    prog_finding(Code::CorruptedProgram, msg.clone())
                        .rule("a function is a non-empty run of 8-byte instructions at an 8-byte offset")
                        .effect(Actor::Libbpf, Some(Errno::Einval), msg)
                        .fix("rebuild the object"),
                );
                continue;
            }
            if Some(sec.index) != text_index && sym.binding == Binding::Local {
                let msg = format!("sec '{sec_name}': program '{name}' is static and not supported");
                findings.push(
                    prog_finding(Code::StaticProgram, msg.clone())
                        .rule("only .text may hold static functions (subprograms); entry programs are global")
                        .effect(Actor::Libbpf, Some(Errno::Eopnotsupp), msg)
                        .effect(Actor::Cilium, None, "loads it as a program")
                        .fix("drop `static` from the program, or move the helper function out of the SEC() section"),
                );
            }
            let (autoload, plain) = match sec_name.strip_prefix('?') {
                Some(rest) => (false, rest),
                None => (true, sec_name),
            };
            let def = find_sec_def(plain);
            let attach_target = def
                .filter(|d| d.flags & sec_flags::ATTACH_BTF != 0)
                .and_then(|_| plain.split_once('/'))
                .map(|(_, t)| t.to_string());
            progs.push(ProgramSpec {
                name: sym_name.clone(),
                section: sec.name.clone(),
                section_index: sec.index,
                offset: sym.value,
                insn_count: (sym.size / INSN_SIZE) as u32,
                autoload,
                subprogram: false,
                global: sym.binding != Binding::Local,
                hidden: sym.binding != Binding::Local && sym.is_hidden(),
                prog_type: def.map(|d| d.prog_type),
                attach_type: def.and_then(|d| d.attach_type),
                sec_def: def,
                attach_target,
                sleepable: def.is_some_and(|d| d.flags & sec_flags::SLEEPABLE != 0),
                relocations: Vec::new(),
                calls: Vec::new(),
                maps: Vec::new(),
            });
        }
        if progs.len() == before {
            findings.push(
                sec_finding(
                    Code::ExecutableWithoutPrograms,
                    "executable section without function symbols".into(),
                )
                .rule("libbpf finds programs through STT_FUNC symbols")
                .effect(Actor::Libbpf, None, "loads nothing from it")
                .fix("rebuild the object with a current clang; do not strip symbols"),
            );
        }
    }
    // bpf_object__elf_collect sorts by section index, then offset.
    progs.sort_by_key(|p| (p.section_index, p.offset));
    let total = progs.len();
    for p in &mut progs {
        p.subprogram = Some(p.section_index) == text_index && total > 1;
    }
    for p in progs.iter().filter(|p| !p.subprogram) {
        // Made only for a finding: most programs have none.
        let subject = || Subject::Program(p.name.to_string());
        match p.sec_def {
            None => findings.push(
                Finding::new(Code::UnknownProgramSection, subject(), format!("section '{}' matches no libbpf SEC() convention", p.section))
                    .section(p.section.to_string())
                    .offset(p.offset)
                    .rule("libbpf derives the program type from the section name")
                    .effect(Actor::Libbpf, Some(Errno::Einval), format!("prog '{}': missing BPF prog type, check ELF section name '{}'", p.name, p.section.trim_start_matches('?')))
                    .fix("use a SEC() name such as \"xdp\", \"tc\", \"kprobe/<func>\", or set the type with bpf_program__set_type()"),
            ),
            Some(d) if d.flags & sec_flags::ATTACH_BTF != 0 && p.attach_target.is_none() => findings.push(
                Finding::new(Code::MissingAttachTarget, subject(), format!("section '{}' names no attach target", p.section))
                    .section(p.section.to_string())
                    .offset(p.offset)
                    .rule(format!("{} programs attach to a BTF id named after the '/'", d.pattern.trim_end_matches('+')))
                    .effect(Actor::Libbpf, Some(Errno::Einval), format!("prog '{}': no BTF-based attach target is specified, use bpf_program__set_attach_target()", p.name))
                    .fix("write the target into the section name, or set it before load"),
            ),
            _ => {}
        }
        if let Some(bad) = crate::maps::rules::refused_name_chars(&p.name) {
            findings.push(
                Finding::new(
                    Code::ProgramName,
                    subject(),
                    format!("program name '{}' contains {bad}", p.name),
                )
                .section(p.section.to_string())
                .offset(p.offset)
                .rule("program names may only contain A-Z a-z 0-9 _ and . in their first 15 characters (bpf_obj_name_cpy, kernel/bpf/syscall.c)")
                .effect(Actor::Libbpf, None, "passes the function's name, cut to 15 characters, as the program's name")
                .effect(Actor::Cilium, None, "passes the name the same way (sys.NewObjName)")
                .effect(Actor::Kernel, Some(Errno::Einval), "BPF_PROG_LOAD refuses the name")
                .fix("rename the function (or its asm label) using only A-Z a-z 0-9 _ ."),
            );
        }
    }
    progs
}
