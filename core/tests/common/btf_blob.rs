//! A tiny BTF assembler for tests: builds blobs type by type, including
//! blobs no real compiler would emit, and lays out the header so tests can
//! break any field of it.
//!
//! Every helper writes exactly the encoding of include/uapi/linux/btf.h;
//! nothing here checks the rules, that is the point.

#![allow(dead_code)]

use bpfc::bytes::Endian;

pub const KIND_INT: u32 = 1;
pub const KIND_PTR: u32 = 2;
pub const KIND_ARRAY: u32 = 3;
pub const KIND_STRUCT: u32 = 4;
pub const KIND_UNION: u32 = 5;
pub const KIND_ENUM: u32 = 6;
pub const KIND_FWD: u32 = 7;
pub const KIND_TYPEDEF: u32 = 8;
pub const KIND_VOLATILE: u32 = 9;
pub const KIND_CONST: u32 = 10;
pub const KIND_RESTRICT: u32 = 11;
pub const KIND_FUNC: u32 = 12;
pub const KIND_FUNC_PROTO: u32 = 13;
pub const KIND_VAR: u32 = 14;
pub const KIND_DATASEC: u32 = 15;
pub const KIND_FLOAT: u32 = 16;
pub const KIND_DECL_TAG: u32 = 17;
pub const KIND_TYPE_TAG: u32 = 18;
pub const KIND_ENUM64: u32 = 19;

pub const INT_SIGNED: u32 = 1;
pub const INT_CHAR: u32 = 2;
pub const INT_BOOL: u32 = 4;

/// `btf_type.info` from its parts.
pub fn info(kind: u32, kflag: bool, vlen: u32) -> u32 {
    (u32::from(kflag) << 31) | (kind << 24) | vlen
}

/// The INT word.
pub fn int_data(encoding: u32, offset: u32, bits: u32) -> u32 {
    (encoding << 24) | (offset << 16) | bits
}

/// A struct/union member: (name, type id, offset word as stored).
pub type Member<'a> = (&'a str, u32, u32);

/// Types and strings under construction. Type ids start at 1.
#[derive(Clone)]
pub struct BtfBlob {
    endian: Endian,
    types: Vec<u8>,
    strings: Vec<u8>,
    count: u32,
    /// Split BTF: ids and string offsets continue the base's.
    first_id: u32,
    first_str: u32,
}

impl Default for BtfBlob {
    fn default() -> Self {
        Self::new()
    }
}

impl BtfBlob {
    pub fn new() -> BtfBlob {
        Self::with_endian(Endian::NATIVE)
    }

    pub fn with_endian(endian: Endian) -> BtfBlob {
        BtfBlob {
            endian,
            types: Vec::new(),
            strings: vec![0],
            count: 0,
            first_id: 1,
            first_str: 0,
        }
    }

    /// Split BTF on top of a base whose last type id is `base_last_id` and
    /// whose string section has `base_str_len` bytes. Its own string
    /// section starts empty (offset `base_str_len`); offset 0 still means
    /// the base's empty string.
    pub fn split(endian: Endian, base_last_id: u32, base_str_len: u32) -> BtfBlob {
        BtfBlob {
            endian,
            types: Vec::new(),
            strings: Vec::new(),
            count: 0,
            first_id: base_last_id + 1,
            first_str: base_str_len,
        }
    }

    /// Adds a string (no deduplication) and returns its offset; "" is 0.
    pub fn str(&mut self, s: &str) -> u32 {
        self.str_bytes(s.as_bytes())
    }

    /// Adds raw string bytes (may be invalid UTF-8).
    pub fn str_bytes(&mut self, s: &[u8]) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let off = self.first_str + self.strings.len() as u32;
        self.strings.extend_from_slice(s);
        self.strings.push(0);
        off
    }

    /// Raw access to the string section (offset 0 is the leading NUL).
    pub fn strings_mut(&mut self) -> &mut Vec<u8> {
        &mut self.strings
    }

    pub fn types_mut(&mut self) -> &mut Vec<u8> {
        &mut self.types
    }

    /// The id the next type will get.
    pub fn next_id(&self) -> u32 {
        self.first_id + self.count
    }

    pub fn word(&mut self, w: u32) -> &mut Self {
        let b = self.endian.u32_bytes(w);
        self.types.extend_from_slice(&b);
        self
    }

    /// Starts a type with a raw header; trailing words follow with `word`.
    pub fn raw(&mut self, name_off: u32, info: u32, size_or_type: u32) -> u32 {
        self.word(name_off).word(info).word(size_or_type);
        self.count += 1;
        self.first_id + self.count - 1
    }

    fn named(&mut self, name: &str, info: u32, size_or_type: u32) -> u32 {
        let off = self.str(name);
        self.raw(off, info, size_or_type)
    }

    pub fn int(&mut self, name: &str, size: u32, bits: u32, encoding: u32) -> u32 {
        let id = self.named(name, info(KIND_INT, false, 0), size);
        self.word(int_data(encoding, 0, bits));
        id
    }

    /// `int`, 4 bytes, signed: the usual first type.
    pub fn int32(&mut self) -> u32 {
        self.int("int", 4, 32, INT_SIGNED)
    }

    pub fn ptr(&mut self, target: u32) -> u32 {
        self.raw(0, info(KIND_PTR, false, 0), target)
    }

    pub fn array(&mut self, elem: u32, index: u32, nelems: u32) -> u32 {
        let id = self.raw(0, info(KIND_ARRAY, false, 0), 0);
        self.word(elem).word(index).word(nelems);
        id
    }

    fn aggregate(
        &mut self,
        kind: u32,
        name: &str,
        size: u32,
        kflag: bool,
        members: &[Member<'_>],
    ) -> u32 {
        let id = self.named(name, info(kind, kflag, members.len() as u32), size);
        for &(m, ty, off) in members {
            let n = self.str(m);
            self.word(n).word(ty).word(off);
        }
        id
    }

    pub fn struct_(&mut self, name: &str, size: u32, members: &[Member<'_>]) -> u32 {
        self.aggregate(KIND_STRUCT, name, size, false, members)
    }

    /// A struct whose member offsets use the kflag encoding
    /// (`bitfield_size << 24 | bit_offset`).
    pub fn struct_kflag(&mut self, name: &str, size: u32, members: &[Member<'_>]) -> u32 {
        self.aggregate(KIND_STRUCT, name, size, true, members)
    }

    pub fn union_(&mut self, name: &str, size: u32, members: &[Member<'_>]) -> u32 {
        self.aggregate(KIND_UNION, name, size, false, members)
    }

    pub fn enum_(&mut self, name: &str, size: u32, signed: bool, values: &[(&str, i32)]) -> u32 {
        let id = self.named(name, info(KIND_ENUM, signed, values.len() as u32), size);
        for &(n, v) in values {
            let off = self.str(n);
            self.word(off).word(v as u32);
        }
        id
    }

    pub fn enum64(&mut self, name: &str, size: u32, signed: bool, values: &[(&str, u64)]) -> u32 {
        let id = self.named(name, info(KIND_ENUM64, signed, values.len() as u32), size);
        for &(n, v) in values {
            let off = self.str(n);
            self.word(off).word(v as u32).word((v >> 32) as u32);
        }
        id
    }

    pub fn fwd(&mut self, name: &str, is_union: bool) -> u32 {
        self.named(name, info(KIND_FWD, is_union, 0), 0)
    }

    pub fn typedef(&mut self, name: &str, target: u32) -> u32 {
        self.named(name, info(KIND_TYPEDEF, false, 0), target)
    }

    pub fn volatile(&mut self, target: u32) -> u32 {
        self.raw(0, info(KIND_VOLATILE, false, 0), target)
    }

    pub fn const_(&mut self, target: u32) -> u32 {
        self.raw(0, info(KIND_CONST, false, 0), target)
    }

    pub fn restrict(&mut self, target: u32) -> u32 {
        self.raw(0, info(KIND_RESTRICT, false, 0), target)
    }

    pub fn func(&mut self, name: &str, proto: u32, linkage: u32) -> u32 {
        self.named(name, info(KIND_FUNC, false, linkage), proto)
    }

    pub fn func_proto(&mut self, ret: u32, params: &[(&str, u32)]) -> u32 {
        let id = self.raw(0, info(KIND_FUNC_PROTO, false, params.len() as u32), ret);
        for &(n, ty) in params {
            let off = self.str(n);
            self.word(off).word(ty);
        }
        id
    }

    pub fn var(&mut self, name: &str, ty: u32, linkage: u32) -> u32 {
        let id = self.named(name, info(KIND_VAR, false, 0), ty);
        self.word(linkage);
        id
    }

    /// DATASEC with entries (var type id, offset, size).
    pub fn datasec(&mut self, name: &str, size: u32, entries: &[(u32, u32, u32)]) -> u32 {
        let id = self.named(name, info(KIND_DATASEC, false, entries.len() as u32), size);
        for &(ty, off, sz) in entries {
            self.word(ty).word(off).word(sz);
        }
        id
    }

    pub fn float(&mut self, name: &str, size: u32) -> u32 {
        self.named(name, info(KIND_FLOAT, false, 0), size)
    }

    pub fn decl_tag(&mut self, value: &str, target: u32, component_idx: i32) -> u32 {
        let id = self.named(value, info(KIND_DECL_TAG, false, 0), target);
        self.word(component_idx as u32);
        id
    }

    pub fn type_tag(&mut self, value: &str, target: u32) -> u32 {
        self.named(value, info(KIND_TYPE_TAG, false, 0), target)
    }

    /// The blob with the usual layout: 24-byte header, types, strings.
    pub fn build(&self) -> Vec<u8> {
        self.layout().to_bytes()
    }

    /// The blob's parts, for tests that break the header or the layout.
    pub fn layout(&self) -> Layout {
        Layout {
            endian: self.endian,
            magic: 0xeb9f,
            version: 1,
            flags: 0,
            hdr_len: 24,
            type_off: 0,
            type_len: self.types.len() as u32,
            str_off: self.types.len() as u32,
            str_len: self.strings.len() as u32,
            header_tail: Vec::new(),
            body: [self.types.as_slice(), self.strings.as_slice()].concat(),
        }
    }
}

/// Header fields and the bytes after the header, written as given (so they
/// may disagree with each other).
#[derive(Clone, Debug)]
pub struct Layout {
    pub endian: Endian,
    pub magic: u16,
    pub version: u8,
    pub flags: u8,
    /// Written as is; `header_tail` supplies the bytes past the first 24.
    pub hdr_len: u32,
    pub type_off: u32,
    pub type_len: u32,
    pub str_off: u32,
    pub str_len: u32,
    pub header_tail: Vec<u8>,
    pub body: Vec<u8>,
}

impl Layout {
    pub fn to_bytes(&self) -> Vec<u8> {
        let e = self.endian;
        let mut out = Vec::new();
        out.extend_from_slice(&e.u16_bytes(self.magic));
        out.push(self.version);
        out.push(self.flags);
        for w in [
            self.hdr_len,
            self.type_off,
            self.type_len,
            self.str_off,
            self.str_len,
        ] {
            out.extend_from_slice(&e.u32_bytes(w));
        }
        out.extend_from_slice(&self.header_tail);
        out.extend_from_slice(&self.body);
        out
    }
}
