//! ELF sections and what libbpf makes of each (`bpf_object__elf_collect`).

use super::elf::*;
use serde::Serialize;
use std::borrow::Cow;

/// One ELF section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section<'a> {
    /// ELF section index.
    pub index: u32,
    pub name: Cow<'a, str>,
    /// What the section holds for a BPF loader.
    pub kind: SectionKind,
    pub sh_type: u32,
    pub flags: u64,
    pub offset: u64,
    pub size: u64,
    pub link: u32,
    pub info: u32,
    pub addralign: u64,
    pub entsize: u64,
    #[serde(skip)]
    data: &'a [u8],
}

/// The role of a section, following libbpf's classification by name, type and flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SectionKind {
    /// Index 0, or an empty placeholder.
    Null,
    /// Executable code: programs and subprograms.
    Program,
    /// `.maps`: BTF-defined maps.
    BtfMaps,
    /// `maps`, `maps/NAME`, `maps.*`: legacy map definitions.
    LegacyMaps,
    /// `.data`, `.data.*`: writable global data.
    Data,
    /// `.rodata`, `.rodata.*`: read-only global data.
    Rodata,
    /// `.bss`, `.bss.*`: zero-initialised global data.
    Bss,
    /// `.struct_ops` or `.struct_ops.link`.
    StructOps {
        link: bool,
    },
    License,
    Version,
    Btf,
    BtfExt,
    /// `SHT_REL` for section `target`.
    Relocations {
        target: u32,
    },
    SymbolTable,
    StringTable,
    /// `.llvm_addrsig`.
    AddrSig,
    /// DWARF (`.debug_*`).
    Debug,
    /// `.addr_space.1`: arena globals.
    ArenaData,
    /// Anything libbpf skips ("unrecognized data section").
    Other,
}

impl<'a> Section<'a> {
    #[inline]
    pub(crate) fn new(
        index: u32,
        name: Cow<'a, str>,
        h: &SectionHeader,
        data: &'a [u8],
    ) -> Section<'a> {
        // Classified before the struct is built: patching `kind` into a
        // finished struct made every copy of it stall on the store.
        let kind = classify(index, &name, h);
        Section {
            index,
            name,
            kind,
            sh_type: h.sh_type,
            flags: h.flags,
            offset: h.offset,
            size: h.size,
            link: h.link,
            info: h.info,
            addralign: h.addralign,
            entsize: h.entsize,
            data,
        }
    }

    /// The section's bytes (empty for NOBITS).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn is_executable(&self) -> bool {
        self.flags & SHF_EXECINSTR != 0
    }

    pub fn is_compressed(&self) -> bool {
        self.flags & SHF_COMPRESSED != 0
    }

    pub fn is_nobits(&self) -> bool {
        self.sh_type == SHT_NOBITS
    }

    /// Whether libbpf turns this section into an internal (global data) map.
    pub fn is_global_data(&self) -> bool {
        matches!(
            self.kind,
            SectionKind::Data | SectionKind::Rodata | SectionKind::Bss
        )
    }
}

/// The role of a section, by libbpf's rules (`bpf_object__elf_collect`).
fn classify(index: u32, name: &str, h: &SectionHeader) -> SectionKind {
    if index == 0 || h.sh_type == SHT_NULL {
        return SectionKind::Null;
    }
    match h.sh_type {
        SHT_STRTAB => return SectionKind::StringTable,
        SHT_SYMTAB => return SectionKind::SymbolTable,
        SHT_LLVM_ADDRSIG => return SectionKind::AddrSig,
        _ => {}
    }
    if name.starts_with(".debug_") || name.starts_with(".rel.debug_") {
        return SectionKind::Debug;
    }
    match name {
        "license" => return SectionKind::License,
        "version" => return SectionKind::Version,
        ".maps" => return SectionKind::BtfMaps,
        ".BTF" => return SectionKind::Btf,
        ".BTF.ext" => return SectionKind::BtfExt,
        ".addr_space.1" => return SectionKind::ArenaData,
        _ => {}
    }
    // cilium/ebpf (up to v0.20) treats every section whose name starts with
    // "maps" as legacy map definitions; libbpf 1.x refuses exactly "maps".
    if name.starts_with("maps") {
        return SectionKind::LegacyMaps;
    }
    if h.sh_type == SHT_PROGBITS {
        if h.flags & SHF_EXECINSTR != 0 {
            return if h.size > 0 {
                SectionKind::Program
            } else {
                SectionKind::Other
            };
        }
        if name == ".data" || name.starts_with(".data.") {
            return SectionKind::Data;
        }
        if name == ".rodata" || name.starts_with(".rodata.") {
            return SectionKind::Rodata;
        }
        if name == ".struct_ops" {
            return SectionKind::StructOps { link: false };
        }
        if name == ".struct_ops.link" {
            return SectionKind::StructOps { link: true };
        }
    }
    if h.sh_type == SHT_NOBITS && (name == ".bss" || name.starts_with(".bss.")) {
        return SectionKind::Bss;
    }
    SectionKind::Other
}
