//! Owned BTF types: what a builder holds and what users read and patch.
//!
//! Names are string offsets, not strings, so an imported blob keeps its
//! exact offsets; the builder turns `&str` into offsets when adding.
//! Every field maps to bits of the wire format one to one, and
//! [`TypeDef::from_type`] refuses bits that have no field, so importing and
//! re-encoding never changes a blob silently.

use super::error::BuildError;
use crate::btf::{Kind, Type, VarSecinfo};

/// One owned BTF type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    /// Offset of the name in the string section (0: anonymous).
    pub name_off: u32,
    pub data: TypeData,
}

/// The kind-specific part of a type. Type ids refer to other types of the
/// same BTF (or its base); 0 is `void`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeData {
    Int {
        size: u32,
        /// `int_encoding::*` bits.
        encoding: u8,
        /// Old-style bitfield offset; 0 for everything clang and pahole emit.
        bit_offset: u8,
        bits: u8,
    },
    Ptr {
        type_id: u32,
    },
    Array {
        elem_type: u32,
        index_type: u32,
        nelems: u32,
    },
    Struct(Composite),
    Union(Composite),
    Enum {
        size: u32,
        /// Stored in kind_flag.
        signed: bool,
        values: Vec<EnumValue>,
    },
    Enum64 {
        size: u32,
        signed: bool,
        values: Vec<Enum64Value>,
    },
    Fwd {
        /// `union X;` rather than `struct X;` (kind_flag).
        union: bool,
    },
    Typedef {
        type_id: u32,
    },
    Volatile {
        type_id: u32,
    },
    Const {
        type_id: u32,
    },
    Restrict {
        type_id: u32,
    },
    Func {
        /// The FUNC_PROTO.
        proto: u32,
        /// `func_linkage::*`, stored in vlen (16 bits).
        linkage: u32,
    },
    FuncProto {
        /// Return type, 0 for `void`.
        ret: u32,
        params: Vec<ParamDef>,
    },
    Var {
        type_id: u32,
        /// `var_linkage::*`.
        linkage: u32,
    },
    Datasec {
        size: u32,
        entries: Vec<VarSecinfo>,
    },
    Float {
        size: u32,
    },
    DeclTag {
        type_id: u32,
        /// Member or parameter index, -1 for the declaration itself.
        component_idx: i32,
        /// The tag is an `__attribute__` rather than a `btf_decl_tag` (kind_flag).
        attr: bool,
    },
    TypeTag {
        type_id: u32,
        attr: bool,
    },
}

/// A STRUCT or UNION body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composite {
    pub size: u32,
    /// kind_flag: member offsets carry a bitfield size in their top 8 bits.
    /// The builder sets it when a member is a bitfield; an import keeps
    /// whatever the blob said, since a struct may have it set without any
    /// bitfield.
    pub kflag: bool,
    pub members: Vec<MemberDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberDef {
    pub name_off: u32,
    pub type_id: u32,
    /// Offset from the start of the struct in bits (24 bits when kflag).
    pub bit_offset: u32,
    /// Bitfield width, 0 for a plain member (needs kflag when non-zero).
    pub bitfield_size: u8,
}

/// An ENUM enumerator: the stored 32 bits, signed or not per the enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    pub name_off: u32,
    pub value: u32,
}

/// An ENUM64 enumerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enum64Value {
    pub name_off: u32,
    pub value: u64,
}

/// A FUNC_PROTO parameter; `type_id` 0 as the last parameter means `...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDef {
    pub name_off: u32,
    pub type_id: u32,
}

impl TypeDef {
    pub fn new(name_off: u32, data: TypeData) -> TypeDef {
        TypeDef { name_off, data }
    }

    pub fn kind(&self) -> Kind {
        self.data.kind()
    }

    /// Copies a parsed type. Fails when the type uses bits that have no
    /// field here (kind_flag or vlen on kinds that do not use them, reserved
    /// info or INT bits, a non-zero third word on ARRAY or FWD), naming the
    /// bits, because dropping them would change the blob.
    pub fn from_type(t: &Type<'_>) -> Result<TypeDef, BuildError> {
        let kind = t.kind();
        let lossy = |what: String| BuildError::Unrepresentable {
            id: t.id(),
            kind,
            what,
        };
        let info = t.info();
        // Bits 16..=23 and 29..=30 of info are reserved in classic BTF.
        if info & 0x60ff_0000 != 0 {
            return Err(lossy(format!(
                "reserved btf_type.info bits set ({info:#010x})"
            )));
        }
        let kflag_used = matches!(
            kind,
            Kind::Struct
                | Kind::Union
                | Kind::Enum
                | Kind::Enum64
                | Kind::Fwd
                | Kind::DeclTag
                | Kind::TypeTag
        );
        if t.kflag() && !kflag_used {
            return Err(lossy("kind_flag set on a kind that does not use it".into()));
        }
        let vlen_used = matches!(
            kind,
            Kind::Struct
                | Kind::Union
                | Kind::Enum
                | Kind::Enum64
                | Kind::Func
                | Kind::FuncProto
                | Kind::Datasec
        );
        if t.vlen() != 0 && !vlen_used {
            return Err(lossy(format!(
                "vlen {} on a kind without entries",
                t.vlen()
            )));
        }
        if matches!(kind, Kind::Array | Kind::Fwd) && t.size() != 0 {
            return Err(lossy(format!("size/type word is {}, not 0", t.size())));
        }
        let data = match kind {
            Kind::Int => {
                let raw = t.int_raw().expect("kind checked");
                // Encoding bits 24..=27, offset 16..=23, bits 0..=7; the rest is unused.
                if raw & 0xf000_ff00 != 0 {
                    return Err(lossy(format!("unused INT data bits set ({raw:#010x})")));
                }
                let int = crate::btf::IntInfo::from_raw(raw);
                TypeData::Int {
                    size: t.size(),
                    encoding: int.encoding,
                    bit_offset: int.bit_offset,
                    bits: int.bits,
                }
            }
            Kind::Ptr => TypeData::Ptr {
                type_id: t.type_id(),
            },
            Kind::Array => {
                let a = t.array().expect("kind checked");
                TypeData::Array {
                    elem_type: a.elem_type,
                    index_type: a.index_type,
                    nelems: a.nelems,
                }
            }
            Kind::Struct | Kind::Union => {
                let body = Composite {
                    size: t.size(),
                    kflag: t.kflag(),
                    members: t
                        .members()
                        .map(|m| MemberDef {
                            name_off: m.name_off,
                            type_id: m.type_id,
                            bit_offset: m.bit_offset(),
                            // At most 8 bits by the kflag encoding.
                            bitfield_size: m.bitfield_size() as u8,
                        })
                        .collect(),
                };
                if kind == Kind::Struct {
                    TypeData::Struct(body)
                } else {
                    TypeData::Union(body)
                }
            }
            Kind::Enum => TypeData::Enum {
                size: t.size(),
                signed: t.kflag(),
                values: t
                    .enumerators()
                    .map(|e| EnumValue {
                        name_off: e.name_off,
                        value: e.raw32.expect("ENUM enumerators carry their word"),
                    })
                    .collect(),
            },
            Kind::Enum64 => TypeData::Enum64 {
                size: t.size(),
                signed: t.kflag(),
                values: t
                    .enumerators()
                    .map(|e| Enum64Value {
                        name_off: e.name_off,
                        value: e.value,
                    })
                    .collect(),
            },
            Kind::Fwd => TypeData::Fwd { union: t.kflag() },
            Kind::Typedef => TypeData::Typedef {
                type_id: t.type_id(),
            },
            Kind::Volatile => TypeData::Volatile {
                type_id: t.type_id(),
            },
            Kind::Const => TypeData::Const {
                type_id: t.type_id(),
            },
            Kind::Restrict => TypeData::Restrict {
                type_id: t.type_id(),
            },
            Kind::Func => TypeData::Func {
                proto: t.type_id(),
                linkage: t.vlen(),
            },
            Kind::FuncProto => TypeData::FuncProto {
                ret: t.type_id(),
                params: t
                    .params()
                    .map(|p| ParamDef {
                        name_off: p.name_off,
                        type_id: p.type_id,
                    })
                    .collect(),
            },
            Kind::Var => TypeData::Var {
                type_id: t.type_id(),
                linkage: t.var_linkage().expect("kind checked"),
            },
            Kind::Datasec => TypeData::Datasec {
                size: t.size(),
                entries: t.datasec_entries().collect(),
            },
            Kind::Float => TypeData::Float { size: t.size() },
            Kind::DeclTag => TypeData::DeclTag {
                type_id: t.type_id(),
                component_idx: t.decl_tag_component_idx().expect("kind checked"),
                attr: t.kflag(),
            },
            Kind::TypeTag => TypeData::TypeTag {
                type_id: t.type_id(),
                attr: t.kflag(),
            },
        };
        Ok(TypeDef {
            name_off: t.name_off(),
            data,
        })
    }
}

impl TypeData {
    pub fn kind(&self) -> Kind {
        match self {
            TypeData::Int { .. } => Kind::Int,
            TypeData::Ptr { .. } => Kind::Ptr,
            TypeData::Array { .. } => Kind::Array,
            TypeData::Struct(_) => Kind::Struct,
            TypeData::Union(_) => Kind::Union,
            TypeData::Enum { .. } => Kind::Enum,
            TypeData::Enum64 { .. } => Kind::Enum64,
            TypeData::Fwd { .. } => Kind::Fwd,
            TypeData::Typedef { .. } => Kind::Typedef,
            TypeData::Volatile { .. } => Kind::Volatile,
            TypeData::Const { .. } => Kind::Const,
            TypeData::Restrict { .. } => Kind::Restrict,
            TypeData::Func { .. } => Kind::Func,
            TypeData::FuncProto { .. } => Kind::FuncProto,
            TypeData::Var { .. } => Kind::Var,
            TypeData::Datasec { .. } => Kind::Datasec,
            TypeData::Float { .. } => Kind::Float,
            TypeData::DeclTag { .. } => Kind::DeclTag,
            TypeData::TypeTag { .. } => Kind::TypeTag,
        }
    }

    /// The type this one refers to through its header word (PTR, TYPEDEF,
    /// qualifiers, FUNC, FUNC_PROTO return, VAR, tags); `None` for kinds
    /// whose header word is a size.
    pub fn type_ref(&self) -> Option<u32> {
        match *self {
            TypeData::Ptr { type_id }
            | TypeData::Typedef { type_id }
            | TypeData::Volatile { type_id }
            | TypeData::Const { type_id }
            | TypeData::Restrict { type_id }
            | TypeData::Var { type_id, .. }
            | TypeData::DeclTag { type_id, .. }
            | TypeData::TypeTag { type_id, .. } => Some(type_id),
            TypeData::Func { proto, .. } => Some(proto),
            TypeData::FuncProto { ret, .. } => Some(ret),
            _ => None,
        }
    }
}
