//! `bpfc inspect` as a user runs it: text and JSON reports of representative
//! objects (insta snapshots, read before accepting), the JSON maps against
//! what libbpf itself reports for the same files, JSON lines for several
//! files, and exit codes.

mod inspect_support;

use bpfc::maps::{MapFlags, MapType};
use inspect_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn inspect(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["inspect"];
    all.extend_from_slice(args);
    let out = bpfc(dir, &all);
    (out.status.code(), stdout(&out))
}

/// `path` copied to a fresh directory and inspected there by file name.
fn inspect_file(path: &Path, json: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let name = copy_into(dir.path(), path);
    let args: Vec<&str> = if json {
        vec!["--json", &name]
    } else {
        vec![&name]
    };
    let (code, out) = inspect(dir.path(), &args);
    assert_eq!(code, Some(0), "{name}");
    out
}

fn pretty(json_line: &str) -> String {
    let v: Value = serde_json::from_str(json_line).expect("valid JSON");
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

#[test]
fn text_reports_of_corpus_objects() {
    for (dir, name, snap) in [
        (XDP_TOOLS, "xdpdump_bpf.o", "inspect_xdpdump_bpf"),
        (XDP_TOOLS, "xsk_def_xdp_prog.o", "inspect_xsk_def_xdp_prog"),
        (CILIUM, "btf_map_init-el.elf", "inspect_cilium_btf_map_init"),
        (CILIUM, "loader-el.elf", "inspect_cilium_loader"),
    ] {
        let Some(path) = installed(dir, name) else {
            return;
        };
        snapshot(snap, &inspect_file(&path, false));
    }
}

#[test]
fn json_reports_of_corpus_objects() {
    for (dir, name, snap) in [
        (XDP_TOOLS, "xdpdump_bpf.o", "inspect_json_xdpdump_bpf"),
        (
            CILIUM,
            "btf_map_init-el.elf",
            "inspect_json_cilium_btf_map_init",
        ),
    ] {
        let Some(path) = installed(dir, name) else {
            return;
        };
        let out = inspect_file(&path, true);
        assert_eq!(out.lines().count(), 1, "one line per file");
        snapshot(snap, &pretty(&out));
    }
}

#[test]
fn reports_of_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    for (fixture, snap) in [
        ("map_fields.bpf.c", "inspect_map_fields"),
        ("programs.bpf.c", "inspect_programs"),
        ("globals_with_a_long_name.bpf.c", "inspect_globals"),
    ] {
        let out_name = fixture.replace(".bpf.c", ".bpf.o");
        let Some(_) = compile_fixture(dir.path(), fixture, &[], &out_name) else {
            return;
        };
        let (code, text) = inspect(dir.path(), &[&out_name]);
        assert_eq!(code, Some(0));
        snapshot(snap, &text);
    }
    let (code, json) = inspect(dir.path(), &["--json", "map_fields.bpf.o"]);
    assert_eq!(code, Some(0));
    snapshot("inspect_json_map_fields", &pretty(&json));
}

/// Every map in `inspect --json` carries the documented fields, and they
/// agree with each other (type name and number, flag names and bits).
fn check_map_schema(file: &str, m: &Value) {
    for key in [
        "name",
        "type",
        "map_type",
        "key_size",
        "value_size",
        "max_entries",
        "map_flags",
        "map_flags_names",
        "numa_node",
        "map_extra",
        "pinning",
        "key_type",
        "key_btf_id",
        "value_type",
        "value_btf_id",
        "internal",
        "source",
        "inner",
        "slots",
    ] {
        assert!(m.get(key).is_some(), "{file}: map without {key}: {m}");
    }
    let number = m["map_type"].as_u64().unwrap() as u32;
    assert_eq!(
        m["type"].as_str(),
        MapType::from_u32(number).map(MapType::name),
        "{file}: {m}"
    );
    let bits = m["map_flags"].as_u64().unwrap() as u32;
    let names: Vec<&str> = m["map_flags_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let from_names = names.iter().fold(0, |acc, n| {
        acc | MapFlags::from_name(n).expect("known flag").bits()
    });
    assert_eq!(from_names, bits & from_names, "{file}: {m}");
    if !m["inner"].is_null() {
        check_map_schema(file, &m["inner"]);
    }
}

/// The libbpf oracle (testdata/oracle/libbpf_maps.c), built into `dir`.
fn libbpf_oracle(dir: &Path) -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/oracle/libbpf_maps.c");
    let out = dir.join("libbpf_maps");
    match Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(src)
        .arg("-lbpf")
        .output()
    {
        Ok(o) if o.status.success() => Some(out),
        other => {
            skip(&format!("cannot build the libbpf oracle: {other:?}"));
            None
        }
    }
}

#[test]
fn json_maps_are_what_libbpf_reports() {
    let Ok(entries) = std::fs::read_dir(XDP_TOOLS) else {
        skip("xdp-tools objects are not installed");
        return;
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    for name in [
        "btf_map_init-el.elf",
        "map_spin_lock-el.elf",
        "strings-el.elf",
    ] {
        files.extend(installed(CILIUM, name));
    }
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    let Some(oracle) = libbpf_oracle(dir.path()) else {
        return;
    };
    let names: Vec<String> = files.iter().map(|f| copy_into(dir.path(), f)).collect();
    let args: Vec<&str> = names.iter().map(String::as_str).collect();

    let theirs = Command::new(&oracle)
        .current_dir(dir.path())
        .args(&args)
        .output()
        .unwrap();
    let mut json_args = vec!["--json"];
    json_args.extend(&args);
    let (code, ours) = inspect(dir.path(), &json_args);
    assert_eq!(code, Some(0));
    let ours: Vec<Value> = ours
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let theirs: Vec<Value> = String::from_utf8(theirs.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ours.len(), names.len(), "one JSON line per file, in order");
    let mut compared = 0;
    for ((doc, libbpf), name) in ours.iter().zip(&theirs).zip(&names) {
        assert_eq!(doc["file"], name.as_str());
        assert_eq!(doc["schema_version"], 1);
        let maps = doc["maps"].as_array().unwrap();
        for m in maps {
            check_map_schema(name, m);
        }
        let Some(libbpf_maps) = libbpf["maps"].as_array() else {
            panic!("libbpf refused {name}: {libbpf}");
        };
        assert_eq!(maps.len(), libbpf_maps.len(), "{name}");
        for (m, l) in maps.iter().zip(libbpf_maps) {
            // None of these objects has a ring buffer libbpf would round.
            for (ours_key, theirs_key) in [
                ("name", "name"),
                ("map_type", "type"),
                ("key_size", "key_size"),
                ("value_size", "value_size"),
                ("max_entries", "max_entries"),
                ("map_flags", "map_flags"),
                ("numa_node", "numa_node"),
                ("map_extra", "map_extra"),
                ("internal", "internal"),
            ] {
                assert_eq!(
                    m[ours_key], l[theirs_key],
                    "{name}: map {}: {ours_key}",
                    m["name"]
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 20, "compared {compared} maps");
}

#[test]
fn several_files_and_unreadable_ones() {
    let Some(a) = installed(XDP_TOOLS, "xdpdump_bpf.o") else {
        return;
    };
    let Some(b) = installed(XDP_TOOLS, "xdp-dispatcher.o") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (copy_into(dir.path(), &a), copy_into(dir.path(), &b));
    std::fs::write(dir.path().join("garbage.o"), b"\x7fELF but not really").unwrap();

    // Text: reports separated by a blank line; the bad file on stderr; exit 2.
    let out = bpfc(dir.path(), &["inspect", &a, "garbage.o", &b, "missing.o"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("{a}\n")), "{text}");
    assert!(text.contains(&format!("\n\n{b}\n")), "{text}");
    let err = stderr(&out);
    assert!(err.contains("error[BPFC-F"), "{err}");
    assert!(
        err.contains("garbage.o is not a readable BPF object"),
        "{err}"
    );
    assert!(err.contains("cannot read missing.o"), "{err}");

    // JSON: one line per file in order, errors as documents.
    let out = bpfc(dir.path(), &["inspect", "--json", &a, "garbage.o", &b]);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["file"], a.as_str());
    assert!(lines[0]["maps"].is_array());
    assert_eq!(lines[1]["file"], "garbage.o");
    assert!(lines[1]["error"]["code"]
        .as_str()
        .unwrap()
        .starts_with("BPFC-F"));
    assert_eq!(lines[2]["file"], b.as_str());

    // Only readable files: exit 0 whatever the findings.
    let out = bpfc(dir.path(), &["inspect", &a, &b]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn invalid_objects_are_inspected_with_their_findings() {
    let Some(path) = installed(CILIUM, "invalid_btf_map_init-el.elf") else {
        return;
    };
    let text = inspect_file(&path, false);
    assert!(text.contains("error[BPFC-M019]"), "{text}");
    let json: Value = serde_json::from_str(&inspect_file(&path, true)).unwrap();
    assert_eq!(json["counts"]["errors"], 1);
    assert_eq!(json["findings"][0]["code"], "BPFC-M019");
    assert_eq!(json["findings"][0]["severity"], "error");
}
