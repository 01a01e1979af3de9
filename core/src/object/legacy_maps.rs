//! Legacy map definitions in `maps` and `maps*` sections (reference section 3).
//!
//! Each definition is sized by its own symbol, as cilium/ebpf does since
//! v0.21, rather than by dividing the section evenly as libbpf 0.x and
//! cilium up to v0.20 did; that is what makes mixed layouts readable. The
//! first 20 bytes are `struct bpf_map_def`; whatever follows is kept raw in
//! `MapSource::Legacy::extra` and decoded by [`LegacyLayout`].

use super::section::Section;
use super::symbol::{Binding, Symbol, SymbolKind};
use crate::btf::{Btf, Kind, Type};
use crate::bytes::Endian;
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use crate::maps::{MapSource, MapSpec, MapType};
use serde::Serialize;
use std::collections::HashMap;

/// Size of `struct bpf_map_def`.
pub const BPF_MAP_DEF_SIZE: usize = 20;

/// The known layouts of legacy definitions, told apart by size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "layout", rename_all = "snake_case")]
pub enum LegacyLayout {
    /// `struct bpf_map_def`, 20 bytes.
    BpfMapDef,
    /// 28 bytes: kernel samples' `inner_map_idx, numa_node`, or aya's `id, pinning`
    /// (the same bytes; which one is meant depends on the loader).
    Extended28 { word5: u32, word6: u32 },
    /// iproute2's `struct bpf_elf_map`, 36 bytes.
    Iproute2 {
        id: u32,
        pinning: u32,
        inner_id: u32,
        inner_idx: u32,
    },
    /// iproute2's original 2015 layout, 21 bytes packed: no `flags`, a u8 `pinning`.
    Iproute2Packed { id: u32, pinning: u8 },
    /// Any other size.
    Unknown,
}

/// Decodes what follows the first 20 bytes of a legacy definition.
pub fn legacy_layout(def_size: u64, extra: &[u8], endian: Endian) -> LegacyLayout {
    let w = |i: usize| endian.read_u32(extra, i * 4).unwrap_or(0);
    match (def_size, extra.len()) {
        (20, 0) => LegacyLayout::BpfMapDef,
        (28, 8) => LegacyLayout::Extended28 {
            word5: w(0),
            word6: w(1),
        },
        (36, 16) => LegacyLayout::Iproute2 {
            id: w(0),
            pinning: w(1),
            inner_id: w(2),
            inner_idx: w(3),
        },
        (21, 5) => LegacyLayout::Iproute2Packed {
            id: w(0),
            pinning: extra[4],
        },
        _ => LegacyLayout::Unknown,
    }
}

/// A legacy map's place, for resolving code references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LegacyPlace {
    pub section: u32,
    pub offset: u64,
    pub size: u64,
    pub name: String,
    /// STB_LOCAL: libbpf 0.x refuses, cilium refuses references to it.
    pub is_static: bool,
}

pub(crate) fn parse(
    section: &Section<'_>,
    symbols: &[Symbol<'_>],
    btf: Option<&Btf<'_>>,
    endian: Endian,
    findings: &mut Vec<Finding>,
) -> (Vec<MapSpec>, Vec<LegacyPlace>) {
    let sec_name = section.name.to_string();
    let subject = Subject::Section(sec_name.clone());
    if section.name == "maps" {
        findings.push(
            Finding::new(
                Code::LegacyMapsSection,
                subject.clone(),
                "legacy map definitions in section 'maps'",
            )
            .section(sec_name.clone())
            .rule("libbpf 1.0 removed support for `struct bpf_map_def` in SEC(\"maps\"); maps are declared in SEC(\".maps\") with BTF")
            .effect(
                Actor::Libbpf,
                Some(Errno::Eopnotsupp),
                "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+",
            )
            .effect(Actor::Cilium, None, "reads them (the kernel never sees the layout)")
            .fix("convert each map to a BTF-defined map in SEC(\".maps\") (__uint/__type members)"),
        );
    } else {
        findings.push(
            Finding::new(
                Code::LegacyMapsSubsection,
                subject.clone(),
                format!("legacy map definitions in section '{sec_name}'"),
            )
            .section(sec_name.clone())
            .rule("only cilium/ebpf (up to v0.20 by prefix, later by symbol) reads maps from sections named maps*")
            .effect(Actor::Libbpf, None, format!("elf: skipping unrecognized data section {sec_name}"))
            .fix("declare the maps in SEC(\".maps\") with BTF"),
        );
    }
    if section.is_compressed() {
        findings.push(compressed(&sec_name));
        return (Vec::new(), Vec::new());
    }

    let mut syms: Vec<&Symbol<'_>> = symbols
        .iter()
        .filter(|s| {
            s.section == section.index
                && !matches!(s.kind, SymbolKind::Section | SymbolKind::File)
                && !s.name.is_empty()
        })
        .collect();
    syms.sort_by_key(|s| (s.value, s.index));
    let data = section.data();
    // Symbols without a size (hand-written assembly) get libbpf 0.x's even split.
    let even = if syms.is_empty() {
        0
    } else {
        section.size / syms.len() as u64
    };

    let mut maps = Vec::new();
    let mut places = Vec::new();
    let mut sizes = Vec::new();
    // Made for the first definition, once per section: a lookup by name.
    let mut containers: Option<KvContainers<'_>> = None;
    for sym in &syms {
        let name = sym.name.text().into_owned();
        let size = if sym.size == 0 { even } else { sym.size };
        let base = |code, message: String| {
            Finding::new(code, Subject::Map(name.clone()), message)
                .section(sec_name.clone())
                .offset(sym.value)
        };
        let end = sym.value.checked_add(size);
        let Some(def) = end
            .filter(|e| *e <= section.size)
            .and_then(|e| data.get(sym.value as usize..e as usize))
        else {
            findings.push(
                base(Code::LegacyDefinitionOutOfBounds, format!(
                    "definition [{:#x}, +{size}) runs past the {}-byte section",
                    sym.value, section.size
                ))
                .rule("a map definition must lie inside its section")
                .effect(Actor::Cilium, Some(Errno::Einval), format!("map {name}: size goes out of bounds"))
                .effect(Actor::Libbpf, Some(Errno::Einval), format!("libbpf 0.x: corrupted maps section in object: last map \"{name}\" too small"))
                .fix("rebuild the object; the symbol table or section is damaged"),
            );
            continue;
        };
        sizes.push(size);
        let word = |i: usize| endian.read_u32(def, i * 4);
        let mut spec = MapSpec::new(name.clone(), MapType::Unspec, MapSource::Declared);
        let packed_iproute2 = def.len() == 21;
        let fields = if packed_iproute2 { 4 } else { 5 };
        for (i, field) in ["type", "key size", "value size", "max entries", "flags"]
            .iter()
            .enumerate()
            .take(fields)
        {
            let Some(v) = word(i) else {
                findings.push(
                    base(
                        Code::LegacyDefinitionTooShort,
                        format!("{}-byte definition has no {field}", def.len()),
                    )
                    .rule("a legacy definition is at least the 20-byte struct bpf_map_def")
                    .effect(
                        Actor::Cilium,
                        Some(Errno::Einval),
                        format!("map {name}: missing {field}"),
                    )
                    .effect(
                        Actor::Libbpf,
                        None,
                        "libbpf 0.x: copies what is there and zero-fills the rest",
                    )
                    .fix("use struct bpf_map_def (or better, a BTF-defined map)"),
                );
                break;
            };
            match i {
                0 => spec.map_type = v,
                1 => spec.key_size = v,
                2 => spec.value_size = v,
                3 => spec.max_entries = v,
                _ => spec.map_flags = v,
            }
        }
        let understood = if packed_iproute2 {
            16
        } else {
            BPF_MAP_DEF_SIZE
        };
        let extra = def.get(understood..).unwrap_or_default().to_vec();
        let layout = legacy_layout(def.len() as u64, &extra, endian);
        if extra.iter().any(|&b| b != 0) {
            if layout == LegacyLayout::Unknown {
                findings.push(
                    base(Code::LegacyExtraBytes, format!(
                        "{}-byte definition has non-zero bytes after the 20-byte struct bpf_map_def",
                        def.len()
                    ))
                    .rule("loaders understand 20 bytes (bpf_map_def) plus the 28-byte (aya, kernel samples) and 36-byte (iproute2) layouts; anything else must be zero")
                    .effect(Actor::Cilium, Some(Errno::Einval), format!("map {name}: extra contains unhandled non-zero bytes, drain before creating map"))
                    .effect(Actor::Libbpf, Some(Errno::Einval), format!("libbpf 0.x: maps section in object: \"{name}\" has unrecognized, non-zero options"))
                    .fix("remove the extra fields from the definition"),
                );
            } else if layout != LegacyLayout::BpfMapDef {
                findings.push(
                    base(Code::LegacyExtendedFields, format!("uses the {} layout with non-zero extra fields", layout_name(layout)))
                        .rule("the fields after struct bpf_map_def belong to one loader (iproute2 tc, aya, kernel samples); others ignore or refuse them")
                        .effect(Actor::Cilium, None, "keeps them in MapSpec.Extra; map creation fails until they are drained")
                        .effect(Actor::Libbpf, None, "libbpf 0.x: ignored with a warning when relaxed, refused when strict")
                        .fix("load with the loader the layout was written for, or move to BTF-defined maps"),
                );
            }
        }
        if let Some((k, v)) = btf.and_then(|b| {
            let containers = containers.get_or_insert_with(|| KvContainers::of(b));
            legacy_btf_ids(b, containers, &name, spec.key_size, spec.value_size)
        }) {
            spec.btf_key_type_id = k;
            spec.btf_value_type_id = v;
        }
        spec.source = MapSource::Legacy {
            section: sec_name.clone(),
            offset: sym.value,
            def_size: def.len() as u64,
            extra,
        };
        let is_static = sym.binding == Binding::Local;
        if is_static {
            findings.push(
                base(Code::LegacyStaticMap, "static legacy map".into())
                    .rule("legacy maps are global symbols; loaders match code references by symbol")
                    .effect(
                        Actor::Libbpf,
                        Some(Errno::Eopnotsupp),
                        "libbpf 0.x: static maps are not supported",
                    )
                    .fix("drop `static` from the map definition"),
            );
        }
        places.push(LegacyPlace {
            section: section.index,
            offset: sym.value,
            size,
            name: name.clone(),
            is_static,
        });
        maps.push(spec);
    }
    if sizes.windows(2).any(|w| w[0] != w[1]) {
        findings.push(
            Finding::new(
                Code::LegacyUnequalSizes,
                subject.clone(),
                format!(
                    "definitions of different sizes in one section ({})",
                    sizes
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .section(sec_name.clone())
            .rule("older loaders size every definition as section size / number of symbols")
            .effect(
                Actor::Cilium,
                Some(Errno::Einval),
                "up to v0.20: map descriptors are not of equal size",
            )
            .effect(
                Actor::Libbpf,
                Some(Errno::Einval),
                "libbpf 0.x: unable to determine legacy map definition size",
            )
            .fix("use one layout for every definition in the section"),
        );
    }
    uncovered_bytes(section, &places, findings);
    (maps, places)
}

/// The first non-zero byte of `data` outside every place: the gaps between
/// the places (sorted by start) are searched, each byte once.
fn first_uncovered_nonzero(data: &[u8], places: &[LegacyPlace]) -> Option<u64> {
    let mut spans: Vec<(u64, u64)> = places
        .iter()
        .map(|p| (p.offset, p.offset.saturating_add(p.size)))
        .collect();
    spans.sort_unstable();
    let len = data.len() as u64;
    let nonzero_in = |from: u64, to: u64| (from..to.min(len)).find(|&i| data[i as usize] != 0);
    // Bytes before `covered_to` are covered or were searched.
    let mut covered_to = 0;
    for (start, end) in spans {
        if start > covered_to {
            if let Some(at) = nonzero_in(covered_to, start) {
                return Some(at);
            }
        }
        covered_to = covered_to.max(end);
    }
    nonzero_in(covered_to, len)
}

fn layout_name(l: LegacyLayout) -> &'static str {
    match l {
        LegacyLayout::BpfMapDef => "20-byte bpf_map_def",
        LegacyLayout::Extended28 { .. } => {
            "28-byte (aya id/pinning or samples inner_map_idx/numa_node)"
        }
        LegacyLayout::Iproute2 { .. } => "36-byte iproute2 bpf_elf_map",
        LegacyLayout::Iproute2Packed { .. } => "21-byte iproute2 bpf_elf_map (2015)",
        LegacyLayout::Unknown => "unknown",
    }
}

/// Non-zero bytes no symbol covers: a definition whose symbol the compiler dropped (static).
fn uncovered_bytes(section: &Section<'_>, places: &[LegacyPlace], findings: &mut Vec<Finding>) {
    if let Some(at) = first_uncovered_nonzero(section.data(), places) {
        findings.push(
            Finding::new(Code::LegacyUncoveredBytes, Subject::Section(section.name.to_string()), format!(
                "non-zero bytes at offset {at:#x} belong to no map symbol"
            ))
            .section(section.name.to_string())
            .offset(at)
            .rule("every legacy definition needs a global symbol (older clang drops symbols of static variables)")
            .effect(Actor::Cilium, Some(Errno::Einval), "up to v0.20: missing symbol for map at offset")
            .fix("make the map definition a non-static global"),
        );
    }
}

fn compressed(sec: &str) -> Finding {
    Finding::new(
        Code::CompressedSection,
        Subject::Section(sec.to_string()),
        "compressed map section",
    )
    .section(sec.to_string())
    .rule("loaders read map definitions from uncompressed sections")
    .effect(
        Actor::Cilium,
        Some(Errno::Eopnotsupp),
        "compressed map section is not supported",
    )
    .fix("link without --compress-debug-sections for non-debug sections")
}

/// The `____btf_map_<name>` structs of a BTF blob (base first, the first
/// of a name wins, as `find_by_name_kind` finds it), by `<name>`: found in
/// one pass over the types instead of one per legacy map (an object can
/// hold thousands).
struct KvContainers<'a>(HashMap<&'a [u8], Type<'a>>);

impl<'a> KvContainers<'a> {
    const PREFIX: &'static [u8] = b"____btf_map_";

    fn of(btf: &Btf<'a>) -> Self {
        let mut found = HashMap::new();
        let blobs = btf.base().into_iter().chain(std::iter::once(btf));
        for blob in blobs {
            for t in blob.types().filter(|t| t.kind() == Kind::Struct) {
                let Ok(name) = blob.str_bytes(t.name_off()) else {
                    continue;
                };
                if let Some(map) = name.strip_prefix(Self::PREFIX) {
                    found.entry(map).or_insert(t);
                }
            }
        }
        KvContainers(found)
    }
}

/// libbpf 0.x's `BPF_ANNOTATE_KV_PAIR`: `struct ____btf_map_<name> { key; value; }`
/// gives a legacy map BTF key/value types when their sizes match the definition.
fn legacy_btf_ids(
    btf: &Btf<'_>,
    containers: &KvContainers<'_>,
    name: &str,
    key_size: u32,
    value_size: u32,
) -> Option<(u32, u32)> {
    let container = containers.0.get(name.as_bytes())?;
    let member = |wanted: &[u8]| {
        container
            .members()
            .find(|m| super::btf_str(btf, m.name_off) == Some(wanted))
            .map(|m| m.type_id)
    };
    let (k, v) = (member(b"key")?, member(b"value")?);
    let sized = |id, size| btf.resolve_size(id).ok() == Some(u64::from(size));
    (sized(k, key_size) && sized(v, value_size)).then_some((k, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::build::{BtfBuilder, Field};

    fn place(offset: u64, size: u64) -> LegacyPlace {
        LegacyPlace {
            section: 1,
            offset,
            size,
            name: String::new(),
            is_static: false,
        }
    }

    #[test]
    fn the_first_nonzero_byte_outside_every_place_is_found() {
        let mut data = vec![0u8; 64];
        // Covered non-zero bytes do not count, wherever the places are
        // listed and however they overlap.
        data[3] = 1;
        data[20] = 1;
        let places = [place(16, 8), place(0, 4), place(2, 10)];
        assert_eq!(first_uncovered_nonzero(&data, &places), None);
        data[13] = 7; // in the gap between 12 and 16
        data[40] = 7; // after the last place
        assert_eq!(first_uncovered_nonzero(&data, &places), Some(13));
        data[13] = 0;
        assert_eq!(first_uncovered_nonzero(&data, &places), Some(40));
        // No places: the first non-zero byte; a place past the end covers nothing.
        assert_eq!(first_uncovered_nonzero(&data, &[]), Some(3));
        let huge = [place(60, u64::MAX), place(0, 41)];
        assert_eq!(first_uncovered_nonzero(&data, &huge), None);
    }

    #[test]
    fn kv_pair_structs_give_legacy_maps_their_btf_types() {
        let mut b = BtfBuilder::new();
        let u32_id = b.add_int("u32", 4, 0);
        let u64_id = b.add_int("u64", 8, 0);
        let kv = |b: &mut BtfBuilder, name: &str, value: u32| {
            b.add_struct(
                name,
                16,
                &[Field::new("key", u32_id, 0), Field::new("value", value, 64)],
            )
        };
        let first = kv(&mut b, "____btf_map_flows", u64_id);
        // A second struct of the name: the first one wins.
        kv(&mut b, "____btf_map_flows", u32_id);
        kv(&mut b, "____btf_map_other", u32_id);
        b.add_struct("unrelated", 4, &[Field::new("key", u32_id, 0)]);
        let bytes = b.encode(Endian::NATIVE).unwrap();
        let btf = Btf::parse(&bytes).unwrap();
        let containers = KvContainers::of(&btf);
        assert_eq!(containers.0.len(), 2);
        assert_eq!(containers.0[&b"flows"[..]].id(), first);
        assert_eq!(
            legacy_btf_ids(&btf, &containers, "flows", 4, 8),
            Some((u32_id, u64_id))
        );
        // Sizes that do not match the definition: no BTF types.
        assert_eq!(legacy_btf_ids(&btf, &containers, "flows", 4, 4), None);
        assert_eq!(
            legacy_btf_ids(&btf, &containers, "other", 4, 4),
            Some((u32_id, u32_id))
        );
        assert_eq!(legacy_btf_ids(&btf, &containers, "unrelated", 4, 0), None);
        assert_eq!(legacy_btf_ids(&btf, &containers, "missing", 4, 8), None);
    }
}
