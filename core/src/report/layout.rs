//! The memory layout of a BTF type, member by member, padding included.
//!
//! This is what a map's key and value look like to both sides of the ABI:
//! every member (nested structs, unions and the first element of arrays of
//! them expanded) with its offset and size from the start of the top-level
//! type, bitfields to the bit, and the holes no member covers. A DATASEC (a
//! global-data map's value) is laid out by its variables, at the offsets
//! libbpf assigns when it fixes the object's BTF up.

use super::type_name::type_name;
use crate::btf::{Btf, Kind, MemberPlace, VarSecinfo, MAX_RESOLVE_DEPTH};
use crate::object::BtfFixups;

/// More rows than this and the layout is cut short (`truncated`): a map
/// value with that many members is not something a person reviews line by
/// line, and the bound keeps hostile BTF from producing gigabytes of text.
pub const MAX_ROWS: usize = 10_000;

/// The layout of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeLayout {
    /// C spelling of the type as declared (typedef names kept).
    pub type_name: String,
    /// Size in bytes, when BTF can tell.
    pub size: Option<u64>,
    /// Members and holes in offset order, parents before their members.
    pub rows: Vec<LayoutRow>,
    /// `MAX_ROWS` was reached; rows past it are missing.
    pub truncated: bool,
}

/// One member or hole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutRow {
    /// 0 for members of the top-level type, 1 for their members, ...
    pub depth: u32,
    /// Offset from the start of the top-level type, in bits.
    pub bit_offset: u64,
    /// Size in bits (0 when BTF cannot tell).
    pub bit_size: u64,
    pub kind: RowKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// A struct/union member, array element or DATASEC variable.
    Member {
        /// Dotted path from the top-level type (`addr.in6_u.u6_addr8`,
        /// `slots[0].id`); an anonymous member adds no segment, as in C.
        path: String,
        type_name: String,
        /// Width of a bitfield member.
        bitfield: Option<u32>,
    },
    /// Bits no member covers.
    Padding,
}

impl LayoutRow {
    /// Starts and ends on byte boundaries.
    pub fn is_byte_aligned(&self) -> bool {
        self.bit_offset % 8 == 0 && self.bit_size % 8 == 0
    }
}

/// The layout of type `id`. `fixups` supplies DATASEC offsets the way libbpf
/// fixes them (LLVM leaves them 0); without it they are taken as stored.
pub fn layout(btf: &Btf<'_>, id: u32, fixups: Option<&BtfFixups<'_>>) -> TypeLayout {
    let mut w = Walker {
        btf,
        fixups,
        rows: Vec::new(),
        truncated: false,
    };
    let size = match btf.type_by_id(id) {
        Ok(t) if t.kind() == Kind::Datasec => {
            Some(u64::from(datasec_size(fixups, id).unwrap_or(t.size())))
        }
        _ => btf.resolve_size(id).ok(),
    };
    w.children(id, 0, "", 0);
    TypeLayout {
        type_name: type_name(btf, id),
        size,
        rows: w.rows,
        truncated: w.truncated,
    }
}

fn datasec_size(fixups: Option<&BtfFixups<'_>>, id: u32) -> Option<u32> {
    fixups.and_then(|f| f.datasec(id)).map(|d| d.size)
}

struct Walker<'b, 'a> {
    btf: &'b Btf<'a>,
    fixups: Option<&'b BtfFixups<'a>>,
    rows: Vec<LayoutRow>,
    truncated: bool,
}

/// What a member of type `id` expands into.
enum Shape {
    /// Members (struct, union, datasec).
    Aggregate,
    /// An array whose elements (or their elements) are aggregates.
    ArrayOfAggregates { elem: u32, elem_bits: u64 },
    /// A scalar, pointer, enum or array of those: one row, nothing below it.
    Leaf,
}

impl Walker<'_, '_> {
    fn push(&mut self, row: LayoutRow) -> bool {
        if self.rows.len() >= MAX_ROWS {
            self.truncated = true;
            return false;
        }
        self.rows.push(row);
        true
    }

    fn shape(&self, id: u32) -> Shape {
        let Some(t) = self.skip_to_type(id) else {
            return Shape::Leaf;
        };
        match t.kind() {
            Kind::Struct | Kind::Union | Kind::Datasec => Shape::Aggregate,
            Kind::Array if self.holds_aggregates(id) => match t.array() {
                Some(a) => Shape::ArrayOfAggregates {
                    elem: a.elem_type,
                    elem_bits: self.btf.resolve_size(a.elem_type).unwrap_or(0) * 8,
                },
                None => Shape::Leaf,
            },
            _ => Shape::Leaf,
        }
    }

    /// The type `id` stands for, past modifiers and typedefs.
    fn skip_to_type(&self, id: u32) -> Option<crate::btf::Type<'_>> {
        let id = self.btf.skip_mods_and_typedefs(id).ok()?;
        self.btf.type_by_id(id).ok()
    }

    /// Whether the array `id` (of arrays, ...) ends in a struct, union or
    /// DATASEC. Followed a bounded number of steps, without recursion:
    /// hostile BTF can make an array its own element type.
    fn holds_aggregates(&self, id: u32) -> bool {
        let mut next = id;
        for _ in 0..=MAX_RESOLVE_DEPTH {
            let Some(t) = self.skip_to_type(next) else {
                return false;
            };
            match (t.kind(), t.array()) {
                (Kind::Struct | Kind::Union | Kind::Datasec, _) => return true,
                (Kind::Array, Some(a)) => next = a.elem_type,
                _ => return false,
            }
        }
        false
    }

    /// Rows for what lies inside type `id` placed at `base` bits.
    fn children(&mut self, id: u32, base: u64, path: &str, depth: u32) {
        if depth > MAX_RESOLVE_DEPTH || self.truncated {
            return;
        }
        match self.shape(id) {
            Shape::Leaf => {}
            Shape::ArrayOfAggregates { elem, elem_bits } => {
                // The first element stands for all of them: same layout at a
                // stride of its size, which the array row's type states.
                let path = format!("{path}[0]");
                let row = LayoutRow {
                    depth,
                    bit_offset: base,
                    bit_size: elem_bits,
                    kind: RowKind::Member {
                        path: path.clone(),
                        type_name: type_name(self.btf, elem),
                        bitfield: None,
                    },
                };
                if self.push(row) {
                    self.children(elem, base, &path, depth + 1);
                }
            }
            Shape::Aggregate => {
                let Ok(resolved) = self.btf.skip_mods_and_typedefs(id) else {
                    return;
                };
                let Ok(t) = self.btf.type_by_id(resolved) else {
                    return;
                };
                match t.kind() {
                    Kind::Datasec => self.datasec(resolved, base, depth),
                    kind => self.aggregate(resolved, kind == Kind::Union, base, path, depth),
                }
            }
        }
    }

    fn aggregate(&mut self, id: u32, is_union: bool, base: u64, path: &str, depth: u32) {
        let Ok(t) = self.btf.type_by_id(id) else {
            return;
        };
        let total = u64::from(t.size()) * 8;
        let mut end = 0u64;
        for m in t.members() {
            let name = self.btf.str_at(m.name_off).unwrap_or_default();
            // Both bitfield encodings (kind_flag, and old-style widths kept in
            // the INT type) as the kernel reads them.
            let place = self.btf.member_place(&m).unwrap_or(MemberPlace {
                bit_offset: m.raw_offset,
                bitfield_size: 0,
            });
            let start = u64::from(place.bit_offset);
            let bitfield = (place.bitfield_size > 0).then_some(place.bitfield_size);
            let size = match bitfield {
                Some(bits) => u64::from(bits),
                None => self.btf.resolve_size(m.type_id).unwrap_or(0) * 8,
            };
            if !is_union && start > end && !self.padding(base + end, start - end, depth) {
                return;
            }
            let child_path = match (path.is_empty(), name.is_empty()) {
                (_, true) => path.to_string(),
                (true, false) => name.to_string(),
                (false, false) => format!("{path}.{name}"),
            };
            let row = LayoutRow {
                depth,
                bit_offset: base + start,
                bit_size: size,
                kind: RowKind::Member {
                    path: if name.is_empty() {
                        join_anon(path)
                    } else {
                        child_path.clone()
                    },
                    type_name: type_name(self.btf, m.type_id),
                    bitfield,
                },
            };
            if !self.push(row) {
                return;
            }
            if bitfield.is_none() {
                self.children(m.type_id, base + start, &child_path, depth + 1);
            }
            end = end.max(start + size);
        }
        if total > end {
            self.padding(base + end, total - end, depth);
        }
    }

    fn datasec(&mut self, id: u32, base: u64, depth: u32) {
        let Ok(t) = self.btf.type_by_id(id) else {
            return;
        };
        let fixed = self.fixups.and_then(|f| Some((f, f.datasec(id)?)));
        let mut entries: Vec<VarSecinfo> = match fixed {
            Some((f, d)) => f.entries(d).to_vec(),
            None => t.datasec_entries().collect(),
        };
        entries.sort_by_key(|e| e.offset);
        let total = u64::from(fixed.map_or(t.size(), |(_, d)| d.size)) * 8;
        let mut end = 0u64;
        for e in entries {
            let (start, size) = (u64::from(e.offset) * 8, u64::from(e.size) * 8);
            if start > end && !self.padding(base + end, start - end, depth) {
                return;
            }
            let (name, var_type) = match self.btf.type_by_id(e.type_id) {
                Ok(v) if v.kind() == Kind::Var => (
                    self.btf.name(&v).unwrap_or_default().into_owned(),
                    v.type_id(),
                ),
                // A FUNC in `.ksyms` (kfunc) or something malformed.
                Ok(v) => (self.btf.name(&v).unwrap_or_default().into_owned(), v.id()),
                Err(_) => (String::new(), e.type_id),
            };
            let row = LayoutRow {
                depth,
                bit_offset: base + start,
                bit_size: size,
                kind: RowKind::Member {
                    path: name.clone(),
                    type_name: type_name(self.btf, var_type),
                    bitfield: None,
                },
            };
            if !self.push(row) {
                return;
            }
            self.children(var_type, base + start, &name, depth + 1);
            end = end.max(start + size);
        }
        if total > end {
            self.padding(base + end, total - end, depth);
        }
    }

    fn padding(&mut self, bit_offset: u64, bit_size: u64, depth: u32) -> bool {
        self.push(LayoutRow {
            depth,
            bit_offset,
            bit_size,
            kind: RowKind::Padding,
        })
    }
}

/// The path shown for an anonymous member itself.
fn join_anon(path: &str) -> String {
    if path.is_empty() {
        "(anon)".to_string()
    } else {
        format!("{path}.(anon)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::build::{BtfBuilder, Field};
    use crate::btf::int_encoding;
    use crate::bytes::Endian;

    fn rows_of(b: &BtfBuilder, id: u32) -> TypeLayout {
        let blob = b.encode(Endian::Little).unwrap();
        let btf = Btf::parse(&blob).unwrap();
        layout(&btf, id, None)
    }

    #[test]
    fn holes_bitfields_and_unions() {
        let mut b = BtfBuilder::new();
        let u8_ = b.add_int("u8", 1, 0);
        let u32_ = b.add_int("u32", 4, 0);
        let un = b.add_union("u", 4, &[Field::new("b", u8_, 0), Field::new("w", u32_, 0)]);
        let s = b.add_struct(
            "s",
            16,
            &[
                Field::new("a", u8_, 0),
                Field::bitfield("f", u32_, 8, 3),
                Field::new("u", un, 32),
                Field::new("z", u8_, 64),
            ],
        );
        let l = rows_of(&b, s);
        let summary: Vec<(u32, u64, u64, String)> = l
            .rows
            .iter()
            .map(|r| {
                let what = match &r.kind {
                    RowKind::Member { path, .. } => path.clone(),
                    RowKind::Padding => "-".into(),
                };
                (r.depth, r.bit_offset, r.bit_size, what)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (0, 0, 8, "a".into()),
                (0, 8, 3, "f".into()),
                (0, 11, 21, "-".into()),
                (0, 32, 32, "u".into()),
                (1, 32, 8, "u.b".into()),
                (1, 32, 32, "u.w".into()),
                (0, 64, 8, "z".into()),
                (0, 72, 56, "-".into()),
            ]
        );
        assert_eq!(l.size, Some(16));
        assert!(!l.truncated);
    }

    #[test]
    fn a_struct_containing_itself_is_cut_off() {
        // Invalid BTF (infinite size), but the report must still end.
        let mut b = BtfBuilder::new();
        let id = b.next_id();
        b.add_struct("r", 8, &[Field::new("x", id, 0), Field::new("y", id, 32)]);
        let l = rows_of(&b, id);
        assert!(l.rows.len() <= MAX_ROWS);
    }

    #[test]
    fn an_array_of_itself_is_one_row() {
        // Found by fuzzing: an ARRAY whose element type is the array itself
        // (directly, or through a typedef) used to recurse until the stack
        // overflowed.
        let mut b = BtfBuilder::new();
        let int = b.add_int("int", 4, int_encoding::SIGNED);
        let arr = b.next_id();
        b.add_array(arr, int, 4);
        let td = b.add_typedef("loop_t", arr + 2);
        b.add_array(td, int, 2);
        let s = b.add_struct("s", 8, &[Field::new("a", arr, 0), Field::new("t", td, 0)]);
        let l = rows_of(&b, s);
        let members = l
            .rows
            .iter()
            .filter(|r| matches!(r.kind, RowKind::Member { .. }))
            .count();
        assert_eq!(members, 2, "{:?}", l.rows);
    }
}
