//! The JSON dump against `bpftool -j btf dump file X`: every field bpftool
//! prints for a type must be in ours with the same value, modulo the
//! differences the schema documents (anonymous names, unsigned ENUM values).

mod btf_dump_support;

use bpfc::btf::dump::json::{dump_json, SCHEMA_VERSION};
use bpfc::btf::Btf;
use btf_dump_support::*;
use serde_json::Value;

fn our_json(btf: &Btf<'_>) -> Value {
    let mut out = Vec::new();
    dump_json(btf, &mut out).unwrap();
    serde_json::from_slice(&out).expect("our dump is one JSON document")
}

/// bpftool's value of a field, translated to ours where the schema differs.
fn expected(kind: &str, key: &str, v: &Value) -> Value {
    match (key, v) {
        ("name", Value::String(s)) if s == "(anon)" => Value::String(String::new()),
        // bpftool v7.1 sign-extends an unsigned ENUM's 32-bit value to u64
        // before printing it; the value in the blob is the low 32 bits.
        ("val", Value::Number(n)) if kind == "ENUM" && n.is_u64() => {
            Value::from(n.as_u64().unwrap() & 0xffff_ffff)
        }
        _ => v.clone(),
    }
}

/// Checks that `ours` holds every field of `theirs`, recursing into arrays of objects.
fn assert_superset(ctx: &str, kind: &str, ours: &Value, theirs: &Value) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            for (key, tv) in t {
                let ov = o
                    .get(key)
                    .unwrap_or_else(|| panic!("{ctx}: bpfc lacks field {key:?}"));
                assert_superset(&format!("{ctx}.{key}"), kind, ov, &expected(kind, key, tv));
            }
        }
        (Value::Array(o), Value::Array(t)) => {
            assert_eq!(o.len(), t.len(), "{ctx}: length");
            for (i, (ov, tv)) in o.iter().zip(t).enumerate() {
                assert_superset(&format!("{ctx}[{i}]"), kind, ov, tv);
            }
        }
        _ => assert_eq!(ours, theirs, "{ctx}"),
    }
}

fn compare(what: &str, btf: &Btf<'_>, bpftool_args: &[&str]) {
    let theirs = bpftool(bpftool_args).unwrap_or_else(|| panic!("bpftool -j fails on {what}"));
    let theirs: Value = serde_json::from_slice(&theirs).unwrap();
    let ours = our_json(btf);
    assert_eq!(ours["schema_version"], SCHEMA_VERSION);
    assert_eq!(ours["first_type_id"], btf.first_id());
    let (o, t) = (
        ours["types"].as_array().unwrap(),
        theirs["types"].as_array().unwrap(),
    );
    assert_eq!(o.len(), t.len(), "{what}: type count");
    for (ot, tt) in o.iter().zip(t) {
        let kind = tt["kind"].as_str().unwrap();
        assert_superset(&format!("{what} [{}]", tt["id"]), kind, ot, tt);
    }
}

#[test]
fn json_agrees_with_bpftool_on_every_kind() {
    if !have_bpftool() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(obj) = compile_all_kinds(dir.path()) else {
        return;
    };
    let data = std::fs::read(&obj).unwrap();
    let btf = Btf::parse(btf_bytes(&data).unwrap()).unwrap();
    let p = obj.to_str().unwrap();
    compare(p, &btf, &["-j", "btf", "dump", "file", p]);

    // Spot checks of what bpftool gets wrong or leaves out.
    let ours = our_json(&btf);
    let colour = ours["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "colour")
        .unwrap();
    assert_eq!(colour["values"][2]["val"], 0xffff_ffff_u64);
    let sample = ours["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "sample" && t["kind"] == "STRUCT")
        .unwrap();
    assert_eq!(sample["members"][3]["bitfield_size"], 0);
    assert_eq!(ours["endian"], "little");
}

#[test]
fn json_agrees_with_bpftool_on_objects_and_split_btf() {
    if !have_bpftool() {
        return;
    }
    for path in corpus() {
        let data = std::fs::read(&path).unwrap();
        let Ok(bytes) = btf_bytes(&data) else {
            continue; // no .BTF: the raw test checks bpftool agrees
        };
        let btf = Btf::parse(bytes).unwrap();
        let p = path.to_str().unwrap();
        compare(p, &btf, &["-j", "btf", "dump", "file", p]);
    }

    let dir = tempfile::tempdir().unwrap();
    let Some(vmlinux) = cilium_vmlinux(dir.path()) else {
        return;
    };
    let base_data = std::fs::read(&vmlinux).unwrap();
    let base = Btf::parse(&base_data).unwrap();
    let module = format!("{CILIUM}/btf/testdata/btf_testmod.btf");
    let split_data = std::fs::read(&module).unwrap();
    let split = Btf::parse_split(&split_data, &base).unwrap();
    let b = vmlinux.to_str().unwrap();
    compare(
        &module,
        &split,
        &["-j", "-B", b, "btf", "dump", "file", &module],
    );
    assert_eq!(our_json(&split)["first_str_off"], base.header().str_len);
}
