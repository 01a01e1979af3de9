//! `bpfc build`'s library half: host objects compiled from `#[bpf_map]`
//! declarations in, one relocatable EM_BPF object out.
//!
//! The CLI runs cargo and hands over every host object (or rlib member) that
//! holds `.maps`, `maps` or `.bpfc.slots`. This module reads their map
//! definitions (`host`), converts the DWARF of the `.maps` definitions to
//! BTF, deduplicated across every object ([`crate::dwarf::variable_types`]),
//! and writes the BPF object ([`crate::write`]).
//!
//! The macro's definition types (`__bpf_map_def_FLOWS`, ...) are written as
//! anonymous structs, as clang writes `struct { __uint(...); } FLOWS`; key
//! and value types keep their (C-ified) Rust names.

mod host;

use crate::bytes::Endian;
use crate::dwarf::{variable_types, DwarfError, DwarfSections, VariableRequest};
use crate::write::{write_object, LegacyDefinition, MapDefinition, ObjectPlan, WriteError};
pub use host::{read_maps, HostLegacy, HostMap, HostMaps, HostSlots};

/// The prefix of the macro's hidden items, written anonymous.
const HIDDEN_PREFIX: &str = "__bpf_map_";

/// One compiled host object that may hold map definitions.
#[derive(Debug, Clone, Copy)]
pub struct HostObject<'a> {
    /// Where it came from, for messages: a path, or `lib.rlib(member.o)`.
    pub origin: &'a str,
    /// The whole ELF file.
    pub data: &'a [u8],
}

/// How to write the object.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Byte order of the written object.
    pub endian: Endian,
    /// Contents of the `license` section (without the trailing NUL).
    pub license: String,
}

/// A written object and what the conversion had to say about it.
#[derive(Debug, Clone)]
pub struct BuiltObject {
    /// The ELF file's bytes.
    pub bytes: Vec<u8>,
    /// Names of the maps written, in section order (`.maps`, then `maps`).
    pub maps: Vec<String>,
    /// Things the conversion could only approximate (a data-carrying enum
    /// made opaque, a Rust `char` written as an unsigned int, ...).
    pub warnings: Vec<String>,
}

/// Why a build produced no object.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// None of the inputs declares a map.
    #[error("no map definitions found: no object of the crate or its dependencies has a `.maps` or `maps` section (declare maps with #[bpf_map])")]
    NoMaps,
    /// A host object whose ELF or map sections cannot be read.
    #[error("{origin}: {msg}")]
    HostObject { origin: String, msg: String },
    /// Two objects define a map of the same name.
    #[error("map `{name}` is defined twice: in {first} and in {second} (map names must be unique in an object)")]
    DuplicateMap {
        name: String,
        first: String,
        second: String,
    },
    /// A host object's DWARF could not be converted.
    #[error("{origin}: {source}")]
    Dwarf {
        origin: String,
        #[source]
        source: DwarfError,
    },
    /// The object could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Reads the maps of `inputs` and writes them as one BPF object.
pub fn build_object(
    inputs: &[HostObject<'_>],
    options: &BuildOptions,
) -> Result<BuiltObject, BuildError> {
    // Every object's maps, in input order.
    let mut found: Vec<(usize, HostMaps)> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let maps = host::read_maps(input.data).map_err(|msg| BuildError::HostObject {
            origin: input.origin.to_string(),
            msg,
        })?;
        if !maps.is_empty() {
            found.push((index, maps));
        }
    }
    if found
        .iter()
        .all(|(_, m)| m.maps.is_empty() && m.legacy.is_empty())
    {
        return Err(BuildError::NoMaps);
    }
    check_unique(inputs, &found)?;

    // DWARF of every object with BTF-defined maps, converted together so
    // that the types they share come out once.
    let with_maps: Vec<&(usize, HostMaps)> =
        found.iter().filter(|(_, m)| !m.maps.is_empty()).collect();
    let mut sections = Vec::with_capacity(with_maps.len());
    for (index, _) in &with_maps {
        let s = DwarfSections::load(inputs[*index].data).map_err(|source| BuildError::Dwarf {
            origin: inputs[*index].origin.to_string(),
            source,
        })?;
        sections.push(s);
    }
    // Maps in name order: the object then does not depend on how rustc
    // split the crate into codegen units.
    let mut wanted: Vec<(usize, &host::HostMap)> = with_maps
        .iter()
        .enumerate()
        .flat_map(|(object, (_, maps))| maps.maps.iter().map(move |m| (object, m)))
        .collect();
    // A slot table may sit in another codegen unit than its map.
    let slots: std::collections::HashMap<&str, &Vec<Option<String>>> = found
        .iter()
        .flat_map(|(_, m)| m.slots.iter())
        .map(|t| (t.outer.as_str(), &t.slots))
        .collect();
    wanted.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let mut requests = Vec::with_capacity(wanted.len());
    let mut sizes = Vec::with_capacity(wanted.len());
    for (object, map) in wanted {
        requests.push(VariableRequest {
            object,
            name: map.name.clone(),
        });
        let initial = slots
            .get(map.name.as_str())
            .map_or_else(Vec::new, |s| s.to_vec());
        sizes.push((map.name.clone(), map.size, initial));
    }
    let types =
        variable_types(&sections, &requests, Some(HIDDEN_PREFIX)).map_err(|(object, source)| {
            BuildError::Dwarf {
                origin: inputs[with_maps[object].0].origin.to_string(),
                source,
            }
        })?;
    let mut maps: Vec<MapDefinition> = sizes
        .into_iter()
        .zip(&types.type_ids)
        .map(|((name, size, slots), &type_id)| MapDefinition {
            name,
            type_id,
            size,
            slots,
        })
        .collect();
    order_inner_first(&mut maps);
    let mut legacy: Vec<LegacyDefinition> = found
        .iter()
        .flat_map(|(_, m)| m.legacy.iter())
        .map(|l| LegacyDefinition {
            name: l.name.clone(),
            def: l.def,
        })
        .collect();
    legacy.sort_by(|a, b| a.name.cmp(&b.name));
    let names = maps
        .iter()
        .map(|m| m.name.clone())
        .chain(legacy.iter().map(|l| l.name.clone()))
        .collect();
    let plan = ObjectPlan {
        btf: types.btf,
        maps,
        legacy,
        license: options.license.clone(),
        endian: options.endian,
    };
    let bytes = write_object(&plan)?;
    Ok(BuiltObject {
        bytes,
        maps: names,
        warnings: types.warnings,
    })
}

fn check_unique(inputs: &[HostObject<'_>], found: &[(usize, HostMaps)]) -> Result<(), BuildError> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, maps) in found {
        let names = maps
            .maps
            .iter()
            .map(|m| m.name.as_str())
            .chain(maps.legacy.iter().map(|l| l.name.as_str()));
        for name in names {
            if let Some(first) = seen.insert(name, *index) {
                return Err(BuildError::DuplicateMap {
                    name: name.to_string(),
                    first: inputs[first].origin.to_string(),
                    second: inputs[*index].origin.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// libbpf fills an outer map's slots right after creating it, so every map
/// a slot names must come earlier in `.maps`. Keeps the given order
/// otherwise (a stable topological order; slots cannot form a cycle that a
/// compiler accepted, but a cycle is left in place for the writer to
/// refuse).
fn order_inner_first(maps: &mut Vec<MapDefinition>) {
    let names: std::collections::HashSet<String> = maps.iter().map(|m| m.name.clone()).collect();
    let mut placed: Vec<MapDefinition> = Vec::with_capacity(maps.len());
    let mut pending: Vec<MapDefinition> = std::mem::take(maps);
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for map in pending {
            // A slot naming no map of the object is the writer's to refuse.
            let ready = map
                .slots
                .iter()
                .flatten()
                .all(|inner| !names.contains(inner) || placed.iter().any(|p| &p.name == inner));
            if ready {
                placed.push(map);
            } else {
                rest.push(map);
            }
        }
        if rest.len() == before {
            placed.extend(rest);
            break;
        }
        pending = rest;
    }
    *maps = placed;
}
