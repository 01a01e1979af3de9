//! The bad-BTF catalogue (bpf-reference.md section 8, items 45-60) plus the
//! rules the catalogue does not list: each blob must get the expected
//! finding from `validate_bytes`, and the running kernel must refuse it
//! with the same message in its log.

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::btf::validate::{validate_bytes, Code, Finding};
use bpfc::sys::Errno;
use btf_blob::*;
use kernel_btf::{expect_refused, kernel_available};

/// Checks one bad blob: our first error is `code`/`message`, and the kernel
/// refuses the blob, logging that message on its last line (the line of
/// the error) for the same type.
fn refused(case: &str, blob: &[u8], code: Code, message: &str) -> Option<bpfc::sys::BtfLoadError> {
    let findings = validate_bytes(blob);
    let first = first_error(case, &findings);
    assert_eq!(
        (first.code, first.message.as_str()),
        (code, message),
        "{case}: unexpected first error; all findings:\n{}",
        render(&findings)
    );
    if !kernel_available(case) {
        return None;
    }
    let err = expect_refused(blob, case);
    // The library's table of what the kernel does with each rule
    // (`Code::kernel_refusal`), checked against what it did.
    let refusal = code.kernel_refusal();
    assert_eq!(
        err.errno().0,
        refusal.errno.number(),
        "{case}: the kernel failed with another errno than the table says"
    );
    if !refusal.logs {
        assert!(
            err.log.trim().is_empty(),
            "{case}: the table says no log line, the kernel logged:\n{}",
            err.log
        );
        return Some(err);
    }
    let last = err
        .log
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        last.contains(message),
        "{case}: the kernel's last log line {last:?} does not carry {message:?}\nfull log:\n{}",
        err.log
    );
    // "[id] KIND name ..." lines name the type; ours must be the same one.
    if let (Some(id), Some(rest)) = (first.type_id, last.strip_prefix('[')) {
        let kernel_id: u32 = rest.split(']').next().unwrap().parse().unwrap();
        assert_eq!(kernel_id, id, "{case}: kernel blames another type: {last}");
    }
    Some(err)
}

fn first_error<'f>(case: &str, findings: &'f [Finding]) -> &'f Finding {
    findings
        .iter()
        .find(|f| f.is_error())
        .unwrap_or_else(|| panic!("{case}: no error finding; findings:\n{}", render(findings)))
}

fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {f}\n")).collect()
}

/// A blob with one `int` ([1]) and whatever `more` adds.
fn with_int(more: impl FnOnce(&mut BtfBlob, u32)) -> Vec<u8> {
    let mut b = BtfBlob::new();
    let int = b.int32();
    more(&mut b, int);
    b.build()
}

fn errno_is(err: Option<bpfc::sys::BtfLoadError>, errno: i32) {
    if let Some(e) = err {
        assert_eq!(e.errno(), Errno(errno), "{e}");
    }
}

// 45: magic, version, flags.
#[test]
fn c45_magic_version_flags() {
    let mut l = BtfBlob::new();
    l.int32();
    let base = l.layout();
    let mut bad = base.clone();
    bad.magic = 0x1234;
    errno_is(
        refused(
            "wrong magic",
            &bad.to_bytes(),
            Code::InvalidMagic,
            "Invalid magic",
        ),
        libc::EINVAL,
    );
    let mut bad = base.clone();
    bad.version = 2;
    errno_is(
        refused(
            "version 2",
            &bad.to_bytes(),
            Code::UnsupportedVersion,
            "Unsupported version",
        ),
        524,
    );
    let mut bad = base;
    bad.flags = 1;
    errno_is(
        refused(
            "flags 1",
            &bad.to_bytes(),
            Code::UnsupportedFlags,
            "Unsupported flags",
        ),
        524,
    );
}

// 46: header length.
#[test]
fn c46_header_length() {
    let mut b = BtfBlob::new();
    b.int32();
    let mut l = b.layout();
    l.hdr_len = 32;
    l.header_tail = vec![0, 0, 0, 1, 0, 0, 0, 0];
    errno_is(
        refused(
            "non-zero header tail",
            &l.to_bytes(),
            Code::UnsupportedHeader,
            "Unsupported btf_header",
        ),
        libc::E2BIG,
    );
    // A longer header whose extra bytes are zero is fine.
    l.header_tail = vec![0; 8];
    assert!(validate_bytes(&l.to_bytes()).iter().all(|f| !f.is_error()));
    if kernel_available("zero header tail") {
        kernel_btf::expect_accepted(&l.to_bytes(), "zero header tail");
    }
    let mut l = b.layout();
    l.hdr_len = 1000;
    refused(
        "hdr_len past the blob",
        &l.to_bytes(),
        Code::HeaderNotFound,
        "btf_header not found",
    );
    refused(
        "7-byte blob",
        &b.build()[..7],
        Code::HdrLenNotFound,
        "hdr_len not found",
    );
}

// 47: section layout.
#[test]
fn c47_sections() {
    let mut b = BtfBlob::new();
    b.int32();
    let l = b.layout();
    let mut gap = l.clone();
    gap.str_off += 4;
    gap.body
        .splice(gap.type_len as usize..gap.type_len as usize, [0u8; 4]);
    refused(
        "gap between types and strings",
        &gap.to_bytes(),
        Code::UnsupportedSection,
        "Unsupported section found",
    );
    let mut overlap = l.clone();
    overlap.str_off -= 4;
    overlap
        .body
        .drain(overlap.type_len as usize - 4..overlap.type_len as usize);
    refused(
        "overlapping sections",
        &overlap.to_bytes(),
        Code::SectionOverlap,
        "Section overlap found",
    );
    let mut trailing = l.clone();
    trailing.body.extend_from_slice(&[0; 4]);
    refused(
        "bytes after the last section",
        &trailing.to_bytes(),
        Code::UnsupportedSection,
        "Unsupported section found",
    );
    let mut long = l.clone();
    long.str_len += 4;
    refused(
        "section past the end",
        &long.to_bytes(),
        Code::SectionTooLong,
        "Total section length too long",
    );
    // The only way to an unaligned type_off with the strings still last: an
    // empty type section after an odd-length string section.
    let mut unaligned = l.clone();
    let strings = b"\0ab\0".to_vec();
    unaligned.body = [strings.as_slice(), b"c\0"].concat();
    unaligned.str_off = 0;
    unaligned.str_len = unaligned.body.len() as u32;
    unaligned.type_off = unaligned.str_len;
    unaligned.type_len = 0;
    assert_eq!(unaligned.type_off % 4, 2);
    refused(
        "unaligned type_off",
        &unaligned.to_bytes(),
        Code::UnalignedTypeOff,
        "Unaligned type_off",
    );
}

// 48: no data, no types.
#[test]
fn c48_empty() {
    let mut l = BtfBlob::new().layout();
    l.body.clear();
    l.str_len = 0;
    l.str_off = 0;
    refused("header only", &l.to_bytes(), Code::NoData, "No data");
    let l = BtfBlob::new().layout();
    assert_eq!(l.type_len, 0);
    refused(
        "no types",
        &l.to_bytes(),
        Code::NoTypeFound,
        "No type found",
    );
}

// 49: string section.
#[test]
fn c49_strings() {
    let mut b = BtfBlob::new();
    b.int32();
    let mut unterminated = b.clone();
    unterminated.strings_mut().push(b'x');
    refused(
        "strings not NUL-terminated",
        &unterminated.build(),
        Code::InvalidStringSection,
        "Invalid string section",
    );
    let mut first = b.clone();
    first.strings_mut()[0] = b'a';
    refused(
        "first string not empty",
        &first.build(),
        Code::InvalidStringSection,
        "Invalid string section",
    );
    // Strings before types.
    let mut l = b.layout();
    let types = l.body[..l.type_len as usize].to_vec();
    let mut strings = l.body[l.type_len as usize..].to_vec();
    strings.resize(strings.len().next_multiple_of(4), 0);
    l.str_off = 0;
    l.str_len = strings.len() as u32;
    l.type_off = l.str_len;
    l.body = [strings, types].concat();
    refused(
        "strings not last",
        &l.to_bytes(),
        Code::StringSectionNotLast,
        "String section is not at the end",
    );
}

// 50: kinds and name offsets (and the other btf_check_meta rules).
#[test]
fn c50_kind_and_name_offset() {
    for kind in [0u32, 20, 31] {
        let blob = with_int(|b, _| {
            b.raw(0, kind << 24, 0);
        });
        refused(
            &format!("kind {kind}"),
            &blob,
            Code::InvalidKind,
            &format!("Invalid kind:{kind}"),
        );
    }
    let blob = with_int(|b, int| {
        b.raw(9999, info(KIND_PTR, false, 0), int);
    });
    refused(
        "name_off past the strings",
        &blob,
        Code::InvalidNameOffset,
        "Invalid name_offset:9999",
    );
    let blob = with_int(|b, int| {
        b.raw(0, info(KIND_PTR, false, 0) | 1 << 16, int);
    });
    refused(
        "reserved info bits",
        &blob,
        Code::InvalidBtfInfo,
        "Invalid btf_info:2010000",
    );
    let mut b = BtfBlob::new();
    b.int32();
    b.types_mut().truncate(12);
    refused(
        "INT without its data word",
        &b.build(),
        Code::TypeTruncated,
        "meta_left:0 meta_needed:4",
    );
    let mut b = BtfBlob::new();
    b.int32();
    b.types_mut().extend_from_slice(&[0; 8]);
    refused(
        "half a type header",
        &b.build(),
        Code::TypeTruncated,
        "meta_left:8 meta_needed:12",
    );
}

// 51: INT.
#[test]
fn c51_int() {
    let mut b = BtfBlob::new();
    b.int("int", 4, 33, INT_SIGNED);
    refused(
        "nr_bits 33 in 4 bytes",
        &b.build(),
        Code::IntBitsExceedSize,
        "nr_bits exceeds type_size",
    );
    let mut b = BtfBlob::new();
    b.int("int", 4, 32, INT_SIGNED | INT_CHAR);
    errno_is(
        refused(
            "SIGNED|CHAR",
            &b.build(),
            Code::UnsupportedIntEncoding,
            "Unsupported encoding",
        ),
        524,
    );
    let mut b = BtfBlob::new();
    b.int("huge", 32, 129, 0);
    refused(
        "129 bits",
        &b.build(),
        Code::IntBitsExceed128,
        "nr_bits exceeds 128",
    );
    let mut b = BtfBlob::new();
    let n = b.str("int");
    b.raw(n, info(KIND_INT, false, 0), 4);
    b.word(int_data(0, 0, 32) | 1 << 28);
    refused(
        "reserved INT bits",
        &b.build(),
        Code::InvalidIntData,
        "Invalid int_data:10000020",
    );
    let mut b = BtfBlob::new();
    let n = b.str("int");
    b.raw(n, info(KIND_INT, true, 0), 4);
    b.word(int_data(0, 0, 32));
    refused(
        "INT with kind_flag",
        &b.build(),
        Code::InvalidKindFlag,
        "Invalid btf_info kind_flag",
    );
    let mut b = BtfBlob::new();
    let n = b.str("int");
    b.raw(n, info(KIND_INT, false, 1), 4);
    b.word(int_data(0, 0, 32));
    refused("INT with vlen", &b.build(), Code::VlenNotZero, "vlen != 0");
}

// 52: names of reference types.
#[test]
fn c52_reference_names() {
    for (what, kind) in [
        ("PTR", KIND_PTR),
        ("CONST", KIND_CONST),
        ("VOLATILE", KIND_VOLATILE),
        ("RESTRICT", KIND_RESTRICT),
    ] {
        let blob = with_int(|b, int| {
            let n = b.str("p");
            b.raw(n, info(kind, false, 0), int);
        });
        refused(
            &format!("named {what}"),
            &blob,
            Code::InvalidName,
            "Invalid name",
        );
    }
    let blob = with_int(|b, int| {
        b.raw(0, info(KIND_TYPEDEF, false, 0), int);
    });
    refused(
        "anonymous TYPEDEF",
        &blob,
        Code::InvalidName,
        "Invalid name",
    );
    let blob = with_int(|b, int| {
        b.typedef("a b", int);
    });
    refused("TYPEDEF 'a b'", &blob, Code::InvalidName, "Invalid name");
    let blob = with_int(|b, _| {
        b.raw(0, info(KIND_FWD, false, 0), 0);
    });
    refused("anonymous FWD", &blob, Code::InvalidName, "Invalid name");
    let blob = with_int(|b, _| {
        let n = b.str("s");
        b.raw(n, info(KIND_FWD, false, 0), 1);
    });
    refused("FWD with a type", &blob, Code::FwdTypeNotZero, "type != 0");
    let blob = with_int(|b, int| {
        b.raw(0, info(KIND_TYPE_TAG, false, 0), int);
    });
    refused(
        "TYPE_TAG without value",
        &blob,
        Code::InvalidName,
        "Invalid name",
    );
    let blob = with_int(|b, _| {
        b.raw(0, info(KIND_PTR, false, 0), 0x10_0000);
    });
    refused(
        "PTR to an id above BTF_MAX_TYPE",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
    let blob = with_int(|b, _| {
        b.ptr(7);
    });
    refused(
        "PTR to a missing type",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 0);
        b.const_(v);
    });
    refused(
        "CONST of a VAR",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
}

// 53: struct and union members.
#[test]
fn c53_members() {
    let blob = with_int(|b, int| {
        b.struct_("s", 4, &[("a$b", int, 0)]);
    });
    refused("member 'a$b'", &blob, Code::InvalidName, "Invalid name");
    let blob = with_int(|b, int| {
        b.struct_("s", 8, &[("a", int, 32), ("b", int, 0)]);
    });
    refused(
        "decreasing member offsets",
        &blob,
        Code::InvalidMemberBitsOffset,
        "Invalid member bits_offset",
    );
    let blob = with_int(|b, int| {
        b.union_("u", 8, &[("a", int, 0), ("b", int, 32)]);
    });
    refused(
        "union member at bit 32",
        &blob,
        Code::InvalidMemberBitsOffset,
        "Invalid member bits_offset",
    );
    let blob = with_int(|b, int| {
        b.struct_("s<int>", 4, &[("a", int, 0)]);
    });
    refused("struct 's<int>'", &blob, Code::InvalidName, "Invalid name");
    // KSYM_NAME_LEN: 512 bytes pass (with a warning for kernels before 6.1,
    // where the limit was 128), 513 do not.
    let long = "n".repeat(513);
    let blob = with_int(|b, int| {
        b.struct_(&long, 4, &[("a", int, 0)]);
    });
    refused("513-byte name", &blob, Code::InvalidName, "Invalid name");
    let blob = with_int(|b, int| {
        b.struct_(&long[..512], 4, &[("a", int, 0)]);
    });
    let findings = validate_bytes(&blob);
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{}",
        render(&findings)
    );
    assert!(findings.iter().any(|f| f.code == Code::CompatLongName));
    if kernel_available("512-byte name") {
        kernel_btf::expect_accepted(&blob, "512-byte name");
    }
    let blob = with_int(|b, int| {
        b.struct_("s", 4, &[("a", int, 0), ("b", int, 40)]);
    });
    refused(
        "member offset past the struct",
        &blob,
        Code::MemberOffsetPastEnd,
        "Member bits_offset exceeds its struct size",
    );
    let blob = with_int(|b, int| {
        b.struct_("s", 6, &[("a", int, 0), ("b", int, 32)]);
    });
    refused(
        "member runs past the struct",
        &blob,
        Code::MemberPastStructEnd,
        "Member exceeds struct_size",
    );
    let blob = with_int(|b, _| {
        b.struct_("s", 4, &[("a", 0, 0)]);
    });
    refused("void member", &blob, Code::InvalidTypeId, "Invalid type_id");
    let blob = with_int(|b, _| {
        let fwd = b.fwd("f", false);
        b.struct_("s", 4, &[("a", fwd, 0)]);
    });
    refused(
        "member of a FWD type",
        &blob,
        Code::InvalidMember,
        "Invalid member",
    );
    let blob = with_int(|b, int| {
        let p = b.ptr(int);
        b.struct_("s", 16, &[("a", int, 0), ("p", p, 36)]);
    });
    refused(
        "pointer member at bit 36",
        &blob,
        Code::MemberNotByteAligned,
        "Member is not byte aligned",
    );
    let blob = with_int(|b, int| {
        let n = b.str("s");
        b.raw(n, info(KIND_STRUCT, false, 1), 4);
        b.word(9999).word(int).word(0);
    });
    refused(
        "member name_off past the strings",
        &blob,
        Code::InvalidMemberNameOffset,
        "Invalid member name_offset:9999",
    );
}

// 53 (bitfields): both encodings.
#[test]
fn c53_bitfields() {
    // kind_flag: bitfield_size << 24 | bit_offset.
    let blob = with_int(|b, int| {
        b.struct_kflag("s", 8, &[("a", int, 33 << 24)]);
    });
    refused(
        "33-bit field of a 32-bit int",
        &blob,
        Code::InvalidBitfieldSize,
        "Invalid member bitfield_size",
    );
    let blob = with_int(|b, int| {
        b.struct_kflag("s", 8, &[("a", int, 3)]);
    });
    refused(
        "kflag non-bitfield int at bit 3",
        &blob,
        Code::InvalidMemberOffset,
        "Invalid member offset",
    );
    let blob = with_int(|b, int| {
        let p = b.ptr(int);
        b.struct_kflag("s", 8, &[("p", p, 4 << 24)]);
    });
    refused(
        "pointer bitfield",
        &blob,
        Code::InvalidBitfieldSize,
        "Invalid member bitfield_size",
    );
    let blob = with_int(|b, _| {
        let bits = b.int("u3", 1, 3, 0);
        b.struct_kflag("s", 1, &[("a", bits, 3 << 24)]);
    });
    refused(
        "kflag bitfield of a 3-bit INT",
        &blob,
        Code::InvalidMemberBaseType,
        "Invalid member base type",
    );
    let blob = with_int(|b, int| {
        let e = b.enum_("e", 4, false, &[("A", 0)]);
        b.struct_kflag("s", 8, &[("a", int, 0), ("e", e, 33 << 24 | 32)]);
    });
    refused(
        "33-bit enum bitfield",
        &blob,
        Code::InvalidBitfieldSize,
        "Invalid member bitfield_size",
    );
    // Old style: the INT carries offset and size.
    let blob = with_int(|b, _| {
        let n = b.str("u4");
        b.raw(n, info(KIND_INT, false, 0), 1);
        b.word(int_data(0, 0, 4));
        b.struct_("s", 1, &[("a", 2, 6)]);
    });
    refused(
        "4-bit INT at bit 6 of a 1-byte struct",
        &blob,
        Code::MemberPastStructEnd,
        "Member exceeds struct_size",
    );
}

// 54: arrays.
#[test]
fn c54_arrays() {
    let blob = with_int(|b, int| {
        b.array(int, 0, 4);
    });
    refused(
        "void index",
        &blob,
        Code::InvalidArrayIndex,
        "Invalid index",
    );
    let blob = with_int(|b, int| {
        let s = b.struct_("s", 4, &[("a", int, 0)]);
        b.array(int, s, 4);
    });
    refused(
        "struct index",
        &blob,
        Code::InvalidArrayIndex,
        "Invalid index",
    );
    let blob = with_int(|b, int| {
        b.array(0, int, 4);
    });
    refused(
        "void element",
        &blob,
        Code::InvalidArrayElem,
        "Invalid elem",
    );
    let blob = with_int(|b, int| {
        let fwd = b.fwd("f", false);
        b.array(fwd, int, 4);
    });
    refused("FWD element", &blob, Code::InvalidArrayElem, "Invalid elem");
    let blob = with_int(|b, int| {
        let bits = b.int("u3", 1, 3, 0);
        b.array(bits, int, 4);
    });
    refused(
        "array of a 3-bit INT",
        &blob,
        Code::InvalidArrayOfInt,
        "Invalid array of int",
    );
    let blob = with_int(|b, int| {
        b.array(int, int, 0x4000_0000);
    });
    refused(
        "4 GiB array",
        &blob,
        Code::ArraySizeOverflow,
        "Array size overflows U32_MAX",
    );
    let blob = with_int(|b, int| {
        let n = b.str("a");
        b.raw(n, info(KIND_ARRAY, false, 0), 0);
        b.word(int).word(int).word(1);
    });
    refused("named ARRAY", &blob, Code::InvalidName, "Invalid name");
}

// 55: enums.
#[test]
fn c55_enums() {
    let blob = with_int(|b, _| {
        b.enum_("e", 3, false, &[("A", 0)]);
    });
    refused(
        "ENUM of 3 bytes",
        &blob,
        Code::InvalidEnumSize,
        "Unexpected size",
    );
    let blob = with_int(|b, _| {
        b.enum_("e", 4, false, &[("", 0)]);
    });
    refused(
        "anonymous enumerator",
        &blob,
        Code::InvalidName,
        "Invalid name",
    );
    let blob = with_int(|b, _| {
        b.enum64("e", 16, false, &[("A", 0)]);
    });
    refused(
        "ENUM64 of 16 bytes",
        &blob,
        Code::InvalidEnumSize,
        "Unexpected size",
    );
}

// 56: functions.
#[test]
fn c56_functions() {
    let blob = with_int(|b, int| {
        b.func("f", int, 0);
    });
    refused(
        "FUNC of an INT",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
    let blob = with_int(|b, int| {
        let p = b.func_proto(int, &[]);
        b.func("f", p, 2);
    });
    refused(
        "extern FUNC",
        &blob,
        Code::InvalidFuncLinkage,
        "Invalid func linkage",
    );
    let blob = with_int(|b, int| {
        let n = b.str("p");
        b.raw(n, info(KIND_FUNC_PROTO, false, 0), int);
    });
    refused("named FUNC_PROTO", &blob, Code::InvalidName, "Invalid name");
    let blob = with_int(|b, int| {
        b.func_proto(int, &[("", 0), ("x", int)]);
    });
    refused(
        "void parameter before the last",
        &blob,
        Code::InvalidArg,
        "Invalid arg#1",
    );
    let blob = with_int(|b, int| {
        b.func_proto(int, &[("x", int), ("va", 0)]);
    });
    refused(
        "named variadic marker",
        &blob,
        Code::InvalidArg,
        "Invalid arg#2",
    );
    let blob = with_int(|b, int| {
        let p = b.func_proto(int, &[("", int)]);
        b.func("f", p, 0);
    });
    refused(
        "FUNC with an unnamed parameter",
        &blob,
        Code::InvalidArg,
        "Invalid arg#1",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 0);
        b.func_proto(v, &[]);
    });
    refused(
        "FUNC_PROTO returning a VAR",
        &blob,
        Code::InvalidReturnType,
        "Invalid return type",
    );
}

// 57: variables.
#[test]
fn c57_variables() {
    let blob = with_int(|b, int| {
        b.var("v", int, 2);
    });
    refused(
        "extern VAR",
        &blob,
        Code::UnsupportedVarLinkage,
        "Linkage not supported",
    );
    let blob = with_int(|b, _| {
        b.var("v", 0, 0);
    });
    refused("void VAR", &blob, Code::InvalidTypeId, "Invalid type_id");
    let blob = with_int(|b, _| {
        let f = b.fwd("f", false);
        b.var("v", f, 0);
    });
    refused(
        "VAR of a FWD",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
}

// 58: DATASEC.
#[test]
fn c58_datasec() {
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec(".data", 0, &[(v, 0, 4)]);
    });
    refused("size 0", &blob, Code::DatasecSizeZero, "size == 0");
    let blob = with_int(|b, int| {
        b.datasec(".data", 4, &[(int, 0, 4)]);
    });
    refused(
        "entry is not a VAR",
        &blob,
        Code::DatasecEntryNotVar,
        "Not a VAR kind member",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        let w = b.var("w", int, 1);
        b.datasec(".data", 8, &[(v, 0, 4), (w, 2, 4)]);
    });
    refused(
        "overlapping entries",
        &blob,
        Code::InvalidDatasecOffset,
        "Invalid offset",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        let w = b.var("w", int, 1);
        b.datasec(".data", 8, &[(v, 4, 4), (w, 0, 4)]);
    });
    refused(
        "unsorted entries",
        &blob,
        Code::InvalidDatasecOffset,
        "Invalid offset",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec(".data", 4, &[(v, 2, 4)]);
    });
    refused(
        "entry past the end",
        &blob,
        Code::DatasecEntryPastEnd,
        "Invalid offset+size",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec("", 4, &[(v, 0, 4)]);
    });
    refused(
        "anonymous DATASEC",
        &blob,
        Code::InvalidName,
        "Invalid name",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec("a\tb", 4, &[(v, 0, 4)]);
    });
    refused(
        "DATASEC name with a tab",
        &blob,
        Code::InvalidName,
        "Invalid name",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec(".data", 8, &[(v, 0, 2)]);
    });
    refused(
        "4-byte VAR in a 2-byte entry",
        &blob,
        Code::DatasecEntryTooSmall,
        "Invalid size",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 1);
        b.datasec(".data", 4, &[(v, 0, 0)]);
    });
    refused(
        "empty entry",
        &blob,
        Code::InvalidDatasecEntrySize,
        "Invalid size",
    );
}

// 59: FLOAT, DECL_TAG, TYPE_TAG.
#[test]
fn c59_float_and_tags() {
    let blob = with_int(|b, _| {
        b.float("f", 3);
    });
    refused(
        "FLOAT of 3 bytes",
        &blob,
        Code::InvalidFloatSize,
        "Invalid type_size",
    );
    let blob = with_int(|b, int| {
        let s = b.struct_("s", 4, &[("a", int, 0)]);
        b.decl_tag("tag", s, 1);
    });
    refused(
        "DECL_TAG of member #1 of 1",
        &blob,
        Code::InvalidComponentIdx,
        "Invalid component_idx",
    );
    let blob = with_int(|b, int| {
        let v = b.var("v", int, 0);
        b.decl_tag("tag", v, 0);
    });
    refused(
        "DECL_TAG of a VAR's component 0",
        &blob,
        Code::InvalidComponentIdx,
        "Invalid component_idx",
    );
    let blob = with_int(|b, int| {
        b.decl_tag("tag", int, -1);
    });
    refused(
        "DECL_TAG of an INT",
        &blob,
        Code::InvalidTypeId,
        "Invalid type_id",
    );
    let blob = with_int(|b, int| {
        b.decl_tag("", int, -1);
    });
    refused(
        "DECL_TAG without value",
        &blob,
        Code::InvalidDeclTagValue,
        "Invalid value",
    );
    let blob = with_int(|b, int| {
        let s = b.struct_("s", 4, &[("a", int, 0)]);
        b.decl_tag("tag", s, -2);
    });
    refused(
        "DECL_TAG component -2",
        &blob,
        Code::InvalidComponentIdx,
        "Invalid component_idx",
    );
    let blob = with_int(|b, int| {
        let tag = b.type_tag("tag", int);
        let c = b.const_(tag);
        b.ptr(c);
    });
    refused(
        "TYPE_TAG below CONST",
        &blob,
        Code::TypeTagAfterModifier,
        "Type tags don't precede modifiers",
    );
}

// 60: limits.
#[test]
fn c60_limits() {
    // One type too many: the kernel drops the last type (logging
    // "Exceeded max num of types"); the first PTR points at it.
    let mut b = BtfBlob::new();
    let last = bpfc::btf::BTF_MAX_TYPE;
    b.ptr(last);
    while b.next_id() <= last {
        b.ptr(0);
    }
    let blob = b.build();
    let findings = validate_bytes(&blob);
    let first = first_error("too many types", &findings);
    assert_eq!(
        (first.code, first.message.as_str(), first.type_id),
        (Code::TooManyTypes, "Exceeded max num of types", Some(last))
    );
    assert!(findings
        .iter()
        .any(|f| f.code == Code::InvalidTypeId && f.type_id == Some(1)));
    if kernel_available("too many types") {
        let err = expect_refused(&blob, "too many types");
        assert!(
            err.log.contains("Exceeded max num of types"),
            "log tail: {}",
            &err.log[err.log.len().saturating_sub(400)..]
        );
        assert!(err
            .log
            .contains(&format!("[1] PTR (anon) type_id={last} Invalid type_id")));
    }
    // Larger than 16 MiB: E2BIG before any check.
    let mut l = BtfBlob::new();
    l.int32();
    let mut l = l.layout();
    l.str_len += 16 << 20;
    l.body.resize(l.body.len() + (16 << 20), 0);
    errno_is(
        refused(
            "17 MiB",
            &l.to_bytes(),
            Code::TooLarge,
            "BTF larger than BTF_MAX_SIZE (16 MiB)",
        ),
        libc::E2BIG,
    );
}

// Rules of the resolution phase the catalogue does not list.
#[test]
fn resolution_loops_and_depth() {
    let blob = with_int(|b, int| {
        // struct a { struct b x; }; struct b { struct a y; };
        b.struct_("a", 4, &[("x", 3, 0)]);
        b.struct_("b", 4, &[("y", 2, 0)]);
        let _ = int;
    });
    refused("struct loop", &blob, Code::LoopDetected, "Loop detected");
    let blob = with_int(|b, _| {
        b.const_(2);
    });
    refused(
        "CONST of itself",
        &blob,
        Code::LoopDetected,
        "Loop detected",
    );
    // 40 CONSTs, each referring to the next one: deeper than 32.
    let blob = with_int(|b, int| {
        for k in 0..40 {
            b.const_(3 + k);
        }
        b.ptr(int);
    });
    refused(
        "chain of 40",
        &blob,
        Code::ResolveDepthExceeded,
        "Exceeded max resolving depth:32",
    );
    // The same chain in the other direction resolves one link at a time.
    let blob = with_int(|b, int| {
        let mut c = int;
        for _ in 0..40 {
            c = b.const_(c);
        }
    });
    assert!(validate_bytes(&blob).iter().all(|f| !f.is_error()));
    if kernel_available("backward chain") {
        kernel_btf::expect_accepted(&blob, "backward chain of 40 CONSTs");
    }
}

/// Rendered findings for a few bad blobs, reviewed as a snapshot.
#[test]
fn rendered_findings_snapshot() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "named pointer",
            with_int(|b, int| {
                let n = b.str("p");
                b.raw(n, info(KIND_PTR, false, 0), int);
            }),
        ),
        (
            "struct with two problems",
            with_int(|b, int| {
                b.struct_("s", 4, &[("a$b", int, 0)]);
                b.union_("u", 4, &[("a", int, 8)]);
            }),
        ),
        (
            "type tag order",
            with_int(|b, int| {
                let tag = b.type_tag("tag", int);
                b.const_(tag);
            }),
        ),
        (
            "datasec overlap",
            with_int(|b, int| {
                let v = b.var("v", int, 1);
                let w = b.var("w", int, 1);
                b.datasec(".data", 8, &[(v, 0, 4), (w, 2, 4)]);
            }),
        ),
        ("unsupported version", {
            let mut b = BtfBlob::new();
            b.int32();
            let mut l = b.layout();
            l.version = 2;
            l.to_bytes()
        }),
    ];
    let mut out = String::new();
    for (name, blob) in cases {
        out.push_str(&format!("== {name}\n{}", render(&validate_bytes(&blob))));
    }
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/btf_validate")}, {
        insta::assert_snapshot!("rendered_findings", out);
    });
}

/// Findings are plain data for `--json` output.
#[test]
fn findings_serialize_to_json() {
    let blob = with_int(|b, int| {
        let n = b.str("p");
        b.raw(n, info(KIND_PTR, false, 0), int);
    });
    let findings = validate_bytes(&blob);
    let v = serde_json::to_value(&findings[0]).expect("serializes");
    assert_eq!(v["code"], "invalid-name");
    assert_eq!(v["severity"], "error");
    assert_eq!(v["message"], "Invalid name");
    assert_eq!(v["type_id"], 2);
    assert_eq!(v["kind"], "PTR");
    // The 24-byte header, then the 16-byte INT: the PTR's name_off.
    assert_eq!(v["offset"], 24 + 16);
    assert!(v["note"].as_str().is_some_and(|n| !n.is_empty()));
}
