//! DWARF → BTF against clang's own BTF: each C fixture of testdata/btf_c is
//! compiled by clang-19 twice, for the BPF target (`-g`: clang writes BTF
//! itself) and for the host (`-g`: DWARF only), and the BTF bpfc makes of
//! the host DWARF must give every named struct, union, enum and typedef
//! clang's BTF has, with the same size and member layout. The same holds
//! for gcc's DWARF (4 and 5, and DWARF 3's bitfield encoding), compressed
//! debug sections, and clang's big-endian BPF objects converted from their
//! own DWARF. The kernel (BPF_BTF_LOAD) must accept every blob.
//!
//! `long double` is 16 bytes on x86-64 and 8 on BPF: types holding one
//! differ for that reason alone and are left out.

#[path = "common/btf_blob.rs"]
mod btf_blob;
mod dwarf_support;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::btf::Btf;
use bpfc::bytes::Endian;
use bpfc::dwarf::{btf_from_elf, FromDwarfOptions};
use dwarf_support::{differences, layouts};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/btf_c");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    v.sort();
    assert!(v.len() >= 10, "the btf_c fixtures are there");
    v
}

/// Runs a compiler; `None` (after a SKIP) when it is not installed.
fn compile(compiler: &str, args: &[&str], src: &Path, out: &Path) -> Option<Vec<u8>> {
    let result = Command::new(compiler)
        .args(args)
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(out)
        .output();
    match result {
        Ok(o) if o.status.success() => Some(std::fs::read(out).unwrap()),
        Ok(o) => panic!(
            "{compiler} {args:?} {} failed:\n{}",
            src.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            kernel_btf::skip("dwarf_fidelity", &format!("{compiler} not runnable: {e}"));
            None
        }
    }
}

/// Ours from `host` against clang's BTF in `bpf_object`.
fn compare(name: &str, host: &[u8], bpf_object: &[u8]) -> Vec<u8> {
    let ours = btf_from_elf(
        host,
        &FromDwarfOptions {
            funcs: true,
            vars: true,
        },
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let blob = ours.btf.encode(Endian::Little).unwrap();
    let ours_btf = Btf::parse(&blob).unwrap();
    let reference_blob = bpfc::btf::elf::btf_sections(bpf_object)
        .unwrap()
        .btf
        .data
        .to_vec();
    let reference = Btf::parse(&reference_blob).unwrap();
    let want = layouts(&reference);
    let abi = dwarf_support::tainted(&want, "long double");
    let diffs = differences(&want, &layouts(&ours_btf), |key, _| abi.contains(key));
    assert!(diffs.is_empty(), "{name}: {}", diffs.join("\n"));
    assert!(!want.is_empty(), "{name}: clang's BTF has named types");
    // `--funcs --vars`: every VAR, FUNC and DATASEC clang wrote, the same.
    let ours_decls = dwarf_support::declarations(&ours_btf);
    let mut compared = 0;
    for (key, want) in dwarf_support::declarations(&reference) {
        if want.contains("long double") {
            continue;
        }
        assert_eq!(ours_decls.get(&key), Some(&want), "{name}: {key}");
        compared += 1;
    }
    assert!(compared > 0, "{name}: clang's BTF declares variables");
    blob
}

fn kernel_accepts(name: &str, blob: &[u8]) {
    if !kernel_btf::kernel_available(name) {
        return;
    }
    if let Err(e) = bpfc::sys::btf_load(blob, bpfc::sys::LogLevel::BASIC) {
        panic!("{name}: the kernel refuses our BTF: {e}\n{}", e.log);
    }
}

#[test]
fn clang_host_dwarf_gives_clangs_btf() {
    let dir = tempfile::tempdir().unwrap();
    for src in fixtures() {
        let stem = src.file_stem().unwrap().to_string_lossy().to_string();
        let Some(bpf) = compile(
            "clang-19",
            &["-g", "-O2", "-target", "bpf"],
            &src,
            &dir.path().join("b.o"),
        ) else {
            return;
        };
        for (label, flags) in [
            ("clang -g", &["-g", "-O0"][..]),
            ("clang -gdwarf-4 -O2", &["-gdwarf-4", "-O2"][..]),
            ("clang -g -gz", &["-g", "-gz=zlib"][..]),
        ] {
            let host = compile("clang-19", flags, &src, &dir.path().join("h.o")).unwrap();
            let blob = compare(&format!("{stem} ({label})"), &host, &bpf);
            kernel_accepts(&stem, &blob);
        }
    }
}

#[test]
fn gcc_dwarf_gives_clangs_btf() {
    let dir = tempfile::tempdir().unwrap();
    for src in fixtures() {
        let stem = src.file_stem().unwrap().to_string_lossy().to_string();
        let Some(bpf) = compile(
            "clang-19",
            &["-g", "-O2", "-target", "bpf"],
            &src,
            &dir.path().join("b.o"),
        ) else {
            return;
        };
        // gcc ignores btf_type_tag/btf_decl_tag: its DWARF has none.
        let src_text = std::fs::read_to_string(&src).unwrap();
        if src_text.contains("btf_type_tag") || src_text.contains("btf_decl_tag") {
            continue;
        }
        // DWARF 3 writes bitfields as DW_AT_bit_offset from the top of the
        // storage unit; 4 and 5 as DW_AT_data_bit_offset.
        for flags in [
            &["-gdwarf-5"][..],
            &["-gdwarf-4"],
            &["-gdwarf-3", "-gstrict-dwarf"],
        ] {
            let Some(host) = compile("gcc", flags, &src, &dir.path().join("g.o")) else {
                return;
            };
            let blob = compare(&format!("{stem} (gcc {flags:?})"), &host, &bpf);
            kernel_accepts(&stem, &blob);
        }
    }
}

/// A big-endian BPF object's DWARF converts to the BTF clang wrote for it.
#[test]
fn big_endian_dwarf() {
    let dir = tempfile::tempdir().unwrap();
    for src in fixtures() {
        let stem = src.file_stem().unwrap().to_string_lossy().to_string();
        let Some(bpf) = compile(
            "clang-19",
            &["-g", "-O2", "-target", "bpfeb"],
            &src,
            &dir.path().join("b.o"),
        ) else {
            return;
        };
        let ours = btf_from_elf(&bpf, &FromDwarfOptions::default())
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        let blob = ours.btf.encode(Endian::Big).unwrap();
        let ours_btf = Btf::parse(&blob).unwrap();
        let reference = bpfc::btf::elf::btf_sections(&bpf).unwrap();
        let reference = Btf::parse(reference.btf.data).unwrap();
        let diffs = differences(&layouts(&reference), &layouts(&ours_btf), |_, _| false);
        assert!(diffs.is_empty(), "{stem} (bpfeb): {}", diffs.join("\n"));
    }
}

/// The BTF does not depend on anything but the DWARF: two conversions give
/// the same bytes.
#[test]
fn conversion_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let src = &fixtures()[0];
    let Some(host) = compile("clang-19", &["-g"], src, &dir.path().join("h.o")) else {
        return;
    };
    let options = FromDwarfOptions {
        funcs: true,
        vars: true,
    };
    let a = btf_from_elf(&host, &options)
        .unwrap()
        .btf
        .encode(Endian::Little)
        .unwrap();
    let b = btf_from_elf(&host, &options)
        .unwrap()
        .btf
        .encode(Endian::Little)
        .unwrap();
    assert_eq!(a, b);
}
