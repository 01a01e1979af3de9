//! ELF symbols and relocations.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One entry of the symbol table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol<'a> {
    /// Index in the symbol table.
    pub index: u32,
    pub name: SymbolName<'a>,
    pub value: u64,
    pub size: u64,
    /// `st_shndx`: section index, or `SHN_UNDEF` / `SHN_ABS` / `SHN_COMMON`.
    pub section: u32,
    pub kind: SymbolKind,
    pub binding: Binding,
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    NoType,
    Object,
    Func,
    Section,
    File,
    Other(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    Local,
    Global,
    Weak,
    Other(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Default,
    Internal,
    Hidden,
    Protected,
}

/// `STT_*` (the low nibble of `st_info`) to [`SymbolKind`].
const SYMBOL_KINDS: [SymbolKind; 16] = {
    let mut t = [SymbolKind::NoType; 16];
    let mut i = 0;
    while i < 16 {
        t[i] = match i {
            0 => SymbolKind::NoType,
            1 => SymbolKind::Object,
            2 => SymbolKind::Func,
            3 => SymbolKind::Section,
            4 => SymbolKind::File,
            other => SymbolKind::Other(other as u8),
        };
        i += 1;
    }
    t
};

/// `STB_*` (the high nibble of `st_info`) to [`Binding`].
const BINDINGS: [Binding; 16] = {
    let mut t = [Binding::Local; 16];
    let mut i = 0;
    while i < 16 {
        t[i] = match i {
            0 => Binding::Local,
            1 => Binding::Global,
            2 => Binding::Weak,
            other => Binding::Other(other as u8),
        };
        i += 1;
    }
    t
};

impl<'a> Symbol<'a> {
    /// A decoded `Elf64_Sym` (`st_info`, `st_other`, `st_shndx`, `st_value`, `st_size`).
    #[inline]
    pub(crate) fn from_elf(
        index: u32,
        name: SymbolName<'a>,
        info: u8,
        other: u8,
        shndx: u16,
        value: u64,
        size: u64,
    ) -> Symbol<'a> {
        // Table lookups: a match per field cost a fifth of reading a symbol.
        let kind = SYMBOL_KINDS[usize::from(info & 0xf)];
        let binding = BINDINGS[usize::from(info >> 4)];
        let visibility = match other & 0x3 {
            0 => Visibility::Default,
            1 => Visibility::Internal,
            2 => Visibility::Hidden,
            _ => Visibility::Protected,
        };
        Symbol {
            index,
            name,
            value,
            size,
            section: u32::from(shndx),
            kind,
            binding,
            visibility,
        }
    }

    /// Global or weak.
    pub fn is_global(&self) -> bool {
        matches!(self.binding, Binding::Global | Binding::Weak)
    }

    /// Hidden or internal visibility: libbpf treats such globals as static.
    pub fn is_hidden(&self) -> bool {
        matches!(self.visibility, Visibility::Hidden | Visibility::Internal)
    }

    /// An extern as libbpf defines it: undefined, global or weak, no type.
    pub fn is_extern(&self) -> bool {
        self.section == super::elf::SHN_UNDEF
            && self.is_global()
            && self.kind == SymbolKind::NoType
            && self.index != 0
    }
}

/// A symbol's name, found in the string table only when asked for.
///
/// Most symbols of a BPF object are jump labels (`LBB0_3`) whose names no
/// check reads; finding where each name ends was a tenth of the time to
/// read an object. The reader checks when the symbol is read that a NUL
/// follows the name's offset, so the name is always there; it reads as
/// text exactly as before (lossily only when it is not UTF-8).
#[derive(Clone, Copy)]
pub struct SymbolName<'a> {
    /// The string table from the name's first byte on; a NUL is in it.
    tail: Tail<'a>,
}

/// The rest of the string table, as text when the whole table is UTF-8
/// (checked once per table): a name is then a slice of it, without
/// checking each name on its own.
#[derive(Clone, Copy)]
pub(crate) enum Tail<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl<'a> SymbolName<'a> {
    /// `tail` must hold a NUL (the ELF reader checks it).
    pub(crate) fn new(tail: Tail<'a>) -> SymbolName<'a> {
        SymbolName { tail }
    }

    fn tail_bytes(&self) -> &'a [u8] {
        match self.tail {
            Tail::Text(s) => s.as_bytes(),
            Tail::Bytes(b) => b,
        }
    }

    /// The name's bytes, without the NUL.
    pub fn bytes(&self) -> &'a [u8] {
        let tail = self.tail_bytes();
        &tail[..super::elf::nul_position(tail).unwrap_or(tail.len())]
    }

    /// The name as text: borrowed when it is UTF-8, else converted lossily.
    pub fn text(&self) -> Cow<'a, str> {
        match self.tail {
            // A NUL is one byte of its own in UTF-8, so the name ends on a
            // character boundary and `get` always succeeds.
            Tail::Text(s) => Cow::Borrowed(
                s.get(..super::elf::nul_position(s.as_bytes()).unwrap_or(s.len()))
                    .unwrap_or(s),
            ),
            Tail::Bytes(_) => super::elf::text(self.bytes()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tail_bytes().first().is_none_or(|&b| b == 0)
    }
}

impl PartialEq for SymbolName<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for SymbolName<'_> {}

/// Compared as text. Equal bytes are equal text; otherwise only a name
/// that is not UTF-8 can match, in its lossy form, which has a U+FFFD.
impl PartialEq<str> for SymbolName<'_> {
    fn eq(&self, other: &str) -> bool {
        self.bytes() == other.as_bytes() || (other.contains('\u{FFFD}') && self.text() == other)
    }
}

impl PartialEq<&str> for SymbolName<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for SymbolName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for SymbolName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text(), f)
    }
}

impl Serialize for SymbolName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// One `Elf64_Rel` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Relocation {
    /// Byte offset in the target section.
    pub offset: u64,
    /// Symbol table index.
    pub symbol: u32,
    /// `R_BPF_*` type.
    pub r_type: u32,
}

/// A `SHT_REL` section for code, `.maps` or struct_ops (the only ones a
/// loader reads; relocations of DWARF and `.BTF.ext` are not kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelocationSection {
    /// Index of the REL section itself.
    pub section: u32,
    /// Index of the section it patches.
    pub target: u32,
    pub entries: Vec<Relocation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn st_info_nibbles_decode_to_their_kind_and_binding() {
        for info in 0..=u8::MAX {
            let s = Symbol::from_elf(1, SymbolName::new(Tail::Bytes(b"x\0")), info, 0, 0, 0, 0);
            let kind = match info & 0xf {
                0 => SymbolKind::NoType,
                1 => SymbolKind::Object,
                2 => SymbolKind::Func,
                3 => SymbolKind::Section,
                4 => SymbolKind::File,
                n => SymbolKind::Other(n),
            };
            let binding = match info >> 4 {
                0 => Binding::Local,
                1 => Binding::Global,
                2 => Binding::Weak,
                n => Binding::Other(n),
            };
            assert_eq!((s.kind, s.binding), (kind, binding), "st_info {info:#04x}");
        }
    }
}
