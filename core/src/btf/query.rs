//! Questions every later part asks of a BTF: how big is this type, how is it
//! aligned, what is it once typedefs and qualifiers are peeled off, where is
//! the type called X.

use super::error::BtfError;
use super::kind::Kind;
use super::parse::Btf;
use super::types::{Member, Type};

/// How deep a chain of references may go before we call it a loop
/// (libbpf's `MAX_RESOLVE_DEPTH`).
pub const MAX_RESOLVE_DEPTH: u32 = 32;
/// Pointer size when a BTF has no `long` to tell (BPF and every 64-bit host).
pub const POINTER_SIZE: u64 = 8;

/// Names under which a BTF carries `long`, whose size is the pointer size.
const LONG_NAMES: [&[u8]; 11] = [
    b"long",
    b"long int",
    b"int long",
    b"unsigned long",
    b"long unsigned",
    b"unsigned long int",
    b"unsigned int long",
    b"long unsigned int",
    b"long int unsigned",
    b"int unsigned long",
    b"int long unsigned",
];
/// Most types visited while computing one alignment (see `align_of_depth`).
const ALIGN_VISIT_BUDGET: u32 = 1 << 16;

/// A member's place in its parent: see [`Btf::member_place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberPlace {
    /// Offset from the start of the parent, in bits.
    pub bit_offset: u32,
    /// Width in bits when the member is a bitfield, else 0.
    pub bitfield_size: u32,
}

impl<'a> Btf<'a> {
    /// Bytes in a pointer for this BTF, the way libbpf's `determine_ptr_size`
    /// finds it: the size of the first 4- or 8-byte INT named like `long`
    /// (base types first), else [`POINTER_SIZE`]. Computed once.
    pub fn pointer_size(&self) -> u64 {
        *self.pointer_size_cell().get_or_init(|| {
            (1..=self.last_id())
                .filter_map(|id| self.type_by_id(id).ok())
                .find(|t| {
                    t.kind() == Kind::Int
                        && matches!(t.size(), 4 | 8)
                        && self
                            .str_bytes(t.name_off())
                            .is_ok_and(|n| LONG_NAMES.contains(&n))
                })
                .map_or(POINTER_SIZE, |t| u64::from(t.size()))
        })
    }

    /// Follows TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the first
    /// type that is none of them. Returns id 0 for `void`.
    pub fn skip_mods_and_typedefs(&self, mut id: u32) -> Result<u32, BtfError> {
        for _ in 0..MAX_RESOLVE_DEPTH {
            if id == 0 {
                return Ok(0);
            }
            let t = self.type_by_id(id)?;
            if t.kind().is_modifier() || t.kind() == Kind::Typedef {
                id = t.type_id();
            } else {
                return Ok(id);
            }
        }
        Err(self.loop_error(id))
    }

    /// Follows only CONST, VOLATILE, RESTRICT and TYPE_TAG.
    pub fn skip_mods(&self, mut id: u32) -> Result<u32, BtfError> {
        for _ in 0..MAX_RESOLVE_DEPTH {
            if id == 0 {
                return Ok(0);
            }
            let t = self.type_by_id(id)?;
            if t.kind().is_modifier() {
                id = t.type_id();
            } else {
                return Ok(id);
            }
        }
        Err(self.loop_error(id))
    }

    /// The size in bytes of a type, the way libbpf's `btf__resolve_size`
    /// computes it: modifiers, typedefs, VARs and DECL_TAGs are followed,
    /// arrays multiply, pointers are [`Btf::pointer_size`] bytes. `void`, FWD, FUNC and
    /// FUNC_PROTO have no size.
    pub fn resolve_size(&self, id: u32) -> Result<u64, BtfError> {
        let mut id = id;
        let mut nelems: u64 = 1;
        for _ in 0..MAX_RESOLVE_DEPTH {
            if id == 0 {
                return Err(BtfError::Type {
                    id,
                    msg: "void has no size".into(),
                });
            }
            let t = self.type_by_id(id)?;
            let size = match t.kind() {
                Kind::Int
                | Kind::Struct
                | Kind::Union
                | Kind::Enum
                | Kind::Enum64
                | Kind::Datasec
                | Kind::Float => u64::from(t.size()),
                Kind::Ptr => self.pointer_size(),
                Kind::Typedef
                | Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::Var
                | Kind::DeclTag
                | Kind::TypeTag => {
                    id = t.type_id();
                    continue;
                }
                Kind::Array => {
                    let a = t.array().expect("kind checked");
                    nelems =
                        nelems
                            .checked_mul(u64::from(a.nelems))
                            .ok_or_else(|| BtfError::Type {
                                id,
                                msg: "array size overflows".into(),
                            })?;
                    id = a.elem_type;
                    continue;
                }
                k @ (Kind::Fwd | Kind::Func | Kind::FuncProto) => {
                    return Err(BtfError::Type {
                        id,
                        msg: format!("{k} has no size"),
                    })
                }
            };
            let total = size.checked_mul(nelems).ok_or_else(|| BtfError::Type {
                id,
                msg: "array size overflows".into(),
            })?;
            if total > u64::from(u32::MAX) {
                return Err(BtfError::Type {
                    id,
                    msg: format!("size {total} exceeds u32"),
                });
            }
            return Ok(total);
        }
        Err(self.loop_error(id))
    }

    /// Natural alignment of a type in bytes, the way libbpf's `btf__align_of`
    /// computes it (1 for packed structs and unions).
    pub fn align_of(&self, id: u32) -> Result<u64, BtfError> {
        let mut budget = ALIGN_VISIT_BUDGET;
        self.align_of_depth(id, 0, &mut budget)
    }

    fn align_of_depth(&self, id: u32, depth: u32, budget: &mut u32) -> Result<u64, BtfError> {
        if depth > MAX_RESOLVE_DEPTH {
            return Err(self.loop_error(id));
        }
        // Structs fan out: a hostile chain of structs that each hold two of
        // the next would take 2^depth steps. Real types need far fewer visits.
        *budget = budget.checked_sub(1).ok_or_else(|| BtfError::Type {
            id,
            msg: format!("alignment needs more than {ALIGN_VISIT_BUDGET} type visits"),
        })?;
        let t = self.type_by_id(id)?;
        match t.kind() {
            Kind::Int | Kind::Enum | Kind::Enum64 | Kind::Float => {
                Ok(u64::from(t.size()).clamp(1, self.pointer_size()))
            }
            Kind::Ptr => Ok(self.pointer_size()),
            Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::TypeTag
            | Kind::Var
            | Kind::DeclTag => self.align_of_depth(t.type_id(), depth + 1, budget),
            Kind::Array => self.align_of_depth(
                t.array().expect("kind checked").elem_type,
                depth + 1,
                budget,
            ),
            Kind::Struct | Kind::Union => {
                let mut max_align = 1;
                for m in t.members() {
                    let align = self.align_of_depth(m.type_id, depth + 1, budget)?;
                    // A member that sits off its natural alignment means the
                    // aggregate is packed.
                    if m.bitfield_size() == 0 && u64::from(m.bit_offset()) % (8 * align) != 0 {
                        return Ok(1);
                    }
                    max_align = max_align.max(align);
                }
                if u64::from(t.size()) % max_align != 0 {
                    return Ok(1);
                }
                Ok(max_align)
            }
            k => Err(BtfError::Type {
                id,
                msg: format!("{k} has no alignment"),
            }),
        }
    }

    /// Where a STRUCT/UNION member sits, to the bit, and how wide it is when
    /// it is a bitfield, reading both encodings the way the kernel does:
    /// with the parent's kind_flag, offset and width share the member's
    /// offset word; without it, a member whose type (through typedefs and
    /// qualifiers) is an INT narrower than its storage, or with a bit
    /// offset, is an old-style bitfield whose width and extra offset live in
    /// that INT.
    pub fn member_place(&self, m: &Member) -> Result<MemberPlace, BtfError> {
        if m.kflag {
            return Ok(MemberPlace {
                bit_offset: m.bit_offset(),
                bitfield_size: m.bitfield_size(),
            });
        }
        let target = self.skip_mods_and_typedefs(m.type_id)?;
        if target != 0 {
            let t = self.type_by_id(target)?;
            if let Some(int) = t.int() {
                let bits = u32::from(int.bits);
                let irregular = bits != t.size().saturating_mul(8) || int.bit_offset != 0;
                if irregular && bits != 0 {
                    return Ok(MemberPlace {
                        bit_offset: m.raw_offset.saturating_add(u32::from(int.bit_offset)),
                        bitfield_size: bits,
                    });
                }
            }
        }
        Ok(MemberPlace {
            bit_offset: m.raw_offset,
            bitfield_size: 0,
        })
    }

    /// The first type with this name and kind (searching the base first).
    pub fn find_by_name_kind(&self, name: &str, kind: Kind) -> Option<Type<'a>> {
        if let Some(b) = self.base() {
            if let Some(t) = b.find_by_name_kind(name, kind) {
                return Some(t);
            }
        }
        self.types().find(|t| {
            t.kind() == kind && self.str_bytes(t.name_off()).ok() == Some(name.as_bytes())
        })
    }

    /// All types with this name, any kind (this blob only).
    pub fn find_by_name<'s>(&'s self, name: &'s str) -> impl Iterator<Item = Type<'a>> + 's {
        self.types()
            .filter(move |t| self.str_bytes(t.name_off()).ok() == Some(name.as_bytes()))
    }

    fn loop_error(&self, id: u32) -> BtfError {
        BtfError::Type {
            id,
            msg: format!("reference chain deeper than {MAX_RESOLVE_DEPTH} (loop?)"),
        }
    }
}
