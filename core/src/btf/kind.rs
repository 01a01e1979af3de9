//! BTF kinds (include/uapi/linux/btf.h) and the fixed layout of each one.

use std::fmt;

/// The kind of a BTF type, bits 24..=28 of `btf_type.info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    Int = 1,
    Ptr = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Fwd = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    Func = 12,
    FuncProto = 13,
    Var = 14,
    Datasec = 15,
    Float = 16,
    DeclTag = 17,
    TypeTag = 18,
    Enum64 = 19,
}

/// Highest kind number this crate (and current kernels) know.
pub const KIND_MAX: u32 = 19;

impl Kind {
    pub const fn from_u32(v: u32) -> Option<Kind> {
        Some(match v {
            1 => Kind::Int,
            2 => Kind::Ptr,
            3 => Kind::Array,
            4 => Kind::Struct,
            5 => Kind::Union,
            6 => Kind::Enum,
            7 => Kind::Fwd,
            8 => Kind::Typedef,
            9 => Kind::Volatile,
            10 => Kind::Const,
            11 => Kind::Restrict,
            12 => Kind::Func,
            13 => Kind::FuncProto,
            14 => Kind::Var,
            15 => Kind::Datasec,
            16 => Kind::Float,
            17 => Kind::DeclTag,
            18 => Kind::TypeTag,
            19 => Kind::Enum64,
            _ => return None,
        })
    }

    /// The kind encoded in bits 24..=28 of a `btf_type.info` word.
    #[inline]
    pub fn from_info(info: u32) -> Option<Kind> {
        KIND_BY_NUMBER[((info >> 24) & 0x1f) as usize]
    }

    /// The upper-case name bpftool prints (`INT`, `FUNC_PROTO`, `DECL_TAG`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Int => "INT",
            Kind::Ptr => "PTR",
            Kind::Array => "ARRAY",
            Kind::Struct => "STRUCT",
            Kind::Union => "UNION",
            Kind::Enum => "ENUM",
            Kind::Fwd => "FWD",
            Kind::Typedef => "TYPEDEF",
            Kind::Volatile => "VOLATILE",
            Kind::Const => "CONST",
            Kind::Restrict => "RESTRICT",
            Kind::Func => "FUNC",
            Kind::FuncProto => "FUNC_PROTO",
            Kind::Var => "VAR",
            Kind::Datasec => "DATASEC",
            Kind::Float => "FLOAT",
            Kind::DeclTag => "DECL_TAG",
            Kind::TypeTag => "TYPE_TAG",
            Kind::Enum64 => "ENUM64",
        }
    }

    /// Bytes that follow the 12-byte `btf_type` header for a type of this kind
    /// with `vlen` entries. Checked so a hostile vlen cannot overflow.
    pub fn trailing_len(self, vlen: u32) -> u64 {
        let vlen = u64::from(vlen);
        match self {
            Kind::Int | Kind::Var | Kind::DeclTag => 4,
            Kind::Array => 12,
            Kind::Struct | Kind::Union | Kind::Datasec | Kind::Enum64 => 12 * vlen,
            Kind::Enum | Kind::FuncProto => 8 * vlen,
            Kind::Ptr
            | Kind::Fwd
            | Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::Func
            | Kind::Float
            | Kind::TypeTag => 0,
        }
    }

    /// Kinds whose third header word is a size (the others hold a type id).
    pub fn has_size(self) -> bool {
        matches!(
            self,
            Kind::Int
                | Kind::Struct
                | Kind::Union
                | Kind::Enum
                | Kind::Datasec
                | Kind::Float
                | Kind::Enum64
        )
    }

    /// Kinds whose third header word references another type.
    pub fn has_type_ref(self) -> bool {
        matches!(
            self,
            Kind::Ptr
                | Kind::Typedef
                | Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::Func
                | Kind::FuncProto
                | Kind::Var
                | Kind::DeclTag
                | Kind::TypeTag
        )
    }

    /// CV-qualifiers and type tags: skipped when resolving what a type "is".
    pub fn is_modifier(self) -> bool {
        matches!(
            self,
            Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag
        )
    }
}

/// `Kind::from_u32` as a table, for the per-type hot paths.
const KIND_BY_NUMBER: [Option<Kind>; 32] = {
    let mut t = [None; 32];
    let mut k = 1;
    while k <= KIND_MAX {
        t[k as usize] = Kind::from_u32(k);
        k += 1;
    }
    t
};

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `BTF_INT_SIGNED`, `BTF_INT_CHAR`, `BTF_INT_BOOL` (bits 24..=27 of the INT word).
pub mod int_encoding {
    pub const SIGNED: u8 = 1 << 0;
    pub const CHAR: u8 = 1 << 1;
    pub const BOOL: u8 = 1 << 2;
}

/// `BTF_FUNC_STATIC`, `BTF_FUNC_GLOBAL`, `BTF_FUNC_EXTERN` (FUNC vlen).
pub mod func_linkage {
    pub const STATIC: u32 = 0;
    pub const GLOBAL: u32 = 1;
    pub const EXTERN: u32 = 2;
}

/// `BTF_VAR_STATIC`, `BTF_VAR_GLOBAL_ALLOCATED`, `BTF_VAR_GLOBAL_EXTERN`.
pub mod var_linkage {
    pub const STATIC: u32 = 0;
    pub const GLOBAL_ALLOCATED: u32 = 1;
    pub const GLOBAL_EXTERN: u32 = 2;
}
