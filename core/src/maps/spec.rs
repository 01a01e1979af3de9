//! `MapSpec`: what a file (or a declaration) says about one map. Plain data;
//! creating the map in the kernel is a separate step that never re-parses.

use super::{MapFlags, MapType};
use serde::Serialize;

/// libbpf's `LIBBPF_PIN_NONE` / `LIBBPF_PIN_BY_NAME` (other values are kept
/// raw so a checker can report them).
pub const PIN_NONE: u32 = 0;
pub const PIN_BY_NAME: u32 = 1;

/// One map as a BPF object or a `#[bpf_map]` declaration describes it.
///
/// Numbers are kept raw (`map_type`, `map_flags`, `pinning`) so that values a
/// kernel or loader would refuse can still be represented and reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapSpec {
    pub name: String,
    /// `enum bpf_map_type` value; see [`MapSpec::kind`].
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    /// `BPF_F_*` bits; see [`MapSpec::flags`].
    pub map_flags: u32,
    pub numa_node: u32,
    pub map_extra: u64,
    /// [`PIN_NONE`], [`PIN_BY_NAME`] or whatever the file said.
    pub pinning: u32,
    /// BTF type id of the key in the object's BTF (0: none).
    pub btf_key_type_id: u32,
    /// BTF type id of the value in the object's BTF (0: none).
    pub btf_value_type_id: u32,
    /// Template of the inner map for map-in-map outer maps (libbpf's `values`).
    pub inner: Option<Box<MapSpec>>,
    /// Initial slot contents: map-in-map or prog-array `values` relocations
    /// (slot index -> map or program), or for a struct_ops map the function
    /// pointer members set to programs (member index -> program).
    pub slots: Vec<MapSlot>,
    /// Where the definition was found.
    pub source: MapSource,
}

/// An initialised slot of an outer map or a prog array (or a struct_ops
/// function pointer member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapSlot {
    pub index: u32,
    /// Name of the map or program the slot points at.
    pub target: String,
}

/// How and where a map was defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MapSource {
    /// A BTF-defined map: a variable in `.maps` described by BTF. (The
    /// section is always `.maps`, so reading one costs no copy of it.)
    BtfMaps {
        section: std::borrow::Cow<'static, str>,
        offset: u64,
    },
    /// A legacy `struct bpf_map_def`-style record (`maps`, `maps/NAME`).
    /// `extra` holds the bytes past the 20 that libbpf understands (iproute2's
    /// id/pinning/inner_id/inner_idx, aya's id/pinning, or garbage).
    Legacy {
        section: String,
        offset: u64,
        def_size: u64,
        extra: Vec<u8>,
    },
    /// A map libbpf creates for a global-data section (`.data`, `.rodata`, `.bss`, `.kconfig`, ...).
    Internal { section: String },
    /// A struct_ops map (`.struct_ops`, `.struct_ops.link`).
    StructOps { section: String, type_name: String },
    /// Declared in Rust with `#[bpf_map]`.
    Declared,
    /// The inner template of a map-in-map.
    Inner,
}

impl MapSpec {
    /// A spec with every number zero, for builders.
    pub fn new(name: impl Into<String>, map_type: MapType, source: MapSource) -> MapSpec {
        MapSpec {
            name: name.into(),
            map_type: map_type as u32,
            key_size: 0,
            value_size: 0,
            max_entries: 0,
            map_flags: 0,
            numa_node: 0,
            map_extra: 0,
            pinning: PIN_NONE,
            btf_key_type_id: 0,
            btf_value_type_id: 0,
            inner: None,
            slots: Vec::new(),
            source,
        }
    }

    /// The map type, if the number is one the kernel defines.
    pub fn kind(&self) -> Option<MapType> {
        MapType::from_u32(self.map_type)
    }

    pub fn flags(&self) -> MapFlags {
        MapFlags(self.map_flags)
    }
}
