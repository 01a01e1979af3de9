//! Padding holes in a BTF type: bytes no member covers.
//!
//! A hash map compares keys byte by byte. Padding a program never writes
//! holds whatever was on the stack, so a lookup with an otherwise equal key
//! silently misses unless the whole key was zeroed first.

use crate::btf::{Btf, Kind, MAX_RESOLVE_DEPTH};
use serde::Serialize;

/// A run of bytes no member covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaddingHole {
    /// Byte offset of the first byte with an uncovered bit.
    pub offset: u32,
    /// Bytes spanned (rounded out to whole bytes).
    pub size: u32,
    /// Some bits of the first or last byte belong to a bitfield.
    pub partial: bool,
}

/// Keys larger than this are not analysed (no map key is anywhere near it).
const MAX_ANALYSED_SIZE: u64 = 1 << 16;

/// The padding holes of type `id`, or `None` when its layout cannot be
/// followed (no size, broken references, or implausibly large).
pub fn key_padding(btf: &Btf<'_>, id: u32) -> Option<Vec<PaddingHole>> {
    let size = btf.resolve_size(id).ok()?;
    if size == 0 || size > MAX_ANALYSED_SIZE {
        return None;
    }
    let bits = (size * 8) as usize;
    let mut covered = vec![false; bits];
    mark(btf, id, 0, &mut covered, 0)?;
    let mut holes = Vec::new();
    let mut i = 0;
    while i < bits {
        if covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < bits && !covered[i] {
            i += 1;
        }
        let (first, end) = (start / 8, i.div_ceil(8));
        holes.push(PaddingHole {
            offset: first as u32,
            size: (end - first) as u32,
            partial: start % 8 != 0 || i % 8 != 0,
        });
    }
    Some(holes)
}

fn fill(covered: &mut [bool], from: u64, len: u64) {
    let end = from.saturating_add(len).min(covered.len() as u64) as usize;
    let from = (from as usize).min(end);
    covered[from..end].iter_mut().for_each(|b| *b = true);
}

fn mark(btf: &Btf<'_>, id: u32, base: u64, covered: &mut [bool], depth: u32) -> Option<()> {
    if depth > MAX_RESOLVE_DEPTH {
        return None;
    }
    let id = btf.skip_mods_and_typedefs(id).ok()?;
    let t = btf.type_by_id(id).ok()?;
    match t.kind() {
        Kind::Int => {
            let i = t.int()?;
            fill(covered, base + u64::from(i.bit_offset), u64::from(i.bits));
        }
        Kind::Struct | Kind::Union => {
            for m in t.members() {
                let at = base + u64::from(m.bit_offset());
                if m.bitfield_size() > 0 {
                    fill(covered, at, u64::from(m.bitfield_size()));
                } else {
                    mark(btf, m.type_id, at, covered, depth + 1)?;
                }
            }
        }
        Kind::Array => {
            let a = t.array()?;
            let elem = btf.resolve_size(a.elem_type).ok()?.checked_mul(8)?;
            let len = covered.len() as u64;
            if a.nelems == 0 || base >= len {
                return Some(());
            }
            if covers_itself(btf, a.elem_type, elem, depth + 1) {
                // Each element would fill exactly its own bits: fill them all at once.
                fill(covered, base, elem.saturating_mul(u64::from(a.nelems)));
                return Some(());
            }
            for i in 0..u64::from(a.nelems) {
                let at = i.checked_mul(elem).and_then(|o| o.checked_add(base));
                let Some(at) = at.filter(|&at| at < len) else {
                    break;
                };
                mark(btf, a.elem_type, at, covered, depth + 1)?;
            }
        }
        _ => fill(covered, base, btf.resolve_size(id).ok()? * 8),
    }
    Some(())
}

/// Whether `mark` at `depth` would cover an element of type `id`, `bits`
/// wide, completely and succeed: an integer as wide as the element (`char`,
/// `__u8`, `__u32`... the usual array elements). Anything else (or anything
/// that would fail) is left to the element-by-element walk.
fn covers_itself(btf: &Btf<'_>, id: u32, bits: u64, depth: u32) -> bool {
    if depth > MAX_RESOLVE_DEPTH {
        return false;
    }
    let int = btf
        .skip_mods_and_typedefs(id)
        .and_then(|id| btf.type_by_id(id))
        .ok()
        .and_then(|t| t.int());
    int.is_some_and(|i| i.bit_offset == 0 && u64::from(i.bits) == bits)
}
