//! The special-field pass (`btf_parse_struct_metas`) against the running
//! kernel: for every C fixture in testdata/btf/special/ and a few blobs C
//! cannot produce, bpfc's verdict on the BTF libbpf would load (an error
//! finding or none) and the errno its first error maps to must be what
//! `BPF_BTF_LOAD` does.
//!
//! Each fixture also says on its first line what the 6.18 kernel does with
//! it (`// expect: E2BIG ...`), so that a fixture which stops testing what
//! it was written for (a kernel that accepts it for another reason) shows.
//! Fixtures avoid what makes the kernel WARN (two locks reached through a
//! nested struct, a bpf_spin_lock before a bpf_res_spin_lock).

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use std::path::{Path, PathBuf};
use std::process::Command;

use bpfc::btf::validate::{validate_with, Code, Finding, Options};
use bpfc::btf::{Btf, Kind};
use bpfc::object::ObjectSpec;
use bpfc::sys::{btf_load, LogLevel};
use btf_blob::BtfBlob;
use kernel_btf::{kernel_available, skip};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/btf/special")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("testdata/btf/special")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    files
}

/// What the fixture says the kernel does: `OK` or an errno name.
fn declared(source: &str) -> String {
    let first = source.lines().next().unwrap_or_default();
    let rest = first
        .strip_prefix("// expect: ")
        .unwrap_or_else(|| panic!("fixture without `// expect:` line: {first}"));
    rest.split_whitespace().next().unwrap().to_string()
}

/// Compiles a fixture as the lead did (`clang-19 -target bpf -g -O2 -c`)
/// and returns the BTF libbpf would load; `None` (after the SKIP line) when
/// clang-19 cannot run.
fn fixed_btf(test: &str, path: &Path) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fixture.o");
    let status = Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-O2", "-c"])
        .arg(path)
        .arg("-o")
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("clang-19 failed on {}: {s}", path.display()),
        Err(e) => {
            skip(test, &format!("clang-19 not runnable: {e}"));
            return None;
        }
    }
    let data = std::fs::read(&out).unwrap();
    let obj = ObjectSpec::parse(&data, "fixture").unwrap();
    Some(obj.fixed_btf().expect("the fixture has BTF").unwrap())
}

fn findings(blob: &[u8]) -> Vec<Finding> {
    let btf = Btf::parse(blob).expect("the blob parses");
    let opts = Options {
        byte_order: None,
        older_kernels: false,
    };
    validate_with(&btf, &opts)
}

/// bpfc's answer: `OK`, or the errno of the first error finding.
fn bpfc_says(findings: &[Finding]) -> String {
    match findings.iter().find(|f| f.is_error()) {
        None => "OK".to_string(),
        Some(f) => f.code.kernel_refusal().errno.name().to_string(),
    }
}

/// The kernel's answer, in the same terms.
fn kernel_says(blob: &[u8]) -> String {
    match btf_load(blob, LogLevel::OFF) {
        Ok(_fd) => "OK".to_string(),
        Err(e) => {
            assert!(!e.is_permission_denied(), "{e}");
            let n = e.errno().0;
            let name = [
                bpfc::diag::Errno::E2big,
                bpfc::diag::Errno::Einval,
                bpfc::diag::Errno::Enoent,
                bpfc::diag::Errno::Eexist,
                bpfc::diag::Errno::Efault,
                bpfc::diag::Errno::Eloop,
            ]
            .into_iter()
            .find(|k| k.number() == n);
            name.map_or_else(|| format!("errno {n}"), |k| k.name().to_string())
        }
    }
}

/// One line per disagreement among the declared, bpfc's and the kernel's
/// answers.
fn compare(label: &str, declared: &str, blob: &[u8], out: &mut Vec<String>) {
    let found = findings(blob);
    let (ours, theirs) = (bpfc_says(&found), kernel_says(blob));
    if ours != theirs || theirs != declared {
        let first = found.iter().find(|f| f.is_error());
        out.push(format!(
            "{label}: kernel {theirs}, bpfc {ours}, fixture says {declared}; bpfc's first error: {}",
            first.map_or("none".to_string(), |f| f.to_string())
        ));
    }
}

#[test]
fn special_field_verdicts_agree_with_the_kernel_on_the_c_fixtures() {
    const TEST: &str = "special_field_verdicts_agree_with_the_kernel_on_the_c_fixtures";
    if !kernel_available(TEST) {
        return;
    }
    let files = fixtures();
    assert!(files.len() > 40, "fixtures missing");
    let mut refused = 0;
    let mut disagreements = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let declared = declared(&source);
        let Some(blob) = fixed_btf(TEST, path) else {
            return;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        compare(&name, &declared, &blob, &mut disagreements);
        refused += usize::from(declared != "OK");
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // Both verdicts occur, and every errno of the pass.
    assert!(refused > 20 && refused + 10 < files.len());
}

/// `struct t { int a; }` and a `__kptr` pointer to it; returns the pointer.
fn kptr_to_struct(b: &mut BtfBlob) -> u32 {
    let int = b.int32();
    let t = b.struct_("t", 4, &[("a", int, 0)]);
    let tag = b.type_tag("kptr", t);
    b.ptr(tag)
}

/// Blobs C does not produce: overlapping kptrs (a struct's members may
/// share an offset) and a list whose value struct's node is a second
/// `bpf_list_node` struct, so the value struct is never parsed.
#[test]
fn special_field_verdicts_agree_with_the_kernel_on_handmade_blobs() {
    const TEST: &str = "special_field_verdicts_agree_with_the_kernel_on_handmade_blobs";
    if !kernel_available(TEST) {
        return;
    }
    let mut cases = Vec::new();

    let mut b = BtfBlob::new();
    let p = kptr_to_struct(&mut b);
    b.struct_("v", 8, &[("p", p, 0), ("q", p, 0)]);
    cases.push(("kptrs at one offset", "EEXIST", b.build()));

    let mut b = BtfBlob::new();
    let p = kptr_to_struct(&mut b);
    b.struct_("v", 16, &[("p", p, 0), ("q", p, 64)]);
    cases.push(("kptrs side by side", "OK", b.build()));

    for (label, second_node, declared) in [
        ("value struct without a record", true, "EFAULT"),
        ("value struct with a record", false, "OK"),
    ] {
        let mut b = BtfBlob::new();
        let u64_ = b.int("unsigned long long", 8, 64, 0);
        let u32_ = b.int("unsigned int", 4, 32, 0);
        let two = b.array(u64_, u32_, 2);
        let three = b.array(u64_, u32_, 3);
        let head = b.struct_("bpf_list_head", 16, &[("opaque", two, 0)]);
        let node = b.struct_("bpf_list_node", 24, &[("opaque", three, 0)]);
        let lock = b.struct_("bpf_spin_lock", 4, &[("val", u32_, 0)]);
        let node_type = if second_node {
            b.struct_("bpf_list_node", 24, &[("opaque", three, 0)])
        } else {
            node
        };
        b.struct_("elem", 32, &[("x", u64_, 0), ("n", node_type, 64)]);
        let v = b.struct_("v", 24, &[("h", head, 0), ("l", lock, 128)]);
        b.decl_tag("contains:elem:n", v, 0);
        cases.push((label, declared, b.build()));
    }

    let mut disagreements = Vec::new();
    for (label, declared, blob) in &cases {
        compare(label, declared, blob, &mut disagreements);
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// The finding points at the member the rule is about: for `lock_two.c`,
/// the record of member `b` (the second lock) of `struct v`.
#[test]
fn a_special_field_finding_points_at_the_member() {
    const TEST: &str = "a_special_field_finding_points_at_the_member";
    let Some(blob) = fixed_btf(TEST, &fixture_dir().join("lock_two.c")) else {
        return;
    };
    let btf = Btf::parse(&blob).unwrap();
    let v = btf
        .types()
        .find(|t| t.kind() == Kind::Struct && btf.name(t).unwrap() == "v")
        .expect("struct v");
    let found = findings(&blob);
    let errors: Vec<&Finding> = found.iter().filter(|f| f.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let f = errors[0];
    assert_eq!(f.code, Code::SpecialFieldRepeated);
    assert_eq!(f.type_id, Some(v.id()));
    let h = btf.header();
    let member_b = u64::from(h.hdr_len) + u64::from(h.type_off) + u64::from(v.offset()) + 12 + 12;
    assert_eq!(f.offset, Some(member_b));
    assert!(f.message.contains("member b"), "{}", f.message);
}

/// The pass runs only for program BTF: split BTF (modules) is not parsed
/// for special fields by the kernel.
#[test]
fn split_btf_is_not_searched_for_special_fields() {
    let mut base = BtfBlob::new();
    base.int32();
    let base_blob = base.build();
    let base_btf = Btf::parse(&base_blob).unwrap();
    let h = base_btf.header();
    let mut b = BtfBlob::split(bpfc::bytes::Endian::NATIVE, 1, h.str_len);
    let lock = b.struct_("bpf_spin_lock", 4, &[("val", 1, 0)]);
    b.struct_("v", 8, &[("a", lock, 0), ("b", lock, 32)]);
    let blob = b.build();
    let btf = Btf::parse_split(&blob, &base_btf).unwrap();
    let found = validate_with(&btf, &Options::default());
    assert!(found.iter().all(|f| !f.is_error()), "{found:?}");
    // The same types as program BTF are refused.
    let mut b = BtfBlob::new();
    let int = b.int32();
    let lock = b.struct_("bpf_spin_lock", 4, &[("val", int, 0)]);
    b.struct_("v", 8, &[("a", lock, 0), ("b", lock, 32)]);
    let found = findings(&b.build());
    assert_eq!(bpfc_says(&found), "E2BIG", "{found:?}");
}

/// vmlinux defines the special structs and has a struct with a
/// `bpf_spin_lock` member (`bpf_async_kern`): the pass looks at it and
/// finds nothing wrong, as the kernel would.
#[test]
fn vmlinux_structs_with_special_members_pass() {
    const VMLINUX: &str = "/sys/kernel/btf/vmlinux";
    let Ok(data) = std::fs::read(VMLINUX) else {
        return skip(
            "vmlinux_structs_with_special_members_pass",
            "no /sys/kernel/btf/vmlinux",
        );
    };
    let btf = Btf::parse(&data).expect("vmlinux parses");
    let has_lock = btf
        .types()
        .any(|t| t.kind() == Kind::Struct && btf.name(&t).is_ok_and(|n| n == "bpf_spin_lock"));
    assert!(has_lock, "this vmlinux defines no bpf_spin_lock");
    let start = std::time::Instant::now();
    let found = validate_with(&btf, &Options::default());
    eprintln!("vmlinux validated in {:?}", start.elapsed());
    let errors: Vec<String> = found
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Structs 30 deep, each with 200 members of the one below: the kernel
/// would walk 200^30 paths; the pass remembers each struct's walk and
/// finishes at once. (Not loaded: it would keep the kernel busy.)
#[test]
fn wide_and_deep_nesting_is_walked_once_per_struct() {
    let mut b = BtfBlob::new();
    let int = b.int32();
    let lock = b.struct_("bpf_spin_lock", 4, &[("val", int, 0)]);
    let mut inner = b.struct_("s0", 0, &[]);
    let names: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    for level in 1..30 {
        let members: Vec<(&str, u32, u32)> = names.iter().map(|n| (n.as_str(), inner, 0)).collect();
        inner = b.struct_(&format!("s{level}"), 0, &members);
    }
    b.struct_("v", 4, &[("deep", inner, 0), ("l", lock, 0)]);
    let found = findings(&b.build());
    assert_eq!(bpfc_says(&found), "OK", "{found:?}");
}

/// Every single-byte change to the type section of BTF with all the
/// special fields leaves the validator standing (no panic, no hang).
#[test]
fn mutated_special_btf_never_panics() {
    const TEST: &str = "mutated_special_btf_never_panics";
    let mut blobs = Vec::new();
    for name in [
        "ownership_cycle.c",
        "list_heads_in_nested_array.c",
        "kptr_array.c",
    ] {
        let Some(blob) = fixed_btf(TEST, &fixture_dir().join(name)) else {
            return;
        };
        blobs.push(blob);
    }
    for blob in &blobs {
        let btf = Btf::parse(blob).unwrap();
        let h = btf.header();
        let types =
            (h.hdr_len + h.type_off) as usize..(h.hdr_len + h.type_off + h.type_len) as usize;
        for at in types.step_by(3) {
            for value in [0u8, 1, 0x7f, 0xff] {
                let mut m = blob.clone();
                m[at] = value;
                // Either verdict is fine; reaching it is the test.
                let _ = bpfc::btf::validate::validate_bytes(&m);
            }
        }
    }
}
