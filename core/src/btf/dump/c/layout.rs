//! Sizes, alignments and member geometry exactly as libbpf computes them for
//! its C dumper (`btf__resolve_size`, `btf__align_of`, `btf_is_struct_packed`).
//!
//! Where libbpf answers "unknown" (void, FWD, FUNC_PROTO members, zero-sized
//! INTs) these helpers answer 0 as libbpf does, because padding and `packed`
//! decisions depend on those answers and must come out as bpftool's.
//! The crate-wide `Btf::align_of`/`resolve_size` instead report such cases as
//! errors; both take the pointer size from the BTF's own `long`.

use std::io;

use super::state::{btf_err, type_err, MAX_DEPTH};
use crate::btf::{Btf, BtfError, Kind, Member, Type};

/// Marks an alignment that has not been computed yet.
const NOT_COMPUTED: u32 = u32::MAX;

pub(super) struct Layout {
    /// Bytes in a pointer (and a `long`) for this BTF.
    pub ptr_size: u32,
    /// Memoised `align_of` of structs and unions, indexed by type id; their
    /// alignment is asked for every member of every enclosing struct.
    align_cache: Vec<u32>,
}

impl Layout {
    pub fn new(btf: &Btf<'_>) -> io::Result<Layout> {
        Ok(Layout {
            ptr_size: u32::try_from(btf.pointer_size()).expect("pointer size is 4 or 8"),
            align_cache: vec![NOT_COMPUTED; btf.last_id() as usize + 1],
        })
    }

    /// `btf__align_of`: natural alignment in bytes, 1 for an aggregate whose
    /// layout proves it packed, 0 when the type has no alignment.
    pub fn align_of(&mut self, btf: &Btf<'_>, id: u32) -> io::Result<u32> {
        self.align_at_depth(btf, id, 0)
    }

    fn align_at_depth(&mut self, btf: &Btf<'_>, id: u32, depth: u32) -> io::Result<u32> {
        if id == 0 {
            return Ok(0);
        }
        if depth > MAX_DEPTH {
            return Err(type_err(
                id,
                format!("alignment depends on itself or nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let t = btf.type_by_id(id).map_err(btf_err)?;
        match t.kind() {
            Kind::Int | Kind::Enum | Kind::Enum64 | Kind::Float => Ok(t.size().min(self.ptr_size)),
            Kind::Ptr => Ok(self.ptr_size),
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.align_at_depth(btf, t.type_id(), depth + 1)
            }
            Kind::Array => {
                let elem = t.array().expect("kind checked").elem_type;
                self.align_at_depth(btf, elem, depth + 1)
            }
            Kind::Struct | Kind::Union => {
                if let Some(&cached) = self.align_cache.get(id as usize) {
                    if cached != NOT_COMPUTED {
                        return Ok(cached);
                    }
                }
                let align = self.aggregate_align(btf, &t, depth)?;
                if let Some(slot) = self.align_cache.get_mut(id as usize) {
                    *slot = align;
                }
                Ok(align)
            }
            _ => Ok(0),
        }
    }

    fn aggregate_align(&mut self, btf: &Btf<'_>, t: &Type<'_>, depth: u32) -> io::Result<u32> {
        let mut max_align = 1;
        for m in t.members() {
            let align = self.align_at_depth(btf, m.type_id, depth + 1)?;
            if align == 0 {
                return Ok(0);
            }
            max_align = max_align.max(align);
            // A plain member off its natural alignment only fits a packed
            // aggregate.
            let (offset, bits) = member_geometry(btf, &m)?;
            if bits == 0 && offset % (8 * align) != 0 {
                return Ok(1);
            }
        }
        if t.size() % max_align != 0 {
            return Ok(1);
        }
        Ok(max_align)
    }

    /// `btf_is_struct_packed`: whether the struct needs
    /// `__attribute__((packed))` to reproduce its offsets and size.
    pub fn is_packed(&mut self, btf: &Btf<'_>, t: &Type<'_>) -> io::Result<bool> {
        let mut max_align = 1;
        for m in t.members() {
            let align = self.align_of(btf, m.type_id)?;
            let (offset, bits) = member_geometry(btf, &m)?;
            if align != 0 && bits == 0 && offset % (8 * align) != 0 {
                return Ok(true);
            }
            max_align = max_align.max(align);
        }
        Ok(t.size() % max_align != 0)
    }

    /// `btf__resolve_size`, with libbpf's failures (void, FWD, FUNC_PROTO,
    /// overflow, chains deeper than 32) answered as 0, which is what the
    /// dumper makes of them. A missing type id stays an error.
    pub fn resolve_size(&self, btf: &Btf<'_>, id: u32) -> io::Result<u64> {
        match btf.resolve_size(id) {
            Ok(size) => Ok(size),
            Err(e @ BtfError::NoSuchType { .. }) => Err(btf_err(e)),
            Err(_) => Ok(0),
        }
    }
}

/// A member's bit offset and bitfield width (0 for a plain member), read the
/// way the kernel reads them ([`Btf::member_place`]). libbpf sees no
/// bitfields at all without kind_flag; following the kernel makes such BTF
/// dump as `int x: 3;` (see the module docs).
pub(super) fn member_geometry(btf: &Btf<'_>, m: &Member) -> io::Result<(u32, u32)> {
    let place = btf.member_place(m).map_err(btf_err)?;
    Ok((place.bit_offset, place.bitfield_size))
}
