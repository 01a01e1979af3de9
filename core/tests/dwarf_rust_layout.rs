//! Rust layout fidelity of DWARF → BTF, checked against rustc itself.
//!
//! The test writes a Rust program with many kinds of types (generics with
//! const parameters, nested arrays, tuples and tuple structs, C-like enums
//! of several reprs with negative discriminants, data-carrying enums,
//! 128-bit integers and enums, `bool`, `char`, floats, zero-sized fields,
//! `repr(C)`, reordered default-repr, packed and over-aligned structs,
//! unions, same-named types in different modules, raw pointers, references,
//! slices and trait objects, and std types: Vec, String, Box, NonZero,
//! atomics, Cell, Duration, Ordering). Each type `T` gets a
//! `static mut ROOT_<n>: MaybeUninit<T>`, so the object's DWARF describes
//! it, and `main` prints `size_of`, `align_of` and `offset_of!` of every
//! field as JSON lines. rustc compiles it (with debug info) to an object
//! and a program; the program's answers are the truth the BTF that
//! [`bpfc::dwarf::variable_types`] makes of the object's DWARF must tell:
//! each type's size, each field's offset, C identifiers that are valid,
//! unique and at most 127 bytes, only the expected warnings, a C dump that
//! clang compiles, and a blob the kernel accepts.

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::btf::{Btf, Kind};
use bpfc::bytes::Endian;
use bpfc::dwarf::{variable_types, DwarfSections, VariableRequest};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::process::Command;

/// The program's items: every type the cases use.
const ITEMS: &str = r#"
#![allow(dead_code, non_camel_case_types, static_mut_refs)]
use core::marker::PhantomData;
use core::mem::MaybeUninit;

pub mod a {
    #[derive(Clone, Copy)]
    pub struct Key { pub x: u32, pub tag: u8 }
    pub struct Same { pub v: u32 }
    pub struct Gen<T> { pub g: T, pub n: u16 }
}
pub mod b {
    #[derive(Clone, Copy)]
    pub struct Key { pub y: u64, pub flags: [u8; 3] }
    pub struct Same { pub v: u32 }
    pub struct Gen<T> { pub g: T, pub n: u16 }
    pub mod inner {
        pub struct Key { pub z: i16 }
    }
}

pub struct Wrapper<T, const N: usize> { pub items: [T; N], pub tag: u8, pub marker: PhantomData<T> }

#[repr(C)]
pub struct CLayout { pub a: u8, pub b: u64, pub c: u16, pub d: u8 }
pub struct Reordered { pub a: u8, pub b: u64, pub c: u16, pub d: u8, pub e: u32 }
#[repr(C, packed)]
pub struct Packed { pub a: u8, pub b: u32, pub c: u16, pub d: u64 }
#[repr(C, packed(2))]
pub struct Packed2 { pub a: u8, pub b: u32, pub c: u8 }
#[repr(align(16))]
pub struct Aligned16 { pub x: u8, pub y: u32 }
#[repr(C)]
pub struct HoldsAligned { pub a: u8, pub inner: Aligned16, pub b: u16 }

pub struct Tuple3(pub u8, pub u64, pub i16);
pub struct NewType(pub u32);
pub struct Unit;
pub struct Nested { pub head: u8, pub pair: (u16, u64), pub inner: Tuple3, pub grid: [[u16; 3]; 5] }
pub struct Outer { pub x: u8, pub nested: Nested, pub keys: (a::Key, b::Key) }

pub struct Zst { pub a: u32, pub p: PhantomData<u64>, pub u: (), pub e: [u8; 0], pub b: u8, pub unit: Unit }

pub struct Prims {
    pub b: bool, pub c: char, pub f: f32, pub d: f64,
    pub i8_: i8, pub u16_: u16, pub i32_: i32, pub u64_: u64,
    pub big: u128, pub sbig: i128, pub us: usize, pub is: isize,
}

#[repr(u8)]
#[derive(Clone, Copy)]
pub enum E8 { A = 1, B = 200, C }
#[repr(i64)]
#[derive(Clone, Copy)]
pub enum E64 { Neg = -5, Big = i64::MAX, Min = i64::MIN }
#[derive(Clone, Copy)]
pub enum Plain { One, Two, Three }
#[derive(Clone, Copy)]
pub enum NegDefault { Low = -3, High = 7 }
#[repr(i32)]
#[derive(Clone, Copy)]
pub enum E32 { X = -2_000_000_000, Y = 2_000_000_000 }
#[repr(u16)]
pub enum E16 { P = 0xffff, Q = 1 }
#[repr(i128)]
pub enum E128 { Neg = -1, Huge = 1 << 100 }
pub enum Empty {}
pub enum OneUnit { Only }
pub enum OneData { Only(u32) }
pub enum TwoEmpty { A(()), B(Empty) }
pub struct Enums { pub e8: E8, pub e64: E64, pub plain: Plain, pub neg: NegDefault, pub e32: E32 }

pub enum Shape { Circle(f32), Rect { w: u32, h: u32 }, Nothing }
pub struct DataEnums { pub opt: Option<u32>, pub res: Result<u8, u64>, pub shape: Shape, pub tail: u8 }

#[repr(C)]
pub union Un { pub a: u32, pub b: [u8; 6], pub c: f64 }
pub union GenUnion<T: Copy> { pub t: T, pub raw: u64 }

pub struct Pointers {
    pub p: *const u8, pub q: *mut Pointers, pub f: fn(u32) -> u64,
    pub r: &'static u32, pub s: &'static [u8], pub st: &'static str,
    pub d: *const dyn core::fmt::Debug, pub pp: *mut *const Wrapper<u8, 3>,
}

pub struct LongName<T>(pub T);

// Paths that are one C identifier once `::` is `_`.
pub mod a_b { pub struct K { pub k: u8 } }
pub mod a2 { pub mod b { pub struct K { pub k: u16 } } }
pub mod a2_b { pub struct K { pub k: u32 } }

#[cfg(target_arch = "x86_64")]
pub struct Simd { pub a: u8, pub v: core::arch::x86_64::__m128i, pub f: core::arch::x86_64::__m256, pub d: core::arch::x86_64::__m128d }

#[repr(C, u8)]
pub enum CData { A(u32), B(u16), C }
#[repr(transparent)]
pub struct Transparent(pub u64, pub PhantomData<u8>);
pub struct StdHolder {
    pub v: Vec<u32>, pub s: String, pub b: Box<u64>, pub bs: Box<[u8]>,
    pub nz: core::num::NonZeroU32, pub onz: Option<core::num::NonZeroU32>,
    pub at: core::sync::atomic::AtomicU64, pub cell: core::cell::Cell<u16>,
    pub dur: core::time::Duration, pub ord: core::cmp::Ordering, pub flag: bool,
}
"#;

/// One type to check: its Rust spelling and the fields to ask `offset_of!`.
struct Case {
    ty: &'static str,
    fields: &'static [&'static str],
}

const fn case(ty: &'static str, fields: &'static [&'static str]) -> Case {
    Case { ty, fields }
}

const LONG: &str = "LongName<LongName<LongName<LongName<Wrapper<(u64, u32, u16, u8), 1>>>>>";

fn cases() -> Vec<Case> {
    let mut v = vec![
        case("Wrapper<u8, 3>", &["items", "tag", "marker"]),
        case("Wrapper<u32, 4>", &["items", "tag", "marker"]),
        case("Wrapper<a::Key, 2>", &["items", "tag"]),
        case("Wrapper<b::Key, 2>", &["items", "tag"]),
        case("Wrapper<(u8, u16), 1>", &["items", "tag"]),
        case("Wrapper<[u16; 2], 0>", &["items", "tag", "marker"]),
        case("Wrapper<u64, 0>", &["items", "tag"]),
        case("[[u16; 3]; 5]", &[]),
        case("[[[u8; 2]; 3]; 4]", &[]),
        case("[Tuple3; 3]", &[]),
        case("CLayout", &["a", "b", "c", "d"]),
        case("Reordered", &["a", "b", "c", "d", "e"]),
        case("Packed", &["a", "b", "c", "d"]),
        case("Packed2", &["a", "b", "c"]),
        case("Aligned16", &["x", "y"]),
        case("HoldsAligned", &["a", "inner", "inner.y", "b"]),
        case("Tuple3", &["0", "1", "2"]),
        case("NewType", &["0"]),
        case("Unit", &[]),
        case("()", &[]),
        case("(u8, u32, u16)", &["0", "1", "2"]),
        case("(u64, (u8, u32), bool)", &["0", "1", "1.0", "1.1", "2"]),
        case(
            "Nested",
            &[
                "head", "pair", "pair.0", "pair.1", "inner", "inner.1", "grid",
            ],
        ),
        case(
            "Outer",
            &[
                "x",
                "nested",
                "nested.inner.2",
                "nested.pair.1",
                "keys",
                "keys.0.x",
                "keys.0.tag",
                "keys.1.y",
                "keys.1.flags",
            ],
        ),
        case("Zst", &["a", "p", "u", "e", "b", "unit"]),
        case(
            "Prims",
            &[
                "b", "c", "f", "d", "i8_", "u16_", "i32_", "u64_", "big", "sbig", "us", "is",
            ],
        ),
        case("E8", &[]),
        case("E64", &[]),
        case("Plain", &[]),
        case("NegDefault", &[]),
        case("E32", &[]),
        case("E16", &[]),
        case("E128", &[]),
        case("Empty", &[]),
        case("OneUnit", &[]),
        case("OneData", &[]),
        case("TwoEmpty", &[]),
        case("Option<Empty>", &[]),
        case("Enums", &["e8", "e64", "plain", "neg", "e32"]),
        case("Option<u32>", &[]),
        case("Result<u8, u64>", &[]),
        case("Shape", &[]),
        case("DataEnums", &["opt", "res", "shape", "tail"]),
        case("Un", &["a", "b", "c"]),
        case("GenUnion<u8>", &["t", "raw"]),
        case("GenUnion<[u32; 3]>", &["t", "raw"]),
        case("a::Key", &["x", "tag"]),
        case("b::Key", &["y", "flags"]),
        case("b::inner::Key", &["z"]),
        case("a::Same", &["v"]),
        case("b::Same", &["v"]),
        case("a::Gen<u32>", &["g", "n"]),
        case("b::Gen<u32>", &["g", "n"]),
        case("a::Gen<a::Key>", &["g", "g.x", "n"]),
        case("Pointers", &["p", "q", "f", "r", "s", "st", "d", "pp"]),
        case("*const u8", &[]),
        case("*mut CLayout", &[]),
        case("bool", &[]),
        case("char", &[]),
        case("f32", &[]),
        case("f64", &[]),
        case("u128", &[]),
        case("i128", &[]),
        case("PhantomData<a::Key>", &[]),
        case("[u8; 0]", &[]),
        case(LONG, &["0", "0.0.0.0.items", "0.0.0.0.tag"]),
        case("a_b::K", &["k"]),
        case("a2::b::K", &["k"]),
        case("a2_b::K", &["k"]),
        case("CData", &[]),
        case("Transparent", &["0", "1"]),
        case(
            "StdHolder",
            &[
                "v", "s", "b", "bs", "nz", "onz", "at", "cell", "dur", "ord", "flag",
            ],
        ),
        case("Vec<u32>", &[]),
        case("String", &[]),
        case("Box<[u8]>", &[]),
        case("Option<&'static u32>", &[]),
        case("Option<core::num::NonZeroU32>", &[]),
        case("core::sync::atomic::AtomicU64", &[]),
        case("core::time::Duration", &[]),
        case("core::cmp::Ordering", &[]),
        case("[bool; 7]", &[]),
        case("[u8; 1000000]", &[]),
    ];
    // SIMD vectors (DWARF: arrays flagged DW_AT_GNU_vector).
    if cfg!(target_arch = "x86_64") {
        v.push(case("Simd", &["a", "v", "f", "d"]));
    }
    v
}

/// Types that must get names different from each other (all structs).
const DISTINCT: &[&str] = &[
    "Wrapper<u8, 3>",
    "Wrapper<u32, 4>",
    "Wrapper<a::Key, 2>",
    "Wrapper<b::Key, 2>",
    "Wrapper<(u8, u16), 1>",
    "Wrapper<[u16; 2], 0>",
    "Wrapper<u64, 0>",
    "a::Key",
    "b::Key",
    "b::inner::Key",
    "a::Same",
    "b::Same",
    "a::Gen<u32>",
    "b::Gen<u32>",
    "a::Gen<a::Key>",
    "a_b::K",
    "a2::b::K",
    "a2_b::K",
];

/// The program: the items, one static per case, and a `main` that prints
/// the layout rustc chose.
fn program(cases: &[Case]) -> String {
    let mut src = String::from(ITEMS);
    for (n, c) in cases.iter().enumerate() {
        writeln!(
            src,
            "#[used] #[unsafe(no_mangle)] pub static mut ROOT_{n}: MaybeUninit<{}> = MaybeUninit::uninit();",
            c.ty
        )
        .unwrap();
    }
    src.push_str("fn main() {\n");
    for (n, c) in cases.iter().enumerate() {
        let ty = c.ty;
        // `println!("{{\"root\": n, ..., \"fields\": [[\"f\", {}], ...]}}", ...)`
        let mut fmt = format!(
            "{{{{\\\"root\\\": {n}, \\\"size\\\": {{}}, \\\"align\\\": {{}}, \\\"fields\\\": ["
        );
        let mut args = format!("core::mem::size_of::<{ty}>(), core::mem::align_of::<{ty}>()");
        for (i, f) in c.fields.iter().enumerate() {
            if i > 0 {
                fmt.push_str(", ");
            }
            write!(fmt, "[\\\"{f}\\\", {{}}]").unwrap();
            write!(args, ", core::mem::offset_of!({ty}, {f})").unwrap();
        }
        fmt.push_str("]}}");
        writeln!(src, "    println!(\"{fmt}\", {args});").unwrap();
        // Keep every static alive in the object.
        writeln!(
            src,
            "    unsafe {{ core::ptr::read_volatile(&raw const ROOT_{n} as *const u8); }}"
        )
        .unwrap();
    }
    src.push_str("}\n");
    src
}

/// What rustc says about one case.
#[derive(Debug)]
struct Truth {
    size: u64,
    fields: Vec<(String, u64)>,
}

fn parse_truth(stdout: &str, count: usize) -> Vec<Truth> {
    let mut out: Vec<Option<Truth>> = (0..count).map(|_| None).collect();
    for line in stdout.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let n = v["root"].as_u64().unwrap() as usize;
        let fields = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f[0].as_str().unwrap().to_string(), f[1].as_u64().unwrap()))
            .collect();
        out[n] = Some(Truth {
            size: v["size"].as_u64().unwrap(),
            fields,
        });
    }
    out.into_iter()
        .enumerate()
        .map(|(i, t)| t.unwrap_or_else(|| panic!("the program printed nothing for ROOT_{i}")))
        .collect()
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into())
}

fn is_c_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 127
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The named member `name` (Rust's tuple fields `0`, `1` are `__0`, `__1`
/// in DWARF) of the struct or union `id`: its type and byte offset.
fn member(btf: &Btf<'_>, id: u32, name: &str) -> Result<(u32, u64), String> {
    let id = btf.skip_mods_and_typedefs(id).map_err(|e| e.to_string())?;
    let t = btf.type_by_id(id).map_err(|e| e.to_string())?;
    if !matches!(t.kind(), Kind::Struct | Kind::Union) {
        return Err(format!(
            "type {id} is a {:?}, not a struct or union",
            t.kind()
        ));
    }
    let want = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("__{name}")
    } else {
        name.to_string()
    };
    for m in t.members() {
        if btf.str_at(m.name_off).map_err(|e| e.to_string())? == want {
            if m.bit_offset() % 8 != 0 {
                return Err(format!("member {want} at bit {}", m.bit_offset()));
            }
            return Ok((m.type_id, u64::from(m.bit_offset() / 8)));
        }
    }
    let names: Vec<String> = t
        .members()
        .map(|m| btf.str_at(m.name_off).unwrap_or_default().to_string())
        .collect();
    Err(format!(
        "{} (type {id}) has no member {want}; it has {names:?}",
        btf.name(&t).unwrap_or_default()
    ))
}

/// Whether the type holds (by value) an enum of other than 4 bytes: C
/// gives an enum the size its values need (4 bytes for small ones), and
/// the C dump, like libbpf 1.1's, writes no size for it, so C cannot lay
/// such a type out as Rust did.
fn holds_sized_enum(btf: &Btf<'_>, id: u32, depth: u32) -> bool {
    let Ok(id) = btf.skip_mods_and_typedefs(id) else {
        return false;
    };
    let Ok(t) = btf.type_by_id(id) else {
        return false;
    };
    match t.kind() {
        _ if depth > 16 => false,
        Kind::Enum | Kind::Enum64 => t.size() != 4,
        Kind::Array => holds_sized_enum(btf, t.array().unwrap().elem_type, depth + 1),
        Kind::Struct | Kind::Union => t
            .members()
            .any(|m| holds_sized_enum(btf, m.type_id, depth + 1)),
        _ => false,
    }
}

/// `T` of a `MaybeUninit<T>`: the union's `value`, a `ManuallyDrop<T>`,
/// which holds `T` either directly (`value`) or, in newer std, through a
/// one-field `MaybeDangling<T>`.
fn unwrap_maybe_uninit(btf: &Btf<'_>, id: u32) -> Result<u32, String> {
    let (mut t, _) = member(btf, id, "value")?;
    for _ in 0..4 {
        let ty = btf.type_by_id(t).map_err(|e| e.to_string())?;
        let name = btf.name(&ty).map_err(|e| e.to_string())?;
        // (Qualified with their path where two such names collide.)
        if !(name.contains("ManuallyDrop") || name.contains("MaybeDangling")) {
            break;
        }
        let only: Vec<_> = ty.members().collect();
        if only.len() != 1 {
            return Err(format!("{name} has {} members", only.len()));
        }
        t = only[0].type_id;
    }
    Ok(t)
}

#[test]
fn rust_layouts_survive_dwarf_to_btf() {
    let cases = cases();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("rust_layout_gen.rs");
    std::fs::write(&src, program(&cases)).unwrap();
    let obj = dir.path().join("rust_layout_gen.o");
    let exe = dir.path().join("rust_layout_gen");
    let out = match Command::new(rustc())
        .args([
            "-C",
            "debuginfo=2",
            "-C",
            "codegen-units=1",
            "--edition",
            "2021",
        ])
        .arg(format!(
            "--emit=obj={},link={}",
            obj.display(),
            exe.display()
        ))
        .arg(&src)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            kernel_btf::skip("dwarf_rust_layout", &format!("rustc not runnable: {e}"));
            return;
        }
    };
    assert!(
        out.status.success(),
        "rustc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    let truth = parse_truth(&String::from_utf8(run.stdout).unwrap(), cases.len());

    let data = std::fs::read(&obj).unwrap();
    let sections = DwarfSections::load(&data).unwrap();
    let requests: Vec<VariableRequest> = (0..cases.len())
        .map(|n| VariableRequest {
            object: 0,
            name: format!("ROOT_{n}"),
        })
        .collect();
    let converted = variable_types(&[sections], &requests, None)
        .unwrap_or_else(|(i, e)| panic!("object {i}: {e}"));
    let blob = converted.btf.encode(Endian::Little).unwrap();
    let btf = Btf::parse(&blob).unwrap();

    let mut problems = Vec::new();
    let mut type_of: HashMap<&str, u32> = HashMap::new();
    for ((c, t), &root) in cases.iter().zip(&truth).zip(&converted.type_ids) {
        let id = match unwrap_maybe_uninit(&btf, root) {
            Ok(id) => id,
            Err(e) => {
                problems.push(format!("{}: MaybeUninit<T> not found: {e}", c.ty));
                continue;
            }
        };
        type_of.insert(c.ty, id);
        match btf.resolve_size(id) {
            Ok(size) if size == t.size => {}
            Ok(size) => problems.push(format!("{}: BTF size {size}, size_of {}", c.ty, t.size)),
            Err(e) => problems.push(format!("{}: no BTF size: {e}", c.ty)),
        }
        for (path, want) in &t.fields {
            let mut at = id;
            let mut offset = 0;
            let mut failed = None;
            for part in path.split('.') {
                match member(&btf, at, part) {
                    Ok((ty, off)) => {
                        at = ty;
                        offset += off;
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match failed {
                Some(e) => problems.push(format!("{}.{path}: {e}", c.ty)),
                None if offset != *want => problems.push(format!(
                    "{}.{path}: BTF offset {offset}, offset_of {want}",
                    c.ty
                )),
                None => {}
            }
        }
    }

    // Names: valid C identifiers of at most 127 bytes, unique per C
    // namespace (tags; ordinary identifiers).
    let mut seen: BTreeMap<(bool, String), u32> = BTreeMap::new();
    for t in btf.types() {
        let name = btf.name(&t).unwrap().to_string();
        let tag_space = match t.kind() {
            Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64 | Kind::Fwd => true,
            Kind::Typedef => false,
            Kind::Int | Kind::Float => {
                assert!(!name.is_empty(), "type {} has no name", t.id());
                continue;
            }
            _ => continue,
        };
        if name.is_empty() {
            continue;
        }
        if !is_c_identifier(&name) {
            problems.push(format!(
                "type {}: `{name}` is not a C identifier of at most 127 bytes",
                t.id()
            ));
        }
        if let Some(other) = seen.insert((tag_space, name.clone()), t.id()) {
            problems.push(format!(
                "types {other} and {} are both named `{name}`",
                t.id()
            ));
        }
    }
    let mut distinct: HashMap<String, &str> = HashMap::new();
    for ty in DISTINCT {
        let Some(&id) = type_of.get(ty) else { continue };
        let name = btf.name(&btf.type_by_id(id).unwrap()).unwrap().to_string();
        if let Some(other) = distinct.insert(name.clone(), ty) {
            problems.push(format!("{other} and {ty} are both named `{name}`"));
        }
    }
    if let Some(&id) = type_of.get(LONG) {
        let name = btf.name(&btf.type_by_id(id).unwrap()).unwrap().to_string();
        assert!(name.starts_with("LongName"), "{LONG} is named `{name}`");
    }

    // Warnings: exactly what BTF cannot say.
    let expected: &[(&str, &str)] = &[
        ("carries data", "Option<u32>"),
        ("carries data", "Result<u8, u64>"),
        ("carries data", "Shape"),
        ("carries data", "OneData"),
        ("carries data", "CData"),
        ("carries data", "Option<&u32>"),
        // (`NonZero<u32>` by its std path, which moves between releases.)
        ("carries data", "Option<core::num::"),
        ("16 bytes is written as opaque", "E128"),
        ("`char`", ""),
    ];
    for w in &converted.warnings {
        if !expected
            .iter()
            .any(|(what, ty)| w.contains(what) && w.contains(ty))
        {
            problems.push(format!("unexpected warning: {w}"));
        }
    }
    for (what, ty) in expected {
        if !converted
            .warnings
            .iter()
            .any(|w| w.contains(what) && w.contains(ty))
        {
            problems.push(format!("missing warning: {what} {ty}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}\nwarnings:\n{}",
        problems.len(),
        problems.join("\n"),
        converted.warnings.join("\n")
    );

    // The C a BPF program would include compiles: names are identifiers,
    // unique, and every type is complete where it is used.
    let mut header = Vec::new();
    bpfc::btf::dump::c::dump_c(&btf, &mut header).unwrap();
    let h = dir.path().join("types.h");
    std::fs::write(&h, &header).unwrap();
    let c = dir.path().join("use.c");
    // ... and clang lays every named struct and union out as rustc did
    // (but those holding an enum C cannot size).
    let mut use_c = String::from("#include \"types.h\"\n");
    for (c, t) in cases.iter().zip(&truth) {
        let Some(&id) = type_of.get(c.ty) else {
            continue;
        };
        let ty = btf.type_by_id(id).unwrap();
        let kind = match ty.kind() {
            Kind::Struct => "struct",
            Kind::Union => "union",
            _ => continue,
        };
        let name = btf.name(&ty).unwrap();
        if name.is_empty() || holds_sized_enum(&btf, id, 0) {
            continue;
        }
        let what = format!("{kind} {name}");
        writeln!(
            use_c,
            "_Static_assert(sizeof({what}) == {}, \"sizeof {}\");",
            t.size, c.ty
        )
        .unwrap();
        for (path, off) in &t.fields {
            if path.contains('.') {
                continue;
            }
            let member = if path.starts_with(|ch: char| ch.is_ascii_digit()) {
                format!("__{path}")
            } else {
                path.clone()
            };
            writeln!(
                use_c,
                "_Static_assert(__builtin_offsetof({what}, {member}) == {off}, \"offset of {}.{path}\");",
                c.ty
            )
            .unwrap();
        }
    }
    std::fs::write(&c, use_c).unwrap();
    match Command::new("clang-19")
        .args(["-target", "bpf", "-fsyntax-only"])
        .arg(&c)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "the C dump does not compile:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => kernel_btf::skip("dwarf_rust_layout", &format!("clang-19 not runnable: {e}")),
    }

    if kernel_btf::kernel_available("dwarf_rust_layout") {
        if let Err(e) = bpfc::sys::btf_load(&blob, bpfc::sys::LogLevel::BASIC) {
            panic!("the kernel refuses the BTF: {e}\n{}", e.log);
        }
    }
}
