//! Writing owned types in the BTF wire format, in either byte order.
//!
//! The layout is the one clang, pahole and libbpf write: the 24-byte
//! header, the type section right after it, the string section last.

use super::error::BuildError;
use super::types::{Composite, TypeData, TypeDef};
use crate::btf::{Header, BTF_MAGIC, HEADER_LEN};
use crate::bytes::Endian;

/// Largest vlen the classic `btf_type.info` can hold.
const MAX_VLEN: usize = 0xffff;
/// Largest bit offset a kind_flag member offset word can hold.
const MAX_KFLAG_BIT_OFFSET: u32 = 0x00ff_ffff;

/// Encodes a whole blob: header, `types` (whose first id is `first_id`),
/// then `strings`.
pub(super) fn encode_blob(
    types: &[TypeDef],
    first_id: u32,
    strings: &[u8],
    endian: Endian,
) -> Result<Vec<u8>, BuildError> {
    let mut type_section = Vec::new();
    for (i, ty) in types.iter().enumerate() {
        let id = first_id.saturating_add(i as u32);
        encode_type(id, ty, endian, &mut type_section)?;
    }
    let type_len = section_len("type", type_section.len())?;
    let str_len = section_len("string", strings.len())?;
    let header = Header {
        magic: BTF_MAGIC,
        version: 1,
        flags: 0,
        hdr_len: HEADER_LEN,
        type_off: 0,
        type_len,
        str_off: type_len,
        str_len,
    };
    let total = HEADER_LEN as usize + type_section.len() + strings.len();
    section_len("whole BTF", total)?;
    let mut out = Vec::with_capacity(total);
    header.write(endian, &mut out);
    out.extend_from_slice(&type_section);
    out.extend_from_slice(strings);
    Ok(out)
}

fn section_len(section: &'static str, len: usize) -> Result<u32, BuildError> {
    u32::try_from(len).map_err(|_| BuildError::TooLarge {
        section,
        len: len as u64,
    })
}

/// Appends one type: the 12-byte `btf_type` and its trailing records.
pub(super) fn encode_type(
    id: u32,
    ty: &TypeDef,
    endian: Endian,
    out: &mut Vec<u8>,
) -> Result<(), BuildError> {
    let kind = ty.kind();
    let unencodable = |what: String| BuildError::Unencodable { id, kind, what };
    let mut w = Words { endian, out };
    let vlen_of = |n: usize, what: &str| {
        if n > MAX_VLEN {
            Err(unencodable(format!(
                "{n} {what}, more than the {MAX_VLEN} vlen can count"
            )))
        } else {
            Ok(n as u32)
        }
    };
    let header = |w: &mut Words<'_>, vlen: u32, kflag: bool, word: u32| {
        let info = (u32::from(kflag) << 31) | ((kind as u32) << 24) | vlen;
        w.put(ty.name_off);
        w.put(info);
        w.put(word);
    };
    match &ty.data {
        TypeData::Int {
            size,
            encoding,
            bit_offset,
            bits,
        } => {
            if *encoding > 0x0f {
                return Err(unencodable(format!(
                    "encoding {encoding:#x} does not fit the 4 encoding bits"
                )));
            }
            header(&mut w, 0, false, *size);
            let int = crate::btf::IntInfo {
                encoding: *encoding,
                bit_offset: *bit_offset,
                bits: *bits,
            };
            w.put(int.to_raw());
        }
        TypeData::Array {
            elem_type,
            index_type,
            nelems,
        } => {
            header(&mut w, 0, false, 0);
            w.put(*elem_type);
            w.put(*index_type);
            w.put(*nelems);
        }
        TypeData::Struct(body) | TypeData::Union(body) => {
            let vlen = vlen_of(body.members.len(), "members")?;
            header(&mut w, vlen, body.kflag, body.size);
            encode_members(body, &mut w).map_err(unencodable)?;
        }
        TypeData::Enum {
            size,
            signed,
            values,
        } => {
            let vlen = vlen_of(values.len(), "enumerators")?;
            header(&mut w, vlen, *signed, *size);
            for v in values {
                w.put(v.name_off);
                w.put(v.value);
            }
        }
        TypeData::Enum64 {
            size,
            signed,
            values,
        } => {
            let vlen = vlen_of(values.len(), "enumerators")?;
            header(&mut w, vlen, *signed, *size);
            for v in values {
                w.put(v.name_off);
                w.put(v.value as u32);
                w.put((v.value >> 32) as u32);
            }
        }
        TypeData::Fwd { union } => header(&mut w, 0, *union, 0),
        TypeData::Ptr { type_id }
        | TypeData::Typedef { type_id }
        | TypeData::Volatile { type_id }
        | TypeData::Const { type_id }
        | TypeData::Restrict { type_id } => header(&mut w, 0, false, *type_id),
        TypeData::Func { proto, linkage } => {
            if *linkage > MAX_VLEN as u32 {
                return Err(unencodable(format!(
                    "linkage {linkage} does not fit the 16-bit vlen"
                )));
            }
            header(&mut w, *linkage, false, *proto);
        }
        TypeData::FuncProto { ret, params } => {
            let vlen = vlen_of(params.len(), "parameters")?;
            header(&mut w, vlen, false, *ret);
            for p in params {
                w.put(p.name_off);
                w.put(p.type_id);
            }
        }
        TypeData::Var { type_id, linkage } => {
            header(&mut w, 0, false, *type_id);
            w.put(*linkage);
        }
        TypeData::Datasec { size, entries } => {
            let vlen = vlen_of(entries.len(), "entries")?;
            header(&mut w, vlen, false, *size);
            for e in entries {
                w.put(e.type_id);
                w.put(e.offset);
                w.put(e.size);
            }
        }
        TypeData::Float { size } => header(&mut w, 0, false, *size),
        TypeData::DeclTag {
            type_id,
            component_idx,
            attr,
        } => {
            header(&mut w, 0, *attr, *type_id);
            w.put(*component_idx as u32);
        }
        TypeData::TypeTag { type_id, attr } => header(&mut w, 0, *attr, *type_id),
    }
    Ok(())
}

/// Member records; with kind_flag the offset word is `bitfield_size << 24 |
/// bit_offset`, without it the plain bit offset.
fn encode_members(body: &Composite, w: &mut Words<'_>) -> Result<(), String> {
    for (i, m) in body.members.iter().enumerate() {
        let offset = if body.kflag {
            if m.bit_offset > MAX_KFLAG_BIT_OFFSET {
                return Err(format!(
                    "member {i} bit offset {} does not fit the 24 bits kind_flag leaves",
                    m.bit_offset
                ));
            }
            (u32::from(m.bitfield_size) << 24) | m.bit_offset
        } else {
            if m.bitfield_size != 0 {
                return Err(format!(
                    "member {i} is a {}-bit bitfield but kind_flag is not set",
                    m.bitfield_size
                ));
            }
            m.bit_offset
        };
        w.put(m.name_off);
        w.put(m.type_id);
        w.put(offset);
    }
    Ok(())
}

/// Appends u32 words in one byte order; every BTF record is made of them.
struct Words<'a> {
    endian: Endian,
    out: &'a mut Vec<u8>,
}

impl Words<'_> {
    fn put(&mut self, v: u32) {
        self.out.extend_from_slice(&self.endian.u32_bytes(v));
    }
}
