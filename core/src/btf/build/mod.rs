//! Building BTF: owned types, a deduplicated string table, and an encoder
//! for either byte order.
//!
//! ```
//! use bpfc::btf::build::{BtfBuilder, Field};
//! use bpfc::btf::{int_encoding, Btf};
//! use bpfc::bytes::Endian;
//!
//! let mut b = BtfBuilder::new();
//! let int = b.add_int("int", 4, int_encoding::SIGNED);
//! let point = b.add_struct("point", 8, &[Field::new("x", int, 0), Field::new("y", int, 32)]);
//! let blob = b.encode(Endian::Little).unwrap();
//! let btf = Btf::parse(&blob).unwrap();
//! assert_eq!(btf.type_by_id(point).unwrap().vlen(), 2);
//! ```
//!
//! [`BtfBuilder::from_btf`] imports a parsed blob without renumbering
//! anything or touching its string section, so parse → import → encode in
//! the same byte order gives the input back byte for byte (for blobs in the
//! usual layout: 24-byte header, types, then strings, no gaps). Types can
//! then be patched in place ([`BtfBuilder::get_mut`] and the `set_*`
//! helpers) and more added.

mod encode;
mod error;
mod strings;
mod types;

pub use error::BuildError;
pub use strings::StringTable;
pub use types::{Composite, Enum64Value, EnumValue, MemberDef, ParamDef, TypeData, TypeDef};

use crate::btf::{Btf, Kind, VarSecinfo};
use crate::bytes::Endian;

/// BTF under construction (or imported for modification). Owns all its
/// data; split BTF keeps a copy of the base's strings so names can be
/// looked up and reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfBuilder {
    /// Type `first_id + i` is `types[i]`.
    types: Vec<TypeDef>,
    strings: StringTable,
    first_id: u32,
}

/// A STRUCT/UNION member to add: a name, a type, and where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'n> {
    pub name: &'n str,
    pub type_id: u32,
    /// Offset from the start of the aggregate, in bits.
    pub bit_offset: u32,
    /// Width of a bitfield in bits, 0 for a plain member.
    pub bitfield_size: u8,
}

impl<'n> Field<'n> {
    pub fn new(name: &'n str, type_id: u32, bit_offset: u32) -> Field<'n> {
        Field {
            name,
            type_id,
            bit_offset,
            bitfield_size: 0,
        }
    }

    pub fn bitfield(name: &'n str, type_id: u32, bit_offset: u32, bits: u8) -> Field<'n> {
        Field {
            name,
            type_id,
            bit_offset,
            bitfield_size: bits,
        }
    }
}

impl BtfBuilder {
    /// Empty base BTF: ids start at 1, the string section at "\0".
    pub fn new() -> BtfBuilder {
        BtfBuilder {
            types: Vec::new(),
            strings: StringTable::new(),
            first_id: 1,
        }
    }

    /// Empty split BTF on top of `base`: ids continue after the base's last
    /// type and string offsets after its strings; names the base already
    /// holds are referenced, not repeated.
    pub fn new_split(base: &Btf<'_>) -> BtfBuilder {
        BtfBuilder {
            types: Vec::new(),
            strings: StringTable::new_split(all_strings(base)),
            first_id: base.last_id() + 1,
        }
    }

    /// Imports a parsed blob (base or split) exactly: same ids, same
    /// string section bytes, same string offsets. Fails only for types that
    /// set bits the owned form has no field for (see [`TypeDef::from_type`]).
    pub fn from_btf(btf: &Btf<'_>) -> Result<BtfBuilder, BuildError> {
        let base_strings = btf.base().map(all_strings).unwrap_or_default();
        let types = btf
            .types()
            .map(|t| TypeDef::from_type(&t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BtfBuilder {
            types,
            strings: StringTable::from_section(base_strings, btf.string_section()),
            first_id: btf.first_id(),
        })
    }

    /// Encodes header, types and strings in `endian`.
    pub fn encode(&self, endian: Endian) -> Result<Vec<u8>, BuildError> {
        // Every offset handed out must fit the u32 a record stores.
        let str_end = u64::from(self.strings.first_offset()) + self.strings.len() as u64;
        if str_end > u64::from(u32::MAX) {
            return Err(BuildError::TooLarge {
                section: "string",
                len: str_end,
            });
        }
        encode::encode_blob(&self.types, self.first_id, self.strings.as_bytes(), endian)
    }

    // ---- ids and lookups ----

    /// Id of the first type this builder defines (1 for base BTF).
    pub fn first_id(&self) -> u32 {
        self.first_id
    }

    /// The id the next added type will get.
    pub fn next_id(&self) -> u32 {
        self.first_id.saturating_add(self.types.len() as u32)
    }

    /// Number of types this builder defines (not counting a base).
    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// A type this builder defines; `None` for void, base ids and unknown ids.
    pub fn get(&self, id: u32) -> Option<&TypeDef> {
        let idx = id.checked_sub(self.first_id)?;
        self.types.get(idx as usize)
    }

    /// A type for patching in place.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut TypeDef> {
        let idx = id.checked_sub(self.first_id)?;
        self.types.get_mut(idx as usize)
    }

    /// The types this builder defines with their ids.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u32, &TypeDef)> + '_ {
        let first = self.first_id;
        self.types
            .iter()
            .enumerate()
            .map(move |(i, t)| (first + i as u32, t))
    }

    pub fn strings(&self) -> &StringTable {
        &self.strings
    }

    /// The string table, e.g. to add names for hand-made [`TypeDef`]s.
    pub fn strings_mut(&mut self) -> &mut StringTable {
        &mut self.strings
    }

    /// Adds a string (or finds an equal one) and returns its offset.
    pub fn add_str(&mut self, s: &str) -> u32 {
        self.strings.add(s)
    }

    /// The name of a type this builder defines (empty when anonymous).
    pub fn name(&self, id: u32) -> Option<&[u8]> {
        self.strings.get(self.get(id)?.name_off)
    }

    /// The first type of this builder with this name and kind.
    pub fn find_by_name_kind(&self, name: &str, kind: Kind) -> Option<u32> {
        self.iter()
            .find(|(_, t)| {
                t.kind() == kind && self.strings.get(t.name_off) == Some(name.as_bytes())
            })
            .map(|(id, _)| id)
    }

    // ---- adding types ----

    /// Adds a type made by hand and returns its id.
    pub fn add(&mut self, ty: TypeDef) -> u32 {
        let id = self.next_id();
        self.types.push(ty);
        id
    }

    fn add_named(&mut self, name: &str, data: TypeData) -> u32 {
        let name_off = self.strings.add(name);
        self.add(TypeDef { name_off, data })
    }

    /// An integer of `size` bytes using all its bits (`size * 8`, which the
    /// kernel allows up to 128). `encoding` is one of `int_encoding::*`, 0
    /// for unsigned. Old-style bitfield INTs: [`BtfBuilder::add`].
    pub fn add_int(&mut self, name: &str, size: u32, encoding: u8) -> u32 {
        let bits = size.saturating_mul(8).min(u32::from(u8::MAX)) as u8;
        self.add_named(
            name,
            TypeData::Int {
                size,
                encoding,
                bit_offset: 0,
                bits,
            },
        )
    }

    pub fn add_ptr(&mut self, target: u32) -> u32 {
        self.add_named("", TypeData::Ptr { type_id: target })
    }

    /// `elem[nelems]`; `index_type` is conventionally an `int` (or
    /// `__ARRAY_SIZE_TYPE__`).
    pub fn add_array(&mut self, elem_type: u32, index_type: u32, nelems: u32) -> u32 {
        self.add_named(
            "",
            TypeData::Array {
                elem_type,
                index_type,
                nelems,
            },
        )
    }

    /// A struct; kind_flag is set when any member is a bitfield, as clang
    /// and libbpf do.
    pub fn add_struct(&mut self, name: &str, size: u32, fields: &[Field<'_>]) -> u32 {
        let name_off = self.strings.add(name);
        let body = self.composite(size, fields);
        self.add(TypeDef::new(name_off, TypeData::Struct(body)))
    }

    pub fn add_union(&mut self, name: &str, size: u32, fields: &[Field<'_>]) -> u32 {
        let name_off = self.strings.add(name);
        let body = self.composite(size, fields);
        self.add(TypeDef::new(name_off, TypeData::Union(body)))
    }

    fn composite(&mut self, size: u32, fields: &[Field<'_>]) -> Composite {
        let members: Vec<MemberDef> = fields
            .iter()
            .map(|f| MemberDef {
                name_off: self.strings.add(f.name),
                type_id: f.type_id,
                bit_offset: f.bit_offset,
                bitfield_size: f.bitfield_size,
            })
            .collect();
        Composite {
            size,
            kflag: members.iter().any(|m| m.bitfield_size != 0),
            members,
        }
    }

    /// An ENUM of `size` bytes. Values are the stored 32 bits: for a signed
    /// enum pass `v as i32 as u32`.
    pub fn add_enum(&mut self, name: &str, size: u32, signed: bool, values: &[(&str, u32)]) -> u32 {
        let name_off = self.strings.add(name);
        let values = values
            .iter()
            .map(|&(n, value)| EnumValue {
                name_off: self.strings.add(n),
                value,
            })
            .collect();
        self.add(TypeDef::new(
            name_off,
            TypeData::Enum {
                size,
                signed,
                values,
            },
        ))
    }

    /// An ENUM64; values are the stored 64 bits (`v as u64` when signed).
    pub fn add_enum64(
        &mut self,
        name: &str,
        size: u32,
        signed: bool,
        values: &[(&str, u64)],
    ) -> u32 {
        let name_off = self.strings.add(name);
        let values = values
            .iter()
            .map(|&(n, value)| Enum64Value {
                name_off: self.strings.add(n),
                value,
            })
            .collect();
        self.add(TypeDef::new(
            name_off,
            TypeData::Enum64 {
                size,
                signed,
                values,
            },
        ))
    }

    /// `struct name;` or, with `union`, `union name;`.
    pub fn add_fwd(&mut self, name: &str, union: bool) -> u32 {
        self.add_named(name, TypeData::Fwd { union })
    }

    pub fn add_typedef(&mut self, name: &str, target: u32) -> u32 {
        self.add_named(name, TypeData::Typedef { type_id: target })
    }

    pub fn add_volatile(&mut self, target: u32) -> u32 {
        self.add_named("", TypeData::Volatile { type_id: target })
    }

    pub fn add_const(&mut self, target: u32) -> u32 {
        self.add_named("", TypeData::Const { type_id: target })
    }

    pub fn add_restrict(&mut self, target: u32) -> u32 {
        self.add_named("", TypeData::Restrict { type_id: target })
    }

    /// A function; `linkage` is one of `func_linkage::*`.
    pub fn add_func(&mut self, name: &str, proto: u32, linkage: u32) -> u32 {
        self.add_named(name, TypeData::Func { proto, linkage })
    }

    /// A function prototype; params are (name, type), name may be empty,
    /// a last type of 0 means `...`.
    pub fn add_func_proto(&mut self, ret: u32, params: &[(&str, u32)]) -> u32 {
        let params = params
            .iter()
            .map(|&(n, type_id)| ParamDef {
                name_off: self.strings.add(n),
                type_id,
            })
            .collect();
        self.add_named("", TypeData::FuncProto { ret, params })
    }

    /// A variable; `linkage` is one of `var_linkage::*`.
    pub fn add_var(&mut self, name: &str, type_id: u32, linkage: u32) -> u32 {
        self.add_named(name, TypeData::Var { type_id, linkage })
    }

    /// A data section; entries may be added or patched later
    /// ([`BtfBuilder::push_datasec_entry`], [`BtfBuilder::set_datasec_size`]).
    pub fn add_datasec(&mut self, name: &str, size: u32, entries: &[VarSecinfo]) -> u32 {
        self.add_named(
            name,
            TypeData::Datasec {
                size,
                entries: entries.to_vec(),
            },
        )
    }

    pub fn add_float(&mut self, name: &str, size: u32) -> u32 {
        self.add_named(name, TypeData::Float { size })
    }

    /// `btf_decl_tag(value)` on `target` (component -1) or on its member or
    /// parameter number `component_idx`.
    pub fn add_decl_tag(&mut self, value: &str, target: u32, component_idx: i32) -> u32 {
        self.add_named(
            value,
            TypeData::DeclTag {
                type_id: target,
                component_idx,
                attr: false,
            },
        )
    }

    /// `btf_type_tag(value)` on `target`.
    pub fn add_type_tag(&mut self, value: &str, target: u32) -> u32 {
        self.add_named(
            value,
            TypeData::TypeTag {
                type_id: target,
                attr: false,
            },
        )
    }

    // ---- fix-ups in place ----

    fn get_checked(&mut self, id: u32) -> Result<&mut TypeDef, BuildError> {
        let (first, last) = (self.first_id, self.next_id().saturating_sub(1));
        self.get_mut(id)
            .ok_or(BuildError::NoSuchType { id, first, last })
    }

    fn datasec_mut(&mut self, id: u32) -> Result<(&mut u32, &mut Vec<VarSecinfo>), BuildError> {
        let ty = self.get_checked(id)?;
        match &mut ty.data {
            TypeData::Datasec { size, entries } => Ok((size, entries)),
            other => Err(BuildError::WrongKind {
                id,
                found: other.kind(),
                expected: Kind::Datasec,
            }),
        }
    }

    /// Sets a DATASEC's size (libbpf fills it from the ELF section size).
    pub fn set_datasec_size(&mut self, id: u32, new_size: u32) -> Result<(), BuildError> {
        *self.datasec_mut(id)?.0 = new_size;
        Ok(())
    }

    /// Sets the offset and size of a DATASEC's entry `index` (libbpf fills
    /// offsets from symbol values).
    pub fn set_datasec_entry(
        &mut self,
        id: u32,
        index: usize,
        offset: u32,
        size: u32,
    ) -> Result<(), BuildError> {
        let (_, entries) = self.datasec_mut(id)?;
        let len = entries.len();
        let e = entries
            .get_mut(index)
            .ok_or(BuildError::NoSuchEntry { id, index, len })?;
        e.offset = offset;
        e.size = size;
        Ok(())
    }

    /// Appends an entry to a DATASEC.
    pub fn push_datasec_entry(&mut self, id: u32, entry: VarSecinfo) -> Result<(), BuildError> {
        self.datasec_mut(id)?.1.push(entry);
        Ok(())
    }

    /// The entries of a DATASEC, for sorting or rewriting them wholesale.
    pub fn datasec_entries_mut(&mut self, id: u32) -> Result<&mut Vec<VarSecinfo>, BuildError> {
        Ok(self.datasec_mut(id)?.1)
    }

    /// Changes a VAR's linkage (`var_linkage::*`).
    pub fn set_var_linkage(&mut self, id: u32, new_linkage: u32) -> Result<(), BuildError> {
        let ty = self.get_checked(id)?;
        match &mut ty.data {
            TypeData::Var { linkage, .. } => {
                *linkage = new_linkage;
                Ok(())
            }
            other => Err(BuildError::WrongKind {
                id,
                found: other.kind(),
                expected: Kind::Var,
            }),
        }
    }

    /// Changes a FUNC's linkage (`func_linkage::*`).
    pub fn set_func_linkage(&mut self, id: u32, new_linkage: u32) -> Result<(), BuildError> {
        let ty = self.get_checked(id)?;
        match &mut ty.data {
            TypeData::Func { linkage, .. } => {
                *linkage = new_linkage;
                Ok(())
            }
            other => Err(BuildError::WrongKind {
                id,
                found: other.kind(),
                expected: Kind::Func,
            }),
        }
    }
}

impl Default for BtfBuilder {
    fn default() -> Self {
        BtfBuilder::new()
    }
}

/// All string sections from the bottom of a split chain up to `btf`,
/// concatenated: the offsets split BTF on top of `btf` continues.
fn all_strings(btf: &Btf<'_>) -> Vec<u8> {
    let mut out = btf.base().map(all_strings).unwrap_or_default();
    out.extend_from_slice(btf.string_section());
    out
}
