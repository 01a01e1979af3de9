//! The host objects in the rlibs cargo built: every `ar` member that is an
//! ELF object with a section `#[bpf_map]` writes (`.maps`, `maps`,
//! `.bpfc.slots`).
//!
//! Cheap on purpose: a member is judged by its ELF header and section
//! headers only (no symbols, no relocations, no DWARF), and only kept
//! members are copied. A member that is not ELF (`lib.rmeta`, bitcode) is
//! skipped; one that claims to be ELF but whose headers are broken, or an
//! rlib that is not an archive, is an error naming the file.

use goblin::container::Ctx;
use goblin::elf::section_header::{SectionHeader, SHN_XINDEX};
use goblin::elf::Elf;
use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The sections that mark an object as declaring maps.
pub const MAP_SECTIONS: [&str; 3] = [".maps", "maps", ".bpfc.slots"];

/// One member kept for conversion.
#[derive(Debug)]
pub struct Collected {
    /// `path/libx.rlib(member.o)`.
    pub origin: String,
    /// The member's bytes (a whole ELF object).
    pub data: Vec<u8>,
    /// Which of [`MAP_SECTIONS`] it has, in that order.
    pub sections: Vec<&'static str>,
}

/// Why an rlib could not be read.
#[derive(Debug)]
pub enum RlibError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not a readable `ar` archive.
    Archive { path: PathBuf, error: String },
    /// A member starts like an ELF object but its headers are broken.
    Member { origin: String, error: String },
}

impl RlibError {
    /// The file or member at fault.
    pub fn place(&self) -> String {
        match self {
            RlibError::Read { path, .. } | RlibError::Archive { path, .. } => {
                path.display().to_string()
            }
            RlibError::Member { origin, .. } => origin.clone(),
        }
    }
}

impl fmt::Display for RlibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RlibError::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            RlibError::Archive { path, error } => {
                write!(
                    f,
                    "{} is not a readable rlib (ar archive): {error}",
                    path.display()
                )
            }
            RlibError::Member { origin, error } => {
                write!(f, "{origin} is not a readable ELF object: {error}")
            }
        }
    }
}

/// The members of every rlib in `rlibs` that declare maps, sorted by
/// origin (each rlib read once, in any order given).
pub fn collect(rlibs: &[PathBuf]) -> Result<Vec<Collected>, RlibError> {
    let mut all = Vec::new();
    for path in rlibs {
        let file = std::fs::File::open(path).map_err(|error| RlibError::Read {
            path: path.clone(),
            error,
        })?;
        all.extend(members_with_maps(path, &file)?);
    }
    all.sort_by(|a, b| a.origin.cmp(&b.origin));
    Ok(all)
}

/// Bytes read by range: a whole file in memory, or a file read in pieces
/// (an rlib is mostly debug info that need not be read: bpfc's own is
/// ~50 MiB, of which a few KiB of headers decide).
pub trait Source {
    fn size(&self) -> io::Result<u64>;
    /// `len` bytes at `offset`, or an error when they run past the end.
    fn bytes(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>>;
}

impl Source for [u8] {
    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }

    fn bytes(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(len)?))
            .map(Cow::Borrowed)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "runs past the end"))
    }
}

impl Source for std::fs::File {
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn bytes(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        use std::os::unix::fs::FileExt;
        let size = self.size()?;
        if offset.checked_add(len as u64).is_none_or(|end| end > size) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "runs past the end",
            ));
        }
        let mut buf = vec![0u8; len];
        self.read_exact_at(&mut buf, offset)?;
        Ok(Cow::Owned(buf))
    }
}

/// The members of the `ar` archive `src` (read from `path`) that declare
/// maps, in archive order. Only the archive's member headers, each ELF
/// member's header and section headers, and the kept members are read.
pub fn members_with_maps<S: Source + ?Sized>(
    path: &Path,
    src: &S,
) -> Result<Vec<Collected>, RlibError> {
    let archive_error = |error: String| RlibError::Archive {
        path: path.to_path_buf(),
        error,
    };
    let read_error = |error: io::Error| RlibError::Read {
        path: path.to_path_buf(),
        error,
    };
    let size = src.size().map_err(read_error)?;
    match src.bytes(0, 8) {
        Ok(magic) if magic.as_ref() == b"!<arch>\n" => {}
        _ => return Err(archive_error("no `!<arch>` magic".into())),
    }
    let mut long_names: Vec<u8> = Vec::new();
    let mut kept = Vec::new();
    let mut pos = 8u64;
    while pos < size {
        let header = src
            .bytes(pos, 60)
            .map_err(|_| archive_error(format!("member header at {pos} is cut short")))?;
        if &header[58..60] != b"`\n" {
            return Err(archive_error(format!("member header at {pos} is damaged")));
        }
        let field =
            |r: std::ops::Range<usize>| String::from_utf8_lossy(&header[r]).trim().to_string();
        let raw_name = field(0..16);
        let mut len: u64 = field(48..58)
            .parse()
            .map_err(|_| archive_error(format!("member header at {pos} has no size")))?;
        let mut start = pos + 60;
        let next = start
            .checked_add(len)
            .map(|end| end + (end & 1))
            .filter(|end| *end <= size + 1)
            .ok_or_else(|| {
                archive_error(format!("member at {pos} runs past the end of the file"))
            })?;
        let name = if let Some(n) = raw_name.strip_prefix("#1/") {
            // BSD: the name is the first n bytes of the data.
            let n: u64 = n
                .parse()
                .map_err(|_| archive_error("bad BSD name".into()))?;
            let bytes = src
                .bytes(start, n as usize)
                .map_err(|_| archive_error("cut-short BSD name".into()))?;
            start += n;
            len = len.saturating_sub(n);
            String::from_utf8_lossy(&bytes)
                .trim_end_matches('\0')
                .to_string()
        } else if raw_name == "//" {
            long_names = src
                .bytes(start, len as usize)
                .map_err(|_| archive_error("the long-name table runs past the end".into()))?
                .into_owned();
            pos = next;
            continue;
        } else if raw_name == "/" || raw_name == "/SYM64/" || raw_name.starts_with("__.SYMDEF") {
            pos = next;
            continue;
        } else if let Some(at) = raw_name
            .strip_prefix('/')
            .and_then(|n| n.parse::<usize>().ok())
        {
            let rest = long_names.get(at..).unwrap_or_default();
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end])
                .trim_end_matches('/')
                .to_string()
        } else {
            raw_name.trim_end_matches('/').to_string()
        };
        let origin = format!("{}({name})", path.display());
        match map_sections(src, start, len) {
            Ok(sections) if sections.is_empty() => {}
            Ok(sections) => {
                let data = src
                    .bytes(start, len as usize)
                    .map_err(|e| RlibError::Member {
                        origin: origin.clone(),
                        error: e.to_string(),
                    })?
                    .into_owned();
                kept.push(Collected {
                    origin,
                    data,
                    sections,
                });
            }
            Err(error) => return Err(RlibError::Member { origin, error }),
        }
        pos = next;
    }
    Ok(kept)
}

/// Which of [`MAP_SECTIONS`] the object of `len` bytes at `base` in `src`
/// has; none for anything that is not ELF. Reads the ELF header, the
/// section headers and the section-name table only.
pub fn map_sections<S: Source + ?Sized>(
    src: &S,
    base: u64,
    len: u64,
) -> Result<Vec<&'static str>, String> {
    let at = |offset: u64, n: usize| -> Result<Cow<'_, [u8]>, String> {
        if offset.checked_add(n as u64).is_none_or(|end| end > len) {
            return Err("runs past the end of the object".into());
        }
        src.bytes(base + offset, n).map_err(|e| e.to_string())
    };
    if len < 4 || at(0, 4)?.as_ref() != b"\x7fELF" {
        return Ok(Vec::new());
    }
    let ident = at(0, 64)?;
    let header = Elf::parse_header(&ident).map_err(|e| e.to_string())?;
    let container = header.container().map_err(|e| e.to_string())?;
    let endian = header.endianness().map_err(|e| e.to_string())?;
    let ctx = Ctx::new(container, endian);
    let shnum = usize::from(header.e_shnum);
    // No section headers (or more than 65,535, which a codegen unit never
    // has): nothing `#[bpf_map]` wrote.
    if shnum == 0 || header.e_shoff == 0 {
        return Ok(Vec::new());
    }
    let entsize = usize::from(header.e_shentsize).max(1);
    let table = at(header.e_shoff, shnum.saturating_mul(entsize))
        .map_err(|e| format!("section headers: {e}"))?;
    // goblin takes offset 0 to mean "no section headers": the table is
    // parsed one byte into a buffer that starts with a pad byte.
    let mut padded = Vec::with_capacity(table.len() + 1);
    padded.push(0);
    padded.extend_from_slice(&table);
    let headers = SectionHeader::parse(&padded, 1, shnum, ctx)
        .map_err(|e| format!("section headers: {e}"))?;
    if headers.is_empty() {
        return Ok(Vec::new());
    }
    let strndx = if u32::from(header.e_shstrndx) == SHN_XINDEX {
        headers[0].sh_link as usize
    } else {
        usize::from(header.e_shstrndx)
    };
    let strtab = headers
        .get(strndx)
        .ok_or_else(|| format!("section name table index {strndx} out of range"))?;
    let names = usize::try_from(strtab.sh_size)
        .map_err(|_| "section name table too large".to_string())
        .and_then(|size| at(strtab.sh_offset, size))
        .map_err(|_| "section name table runs past the end of the object")?;
    // One pass over the headers, each name read once: a codegen unit built
    // with a section per function has thousands of sections.
    let mut has = [false; MAP_SECTIONS.len()];
    for sh in &headers {
        let Some(rest) = names.get(sh.sh_name..) else {
            continue;
        };
        // Every wanted name starts with `.` or `m` and is at most 11 bytes.
        if !matches!(rest.first(), Some(b'.' | b'm')) {
            continue;
        }
        let name = &rest[..rest
            .iter()
            .take(16)
            .position(|&b| b == 0)
            .unwrap_or(rest.len().min(16))];
        if let Some(i) = MAP_SECTIONS.iter().position(|w| w.as_bytes() == name) {
            has[i] = true;
        }
    }
    Ok(MAP_SECTIONS
        .iter()
        .zip(has)
        .filter_map(|(w, h)| h.then_some(*w))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections_of(bytes: &[u8]) -> Result<Vec<&'static str>, String> {
        map_sections(bytes, 0, bytes.len() as u64)
    }

    /// A little-endian ELF64 relocatable object with `sections` (empty,
    /// SHT_PROGBITS) besides the null section and `.shstrtab`.
    pub(crate) fn elf(sections: &[&str]) -> Vec<u8> {
        let mut names = vec![0u8];
        let mut offsets = Vec::new();
        for s in sections.iter().chain([&".shstrtab"]) {
            offsets.push(names.len() as u32);
            names.extend_from_slice(s.as_bytes());
            names.push(0);
        }
        let shnum = sections.len() + 2;
        let names_at = 64usize;
        let shoff = (names_at + names.len()).next_multiple_of(8);
        let mut out = vec![0u8; shoff + shnum * 64];
        out[..4].copy_from_slice(b"\x7fELF");
        out[4] = 2; // ELFCLASS64
        out[5] = 1; // ELFDATA2LSB
        out[6] = 1; // EV_CURRENT
        out[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
        out[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        out[20..24].copy_from_slice(&1u32.to_le_bytes());
        out[40..48].copy_from_slice(&(shoff as u64).to_le_bytes());
        out[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
        out[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
        out[60..62].copy_from_slice(&(shnum as u16).to_le_bytes());
        out[62..64].copy_from_slice(&((shnum - 1) as u16).to_le_bytes());
        out[names_at..names_at + names.len()].copy_from_slice(&names);
        for (i, name) in offsets.iter().enumerate() {
            let sh = shoff + (i + 1) * 64;
            let strtab = i == sections.len();
            out[sh..sh + 4].copy_from_slice(&name.to_le_bytes());
            let ty: u32 = if strtab { 3 } else { 1 };
            out[sh + 4..sh + 8].copy_from_slice(&ty.to_le_bytes());
            if strtab {
                out[sh + 24..sh + 32].copy_from_slice(&(names_at as u64).to_le_bytes());
                out[sh + 32..sh + 40].copy_from_slice(&(names.len() as u64).to_le_bytes());
            }
        }
        out
    }

    /// A GNU `ar` archive of `members` (names up to 15 bytes).
    pub(crate) fn ar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = b"!<arch>\n".to_vec();
        for (name, data) in members {
            let header = format!(
                "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                format!("{name}/"),
                0,
                0,
                0,
                644,
                data.len()
            );
            assert_eq!(header.len(), 60);
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(data);
            if out.len() % 2 == 1 {
                out.push(b'\n');
            }
        }
        out
    }

    #[test]
    fn finds_each_map_section() {
        assert_eq!(sections_of(&elf(&[".text", ".maps"])).unwrap(), [".maps"]);
        assert_eq!(sections_of(&elf(&["maps"])).unwrap(), ["maps"]);
        assert_eq!(
            sections_of(&elf(&[".bpfc.slots", ".maps", ".data"])).unwrap(),
            [".maps", ".bpfc.slots"]
        );
        // Names that merely start or end like one do not count.
        assert!(sections_of(&elf(&[".maps.x", "xmaps", ".text"]))
            .unwrap()
            .is_empty());
        assert!(sections_of(b"rust metadata").unwrap().is_empty());
    }

    #[test]
    fn broken_elf_is_an_error() {
        let mut cut = elf(&[".maps"]);
        cut.truncate(100);
        assert!(sections_of(&cut).is_err());
        assert!(sections_of(b"\x7fELF\x02").is_err());
    }

    #[test]
    fn keeps_members_with_maps_in_archive_order() {
        let with = elf(&[".maps"]);
        let legacy = elf(&["maps", ".bpfc.slots"]);
        let without = elf(&[".text"]);
        let archive = ar(&[
            ("lib.rmeta", b"metadata"),
            ("b.o", &with),
            ("c.o", &without),
            ("a.o", &legacy),
        ]);
        let kept = members_with_maps(Path::new("x/libx.rlib"), archive.as_slice()).unwrap();
        let origins: Vec<_> = kept.iter().map(|c| c.origin.as_str()).collect();
        assert_eq!(origins, ["x/libx.rlib(b.o)", "x/libx.rlib(a.o)"]);
        assert_eq!(kept[0].data, with);
        assert_eq!(kept[1].sections, ["maps", ".bpfc.slots"]);
    }

    #[test]
    fn bad_archives_name_the_file() {
        let e = members_with_maps(Path::new("libbad.rlib"), &b"not an archive"[..]).unwrap_err();
        assert!(matches!(e, RlibError::Archive { .. }));
        assert!(e.to_string().contains("libbad.rlib"), "{e}");

        let mut cut = elf(&[".maps"]);
        cut.truncate(80);
        let archive = ar(&[("m.o", &cut)]);
        let e = members_with_maps(Path::new("libm.rlib"), archive.as_slice()).unwrap_err();
        assert_eq!(e.place(), "libm.rlib(m.o)");

        let e = collect(&[PathBuf::from("/nonexistent/libz.rlib")]).unwrap_err();
        assert!(matches!(e, RlibError::Read { .. }));
        assert!(e.to_string().contains("/nonexistent/libz.rlib"), "{e}");
    }
}
