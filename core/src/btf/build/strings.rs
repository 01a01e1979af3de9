//! The string section of a BTF under construction.
//!
//! Two ways to fill it: adding strings (each distinct string stored once),
//! or importing an existing section verbatim, so that a parsed blob
//! re-encodes to the same bytes. Strings added after an import reuse any
//! equal string already in the section.

use rustc_hash::FxHashMap as HashMap;

use crate::bytes::c_str_at;

/// A deduplicating BTF string section. Offsets are those the type records
/// use: for split BTF they continue after the base's strings, and strings
/// already in the base are found there instead of being added again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringTable {
    /// The strings of all base blobs below this one, concatenated (empty for
    /// base BTF). Kept so lookups and deduplication can see them.
    base: Vec<u8>,
    /// This blob's own string section.
    own: Vec<u8>,
    /// String → offset, built on first use: an import that is only
    /// re-encoded never pays for it.
    index: Option<HashMap<Box<[u8]>, u32>>,
}

impl StringTable {
    /// An empty section for base BTF: just the empty string at offset 0.
    pub fn new() -> StringTable {
        StringTable {
            base: Vec::new(),
            own: vec![0],
            index: None,
        }
    }

    /// An empty section for split BTF on top of `base_strings` (all base
    /// string sections concatenated). The empty string is the base's.
    pub fn new_split(base_strings: Vec<u8>) -> StringTable {
        StringTable {
            base: base_strings,
            own: Vec::new(),
            index: None,
        }
    }

    /// Takes over an existing string section byte for byte.
    pub fn from_section(base_strings: Vec<u8>, own: &[u8]) -> StringTable {
        StringTable {
            base: base_strings,
            own: own.to_vec(),
            index: None,
        }
    }

    /// Offset of this blob's first string (the base's string length).
    pub fn first_offset(&self) -> u32 {
        // The base came from a parsed blob, whose string section length is a u32.
        self.base.len() as u32
    }

    /// This blob's own string section, as it will be encoded.
    pub fn as_bytes(&self) -> &[u8] {
        &self.own
    }

    /// Length of this blob's own section in bytes.
    pub fn len(&self) -> usize {
        self.own.len()
    }

    pub fn is_empty(&self) -> bool {
        self.own.is_empty()
    }

    /// The string at `offset` (without its NUL), looking into the base for
    /// lower offsets.
    pub fn get(&self, offset: u32) -> Option<&[u8]> {
        let offset = offset as usize;
        match offset.checked_sub(self.base.len()) {
            None => c_str_at(&self.base, offset),
            Some(own_off) => c_str_at(&self.own, own_off),
        }
    }

    /// The offset of `s` if the base or this section already holds it.
    pub fn find(&mut self, s: &[u8]) -> Option<u32> {
        if s.is_empty() {
            if let Some(off) = self.empty_string_offset() {
                return Some(off);
            }
        }
        self.index().get(s).copied()
    }

    /// Adds a string (or finds an equal one) and returns its offset.
    pub fn add(&mut self, s: &str) -> u32 {
        self.add_bytes(s.as_bytes())
    }

    /// Adds raw bytes as a string. Bytes after an interior NUL would be
    /// unreachable, so the string is cut there, as C would see it.
    /// Appends `s` without looking for an equal string, for a caller that
    /// has deduplicated its strings itself (a string already in the table
    /// is then stored twice, which BTF allows). An index built later sees
    /// it; one built already is kept up to date.
    pub fn append_new(&mut self, s: &str) -> u32 {
        let s = s.as_bytes();
        let s = match s.iter().position(|&b| b == 0) {
            Some(nul) => &s[..nul],
            None => s,
        };
        let off = self.first_offset() as usize + self.own.len();
        let off = u32::try_from(off).unwrap_or(u32::MAX);
        self.own.extend_from_slice(s);
        self.own.push(0);
        if let Some(index) = &mut self.index {
            index.entry(s.into()).or_insert(off);
        }
        off
    }

    pub fn add_bytes(&mut self, s: &[u8]) -> u32 {
        let s = match s.iter().position(|&b| b == 0) {
            Some(nul) => &s[..nul],
            None => s,
        };
        if let Some(off) = self.find(s) {
            return off;
        }
        // Past 4 GiB of strings the offset saturates; `BtfBuilder::encode`
        // refuses such a table, so a wrong offset never reaches a blob.
        let off = self.first_offset() as usize + self.own.len();
        let off = u32::try_from(off).unwrap_or(u32::MAX);
        self.own.extend_from_slice(s);
        self.own.push(0);
        self.index().insert(s.into(), off);
        off
    }

    /// Offset 0 is the empty string in every valid blob; checked rather
    /// than assumed, since an imported section may be broken.
    fn empty_string_offset(&self) -> Option<u32> {
        let first = if self.base.is_empty() {
            self.own.first()
        } else {
            self.base.first()
        };
        (first == Some(&0)).then_some(0)
    }

    fn index(&mut self) -> &mut HashMap<Box<[u8]>, u32> {
        let (base, own) = (&self.base, &self.own);
        self.index.get_or_insert_with(|| {
            let mut index = HashMap::default();
            // The lowest offset wins, so repeated strings in an imported
            // section resolve the same way on every run.
            for (start, s) in
                strings_in(base).chain(strings_in(own).map(|(o, s)| (o + base.len(), s)))
            {
                index.entry(s.into()).or_insert(start as u32);
            }
            index
        })
    }
}

impl Default for StringTable {
    fn default() -> Self {
        StringTable::new()
    }
}

/// Every NUL-terminated string of a section with its start offset. A
/// trailing run without NUL is not a string and is skipped.
fn strings_in(section: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let tail = section.get(start..)?;
        let len = tail.iter().position(|&b| b == 0)?;
        let item = (start, &tail[..len]);
        start += len + 1;
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_each_string_once() {
        let mut t = StringTable::new();
        assert_eq!(t.add(""), 0);
        let a = t.add("alpha");
        let b = t.add("beta");
        assert_eq!((a, b), (1, 7));
        assert_eq!(t.add("alpha"), a);
        assert_eq!(t.as_bytes(), b"\0alpha\0beta\0");
        assert_eq!(t.get(b), Some(&b"beta"[..]));
        assert_eq!(t.get(99), None);
    }

    #[test]
    fn split_offsets_continue_the_base_and_reuse_its_strings() {
        let mut t = StringTable::new_split(b"\0int\0".to_vec());
        assert_eq!(t.add(""), 0);
        assert_eq!(t.add("int"), 1);
        assert_eq!(t.add("long"), 5);
        assert_eq!(t.as_bytes(), b"long\0");
        assert_eq!(t.get(1), Some(&b"int"[..]));
        assert_eq!(t.get(5), Some(&b"long"[..]));
    }

    #[test]
    fn imported_section_is_kept_verbatim_and_reused() {
        // A repeated string must not be merged: its offsets are in use.
        let section = b"\0a\0b\0a\0";
        let mut t = StringTable::from_section(Vec::new(), section);
        assert_eq!(t.as_bytes(), section);
        assert_eq!(t.add("a"), 1);
        assert_eq!(t.add("c"), 7);
        assert_eq!(t.as_bytes(), b"\0a\0b\0a\0c\0");
    }

    #[test]
    fn interior_nul_cuts_the_string() {
        let mut t = StringTable::new();
        assert_eq!(t.add_bytes(b"ab\0cd"), 1);
        assert_eq!(t.as_bytes(), b"\0ab\0");
    }
}
