//! Hostile DWARF: broken input gives a typed [`DwarfError`] naming the DIE
//! or section, never a panic or a hang.
//!
//! - Mutation: a C object (clang-19 -g, host, with `.rela.debug_*`) and a
//!   Rust object (rustc -C debuginfo=2) get bytes flipped and overwritten
//!   inside their debug and relocation sections, and are cut short, with a
//!   seeded generator; `btf_from_elf` (funcs and vars) and `variable_types`
//!   run on every mutant under `catch_unwind`, on a worker thread that must
//!   keep making progress.
//! - Crafted: hand-assembled DWARF 4 in a minimal ELF64, one rule broken
//!   per case, each asserting the error variant and the DIE or section it
//!   names.

use bpfc::dwarf::{
    btf_from_elf, variable_types, DwarfError, DwarfSections, FromDwarfOptions, VariableRequest,
};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "common/skip.rs"]
mod skip_rule;

const ALL: FromDwarfOptions = FromDwarfOptions {
    funcs: true,
    vars: true,
};

// ---------------------------------------------------------------- ELF64

const SHT_PROGBITS: u32 = 1;
const SHT_STRTAB: u32 = 3;
const SHF_COMPRESSED: u64 = 0x800;

/// A section of [`elf`]: name, type, flags, contents.
struct Section {
    name: &'static str,
    sh_type: u32,
    flags: u64,
    data: Vec<u8>,
}

fn progbits(name: &'static str, data: Vec<u8>) -> Section {
    Section {
        name,
        sh_type: SHT_PROGBITS,
        flags: 0,
        data,
    }
}

/// A little-endian x86-64 relocatable ELF64 holding `sections` (and a
/// `.shstrtab`), nothing else.
fn elf(sections: &[Section]) -> Vec<u8> {
    let mut shstrtab = vec![0u8];
    let mut names = Vec::new();
    for s in sections.iter().map(|s| s.name).chain([".shstrtab"]) {
        names.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(s.as_bytes());
        shstrtab.push(0);
    }
    let mut out = vec![0u8; 64];
    let mut placed = Vec::new();
    let contents = sections
        .iter()
        .map(|s| (s.sh_type, s.flags, &s.data[..]))
        .chain([(SHT_STRTAB, 0, &shstrtab[..])]);
    for (sh_type, flags, data) in contents {
        while out.len() % 8 != 0 {
            out.push(0);
        }
        placed.push((sh_type, flags, out.len() as u64, data.len() as u64));
        out.extend_from_slice(data);
    }
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let shoff = out.len() as u64;
    out.extend_from_slice(&[0u8; 64]); // the null section
    for (i, (sh_type, flags, offset, size)) in placed.iter().enumerate() {
        out.extend_from_slice(&names[i].to_le_bytes());
        out.extend_from_slice(&sh_type.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // addr
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // link
        out.extend_from_slice(&0u32.to_le_bytes()); // info
        out.extend_from_slice(&1u64.to_le_bytes()); // addralign
        out.extend_from_slice(&0u64.to_le_bytes()); // entsize
    }
    let shnum = placed.len() as u16 + 1;
    let h = &mut out[..64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // ELFCLASS64
    h[5] = 1; // little endian
    h[6] = 1; // EV_CURRENT
    h[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
    h[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[40..48].copy_from_slice(&shoff.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    h[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    h[60..62].copy_from_slice(&shnum.to_le_bytes());
    h[62..64].copy_from_slice(&(shnum - 1).to_le_bytes()); // e_shstrndx
    out
}

// ---------------------------------------------------------------- DWARF

// The constants this file writes (DWARF 4).
const DW_TAG_ARRAY: u64 = 0x01;
const DW_TAG_MEMBER: u64 = 0x0d;
const DW_TAG_STRUCT: u64 = 0x13;
const DW_TAG_TYPEDEF: u64 = 0x16;
const DW_TAG_SUBRANGE: u64 = 0x21;
const DW_TAG_BASE: u64 = 0x24;
const DW_TAG_CU: u64 = 0x11;
const DW_TAG_VARIABLE: u64 = 0x34;
const DW_AT_NAME: u64 = 0x03;
const DW_AT_BYTE_SIZE: u64 = 0x0b;
const DW_AT_LANGUAGE: u64 = 0x13;
const DW_AT_COUNT: u64 = 0x37;
const DW_AT_MEMBER_LOCATION: u64 = 0x38;
const DW_AT_ENCODING: u64 = 0x3e;
const DW_AT_TYPE: u64 = 0x49;
const DW_FORM_DATA8: u64 = 0x07;
const DW_FORM_STRING: u64 = 0x08;
const DW_FORM_DATA1: u64 = 0x0b;
const DW_FORM_REF4: u64 = 0x13;

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Abbreviation codes of [`abbrevs`].
mod code {
    pub const CU: u64 = 1;
    pub const BASE: u64 = 2;
    pub const TYPEDEF: u64 = 3;
    pub const STRUCT: u64 = 4;
    pub const MEMBER: u64 = 5;
    pub const ARRAY: u64 = 6;
    pub const SUBRANGE: u64 = 7;
    pub const VARIABLE: u64 = 8;
    /// A base type whose name has an unknown form.
    pub const BAD_FORM: u64 = 9;
    /// A subrange with a DW_FORM_udata upper bound.
    pub const SUBRANGE_UPPER: u64 = 10;
    /// A DWARF 2/3 bitfield member: byte size, bit size, bit offset, byte
    /// location (all data8 but the bit size).
    pub const BITFIELD: u64 = 11;
    /// A pointer type.
    pub const PTR: u64 = 12;
}

/// The abbreviation table every crafted unit uses; `bad_form` is the
/// form [`code::BAD_FORM`] gives its name.
fn abbrevs(bad_form: u64) -> Vec<u8> {
    // (code, tag, has children, [(attribute, form)])
    type Abbrev<'a> = (u64, u64, bool, &'a [(u64, u64)]);
    let table: &[Abbrev<'_>] = &[
        (
            code::CU,
            DW_TAG_CU,
            true,
            &[
                (DW_AT_NAME, DW_FORM_STRING),
                (DW_AT_LANGUAGE, DW_FORM_DATA1),
            ],
        ),
        (
            code::BASE,
            DW_TAG_BASE,
            false,
            &[
                (DW_AT_NAME, DW_FORM_STRING),
                (DW_AT_ENCODING, DW_FORM_DATA1),
                (DW_AT_BYTE_SIZE, DW_FORM_DATA1),
            ],
        ),
        (
            code::TYPEDEF,
            DW_TAG_TYPEDEF,
            false,
            &[(DW_AT_NAME, DW_FORM_STRING), (DW_AT_TYPE, DW_FORM_REF4)],
        ),
        (
            code::STRUCT,
            DW_TAG_STRUCT,
            true,
            &[
                (DW_AT_NAME, DW_FORM_STRING),
                (DW_AT_BYTE_SIZE, DW_FORM_DATA8),
            ],
        ),
        (
            code::MEMBER,
            DW_TAG_MEMBER,
            false,
            &[
                (DW_AT_NAME, DW_FORM_STRING),
                (DW_AT_TYPE, DW_FORM_REF4),
                (DW_AT_MEMBER_LOCATION, DW_FORM_DATA1),
            ],
        ),
        (
            code::ARRAY,
            DW_TAG_ARRAY,
            true,
            &[(DW_AT_TYPE, DW_FORM_REF4)],
        ),
        (
            code::SUBRANGE,
            DW_TAG_SUBRANGE,
            false,
            &[(DW_AT_COUNT, DW_FORM_DATA8)],
        ),
        (
            code::VARIABLE,
            DW_TAG_VARIABLE,
            false,
            &[(DW_AT_NAME, DW_FORM_STRING), (DW_AT_TYPE, DW_FORM_REF4)],
        ),
        (
            code::SUBRANGE_UPPER,
            DW_TAG_SUBRANGE,
            false,
            &[(0x2f, 0x0f)], // DW_AT_upper_bound, DW_FORM_udata
        ),
        (
            code::BITFIELD,
            DW_TAG_MEMBER,
            false,
            &[
                (DW_AT_NAME, DW_FORM_STRING),
                (DW_AT_TYPE, DW_FORM_REF4),
                (DW_AT_BYTE_SIZE, DW_FORM_DATA8),
                (0x0d, DW_FORM_DATA1), // DW_AT_bit_size
                (0x0c, DW_FORM_DATA8), // DW_AT_bit_offset
                (DW_AT_MEMBER_LOCATION, DW_FORM_DATA8),
            ],
        ),
        (code::PTR, 0x0f, false, &[(DW_AT_TYPE, DW_FORM_REF4)]),
        (
            code::BAD_FORM,
            DW_TAG_BASE,
            false,
            &[(DW_AT_NAME, bad_form), (DW_AT_BYTE_SIZE, DW_FORM_DATA1)],
        ),
    ];
    let mut out = Vec::new();
    for (code, tag, children, attrs) in table {
        uleb(&mut out, *code);
        uleb(&mut out, *tag);
        out.push(u8::from(*children));
        for (at, form) in *attrs {
            uleb(&mut out, *at);
            uleb(&mut out, *form);
        }
        out.extend_from_slice(&[0, 0]);
    }
    out.push(0);
    out
}

/// A DWARF 4 unit being written; offsets are unit-relative, which is also
/// their `.debug_info` offset (the unit is the section's first).
struct Unit {
    bytes: Vec<u8>,
}

impl Unit {
    const HEADER: usize = 11;

    /// A unit whose root is a C compile unit (left open: end with
    /// [`Unit::finish`]).
    fn new() -> Unit {
        let mut u = Unit {
            bytes: vec![0; Self::HEADER],
        };
        u.die(code::CU);
        u.string("crafted.c");
        u.bytes.push(0x0c); // DW_LANG_C99
        u
    }

    /// Starts a DIE; returns its offset.
    fn die(&mut self, code: u64) -> usize {
        let at = self.bytes.len();
        uleb(&mut self.bytes, code);
        at
    }

    fn string(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
    }

    fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    fn ref4(&mut self, offset: usize) {
        self.bytes.extend_from_slice(&(offset as u32).to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    /// Ends the children of the last DIE that has them.
    fn end_children(&mut self) {
        self.bytes.push(0);
    }

    fn int(&mut self) -> usize {
        let at = self.die(code::BASE);
        self.string("int");
        self.u8(0x05); // DW_ATE_signed
        self.u8(4);
        at
    }

    /// The `.debug_info` contents: the CU's children closed, the header
    /// filled in.
    fn finish(mut self) -> Vec<u8> {
        self.end_children();
        let len = (self.bytes.len() - 4) as u32;
        self.bytes[..4].copy_from_slice(&len.to_le_bytes());
        self.bytes[4..6].copy_from_slice(&4u16.to_le_bytes());
        self.bytes[6..10].copy_from_slice(&0u32.to_le_bytes()); // abbrev offset
        self.bytes[10] = 8; // address size
        self.bytes
    }
}

fn object(info: Vec<u8>, abbrev: Vec<u8>) -> Vec<u8> {
    elf(&[
        progbits(".debug_abbrev", abbrev),
        progbits(".debug_info", info),
    ])
}

/// The error of converting `data` as a whole, and of `variable_types` for
/// `variable` when given.
fn convert_err(data: &[u8], variable: Option<&str>) -> DwarfError {
    let whole = btf_from_elf(data, &ALL).expect_err("the crafted DWARF is refused");
    if let Some(name) = variable {
        let sections = DwarfSections::load(data).unwrap();
        let (_, err) = variable_types(
            &[sections],
            &[VariableRequest {
                object: 0,
                name: name.into(),
            }],
            None,
        )
        .expect_err("the crafted DWARF is refused");
        assert_eq!(err, whole, "both entry points give the same error");
    }
    whole
}

/// Asserts `err` is `DwarfError::Die` at `die` whose message contains
/// `needle`, and that its text names the offset.
fn assert_die(err: &DwarfError, die: usize, needle: &str) {
    match err {
        DwarfError::Die { die: at, msg } => {
            assert_eq!(*at, die, "{err}");
            assert!(msg.contains(needle), "{err}");
        }
        other => panic!("want DwarfError::Die at {die:#x}, got {other:?}"),
    }
    assert!(err.to_string().contains(&format!("{die:#x}")), "{err}");
}

#[test]
fn typedef_of_itself() {
    let mut u = Unit::new();
    u.int();
    let at = u.die(code::TYPEDEF);
    u.string("loop_t");
    u.ref4(at);
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(at);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, Some("v")), at, "contains itself");
}

#[test]
fn struct_holding_itself_by_value() {
    let mut u = Unit::new();
    let at = u.die(code::STRUCT);
    u.string("S");
    u.u64(8);
    u.die(code::MEMBER);
    u.string("s");
    u.ref4(at);
    u.u8(0);
    u.end_children();
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(at);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, Some("v")), at, "contains itself");
}

#[test]
fn type_reference_past_the_end() {
    for target in [0x1000usize, 0x7fff_ffff, 0xffff_ffff] {
        let mut u = Unit::new();
        let at = u.die(code::TYPEDEF);
        u.string("dangling_t");
        u.ref4(target);
        u.die(code::VARIABLE);
        u.string("v");
        u.ref4(at);
        let data = object(u.finish(), abbrevs(DW_FORM_STRING));
        // The DIE that holds the reference is named, and where it points.
        let err = convert_err(&data, Some("v"));
        assert_die(&err, at, "outside");
        assert!(err.to_string().contains(&format!("{target:#x}")), "{err}");
    }
}

#[test]
fn array_of_two_to_the_forty() {
    let mut u = Unit::new();
    let int = u.int();
    let array = u.die(code::ARRAY);
    u.ref4(int);
    let sub = u.die(code::SUBRANGE);
    u.u64(1 << 40);
    u.end_children();
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(array);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(
        &convert_err(&data, Some("v")),
        sub,
        "1099511627776 elements",
    );
}

/// `DW_AT_upper_bound` of u64::MAX in DW_FORM_udata (which is no
/// signed -1) once overflowed `upper + 1`.
#[test]
fn upper_bound_of_u64_max() {
    let mut u = Unit::new();
    let int = u.int();
    let array = u.die(code::ARRAY);
    u.ref4(int);
    let sub = u.die(code::SUBRANGE_UPPER);
    uleb(&mut u.bytes, u64::MAX);
    u.end_children();
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(array);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, Some("v")), sub, "does not fit");
}

/// DWARF 2/3 bitfields (`DW_AT_bit_offset` from the storage unit's most
/// significant bit) with hostile numbers once overflowed.
#[test]
fn dwarf3_bitfield_out_of_range() {
    for (storage, bits, from_msb, location) in [
        (u64::MAX, 3, 0, 0),
        (4, 3, u64::MAX, 0),
        (4, 3, u64::MAX - 1, 0),
        (4, 3, 0, u64::MAX),
        (4, 3, 30, 0),
    ] {
        let mut u = Unit::new();
        let int = u.int();
        let s = u.die(code::STRUCT);
        u.string("B");
        u.u64(4);
        let m = u.die(code::BITFIELD);
        u.string("f");
        u.ref4(int);
        u.u64(storage);
        u.u8(bits);
        u.u64(from_msb);
        u.u64(location);
        u.end_children();
        u.die(code::VARIABLE);
        u.string("v");
        u.ref4(s);
        let data = object(u.finish(), abbrevs(DW_FORM_STRING));
        let err = convert_err(&data, Some("v"));
        assert_die(&err, m, "bit");
    }
}

#[test]
fn byte_size_of_two_to_the_forty() {
    let mut u = Unit::new();
    let at = u.die(code::STRUCT);
    u.string("Huge");
    u.u64(1 << 40);
    u.end_children();
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(at);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, Some("v")), at, "1099511627776");
}

#[test]
fn unknown_form() {
    let mut u = Unit::new();
    u.int();
    let at = u.die(code::BAD_FORM);
    u.string("odd");
    u.u8(4);
    let data = object(u.finish(), abbrevs(0x7e));
    let err = convert_err(&data, None);
    assert_die(&err, at, "unknown `DW_FORM_*`");
}

#[test]
fn truncated_abbrev_table() {
    let mut u = Unit::new();
    let int = u.int();
    u.die(code::VARIABLE);
    u.string("v");
    u.ref4(int);
    let info = u.finish();
    let full = abbrevs(DW_FORM_STRING);
    // Cut inside the compile unit's own abbreviation, and inside later ones.
    for cut in [3, 7, full.len() / 2, full.len() - 3] {
        let data = object(info.clone(), full[..cut].to_vec());
        let err = btf_from_elf(&data, &ALL).expect_err("a cut abbrev table is refused");
        assert!(
            matches!(
                err,
                DwarfError::Unit { unit: 0, .. } | DwarfError::Die { .. }
            ),
            "cut at {cut}: {err:?}"
        );
        assert!(err.to_string().contains(".debug_"), "{err}");
    }
}

#[test]
fn compressed_section_claiming_100_gib() {
    let mut u = Unit::new();
    u.int();
    let info = u.finish();
    let mut compressed = Vec::new();
    compressed.extend_from_slice(&1u32.to_le_bytes()); // ELFCOMPRESS_ZLIB
    compressed.extend_from_slice(&0u32.to_le_bytes());
    compressed.extend_from_slice(&(100u64 << 30).to_le_bytes());
    compressed.extend_from_slice(&1u64.to_le_bytes());
    // A zlib stream of the real contents (stored, uncompressed blocks).
    compressed.extend_from_slice(&zlib_stored(&info));
    let data = elf(&[
        progbits(".debug_abbrev", abbrevs(DW_FORM_STRING)),
        Section {
            name: ".debug_info",
            sh_type: SHT_PROGBITS,
            flags: SHF_COMPRESSED,
            data: compressed.clone(),
        },
    ]);
    let start = Instant::now();
    let err = btf_from_elf(&data, &ALL).expect_err("100 GiB is refused");
    assert!(start.elapsed() < Duration::from_secs(2));
    match &err {
        DwarfError::BadCompression { section, size, .. } => {
            assert_eq!(section, ".debug_info");
            assert_eq!(*size, 100 << 30);
        }
        other => panic!("want BadCompression, got {other:?}"),
    }
    // The same stream with an honest size inflates and converts.
    compressed[8..16].copy_from_slice(&(info.len() as u64).to_le_bytes());
    let data = elf(&[
        progbits(".debug_abbrev", abbrevs(DW_FORM_STRING)),
        Section {
            name: ".debug_info",
            sh_type: SHT_PROGBITS,
            flags: SHF_COMPRESSED,
            data: compressed,
        },
    ]);
    btf_from_elf(&data, &ALL).expect("an honest header converts");
}

/// `data` as a zlib stream of stored blocks (no compression needed).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = data.chunks(0xffff).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

// ---------------------------------------------------------------- mutation

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A fixture: its bytes, the file ranges of the sections worth breaking,
/// and its variables with ELF symbols.
struct Fixture {
    name: String,
    data: Vec<u8>,
    targets: Vec<(String, std::ops::Range<usize>)>,
    /// The file offset of each target's section header.
    headers: Vec<usize>,
    little: bool,
    variables: Vec<String>,
}

impl Fixture {
    fn new(name: &str, data: Vec<u8>) -> Fixture {
        let elf = goblin::elf::Elf::parse(&data).unwrap();
        let little = elf.little_endian;
        let mut targets = Vec::new();
        let mut headers = Vec::new();
        for (index, shdr) in elf.section_headers.iter().enumerate() {
            let sname = elf.shdr_strtab.get_at(shdr.sh_name).unwrap_or("");
            if sname.contains(".debug_") && shdr.sh_type != goblin::elf::section_header::SHT_NOBITS
            {
                let start = shdr.sh_offset as usize;
                targets.push((sname.to_string(), start..start + shdr.sh_size as usize));
                headers.push(elf.header.e_shoff as usize + index * 64);
            }
        }
        let mut variables: Vec<String> = elf
            .syms
            .iter()
            .filter(|s| s.st_type() == goblin::elf::sym::STT_OBJECT && s.st_shndx != 0)
            .filter_map(|s| elf.strtab.get_at(s.st_name).map(str::to_string))
            .filter(|n| !n.is_empty())
            .collect();
        variables.sort();
        variables.dedup();
        for wanted in [".debug_info", ".debug_abbrev", ".debug_str"] {
            assert!(
                targets.iter().any(|(n, _)| n == wanted),
                "{name} has {wanted}"
            );
        }
        assert!(
            targets.iter().any(|(n, _)| n.starts_with(".rel")),
            "{name} has debug relocations"
        );
        assert!(!variables.is_empty(), "{name} has variables");
        btf_from_elf(&data, &ALL).unwrap_or_else(|e| panic!("{name} converts: {e}"));
        Fixture {
            name: name.into(),
            data,
            targets,
            headers,
            little,
            variables,
        }
    }
}

/// Runs everything a build and `btf from-dwarf` do with one object.
fn exercise(data: &[u8], variables: &[String]) {
    if let Ok(c) = btf_from_elf(data, &ALL) {
        let _ = c.btf.encode(bpfc::bytes::Endian::Little);
    }
    if let Ok(sections) = DwarfSections::load(data) {
        let requests: Vec<VariableRequest> = variables
            .iter()
            .map(|name| VariableRequest {
                object: 0,
                name: name.clone(),
            })
            .collect();
        if let Ok(v) = variable_types(&[sections], &requests, Some("__bpfc")) {
            let _ = v.btf.encode(bpfc::bytes::Endian::Little);
        }
    }
}

/// One mutant of `f`: one to eight bytes or words flipped or overwritten
/// inside one debug section (`.debug_info` most often, then
/// `.debug_abbrev`, `.debug_str`, a relocation section, any other), or a
/// debug section cut short (its `sh_size`), or the file cut short.
fn mutate(f: &Fixture, rng: &mut Rng) -> Vec<u8> {
    let mut bad = f.data.clone();
    let pick = |rng: &mut Rng, pred: &dyn Fn(&str) -> bool| -> usize {
        let found: Vec<usize> = (0..f.targets.len())
            .filter(|&i| pred(&f.targets[i].0))
            .collect();
        found[rng.below(found.len())]
    };
    let target = match rng.below(20) {
        0..=6 => pick(rng, &|n| n == ".debug_info"),
        7..=10 => pick(rng, &|n| n == ".debug_abbrev"),
        11..=12 => pick(rng, &|n| n == ".debug_str"),
        13..=14 => pick(rng, &|n| n.starts_with(".rel")),
        15..=16 => pick(rng, &|_| true),
        17..=18 => {
            // Cut a section short through its header's sh_size.
            let i = pick(rng, &|_| true);
            let (header, range) = (f.headers[i], &f.targets[i].1);
            let size = rng.below(range.len()) as u64;
            let size = if f.little {
                size.to_le_bytes()
            } else {
                size.to_be_bytes()
            };
            bad[header + 32..header + 40].copy_from_slice(&size);
            return bad;
        }
        _ => {
            bad.truncate(rng.below(bad.len()));
            return bad;
        }
    };
    let range = f.targets[target].1.clone();
    if range.is_empty() {
        return bad;
    }
    let words: [u32; 8] = [
        0,
        1,
        0x7f,
        0x80,
        0xffff,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
    ];
    for _ in 0..1 + rng.below(8) {
        let at = range.start + rng.below(range.len());
        match rng.below(5) {
            0 => bad[at] ^= 1 << rng.below(8),
            1 => bad[at] = rng.next() as u8,
            2 => bad[at] = [0, 0xff, 0x7f, 0x80][rng.below(4)],
            _ => {
                let w = words[rng.below(words.len())].to_le_bytes();
                let end = (at + 4).min(range.end);
                bad[at..end].copy_from_slice(&w[..end - at]);
            }
        }
    }
    bad
}

/// A C fixture of testdata/btf_c compiled by `compiler` with `args`.
fn c_fixture(dir: &Path, compiler: &str, args: &[&str], file: &str) -> Option<Fixture> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/btf_c")
        .join(file);
    let obj = dir.join(format!("{compiler}-{}.o", args.join("")));
    match Command::new(compiler)
        .args(args)
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
    {
        Ok(s) => assert!(s.success(), "{compiler} {args:?} {file} failed"),
        Err(e) => {
            skip_rule::skip(&format!("{compiler} not runnable: {e}"));
            return None;
        }
    }
    Some(Fixture::new(
        &format!("{file} ({compiler} {})", args.join(" ")),
        std::fs::read(&obj).unwrap(),
    ))
}

/// clang's DWARF 5 (host: RELA), gcc's DWARF 3 (`DW_AT_bit_offset`
/// bitfields), clang's big-endian BPF object (REL), and rustc's DWARF.
fn compile_fixtures(dir: &Path) -> Option<Vec<Fixture>> {
    let mut fixtures = vec![
        c_fixture(dir, "clang-19", &["-g", "-O0"], "typedefs.c")?,
        c_fixture(dir, "gcc", &["-gdwarf-3", "-O0"], "bitfields.c")?,
        c_fixture(
            dir,
            "clang-19",
            &["-g", "-O2", "-target", "bpfeb"],
            "bitfields.c",
        )?,
    ];
    let rs_src = dir.join("hostile_fixture.rs");
    std::fs::write(
        &rs_src,
        r#"
#![allow(dead_code)]
pub mod a { #[derive(Clone, Copy)] pub struct Key { pub x: u32, pub t: (u8, u16) } }
pub struct Wrapper<T, const N: usize> { pub items: [T; N], pub tag: Option<u32> }
#[repr(u8)] pub enum E { A = 1, B = 2 }
pub struct Value { pub k: a::Key, pub w: Wrapper<a::Key, 2>, pub e: E, pub c: char, pub p: *const Value, pub s: &'static str }
#[used] #[unsafe(no_mangle)] pub static mut ROOT_KEY: core::mem::MaybeUninit<a::Key> = core::mem::MaybeUninit::uninit();
#[used] #[unsafe(no_mangle)] pub static mut ROOT_VALUE: core::mem::MaybeUninit<Value> = core::mem::MaybeUninit::uninit();
"#,
    )
    .unwrap();
    let rs_obj = dir.join("rs.o");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    match Command::new(rustc)
        .args([
            "-C",
            "debuginfo=2",
            "-C",
            "codegen-units=1",
            "--edition",
            "2021",
        ])
        .args(["--crate-type=lib", "--crate-name=hostile_fixture"])
        .arg(format!("--emit=obj={}", rs_obj.display()))
        .arg(&rs_src)
        .status()
    {
        Ok(s) => assert!(s.success(), "rustc failed"),
        Err(e) => {
            skip_rule::skip(&format!("rustc not runnable: {e}"));
            return None;
        }
    }
    fixtures.push(Fixture::new(
        "hostile_fixture.rs",
        std::fs::read(&rs_obj).unwrap(),
    ));
    Some(fixtures)
}

/// Mutants per fixture (`BPFC_DWARF_MUTANTS` for longer hunts) and the
/// seed (`BPFC_DWARF_SEED`).
fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_dwarf_never_panics_or_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fixtures) = compile_fixtures(dir.path()) else {
        return;
    };
    let iters = knob("BPFC_DWARF_MUTANTS", 1000) as usize;
    let seed = knob("BPFC_DWARF_SEED", 0x5eed);
    let progress = Arc::new(AtomicUsize::new(0));
    let worker = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            let mut failures = Vec::new();
            for (fi, f) in fixtures.iter().enumerate() {
                for i in 0..iters {
                    // One seed per case, so a failure is replayed alone.
                    let case_seed = (seed ^ ((fi as u64) << 48) ^ (i as u64 + 1))
                        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                        | 1;
                    let mut rng = Rng(case_seed);
                    let bad = mutate(f, &mut rng);
                    let run = std::panic::catch_unwind(|| exercise(&bad, &f.variables));
                    if run.is_err() {
                        let out =
                            std::env::temp_dir().join(format!("bpfc-dwarf-hostile-{fi}-{i}.o"));
                        std::fs::write(&out, &bad).unwrap();
                        failures.push(format!(
                            "{} case {i} (seed {seed:#x}, case seed {case_seed:#x}): panicked; input in {}",
                            f.name,
                            out.display()
                        ));
                    }
                    progress.store(fi * iters + i + 1, Ordering::Relaxed);
                }
            }
            failures
        })
    };
    let mut last = (0, Instant::now());
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
        let now = progress.load(Ordering::Relaxed);
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(10) {
            panic!(
                "case {} (fixture {}, seed {seed:#x}) has run for 10 s: a hang",
                now % iters,
                now / iters
            );
        }
    }
    let failures = worker.join().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Reading a type's children walks its subtree, so nesting is bounded
/// (256): a chain of nested structs once took quadratic time (8,000 deep:
/// 5 s; 100,000: many minutes). Deeper nesting is an error at the first DIE
/// too deep; nesting up to the bound, however often, converts quickly.
#[test]
fn deep_nesting_is_bounded() {
    let nest = |u: &mut Unit, n: usize| -> Vec<usize> {
        let offsets = (0..n)
            .map(|_| {
                let at = u.die(code::STRUCT);
                u.string("S");
                u.u64(8);
                at
            })
            .collect();
        for _ in 0..n {
            u.end_children();
        }
        offsets
    };
    let mut u = Unit::new();
    let offsets = nest(&mut u, 20_000);
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    let start = Instant::now();
    let err = btf_from_elf(&data, &ALL).expect_err("20,000 nested structs are refused");
    assert_die(&err, offsets[256], "nested more than 256 deep");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );

    let mut u = Unit::new();
    for _ in 0..100 {
        nest(&mut u, 255);
    }
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    let start = Instant::now();
    btf_from_elf(&data, &ALL).expect("nesting within the bound converts");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

/// The peak resident set of this process, in bytes (0 where unknown).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Thousands of section headers that all name `.debug_str` (1 MiB) and
/// each have a relocation section once made as many copies of it (and
/// matched every section against every other): 3,000 headers were 3 GiB.
/// Only the first section of a name the reader uses is read now.
#[test]
fn many_headers_for_one_section() {
    let mut u = Unit::new();
    u.int();
    let info = u.finish();
    let mut data = elf(&[
        progbits(".debug_abbrev", abbrevs(DW_FORM_STRING)),
        progbits(".debug_info", info),
        progbits(".debug_str", vec![b'x'; 1 << 20]),
        progbits(".debug_aranges", vec![0; 64]),
    ]);
    let shoff = u64::from_le_bytes(data[40..48].try_into().unwrap()) as usize;
    let shnum = u16::from_le_bytes(data[60..62].try_into().unwrap()) as usize;
    let shstrndx = u16::from_le_bytes(data[62..64].try_into().unwrap());
    // Section headers: null, abbrev, info, str, aranges, shstrtab.
    let str_header = data[shoff + 3 * 64..shoff + 4 * 64].to_vec();
    let mut extra = Vec::new();
    let copies = 3_000usize;
    for i in 0..copies {
        extra.extend_from_slice(&str_header);
        // A RELA section for it (no entries) and for .debug_aranges (a
        // relocation at an offset outside the section, which is not read).
        let mut rela = str_header.clone();
        rela[4..8].copy_from_slice(&4u32.to_le_bytes()); // SHT_RELA
        rela[32..40].copy_from_slice(&0u64.to_le_bytes()); // size
        rela[44..48].copy_from_slice(&((shnum + 2 * i) as u32).to_le_bytes());
        extra.extend_from_slice(&rela);
    }
    // Move the shstrtab header last (e_shstrndx stays valid) by appending
    // the extra headers after the existing ones.
    data.truncate(shoff + shnum * 64);
    data.extend_from_slice(&extra);
    let total = (shnum + 2 * copies) as u16;
    data[60..62].copy_from_slice(&total.to_le_bytes());
    data[62..64].copy_from_slice(&shstrndx.to_le_bytes());
    let before = peak_rss();
    let start = Instant::now();
    btf_from_elf(&data, &ALL).expect("the first .debug_str is read");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 256 << 20, "the peak RSS grew by {grown} bytes");

    // A relocation of .debug_aranges, which is not read, breaks nothing.
    let aranges = shoff + 4 * 64;
    let mut rela = data[aranges..aranges + 64].to_vec();
    rela[4..8].copy_from_slice(&4u32.to_le_bytes());
    rela[24..32].copy_from_slice(&0u64.to_le_bytes()); // offset 0: the ELF header
    rela[32..40].copy_from_slice(&24u64.to_le_bytes()); // one entry
    rela[44..48].copy_from_slice(&4u32.to_le_bytes()); // for .debug_aranges
    let last = data.len() - 64;
    data[last..].copy_from_slice(&rela);
    btf_from_elf(&data, &ALL).expect("a bad relocation of an unread section is ignored");
}

/// Dedup once cost a full pass over the graph per refinement round, and a
/// chain of n pointers whose ends differ needs n rounds: two chains of
/// 4,000 took 3 s (100,000: many minutes). Now 20,000 take milliseconds,
/// the chains stay apart, and chains that end alike merge.
#[test]
fn long_pointer_chains_dedup_in_linear_time() {
    let n = 20_000;
    for same_end in [false, true] {
        let mut u = Unit::new();
        let int = u.int();
        let other = if same_end {
            u.int()
        } else {
            let at = u.die(code::BASE);
            u.string("char");
            u.u8(0x06); // DW_ATE_signed_char
            u.u8(1);
            at
        };
        for base in [int, other] {
            let mut prev = base;
            for _ in 0..n {
                let at = u.die(code::PTR);
                u.ref4(prev);
                prev = at;
            }
        }
        let data = object(u.finish(), abbrevs(DW_FORM_STRING));
        let start = Instant::now();
        let converted = btf_from_elf(&data, &ALL).unwrap();
        let blob = converted.btf.encode(bpfc::bytes::Endian::Little).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let btf = bpfc::btf::Btf::parse(&blob).unwrap();
        let want = if same_end { n + 1 } else { 2 * n + 2 };
        assert_eq!(btf.types().len(), want, "same end: {same_end}");
    }
}

/// An entry whose abbreviation code is in no table is named itself (it
/// was named by the entry before it).
#[test]
fn unknown_abbreviation_code() {
    let mut u = Unit::new();
    let int = u.int();
    let at = u.die(77);
    u.string("odd");
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, None), at, "abbreviation code");
    // Behind a struct's closed children list too.
    let mut u = Unit::new();
    u.die(code::STRUCT);
    u.string("S");
    u.u64(4);
    u.die(code::MEMBER);
    u.string("m");
    u.ref4(int);
    u.u8(0);
    u.end_children();
    let at = u.die(77);
    u.string("odd");
    let data = object(u.finish(), abbrevs(DW_FORM_STRING));
    assert_die(&convert_err(&data, None), at, "abbreviation code");
}

/// With several objects (a build's codegen units), an error names the
/// object whose DWARF is broken: it once always named the first.
#[test]
fn errors_name_the_broken_object() {
    let good = {
        let mut u = Unit::new();
        let int = u.int();
        u.die(code::VARIABLE);
        u.string("v");
        u.ref4(int);
        object(u.finish(), abbrevs(DW_FORM_STRING))
    };
    // A typedef of itself (found converting) and a struct holding itself
    // (found after: the cycle check).
    let self_typedef = {
        let mut u = Unit::new();
        let at = u.die(code::TYPEDEF);
        u.string("loop_t");
        u.ref4(at);
        u.die(code::VARIABLE);
        u.string("w");
        u.ref4(at);
        object(u.finish(), abbrevs(DW_FORM_STRING))
    };
    let self_struct = {
        let mut u = Unit::new();
        let at = u.die(code::STRUCT);
        u.string("S");
        u.u64(8);
        u.die(code::MEMBER);
        u.string("s");
        u.ref4(at);
        u.u8(0);
        u.end_children();
        u.die(code::VARIABLE);
        u.string("w");
        u.ref4(at);
        object(u.finish(), abbrevs(DW_FORM_STRING))
    };
    let dangling = {
        let mut u = Unit::new();
        let at = u.die(code::TYPEDEF);
        u.string("d_t");
        u.ref4(0x4000);
        u.die(code::VARIABLE);
        u.string("w");
        u.ref4(at);
        object(u.finish(), abbrevs(DW_FORM_STRING))
    };
    for bad in [&self_typedef, &self_struct, &dangling] {
        let objects = [
            DwarfSections::load(&good).unwrap(),
            DwarfSections::load(bad).unwrap(),
        ];
        let requests = [
            VariableRequest {
                object: 0,
                name: "v".into(),
            },
            VariableRequest {
                object: 1,
                name: "w".into(),
            },
        ];
        let (index, err) = variable_types(&objects, &requests, None).unwrap_err();
        assert_eq!(index, 1, "{err}");
    }
}
