//! `bpfc snapshot` and `bpfc check --snapshot`: the map ABI text of
//! representative objects (insta snapshots, read before accepting), its
//! layouts against pahole's, determinism, byte-order independence, and
//! drift detection with a diff.

mod inspect_support;

use bpfc::btf::Kind;
use bpfc::object::{object_name_from_path, ObjectSpec};
use bpfc::report::{layout, RowKind};
use inspect_support::*;
use std::path::Path;
use std::process::Command;

/// Keys and values with every layout feature: padding holes, bitfields
/// (with a bit hole), a union, typedefs, an array of structs, nested named
/// and anonymous structs, pointers, a function pointer, a 2-D array; and
/// global data (a DATASEC value) with a hole between variables.
const LAYOUTS: &str = r#"
#include "bpfc_fixture.h"
struct inner { __u8 tag; __u32 value; };
union addr { __u32 v4; __u8 v6[16]; };
typedef struct inner inner_t;
enum proto { PROTO_TCP = 6, PROTO_UDP = 17 };
struct layout_key {
	__u16 kind;
	union addr addr;
	unsigned int a : 3, b : 5;
	unsigned int c : 12;
	__u8 flag;
	inner_t slots[2];
	struct { __u16 x; __u64 y; } nested;
	struct { __u8 p; __u8 q; };
	void *ptr;
	const char *name;
	int (*cb)(void *, int);
	__u8 grid[2][3];
	enum proto proto;
};
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, struct layout_key); __type(value, inner_t); } layouts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct layout_key[3]); } arrays SEC(".maps");
__u8 small_global = 1;
__u64 big_global = 2;
SEC("xdp")
int prog(void *ctx)
{
	return small_global + big_global + (bpf_map_lookup_elem(&layouts, 0) != 0) +
	       (bpf_map_lookup_elem(&arrays, 0) != 0);
}
char _license[] SEC("license") = "GPL";
"#;

fn snapshot_of(dir: &Path, file: &str) -> String {
    let out = bpfc(dir, &["snapshot", file]);
    assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
    stdout(&out)
}

/// Snapshot text of `path` copied into a fresh directory (stable names).
fn snapshot_file(path: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let name = copy_into(dir.path(), path);
    let first = snapshot_of(dir.path(), &name);
    assert_eq!(first, snapshot_of(dir.path(), &name), "deterministic");
    first
}

#[test]
fn snapshots_of_corpus_objects() {
    for (dir, name, snap) in [
        (XDP_TOOLS, "xdpdump_bpf.o", "snapshot_xdpdump_bpf"),
        (XDP_TOOLS, "xdpfilt_alw_all.o", "snapshot_xdpfilt_alw_all"),
        (
            CILIUM,
            "btf_map_init-el.elf",
            "snapshot_cilium_btf_map_init",
        ),
        (CILIUM, "loader-el.elf", "snapshot_cilium_loader"),
    ] {
        let Some(path) = installed(dir, name) else {
            return;
        };
        snapshot(snap, &snapshot_file(&path));
    }
}

#[test]
fn snapshots_of_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_) = compile_source(dir.path(), LAYOUTS, "layouts.bpf.o") else {
        return;
    };
    snapshot(
        "snapshot_layouts",
        &snapshot_of(dir.path(), "layouts.bpf.o"),
    );
    for (fixture, snap) in [
        ("map_fields.bpf.c", "snapshot_map_fields"),
        ("globals_with_a_long_name.bpf.c", "snapshot_globals"),
        ("struct_ops.bpf.c", "snapshot_struct_ops"),
        ("legacy_layouts.bpf.c", "snapshot_legacy_layouts"),
    ] {
        let out_name = fixture.replace(".bpf.c", ".bpf.o");
        let Some(_) = compile_fixture(dir.path(), fixture, &[], &out_name) else {
            return;
        };
        snapshot(snap, &snapshot_of(dir.path(), &out_name));
    }
}

#[test]
fn big_endian_objects_snapshot_like_their_twins() {
    let Ok(entries) = std::fs::read_dir(CILIUM) else {
        skip("cilium/ebpf testdata is not installed");
        return;
    };
    let mut twins = 0;
    for eb in entries.map(|e| e.unwrap().path()) {
        let name = eb.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix("-eb.elf") else {
            continue;
        };
        // Same file name in two directories: internal map names derive from it.
        let (d_eb, d_el) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::copy(&eb, d_eb.path().join("twin.o")).unwrap();
        std::fs::copy(
            Path::new(CILIUM).join(format!("{stem}-el.elf")),
            d_el.path().join("twin.o"),
        )
        .unwrap();
        let big = snapshot_of(d_eb.path(), "twin.o");
        let little = snapshot_of(d_el.path(), "twin.o");
        assert!(big.contains("# byte order: big\n"), "{name}");
        assert_eq!(
            big.replace("# byte order: big\n", ""),
            little.replace("# byte order: little\n", ""),
            "{name}"
        );
        twins += 1;
    }
    assert!(twins >= 10, "only {twins} twins");
}

/// One member or hole as pahole prints it at the top level of a struct.
#[derive(Debug, PartialEq, Eq)]
struct PaholeRow {
    bit_offset: u64,
    /// Member name; empty for an anonymous struct or union.
    name: String,
}

/// The member name in a pahole declaration: `__u8 grid[3][2]` -> `grid`,
/// `unsigned int a:3` -> `a`, `int (*cb)(void *, int)` -> `cb`, `} nested` -> `nested`.
fn member_name(decl: &str) -> String {
    if let Some(i) = decl.find("(*") {
        return decl[i + 2..].split(')').next().unwrap_or("").to_string();
    }
    let decl = decl.split(['[', ':']).next().unwrap_or("").trim_end();
    decl.rsplit(|c: char| c.is_whitespace() || c == '*' || c == '}')
        .next()
        .unwrap_or("")
        .to_string()
}

/// Top-level members (name and bit offset) and the total of holes and
/// padding in bits, from `pahole -F btf -C NAME FILE`.
fn pahole_struct(file: &Path, name: &str) -> Option<(Vec<PaholeRow>, u64)> {
    let out = Command::new("pahole")
        .args(["-F", "btf", "-C", name])
        .arg(file)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut rows = Vec::new();
    let mut holes = 0u64;
    let mut depth = 0i32;
    for line in text.lines() {
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        depth += opens - closes;
        let t = line.trim();
        let number_before = |marker: &str| -> Option<u64> {
            t.split(marker)
                .next()?
                .split_whitespace()
                .last()?
                .parse()
                .ok()
        };
        if depth == 1 && t.starts_with("/* XXX") {
            if t.contains("bytes hole") {
                holes += 8 * number_before(" bytes hole")?;
            } else if t.contains("bits hole") {
                holes += number_before(" bits hole")?;
            }
        } else if depth == 1 && t.starts_with("/* padding:") {
            holes += 8 * number_before(" */")?;
        } else if depth == 1 && t.starts_with("/* bit_padding:") {
            holes += number_before(" bits")?;
        }
        // A member line at depth 1 (or the closing line of a nested one):
        // `type name; /* off size */` or `/* off: bit size */`.
        let closes_nested = depth == 1 && closes > 0 && opens == 0;
        if (depth == 1 && opens == 0 && !t.starts_with("/*") || closes_nested) && t.ends_with("*/")
        {
            let (decl, comment) = t.split_once("/*")?;
            let member = member_name(decl.trim().trim_end_matches(';'));
            let comment = comment.trim_end_matches("*/");
            let (off, bit) = match comment.split_once(':') {
                Some((o, rest)) => (
                    o.trim().parse::<u64>().ok()?,
                    rest.split_whitespace().next()?.parse::<u64>().ok()?,
                ),
                None => (comment.split_whitespace().next()?.parse().ok()?, 0),
            };
            rows.push(PaholeRow {
                bit_offset: off * 8 + bit,
                name: member,
            });
        }
    }
    Some((rows, holes))
}

#[test]
fn layouts_agree_with_pahole() {
    if Command::new("pahole").arg("--version").output().is_err() {
        skip("pahole not runnable");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(layouts) = compile_source(dir.path(), LAYOUTS, "layouts.bpf.o") else {
        return;
    };
    let mut files = vec![layouts];
    for f in ["map_fields.bpf.c", "map_types.bpf.c", "struct_ops.bpf.c"] {
        let Some(p) = compile_fixture(dir.path(), f, &[], &f.replace(".c", ".o")) else {
            return;
        };
        files.push(p);
    }
    for name in ["xdpdump_bpf.o", "xdpfilt_alw_all.o", "xdp-dispatcher.o"] {
        files.extend(installed(XDP_TOOLS, name));
    }
    let mut compared = 0;
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let obj = ObjectSpec::parse(&data, object_name_from_path(&file.to_string_lossy())).unwrap();
        let btf = obj.btf.as_ref().expect("fixtures have BTF");
        let ids: Vec<u32> = obj
            .maps
            .iter()
            .flat_map(|m| [m.btf_key_type_id, m.btf_value_type_id])
            .collect();
        for id in ids {
            let Ok(sid) = btf.skip_mods_and_typedefs(id) else {
                continue;
            };
            let Ok(t) = btf.type_by_id(sid) else { continue };
            let name = btf.name(&t).unwrap_or_default().into_owned();
            if t.kind() != Kind::Struct || name.is_empty() {
                continue;
            }
            let l = layout(btf, sid, obj.btf_fixups.as_ref());
            let ours: Vec<PaholeRow> = l
                .rows
                .iter()
                .filter(|r| r.depth == 0)
                .filter_map(|r| match &r.kind {
                    RowKind::Member { path, .. } => Some(PaholeRow {
                        bit_offset: r.bit_offset,
                        name: path.clone(),
                    }),
                    RowKind::Padding => None,
                })
                .collect();
            let our_holes: u64 = l
                .rows
                .iter()
                .filter(|r| r.depth == 0 && r.kind == RowKind::Padding)
                .map(|r| r.bit_size)
                .sum();
            let (theirs, their_holes) = pahole_struct(file, &name)
                .unwrap_or_else(|| panic!("pahole output for {name} in {}", file.display()));
            // pahole names an anonymous member by nothing; ours is "(anon)".
            let ours: Vec<PaholeRow> = ours
                .into_iter()
                .map(|r| PaholeRow {
                    name: if r.name == "(anon)" {
                        String::new()
                    } else {
                        r.name
                    },
                    ..r
                })
                .collect();
            assert_eq!(ours, theirs, "{name} in {}", file.display());
            assert_eq!(
                our_holes,
                their_holes,
                "holes of {name} in {}",
                file.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 6, "compared only {compared} structs");
}

#[test]
fn check_snapshot_passes_then_shows_drift() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_) = compile_source(dir.path(), LAYOUTS, "layouts.bpf.o") else {
        return;
    };
    let snap = snapshot_of(dir.path(), "layouts.bpf.o");
    std::fs::write(dir.path().join("maps.snap"), &snap).unwrap();
    let same = bpfc(
        dir.path(),
        &["check", "--snapshot", "maps.snap", "layouts.bpf.o"],
    );
    assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));

    // A CRLF checkout of the same snapshot still matches.
    std::fs::write(dir.path().join("crlf.snap"), snap.replace('\n', "\r\n")).unwrap();
    let crlf = bpfc(
        dir.path(),
        &["check", "--snapshot", "crlf.snap", "layouts.bpf.o"],
    );
    assert_eq!(crlf.status.code(), Some(0), "{}", stdout(&crlf));

    // Someone edits the snapshot: the object no longer matches it.
    let edited = snap.replacen("max_entries  4\n", "max_entries  8\n", 1);
    assert_ne!(edited, snap);
    std::fs::write(dir.path().join("edited.snap"), &edited).unwrap();
    let drift = bpfc(
        dir.path(),
        &["check", "--snapshot", "edited.snap", "layouts.bpf.o"],
    );
    assert_eq!(drift.status.code(), Some(1));
    let text = stdout(&drift);
    assert!(
        text.contains("-  max_entries  8\n+  max_entries  4\n"),
        "{text}"
    );
    snapshot("check_snapshot_drift_edited", &text);

    // The source changes a key member's type: the layout line differs.
    let changed = LAYOUTS.replace("__u16 kind;", "__u32 kind;");
    let Some(_) = compile_source(dir.path(), &changed, "layouts.bpf.o") else {
        return;
    };
    let drift = bpfc(
        dir.path(),
        &["check", "--snapshot", "maps.snap", "layouts.bpf.o"],
    );
    assert_eq!(drift.status.code(), Some(1));
    let text = stdout(&drift);
    assert!(text.contains("-    0          2  __u16 kind\n-    2          2  padding\n+    0          4  __u32 kind\n"), "{text}");
    snapshot("check_snapshot_drift_source", &text);

    // JSON: the same verdict, with the diff.
    let json = bpfc(
        dir.path(),
        &[
            "check",
            "--json",
            "--snapshot",
            "maps.snap",
            "layouts.bpf.o",
        ],
    );
    assert_eq!(json.status.code(), Some(1));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&json).lines().next().unwrap()).unwrap();
    assert_eq!(first["status"], "failed");
    assert_eq!(first["snapshot"]["matches"], false);
    assert!(first["snapshot"]["diff"]
        .as_str()
        .unwrap()
        .contains("+    0          4  __u32 kind"));
}

#[test]
fn snapshot_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("not_an_object.o"), b"hello").unwrap();
    let out = bpfc(dir.path(), &["snapshot", "not_an_object.o"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("error[BPFC-F001]"),
        "{}",
        stderr(&out)
    );

    let Some(_) = compile_source(dir.path(), LAYOUTS, "layouts.bpf.o") else {
        return;
    };
    let missing = bpfc(
        dir.path(),
        &["check", "--snapshot", "missing.snap", "layouts.bpf.o"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read the snapshot missing.snap"),
        "{}",
        stderr(&missing)
    );

    std::fs::write(dir.path().join("maps.snap"), "x").unwrap();
    let two = bpfc(
        dir.path(),
        &[
            "check",
            "--snapshot",
            "maps.snap",
            "layouts.bpf.o",
            "layouts.bpf.o",
        ],
    );
    assert_eq!(two.status.code(), Some(2));
    assert!(stderr(&two).contains("--snapshot compares one object, 2 given"));
}
