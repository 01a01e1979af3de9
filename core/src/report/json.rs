//! The JSON documents of `bpfc inspect --json` and `bpfc check --json`.
//!
//! Both commands print JSON lines: one compact document per input file, in
//! the order the files were given; `check` adds a last line with the
//! summary. The schemas are in the module documentation of
//! [`crate::report`] and in the README; [`SCHEMA_VERSION`] changes when a
//! field is removed or changes meaning (adding fields does not).

use super::finding::Counts;
use super::text::kind_counts;
use super::type_name::type_name;
use crate::btf::Btf;
use crate::diag::Finding;
use crate::maps::{MapSlot, MapSource, MapSpec};
use crate::object::{ObjectError, ObjectSpec, ProgramSpec};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the document schemas below.
pub const SCHEMA_VERSION: u32 = 1;

/// `bpfc inspect --json`: one object.
#[derive(Debug, Serialize)]
pub struct InspectDoc<'r> {
    pub schema_version: u32,
    /// The path as given on the command line.
    pub file: &'r str,
    /// libbpf's object name (prefix of internal map names).
    pub object: &'r str,
    /// `"little"` or `"big"`.
    pub endian: &'static str,
    /// `e_machine`: 247 (EM_BPF) or 0 (EM_NONE).
    pub machine: u16,
    pub license: Option<&'r str>,
    pub kern_version: Option<u32>,
    pub maps: Vec<MapDoc>,
    pub programs: Vec<ProgramDoc<'r>>,
    /// `.kconfig` values and `.ksyms` kernel symbols the object needs.
    pub externs: &'r [crate::object::Extern],
    pub btf: Option<BtfDoc>,
    pub findings: &'r [Finding],
    pub counts: Counts,
}

/// One map, as the object defines it (before any loader adjustment; the
/// findings name those).
#[derive(Debug, Serialize)]
pub struct MapDoc {
    pub name: String,
    /// libbpf's lower-case type name (`hash`, `perf_event_array`); `null`
    /// when the number is not a kernel map type.
    #[serde(rename = "type")]
    pub type_name: Option<&'static str>,
    /// The `enum bpf_map_type` number.
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    /// The raw `BPF_F_*` bits.
    pub map_flags: u32,
    /// Names of the known bits set in `map_flags` (`no_prealloc`, `rdonly_prog`...).
    pub map_flags_names: Vec<&'static str>,
    pub numa_node: u32,
    pub map_extra: u64,
    /// 0 none, 1 by name (libbpf), anything else as written.
    pub pinning: u32,
    /// C spelling of the key type, when the map has key BTF.
    pub key_type: Option<String>,
    /// Key type id in the object's BTF (0: none).
    pub key_btf_id: u32,
    /// C spelling of the value type (for struct_ops maps: the struct the
    /// object declares, which libbpf matches with the kernel's by name).
    pub value_type: Option<String>,
    /// Value type id as libbpf passes it (0 for struct_ops and keyless internal keys).
    pub value_btf_id: u32,
    /// A map libbpf creates for global data (`.data`, `.rodata`, `.bss`, `.kconfig`).
    pub internal: bool,
    /// Where the definition is: `{"kind": "btf_maps" | "legacy" | "internal" | "struct_ops", ...}`.
    pub source: MapSource,
    /// The inner map template of a map-in-map.
    pub inner: Option<Box<MapDoc>>,
    /// Slots initialised from `.rel.maps` (prog arrays, map-in-map).
    pub slots: Vec<MapSlot>,
}

impl MapDoc {
    pub fn new(m: &MapSpec, btf: Option<&Btf<'_>>) -> MapDoc {
        let name_of = |id: u32| match btf {
            Some(b) if id != 0 => Some(type_name(b, id)),
            _ => None,
        };
        MapDoc {
            name: m.name.clone(),
            type_name: m.kind().map(|t| t.name()),
            map_type: m.map_type,
            key_size: m.key_size,
            value_size: m.value_size,
            max_entries: m.max_entries,
            map_flags: m.map_flags,
            map_flags_names: m.flags().names().0,
            numa_node: m.numa_node,
            map_extra: m.map_extra,
            pinning: m.pinning,
            key_type: name_of(m.btf_key_type_id),
            key_btf_id: m.btf_key_type_id,
            value_type: name_of(super::snapshot::value_type_id(m, btf)),
            value_btf_id: m.btf_value_type_id,
            internal: matches!(m.source, MapSource::Internal { .. }),
            source: m.source.clone(),
            inner: m.inner.as_ref().map(|i| Box::new(MapDoc::new(i, btf))),
            slots: m.slots.clone(),
        }
    }
}

/// One program or subprogram.
#[derive(Debug, Serialize)]
pub struct ProgramDoc<'r> {
    pub name: &'r str,
    /// ELF section name as written (a leading `?` included).
    pub section: &'r str,
    /// libbpf's program type name (`xdp`, `kprobe`...), `null` when no SEC() convention matches.
    pub prog_type: Option<&'static str>,
    /// libbpf's expected attach type name, when the section implies one.
    pub attach_type: Option<&'static str>,
    /// The target named after the `/` of `fentry/<func>`-style sections.
    pub attach_target: Option<&'r str>,
    pub insns: u32,
    pub autoload: bool,
    /// A `.text` function libbpf appends to its callers.
    pub subprogram: bool,
    pub sleepable: bool,
    /// Names of the maps referenced by the program and every subprogram it reaches.
    pub maps: Vec<&'r str>,
    /// Names of the functions it calls directly.
    pub calls: Vec<&'r str>,
}

impl<'r> ProgramDoc<'r> {
    pub fn new(p: &'r ProgramSpec<'_>, obj: &'r ObjectSpec<'_>) -> ProgramDoc<'r> {
        ProgramDoc {
            name: &p.name,
            section: &p.section,
            prog_type: p.prog_type.map(|t| t.name()),
            attach_type: p.attach_type.map(|t| t.name()),
            attach_target: p.attach_target.as_deref(),
            insns: p.insn_count,
            autoload: p.autoload,
            subprogram: p.subprogram,
            sleepable: p.sleepable,
            maps: obj.maps_used_by(p).map(|m| m.name.as_str()).collect(),
            calls: obj.callees(p).map(|c| c.name.as_ref()).collect(),
        }
    }
}

/// A summary of the object's `.BTF`.
#[derive(Debug, Serialize)]
pub struct BtfDoc {
    pub types: usize,
    /// Types per kind, by bpftool's kind name (`STRUCT`, `INT`...).
    pub kinds: BTreeMap<&'static str, usize>,
    pub string_bytes: usize,
    /// Size of `.BTF.ext`, when present.
    pub ext_bytes: Option<usize>,
}

impl<'r> InspectDoc<'r> {
    pub fn new(file: &'r str, obj: &'r ObjectSpec<'_>, findings: &'r [Finding]) -> InspectDoc<'r> {
        let btf = obj.btf.as_ref();
        InspectDoc {
            schema_version: SCHEMA_VERSION,
            file,
            object: &obj.name,
            endian: endian_name(obj),
            machine: obj.machine,
            license: obj.license.as_deref(),
            kern_version: obj.kern_version,
            maps: obj.maps.iter().map(|m| MapDoc::new(m, btf)).collect(),
            programs: obj
                .programs
                .iter()
                .map(|p| ProgramDoc::new(p, obj))
                .collect(),
            externs: &obj.externs,
            btf: btf.map(|b| BtfDoc {
                types: b.len(),
                kinds: kind_counts(b)
                    .into_iter()
                    .map(|(k, n)| (k.name(), n))
                    .collect(),
                string_bytes: b.string_section().len(),
                ext_bytes: obj.btf_ext.map(<[u8]>::len),
            }),
            findings,
            counts: Counts::of(findings),
        }
    }
}

fn endian_name(obj: &ObjectSpec<'_>) -> &'static str {
    match obj.endian {
        crate::bytes::Endian::Little => "little",
        crate::bytes::Endian::Big => "big",
    }
}

/// `bpfc check --json`: one file.
#[derive(Debug, Serialize)]
pub struct CheckDoc<'r> {
    pub schema_version: u32,
    pub file: &'r str,
    /// `"ok"` (no error-level finding), `"failed"` (at least one, or the
    /// snapshot differs) or `"unreadable"` (not a BPF object; see `error`).
    pub status: CheckStatus,
    /// Why the file could not be read as an object.
    pub error: Option<FileError>,
    /// The findings at or above the requested level, most severe first.
    pub findings: &'r [Finding],
    /// Counts of all findings, whatever the level shown.
    pub counts: Counts,
    /// With `--snapshot`: whether the map ABI matches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotDoc<'r>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Failed,
    Unreadable,
}

/// A file that is not a readable BPF object.
#[derive(Debug, Serialize)]
pub struct FileError {
    /// `BPFC-F0xx` for ELF structure errors ([`ObjectError::code`]), `io` when the file cannot be read.
    pub code: &'static str,
    pub message: String,
}

impl FileError {
    pub fn object(e: &ObjectError) -> FileError {
        FileError {
            code: e.code(),
            message: e.to_string(),
        }
    }

    pub fn io(e: &std::io::Error) -> FileError {
        FileError {
            code: "io",
            message: e.to_string(),
        }
    }
}

/// The `--snapshot` comparison of one file.
#[derive(Debug, Serialize)]
pub struct SnapshotDoc<'r> {
    pub path: &'r str,
    pub matches: bool,
    /// Unified diff from the snapshot to the object's current ABI, when they differ.
    pub diff: Option<&'r str>,
}

/// The last line of `bpfc check --json`.
#[derive(Debug, Serialize)]
pub struct CheckSummaryDoc {
    pub summary: CheckSummary,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CheckSummary {
    pub files: usize,
    /// Files with status `ok`, `failed`, `unreadable`.
    pub ok: usize,
    pub failed: usize,
    pub unreadable: usize,
    /// All findings over all readable files.
    pub counts: Counts,
    /// The process exit code: 2 if any file was unreadable, else 1 if any failed, else 0.
    pub exit_code: u8,
}
