//! BTF-defined maps in `.maps`, parsed the way libbpf does
//! (`bpf_object__init_user_btf_maps` / `parse_btf_map_def`, strict mode),
//! with libbpf's messages, plus the places cilium/ebpf disagrees.

use super::btf_fixup::BtfFixups;
use super::section::Section;
use crate::btf::{var_linkage, Btf, Kind, Type};
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use crate::maps::{MapSource, MapSpec, MapType, PIN_BY_NAME, PIN_NONE};

/// Where a BTF-defined map lives; used to resolve `.rel.maps` slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BtfMapPlace {
    pub offset: u32,
    pub size: u32,
    pub var_id: u32,
    /// Byte offset of the `values` member when it is the last member.
    pub values_offset: Option<u32>,
}

/// A parsed definition (`struct btf_map_def`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MapDef {
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub map_flags: u32,
    pub numa_node: u32,
    pub map_extra: u64,
    pub pinning: u32,
    pub key_type_id: u32,
    pub value_type_id: u32,
    pub inner: Option<Box<MapDef>>,
    /// Fields present, for cilium/ebpf's stricter view and the linker.
    has_key_size: bool,
    pub has_key: bool,
    has_value_size: bool,
    pub has_value: bool,
    has_numa_node: bool,
    ulong_fields: Vec<String>,
    sign_extended: Option<(String, i32)>,
}

/// Why libbpf refuses a definition.
pub(crate) struct DefError {
    code: Code,
    errno: Errno,
    message: String,
    type_id: u32,
}

/// Records a key or value size. `key_size` and `__type(key, ...)` may both
/// be given, and repeated, but must agree (libbpf: "conflicting key size").
fn set_size(cur: &mut u32, sz: u32, what: &str, map: &str, type_id: u32) -> Result<(), DefError> {
    if *cur != 0 && *cur != sz {
        return Err(def_err(
            Code::MapConflictingSize,
            Errno::Einval,
            type_id,
            format!("map '{map}': conflicting {what} size {cur} != {sz}."),
        ));
    }
    *cur = sz;
    Ok(())
}

fn def_err(code: Code, errno: Errno, type_id: u32, message: String) -> DefError {
    DefError {
        code,
        errno,
        message,
        type_id,
    }
}

/// libbpf's `btf_kind_str`.
fn kind_str(t: Option<&Type<'_>>) -> String {
    match t {
        None => "void".into(),
        Some(t) => t.kind().name().to_ascii_lowercase(),
    }
}

pub(crate) struct BtfMaps {
    pub places: Vec<BtfMapPlace>,
    /// Offsets of `.maps` variables whose definition libbpf refuses (their
    /// references are not reported again).
    pub failed: Vec<u32>,
    /// Type id of DATASEC `.maps`.
    pub datasec_id: Option<u32>,
}

/// Reads every map in `.maps`, appending them to `maps` (the places returned
/// are in the same order). `slot_offsets` are the `.rel.maps` offsets (their
/// bytes are relocated pointers, not definition data).
pub(crate) fn parse(
    section: &Section<'_>,
    btf: Option<&Btf<'_>>,
    fixups: &BtfFixups,
    slot_offsets: &[u64],
    map_symbols: usize,
    maps: &mut Vec<MapSpec>,
    findings: &mut Vec<Finding>,
) -> BtfMaps {
    let mut out = BtfMaps {
        places: Vec::new(),
        failed: Vec::new(),
        datasec_id: None,
    };
    let sec_subject = || Subject::Section(section.name.to_string());
    let Some(btf) = btf else {
        findings.push(
            Finding::new(
                Code::MapsWithoutBtf,
                sec_subject(),
                "the object has a .maps section but no usable BTF",
            )
            .section(".maps")
            .rule("BTF-defined maps are described by the object's BTF")
            .effect(
                Actor::Libbpf,
                Some(Errno::Enoent),
                "BTF is required, but is missing or corrupted.",
            )
            .fix("build with -g so clang emits .BTF"),
        );
        return out;
    };
    let Some(ds) = fixups.datasec_named(".maps") else {
        findings.push(
            Finding::new(
                Code::MapsDatasecMissing,
                sec_subject(),
                "BTF has no DATASEC '.maps'",
            )
            .section(".maps")
            .rule("libbpf finds map definitions through the DATASEC named .maps")
            .effect(
                Actor::Libbpf,
                Some(Errno::Enoent),
                "DATASEC '.maps' not found.",
            )
            .fix("build with a clang that emits DATASEC (clang 10+) and -g"),
        );
        return out;
    };
    out.datasec_id = Some(ds.id);
    // At most one map per variable.
    maps.reserve(ds.entries.len());
    out.places.reserve_exact(ds.entries.len());
    if ds.entries.len() != map_symbols {
        findings.push(
            Finding::new(
                Code::MapsSymbolCount,
                Subject::Section(".maps".into()),
                format!(
                    ".maps has {map_symbols} symbols but DATASEC .maps has {} VARs",
                    ds.entries.len()
                ),
            )
            .section(".maps")
            .btf_type(ds.id)
            .rule("each .maps variable has one ELF symbol and one BTF VAR")
            .effect(
                Actor::Cilium,
                Some(Errno::Einval),
                format!(
                    "section .maps: contains {map_symbols} symbols but {} btf.Vars",
                    ds.entries.len()
                ),
            )
            .fix("declare every map as a non-static global in .maps"),
        );
    }
    let data = section.data();
    for (i, vi) in fixups.entries(ds).iter().enumerate() {
        let var = btf.type_by_id(vi.type_id).ok();
        let name = var
            .as_ref()
            .map(|v| super::type_name(btf, v))
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let fail = |code, errno, message: String| {
            Finding::new(
                code,
                if name.is_empty() {
                    Subject::Section(".maps".into())
                } else {
                    Subject::Map(name.clone())
                },
                super::headline(&message),
            )
            .section(".maps")
            .offset(u64::from(vi.offset))
            .btf_type(vi.type_id)
            .effect(Actor::Libbpf, Some(errno), message)
        };
        if name.is_empty() {
            findings.push(
                fail(
                    Code::MapEmptyName,
                    Errno::Einval,
                    format!("map #{i}: empty name."),
                )
                .rule("every .maps variable needs a name")
                .fix("give the map variable a name"),
            );
            continue;
        }
        if u64::from(vi.offset) + u64::from(vi.size) > section.size {
            findings.push(
                fail(
                    Code::MapOutOfBounds,
                    Errno::Einval,
                    format!("map '{name}' BTF data is corrupted."),
                )
                .rule("a map variable must lie inside .maps")
                .fix("rebuild the object"),
            );
            continue;
        }
        let var = var.expect("name came from it");
        if var.kind() != Kind::Var {
            findings.push(
                fail(
                    Code::MapNotVar,
                    Errno::Einval,
                    format!(
                        "map '{name}': unexpected var kind {}.",
                        kind_str(Some(&var))
                    ),
                )
                .rule("DATASEC .maps lists VARs")
                .fix("rebuild the object"),
            );
            continue;
        }
        let linkage = fixups.var_linkage(&var);
        if linkage != var_linkage::GLOBAL_ALLOCATED {
            let l = match linkage {
                var_linkage::STATIC => "static",
                var_linkage::GLOBAL_EXTERN => "extern",
                _ => "unknown",
            };
            findings.push(
                fail(Code::MapLinkage, Errno::Eopnotsupp, format!(
                    "map '{name}': unsupported map linkage {l}."
                ))
                .rule("a .maps variable must be a global definition (not static, extern or hidden)")
                .fix(if linkage == var_linkage::STATIC {
                    "drop `static` (and any hidden visibility) from the map variable"
                } else {
                    "define the map in this object, or link the objects with `bpftool gen object` first"
                }),
            );
            continue;
        }
        let def_id = btf.skip_mods_and_typedefs(var.type_id()).unwrap_or(0);
        let def = btf
            .type_by_id(def_id)
            .ok()
            .filter(|t| t.kind() == Kind::Struct);
        let Some(def) = def else {
            // libbpf prints the VAR's kind here, not the definition's.
            findings.push(
                fail(
                    Code::MapDefNotStruct,
                    Errno::Einval,
                    format!(
                        "map '{name}': unexpected def kind {}.",
                        kind_str(Some(&var))
                    ),
                )
                .btf_type(def_id)
                .rule("a map variable's type must be a struct of __uint/__type/__array members")
                .effect(
                    Actor::Cilium,
                    Some(Errno::Einval),
                    format!("map {name}: expected struct"),
                )
                .fix("declare the map as `struct { __uint(type, ...); ... } name SEC(\".maps\");`"),
            );
            continue;
        };
        if def.size() > vi.size {
            findings.push(
                fail(
                    Code::MapDefSize,
                    Errno::Einval,
                    format!("map '{name}': invalid def size."),
                )
                .rule("the definition struct must fit its variable")
                .fix("rebuild the object"),
            );
            continue;
        }
        let mut parser = DefParser {
            btf,
            findings: Vec::new(),
        };
        let parsed = parser.parse(&name, &def, false);
        match parsed {
            Err(e) => {
                findings.push(
                    Finding::new(
                        e.code,
                        Subject::Map(name.clone()),
                        super::headline(&e.message),
                    )
                    .section(".maps")
                    .offset(u64::from(vi.offset))
                    .btf_type(if e.type_id != 0 { e.type_id } else { def.id() })
                    .rule(rule_for(e.code))
                    .effect(Actor::Libbpf, Some(e.errno), e.message)
                    .fix(fix_for(e.code)),
                );
            }
            Ok(def_parsed) => {
                notes_for_def(&name, &def_parsed, vi.offset, def.id(), findings);
                let values_offset = def
                    .members()
                    .last()
                    .filter(|m| super::btf_str(btf, m.name_off) == Some(&b"values"[..]))
                    .map(|m| m.bit_offset() / 8);
                check_nonzero_bytes(&name, data, vi.offset, vi.size, slot_offsets, findings);
                let inner = def_parsed.inner.as_ref().map(|inner| {
                    Box::new(to_spec(format!("{name}.inner"), inner, MapSource::Inner))
                });
                let mut spec = to_spec(
                    name,
                    &def_parsed,
                    MapSource::BtfMaps {
                        section: ".maps".into(),
                        offset: u64::from(vi.offset),
                    },
                );
                spec.inner = inner;
                maps.push(spec);
                out.places.push(BtfMapPlace {
                    offset: vi.offset,
                    size: vi.size,
                    var_id: var.id(),
                    values_offset,
                });
            }
        }
        findings.append(&mut parser.findings);
    }
    // Variables without a map were refused above. The entries are sorted
    // by offset and the places were made in their order, so one walk over
    // both finds them (an object can define tens of thousands of maps).
    let mut places = out.places.iter().map(|p| p.offset).peekable();
    out.failed = fixups
        .entries(ds)
        .iter()
        .map(|e| e.offset)
        .filter(|&o| {
            while places.next_if(|&p| p < o).is_some() {}
            places.peek() != Some(&o)
        })
        .collect();
    out
}

fn to_spec(name: String, d: &MapDef, source: MapSource) -> MapSpec {
    let mut s = MapSpec::new(name, MapType::Unspec, source);
    s.map_type = d.map_type;
    s.key_size = d.key_size;
    s.value_size = d.value_size;
    s.max_entries = d.max_entries;
    s.map_flags = d.map_flags;
    s.numa_node = d.numa_node;
    s.map_extra = d.map_extra;
    s.pinning = d.pinning;
    s.btf_key_type_id = d.key_type_id;
    s.btf_value_type_id = d.value_type_id;
    s
}

/// cilium/ebpf's rules for things libbpf accepts, and other facts about a valid definition.
fn notes_for_def(name: &str, d: &MapDef, offset: u32, def_id: u32, findings: &mut Vec<Finding>) {
    let base = |code, message: String| {
        Finding::new(code, Subject::Map(name.to_string()), message)
            .section(".maps")
            .offset(u64::from(offset))
            .btf_type(def_id)
    };
    if d.has_numa_node {
        findings.push(
            base(Code::MapNumaNodeField, "numa_node in a BTF map definition".into())
                .rule("cilium/ebpf recognises type, key, key_size, value, value_size, max_entries, map_flags, pinning, values and map_extra only")
                .effect(Actor::Libbpf, None, "accepted")
                .effect(Actor::Cilium, Some(Errno::Einval), "unrecognized field numa_node in BTF map definition")
                .fix("drop numa_node (set it at load time) if the object must load with cilium/ebpf"),
        );
    }
    for (has_size, has_type, what) in [
        (d.has_key_size, d.has_key, "key"),
        (d.has_value_size, d.has_value, "value"),
    ] {
        if has_size && has_type {
            findings.push(
                base(
                    Code::MapSizeAndType,
                    format!("both {what} and {what}_size given"),
                )
                .rule(format!(
                    "cilium/ebpf takes either {what} or {what}_size, not both"
                ))
                .effect(Actor::Libbpf, None, "accepted when the sizes agree")
                .effect(
                    Actor::Cilium,
                    Some(Errno::Einval),
                    format!("both {what} and {what}_size given"),
                )
                .fix(format!("keep only __type({what}, ...)")),
            );
        }
    }
    let t = MapType::from_u32(d.map_type);
    let wrong_value = match t {
        Some(MapType::Ringbuf | MapType::UserRingbuf | MapType::Arena) => d.value_size != 0,
        Some(MapType::PerfEventArray) => d.value_size != 4,
        _ => false,
    };
    if d.has_value && wrong_value {
        let t = t.expect("matched");
        findings.push(
            base(
                Code::MapValueTypeIgnored,
                format!("{t} map with a value type"),
            )
            .rule(format!(
                "{t} maps have no value type; value_size must be {}",
                if t == MapType::PerfEventArray {
                    "4"
                } else {
                    "0"
                }
            ))
            .effect(
                Actor::Libbpf,
                None,
                format!("passes value_size {} to the kernel", d.value_size),
            )
            .effect(Actor::Cilium, None, "ignores the value type")
            .fix("drop __type(value, ...)"),
        );
    }
    for field in &d.ulong_fields {
        findings.push(
            base(
                Code::MapUlongNeedsNewLibbpf,
                format!("'{field}' is an __ulong (enum) attribute"),
            )
            .rule("libbpf reads enum-encoded attributes (map_extra only) since 1.4")
            .effect(
                Actor::Libbpf,
                Some(Errno::Einval),
                format!("before 1.4: map '{name}': attr '{field}': expected PTR, got enum."),
            )
            .fix("use __uint when the value fits 32 bits and older libbpf must load the object"),
        );
    }
    if let Some((field, v)) = &d.sign_extended {
        findings.push(
            base(
                Code::MapUlongSignExtended,
                format!(
                    "'{field}' value {:#x} becomes {:#x} in libbpf",
                    *v as u32, *v as i64 as u64
                ),
            )
            .rule("libbpf reads a 4-byte __ulong enumerator as a signed 32-bit value")
            .effect(
                Actor::Libbpf,
                None,
                format!("map_extra = {:#x}", *v as i64 as u64),
            )
            .fix("use a value below 0x80000000 or force a 64-bit enum"),
        );
    }
}

fn rule_for(code: Code) -> &'static str {
    match code {
        Code::MapFieldEncoding => "integer attributes are __uint(name, N): a pointer to an array of N elements (map_extra may also be __ulong: a one-value enum)",
        Code::MapKeyValueNotPointer => "key and value are __type(name, T): a pointer to T",
        Code::MapKeyValueSize => "the key and value types must have a size",
        Code::MapConflictingSize => "key_size/value_size must agree with the size of the key/value type",
        Code::MapUnknownField => "libbpf recognises type, max_entries, map_flags, numa_node, key_size, key, value_size, value, values, pinning and map_extra",
        Code::MapTypeMissing => "every map definition needs __uint(type, ...)",
        Code::MapValuesSpec => "values is __array(values, T): the last member, a zero-length array of pointers to an inner map struct (map-in-map) or a function prototype (prog array), not nested",
        Code::MapPinning => "pinning is LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1), and only on outer maps",
        Code::MapInvalidUlong => "__ulong(name, V) is an enum with exactly one enumerator",
        _ => "",
    }
}

fn fix_for(code: Code) -> &'static str {
    match code {
        Code::MapFieldEncoding => "declare the attribute with __uint(name, value) from bpf_helpers.h",
        Code::MapKeyValueNotPointer => "declare it with __type(key, T) / __type(value, T)",
        Code::MapKeyValueSize => "use a complete type with a size (not void, a forward declaration or a function)",
        Code::MapConflictingSize => "drop key_size/value_size or make them match the type",
        Code::MapUnknownField => "remove the member (or open with relaxed_maps)",
        Code::MapTypeMissing => "add __uint(type, BPF_MAP_TYPE_...)",
        Code::MapValuesSpec => "declare __array(values, struct inner_def) as the last member of an array/hash of maps or prog array",
        Code::MapPinning => "use __uint(pinning, LIBBPF_PIN_BY_NAME) on the outer map only",
        Code::MapInvalidUlong => "use the __ulong macro from bpf_helpers.h",
        _ => "",
    }
}

/// Non-zero bytes in a map's variable (outside relocated slots): cilium/ebpf
/// refuses, libbpf silently ignores the initialiser.
fn check_nonzero_bytes(
    name: &str,
    data: &[u8],
    offset: u32,
    size: u32,
    slot_offsets: &[u64],
    findings: &mut Vec<Finding>,
) {
    let (start, end) = (offset as usize, offset as usize + size as usize);
    let Some(bytes) = data.get(start..end) else {
        return; // NOBITS or out of range: nothing initialised
    };
    let in_slot = |at: usize| {
        slot_offsets
            .iter()
            .any(|&s| (s..s.saturating_add(8)).contains(&(at as u64)))
    };
    let mut from = 0;
    let mut found = None;
    while let Some(i) = next_nonzero(bytes, from) {
        if !in_slot(start + i) {
            found = Some(i);
            break;
        }
        from = i + 1;
    }
    if let Some(pos) = found {
        findings.push(
            Finding::new(
                Code::MapsNonZeroBytes,
                Subject::Map(name.to_string()),
                format!("map definition is initialised (non-zero byte at .maps offset {:#x})", start + pos),
            )
            .section(".maps")
            .offset((start + pos) as u64)
            .rule("a .maps definition carries its information in BTF; its bytes must be zero except relocated `values` slots")
            .effect(Actor::Libbpf, None, "ignores the initialiser silently")
            .effect(Actor::Cilium, Some(Errno::Eopnotsupp), "not supported: initializing BTF map definitions")
            .fix("remove the initialiser; only `.values = { ... }` may be initialised"),
        );
    }
}

/// The index of the first non-zero byte at or after `from`. Definitions are
/// all zeros, so whole zero words are skipped eight bytes at a time.
fn next_nonzero(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let zero_words = rest
        .chunks_exact(8)
        .take_while(|w| {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            u64::from_ne_bytes(word) == 0
        })
        .count();
    let skipped = zero_words * 8;
    let tail = rest.get(skipped..).unwrap_or_default();
    tail.iter()
        .position(|&b| b != 0)
        .map(|p| from + skipped + p)
}

/// The members a BTF map definition may have, told apart by their name's
/// bytes (no text conversion for the common case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Type,
    MaxEntries,
    MapFlags,
    NumaNode,
    KeySize,
    ValueSize,
    Key,
    Value,
    Values,
    Pinning,
    MapExtra,
}

impl Field {
    const ALL: [Field; 11] = [
        Field::Type,
        Field::MaxEntries,
        Field::MapFlags,
        Field::NumaNode,
        Field::KeySize,
        Field::ValueSize,
        Field::Key,
        Field::Value,
        Field::Values,
        Field::Pinning,
        Field::MapExtra,
    ];

    fn from_name(name: &[u8]) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name().as_bytes() == name)
    }

    /// The member name, as libbpf spells it in its messages.
    fn name(self) -> &'static str {
        match self {
            Field::Type => "type",
            Field::MaxEntries => "max_entries",
            Field::MapFlags => "map_flags",
            Field::NumaNode => "numa_node",
            Field::KeySize => "key_size",
            Field::ValueSize => "value_size",
            Field::Key => "key",
            Field::Value => "value",
            Field::Values => "values",
            Field::Pinning => "pinning",
            Field::MapExtra => "map_extra",
        }
    }
}

pub(crate) struct DefParser<'b, 'a> {
    pub btf: &'b Btf<'a>,
    pub findings: Vec<Finding>,
}

impl<'a> DefParser<'_, 'a> {
    /// libbpf's `parse_btf_map_def` in strict mode.
    pub(crate) fn parse(
        &mut self,
        map: &str,
        def: &Type<'a>,
        is_inner: bool,
    ) -> Result<MapDef, DefError> {
        let btf = self.btf;
        let mut d = MapDef::default();
        let vlen = def.vlen() as usize;
        for (i, m) in def.members().enumerate() {
            let Some(bytes) = super::btf_str(btf, m.name_off) else {
                return Err(def_err(
                    Code::MapUnknownField,
                    Errno::Einval,
                    def.id(),
                    format!("map '{map}': invalid field #{i}."),
                ));
            };
            let Some(field) = Field::from_name(bytes) else {
                return Err(def_err(
                    Code::MapUnknownField,
                    Errno::Eopnotsupp,
                    m.type_id,
                    format!("map '{map}': unknown field '{}'.", super::elf::text(bytes)),
                ));
            };
            let name = field.name();
            match field {
                Field::Type => d.map_type = self.field_int(map, name, m.type_id)?,
                Field::MaxEntries => d.max_entries = self.field_int(map, name, m.type_id)?,
                Field::MapFlags => d.map_flags = self.field_int(map, name, m.type_id)?,
                Field::NumaNode => {
                    d.numa_node = self.field_int(map, name, m.type_id)?;
                    d.has_numa_node = true;
                }
                Field::KeySize | Field::ValueSize => {
                    let what = &name[..name.len() - 5];
                    let sz = self.field_int(map, name, m.type_id)?;
                    let cur = if what == "key" {
                        &mut d.key_size
                    } else {
                        &mut d.value_size
                    };
                    set_size(cur, sz, what, map, m.type_id)?;
                    if what == "key" {
                        d.has_key_size = true
                    } else {
                        d.has_value_size = true
                    }
                }
                Field::Key | Field::Value => {
                    let t = btf.type_by_id(m.type_id).map_err(|_| {
                        def_err(
                            Code::MapKeyValueNotPointer,
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': {name} type [{}] not found.", m.type_id),
                        )
                    })?;
                    if t.kind() != Kind::Ptr {
                        return Err(def_err(
                            Code::MapKeyValueNotPointer,
                            Errno::Einval,
                            m.type_id,
                            format!(
                                "map '{map}': {name} spec is not PTR: {}.",
                                kind_str(Some(&t))
                            ),
                        ));
                    }
                    let target = t.type_id();
                    let sz = btf.resolve_size(target).map_err(|_| {
                        def_err(
                            Code::MapKeyValueSize,
                            Errno::Einval,
                            target,
                            format!(
                            "map '{map}': can't determine {name} size for type [{target}]: -22."
                        ),
                        )
                    })? as u32;
                    let cur = if name == "key" {
                        &mut d.key_size
                    } else {
                        &mut d.value_size
                    };
                    set_size(cur, sz, name, map, target)?;
                    if name == "key" {
                        d.key_type_id = target;
                        d.has_key = true;
                    } else {
                        d.value_type_id = target;
                        d.has_value = true;
                    }
                }
                Field::Values => {
                    let t = MapType::from_u32(d.map_type);
                    let is_map_in_map = t.is_some_and(|t| t.is_map_in_map());
                    let is_prog_array = t == Some(MapType::ProgArray);
                    let desc = if is_map_in_map {
                        "map-in-map inner"
                    } else {
                        "prog-array value"
                    };
                    let err = |errno, id, msg: String| def_err(Code::MapValuesSpec, errno, id, msg);
                    if is_inner {
                        return Err(err(
                            Errno::Eopnotsupp,
                            m.type_id,
                            format!("map '{map}': multi-level inner maps not supported."),
                        ));
                    }
                    if i != vlen - 1 {
                        return Err(err(
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': '{name}' member should be last."),
                        ));
                    }
                    if !is_map_in_map && !is_prog_array {
                        return Err(err(
                            Errno::Eopnotsupp,
                            m.type_id,
                            format!("map '{map}': should be map-in-map or prog-array."),
                        ));
                    }
                    if d.value_size != 0 && d.value_size != 4 {
                        return Err(def_err(
                            Code::MapConflictingSize,
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': conflicting value size {} != 4.", d.value_size),
                        ));
                    }
                    d.value_size = 4;
                    let arr = btf.type_by_id(m.type_id).map_err(|_| {
                        err(
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': {desc} type [{}] not found.", m.type_id),
                        )
                    })?;
                    let elem = match arr.array() {
                        Some(a) if a.nelems == 0 => a.elem_type,
                        _ => {
                            return Err(err(
                                Errno::Einval,
                                arr.id(),
                                format!("map '{map}': {desc} spec is not a zero-sized array."),
                            ))
                        }
                    };
                    let ptr = self.skip(elem);
                    if ptr.as_ref().map(|t| t.kind()) != Some(Kind::Ptr) {
                        return Err(err(
                            Errno::Einval,
                            elem,
                            format!(
                                "map '{map}': {desc} def is of unexpected kind {}.",
                                kind_str(ptr.as_ref())
                            ),
                        ));
                    }
                    let target = self.skip(ptr.expect("checked").type_id());
                    if is_prog_array {
                        if target.as_ref().map(|t| t.kind()) != Some(Kind::FuncProto) {
                            return Err(err(
                                Errno::Einval,
                                elem,
                                format!(
                                    "map '{map}': prog-array value def is of unexpected kind {}.",
                                    kind_str(target.as_ref())
                                ),
                            ));
                        }
                        continue;
                    }
                    let Some(inner_t) = target.filter(|t| t.kind() == Kind::Struct) else {
                        return Err(err(
                            Errno::Einval,
                            elem,
                            format!(
                                "map '{map}': map-in-map inner def is of unexpected kind {}.",
                                kind_str(target.as_ref())
                            ),
                        ));
                    };
                    let inner = self.parse(&format!("{map}.inner"), &inner_t, true)?;
                    d.inner = Some(Box::new(inner));
                }
                Field::Pinning => {
                    if is_inner {
                        return Err(def_err(
                            Code::MapPinning,
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': inner def can't be pinned."),
                        ));
                    }
                    let v = self.field_int(map, name, m.type_id)?;
                    if v != PIN_NONE && v != PIN_BY_NAME {
                        return Err(def_err(
                            Code::MapPinning,
                            Errno::Einval,
                            m.type_id,
                            format!("map '{map}': invalid pinning value {v}."),
                        ));
                    }
                    d.pinning = v;
                }
                Field::MapExtra => d.map_extra = self.field_long(map, name, m.type_id, &mut d)?,
            }
        }
        if d.map_type == 0 {
            return Err(def_err(
                Code::MapTypeMissing,
                Errno::Einval,
                def.id(),
                format!("map '{map}': map type isn't specified."),
            ));
        }
        Ok(d)
    }

    /// The type `id` names past modifiers and typedefs (`None` for void,
    /// a bad id or a loop): `skip_mods_and_typedefs` then `type_by_id`,
    /// without looking the last type up twice.
    fn skip(&self, mut id: u32) -> Option<Type<'a>> {
        for _ in 0..crate::btf::MAX_RESOLVE_DEPTH {
            let t = self.btf.type_by_id(id).ok()?;
            if !(t.kind().is_modifier() || t.kind() == Kind::Typedef) {
                return Some(t);
            }
            id = t.type_id();
        }
        None
    }

    /// libbpf's `get_map_field_int`: a pointer to an array whose length is the value.
    fn field_int(&self, map: &str, attr: &str, type_id: u32) -> Result<u32, DefError> {
        let err = |id, msg: String| def_err(Code::MapFieldEncoding, Errno::Einval, id, msg);
        let t = self.skip(type_id);
        let Some(ptr) = t.filter(|t| t.kind() == Kind::Ptr) else {
            return Err(err(
                type_id,
                format!(
                    "map '{map}': attr '{attr}': expected PTR, got {}.",
                    kind_str(self.skip(type_id).as_ref())
                ),
            ));
        };
        let arr = self.btf.type_by_id(ptr.type_id()).map_err(|_| {
            err(
                ptr.id(),
                format!(
                    "map '{map}': attr '{attr}': type [{}] not found.",
                    ptr.type_id()
                ),
            )
        })?;
        match arr.array() {
            Some(a) => Ok(a.nelems),
            None => Err(err(
                arr.id(),
                format!(
                    "map '{map}': attr '{attr}': expected ARRAY, got {}.",
                    kind_str(Some(&arr))
                ),
            )),
        }
    }

    /// libbpf's `get_map_field_long` (1.4+): `__uint` or a one-value enum (`__ulong`).
    fn field_long(
        &self,
        map: &str,
        attr: &str,
        type_id: u32,
        d: &mut MapDef,
    ) -> Result<u64, DefError> {
        let t = self.skip(type_id);
        match t.as_ref().map(|t| t.kind()) {
            Some(Kind::Ptr) => return self.field_int(map, attr, type_id).map(u64::from),
            Some(Kind::Enum | Kind::Enum64) => {}
            _ => {
                return Err(def_err(
                    Code::MapFieldEncoding,
                    Errno::Einval,
                    type_id,
                    format!(
                        "map '{map}': attr '{attr}': expected ENUM or ENUM64, got {}.",
                        kind_str(t.as_ref())
                    ),
                ))
            }
        }
        let t = t.expect("matched");
        if t.vlen() != 1 {
            return Err(def_err(
                Code::MapInvalidUlong,
                Errno::Einval,
                t.id(),
                format!("map '{map}': attr '{attr}': invalid __ulong"),
            ));
        }
        let e = t.enumerators().next().expect("vlen is 1");
        d.ulong_fields.push(attr.to_string());
        Ok(match e.raw32 {
            // struct btf_enum's val is __s32: libbpf sign-extends it into the u64.
            Some(raw) => {
                let v = raw as i32;
                if v < 0 && !t.kflag() {
                    d.sign_extended = Some((attr.to_string(), v));
                }
                v as i64 as u64
            }
            None => e.value,
        })
    }
}
