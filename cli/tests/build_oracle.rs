//! `bpfc build` end to end against the ground truth: real cargo builds of
//! the fixture crates (testdata/rust), their objects judged by libbpf 1.1,
//! the running kernel, bpftool and clang-19.
//!
//! - macro_maps `--features libbpf1_1`: `bpfc check` finds no error; libbpf
//!   loads it (testdata/oracle/libbpf_load_maps.c `--skip-unsupported
//!   --no-pin`) and
//!   the kernel's bpf_map_info of every map equals that of the same-named
//!   map of clang's compile of equivalent.bpf.c (`-DLIBBPF1_1`), loaded the
//!   same way; key/value BTF resolved in each object's BTF agree; both
//!   sides skip the same maps (types this kernel or libbpf cannot create);
//! - bpftool dumps its BTF as `bpfc btf dump` does and makes a skeleton;
//! - `--endian big` gives the same maps, and libbpf refuses it only for its
//!   byte order;
//! - the same crate built twice (recompiled in between), incremental or
//!   not, dev or `--release`, from either of two directories, gives the
//!   same bytes (without incremental compilation rustc puts many statics
//!   in one codegen unit, each in a `.maps` section of its own);
//! - the full macro_maps: its legacy `maps` records equal clang's, and the
//!   checker reports BPFC-L001;
//! - maps split across a dependency land in one object, with the BTF of a
//!   type both crates use once; two maps of one name are refused.
//!
//! Builds share the persistent target directory of build.rs (see
//! build_support), so on a warm cache each costs a cargo no-op; the
//! non-incremental and release builds have a target directory of their own
//! (bpfc compiles there once per profile, on the first run).

mod build_support;
mod inspect_support;
#[path = "../../core/tests/common/libbpf_oracle.rs"]
mod libbpf_oracle;

use bpfc::btf::{Btf, Kind};
use bpfc::diag::Code;
use bpfc::maps::MapSpec;
use bpfc::object::ObjectSpec;
use build_support::*;
use inspect_support::skip_rule::have_bpftool;
use inspect_support::{skip, stderr, stdout, BPFC};
use libbpf_oracle::build_libbpf_oracle;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

// ---------------------------------------------------------------- builds

/// Where the tests keep what they built (one file per configuration).
fn outputs() -> PathBuf {
    let d = scratch().join("oracle-out");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `bpfc build` of fixture `name` with `args` into `OUT`, once per process
/// and configuration; asserts exit 0.
fn built(name: &str, args: &[&str]) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let key = format!("{name} {}", args.join(" "));
    let mut done = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = done.get_or_insert_with(HashMap::new).get(&key) {
        return p.clone();
    }
    if name == "uses_dep_maps" {
        fixture("dep_maps");
    }
    let krate = fixture(name);
    let file = format!(
        "{name}{}.bpf.o",
        args.iter()
            .map(|a| a.trim_start_matches('-').replace(['/', ' '], "_"))
            .map(|a| format!("-{a}"))
            .collect::<String>()
    );
    let out_path = outputs().join(file);
    let mut all = args.to_vec();
    all.extend(["-o", out_path.to_str().unwrap()]);
    let out = build_in(&krate, &all, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "bpfc build {name} {args:?}:\n{}",
        stderr(&out)
    );
    done.as_mut().unwrap().insert(key, out_path.clone());
    out_path
}

const LIBBPF1_1: &[&str] = &["--features", "libbpf1_1"];

/// equivalent.bpf.c compiled by clang-19 for little-endian BPF with
/// `defines`; `None` after a SKIP.
fn clang_equivalent(dir: &Path, defines: &[&str]) -> Option<PathBuf> {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/rust/macro_maps/equivalent.bpf.c");
    let out = dir.join(format!("equivalent{}.bpf.o", defines.join("")));
    let result = Command::new("clang-19")
        .args(["-g", "-O2", "-target", "bpfel", "-c"])
        .arg("-I/usr/include/x86_64-linux-gnu")
        .args(defines)
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output();
    match result {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => panic!("clang-19: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            skip(&format!("clang-19 not runnable: {e}"));
            None
        }
    }
}

fn run_json(cmd: &Path, args: &[&str], files: &[&Path]) -> Vec<Value> {
    let out = Command::new(cmd)
        .args(args)
        .args(files)
        .output()
        .expect("oracle runs");
    assert!(out.status.success(), "{}: {out:?}", cmd.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// `bpfc check --json FILE`: the findings and the exit status.
fn check_json(file: &Path) -> (Vec<Value>, Option<i32>) {
    let out = Command::new(BPFC)
        .args(["check", "--json"])
        .arg(file)
        .output()
        .expect("bpfc runs");
    let text = stdout(&out);
    let doc: Value = serde_json::from_str(text.lines().next().expect("a document")).unwrap();
    let findings = doc["findings"].as_array().expect("findings").clone();
    (findings, out.status.code())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn btf_of(bytes: &[u8]) -> Btf<'_> {
    let sections = bpfc::btf::elf::btf_sections(bytes).expect("has .BTF");
    Btf::parse(sections.btf.data).expect("BTF parses")
}

/// `FlowKey` → `flow_key`, `Ipv4LpmKey` → `ipv4_lpm_key`: the C spelling
/// equivalent.bpf.c gives the Rust structs.
fn snake(name: &str) -> String {
    let mut s = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            s.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        s.push(c.to_ascii_lowercase());
    }
    s
}

/// A BTF type as the kernel sees its layout: typedefs and modifiers
/// skipped (C says `__u32` where Rust's BTF has `unsigned int`), struct
/// names in C spelling, with sizes and members (name, bit offset, type);
/// arrays by element and count.
fn describe(btf: &Btf<'_>, id: u32) -> String {
    let id = btf.skip_mods_and_typedefs(id).expect("resolves");
    let t = btf.type_by_id(id).unwrap();
    let name = btf.name(&t).unwrap();
    let size = btf.resolve_size(id).unwrap();
    match t.kind() {
        Kind::Array => {
            let a = t.array().unwrap();
            format!("{}[{}]", describe(btf, a.elem_type), a.nelems)
        }
        Kind::Struct | Kind::Union => {
            let members: Vec<String> = t
                .members()
                .map(|m| {
                    let name = btf.str_at(m.name_off).unwrap();
                    format!("{name}@{}: {}", m.bit_offset(), describe(btf, m.type_id))
                })
                .collect();
            format!(
                "{:?} {} ({size} bytes) {{ {} }}",
                t.kind(),
                snake(&name),
                members.join(", ")
            )
        }
        k => format!("{k:?} {name} ({size} bytes)"),
    }
}

/// The raw name of a BTF type id (for messages).
fn raw_name(btf: &Btf<'_>, id: u32) -> String {
    let t = btf.type_by_id(id).unwrap();
    format!("[{id}] {:?} '{}'", t.kind(), btf.name(&t).unwrap())
}

// ---------------------------------------------------------------- 2: the kernel

/// The kernel's view of each map of `file` after libbpf loaded it, by name,
/// and the names of the maps skipped; `None` after a SKIP (no permission).
type Loaded = (BTreeMap<String, Value>, Vec<String>);

fn loaded(line: &Value) -> Option<Loaded> {
    if line["error"].as_i64() == Some(-1) {
        skip(&format!("no permission to create maps: {line}"));
        return None;
    }
    let maps = line["maps"]
        .as_array()
        .unwrap_or_else(|| panic!("libbpf could not load {}: {line}", line["file"]));
    let mut skipped: Vec<String> = line["skipped"]
        .as_array()
        .expect("--skip-unsupported lists the skipped maps")
        .iter()
        .map(|m| format!("{} (type {}, probe {})", m["name"], m["type"], m["probe"]))
        .collect();
    skipped.sort();
    let by_name = maps
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m.clone()))
        .collect();
    Some((by_name, skipped))
}

#[test]
fn kernel_holds_the_same_maps_as_for_clangs_equivalent() {
    let ours = built("macro_maps", LIBBPF1_1);
    let (findings, code) = check_json(&ours);
    let errors: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "bpfc check: {errors:#?}");
    assert_eq!(code, Some(0), "bpfc check exit status");

    let dir = tempfile::tempdir().unwrap();
    let Some(theirs) = clang_equivalent(dir.path(), &["-DLIBBPF1_1"]) else {
        return;
    };
    let Some(oracle) = build_libbpf_oracle(dir.path(), "libbpf_load_maps") else {
        return;
    };
    // --no-pin: LRU is pinned by name; the second load would reuse the
    // first's map from /sys/fs/bpf (and both would leave it there).
    let lines = run_json(
        &oracle,
        &["--skip-unsupported", "--no-pin"],
        &[&ours, &theirs],
    );
    let Some((our_maps, our_skipped)) = loaded(&lines[0]) else {
        return;
    };
    let Some((their_maps, their_skipped)) = loaded(&lines[1]) else {
        return;
    };
    println!("skipped by libbpf_load_maps on this kernel and libbpf: {our_skipped:?}");
    assert_eq!(our_skipped, their_skipped, "the same maps are skipped");
    assert_eq!(
        our_maps.keys().collect::<Vec<_>>(),
        their_maps.keys().collect::<Vec<_>>(),
        "the same maps are created"
    );
    assert!(our_maps.len() >= 30, "{} maps loaded", our_maps.len());

    let our_bytes = read(&ours);
    let their_bytes = read(&theirs);
    let (our_btf, their_btf) = (btf_of(&our_bytes), btf_of(&their_bytes));
    for (name, m) in &our_maps {
        let c = &their_maps[name];
        let facts = |m: &Value| {
            let u = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k}: {m}"));
            (
                u("type"),
                u("key_size"),
                u("value_size"),
                u("max_entries"),
                u("map_flags"),
                u("map_extra"),
                u("btf_key_type_id") != 0,
                u("btf_value_type_id") != 0,
                m["kernel_name"].clone(),
                m["slots"].clone(),
                m["pin_path"].clone(),
            )
        };
        assert_eq!(facts(m), facts(c), "map {name}: ours, then clang's");
        for (what, k) in [("key", "btf_key_type_id"), ("value", "btf_value_type_id")] {
            let (a, b) = (m[k].as_u64().unwrap() as u32, c[k].as_u64().unwrap() as u32);
            if a == 0 {
                continue;
            }
            println!("{name} {what}: {}", describe(&our_btf, a));
            assert_eq!(
                describe(&our_btf, a),
                describe(&their_btf, b),
                "map {name}: {what} type, ours {} vs clang's {}",
                raw_name(&our_btf, a),
                raw_name(&their_btf, b)
            );
        }
    }
}

// ---------------------------------------------------------------- 3: bpftool

#[test]
fn bpftool_dumps_the_btf_as_bpfc_does_and_makes_a_skeleton() {
    let ours = built("macro_maps", LIBBPF1_1);
    if !have_bpftool() {
        return;
    }
    let theirs = Command::new("bpftool")
        .args(["btf", "dump", "file"])
        .arg(&ours)
        .output()
        .unwrap();
    assert!(theirs.status.success(), "bpftool btf dump: {theirs:?}");
    let mine = Command::new(BPFC)
        .args(["btf", "dump"])
        .arg(&ours)
        .output()
        .unwrap();
    assert_eq!(mine.status.code(), Some(0), "{}", stderr(&mine));
    assert!(mine.stdout.len() > 1000, "{}", stdout(&mine));
    assert!(
        theirs.stdout == mine.stdout,
        "bpftool btf dump file vs bpfc btf dump:\n{}\n---\n{}",
        String::from_utf8_lossy(&theirs.stdout),
        stdout(&mine)
    );

    let skel = Command::new("bpftool")
        .args(["gen", "skeleton"])
        .arg(&ours)
        .output()
        .unwrap();
    assert!(skel.status.success(), "bpftool gen skeleton: {skel:?}");
    let text = String::from_utf8(skel.stdout).unwrap();
    let bytes = read(&ours);
    let obj = ObjectSpec::parse(&bytes, "macro_maps").unwrap();
    for m in &obj.maps {
        assert!(
            text.contains(&format!("struct bpf_map *{};", m.name)),
            "the skeleton lacks map {}",
            m.name
        );
    }
}

// ---------------------------------------------------------------- 4: big endian

#[test]
fn big_endian_objects_hold_the_same_maps_and_libbpf_refuses_only_the_byte_order() {
    for features in [LIBBPF1_1, &[]] {
        let le_path = built("macro_maps", features);
        let mut be_args = features.to_vec();
        be_args.extend(["--endian", "big"]);
        let be_path = built("macro_maps", &be_args);
        let (le, be) = (read(&le_path), read(&be_path));
        assert_eq!(&be[..6], b"\x7fELF\x02\x02", "ELFCLASS64, ELFDATA2MSB");
        let le_obj = ObjectSpec::parse(&le, "macro_maps").expect("LE object parses");
        let be_obj = ObjectSpec::parse(&be, "macro_maps").expect("BE object parses");
        assert_ne!(le_obj.endian, be_obj.endian);
        assert!(le_obj.maps.len() >= 40, "{}", le_obj.maps.len());
        let pairs: Vec<(&MapSpec, &MapSpec)> = le_obj.maps.iter().zip(&be_obj.maps).collect();
        assert_eq!(le_obj.maps.len(), be_obj.maps.len());
        for (l, b) in pairs {
            assert_eq!(l, b, "{features:?}: map {} (LE, then BE)", l.name);
        }
        assert_eq!(le_obj.license, be_obj.license);
    }

    let dir = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(dir.path(), "libbpf_maps") else {
        return;
    };
    let le = built("macro_maps", LIBBPF1_1);
    let be = built(
        "macro_maps",
        &["--features", "libbpf1_1", "--endian", "big"],
    );
    let lines = run_json(&oracle, &[], &[&le, &be]);
    let maps = lines[0]["maps"]
        .as_array()
        .unwrap_or_else(|| panic!("libbpf opens the LE object: {}", lines[0]));
    assert!(maps.len() >= 40, "{}", lines[0]);
    if cfg!(target_endian = "little") {
        // LIBBPF_ERRNO__ENDIAN, and nothing else.
        assert_eq!(lines[1]["error"].as_i64(), Some(-4003), "{}", lines[1]);
    } else {
        assert!(lines[1]["maps"].is_array(), "{}", lines[1]);
    }
}

// ---------------------------------------------------------------- 5: determinism

/// Sets `path`'s modification time to now, so cargo recompiles its crate.
fn touch(path: &Path) {
    let f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
}

#[test]
fn the_same_crate_builds_to_the_same_bytes() {
    // A copy of its own: touching the shared one would make the builds of
    // the other tests (running meanwhile) recompile it, and then this
    // test's build could find it fresh.
    let krate = fixture_in("macro_maps", "crates-determinism");
    let dir = tempfile::tempdir().unwrap();
    // Touches src/lib.rs, then builds: cargo must recompile the crate.
    let build = |out_name: &str, args: &[&str], envs: &[(&str, &str)], target: &Path| {
        touch(&krate.join("src/lib.rs"));
        let out_path = dir.path().join(out_name);
        let mut all = args.to_vec();
        all.extend(["-o", out_path.to_str().unwrap()]);
        let out = build_with_target(&krate, &all, envs, target);
        assert_eq!(out.status.code(), Some(0), "{out_name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("Compiling macro_maps"),
            "{out_name}: cargo did not recompile the crate:\n{}",
            stderr(&out)
        );
        read(&out_path)
    };
    let incremental = [("CARGO_INCREMENTAL", "1")];
    let not_incremental = [("CARGO_INCREMENTAL", "0")];
    // Not incremental (and --release), rustc puts several statics in one
    // codegen unit, each in a `.maps` section of its own. Their own target
    // directory, so the shared one is not rebuilt back and forth (the
    // first run compiles bpfc there once per profile).
    let whole = scratch().join("target-not-incremental");
    for features in [LIBBPF1_1, &[]] {
        let first = build("first.bpf.o", features, &incremental, &target_dir());
        let second = build("second.bpf.o", features, &incremental, &target_dir());
        assert!(first == second, "{features:?}: two builds differ");
        // The same sources in another directory (the shared copy).
        assert!(
            first == read(&built("macro_maps", features)),
            "{features:?}: the object depends on where the crate lives"
        );
        let other = build("whole.bpf.o", features, &not_incremental, &whole);
        assert!(
            first == other,
            "{features:?}: incremental and non-incremental builds differ"
        );
        if features.is_empty() {
            continue;
        }
        let mut release = features.to_vec();
        release.push("--release");
        let other = build("release.bpf.o", &release, &[], &whole);
        assert!(
            first == other,
            "{features:?}: dev and release builds differ"
        );
    }
}

// ---------------------------------------------------------------- 6: legacy

/// name → the bytes of its symbol in section `section`.
fn records(bytes: &[u8], section: &str) -> BTreeMap<String, Vec<u8>> {
    let elf = goblin::elf::Elf::parse(bytes).expect("goblin parses it");
    let (index, sh) = elf
        .section_headers
        .iter()
        .enumerate()
        .find(|(_, s)| elf.shdr_strtab.get_at(s.sh_name) == Some(section))
        .unwrap_or_else(|| panic!("no section {section}"));
    let data = &bytes[sh.sh_offset as usize..(sh.sh_offset + sh.sh_size) as usize];
    elf.syms
        .iter()
        .filter(|s| s.st_shndx == index && s.st_size > 0)
        .map(|s| {
            let name = elf.strtab.get_at(s.st_name).unwrap().to_string();
            let at = s.st_value as usize;
            (name, data[at..at + s.st_size as usize].to_vec())
        })
        .collect()
}

#[test]
fn legacy_records_equal_clangs_and_the_checker_says_libbpf_refuses_them() {
    let ours = built("macro_maps", &[]);
    let (findings, code) = check_json(&ours);
    let level = format!("{:?}", Code::LegacyMapsSection.default_severity()).to_lowercase();
    let l001: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == Code::LegacyMapsSection.as_str())
        .collect();
    assert_eq!(l001.len(), 1, "{findings:#?}");
    assert_eq!(l001[0]["severity"], level.as_str(), "{l001:#?}");
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(code, Some(if errors > 0 { 1 } else { 0 }));

    let dir = tempfile::tempdir().unwrap();
    let Some(theirs) = clang_equivalent(dir.path(), &[]) else {
        return;
    };
    let mine = records(&read(&ours), "maps");
    let clangs = records(&read(&theirs), "maps");
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        ["OLD_ARRAY", "OLD_HASH", "OLD_PERF"]
    );
    assert_eq!(mine, clangs, "legacy records: ours, then clang's");
}

// ---------------------------------------------------------------- 7, 8: dependencies

#[test]
fn maps_of_a_dependency_share_one_btf() {
    let out = built("uses_dep_maps", &[]);
    let bytes = read(&out);
    let obj = ObjectSpec::parse(&bytes, "uses_dep_maps").unwrap();
    let mut names: Vec<&str> = obj.maps.iter().map(|m| m.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["DEP_BYTES", "DEP_COUNTS", "OWN_PACKETS", "OWN_SEEN"],
        "the maps of both crates"
    );
    let btf = btf_of(&bytes);
    let keys: Vec<u32> = btf
        .types()
        .filter(|t| t.kind() == Kind::Struct && btf.name(t).unwrap() == "Key")
        .map(|t| t.id())
        .collect();
    assert_eq!(keys.len(), 1, "struct Key in the BTF: {keys:?}");
    let key_of = |name: &str| {
        obj.maps
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .btf_key_type_id
    };
    assert_eq!(key_of("DEP_BYTES"), keys[0]);
    assert_eq!(key_of("OWN_PACKETS"), keys[0]);
    // And no other named type twice (`unsigned long long` is also in both).
    let mut seen = HashMap::new();
    for t in btf.types() {
        let name = btf.name(&t).unwrap();
        if matches!(t.kind(), Kind::Int | Kind::Struct) && !name.is_empty() {
            if let Some(first) = seen.insert((t.kind(), name.to_string()), t.id()) {
                panic!("{:?} {name} is [{first}] and [{}]", t.kind(), t.id());
            }
        }
    }
}

#[test]
fn two_crates_defining_a_map_of_one_name_is_an_error() {
    fixture("dep_maps");
    let krate = fixture("dup_maps");
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("dup.bpf.o");
    let out = build_in(&krate, &["-o", out_path.to_str().unwrap()], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: ") || err.contains("\nerror: "),
        "{err}"
    );
    assert!(err.contains("map `DEP_COUNTS` is defined twice"), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("defined twice"))
        .unwrap()
        .to_string();
    let origins: Vec<&str> = line.split(".rlib(").collect();
    assert_eq!(origins.len(), 3, "two rlib origins: {line}");
    assert!(line.contains("libdep_maps-"), "{line}");
    assert!(line.contains("libdup_maps"), "{line}");
    assert_no_output(&out_path, "dup_maps");
}
