//! Checks a plan against the rules loaders apply to what the writer emits,
//! and places every map: where each definition starts in `.maps`, how many
//! bytes its variable covers (definition plus initial slots), and which
//! `.rel.maps` relocations fill the slots.

use std::collections::{BTreeSet, HashMap};

use super::error::WriteError;
use super::{ObjectPlan, LICENSE_SYMBOL};
use crate::btf::build::{BtfBuilder, TypeData};

/// Size of one slot: a 64-bit pointer (libbpf's `bpf_ptr_sz` for BPF).
pub(super) const SLOT_SIZE: u64 = 8;
/// `struct bpf_map_def`: five u32.
pub(super) const LEGACY_DEF_SIZE: u64 = 20;
/// `.maps` alignment: definitions are structs of pointers, clang aligns
/// each variable (and the section) to 8.
pub(super) const MAPS_ALIGN: u64 = 8;
/// Longest name accepted, exclusive: KSYM_NAME_LEN (128) as kernels before
/// 6.1 apply it to BTF names (`btf_name_valid_identifier`).
const NAME_LIMIT: usize = 128;

/// Where one BTF-defined map's variable sits in `.maps`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placed {
    pub offset: u32,
    /// Definition plus slots: the symbol's `st_size` and the DATASEC
    /// entry's size.
    pub size: u32,
}

/// One `.rel.maps` relocation: the slot at `offset` in `.maps` points at
/// map `target` (an index into `plan.maps`).
#[derive(Debug, Clone, Copy)]
pub(super) struct SlotReloc {
    pub offset: u64,
    pub target: usize,
}

#[derive(Debug)]
pub(super) struct Layout {
    pub maps: Vec<Placed>,
    pub maps_size: u32,
    pub relocs: Vec<SlotReloc>,
    pub legacy_size: u32,
    /// The license text with its NUL.
    pub license: Vec<u8>,
}

pub(super) fn layout(plan: &ObjectPlan) -> Result<Layout, WriteError> {
    if plan.btf.first_id() != 1 {
        return Err(WriteError::SplitBtf {
            first_id: plan.btf.first_id(),
        });
    }
    check_names(plan)?;
    let index: HashMap<&str, usize> = plan
        .maps
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();

    let mut maps = Vec::with_capacity(plan.maps.len());
    let mut relocs = Vec::new();
    let mut end: u64 = 0;
    for m in &plan.maps {
        let values = definition(&plan.btf, m)?;
        let start = end.next_multiple_of(MAPS_ALIGN);
        let mut size = u64::from(m.size);
        if !m.slots.is_empty() {
            let values_off = match values {
                Values::Last(bytes) => bytes,
                Values::NotLast => {
                    return Err(WriteError::ValuesNotLast {
                        map: m.name.clone(),
                    })
                }
                Values::Missing => {
                    return Err(WriteError::SlotsWithoutValues {
                        map: m.name.clone(),
                        slots: m.slots.len(),
                    })
                }
            };
            let slots_end = values_off + SLOT_SIZE * m.slots.len() as u64;
            size = size.max(slots_end);
            for (i, slot) in m.slots.iter().enumerate() {
                let Some(target) = slot else { continue };
                let Some(&t) = index.get(target.as_str()) else {
                    return Err(WriteError::UnknownSlotTarget {
                        map: m.name.clone(),
                        slot: i,
                        target: target.clone(),
                    });
                };
                if t >= maps.len() {
                    return Err(WriteError::SlotTargetNotBefore {
                        map: m.name.clone(),
                        slot: i,
                        target: target.clone(),
                    });
                }
                relocs.push(SlotReloc {
                    offset: start + values_off + SLOT_SIZE * i as u64,
                    target: t,
                });
            }
        }
        if size == 0 {
            return Err(WriteError::EmptyDefinition {
                map: m.name.clone(),
                type_id: m.type_id,
            });
        }
        end = start + size;
        maps.push(Placed {
            offset: fit(start, "the .maps section")?,
            size: fit(size, "a map definition with its slots")?,
        });
    }
    let legacy_size = fit(
        LEGACY_DEF_SIZE * plan.legacy.len() as u64,
        "the legacy maps section",
    )?;
    if let Some(offset) = plan.license.bytes().position(|b| b == 0) {
        return Err(WriteError::LicenseNul { offset });
    }
    let mut license = plan.license.as_bytes().to_vec();
    license.push(0);
    fit(license.len() as u64, "the license section")?;
    Ok(Layout {
        maps,
        maps_size: fit(end, "the .maps section")?,
        relocs,
        legacy_size,
        license,
    })
}

/// DATASEC sizes and offsets are u32.
fn fit(v: u64, what: &'static str) -> Result<u32, WriteError> {
    u32::try_from(v).map_err(|_| WriteError::TooLarge { what, len: v })
}

/// Where the `values` member of a definition is.
enum Values {
    /// The last member, at this byte offset.
    Last(u64),
    NotLast,
    Missing,
}

/// Checks that a map's definition is a STRUCT of the stated size and finds
/// its `values` member.
fn definition(btf: &BtfBuilder, m: &super::MapDefinition) -> Result<Values, WriteError> {
    let body = match btf.get(m.type_id).map(|t| &t.data) {
        Some(TypeData::Struct(body)) => body,
        other => {
            return Err(WriteError::NotAStruct {
                map: m.name.clone(),
                type_id: m.type_id,
                found: match other {
                    Some(d) => d.kind().to_string(),
                    None => "not defined".to_string(),
                },
            })
        }
    };
    if body.size != m.size {
        return Err(WriteError::SizeMismatch {
            map: m.name.clone(),
            type_id: m.type_id,
            size: m.size,
            btf_size: body.size,
        });
    }
    let is_values = |name_off| btf.strings().get(name_off) == Some(b"values".as_slice());
    let last = body.members.len().checked_sub(1);
    match body.members.iter().position(|mb| is_values(mb.name_off)) {
        None => Ok(Values::Missing),
        Some(i) if Some(i) == last => Ok(Values::Last(u64::from(body.members[i].bit_offset) / 8)),
        Some(_) => Ok(Values::NotLast),
    }
}

/// Every map name becomes an ELF symbol, a BTF VAR (identifier rule), a
/// kernel map name (alnum, `_`, `.`) and, in a bpftool skeleton, a C field
/// name: so a C identifier, unique in the object.
fn check_names(plan: &ObjectPlan) -> Result<(), WriteError> {
    let mut seen = BTreeSet::new();
    let names = plan
        .maps
        .iter()
        .map(|m| &m.name)
        .chain(plan.legacy.iter().map(|l| &l.name));
    for name in names {
        if let Some(rule) = name_rule_broken(name) {
            return Err(WriteError::InvalidName {
                name: name.clone(),
                rule,
            });
        }
        if name == LICENSE_SYMBOL {
            return Err(WriteError::ReservedName {
                name: name.clone(),
                what: "license symbol",
            });
        }
        if !seen.insert(name.as_str()) {
            return Err(WriteError::DuplicateMap { name: name.clone() });
        }
    }
    Ok(())
}

fn name_rule_broken(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.is_empty() {
        return Some("empty (libbpf: \"map #i: empty name\")");
    }
    if b.len() >= NAME_LIMIT {
        return Some("128 bytes or longer (KSYM_NAME_LEN, the kernel's limit on BTF names)");
    }
    if b[0].is_ascii_digit() {
        return Some("starts with a digit (BTF names are identifiers)");
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return Some(
            "only ASCII letters, digits and `_` are allowed (BTF identifier, kernel map_name \
             and skeleton field rules)",
        );
    }
    None
}
