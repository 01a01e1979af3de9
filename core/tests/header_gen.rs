//! `bpfc::header::generate` against clang-19, bpftool and libbpf:
//!
//! - every C fixture (testdata/c) and every cilium/ebpf and xdp-tools corpus
//!   object with BTF-defined maps: the `--define` header, included by a tiny
//!   C file after <linux/bpf.h> and <bpf/bpf_helpers.h> and compiled by
//!   clang-19, gives back maps equal to the original's field by field (type,
//!   sizes, max_entries, flags, numa_node, map_extra, pinning, inner
//!   template) with the same key/value type layouts; for the fixtures the
//!   extern header also compiles on its own (-Wall -Werror), before
//!   bpf_helpers.h, and after the running kernel's vmlinux.h;
//! - the extern form end to end: a program includes the header of a
//!   maps-only object, `bpftool gen object` links the two, libbpf loads the
//!   result (the verifier accepts it), BPF_PROG_TEST_RUN runs it and the
//!   values it wrote are read back (testdata/oracle/libbpf_run.c);
//! - `dump_c_types` against the full C dump, snapshots of two headers, and
//!   byte-identical output on repeated runs.

mod object_support;

use bpfc::btf::{Btf, Kind};
use bpfc::header::{generate, HeaderError, HeaderOptions};
use bpfc::maps::{MapSource, MapSpec};
use bpfc::object::ObjectSpec;
use object_support::{compile, skip};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Special structs <linux/bpf.h> defines (bpfc::header skips them after it).
const UAPI_SPECIAL: &[&str] = &[
    "bpf_spin_lock",
    "bpf_timer",
    "bpf_wq",
    "bpf_dynptr",
    "bpf_list_head",
    "bpf_list_node",
    "bpf_rb_root",
    "bpf_rb_node",
    "bpf_refcount",
    "bpf_lpm_trie_key",
    "bpf_lpm_trie_key_hdr",
    "bpf_lpm_trie_key_u8",
    "bpf_cgroup_storage_key",
    "bpf_stack_build_id",
];
const CLANG: &str = "clang-19";
const MULTIARCH: &str = "-I/usr/include/x86_64-linux-gnu";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/c")
        .canonicalize()
        .unwrap()
}

/// clang-19 -target bpf -g -O2 on `src`; `Err(stderr)` when it fails, `None`
/// (after a SKIP) when clang-19 is missing.
fn clang(src: &Path, out: &Path, include_dir: &Path) -> Option<Result<(), String>> {
    clang_with(src, out, include_dir, &[])
}

fn clang_with(
    src: &Path,
    out: &Path,
    include_dir: &Path,
    extra: &[&str],
) -> Option<Result<(), String>> {
    match Command::new(CLANG)
        .args(["-g", "-O2", "-target", "bpf", MULTIARCH, "-c"])
        .args(extra)
        .arg("-I")
        .arg(include_dir)
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
    {
        Ok(o) if o.status.success() => Some(Ok(())),
        Ok(o) => Some(Err(String::from_utf8_lossy(&o.stderr).into_owned())),
        Err(e) => {
            skip(&format!("{CLANG} not runnable: {e}"));
            None
        }
    }
}

fn have_libbpf_headers() -> bool {
    if Path::new("/usr/include/bpf/bpf_helpers.h").exists()
        && Path::new("/usr/include/linux/bpf.h").exists()
    {
        return true;
    }
    skip("libbpf-dev / linux UAPI headers (bpf/bpf_helpers.h, linux/bpf.h) are not installed");
    false
}

fn header_of(obj: &ObjectSpec<'_>, define: bool) -> Result<String, HeaderError> {
    let btf = obj.btf.as_ref().expect("object has BTF");
    generate(
        obj,
        btf,
        &HeaderOptions {
            define,
            guard: None,
        },
    )
}

/// A type as the libbpf linker compares it: names, sizes, member names and
/// bit offsets, modifier chains, typedef names, enumerators; pointers to
/// named aggregates by name only (they may be cyclic); integers by size and
/// encoding only.
fn shape(btf: &Btf<'_>, id: u32, depth: u32) -> String {
    if id == 0 {
        return "void".into();
    }
    if depth > 32 {
        return "...".into();
    }
    let t = btf.type_by_id(id).unwrap();
    let name = String::from_utf8_lossy(btf.str_bytes(t.name_off()).unwrap()).into_owned();
    match t.kind() {
        // By size and encoding: the name is the compiler's spelling of the
        // C type (clang 9 wrote `long unsigned int`, clang 19 writes
        // `unsigned long`), which no header can choose.
        Kind::Int => {
            let i = t.int().unwrap();
            format!("int size {} {i:?}", t.size())
        }
        Kind::Float => format!("float {name} {}", t.size()),
        Kind::Typedef => format!("typedef {name} = {}", shape(btf, t.type_id(), depth + 1)),
        Kind::Const | Kind::Volatile | Kind::Restrict | Kind::TypeTag => {
            format!(
                "{:?} {name} {}",
                t.kind(),
                shape(btf, t.type_id(), depth + 1)
            )
        }
        Kind::Ptr => {
            let target = btf.type_by_id(t.type_id()).ok();
            match target {
                Some(p) if matches!(p.kind(), Kind::Struct | Kind::Union) && p.name_off() != 0 => {
                    format!(
                        "ptr to {:?} {}",
                        p.kind(),
                        String::from_utf8_lossy(btf.str_bytes(p.name_off()).unwrap())
                    )
                }
                _ => format!("ptr to {}", shape(btf, t.type_id(), depth + 1)),
            }
        }
        Kind::Array => {
            let a = t.array().unwrap();
            format!("[{}] {}", a.nelems, shape(btf, a.elem_type, depth + 1))
        }
        // <linux/bpf.h>'s own definition replaces the object's (the header
        // skips it when linux/bpf.h or vmlinux.h came first); the kernel
        // knows these by name and size.
        Kind::Struct if UAPI_SPECIAL.contains(&name.as_str()) => {
            format!("Struct {name} size {} (uapi)", t.size())
        }
        Kind::Struct | Kind::Union => {
            let members: Vec<String> = t
                .members()
                .map(|m| {
                    format!(
                        "{}@{}:{} {}",
                        String::from_utf8_lossy(btf.str_bytes(m.name_off).unwrap()),
                        m.bit_offset(),
                        m.bitfield_size(),
                        shape(btf, m.type_id, depth + 1)
                    )
                })
                .collect();
            format!(
                "{:?} {name} size {} {{{}}}",
                t.kind(),
                t.size(),
                members.join("; ")
            )
        }
        Kind::Enum | Kind::Enum64 => {
            let e: Vec<String> = t
                .enumerators()
                .map(|e| {
                    format!(
                        "{}={}",
                        String::from_utf8_lossy(btf.str_bytes(e.name_off).unwrap()),
                        e.value
                    )
                })
                .collect();
            format!("enum {name} size {} {{{}}}", t.size(), e.join(","))
        }
        Kind::Fwd => format!("fwd {name} union={}", t.kflag()),
        k => format!("{k:?} {name}"),
    }
}

/// Every field libbpf parses from a BTF map definition, and the key/value
/// type shapes; inner templates recursively. Slots are initial values,
/// which a declaration does not carry.
fn map_fields(m: &MapSpec, btf: &Btf<'_>) -> String {
    let ty = |id: u32| {
        if id == 0 {
            "-".to_string()
        } else {
            shape(btf, id, 0)
        }
    };
    format!(
        "type {} key_size {} value_size {} max_entries {} flags {:#x} numa_node {} map_extra {:#x} pinning {}\n  key {}\n  value {}\n  inner {}",
        m.map_type,
        m.key_size,
        m.value_size,
        m.max_entries,
        m.map_flags,
        m.numa_node,
        m.map_extra,
        m.pinning,
        ty(m.btf_key_type_id),
        ty(m.btf_value_type_id),
        m.inner
            .as_deref()
            .map(|i| map_fields(i, btf))
            .unwrap_or_else(|| "-".into())
    )
}

fn btf_maps(obj: &ObjectSpec<'_>) -> Vec<(String, String)> {
    let btf = obj.btf.as_ref().unwrap();
    let mut v: Vec<(String, String)> = obj
        .maps
        .iter()
        .filter(|m| matches!(m.source, MapSource::BtfMaps { .. }))
        .map(|m| (m.name.clone(), map_fields(m, btf)))
        .collect();
    v.sort();
    v
}

/// `vmlinux.h` of the running kernel in `dir`, printed by bpfc's C dumper
/// (byte-identical to bpftool's); false (after a SKIP) without kernel BTF.
fn write_vmlinux_h(dir: &Path) -> bool {
    let Ok(raw) = std::fs::read("/sys/kernel/btf/vmlinux") else {
        skip("no /sys/kernel/btf/vmlinux: headers are not compiled after vmlinux.h");
        return false;
    };
    let btf = Btf::parse(&raw).unwrap();
    let mut out = Vec::new();
    bpfc::btf::dump::c::dump_c(&btf, &mut out).unwrap();
    std::fs::write(dir.join("vmlinux.h"), out).unwrap();
    true
}

/// Every fixture that compiles without defines and has BTF-defined maps:
/// its `--define` header, compiled by clang-19 after <linux/bpf.h> and
/// <bpf/bpf_helpers.h>, defines the same maps.
#[test]
fn defined_maps_compile_back_to_the_same_maps() {
    if !have_libbpf_headers() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let vmlinux_h = write_vmlinux_h(dir.path());
    let mut exercised = Vec::new();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bpf.c"))
        .collect();
    sources.sort();
    for src in sources {
        let stem = src
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".bpf.c", "");
        let orig_o = dir.path().join(format!("{stem}.bpf.o"));
        let Some(r) = clang(&src, &orig_o, dir.path()) else {
            return;
        };
        if r.is_err() {
            // Fixtures that need -D defines (one case each) are covered elsewhere.
            continue;
        }
        let data = std::fs::read(&orig_o).unwrap();
        let orig = ObjectSpec::parse(&data, stem.clone()).unwrap();
        if !defined_round_trip(&stem, &orig, dir.path()) {
            continue;
        }
        // The extern form on its own (no bpf_helpers.h, no kernel headers)
        // without a warning, and before bpf_helpers.h without redefining
        // any of its macros differently.
        let h_path = dir.path().join(format!("{stem}.extern.h"));
        std::fs::write(&h_path, header_of(&orig, false).unwrap()).unwrap();
        for (tag, before, after, flags) in [
            ("alone", "", "", &["-Wall", "-Werror"][..]),
            (
                "helpers_after",
                "",
                "#include <linux/types.h>\n#include <bpf/bpf_helpers.h>\n",
                &["-Werror=macro-redefined"][..],
            ),
        ] {
            let c_path = dir.path().join(format!("{stem}.{tag}.c"));
            std::fs::write(
                &c_path,
                format!("{before}#include \"{stem}.extern.h\"\n{after}"),
            )
            .unwrap();
            let o = dir.path().join(format!("{stem}.{tag}.o"));
            if let Err(e) = clang_with(&c_path, &o, dir.path(), flags).unwrap() {
                panic!("{stem}: the extern header does not compile {tag}:\n{e}");
            }
        }
        if vmlinux_h {
            // The extern form after the running kernel's vmlinux.h (the
            // usual CO-RE setup): no clash with the kernel's types.
            let c_path = dir.path().join(format!("{stem}.vmlinux.c"));
            std::fs::write(
                &c_path,
                format!("#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n#include \"{stem}.extern.h\"\n"),
            )
            .unwrap();
            let o = dir.path().join(format!("{stem}.vmlinux.o"));
            if let Err(e) = clang(&c_path, &o, dir.path()).unwrap() {
                panic!("{stem}: the extern header does not compile after vmlinux.h:\n{e}");
            }
        }
        exercised.push(stem);
    }
    // The bundled example object (design.md's maps, committed as built).
    let example = std::fs::read(fixture_dir().join("../example/flows.bpf.o")).unwrap();
    let obj = ObjectSpec::parse(&example, "flows").unwrap();
    assert!(defined_round_trip("example_flows", &obj, dir.path()));
    eprintln!("round-tripped: {exercised:?} and testdata/example/flows.bpf.o");
    for must in [
        "map_fields",
        "map_types",
        "map_ulong",
        "many_slots",
        "programs",
    ] {
        assert!(
            exercised.iter().any(|s| s == must),
            "{must} was not exercised (exercised: {exercised:?})"
        );
    }
}

/// The `--define` header of `orig`, included by a C file after
/// <linux/bpf.h> and <bpf/bpf_helpers.h> and compiled by clang-19, defines
/// maps equal to `orig`'s field by field. False when `orig` has no BTF maps.
fn defined_round_trip(stem: &str, orig: &ObjectSpec<'_>, dir: &Path) -> bool {
    let header = match header_of(orig, true) {
        Ok(h) => h,
        Err(HeaderError::NoMaps { .. }) => return false,
        Err(e) => panic!("{stem}: {e}"),
    };
    let h_path = dir.join(format!("{stem}.maps.h"));
    std::fs::write(&h_path, &header).unwrap();
    let c_path = dir.join(format!("{stem}.maps.c"));
    std::fs::write(
            &c_path,
            format!(
                "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include \"{stem}.maps.h\"\n\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n"
            ),
        )
        .unwrap();
    let back_o = dir.join(format!("{stem}.maps.o"));
    if let Err(e) = clang(&c_path, &back_o, dir).unwrap() {
        panic!("{stem}: the generated header does not compile:\n{e}\n--- header ---\n{header}");
    }
    let back_data = std::fs::read(&back_o).unwrap();
    let back = ObjectSpec::parse(&back_data, stem).unwrap();
    let (a, b) = (btf_maps(orig), btf_maps(&back));
    assert!(!a.is_empty());
    for ((na, fa), (nb, fb)) in a.iter().zip(&b) {
        assert_eq!(na, nb, "{stem}: map names differ");
        assert_eq!(fa, fb, "{stem}: map {na} differs\n--- header ---\n{header}");
    }
    assert_eq!(a.len(), b.len(), "{stem}: map count differs");
    true
}

/// Every cilium/ebpf and xdp-tools object with BTF maps, either byte
/// order: its `--define` header compiles back to the same maps.
#[test]
fn corpus_defined_maps_compile_back_to_the_same_maps() {
    if !have_libbpf_headers() {
        return;
    }
    let Some(corpus) = object_support::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut exercised = 0;
    for path in corpus {
        let data = std::fs::read(&path).unwrap();
        let name = object_support::name_of(&path);
        let Ok(orig) = ObjectSpec::parse(&data, name) else {
            continue;
        };
        if orig.btf.is_none() {
            continue;
        }
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        if defined_round_trip(&stem, &orig, dir.path()) {
            exercised += 1;
        }
    }
    eprintln!("round-tripped {exercised} corpus objects");
    assert!(
        exercised >= 20,
        "only {exercised} corpus objects have BTF maps"
    );
}

/// The snapshot of one header, reviewed line by line when accepted.
#[test]
fn map_fields_header_snapshot() {
    let Some(data) = compile("map_fields.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "map_fields").unwrap();
    let extern_h = header_of(&obj, false).unwrap();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/header"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("map_fields_extern", extern_h);
    });
}

/// The `--define` header of the layout fixture: every kind of type a key
/// or value can be, reviewed line by line when accepted.
#[test]
fn header_layouts_define_snapshot() {
    let Some(data) = compile("header_layouts.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "header_layouts").unwrap();
    let h = header_of(&obj, true).unwrap();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/header"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("header_layouts_define", h);
    });
}

/// Same object, same bytes; and two fresh parses give the same header.
#[test]
fn output_is_deterministic() {
    let Some(data) = compile("map_types.bpf.c", &[]) else {
        return;
    };
    let a = ObjectSpec::parse(&data, "map_types").unwrap();
    let b = ObjectSpec::parse(&data, "map_types").unwrap();
    for define in [false, true] {
        let x = header_of(&a, define).unwrap();
        let y = header_of(&b, define).unwrap();
        let z = header_of(&a, define).unwrap();
        assert_eq!(x, y);
        assert_eq!(x, z);
    }
}

/// An object with only legacy maps has nothing to declare, and says how
/// many legacy maps it has instead.
#[test]
fn legacy_only_object_has_nothing_to_declare() {
    let Some(data) = compile("legacy_maps.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "legacy_maps").unwrap();
    let Some(btf) = obj.btf.as_ref() else {
        return;
    };
    match generate(&obj, btf, &HeaderOptions::default()) {
        Err(e @ HeaderError::NoMaps { legacy, .. }) => {
            assert!(legacy > 0);
            assert!(e.to_string().contains("legacy"), "{e}");
        }
        other => panic!("expected NoMaps, got {other:?}"),
    }
}

/// The extern form end to end (and then the `--define` form, on which the
/// same program needs no linking): uses_extern_maps.bpf.c includes the header
/// of the maps-only object extern_maps_defs.bpf.c, clang-19 compiles it,
/// `bpftool gen object` links it with the maps object, libbpf opens and
/// loads the result (the verifier accepts the program), BPF_PROG_TEST_RUN
/// runs it once and the values it wrote are read back from the maps.
///
/// The maps object goes first on bpftool's command line, as in the kernel
/// selftests (linked_maps): with the program's object first, libbpf 1.1's
/// linker leaves the relocations of the extern maps pointing where no map
/// is ("map relo failed to find map for section '.maps'").
#[test]
fn extern_header_links_loads_and_runs() {
    if !have_libbpf_headers() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let defs_o = d.join("extern_maps_defs.bpf.o");
    let Some(r) = clang(&fixture_dir().join("extern_maps_defs.bpf.c"), &defs_o, d) else {
        return;
    };
    r.unwrap();
    let data = std::fs::read(&defs_o).unwrap();
    let defs = ObjectSpec::parse(&data, "extern_maps_defs").unwrap();
    let header = header_of(&defs, false).unwrap();
    assert!(header.contains("extern struct {"), "{header}");
    std::fs::write(d.join("extern_maps.h"), &header).unwrap();

    let prog_o = d.join("uses_extern_maps.bpf.o");
    if let Err(e) = clang(
        &fixture_dir().join("extern/uses_extern_maps.bpf.c"),
        &prog_o,
        d,
    )
    .unwrap()
    {
        panic!("the program does not compile against the header:\n{e}\n--- header ---\n{header}");
    }
    let linked = d.join("linked.bpf.o");
    match Command::new("bpftool")
        .args(["gen", "object"])
        .arg(&linked)
        .arg(&defs_o)
        .arg(&prog_o)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "bpftool gen object refused the objects: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            skip(&format!("bpftool not runnable: {e}"));
            return;
        }
    }
    // bpfc reads the linked object: the two maps, defined once, with the
    // program's relocations resolved to them.
    let linked_data = std::fs::read(&linked).unwrap();
    let lobj = ObjectSpec::parse(&linked_data, "linked").unwrap();
    assert_eq!(btf_maps(&lobj), btf_maps(&defs));

    let Some(oracle) = object_support::build_libbpf_oracle(d, "libbpf_run") else {
        return;
    };
    let out = Command::new(&oracle)
        .arg(&linked)
        .args(["count_packets", "64", "counts", "totals", "per_queue"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let load = stdout.lines().next().unwrap_or("");
    if load == "load -1" || load == "load -13" {
        skip(&format!(
            "the kernel does not let us load programs ({load}): {stderr}"
        ));
        return;
    }
    // XDP_PASS; counts[{ifindex 42, proto 7}] == 1 (key padding zeroed by
    // the program's `= { ... }`); totals[0] == {packets 1, bytes 64};
    // per_queue (map-in-map, created from the inner template) empty.
    let expected = "load 0\n\
                    run 0 retval 2\n\
                    map counts key 2a00000007000000 value 0100000000000000\n\
                    map totals key 00000000 value 01000000000000004000000000000000\n";
    assert_eq!(stdout, expected, "libbpf says:\n{stderr}");

    // The same program on the `--define` header alone (no linking): the
    // program's own object defines the maps, and behaves the same.
    let defined = d.join("defined");
    std::fs::create_dir(&defined).unwrap();
    std::fs::write(
        defined.join("extern_maps.h"),
        header_of(&defs, true).unwrap(),
    )
    .unwrap();
    let own_o = defined.join("uses_defined_maps.bpf.o");
    if let Err(e) = clang(
        &fixture_dir().join("extern/uses_extern_maps.bpf.c"),
        &own_o,
        &defined,
    )
    .unwrap()
    {
        panic!("the program does not compile against the --define header:\n{e}");
    }
    let own_data = std::fs::read(&own_o).unwrap();
    let own = ObjectSpec::parse(&own_data, "own").unwrap();
    assert_eq!(btf_maps(&own), btf_maps(&defs));
    let out = Command::new(&oracle)
        .arg(&own_o)
        .args(["count_packets", "64", "counts", "totals", "per_queue"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "libbpf says:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dump_c_types` prints what the roots reach and nothing else, each type
/// before its users and a forward declaration for a struct reached only
/// through a pointer; every definition is printed exactly as the full dump
/// (bpftool's `format c`, which btf_dump_c.rs checks byte for byte) prints it.
#[test]
fn dump_c_types_prints_only_what_the_roots_reach() {
    use bpfc::btf::dump::c::{dump_c, dump_c_types};
    let Some(data) = compile("header_layouts.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "header_layouts").unwrap();
    let btf = obj.btf.as_ref().unwrap();
    let key = btf
        .find_by_name_kind("layout_key", Kind::Struct)
        .unwrap()
        .id();
    let sub = dump_c_types(btf, &[key, 0]).unwrap();
    let names: Vec<&str> = sub.definitions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "__u16",
            "__u32",
            "__u8",
            "addr",
            "inner",
            "inner_t",
            "__u64",
            "hl_proto",
            "layout_key"
        ]
    );
    assert_eq!(sub.type_names, ["struct layout_key", "void"]);
    let last = &sub.definitions.last().unwrap().text;
    assert!(
        last.starts_with("struct hl_node;\n\nstruct layout_key {\n"),
        "{last}"
    );

    let mut full = Vec::new();
    dump_c(btf, &mut full).unwrap();
    let full = String::from_utf8(full).unwrap();
    for d in &sub.definitions {
        let def = d.text.trim_start_matches("struct hl_node;\n\n");
        assert!(full.contains(def), "not in the full dump:\n{def}");
    }
    assert!(dump_c_types(btf, &[btf.last_id() + 1]).is_err());
}
