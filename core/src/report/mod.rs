//! Reports about a BPF object for people and for machines: what
//! `bpfc inspect`, `bpfc check` and `bpfc snapshot` print, as library code so
//! other tools can print the same.
//!
//! - [`inspect_text`]: the readable report (maps with key/value type names,
//!   programs, BTF summary, license, findings rendered like rustc's).
//! - [`json`]: the JSON documents, schema below.
//! - [`snapshot()`]: the map ABI snapshot text (format documented in
//!   [`snapshot`](mod@snapshot)), and [`unified_diff`] to show its drift.
//! - [`layout()`] and [`type_name()`]: the pieces, for other reports.
//! - [`Shown`]: text from the object with its control characters escaped,
//!   as every text report shows it.
//!
//! # JSON schema, version 1
//!
//! Both commands print JSON lines: one compact document per file, in the
//! order given. Fields are only added within a version; removing or changing
//! the meaning of one bumps `schema_version`.
//!
//! `bpfc inspect --json`, one line per object ([`json::InspectDoc`]):
//!
//! ```text
//! { "schema_version": 1, "file": "x.bpf.o", "object": "x", "endian": "little", "machine": 247,
//!   "license": "GPL" | null, "kern_version": 265984 | null,
//!   "maps": [ { "name", "type": "hash" | null, "map_type": 1, "key_size", "value_size",
//!               "max_entries", "map_flags": 1, "map_flags_names": ["no_prealloc"], "numa_node",
//!               "map_extra", "pinning": 0, "key_type": "struct k" | null, "key_btf_id",
//!               "value_type", "value_btf_id", "internal": false,
//!               "source": { "kind": "btf_maps" | "legacy" | "internal" | "struct_ops", "section", ... },
//!               "inner": { ...map... } | null, "slots": [ { "index", "target" } ] } ],
//!   "programs": [ { "name", "section", "prog_type": "xdp" | null, "attach_type": ... | null,
//!                   "attach_target": ... | null, "insns", "autoload", "subprogram", "sleepable",
//!                   "maps": [...], "calls": [...] } ],
//!   "btf": { "types", "kinds": { "STRUCT": 3, ... }, "string_bytes", "ext_bytes": ... | null } | null,
//!   "findings": [ finding ], "counts": { "errors", "warnings", "notes" } }
//! ```
//!
//! `bpfc check --json`, one line per file ([`json::CheckDoc`]), then one summary line
//! ([`json::CheckSummaryDoc`]):
//!
//! ```text
//! { "schema_version": 1, "file", "status": "ok" | "failed" | "unreadable",
//!   "error": { "code": "BPFC-F001" | "io", "message" } | null,
//!   "findings": [ finding ], "counts": { "errors", "warnings", "notes" },
//!   "snapshot": { "path", "matches": false, "diff": "--- ...\n+++ ...\n@@ ..." | null } }   // with --snapshot
//! { "summary": { "files", "ok", "failed", "unreadable", "counts": {...}, "exit_code": 1 } }
//! ```
//!
//! A finding ([`crate::diag::Finding`]):
//!
//! ```text
//! { "severity": "error" | "warning" | "note", "code": "BPFC-K004",
//!   "subject": { "kind": "object" } | { "kind": "map" | "program" | "section", "name": "..." },
//!   "location": { "section"?, "offset"?, "btf_type_id"? },
//!   "message": "...", "rule": "...",
//!   "effects": [ { "actor": "kernel" | "libbpf" | "libbpf_linker" | "cilium",
//!                  "errno": "EINVAL" | null, "message": "..." } ],
//!   "fix": "..." }
//! ```
//!
//! Map numbers are what the object defines, before any loader adjusts them
//! (libbpf rounds ring buffer sizes up at open and sizes a perf event
//! array with `max_entries` 0 by the CPU count at load); a finding names
//! each such adjustment.

mod diff;
mod finding;
pub mod json;
mod layout;
mod shown;
pub mod snapshot;
mod text;
mod type_name;

pub use diff::unified_diff;
pub use finding::{render_finding, render_finding_into, Counts};
pub use layout::{layout, LayoutRow, RowKind, TypeLayout, MAX_ROWS};
pub use shown::{escape_control_bytes, escape_controls, escape_controls_owned, push_shown, Shown};
pub use snapshot::{snapshot, SNAPSHOT_HEADER};
pub use text::{inspect_text, kind_counts};
pub use type_name::type_name;
