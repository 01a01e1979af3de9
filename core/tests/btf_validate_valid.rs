//! BTF the kernel accepts must give no error finding: a handcrafted blob
//! with every kind, the running kernel's own vmlinux BTF, split BTF on top
//! of it. And blobs the reader cannot take (truncated, corrupted headers,
//! the other byte order) never panic and agree with the kernel's verdict.

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::btf::validate::{validate, validate_bytes, validate_bytes_with, Code, Finding, Options};
use bpfc::btf::{Btf, Kind};
use bpfc::bytes::Endian;
use bpfc::sys::{btf_load, LogLevel};
use btf_blob::*;
use kernel_btf::{expect_accepted, kernel_available};

const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

fn errors(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.to_string())
        .collect()
}

/// One blob with every kind, each used the way compilers and pahole do.
fn every_kind(endian: Endian) -> Vec<u8> {
    let mut b = BtfBlob::with_endian(endian);
    let int = b.int32(); // 1
    let uchar = b.int("unsigned char", 1, 8, 0); // INT names are not checked
    let voidp = b.ptr(0);
    let arr = b.array(int, int, 4);
    let s = b.struct_(
        "s",
        32,
        &[("a", int, 0), ("arr", arr, 32), ("p", voidp, 192)],
    );
    b.union_("u", 8, &[("i", int, 0), ("p", voidp, 0), ("", uchar, 0)]);
    let e = b.enum_("e", 4, true, &[("A", -1), ("B", 1)]);
    b.fwd("f", false);
    b.fwd("g", true);
    let t = b.typedef("t", s);
    let v = b.volatile(int);
    let cv = b.const_(v);
    b.restrict(voidp);
    let proto = b.func_proto(int, &[("x", int), ("", 0)]); // variadic
    let f1 = b.func("f1", proto, 0);
    let proto2 = b.func_proto(0, &[("p", voidp)]);
    b.func("f2", proto2, 1);
    let var_v = b.var("v", int, 0);
    let var_w = b.var("w", s, 1);
    b.datasec(".data", 40, &[(var_v, 0, 4), (var_w, 8, 32)]);
    let dbl = b.float("double", 8);
    b.decl_tag("tag1", s, 0);
    b.decl_tag("tag2", f1, 0);
    b.decl_tag("tag3", var_v, -1);
    b.decl_tag("tag4", t, -1);
    let tag = b.type_tag("user", cv);
    let tagged = b.ptr(tag);
    b.enum64("e64", 8, false, &[("X", 1 << 40)]);
    b.struct_kflag(
        "bits",
        4,
        &[
            ("a", int, 3 << 24),
            ("b", int, 5 << 24 | 3),
            ("e", e, 2 << 24 | 8),
        ],
    );
    let u4 = {
        let n = b.str("u4");
        let id = b.raw(n, info(KIND_INT, false, 0), 1);
        b.word(int_data(0, 0, 4));
        id
    };
    b.struct_("old", 1, &[("x", u4, 0), ("y", u4, 4)]);
    let var_z = b.var("z", int, 1);
    b.datasec("?.struct_ops/x y", 4, &[(var_z, 0, 4)]);
    b.struct_("hasf", 16, &[("d", dbl, 0), ("i", int, 64)]);
    let fnp = b.func_proto(tagged, &[("a", tagged)]);
    b.typedef("fn_t", fnp);
    b.ptr(fnp);
    b.datasec(".bss", 4, &[]); // empty DATASECs are fine since 5.12
    let n = b.str_bytes(b"\xe9t\xe9"); // Latin-1 letters count as letters
    b.raw(n, info(KIND_STRUCT, false, 0), 0);
    b.build()
}

#[test]
fn every_kind_is_clean_and_loads() {
    let blob = every_kind(Endian::NATIVE);
    let findings = validate_bytes(&blob);
    assert_eq!(errors(&findings), Vec::<String>::new());
    // Older kernels would refuse some of it: say so.
    let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::CompatDatasecName), "{codes:?}");
    assert!(codes.contains(&Code::CompatEmptyDatasec), "{codes:?}");
    if kernel_available("every_kind_is_clean_and_loads") {
        expect_accepted(&blob, "every kind");
    }
}

#[test]
fn vmlinux_is_clean_and_reloads() {
    let data = match std::fs::read(VMLINUX) {
        Ok(d) => d,
        Err(e) => {
            return kernel_btf::skip("vmlinux_is_clean_and_reloads", &format!("{VMLINUX}: {e}"))
        }
    };
    let btf = Btf::parse(&data).expect("vmlinux parses");
    let findings = validate(&btf);
    assert_eq!(errors(&findings), Vec::<String>::new());
    if kernel_available("vmlinux_is_clean_and_reloads") {
        expect_accepted(&data, "vmlinux BTF");
    }
}

#[test]
fn split_btf_on_vmlinux() {
    let Ok(data) = std::fs::read(VMLINUX) else {
        return kernel_btf::skip("split_btf_on_vmlinux", "no vmlinux BTF");
    };
    let base = Btf::parse(&data).expect("vmlinux parses");
    let int = base.find_by_name_kind("int", Kind::Int).expect("int").id();
    let task = base
        .find_by_name_kind("task_struct", Kind::Struct)
        .expect("task_struct")
        .id();
    let mut b = BtfBlob::split(base.endian(), base.last_id(), base.header().str_len);
    let p = b.ptr(task);
    let s = b.struct_("mod_state", 16, &[("count", int, 0), ("task", p, 64)]);
    let proto = b.func_proto(int, &[("st", s + 2)]); // the PTR added next
    b.ptr(s);
    b.func("mod_fn", proto, 1);
    let blob = b.build();
    let split = Btf::parse_split(&blob, &base).expect("split parses");
    assert_eq!(errors(&validate(&split)), Vec::<String>::new());

    // A member pointing past the last id of base and split.
    let mut bad = BtfBlob::split(base.endian(), base.last_id(), base.header().str_len);
    bad.struct_("broken", 4, &[("x", base.last_id() + 5, 0)]);
    let blob = bad.build();
    let split = Btf::parse_split(&blob, &base).expect("split parses");
    let findings = validate(&split);
    assert_eq!(findings[0].code, Code::InvalidMember, "{findings:?}");
    assert_eq!(findings[0].type_id, Some(base.last_id() + 1));
}

#[test]
fn other_byte_order() {
    let blob = every_kind(Endian::NATIVE.other());
    assert_eq!(
        errors(&validate_bytes_with(
            &blob,
            &Options {
                byte_order: None,
                ..Options::default()
            }
        )),
        Vec::<String>::new()
    );
    let btf = Btf::parse(&blob).expect("either byte order parses");
    let findings = validate(&btf);
    assert_eq!(findings[0].code, Code::ForeignByteOrder);
    assert_eq!(errors(&findings).len(), 1, "{findings:?}");
    if kernel_available("other_byte_order") {
        let err = kernel_btf::expect_refused(&blob, "foreign byte order");
        let last = err.log.lines().rev().find(|l| !l.is_empty()).unwrap_or("");
        assert!(
            last.contains(&findings[0].message),
            "{last:?} vs {}",
            findings[0].message
        );
    }
}

/// Every prefix of a valid blob, and every header byte set to a few
/// values: never a panic, and "has an error finding" agrees with the
/// kernel's verdict.
#[test]
fn truncated_and_corrupted_headers_agree_with_the_kernel() {
    let blob = every_kind(Endian::NATIVE);
    let kernel = kernel_available("truncated_and_corrupted_headers_agree_with_the_kernel");
    let check = |what: String, bytes: &[u8]| {
        let findings = validate_bytes(bytes);
        let ours = findings.iter().any(|f| f.is_error());
        if kernel {
            let theirs = btf_load(bytes, LogLevel::OFF);
            assert_eq!(
                ours,
                theirs.is_err(),
                "{what}: we say {}, the kernel {}\nfindings: {findings:#?}",
                if ours { "invalid" } else { "valid" },
                match &theirs {
                    Ok(_) => "accepts it".to_string(),
                    Err(e) => format!("refuses it: {e}"),
                }
            );
        }
    };
    for len in 0..blob.len() {
        check(format!("prefix of {len} bytes"), &blob[..len]);
    }
    for pos in 0..24 {
        for value in [0u8, 1, 4, 0x18, 0x80, 0xff] {
            let mut bytes = blob.clone();
            if bytes[pos] == value {
                continue;
            }
            bytes[pos] = value;
            check(format!("header byte {pos} = {value:#x}"), &bytes);
        }
    }
}
