//! The host objects in the rlibs cargo built: every `ar` member that is an
//! ELF object with a section `#[bpf_map]` writes (`.maps`, `maps`,
//! `.bpfc.slots`).
//!
//! Cheap on purpose: a member is judged by its ELF header and section
//! headers only (no symbols, no relocations, no DWARF), and only kept
//! members are copied. A member that is not ELF (`lib.rmeta`, bitcode) is
//! skipped; one that claims to be ELF but whose headers are broken, or an
//! rlib that is not an archive, is an error naming the file.

use goblin::archive::Archive;
use goblin::container::Ctx;
use goblin::elf::section_header::{SectionHeader, SHN_XINDEX};
use goblin::elf::Elf;
use std::fmt;
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
        let data = std::fs::read(path).map_err(|error| RlibError::Read {
            path: path.clone(),
            error,
        })?;
        all.extend(members_with_maps(path, &data)?);
    }
    all.sort_by(|a, b| a.origin.cmp(&b.origin));
    Ok(all)
}

/// The members of the archive `data` (read from `path`) that declare maps,
/// in archive order.
pub fn members_with_maps(path: &Path, data: &[u8]) -> Result<Vec<Collected>, RlibError> {
    let archive = Archive::parse(data).map_err(|e| RlibError::Archive {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let mut kept = Vec::new();
    for i in 0..archive.len() {
        let Some(member) = archive.get_at(i) else {
            continue;
        };
        let name = member.extended_name();
        let origin = format!("{}({name})", path.display());
        let bytes = usize::try_from(member.offset)
            .ok()
            .and_then(|start| data.get(start..start.checked_add(member.size())?))
            .ok_or_else(|| RlibError::Archive {
                path: path.to_path_buf(),
                error: format!("member {name} runs past the end of the file"),
            })?;
        match map_sections(bytes) {
            Ok(sections) if sections.is_empty() => {}
            Ok(sections) => kept.push(Collected {
                origin,
                data: bytes.to_vec(),
                sections,
            }),
            Err(error) => return Err(RlibError::Member { origin, error }),
        }
    }
    Ok(kept)
}

/// Which of [`MAP_SECTIONS`] the object `bytes` has; none for anything
/// that is not ELF. Reads the ELF header and section headers only.
pub fn map_sections(bytes: &[u8]) -> Result<Vec<&'static str>, String> {
    if !bytes.starts_with(b"\x7fELF") {
        return Ok(Vec::new());
    }
    let header = Elf::parse_header(bytes).map_err(|e| e.to_string())?;
    let container = header.container().map_err(|e| e.to_string())?;
    let endian = header.endianness().map_err(|e| e.to_string())?;
    let ctx = Ctx::new(container, endian);
    let shoff = usize::try_from(header.e_shoff).map_err(|_| "section header offset too large")?;
    let headers = SectionHeader::parse(bytes, shoff, usize::from(header.e_shnum), ctx)
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
    let names = usize::try_from(strtab.sh_offset)
        .ok()
        .zip(usize::try_from(strtab.sh_size).ok())
        .and_then(|(start, size)| bytes.get(start..start.checked_add(size)?))
        .ok_or("section name table runs past the end of the object")?;
    let mut found = Vec::new();
    for wanted in MAP_SECTIONS {
        let has = headers.iter().any(|sh| {
            names
                .get(sh.sh_name..)
                .and_then(|rest| rest.split(|&b| b == 0).next())
                .is_some_and(|name| name == wanted.as_bytes())
        });
        if has {
            found.push(wanted);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(map_sections(&elf(&[".text", ".maps"])).unwrap(), [".maps"]);
        assert_eq!(map_sections(&elf(&["maps"])).unwrap(), ["maps"]);
        assert_eq!(
            map_sections(&elf(&[".bpfc.slots", ".maps", ".data"])).unwrap(),
            [".maps", ".bpfc.slots"]
        );
        // Names that merely start or end like one do not count.
        assert!(map_sections(&elf(&[".maps.x", "xmaps", ".text"]))
            .unwrap()
            .is_empty());
        assert!(map_sections(b"rust metadata").unwrap().is_empty());
    }

    #[test]
    fn broken_elf_is_an_error() {
        let mut cut = elf(&[".maps"]);
        cut.truncate(100);
        assert!(map_sections(&cut).is_err());
        assert!(map_sections(b"\x7fELF\x02").is_err());
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
        let kept = members_with_maps(Path::new("x/libx.rlib"), &archive).unwrap();
        let origins: Vec<_> = kept.iter().map(|c| c.origin.as_str()).collect();
        assert_eq!(origins, ["x/libx.rlib(b.o)", "x/libx.rlib(a.o)"]);
        assert_eq!(kept[0].data, with);
        assert_eq!(kept[1].sections, ["maps", ".bpfc.slots"]);
    }

    #[test]
    fn bad_archives_name_the_file() {
        let e = members_with_maps(Path::new("libbad.rlib"), b"not an archive").unwrap_err();
        assert!(matches!(e, RlibError::Archive { .. }));
        assert!(e.to_string().contains("libbad.rlib"), "{e}");

        let mut cut = elf(&[".maps"]);
        cut.truncate(80);
        let archive = ar(&[("m.o", &cut)]);
        let e = members_with_maps(Path::new("libm.rlib"), &archive).unwrap_err();
        assert_eq!(e.place(), "libm.rlib(m.o)");

        let e = collect(&[PathBuf::from("/nonexistent/libz.rlib")]).unwrap_err();
        assert!(matches!(e, RlibError::Read { .. }));
        assert!(e.to_string().contains("/nonexistent/libz.rlib"), "{e}");
    }
}
