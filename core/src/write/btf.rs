//! The object's `.BTF`: the plan's types plus what clang adds for the
//! variables it emits (a VAR per map, `struct bpf_map_def` for legacy maps,
//! `char _license[]`) and one DATASEC per section, in clang's order.
//!
//! Unlike clang, DATASEC sizes and VAR offsets are filled in: clang leaves
//! them 0 for libbpf to fix up from the ELF symbols at open; bpftool,
//! cilium/ebpf and the kernel then read the blob as it stands.

use super::error::WriteError;
use super::layout::{Layout, LEGACY_DEF_SIZE};
use super::{ObjectPlan, LEGACY_SECTION, LICENSE_SECTION, LICENSE_SYMBOL, MAPS_SECTION};
use crate::btf::build::{BtfBuilder, Field, TypeData};
use crate::btf::{int_encoding, var_linkage, Kind, VarSecinfo};

/// Encodes the plan's BTF with the object's VARs and DATASECs added.
pub(super) fn object_btf(plan: &ObjectPlan, layout: &Layout) -> Result<Vec<u8>, WriteError> {
    check_conflicts(plan)?;
    let mut b = plan.btf.clone();
    // libbpf reads a map VAR as `BTF_VAR_GLOBAL_ALLOCATED` (static maps are
    // refused: "unsupported map linkage static"); clang emits the same.
    let map_vars: Vec<VarSecinfo> = plan
        .maps
        .iter()
        .zip(&layout.maps)
        .map(|(m, p)| VarSecinfo {
            type_id: b.add_var(&m.name, m.type_id, var_linkage::GLOBAL_ALLOCATED),
            offset: p.offset,
            size: p.size,
        })
        .collect();

    let mut legacy_vars = Vec::new();
    if !plan.legacy.is_empty() {
        let uint = find_or_add_int(&mut b, "unsigned int", 4, 0);
        let fields: Vec<Field<'_>> = ["type", "key_size", "value_size", "max_entries", "map_flags"]
            .iter()
            .zip((0u32..).step_by(32))
            .map(|(name, bits)| Field::new(name, uint, bits))
            .collect();
        let def = b.add_struct("bpf_map_def", LEGACY_DEF_SIZE as u32, &fields);
        for (i, l) in plan.legacy.iter().enumerate() {
            legacy_vars.push(VarSecinfo {
                type_id: b.add_var(&l.name, def, var_linkage::GLOBAL_ALLOCATED),
                offset: i as u32 * LEGACY_DEF_SIZE as u32,
                size: LEGACY_DEF_SIZE as u32,
            });
        }
    }

    // `char _license[] SEC("license") = "...";` as clang describes it:
    // a signed 1-byte `char`, indexed by `__ARRAY_SIZE_TYPE__`.
    let license_len = layout.license.len() as u32;
    let chr = find_or_add_int(&mut b, "char", 1, int_encoding::SIGNED);
    let index = find_or_add_int(&mut b, "__ARRAY_SIZE_TYPE__", 4, 0);
    let arr = b.add_array(chr, index, license_len);
    let license_var = VarSecinfo {
        type_id: b.add_var(LICENSE_SYMBOL, arr, var_linkage::GLOBAL_ALLOCATED),
        offset: 0,
        size: license_len,
    };

    if !map_vars.is_empty() {
        b.add_datasec(MAPS_SECTION, layout.maps_size, &map_vars);
    }
    b.add_datasec(LICENSE_SECTION, license_len, &[license_var]);
    if !legacy_vars.is_empty() {
        b.add_datasec(LEGACY_SECTION, layout.legacy_size, &legacy_vars);
    }
    Ok(b.encode(plan.endian)?)
}

/// A whole-width INT of this name, size and encoding, reused when the plan
/// already has one (clang shares `char` and `__ARRAY_SIZE_TYPE__` too).
fn find_or_add_int(b: &mut BtfBuilder, name: &str, size: u32, encoding: u8) -> u32 {
    let found = b.iter().find_map(|(id, t)| match t.data {
        TypeData::Int {
            size: s,
            encoding: e,
            bit_offset: 0,
            bits,
        } if s == size
            && e == encoding
            && u32::from(bits) == size * 8
            && b.strings().get(t.name_off) == Some(name.as_bytes()) =>
        {
            Some(id)
        }
        _ => None,
    });
    found.unwrap_or_else(|| b.add_int(name, size, encoding))
}

/// The plan's BTF must not already describe what the writer adds: a second
/// DATASEC `.maps` or a second VAR of a map's name would leave loaders to
/// pick one.
fn check_conflicts(plan: &ObjectPlan) -> Result<(), WriteError> {
    let sections = [MAPS_SECTION, LICENSE_SECTION, LEGACY_SECTION];
    let vars: std::collections::HashSet<&[u8]> = plan
        .maps
        .iter()
        .map(|m| m.name.as_bytes())
        .chain(plan.legacy.iter().map(|l| l.name.as_bytes()))
        .chain([LICENSE_SYMBOL.as_bytes()])
        .collect();
    for (_, t) in plan.btf.iter() {
        let kind = t.kind();
        if kind != Kind::Datasec && kind != Kind::Var {
            continue;
        }
        let name = plan.btf.strings().get(t.name_off).unwrap_or_default();
        let clash = match kind {
            Kind::Datasec => sections.iter().any(|s| s.as_bytes() == name),
            _ => vars.contains(name),
        };
        if clash {
            return Err(WriteError::BtfConflict {
                kind: if kind == Kind::Datasec {
                    "DATASEC"
                } else {
                    "VAR"
                },
                name: String::from_utf8_lossy(name).into_owned(),
            });
        }
    }
    Ok(())
}
