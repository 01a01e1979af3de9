//! The C header dump against its oracles: bpftool v7.1.0's `format c`
//! output, byte for byte, and clang-19, which must compile every header and,
//! for our own fixtures, get back the struct layouts the BTF describes.
//!
//! Inputs: the running kernel's BTF, cilium/ebpf's vmlinux.btf.gz and split
//! btf_testmod.btf, the .BTF of cilium's and xdp-tools' objects, and the C
//! fixtures in testdata/btf_c compiled here with clang-19.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bpfc::btf::dump::c::{dump_c, dump_c_with, CDumpOptions};
use bpfc::btf::{Btf, Kind};

const VMLINUX: &str = "/sys/kernel/btf/vmlinux";
const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";
const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";
const CLANG: &str = "clang-19";
const BPFTOOL: &str = "bpftool";

/// Single-file fixtures; `names` is linked from two files (see below).
const FIXTURES: [&str; 8] = [
    "anon_nested",
    "arrays",
    "bitfields",
    "cycles",
    "enums",
    "funcptrs",
    "packed",
    "typedefs",
];

/// Structs whose layout the header does not reproduce, because bpftool
/// v7.1.0 (and so our dump) cannot express it: 1- and 2-byte enums need
/// `mode(byte)`-style attributes libbpf 1.1 does not print, and libbpf only
/// ever marks structs, not unions, packed.
const KNOWN_LAYOUT_LOSSES: [(&str, &str); 3] = [
    ("enums", "enums_root"),
    ("packed", "packed_union"),
    ("packed", "packed_root"),
];

// ---------------------------------------------------------------------------
// The running kernel, cilium's vmlinux, corpus objects

#[test]
fn vmlinux_header_matches_bpftool_and_compiles() {
    if !tools_present(
        "vmlinux_header_matches_bpftool_and_compiles",
        &[BPFTOOL, CLANG],
    ) {
        return;
    }
    let Some(data) = read_or_skip(Path::new(VMLINUX)) else {
        return;
    };
    let btf = Btf::parse(&data).expect("vmlinux parses");
    let ours = dump(&btf);
    assert_same_as_bpftool(&ours, &bpftool_c(Path::new(VMLINUX), None), VMLINUX);
    assert_compiles(&ours, "vmlinux.h", None);
}

#[test]
fn cilium_vmlinux_header_matches_bpftool_and_compiles() {
    if !tools_present(
        "cilium_vmlinux_header_matches_bpftool_and_compiles",
        &[BPFTOOL, CLANG],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(raw) = cilium_vmlinux(dir.path()) else {
        return;
    };
    let data = std::fs::read(&raw).unwrap();
    let btf = Btf::parse(&data).expect("cilium vmlinux parses");
    let ours = dump(&btf);
    assert_same_as_bpftool(&ours, &bpftool_c(&raw, None), "cilium vmlinux.btf.gz");
    assert_compiles(&ours, "vmlinux.h", None);
}

#[test]
fn corpus_object_headers_match_bpftool_and_compile() {
    if !tools_present(
        "corpus_object_headers_match_bpftool_and_compile",
        &[BPFTOOL, CLANG],
    ) {
        return;
    }
    let mut objects = files_in(&Path::new(CILIUM).join("testdata"), "-el.elf");
    objects.extend(files_in(&Path::new(CILIUM).join("btf/testdata"), "-el.elf"));
    objects.extend(files_in(Path::new(XDP_TOOLS), ".o"));
    if objects.is_empty() {
        skip(
            "corpus_object_headers_match_bpftool_and_compile",
            "no corpus objects installed",
        );
        return;
    }
    let mut checked = 0;
    for obj in &objects {
        let elf = std::fs::read(obj).unwrap();
        // clang-7 era objects carry no .BTF; bpftool has nothing to dump.
        let Some(btf_bytes) = elf_btf(&elf) else {
            continue;
        };
        let btf = Btf::parse(&btf_bytes).unwrap_or_else(|e| panic!("{}: {e}", obj.display()));
        let ours = dump(&btf);
        assert_same_as_bpftool(&ours, &bpftool_c(obj, None), &obj.display().to_string());
        assert_compiles(&ours, "obj.h", None);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} corpus objects had .BTF");
}

/// Byte order is the reader's business: each `-eb.elf` dumps exactly like
/// its `-el.elf` twin.
#[test]
fn big_endian_objects_dump_like_little_endian_ones() {
    let mut pairs = 0;
    for dir in [
        Path::new(CILIUM).join("testdata"),
        Path::new(CILIUM).join("btf/testdata"),
    ] {
        for eb in files_in(&dir, "-eb.elf") {
            let el = PathBuf::from(eb.to_string_lossy().replace("-eb.elf", "-el.elf"));
            let (Some(be), Some(le)) = (
                elf_btf(&std::fs::read(&eb).unwrap()),
                std::fs::read(&el).ok().and_then(|d| elf_btf(&d)),
            ) else {
                continue;
            };
            let be = dump(&Btf::parse(&be).unwrap());
            let le = dump(&Btf::parse(&le).unwrap());
            assert!(be == le, "{}: {}", eb.display(), first_difference(&le, &be));
            pairs += 1;
        }
    }
    if pairs == 0 {
        skip(
            "big_endian_objects_dump_like_little_endian_ones",
            "cilium testdata not installed",
        );
    }
}

// ---------------------------------------------------------------------------
// Split BTF

/// With `emit_base_types` the output is bpftool's (base and split types in
/// one header); by default it is exactly the split part of that output,
/// under its own guard, and compiles after the base's header.
#[test]
fn split_btf_matches_bpftool_and_compiles_after_base_header() {
    if !tools_present("split_btf_matches_bpftool", &[BPFTOOL, CLANG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(base_path) = cilium_vmlinux(dir.path()) else {
        return;
    };
    let split_path = Path::new(CILIUM).join("btf/testdata/btf_testmod.btf");
    let Some(split_data) = read_or_skip(&split_path) else {
        return;
    };
    let base_data = std::fs::read(&base_path).unwrap();
    let base = Btf::parse(&base_data).unwrap();
    let split = Btf::parse_split(&split_data, &base).unwrap();

    let theirs = bpftool_c(&split_path, Some(&base_path));
    let all = dump_with(
        &split,
        &CDumpOptions {
            emit_base_types: true,
            ..Default::default()
        },
    );
    assert_same_as_bpftool(&all, &theirs, "btf_testmod.btf on vmlinux.btf.gz");

    // bpftool's split output = header + base part + split part + footer,
    // where header + base part + footer is the base's own header.
    let base_header = dump(&base);
    let base_footer = footer("__VMLINUX_H__");
    let base_part_end = base_header.len() - base_footer.len();
    assert_eq!(theirs[..base_part_end], base_header[..base_part_end]);
    let split_part = &theirs[base_part_end..theirs.len() - base_footer.len()];

    let ours = dump(&split);
    let mut expected = header("__VMLINUX_SPLIT_H__");
    expected.extend_from_slice(split_part);
    expected.extend_from_slice(&footer("__VMLINUX_SPLIT_H__"));
    assert!(
        ours == expected,
        "split-only dump: {}",
        first_difference(&expected, &ours)
    );

    assert_compiles(&ours, "split.h", Some(&base_header));
}

// ---------------------------------------------------------------------------
// Our fixtures

#[test]
fn fixture_headers_match_bpftool_and_compile() {
    if !tools_present(
        "fixture_headers_match_bpftool_and_compile",
        &[BPFTOOL, CLANG],
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, obj) in all_fixture_objects(dir.path()) {
        let btf_bytes = elf_btf(&std::fs::read(&obj).unwrap()).expect("clang -g emits .BTF");
        let ours = dump(&Btf::parse(&btf_bytes).unwrap());
        assert_same_as_bpftool(&ours, &bpftool_c(&obj, None), name);
        assert_compiles(&ours, &format!("{name}.h"), None);
    }
}

/// The header compiled again with -g gives back the fixture's layouts:
/// every named struct and union has the same size and member offsets.
#[test]
fn fixture_layouts_survive_the_round_trip() {
    if !tools_present("fixture_layouts_survive_the_round_trip", &[CLANG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut losses = BTreeSet::new();
    for (name, obj) in all_fixture_objects(dir.path()) {
        let orig_bytes = elf_btf(&std::fs::read(&obj).unwrap()).unwrap();
        let orig = Btf::parse(&orig_bytes).unwrap();
        let roots = uniquely_named_aggregates(&orig);
        let rt_obj = compile_round_trip(dir.path(), name, &dump(&orig), &orig, &roots);
        let rt_bytes = elf_btf(&std::fs::read(&rt_obj).unwrap()).unwrap();
        let rt = Btf::parse(&rt_bytes).unwrap();
        for &id in &roots {
            let t = orig.type_by_id(id).unwrap();
            let tname = String::from_utf8(orig.str_bytes(t.name_off()).unwrap().to_vec()).unwrap();
            let back = rt
                .find_by_name_kind(&tname, t.kind())
                .unwrap_or_else(|| panic!("{name}: {tname} missing after the round trip"));
            let mut diffs = Vec::new();
            compare_layout(&orig, id, &rt, back.id(), &tname, &mut diffs);
            if !diffs.is_empty() {
                losses.insert((name, tname.clone()));
                let known = KNOWN_LAYOUT_LOSSES
                    .iter()
                    .any(|&(f, s)| f == name && s == tname);
                assert!(known, "{name}: layout changed:\n{}", diffs.join("\n"));
            }
        }
    }
    // A known loss that went away means the list (and the docs) are stale.
    for (f, s) in KNOWN_LAYOUT_LOSSES {
        assert!(
            losses.contains(&(f, s.to_string())),
            "{f}: {s} now round-trips"
        );
    }
}

#[test]
fn snapshots_of_small_fixtures() {
    if !tools_present("snapshots_of_small_fixtures", &[CLANG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["cycles", "bitfields", "funcptrs"] {
        let obj = compile_fixture(dir.path(), name);
        let btf_bytes = elf_btf(&std::fs::read(&obj).unwrap()).unwrap();
        let text = String::from_utf8(dump(&Btf::parse(&btf_bytes).unwrap())).unwrap();
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/btf_dump_c"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(name, text);
        });
    }
}

// ---------------------------------------------------------------------------
// Helpers

fn dump(btf: &Btf<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    dump_c(btf, &mut out).expect("dump succeeds");
    out
}

fn dump_with(btf: &Btf<'_>, opts: &CDumpOptions) -> Vec<u8> {
    let mut out = Vec::new();
    dump_c_with(btf, opts, &mut out).expect("dump succeeds");
    out
}

fn header(guard: &str) -> Vec<u8> {
    format!(
        "#ifndef {guard}\n#define {guard}\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n\
         #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n\
         #endif\n\n"
    )
    .into_bytes()
}

fn footer(guard: &str) -> Vec<u8> {
    format!(
        "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n\
         #endif /* {guard} */\n"
    )
    .into_bytes()
}

#[path = "common/skip.rs"]
mod skip_rule;

/// [`skip_rule::skip`] naming the test.
fn skip(test: &str, why: &str) {
    skip_rule::skip(&format!("{test}: {why}"));
}

fn tools_present(test: &str, tools: &[&str]) -> bool {
    for tool in tools {
        let found = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip(test, &format!("{tool} is not installed"));
            return false;
        }
    }
    true
}

fn read_or_skip(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(d) => Some(d),
        Err(e) => {
            skip(&path.display().to_string(), &format!("cannot read it: {e}"));
            None
        }
    }
}

/// Decompresses cilium's vmlinux.btf.gz into `dir` (bpftool needs a file).
fn cilium_vmlinux(dir: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let gz = read_or_skip(&Path::new(CILIUM).join("btf/testdata/vmlinux.btf.gz"))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .expect("vmlinux.btf.gz decompresses");
    let path = dir.join("cilium-vmlinux.btf");
    std::fs::write(&path, raw).unwrap();
    Some(path)
}

fn files_in(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// The bytes of an ELF object's `.BTF` section, if it has one.
fn elf_btf(elf: &[u8]) -> Option<Vec<u8>> {
    let parsed = goblin::elf::Elf::parse(elf).ok()?;
    let sh = parsed
        .section_headers
        .iter()
        .find(|sh| parsed.shdr_strtab.get_at(sh.sh_name) == Some(".BTF"))?;
    let start = usize::try_from(sh.sh_offset).ok()?;
    let end = start.checked_add(usize::try_from(sh.sh_size).ok()?)?;
    elf.get(start..end).map(<[u8]>::to_vec)
}

fn bpftool_c(path: &Path, base: Option<&Path>) -> Vec<u8> {
    let mut cmd = Command::new(BPFTOOL);
    if let Some(b) = base {
        cmd.arg("-B").arg(b);
    }
    let out = cmd
        .args(["btf", "dump", "file"])
        .arg(path)
        .args(["format", "c"])
        .output()
        .expect("bpftool runs");
    assert!(
        out.status.success(),
        "bpftool on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn assert_same_as_bpftool(ours: &[u8], theirs: &[u8], what: &str) {
    if ours == theirs {
        return;
    }
    let (o, t) = (declaration_heads(ours), declaration_heads(theirs));
    let only_theirs: Vec<_> = t.difference(&o).take(10).collect();
    let only_ours: Vec<_> = o.difference(&t).take(10).collect();
    panic!(
        "{what}: header differs from bpftool's: {}\n\
         top-level declarations only bpftool has: {only_theirs:?}\n\
         only we have: {only_ours:?}",
        first_difference(theirs, ours)
    );
}

/// Top-level lines that open a declaration (`struct x {`, `typedef ...;`).
fn declaration_heads(header: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(header)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with(['\t', '}', '#']))
        .map(str::to_string)
        .collect()
}

fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let (e, a) = (
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(actual),
    );
    let mut el = e.lines();
    let mut al = a.lines();
    for line in 1.. {
        match (el.next(), al.next()) {
            (None, None) => return "no line differs (trailing newline?)".into(),
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "first difference at line {line}:\n  expected: {x:?}\n  actual:   {y:?}"
                )
            }
        }
    }
    unreachable!()
}

/// Compiles a BPF C file including `header` (after `base_header` as
/// vmlinux.h, if given) with clang-19.
fn assert_compiles(header: &[u8], name: &str, base_header: Option<&[u8]>) {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::new();
    if let Some(base) = base_header {
        std::fs::write(dir.path().join("vmlinux.h"), base).unwrap();
        src.push_str("#include \"vmlinux.h\"\n");
    }
    std::fs::write(dir.path().join(name), header).unwrap();
    src.push_str(&format!("#include \"{name}\"\n"));
    std::fs::write(dir.path().join("main.c"), src).unwrap();
    let out = Command::new(CLANG)
        .args(["-target", "bpf", "-c", "main.c", "-o", "main.o"])
        .current_dir(dir.path())
        .output()
        .expect("clang runs");
    assert!(
        out.status.success(),
        "{name} does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/btf_c")
}

fn clang_bpf_g(src: &Path, obj: &Path) {
    let out = Command::new(CLANG)
        .args(["-target", "bpf", "-g", "-c"])
        .arg(src)
        .arg("-o")
        .arg(obj)
        .output()
        .expect("clang runs");
    assert!(
        out.status.success(),
        "{}: {}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn compile_fixture(dir: &Path, name: &str) -> PathBuf {
    let obj = dir.join(format!("{name}.o"));
    clang_bpf_g(&fixture_dir().join(format!("{name}.c")), &obj);
    obj
}

/// Every fixture object: the single-file ones, and `names`, where
/// bpftool's static linker merges two files whose types share names.
fn all_fixture_objects(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut objs: Vec<_> = FIXTURES
        .iter()
        .map(|&name| (name, compile_fixture(dir, name)))
        .collect();
    let a = compile_fixture(dir, "names_a");
    let b = compile_fixture(dir, "names_b");
    let linked = dir.join("names.o");
    let out = Command::new(BPFTOOL)
        .args(["gen", "object"])
        .args([&linked, &a, &b])
        .output()
        .expect("bpftool runs");
    if out.status.success() {
        objs.push(("names", linked));
    } else {
        skip("names fixture", "bpftool gen object failed");
    }
    objs
}

/// Named structs and unions whose name no other type of their kind has.
fn uniquely_named_aggregates(btf: &Btf<'_>) -> Vec<u32> {
    let mut seen = std::collections::HashMap::new();
    for t in btf.types() {
        if matches!(t.kind(), Kind::Struct | Kind::Union) && t.name_off() != 0 {
            let key = (t.kind(), btf.str_bytes(t.name_off()).unwrap());
            *seen.entry(key).or_insert(0) += 1;
        }
    }
    btf.types()
        .filter(|t| matches!(t.kind(), Kind::Struct | Kind::Union) && t.name_off() != 0)
        .filter(|t| seen[&(t.kind(), btf.str_bytes(t.name_off()).unwrap())] == 1)
        .map(|t| t.id())
        .collect()
}

/// Compiles the header with one global of each root type, so that clang
/// describes them all in the new object's BTF.
fn compile_round_trip(
    dir: &Path,
    name: &str,
    header: &[u8],
    orig: &Btf<'_>,
    roots: &[u32],
) -> PathBuf {
    let h = dir.join(format!("{name}.rt.h"));
    std::fs::write(&h, header).unwrap();
    let mut src = format!("#include \"{}\"\n", h.display());
    for (i, &id) in roots.iter().enumerate() {
        let t = orig.type_by_id(id).unwrap();
        let kw = if t.kind() == Kind::Struct {
            "struct"
        } else {
            "union"
        };
        let tname = String::from_utf8_lossy(orig.str_bytes(t.name_off()).unwrap()).into_owned();
        src.push_str(&format!("{kw} {tname} __round_trip_{i};\n"));
    }
    let c = dir.join(format!("{name}.rt.c"));
    std::fs::write(&c, src).unwrap();
    let obj = dir.join(format!("{name}.rt.o"));
    clang_bpf_g(&c, &obj);
    obj
}

/// Records every difference in size, member names, offsets and bitfield
/// widths between two aggregates, descending into anonymous members.
fn compare_layout(
    a: &Btf<'_>,
    a_id: u32,
    b: &Btf<'_>,
    b_id: u32,
    path: &str,
    diffs: &mut Vec<String>,
) {
    let (ta, tb) = (a.type_by_id(a_id).unwrap(), b.type_by_id(b_id).unwrap());
    if ta.size() != tb.size() {
        diffs.push(format!("{path}: size {} became {}", ta.size(), tb.size()));
    }
    if ta.vlen() != tb.vlen() {
        diffs.push(format!(
            "{path}: {} members became {}",
            ta.vlen(),
            tb.vlen()
        ));
        return;
    }
    for (ma, mb) in ta.members().zip(tb.members()) {
        let name = String::from_utf8_lossy(a.str_bytes(ma.name_off).unwrap()).into_owned();
        let here = format!("{path}.{name}");
        if a.str_bytes(ma.name_off).unwrap() != b.str_bytes(mb.name_off).unwrap() {
            diffs.push(format!("{here}: renamed"));
        }
        if (ma.bit_offset(), ma.bitfield_size()) != (mb.bit_offset(), mb.bitfield_size()) {
            diffs.push(format!(
                "{here}: bit offset/width {}/{} became {}/{}",
                ma.bit_offset(),
                ma.bitfield_size(),
                mb.bit_offset(),
                mb.bitfield_size()
            ));
        }
        let (ia, ib) = (
            a.skip_mods_and_typedefs(ma.type_id).unwrap(),
            b.skip_mods_and_typedefs(mb.type_id).unwrap(),
        );
        if ia == 0 || ib == 0 {
            continue;
        }
        let (ea, eb) = (a.type_by_id(ia).unwrap(), b.type_by_id(ib).unwrap());
        let anonymous_aggregate = |t: &bpfc::btf::Type<'_>| {
            matches!(t.kind(), Kind::Struct | Kind::Union) && t.name_off() == 0
        };
        if anonymous_aggregate(&ea) && anonymous_aggregate(&eb) {
            compare_layout(a, ia, b, ib, &here, diffs);
        }
    }
}
