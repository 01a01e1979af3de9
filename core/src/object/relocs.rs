//! Relocations: what each instruction refers to (`bpf_object__collect_prog_relos`
//! and `bpf_program__record_reloc`), the slots of map-in-map and prog-array
//! definitions (`bpf_object__collect_map_relos`), struct_ops function
//! pointers (`bpf_object__collect_st_ops_relos`), and from them the call
//! graph and the maps each program uses.

use super::btf_maps::BtfMapPlace;
use super::by_name::{FirstByName, FEW_LOOKUPS};
use super::elf::{SHN_LORESERVE, SHN_UNDEF};
use super::insn::{Insn, INSN_SIZE, PSEUDO_CALL};
use super::legacy_maps::LegacyPlace;
use super::program::{ProgramRelocation, ProgramSpec, RelocationKind};
use super::section::{Section, SectionKind};
use super::symbol::{Binding, Relocation, RelocationSection, Symbol, SymbolKind};
use crate::btf::{Btf, Kind};
use crate::bytes::Endian;
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use crate::maps::{MapSlot, MapSpec, MapType};
use std::borrow::Cow;

/// Where every map the loader knows lives, for matching relocations.
pub(crate) struct MapPlaces<'m> {
    pub btf_maps_section: Option<u32>,
    pub btf_maps: &'m [BtfMapPlace],
    /// Index in `ObjectSpec::maps` of the first of `btf_maps` (the others follow it).
    pub btf_map_start: usize,
    /// `.maps` offsets of definitions libbpf refuses (already reported).
    pub failed_btf_maps: &'m [u32],
    /// Legacy maps, which come first in `ObjectSpec::maps` in this order.
    pub legacy: &'m [LegacyPlace],
    /// Global data (and arena) section index -> map index.
    pub data: Vec<(u32, usize)>,
    pub struct_ops: Vec<StructOpsPlace>,
}

pub(crate) struct StructOpsPlace {
    pub section: u32,
    pub offset: u32,
    pub size: u32,
    pub map_index: usize,
    /// The struct's BTF type.
    pub type_id: u32,
}

pub(crate) struct Ctx<'c, 'a> {
    pub sections: &'c [Section<'a>],
    pub symbols: &'c [Symbol<'a>],
    pub endian: Endian,
    pub text_index: Option<u32>,
    pub places: &'c MapPlaces<'c>,
}

impl<'a> Ctx<'_, 'a> {
    /// libbpf's name for a relocation's symbol: the section name for section symbols.
    fn sym_name(&self, sym: &Symbol<'a>) -> Cow<'a, str> {
        if sym.kind == SymbolKind::Section && sym.name.is_empty() {
            self.sections
                .get(sym.section as usize)
                .map_or(Cow::Borrowed("<?"), |s| s.name.clone())
        } else {
            sym.name.text()
        }
    }
}

/// Index of the program containing instruction `insn` of section `sec`
/// (`find_prog_by_sec_insn`); `progs` is sorted by (section, offset).
pub(crate) fn find_prog(progs: &[ProgramSpec<'_>], sec: u32, insn: u64) -> Option<usize> {
    let at = insn * INSN_SIZE;
    let i = progs.partition_point(|p| (p.section_index, p.offset) <= (sec, at));
    let i = i.checked_sub(1)?;
    let p = &progs[i];
    (p.section_index == sec && at < p.offset + u64::from(p.insn_count) * INSN_SIZE).then_some(i)
}

fn bad_reloc(prog: &str, sec: &str, offset: u64, errno: Errno, message: String) -> Finding {
    Finding::new(Code::BadRelocation, Subject::Program(prog.to_string()), super::headline(&message))
        .section(sec.to_string())
        .offset(offset)
        .rule("code may only relocate against maps, global data, externs and .text subprograms, through ld_imm64 and call instructions")
        .effect(Actor::Libbpf, Some(errno), message)
        .fix("rebuild the object; initialise globals so they are not COMMON, and keep helper functions in .text")
}

/// Resolves every relocation of every executable section onto its program;
/// returns the call edges found (caller index -> callee indices).
pub(crate) fn program_relocations<'a>(
    cx: &Ctx<'_, 'a>,
    rel_sections: &[RelocationSection],
    progs: &mut [ProgramSpec<'a>],
    findings: &mut Vec<Finding>,
) -> Vec<Vec<usize>> {
    let mut edges = vec![Vec::new(); progs.len()];
    for rs in rel_sections {
        let Some(target) = cx.sections.get(rs.target as usize) else {
            continue;
        };
        if target.kind != SectionKind::Program {
            continue;
        }
        let rel_name: &str = &cx.sections[rs.section as usize].name;
        // Most sections hold one program, which then gets (nearly) all of
        // the section's relocations: room for them at once, not by doubling.
        let in_section = progs.partition_point(|p| p.section_index < target.index);
        let section_progs = progs[in_section..]
            .iter()
            .take_while(|p| p.section_index == target.index)
            .count();
        if section_progs == 1 {
            progs[in_section]
                .relocations
                .reserve_exact(rs.entries.len());
        }
        for (i, rel) in rs.entries.iter().enumerate() {
            let sym = &cx.symbols[rel.symbol as usize];
            let sec_finding = |message: String| {
                Finding::new(Code::BadRelocationSection, Subject::Section(rel_name.to_string()), message.clone())
                    .section(rel_name)
                    .offset(i as u64 * 16)
                    .rule("relocations name valid symbols and 8-byte aligned instruction offsets inside their section")
                    .effect(Actor::Libbpf, Some(Errno::LibbpfFormat), message)
                    .fix("rebuild the object")
            };
            if sym.section as usize >= cx.sections.len() {
                findings.push(sec_finding(format!(
                    "sec '{rel_name}': corrupted symbol #{} pointing to invalid section #{} for relo #{i}",
                    rel.symbol, sym.section
                )));
                continue;
            }
            if rel.offset % INSN_SIZE != 0 || rel.offset >= target.size {
                findings.push(sec_finding(format!(
                    "sec '{rel_name}': invalid offset {:#x} for relo #{i}",
                    rel.offset
                )));
                continue;
            }
            let insn_idx = rel.offset / INSN_SIZE;
            let Some(pi) = find_prog(progs, target.index, insn_idx) else {
                continue; // libbpf: probably an overridden weak function
            };
            let local = insn_idx - progs[pi].offset / INSN_SIZE;
            let Some(insn) = Insn::read(target.data(), rel.offset as usize, cx.endian) else {
                continue;
            };
            let name = cx.sym_name(sym);
            let recorded = record(
                cx, progs, pi, target, rel, sym, &name, &insn, local, findings,
            );
            if let Some((kind, callee)) = recorded {
                if let Some(c) = callee.filter(|c| !edges[pi].contains(c)) {
                    edges[pi].push(c);
                }
                progs[pi].relocations.push(ProgramRelocation {
                    insn: local as u32,
                    symbol: name,
                    kind,
                });
            }
        }
    }
    for p in progs.iter_mut() {
        p.relocations.sort_by_key(|r| r.insn);
    }
    edges
}

/// libbpf's `bpf_program__record_reloc`, extended to legacy maps (which
/// cilium/ebpf resolves; libbpf 1.x refused the object earlier).
#[allow(clippy::too_many_arguments)]
fn record<'a>(
    cx: &Ctx<'_, 'a>,
    progs: &[ProgramSpec<'a>],
    pi: usize,
    target: &Section<'_>,
    rel: &Relocation,
    sym: &Symbol<'_>,
    sym_name: &Cow<'a, str>,
    insn: &Insn,
    insn_idx: u64,
    findings: &mut Vec<Finding>,
) -> Option<(RelocationKind<'a>, Option<usize>)> {
    let prog = &progs[pi];
    let pname = &prog.name;
    let sec: &str = &target.name;
    let bad = |findings: &mut Vec<Finding>, errno, message: String| {
        findings.push(bad_reloc(pname, sec, rel.offset, errno, message));
        None
    };
    if !insn.is_call() && !insn.is_ld_imm64() {
        return bad(
            findings,
            Errno::LibbpfReloc,
            format!(
            "prog '{pname}': invalid relo against '{sym_name}' for insns[{insn_idx}].code {:#x}",
            insn.code
        ),
        );
    }
    if sym.is_extern() {
        // Externs libbpf cannot resolve are reported where they are collected.
        let kind = RelocationKind::Extern {
            name: sym_name.clone(),
            call: insn.is_call(),
        };
        return Some((kind, None));
    }
    if insn.is_call() {
        if insn.src != PSEUDO_CALL {
            return bad(
                findings,
                Errno::LibbpfReloc,
                format!("prog '{pname}': incorrect bpf_call opcode"),
            );
        }
        let callee_sec = cx.sections.get(sym.section as usize);
        if sym.section == SHN_UNDEF || Some(sym.section) != cx.text_index {
            let in_sec = callee_sec.map_or("<?>".to_string(), |s| s.name.to_string());
            // cilium/ebpf follows calls into any section (a warning, then);
            // the edge stays so the call graph is complete.
            findings.push(
                bad_reloc(
                    pname,
                    sec,
                    rel.offset,
                    Errno::LibbpfReloc,
                    format!(
                        "prog '{pname}': bad call relo against '{sym_name}' in section '{in_sec}'"
                    ),
                )
                .severity(crate::diag::Severity::Warning)
                .effect(Actor::Cilium, None, "links the callee from any section"),
            );
        } else if sym.value % INSN_SIZE != 0 {
            return bad(
                findings,
                Errno::LibbpfReloc,
                format!(
                    "prog '{pname}': bad call relo against '{sym_name}' at offset {}",
                    sym.value
                ),
            );
        }
        let callee_insn = (sym.value / INSN_SIZE) as i64 + i64::from(insn.imm) + 1;
        let target = callee(progs, sym.section, callee_insn);
        return Some((RelocationKind::Call { target }, target));
    }
    if sym.section == SHN_UNDEF || sym.section >= SHN_LORESERVE {
        return bad(findings, Errno::LibbpfReloc, format!(
            "prog '{pname}': invalid relo against '{sym_name}' in special section {:#x}; forgot to initialize global var?..",
            sym.section
        ));
    }
    let is_subprog_sym = Some(sym.section) == cx.text_index
        && ((sym.binding == Binding::Local && sym.kind == SymbolKind::Section)
            || (sym.binding == Binding::Global && sym.kind == SymbolKind::Func));
    if is_subprog_sym {
        if sym.value % INSN_SIZE != 0 || insn.imm as i64 % INSN_SIZE as i64 != 0 {
            return bad(
                findings,
                Errno::LibbpfReloc,
                format!(
                    "prog '{pname}': bad subprog addr relo against '{sym_name}' at offset {}+{}",
                    sym.value, insn.imm
                ),
            );
        }
        let callee_insn = (sym.value as i64 + i64::from(insn.imm)) / INSN_SIZE as i64;
        let target = callee(progs, sym.section, callee_insn);
        return Some((RelocationKind::SubprogAddress { target }, target));
    }
    let sym_sec = &cx.sections[sym.section as usize];
    // Section symbols carry the offset in the instruction's immediate.
    let offset = if sym.kind == SymbolKind::Section {
        sym.value.wrapping_add(insn.imm as u32 as u64)
    } else {
        sym.value
    };
    if let Some(&(_, map)) = cx.places.data.iter().find(|(s, _)| *s == sym.section) {
        return Some((RelocationKind::Data { map, offset }, None));
    }
    if Some(sym.section) == cx.places.btf_maps_section {
        return match cx
            .places
            .btf_maps
            .iter()
            .position(|m| u64::from(m.offset) == sym.value)
        {
            Some(i) => Some((
                RelocationKind::Map {
                    map: cx.places.btf_map_start + i,
                },
                None,
            )),
            // The definition itself is already reported.
            None if cx
                .places
                .failed_btf_maps
                .iter()
                .any(|&o| u64::from(o) == sym.value) =>
            {
                None
            }
            None => bad(
                findings,
                Errno::LibbpfReloc,
                format!(
                    "prog '{pname}': map relo failed to find map for section '{}', off {}",
                    sym_sec.name, sym.value
                ),
            ),
        };
    }
    if sym_sec.kind == SectionKind::LegacyMaps {
        let index = cx.places.legacy.iter().position(|p| {
            p.section == sym.section && offset >= p.offset && offset < p.offset + p.size.max(1)
        });
        let place = index.map(|i| &cx.places.legacy[i]);
        let is_static = sym.binding == Binding::Local || place.is_none_or(|p| p.is_static);
        let name = place.map_or_else(
            || format!("{}+{offset:#x}", sym_sec.name),
            |p| p.name.clone(),
        );
        if is_static {
            findings.push(
                Finding::new(Code::LegacyStaticMapReferenced, Subject::Map(name.clone()), format!(
                    "program '{pname}' references static map '{name}'"
                ))
                .section(sym_sec.name.to_string())
                .offset(offset)
                .rule("a map referenced from code must be a global symbol; a static definition is not matched by loaders")
                .effect(Actor::Cilium, Some(Errno::Einval), format!(
                    "possible erroneous static qualifier on map definition: found reference to \"{name}\""
                ))
                .effect(Actor::Libbpf, Some(Errno::Eopnotsupp), "libbpf 0.x: static maps are not supported")
                .fix("drop `static` from the map definition"),
            );
        }
        return index.map(|map| (RelocationKind::Map { map }, None));
    }
    bad(
        findings,
        Errno::LibbpfReloc,
        if sym_sec.is_global_data() || sym_sec.name == ".maps" {
            format!(
                "prog '{pname}': bad data relo against section '{}'",
                sym_sec.name
            )
        } else {
            format!(
                "prog '{pname}': bad map relo against '{sym_name}' in section '{}'",
                sym_sec.name
            )
        },
    )
}

/// The program containing instruction `insn` of `section`, if any.
fn callee(progs: &[ProgramSpec<'_>], section: u32, insn: i64) -> Option<usize> {
    u64::try_from(insn)
        .ok()
        .and_then(|i| find_prog(progs, section, i))
}

/// The maps a program's own instructions reference.
fn own_maps<'p>(p: &'p ProgramSpec<'_>) -> impl Iterator<Item = usize> + 'p {
    p.relocations.iter().filter_map(|r| match r.kind {
        RelocationKind::Map { map } | RelocationKind::Data { map, .. } => Some(map),
        _ => None,
    })
}

/// Calls without relocations (static functions in the same section) and the
/// maps each program reaches through its calls.
pub(crate) fn call_graph(
    sections: &[Section<'_>],
    endian: Endian,
    progs: &mut [ProgramSpec<'_>],
    mut edges: Vec<Vec<usize>>,
) {
    let n = progs.len();
    // Sorted by section, then offset (program::collect): a section's
    // functions are neighbours.
    debug_assert!(progs
        .windows(2)
        .all(|w| (w[0].section_index, w[0].offset) <= (w[1].section_index, w[1].offset)));
    for (i, p) in progs.iter().enumerate() {
        // A call without a relocation targets the caller's own section, so
        // a function alone in its section has none to find.
        let shares_section = |j: usize| {
            progs
                .get(j)
                .is_some_and(|q| q.section_index == p.section_index)
        };
        let has_neighbour = (i > 0 && shares_section(i - 1)) || shares_section(i + 1);
        if !has_neighbour {
            continue;
        }
        let code = sections[p.section_index as usize].data();
        let base = p.offset / INSN_SIZE;
        // Relocated calls are edges already; the rest are same-section calls.
        let mut relocs = p.relocations.iter().peekable();
        for idx in 0..u64::from(p.insn_count) {
            while relocs.next_if(|r| u64::from(r.insn) < idx).is_some() {}
            if relocs.next_if(|r| u64::from(r.insn) == idx).is_some() {
                continue;
            }
            let Some(insn) = Insn::read(code, ((base + idx) * INSN_SIZE) as usize, endian) else {
                break;
            };
            if !insn.is_subprog_call() {
                continue;
            }
            let t = base as i64 + idx as i64 + i64::from(insn.imm) + 1;
            if let Some(t) = u64::try_from(t)
                .ok()
                .and_then(|t| find_prog(progs, p.section_index, t))
            {
                if !edges[i].contains(&t) {
                    edges[i].push(t);
                }
            }
        }
    }
    // Made for the first program that calls others: most objects have none.
    // `seen[j] == walk` marks j as reached in the current walk, so no walk
    // clears the marks of the one before (thousands of programs with calls
    // would make that quadratic).
    let mut seen: Vec<usize> = Vec::new();
    let mut stack = Vec::new();
    for i in 0..n {
        let mut maps: Vec<usize> = own_maps(&progs[i]).collect();
        if !edges[i].is_empty() {
            // Add the maps of every program reachable through calls.
            if seen.is_empty() {
                seen.resize(n, usize::MAX);
            }
            let walk = i;
            seen[i] = walk;
            stack.extend(edges[i].iter().copied());
            while let Some(j) = stack.pop() {
                if std::mem::replace(&mut seen[j], walk) == walk {
                    continue;
                }
                maps.extend(own_maps(&progs[j]));
                stack.extend(edges[j].iter().copied());
            }
        }
        maps.sort_unstable();
        maps.dedup();
        progs[i].maps = maps;
    }
    // Every walk above is done: the edge lists become the call lists.
    for (p, mut calls) in progs.iter_mut().zip(edges) {
        calls.sort_unstable();
        p.calls = calls;
    }
}

/// `.rel.maps`: initial slots of map-in-map and prog-array definitions.
pub(crate) fn map_slots(
    cx: &Ctx<'_, '_>,
    rel: &RelocationSection,
    maps: &mut [MapSpec],
    btf_map_start: usize,
    progs: &[ProgramSpec<'_>],
    findings: &mut Vec<Finding>,
) {
    let places = cx.places.btf_maps;
    // Most objects have a few slots; a prog array can have thousands, and
    // each slot looks up its map definition, its target and (below) its
    // place. Past a few slots those lookups go through indexes.
    let many = rel.entries.len() > FEW_LOOKUPS;
    // The places are in offset order; when none overlaps another, the one
    // holding an offset is found by a binary search.
    let disjoint = places
        .windows(2)
        .all(|w| u64::from(w[0].offset) + u64::from(w[0].size) <= u64::from(w[1].offset));
    let contains = |p: &BtfMapPlace, at: u64| {
        u64::from(p.offset) <= at && at.saturating_add(8) <= u64::from(p.offset) + u64::from(p.size)
    };
    let place_of = |at: u64| {
        if many && disjoint {
            let after = places.partition_point(|p| u64::from(p.offset) <= at);
            after.checked_sub(1).filter(|&k| contains(&places[k], at))
        } else {
            places.iter().position(|p| contains(p, at))
        }
    };
    let map_names = FirstByName::new(
        &*maps,
        |m: &MapSpec| Some(m.name.as_str()),
        rel.entries.len(),
    );
    let entry_points = FirstByName::new(
        progs,
        |p: &ProgramSpec<'_>| (!p.subprogram).then_some(&*p.name),
        rel.entries.len(),
    );
    let mut filled = Vec::new();
    for (i, r) in rel.entries.iter().enumerate() {
        let sym = &cx.symbols[r.symbol as usize];
        let name = sym.name.text().into_owned();
        let fail = |findings: &mut Vec<Finding>, map: Option<&str>, errno, message: String| {
            let subject = map.map_or_else(
                || Subject::Section(".maps".into()),
                |m| Subject::Map(m.to_string()),
            );
            findings.push(
                Finding::new(Code::MapSlotRelocation, subject, message.clone())
                    .section(".maps")
                    .offset(r.offset)
                    .rule("`values` slots of array/hash of maps point at BTF-defined maps; those of prog arrays at entry-point programs")
                    .effect(Actor::Libbpf, Some(errno), message)
                    .fix("initialise .values only with &map (map-in-map) or &program (prog array)"),
            );
        };
        let Some(pi) = place_of(r.offset) else {
            fail(
                findings,
                None,
                Errno::Einval,
                format!(
                    ".maps relo #{i}: cannot find map '{name}' at rel->r_offset {}",
                    r.offset
                ),
            );
            continue;
        };
        let place = &places[pi];
        let map = &maps[btf_map_start + pi];
        // Only for messages (places hold no names; slot relocations are rare).
        let place_name = map.name.clone();
        let t = map.kind();
        let is_map_in_map = t.is_some_and(|t| t.is_map_in_map());
        let target = if is_map_in_map {
            if Some(sym.section) != cx.places.btf_maps_section {
                fail(
                    findings,
                    Some(&place_name),
                    Errno::LibbpfReloc,
                    format!(".maps relo #{i}: '{name}' isn't a BTF-defined map"),
                );
                continue;
            }
            if t == Some(MapType::HashOfMaps) && map.key_size != 4 {
                fail(
                    findings,
                    Some(&place_name),
                    Errno::Einval,
                    format!(
                        ".maps relo #{i}: hash-of-maps '{}' should have key size 4.",
                        place_name
                    ),
                );
                continue;
            }
            if map_names.get(&name).is_none() {
                fail(
                    findings,
                    Some(&place_name),
                    Errno::Esrch,
                    format!(".maps relo #{i}: '{name}' isn't a valid map reference"),
                );
                continue;
            }
            name
        } else if t == Some(MapType::ProgArray) {
            let Some(p) = entry_points.get(&name) else {
                fail(
                    findings,
                    Some(&place_name),
                    Errno::Esrch,
                    format!(".maps relo #{i}: '{name}' isn't a valid program reference"),
                );
                continue;
            };
            if p.section_index != sym.section || p.offset != sym.value {
                fail(
                    findings,
                    Some(&place_name),
                    Errno::LibbpfReloc,
                    format!(".maps relo #{i}: '{name}' isn't an entry-point program"),
                );
                continue;
            }
            name
        } else {
            fail(findings, Some(&place_name), Errno::Einval, format!(
                ".maps relo #{i}: slot relocation in '{}', which is neither a map-in-map nor a prog array", place_name
            ));
            continue;
        };
        let Some(values) = place.values_offset else {
            fail(
                findings,
                Some(&place_name),
                Errno::Einval,
                format!(
                    ".maps relo #{i}: '{}' has no trailing `values` member",
                    place_name
                ),
            );
            continue;
        };
        let within = r.offset - u64::from(place.offset);
        if within < u64::from(values) || (within - u64::from(values)) % 8 != 0 {
            fail(
                findings,
                Some(&place_name),
                Errno::Einval,
                format!(
                    ".maps relo #{i}: offset {within} in '{}' is not a pointer slot of `values`",
                    place_name
                ),
            );
            continue;
        }
        let index = ((within - u64::from(values)) / 8) as u32;
        filled.push((btf_map_start + pi, MapSlot { index, target }));
    }
    // Each map's slots by index; a later relocation of a slot wins. Put in
    // once at the end: sorting after every slot was quadratic.
    for (m, slot) in filled {
        maps[m].slots.push(slot);
    }
    for m in &mut maps[btf_map_start..] {
        if m.slots.len() > 1 {
            // Latest first among equal indexes (the sort is stable), so the
            // dedup keeps the one that wins.
            m.slots.reverse();
            m.slots.sort_by_key(|s| s.index);
            m.slots.dedup_by_key(|s| s.index);
        }
    }
}

/// `.rel.struct_ops*`: which program fills which function pointer (recorded
/// as slots: member index -> program).
pub(crate) fn struct_ops_slots(
    cx: &Ctx<'_, '_>,
    rel: &RelocationSection,
    btf: &Btf<'_>,
    maps: &mut [MapSpec],
    progs: &[ProgramSpec<'_>],
    findings: &mut Vec<Finding>,
) {
    let sec = cx.sections[rel.target as usize].name.to_string();
    for r in &rel.entries {
        let sym = &cx.symbols[r.symbol as usize];
        let fail = |findings: &mut Vec<Finding>, map: Option<&str>, errno, message: String| {
            let subject = map.map_or_else(
                || Subject::Section(sec.clone()),
                |m| Subject::Map(m.to_string()),
            );
            findings.push(
                Finding::new(Code::StructOpsInvalid, subject, message.clone())
                    .section(sec.clone())
                    .offset(r.offset)
                    .rule("struct_ops function pointers point at struct_ops programs")
                    .effect(Actor::Libbpf, Some(errno), message)
                    .fix("assign SEC(\"struct_ops/...\") programs to the function pointer members"),
            );
        };
        let Some(place) = cx.places.struct_ops.iter().find(|p| {
            p.section == rel.target
                && u64::from(p.offset) <= r.offset
                && r.offset - u64::from(p.offset) < u64::from(p.size)
        }) else {
            fail(
                findings,
                None,
                Errno::Einval,
                format!(
                    "struct_ops reloc: cannot find map at rel->r_offset {}",
                    r.offset
                ),
            );
            continue;
        };
        let map_name = maps[place.map_index].name.clone();
        let moff = r.offset - u64::from(place.offset);
        if sym.section >= SHN_LORESERVE {
            fail(findings, Some(&map_name), Errno::LibbpfReloc, format!(
                "struct_ops reloc {map_name}: rel->r_offset {} shdr_idx {} unsupported non-static function", r.offset, sym.section
            ));
            continue;
        }
        if sym.value % INSN_SIZE != 0 {
            fail(
                findings,
                Some(&map_name),
                Errno::LibbpfFormat,
                format!(
                    "struct_ops reloc {map_name}: invalid target program offset {}",
                    sym.value
                ),
            );
            continue;
        }
        let Ok(st) = btf.type_by_id(place.type_id) else {
            continue;
        };
        let Some((member_idx, member)) = st
            .members()
            .enumerate()
            .find(|(_, m)| u64::from(m.bit_offset()) == moff * 8)
        else {
            fail(
                findings,
                Some(&map_name),
                Errno::Einval,
                format!("struct_ops reloc {map_name}: cannot find member at moff {moff}"),
            );
            continue;
        };
        let member_name = btf
            .str_bytes(member.name_off)
            .map_or_else(|_| String::new(), |b| super::elf::text(b).into_owned());
        let is_func_ptr = btf
            .skip_mods_and_typedefs(member.type_id)
            .ok()
            .and_then(|id| btf.type_by_id(id).ok())
            .filter(|t| t.kind() == Kind::Ptr)
            .and_then(|p| btf.skip_mods_and_typedefs(p.type_id()).ok())
            .and_then(|id| btf.type_by_id(id).ok())
            .is_some_and(|t| t.kind() == Kind::FuncProto);
        if !is_func_ptr {
            fail(
                findings,
                Some(&map_name),
                Errno::Einval,
                format!("struct_ops reloc {map_name}: cannot relocate non func ptr {member_name}"),
            );
            continue;
        }
        let Some(pi) = find_prog(progs, sym.section, sym.value / INSN_SIZE) else {
            fail(findings, Some(&map_name), Errno::Einval, format!(
                "struct_ops reloc {map_name}: cannot find prog at shdr_idx {} to relocate func ptr {member_name}", sym.section
            ));
            continue;
        };
        let m = &mut maps[place.map_index];
        m.slots.push(MapSlot {
            index: member_idx as u32,
            target: progs[pi].name.to_string(),
        });
        m.slots.sort_by_key(|s| s.index);
    }
}
