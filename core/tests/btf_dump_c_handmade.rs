//! The C header dump on hand-made BTF: malformed input must give an error
//! naming the type (never a panic, hang or stack overflow), and the cases no
//! compiler produces today (old-style bitfields, split BTF naming) must come
//! out as C semantics and the kernel say.

use std::process::Command;

use bpfc::btf::dump::c::{dump_c, dump_c_with, CDumpOptions};
use bpfc::btf::Btf;

const INT: u32 = 1;
const PTR: u32 = 2;
const ARRAY: u32 = 3;
const STRUCT: u32 = 4;
const UNION: u32 = 5;
const ENUM: u32 = 6;
const FWD: u32 = 7;
const TYPEDEF: u32 = 8;
const VOLATILE: u32 = 9;
const CONST: u32 = 10;
const FUNC: u32 = 12;
const FUNC_PROTO: u32 = 13;
const VAR: u32 = 14;
const DATASEC: u32 = 15;
const FLOAT: u32 = 16;
const DECL_TAG: u32 = 17;
const TYPE_TAG: u32 = 18;
const ENUM64: u32 = 19;

const SIGNED: u32 = 1;

/// A little-endian BTF blob written type by type. For split BTF, ids and
/// string offsets continue the base's.
struct Blob {
    types: Vec<u8>,
    strings: Vec<u8>,
    next_id: u32,
    str_base: u32,
}

impl Blob {
    fn new() -> Blob {
        Blob {
            types: Vec::new(),
            strings: vec![0],
            next_id: 1,
            str_base: 0,
        }
    }

    fn split_on(base: &Blob) -> Blob {
        Blob {
            types: Vec::new(),
            strings: vec![0],
            next_id: base.next_id,
            str_base: base.str_base + base.strings.len() as u32,
        }
    }

    fn str(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let off = self.str_base + self.strings.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.strings.push(0);
        off
    }

    fn words(&mut self, words: &[u32]) {
        for w in words {
            self.types.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// A type header; returns the new type's id.
    fn head(&mut self, name: &str, kind: u32, vlen: u32, kflag: bool, third: u32) -> u32 {
        let name_off = self.str(name);
        let info = (u32::from(kflag) << 31) | (kind << 24) | vlen;
        self.words(&[name_off, info, third]);
        self.next_id += 1;
        self.next_id - 1
    }

    fn int(&mut self, name: &str, size: u32, bit_offset: u32, bits: u32, enc: u32) -> u32 {
        let id = self.head(name, INT, 0, false, size);
        self.words(&[(enc << 24) | (bit_offset << 16) | bits]);
        id
    }

    fn refer(&mut self, name: &str, kind: u32, to: u32) -> u32 {
        self.head(name, kind, 0, false, to)
    }

    fn aggregate(
        &mut self,
        kind: u32,
        name: &str,
        size: u32,
        kflag: bool,
        members: &[(&str, u32, u32)],
    ) -> u32 {
        let id = self.head(name, kind, members.len() as u32, kflag, size);
        for &(m, ty, off) in members {
            let name_off = self.str(m);
            self.words(&[name_off, ty, off]);
        }
        id
    }

    fn array(&mut self, elem: u32, index: u32, n: u32) -> u32 {
        let id = self.head("", ARRAY, 0, false, 0);
        self.words(&[elem, index, n]);
        id
    }

    fn func_proto(&mut self, ret: u32, params: &[u32]) -> u32 {
        let id = self.head("", FUNC_PROTO, params.len() as u32, false, ret);
        for &p in params {
            self.words(&[0, p]);
        }
        id
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xeb9f_u16.to_le_bytes());
        out.extend_from_slice(&[1, 0]);
        let tl = self.types.len() as u32;
        for w in [24, 0, tl, tl, self.strings.len() as u32] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.types);
        out.extend_from_slice(&self.strings);
        out
    }
}

fn dump_blob(blob: &Blob) -> std::io::Result<String> {
    let bytes = blob.bytes();
    let btf = Btf::parse(&bytes).expect("hand-made BTF parses");
    let mut out = Vec::new();
    dump_c(&btf, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn dump_error(blob: &Blob) -> String {
    match dump_blob(blob) {
        Ok(text) => panic!("expected an error, got:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The types between the pragma block and the footer.
fn body(text: &str) -> &str {
    let start = text.find("#endif\n\n").unwrap() + "#endif\n\n".len();
    let end = text.rfind("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX").unwrap();
    &text[start..end]
}

#[test]
fn a_missing_type_id_is_an_error_naming_the_referrer() {
    let mut b = Blob::new();
    let int = b.int("int", 4, 0, 32, SIGNED);
    b.aggregate(STRUCT, "s", 8, false, &[("a", int, 0), ("b", 99, 32)]);
    let err = dump_error(&b);
    assert!(err.contains("BTF type [2]") && err.contains("99"), "{err}");
}

#[test]
fn a_struct_embedding_itself_is_an_error() {
    let mut b = Blob::new();
    b.aggregate(STRUCT, "a", 4, false, &[("x", 1, 0)]);
    let err = dump_error(&b);
    assert!(
        err.contains("BTF type [1]") && err.contains("cycle"),
        "{err}"
    );
}

#[test]
fn reference_loops_are_errors_not_hangs() {
    // CONST of itself, used by a struct member.
    let mut b = Blob::new();
    let c = b.refer("", CONST, 1);
    b.aggregate(STRUCT, "s", 4, false, &[("x", c, 0)]);
    let err = dump_error(&b);
    assert!(err.contains("loop"), "{err}");

    // Two typedefs of each other.
    let mut b = Blob::new();
    b.refer("t", TYPEDEF, 2);
    b.refer("u", TYPEDEF, 1);
    let err = dump_error(&b);
    assert!(err.contains("loop"), "{err}");

    // A pointer loop in a declarator only.
    let mut b = Blob::new();
    b.refer("", PTR, 2);
    b.refer("", VOLATILE, 1);
    b.refer("p", TYPEDEF, 1);
    let err = dump_error(&b);
    assert!(err.contains("loop"), "{err}");
}

/// 200 levels of anonymous structs, each defined inline in the next: deep
/// but legal, and well within the test thread's 2 MiB stack.
#[test]
fn deep_legal_nesting_dumps() {
    let mut b = Blob::new();
    let mut inner = b.int("int", 4, 0, 32, SIGNED);
    for _ in 0..200 {
        inner = b.aggregate(STRUCT, "", 4, false, &[("m", inner, 0)]);
    }
    b.aggregate(STRUCT, "outer", 4, false, &[("m", inner, 0)]);
    let text = dump_blob(&b).unwrap();
    assert!(text.contains(&format!("\n{}int m;\n", "\t".repeat(13))));
    assert_eq!(text.matches("struct {").count(), 200);
}

#[test]
fn a_very_long_chain_is_an_error_not_a_stack_overflow() {
    let mut b = Blob::new();
    let mut top = b.int("int", 4, 0, 32, SIGNED);
    for _ in 0..100_000 {
        top = b.refer("", CONST, top);
    }
    b.refer("deep", TYPEDEF, top);
    let err = dump_error(&b);
    assert!(err.contains("deeper than"), "{err}");
}

#[test]
fn a_bad_name_offset_is_an_error_naming_the_type() {
    let mut b = Blob::new();
    let int = b.int("int", 4, 0, 32, SIGNED);
    b.aggregate(STRUCT, "s", 4, false, &[("x", int, 0)]);
    // Point the struct's name past the string section.
    let struct_name_off = 16;
    b.types[struct_name_off..struct_name_off + 4].copy_from_slice(&9999u32.to_le_bytes());
    let err = dump_error(&b);
    assert!(err.contains("BTF type [2]"), "{err}");
}

#[test]
fn an_implausible_padding_gap_is_an_error() {
    let mut b = Blob::new();
    let int = b.int("int", 4, 0, 32, SIGNED);
    b.aggregate(STRUCT, "huge", 0x4000_0000, false, &[("x", int, 0)]);
    let err = dump_error(&b);
    assert!(err.contains("BTF type [2]") && err.contains("gap"), "{err}");
}

#[test]
fn kinds_that_are_no_declaration_do_not_panic() {
    let mut b = Blob::new();
    let int = b.int("int", 4, 0, 32, SIGNED);
    let proto = b.func_proto(int, &[int]);
    let func = b.refer("f", FUNC, proto);
    let var = b.head("v", VAR, 0, false, int);
    b.words(&[1]);
    let sec = b.head(".data", DATASEC, 1, false, 4);
    b.words(&[var, 0, 4]);
    let tag = b.head("tag", DECL_TAG, 0, false, int);
    b.words(&[u32::MAX]);
    let fwd = b.refer("later", FWD, 0);
    // Members no compiler would write: a function, a variable, a section, a
    // tag, void and a forward declaration (neither has an alignment, where
    // libbpf would divide by zero).
    b.aggregate(
        STRUCT,
        "odd",
        64,
        false,
        &[
            ("f", func, 0),
            ("v", var, 64),
            ("s", sec, 128),
            ("t", tag, 192),
            ("nothing", 0, 256),
            ("fwd", fwd, 320),
        ],
    );
    let text = dump_blob(&b).expect("dumps what it can");
    assert!(text.contains("struct odd {"), "{text}");
}

/// A struct without kind_flag whose members are INTs narrower than their
/// storage: old pahole's bitfields. The kernel reads `a` as 3 bits at bit 0
/// and `b` as 5 bits at bit 3 + 2; so must the header (the 2-bit gap is
/// explicit padding, as for any bitfield run).
#[test]
fn old_style_bitfields_print_as_bitfields() {
    let mut b = Blob::new();
    let int3 = b.int("int", 4, 0, 3, SIGNED);
    let uint5_at2 = b.int("unsigned int", 4, 2, 5, 0);
    let int = b.int("int", 4, 0, 32, SIGNED);
    b.aggregate(
        STRUCT,
        "old",
        8,
        false,
        &[("a", int3, 0), ("b", uint5_at2, 3), ("c", int, 32)],
    );
    let text = dump_blob(&b).unwrap();
    assert_eq!(
        body(&text),
        "struct old {\n\tint a: 3;\n\tchar: 2;\n\tunsigned int b: 5;\n\tint c;\n};\n\n",
        "{text}"
    );

    // clang reads the header back to the same offsets.
    if Command::new("clang-19").arg("--version").output().is_err() {
        eprintln!("SKIP: old_style_bitfields_print_as_bitfields: clang-19 is not installed");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clang-19 needed under CI"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.h"), &text).unwrap();
    std::fs::write(
        dir.path().join("main.c"),
        "#include \"old.h\"\nstruct old g;\n",
    )
    .unwrap();
    let out = Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-c", "main.c", "-o", "main.o"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let elf = std::fs::read(dir.path().join("main.o")).unwrap();
    let parsed = goblin::elf::Elf::parse(&elf).unwrap();
    let sh = parsed
        .section_headers
        .iter()
        .find(|s| parsed.shdr_strtab.get_at(s.sh_name) == Some(".BTF"))
        .unwrap();
    let btf_bytes = &elf[sh.sh_offset as usize..(sh.sh_offset + sh.sh_size) as usize];
    let btf = Btf::parse(btf_bytes).unwrap();
    let old = btf
        .find_by_name_kind("old", bpfc::btf::Kind::Struct)
        .unwrap();
    let layout: Vec<_> = old
        .members()
        .map(|m| (m.bit_offset(), m.bitfield_size()))
        .collect();
    assert_eq!(layout, [(0, 3), (5, 5), (32, 0)]);
    assert_eq!(old.size(), 8);
}

/// Split types use base types by the names the base's own header gives
/// them (`dup___2` for the second base `struct dup`), and a split type
/// clashing with base names is numbered after them.
#[test]
fn split_types_follow_the_base_header_names() {
    let mut base = Blob::new();
    let int = base.int("int", 4, 0, 32, SIGNED);
    base.aggregate(STRUCT, "dup", 4, false, &[("first", int, 0)]);
    let dup2 = base.aggregate(STRUCT, "dup", 4, false, &[("second", int, 0)]);
    let base_bytes = base.bytes();
    let base_btf = Btf::parse(&base_bytes).unwrap();

    let mut split = Blob::split_on(&base);
    let ptr = split.refer("", PTR, dup2);
    split.aggregate(
        STRUCT,
        "dup",
        16,
        false,
        &[("embedded", dup2, 0), ("p", ptr, 64)],
    );
    let split_bytes = split.bytes();
    let split_btf = Btf::parse_split(&split_bytes, &base_btf).unwrap();

    let mut out = Vec::new();
    dump_c(&split_btf, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("#ifndef __VMLINUX_SPLIT_H__\n#define __VMLINUX_SPLIT_H__\n"));
    assert!(text.ends_with("#endif /* __VMLINUX_SPLIT_H__ */\n"));
    assert_eq!(
        body(&text),
        "struct dup___3 {\n\tstruct dup___2 embedded;\n\tstruct dup___2 *p;\n};\n\n",
        "{text}"
    );
}

#[test]
fn the_header_guard_can_be_chosen() {
    let mut b = Blob::new();
    b.int("int", 4, 0, 32, SIGNED);
    let bytes = b.bytes();
    let btf = Btf::parse(&bytes).unwrap();
    let opts = CDumpOptions {
        header_guard: Some("MY_TYPES_H".into()),
        ..Default::default()
    };
    let mut out = Vec::new();
    dump_c_with(&btf, &opts, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("#ifndef MY_TYPES_H\n#define MY_TYPES_H\n"),
        "{text}"
    );
    assert!(text.ends_with("#endif /* MY_TYPES_H */\n"), "{text}");
}

/// Mutated blobs, whatever they parse to, dump or fail cleanly.
#[test]
fn mutated_blobs_never_panic() {
    let mut b = Blob::new();
    let int = b.int("int", 4, 0, 32, SIGNED);
    let chr = b.int("char", 1, 0, 8, SIGNED);
    let fl = b.head("float", FLOAT, 0, false, 4);
    let e = b.head("e", ENUM, 2, true, 4);
    let (x, y) = (b.str("X"), b.str("Y"));
    b.words(&[x, u32::MAX, y, 1]);
    let e64 = b.head("", ENUM64, 1, false, 8);
    let z = b.str("Z");
    b.words(&[z, 0, 1]);
    let arr = b.array(chr, int, 3);
    let anon = b.aggregate(UNION, "", 4, false, &[("i", int, 0), ("f", fl, 0)]);
    let fwd = b.refer("node", FWD, 0);
    let pfwd = b.refer("", PTR, fwd);
    let proto = b.func_proto(int, &[pfwd, 0]);
    let pproto = b.refer("", PTR, proto);
    let tt = b.refer("user", TYPE_TAG, int);
    let ptt = b.refer("", PTR, tt);
    let s = b.aggregate(
        STRUCT,
        "s",
        48,
        true,
        &[
            ("a", int, 0),
            ("bits", int, (5 << 24) | 32),
            ("arr", arr, 40),
            ("u", anon, 64),
            ("e", e, 96),
            ("e64", e64, 128),
            ("cb", pproto, 192),
            ("tagged", ptt, 256),
            ("self", 0, 320),
        ],
    );
    let ps = b.refer("", PTR, s);
    b.refer("s_t", TYPEDEF, ps);
    let clean = b.bytes();
    assert!(dump_blob(&b).is_ok());

    // A small LCG keeps the test deterministic without a dependency.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    for _ in 0..3000 {
        let mut data = clean.clone();
        for _ in 0..1 + next() % 4 {
            let at = 24 + next() % (data.len() - 24);
            data[at] = next() as u8;
        }
        if let Ok(btf) = Btf::parse(&data) {
            let _ = dump_c(&btf, &mut std::io::sink());
        }
    }
}
