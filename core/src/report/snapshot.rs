//! The map ABI snapshot: a stable, diff-friendly text of every map an object
//! defines and the full layout of its key and value, for review in CI
//! (`bpfc snapshot FILE > maps.snap`, then `bpfc check --snapshot maps.snap FILE`).
//!
//! Format 1:
//!
//! ```text
//! # bpfc map ABI snapshot, format 1
//! # byte order: little
//!
//! map flows
//!   type         hash
//!   key_size     16
//!   value_size   8
//!   max_entries  10240
//!   map_flags    0x1 (no_prealloc)
//!   numa_node    0
//!   map_extra    0
//!   pinning      none
//!   defined in   .maps
//!   key          struct flow_key (16 bytes)
//!     0        4  __u32 saddr
//!     4        4  __u32 daddr
//!     8        2  __u16 sport
//!     10       2  __u16 dport
//!     12       1  __u8 proto
//!     13       3  padding
//!   value        __u64 (8 bytes)
//! ```
//!
//! Layout rows are `OFFSET SIZE TYPE PATH` from the start of the key or
//! value; members of nested structs are indented under their parent and
//! named by their full path; an array of structs shows element `[0]` (the
//! others repeat it at the stride its type states); `12:3  :5` is a
//! bitfield at byte 12 bit 3, five bits wide; `padding` rows are bytes (or
//! bits) no member covers. Maps are sorted by name; inner map templates are
//! nested under their outer map. What the file does not fix (BTF type ids,
//! section offsets, programs) is left out, so recompiling unchanged
//! sources gives the same text.

use super::layout::{layout, LayoutRow, RowKind, TypeLayout};
use super::shown::Shown;
use crate::btf::Btf;
use crate::bytes::Endian;
use crate::maps::{MapSource, MapSpec, PIN_BY_NAME, PIN_NONE};
use crate::object::{legacy_layout, BtfFixups, LegacyLayout, ObjectSpec};
use std::fmt::Write;

/// The first line of every snapshot; bumped when the format changes.
pub const SNAPSHOT_HEADER: &str = "# bpfc map ABI snapshot, format 1";

/// The snapshot text of an object's maps.
pub fn snapshot(obj: &ObjectSpec<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{SNAPSHOT_HEADER}");
    let _ = writeln!(out, "# byte order: {}", endian_name(obj));
    let mut maps: Vec<&MapSpec> = obj.maps.iter().collect();
    // Sorted by name; the source breaks ties between equal names (an error
    // finding, but the snapshot must still be deterministic).
    maps.sort_by(|a, b| (a.name.as_str(), source_line(a)).cmp(&(b.name.as_str(), source_line(b))));
    if maps.is_empty() {
        let _ = writeln!(out, "\n(no maps)");
    }
    let cx = Ctx {
        btf: obj.btf.as_ref(),
        fixups: obj.btf_fixups.as_ref(),
        endian: obj.endian,
    };
    for m in maps {
        out.push('\n');
        let _ = writeln!(out, "map {}", Shown(&m.name));
        cx.map_body(&mut out, m, 1);
    }
    out
}

fn endian_name(obj: &ObjectSpec<'_>) -> &'static str {
    match obj.endian {
        Endian::Little => "little",
        Endian::Big => "big",
    }
}

/// Where a map is defined, without offsets (they move when maps are added).
pub fn source_line(m: &MapSpec) -> String {
    match &m.source {
        MapSource::BtfMaps { section, .. } => section.to_string(),
        MapSource::Legacy {
            section, def_size, ..
        } => format!("{section} (legacy {def_size}-byte definition)"),
        MapSource::Internal { section } => format!("{section} (global data)"),
        MapSource::StructOps { section, type_name } => {
            format!("{section} (struct_ops struct {type_name})")
        }
        MapSource::Declared => "#[bpf_map]".to_string(),
        MapSource::Inner => "values (inner map template)".to_string(),
    }
}

/// `none`, `by_name`, or the raw number for values loaders do not define.
pub fn pinning_name(pinning: u32) -> String {
    match pinning {
        PIN_NONE => "none".to_string(),
        PIN_BY_NAME => "by_name".to_string(),
        n => format!("{n} (unknown)"),
    }
}

/// The BTF type of a map's value for reports: the map's value type id, or
/// for a struct_ops map (which libbpf creates with the kernel's type, not a
/// value type id from the object) the object's struct of that name.
pub fn value_type_id(m: &MapSpec, btf: Option<&Btf<'_>>) -> u32 {
    match (&m.source, btf) {
        (MapSource::StructOps { type_name, .. }, Some(b)) if m.btf_value_type_id == 0 => b
            .find_by_name_kind(type_name, crate::btf::Kind::Struct)
            .map_or(0, |t| t.id()),
        _ => m.btf_value_type_id,
    }
}

/// `0`, or `0x480 (rdonly_prog|mmapable)`.
pub fn flags_text(m: &MapSpec) -> String {
    if m.map_flags == 0 {
        "0".to_string()
    } else {
        format!("{:#x} ({})", m.map_flags, m.flags())
    }
}

/// `hash`, or `unknown (99)`.
pub fn type_text(m: &MapSpec) -> String {
    match m.kind() {
        Some(t) => t.name().to_string(),
        None => format!("unknown ({})", m.map_type),
    }
}

/// The fields a legacy definition has past `struct bpf_map_def`, decoded in
/// the object's byte order (so both byte orders read the same):
/// `iproute2 bpf_elf_map: id 1, pinning 2, inner_id 0, inner_idx 0`.
/// `None` for a plain 20-byte definition.
pub fn legacy_extra_text(def_size: u64, extra: &[u8], endian: Endian) -> Option<String> {
    if extra.is_empty() {
        return None;
    }
    Some(match legacy_layout(def_size, extra, endian) {
        LegacyLayout::BpfMapDef => return None,
        LegacyLayout::Extended28 { word5, word6 } => format!(
            "28-byte layout: {word5}, {word6} (aya: id, pinning; kernel samples: inner_map_idx, numa_node)"
        ),
        LegacyLayout::Iproute2 {
            id,
            pinning,
            inner_id,
            inner_idx,
        } => format!(
            "iproute2 bpf_elf_map: id {id}, pinning {pinning}, inner_id {inner_id}, inner_idx {inner_idx}"
        ),
        LegacyLayout::Iproute2Packed { id, pinning } => {
            format!("iproute2 2015 layout: id {id}, pinning {pinning}")
        }
        LegacyLayout::Unknown => {
            let words: Vec<String> = extra
                .chunks(4)
                .map(|c| match endian.read_u32(c, 0) {
                    Some(w) => format!("{w:#x}"),
                    None => c.iter().map(|b| format!("{b:02x}")).collect(),
                })
                .collect();
            format!(
                "{} bytes no loader defines, as u32 words: {}",
                extra.len(),
                words.join(" ")
            )
        }
    })
}

struct Ctx<'b, 'a> {
    btf: Option<&'b Btf<'a>>,
    fixups: Option<&'b BtfFixups<'a>>,
    endian: Endian,
}

impl Ctx<'_, '_> {
    fn map_body(&self, out: &mut String, m: &MapSpec, level: usize) {
        let pad = "  ".repeat(level);
        let mut field = |name: &str, value: String| {
            let _ = writeln!(out, "{pad}{name:<12} {}", Shown(&value));
        };
        field("type", type_text(m));
        field("key_size", m.key_size.to_string());
        field("value_size", m.value_size.to_string());
        field("max_entries", m.max_entries.to_string());
        field("map_flags", flags_text(m));
        field("numa_node", m.numa_node.to_string());
        field("map_extra", m.map_extra.to_string());
        field("pinning", pinning_name(m.pinning));
        field("defined in", source_line(m));
        if let MapSource::Legacy {
            def_size, extra, ..
        } = &m.source
        {
            if let Some(text) = legacy_extra_text(*def_size, extra, self.endian) {
                field("extra", text);
            }
        }
        self.side(out, level, "key", m.key_size, m.btf_key_type_id);
        self.side(
            out,
            level,
            "value",
            m.value_size,
            value_type_id(m, self.btf),
        );
        if let Some(inner) = &m.inner {
            let _ = writeln!(out, "{pad}{:<12} {}", "inner map", Shown(&inner.name));
            self.map_body(out, inner, level + 1);
        }
        for s in &m.slots {
            let target = s.target.to_string();
            let _ = writeln!(
                out,
                "{pad}{:<12} [{}] = {}",
                "slot",
                s.index,
                Shown(&target)
            );
        }
    }

    /// The `key` or `value` line and the layout rows under it.
    fn side(&self, out: &mut String, level: usize, what: &str, size: u32, type_id: u32) {
        let pad = "  ".repeat(level);
        let btf = match self.btf {
            Some(b) if type_id != 0 => b,
            _ => {
                let _ = writeln!(out, "{pad}{what:<12} {size} bytes, no BTF type");
                return;
            }
        };
        let l = layout(btf, type_id, self.fixups);
        let _ = writeln!(out, "{pad}{what:<12} {}", Shown(&layout_title(&l)));
        write_rows(out, &l, &format!("{pad}  "));
    }
}

/// `struct flow_key (16 bytes)`.
pub fn layout_title(l: &TypeLayout) -> String {
    match l.size {
        Some(s) => format!("{} ({s} bytes)", l.type_name),
        None => format!("{} (size unknown)", l.type_name),
    }
}

/// The rows of a layout, each line starting with `pad`.
pub fn write_rows(out: &mut String, l: &TypeLayout, pad: &str) {
    for r in &l.rows {
        let (off, size) = row_position(r);
        let indent = "  ".repeat(r.depth as usize);
        let what = match &r.kind {
            RowKind::Padding => "padding".to_string(),
            RowKind::Member {
                path,
                type_name,
                bitfield: Some(bits),
            } => format!("{type_name} {path}:{bits}"),
            RowKind::Member {
                path, type_name, ..
            } => format!("{type_name} {path}"),
        };
        let _ = writeln!(out, "{pad}{off:<8} {size:>3}  {indent}{}", Shown(&what));
    }
    if l.truncated {
        let _ = writeln!(out, "{pad}... cut after {} rows", super::layout::MAX_ROWS);
    }
}

/// `("12", "4")` for bytes, `("12:3", ":5")` for bits.
fn row_position(r: &LayoutRow) -> (String, String) {
    if r.is_byte_aligned() {
        ((r.bit_offset / 8).to_string(), (r.bit_size / 8).to_string())
    } else {
        (
            format!("{}:{}", r.bit_offset / 8, r.bit_offset % 8),
            format!(":{}", r.bit_size),
        )
    }
}
