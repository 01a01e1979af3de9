//! Shared by the BTF round-trip, builder and `.BTF.ext` tests: the real
//! inputs (kernel BTF, cilium and xdp-tools objects), ELF section
//! extraction with goblin, and the SKIP-or-fail rule for missing inputs.

#![allow(dead_code)] // each test crate uses a different part

use std::io::Read;
use std::path::{Path, PathBuf};

pub const SYS_VMLINUX: &str = "/sys/kernel/btf/vmlinux";
pub const CILIUM: &str = "/usr/share/gocode/src/github.com/cilium/ebpf";
pub const XDP_TOOLS: &str = "/usr/lib/x86_64-linux-gnu/bpf";

#[path = "../common/skip.rs"]
mod skip_rule;
pub use skip_rule::skip;

/// Reads a file, or SKIPs (fails under CI) when it is missing.
pub fn read_or_skip(path: &str) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(d) => Some(d),
        Err(e) => {
            skip(&format!("cannot read {path}: {e}"));
            None
        }
    }
}

/// cilium's `btf/testdata/vmlinux.btf.gz`, decompressed.
pub fn cilium_vmlinux() -> Option<Vec<u8>> {
    let gz = read_or_skip(&format!("{CILIUM}/btf/testdata/vmlinux.btf.gz"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .expect("vmlinux.btf.gz decompresses");
    Some(out)
}

/// Every BPF object of the corpus: cilium's testdata (both byte orders)
/// and xdp-tools' installed objects. SKIPs (fails under CI) when a
/// directory is missing.
pub fn corpus_objects() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let dirs = [
        (format!("{CILIUM}/testdata"), ".elf"),
        (format!("{CILIUM}/btf/testdata"), ".elf"),
        (XDP_TOOLS.to_string(), ".o"),
    ];
    for (dir, ext) in dirs {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                skip(&format!("cannot list {dir}: {e}"));
                continue;
            }
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The sections of an ELF object by name, with their bytes.
pub struct Object {
    pub path: PathBuf,
    pub data: Vec<u8>,
    pub big_endian: bool,
    sections: Vec<(String, std::ops::Range<usize>)>,
}

impl Object {
    pub fn open(path: &Path) -> Object {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let elf = goblin::elf::Elf::parse(&data)
            .unwrap_or_else(|e| panic!("{}: not an ELF: {e}", path.display()));
        let big_endian =
            elf.header.e_ident[goblin::elf::header::EI_DATA] == goblin::elf::header::ELFDATA2MSB;
        let mut sections = Vec::new();
        for sh in &elf.section_headers {
            if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
                continue;
            }
            let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("").to_string();
            let start = sh.sh_offset as usize;
            let end = start + sh.sh_size as usize;
            assert!(
                end <= data.len(),
                "{}: section {name} out of file",
                path.display()
            );
            sections.push((name, start..end));
        }
        Object {
            path: path.to_path_buf(),
            data,
            big_endian,
            sections,
        }
    }

    pub fn section(&self, name: &str) -> Option<&[u8]> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| &self.data[r.clone()])
    }

    pub fn has_section_prefix(&self, prefix: &str) -> bool {
        self.sections.iter().any(|(n, _)| n.starts_with(prefix))
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Runs a tool and returns its stdout, or SKIPs (fails under CI) when the
/// tool is not installed.
pub fn tool_output(tool: &str, args: &[&str]) -> Option<String> {
    match std::process::Command::new(tool).args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("tool output is UTF-8"))
        }
        Err(e) => {
            skip(&format!("cannot run {tool}: {e}"));
            None
        }
    }
}

/// Where two byte strings first differ, for readable assertion messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len())),
    )
}

/// Everything a parsed type says, with names resolved, read through the
/// parser's views only (never through the builder), so two blobs can be
/// compared type by type whatever their byte order.
pub fn describe(btf: &bpfc::btf::Btf<'_>, t: &bpfc::btf::Type<'_>) -> String {
    use std::fmt::Write;
    let name = |off: u32| match btf.str_bytes(off) {
        Ok(s) => format!("{:?}", String::from_utf8_lossy(s)),
        Err(_) => format!("<bad name offset {off}>"),
    };
    let mut s = format!(
        "[{}] {} {} kflag={} vlen={} word={}",
        t.id(),
        t.kind(),
        name(t.name_off()),
        t.kflag(),
        t.vlen(),
        t.size()
    );
    if let Some(raw) = t.int_raw() {
        write!(s, " int={raw:#x}").unwrap();
    }
    if let Some(a) = t.array() {
        write!(s, " array={a:?}").unwrap();
    }
    for m in t.members() {
        write!(
            s,
            " | {} type={} off={:#x}",
            name(m.name_off),
            m.type_id,
            m.raw_offset
        )
        .unwrap();
    }
    for e in t.enumerators() {
        write!(s, " | {}={:#x}", name(e.name_off), e.value).unwrap();
    }
    for p in t.params() {
        write!(s, " | {} type={}", name(p.name_off), p.type_id).unwrap();
    }
    if let Some(l) = t.var_linkage() {
        write!(s, " linkage={l}").unwrap();
    }
    for e in t.datasec_entries() {
        write!(s, " | {e:?}").unwrap();
    }
    if let Some(i) = t.decl_tag_component_idx() {
        write!(s, " component_idx={i}").unwrap();
    }
    s
}
