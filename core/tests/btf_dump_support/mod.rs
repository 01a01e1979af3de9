//! Shared by the `btf_dump_*` tests: the oracles (bpftool, clang-19), the
//! corpus of real objects, and a diff that points at the first bad line.

#![allow(dead_code)] // each test file uses a different subset

use bpfc::btf::elf::{self, InputFormat};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const VMLINUX: &str = "/sys/kernel/btf/vmlinux";
pub const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";
pub const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";
pub const ALL_KINDS_C: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/btf/all_kinds.bpf.c"
);

#[path = "../common/skip.rs"]
mod skip_rule;
pub use skip_rule::{have_bpftool, skip};

/// Runs `bpftool ARGS`, returning stdout, or `None` if bpftool refused.
pub fn bpftool(args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("bpftool")
        .args(args)
        .output()
        .expect("bpftool runs");
    out.status.success().then_some(out.stdout)
}

/// The BTF blob of a file: the file itself, or its ELF `.BTF` section.
pub fn btf_bytes(data: &[u8]) -> Result<&[u8], elf::ElfBtfError> {
    match elf::detect_format(data) {
        InputFormat::RawBtf => Ok(data),
        _ => elf::btf_sections(data).map(|s| s.btf.data),
    }
}

/// Panics with the first differing line when two dumps differ.
pub fn assert_same_text(what: &str, ours: &[u8], theirs: &[u8]) {
    if ours == theirs {
        return;
    }
    let ours = String::from_utf8_lossy(ours);
    let theirs = String::from_utf8_lossy(theirs);
    let mut a = ours.lines();
    let mut b = theirs.lines();
    let mut n = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (x, y) => panic!(
                "{what}: dumps differ at line {n}\n  bpfc:    {}\n  bpftool: {}",
                x.unwrap_or("<end of output>"),
                y.unwrap_or("<end of output>")
            ),
        }
    }
}

/// Every BPF object of the corpus: cilium's testdata (both byte orders) and
/// xdp-tools' installed objects. Empty (with a SKIP) when none are installed.
pub fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (dir, suffix) in [
        (format!("{CILIUM}/testdata"), ".elf"),
        (format!("{CILIUM}/btf/testdata"), ".elf"),
        (XDP_TOOLS.to_string(), ".o"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            skip(&format!("no objects in {dir}"));
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with(suffix) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The little-endian twin of a cilium `-eb.elf` object.
pub fn little_endian_twin(path: &Path) -> Option<PathBuf> {
    let s = path.to_str()?;
    s.strip_suffix("-eb.elf")
        .map(|stem| PathBuf::from(format!("{stem}-el.elf")))
}

/// Compiles testdata/btf/all_kinds.bpf.c with clang-19 into `dir`
/// (`None`, with a SKIP, when clang-19 is missing).
pub fn compile_all_kinds(dir: &Path) -> Option<PathBuf> {
    let obj = dir.join("all_kinds.bpf.o");
    let run = Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-O2", "-c", ALL_KINDS_C, "-o"])
        .arg(&obj)
        .output();
    match run {
        Ok(o) if o.status.success() => Some(obj),
        Ok(o) => panic!(
            "clang-19 failed on {ALL_KINDS_C}:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            skip(&format!("clang-19 not runnable: {e}"));
            None
        }
    }
}

/// cilium's vmlinux.btf.gz, decompressed into `dir` for bpftool.
pub fn cilium_vmlinux(dir: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let gz = format!("{CILIUM}/btf/testdata/vmlinux.btf.gz");
    let Ok(f) = std::fs::File::open(&gz) else {
        skip(&format!("{gz} missing"));
        return None;
    };
    let mut data = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut data)
        .expect("vmlinux.btf.gz decompresses");
    let out = dir.join("vmlinux.btf");
    std::fs::write(&out, data).expect("write temp vmlinux.btf");
    Some(out)
}
