//! Real compiler and pahole output: the `.BTF` of the BPF objects on this
//! machine (cilium/ebpf's test objects in both byte orders, xdp-tools),
//! our own testdata, and cilium's vmlinux with a module's split BTF on top.
//! Verdicts must agree with the kernel's (objects straight from the
//! compiler are often refused: their DATASECs still have size 0 until a
//! loader fills them in), and both byte orders of a source must give the
//! same findings.

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use std::io::Read;
use std::path::{Path, PathBuf};

use bpfc::btf::elf::btf_sections;
use bpfc::btf::validate::{validate, validate_bytes, validate_bytes_with, Code, Finding, Options};
use bpfc::btf::Btf;
use bpfc::sys::{btf_load, LogLevel};

const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";
const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";

fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.to_string_lossy().ends_with(suffix));
    out.sort();
    out
}

fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {f}\n")).collect()
}

/// Our verdict on a native-order blob against the kernel's.
fn agrees_with_kernel(what: &str, blob: &[u8], kernel: bool) -> bool {
    let findings = validate_bytes(blob);
    let first = findings.iter().find(|f| f.is_error());
    if !kernel {
        return first.is_none();
    }
    match (first, btf_load(blob, LogLevel::OFF)) {
        (None, Ok(_)) => true,
        (Some(f), Err(e)) => {
            let last = e
                .log
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            assert!(last.contains(&f.message), "{what}: our {f}\nkernel: {last}");
            false
        }
        (None, Err(e)) => panic!("{what}: the kernel refuses it: {e}\n{}", e.log),
        (Some(f), Ok(_)) => panic!(
            "{what}: the kernel accepts it, we say {f}\n{}",
            render(&findings)
        ),
    }
}

fn elf_btf(path: &Path) -> Option<Vec<u8>> {
    let data = std::fs::read(path).ok()?;
    let sections = btf_sections(&data).ok()?;
    Some(sections.btf.data.to_vec())
}

#[test]
fn object_files_agree_with_the_kernel() {
    let kernel = kernel_btf::kernel_available("object_files_agree_with_the_kernel");
    let mut objects = files(&format!("{CILIUM}/testdata"), "-el.elf");
    objects.extend(files(&format!("{CILIUM}/btf/testdata"), "-el.elf"));
    objects.extend(files(XDP_TOOLS, ".o"));
    if objects.is_empty() {
        return kernel_btf::skip(
            "object_files_agree_with_the_kernel",
            "no BPF objects installed",
        );
    }
    let (mut loads, mut refused, mut refused_for_datasec) = (0, 0, 0);
    for path in &objects {
        let Some(blob) = elf_btf(path) else { continue };
        let what = path.display().to_string();
        if agrees_with_kernel(&what, &blob, kernel) {
            loads += 1;
        } else {
            refused += 1;
            let findings = validate_bytes(&blob);
            if findings.iter().any(|f| f.code == Code::DatasecSizeZero) {
                refused_for_datasec += 1;
            }
        }
    }
    eprintln!("{} objects: {loads} load as is, {refused} refused ({refused_for_datasec} for an unsized DATASEC)", objects.len());
    assert!(loads + refused > 20, "too few objects had BTF");
}

#[test]
fn both_byte_orders_give_the_same_findings() {
    let any = Options {
        byte_order: None,
        ..Options::default()
    };
    let mut pairs = 0;
    for dir in [
        format!("{CILIUM}/testdata"),
        format!("{CILIUM}/btf/testdata"),
    ] {
        for el in files(&dir, "-el.elf") {
            let eb = PathBuf::from(el.to_string_lossy().replace("-el.elf", "-eb.elf"));
            let (Some(a), Some(b)) = (elf_btf(&el), elf_btf(&eb)) else {
                continue;
            };
            let codes = |blob: &[u8]| -> Vec<(Code, String, Option<u32>)> {
                validate_bytes_with(blob, &any)
                    .into_iter()
                    .map(|f| (f.code, f.message, f.type_id))
                    .collect()
            };
            assert_eq!(codes(&a), codes(&b), "{}", el.display());
            pairs += 1;
        }
    }
    let testdata = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/btf");
    let le = std::fs::read(format!("{testdata}/all_kinds.btf")).expect("testdata");
    let be = std::fs::read(format!("{testdata}/all_kinds.eb.btf")).expect("testdata");
    let kernel = kernel_btf::kernel_available("both_byte_orders_give_the_same_findings");
    agrees_with_kernel("testdata/btf/all_kinds.btf", &le, kernel);
    assert_eq!(
        validate_bytes_with(&le, &any)
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect::<Vec<_>>(),
        validate_bytes_with(&be, &any)
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect::<Vec<_>>()
    );
    if pairs == 0 {
        kernel_btf::skip(
            "both_byte_orders_give_the_same_findings",
            "cilium/ebpf test objects not installed",
        );
    }
}

#[test]
fn cilium_vmlinux_and_module_split_btf() {
    let Ok(gz) = std::fs::read(format!("{CILIUM}/btf/testdata/vmlinux.btf.gz")) else {
        return kernel_btf::skip(
            "cilium_vmlinux_and_module_split_btf",
            "cilium/ebpf testdata not installed",
        );
    };
    let mut data = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut data)
        .expect("gunzip");
    let base = Btf::parse(&data).expect("cilium vmlinux parses");
    let findings = validate(&base);
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{}",
        render(&findings)
    );
    let module =
        std::fs::read(format!("{CILIUM}/btf/testdata/btf_testmod.btf")).expect("split BTF");
    let split = Btf::parse_split(&module, &base).expect("split parses");
    let findings = validate(&split);
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{}",
        render(&findings)
    );
    if data[..2] == [0x9f, 0xeb]
        && kernel_btf::kernel_available("cilium_vmlinux_and_module_split_btf")
    {
        kernel_btf::expect_accepted(&data, "cilium's vmlinux BTF");
    }
}
