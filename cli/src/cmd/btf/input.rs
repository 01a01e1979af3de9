//! Reading `bpfc btf` inputs: raw BTF or an ELF object's `.BTF`, an optional
//! base for split BTF, and rendering what goes wrong with them.

use crate::render::Diagnostic;
use bpfc::btf::elf::{self, ElfBtfError, InputFormat, BTF_SECTION};
use bpfc::btf::{Btf, BtfError, Header};
use std::path::{Path, PathBuf};

/// Where the kernel publishes BTF: vmlinux, and one split blob per module.
const SYSFS_BTF_DIR: &str = "/sys/kernel/btf/";
const SYSFS_VMLINUX: &str = "/sys/kernel/btf/vmlinux";

/// FILE and the base its BTF may be split from, read once.
pub(super) struct Inputs {
    pub(super) input: Input,
    base: Option<Input>,
}

impl Inputs {
    pub(super) fn read(file: &Path, base: Option<&Path>) -> Result<Inputs, Box<Diagnostic>> {
        let base = base_path(file, base)
            .as_deref()
            .map(Input::read)
            .transpose()?;
        Ok(Inputs {
            input: Input::read(file)?,
            base,
        })
    }

    /// The parsed base BTF, when there is one.
    pub(super) fn base_btf(&self) -> Result<Option<Btf<'_>>, Box<Diagnostic>> {
        match &self.base {
            Some(base) => base.btf_blob()?.parse(None).map(Some),
            None => Ok(None),
        }
    }
}

/// The base to use for FILE: the one given, or, like bpftool, vmlinux for a
/// module's BTF under /sys/kernel/btf/ (split BTF on top of vmlinux).
fn base_path(file: &Path, base: Option<&Path>) -> Option<PathBuf> {
    base.map(Path::to_path_buf).or_else(|| {
        let p = file.to_str()?;
        (p.starts_with(SYSFS_BTF_DIR) && p != SYSFS_VMLINUX).then(|| PathBuf::from(SYSFS_VMLINUX))
    })
}

/// Refuses split BTF given without its base, which would otherwise read
/// every name wrong.
pub(super) fn require_base_if_split(
    btf: &Btf<'_>,
    has_base: bool,
    input: &Input,
    blob: &Blob<'_>,
) -> Result<(), Box<Diagnostic>> {
    if has_base || !looks_split(btf) {
        return Ok(());
    }
    Err(Box::new(
        Diagnostic::error(format!(
            "{} looks like split BTF, which needs its base",
            input.path.display()
        ))
        .at(blob.location())
        .note("its string section does not start with the empty string, as base BTF must")
        .help("pass the BTF it was built against, e.g. --base /sys/kernel/btf/vmlinux"),
    ))
}

/// Base BTF's string section starts with the empty string (offset 0 is "");
/// a split blob's continues its base's and starts with a real name.
fn looks_split(btf: &Btf<'_>) -> bool {
    btf.string_section().first().is_some_and(|&b| b != 0)
}

/// A file read into memory. Not memory-mapped: mapping needs `unsafe`,
/// which the project keeps to `bpfc::sys`, and one read of vmlinux's few
/// megabytes costs about a millisecond.
pub(super) struct Input {
    pub(super) path: PathBuf,
    pub(super) data: Vec<u8>,
}

/// The BTF bytes inside an input, and where they came from.
pub(super) struct Blob<'a> {
    path: &'a Path,
    pub(super) bytes: &'a [u8],
    /// `(section index, file offset)` when the blob is an ELF `.BTF` section.
    pub(super) section: Option<(usize, u64)>,
}

impl Input {
    pub(super) fn read(path: &Path) -> Result<Input, Box<Diagnostic>> {
        match bpfc::input::read_file_limited(path, bpfc::input::MAX_BTF_INPUT_BYTES) {
            Ok(data) => Ok(Input {
                path: path.to_path_buf(),
                data,
            }),
            Err(e) => Err(Box::new(
                Diagnostic::error(format!("cannot read {}: {e}", path.display()))
                    .at(path.display().to_string()),
            )),
        }
    }

    pub(super) fn btf_blob(&self) -> Result<Blob<'_>, Box<Diagnostic>> {
        let path = self.path.as_path();
        match elf::detect_format(&self.data) {
            InputFormat::RawBtf => Ok(Blob {
                path,
                bytes: &self.data,
                section: None,
            }),
            InputFormat::Elf => match elf::btf_sections(&self.data) {
                Ok(found) => Ok(Blob {
                    path,
                    bytes: found.btf.data,
                    section: Some((found.btf.index, found.btf.file_offset)),
                }),
                Err(e) => Err(Box::new(elf_error(path, &e))),
            },
            InputFormat::Unknown => {
                let head: Vec<String> = self
                    .data
                    .iter()
                    .take(4)
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let starts = if head.is_empty() {
                    "it is empty".to_string()
                } else {
                    format!("it starts with {}", head.join(" "))
                };
                Err(Box::new(
                    Diagnostic::error(format!(
                        "{} is neither raw BTF nor an ELF object",
                        path.display()
                    ))
                    .at(path.display().to_string())
                    .note(format!(
                        "{starts}; raw BTF starts with 9f eb (or eb 9f), ELF with 7f 45 4c 46"
                    ))
                    .help(
                        "pass /sys/kernel/btf/vmlinux, a module's BTF with --base, \
                         or a BPF object compiled with -g",
                    ),
                ))
            }
        }
    }
}

impl<'a> Blob<'a> {
    /// `FILE` or `FILE: section .BTF (index N, file offset 0x...)`.
    pub(super) fn location(&self) -> String {
        match self.section {
            None => self.path.display().to_string(),
            Some((index, offset)) => format!(
                "{}: section {BTF_SECTION} (index {index}, file offset {offset:#x})",
                self.path.display()
            ),
        }
    }

    pub(super) fn parse(&self, base: Option<&'a Btf<'a>>) -> Result<Btf<'a>, Box<Diagnostic>> {
        let parsed = match base {
            Some(b) => Btf::parse_split(self.bytes, b),
            None => Btf::parse(self.bytes),
        };
        parsed.map_err(|e| Box::new(self.btf_error(&e)))
    }

    /// `offset 0x..`, or `offset 0x.. in .BTF` when the blob is an ELF
    /// section (the offset is always from the start of the BTF blob).
    pub(super) fn offset(&self, off: u64) -> String {
        match self.section {
            None => format!("offset {off:#x}"),
            Some(_) => format!("offset {off:#x} in {BTF_SECTION}"),
        }
    }

    /// Blob offset of a position in the type section (the reader reports
    /// those relative to the section).
    fn type_offset(&self, off_in_types: u32) -> u64 {
        let types_start = Header::parse(self.bytes)
            .map(|(h, _)| u64::from(h.hdr_len) + u64::from(h.type_off))
            .unwrap_or(0);
        types_start + u64::from(off_in_types)
    }

    fn btf_error(&self, e: &BtfError) -> Diagnostic {
        let d = Diagnostic::error(e.to_string());
        let (detail, d) = match e {
            BtfError::BadMagic { .. } | BtfError::Header { .. } => (Some(self.offset(0)), d),
            BtfError::Truncated { offset, .. } => (
                Some(self.offset(*offset as u64)),
                d.help("the file looks cut short; produce it again"),
            ),
            BtfError::SectionOutOfBounds { start, .. } => (
                Some(self.offset(*start)),
                d.help(
                    "the header promises more bytes than the blob has; the file looks cut short",
                ),
            ),
            BtfError::UnknownKind { id, offset, .. } => (
                Some(format!(
                    "type [{id}] at {}",
                    self.offset(self.type_offset(*offset))
                )),
                d.note(format!(
                    "the last kind bpfc knows is {}",
                    bpfc::btf::KIND_MAX
                )),
            ),
            BtfError::TypeTruncated { id, offset, .. } => (
                Some(format!(
                    "type [{id}] at {}",
                    self.offset(self.type_offset(*offset))
                )),
                d.help("the type section ends inside this type; the file looks cut short"),
            ),
            BtfError::EndianMismatch { .. } => (
                None,
                d.help("the base must be the BTF this blob was built against"),
            ),
            BtfError::Type { id, .. } | BtfError::NoSuchType { id, .. } => {
                (Some(format!("type [{id}]")), d)
            }
            _ => (None, d),
        };
        match detail {
            Some(detail) => d.at(format!("{}, {detail}", self.location())),
            None => d.at(self.location()),
        }
    }
}

fn elf_error(path: &Path, e: &ElfBtfError) -> Diagnostic {
    let d = Diagnostic::error(format!("cannot find BTF in {}: {e}", path.display()))
        .at(path.display().to_string());
    match e {
        ElfBtfError::NoBtfSection => d
            .note("the object was built without BTF")
            .help("compile with debug info: clang -g -target bpf ..."),
        ElfBtfError::SectionOutOfBounds { .. } | ElfBtfError::Malformed { .. } => {
            d.help("the file looks cut short or corrupted; produce it again")
        }
        _ => d,
    }
}
