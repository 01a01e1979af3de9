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
    let mut covered = Coverage::new((size * 8) as usize);
    let mut budget = MARK_BUDGET;
    mark(btf, id, 0, &mut covered, 0, &mut budget)?;
    let mut holes = Vec::new();
    let mut next = covered.next_uncovered(0);
    while let Some(start) = next {
        let end = covered.next_covered(start);
        let (first, last) = (start / 8, end.div_ceil(8));
        holes.push(PaddingHole {
            offset: first as u32,
            size: (last - first) as u32,
            partial: start % 8 != 0 || end % 8 != 0,
        });
        next = covered.next_uncovered(end);
    }
    Some(holes)
}

/// Which bits of the type some member covers, 64 to a word: filling and
/// searching a word at a time (a bool per bit made padding the costliest
/// map check).
struct Coverage {
    words: Words,
    /// Bits in the type; the bits of the last word past it are never set.
    len: usize,
}

/// A key's bit map: in place for keys up to 64 bytes (nearly all), so
/// checking one costs no allocation.
enum Words {
    Inline([u64; INLINE_WORDS], usize),
    Heap(Vec<u64>),
}

const INLINE_WORDS: usize = 8;

impl Words {
    fn zeroed(n: usize) -> Words {
        if n <= INLINE_WORDS {
            Words::Inline([0; INLINE_WORDS], n)
        } else {
            Words::Heap(vec![0; n])
        }
    }

    fn as_ref(&self) -> &[u64] {
        match self {
            Words::Inline(w, n) => &w[..*n],
            Words::Heap(w) => w,
        }
    }

    fn as_mut(&mut self) -> &mut [u64] {
        match self {
            Words::Inline(w, n) => &mut w[..*n],
            Words::Heap(w) => w,
        }
    }
}

impl Coverage {
    fn new(len: usize) -> Coverage {
        Coverage {
            words: Words::zeroed(len.div_ceil(64)),
            len,
        }
    }

    fn len(&self) -> u64 {
        self.len as u64
    }

    /// Marks `len` bits from bit `from` covered (cut at the type's end).
    fn fill(&mut self, from: u64, len: u64) {
        let end = from.saturating_add(len).min(self.len()) as usize;
        let mut at = (from as usize).min(end);
        while at < end {
            let (word, bit) = (at / 64, at % 64);
            let n = (end - at).min(64 - bit);
            let ones = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
            self.words.as_mut()[word] |= ones << bit;
            at += n;
        }
    }

    /// The first bit at or after `from` that no member covers.
    fn next_uncovered(&self, from: usize) -> Option<usize> {
        self.next(from, |w| !w).filter(|&i| i < self.len)
    }

    /// The first covered bit at or after `from`, or the end of the type.
    fn next_covered(&self, from: usize) -> usize {
        self.next(from, |w| w).map_or(self.len, |i| i.min(self.len))
    }

    /// The first bit at or after `from` set in `view(word)`.
    fn next(&self, from: usize, view: impl Fn(u64) -> u64) -> Option<usize> {
        let mut word = from / 64;
        let mut bits = view(*self.words.as_ref().get(word)?) & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            bits = view(*self.words.as_ref().get(word)?);
        }
    }
}

/// The most types [`mark`] enters for one key. A key is a handful of
/// members; hostile BTF can nest structs so that the same ones are reached
/// along exponentially many paths (each holding two of the next), and
/// marks depend on where a type sits, so they cannot be remembered per
/// type. Past this many the layout is not judged (no finding).
const MARK_BUDGET: u32 = 100_000;

fn mark(
    btf: &Btf<'_>,
    id: u32,
    base: u64,
    covered: &mut Coverage,
    depth: u32,
    budget: &mut u32,
) -> Option<()> {
    if depth > MAX_RESOLVE_DEPTH {
        return None;
    }
    *budget = budget.checked_sub(1)?;
    let id = btf.skip_mods_and_typedefs(id).ok()?;
    let t = btf.type_by_id(id).ok()?;
    match t.kind() {
        Kind::Int => {
            let i = t.int()?;
            covered.fill(base + u64::from(i.bit_offset), u64::from(i.bits));
        }
        Kind::Struct | Kind::Union => {
            for m in t.members() {
                let at = base + u64::from(m.bit_offset());
                if m.bitfield_size() > 0 {
                    covered.fill(at, u64::from(m.bitfield_size()));
                } else {
                    mark(btf, m.type_id, at, covered, depth + 1, budget)?;
                }
            }
        }
        Kind::Array => {
            let a = t.array()?;
            let elem = btf.resolve_size(a.elem_type).ok()?.checked_mul(8)?;
            let len = covered.len();
            if a.nelems == 0 || base >= len {
                return Some(());
            }
            if covers_itself(btf, a.elem_type, elem, depth + 1) {
                // Each element would fill exactly its own bits: fill them all at once.
                covered.fill(base, elem.saturating_mul(u64::from(a.nelems)));
                return Some(());
            }
            for i in 0..u64::from(a.nelems) {
                let at = i.checked_mul(elem).and_then(|o| o.checked_add(base));
                let Some(at) = at.filter(|&at| at < len) else {
                    break;
                };
                mark(btf, a.elem_type, at, covered, depth + 1, budget)?;
            }
        }
        _ => covered.fill(base, btf.resolve_size(id).ok()? * 8),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A key whose structs each hold two of the next: 2^29 paths to the
    /// bottom. Its layout is given up on (no finding) in bounded time
    /// instead of walked path by path.
    #[test]
    fn a_key_reached_along_exponentially_many_paths_is_given_up_on() {
        use crate::btf::build::{BtfBuilder, Field};
        use crate::bytes::Endian;
        let mut b = BtfBuilder::new();
        let int = b.add_int("int", 4, 0);
        let mut next = b.add_struct("s29", 4, &[Field::new("x", int, 0)]);
        for k in (0..29).rev() {
            // Both members at offset 0: every level stays within 4 bytes.
            next = b.add_struct(
                &format!("s{k}"),
                4,
                &[Field::new("a", next, 0), Field::new("b", next, 0)],
            );
        }
        let bytes = b.encode(Endian::NATIVE).unwrap();
        let btf = Btf::parse(&bytes).unwrap();
        assert_eq!(key_padding(&btf, next), None);
        // Three levels are well within the budget: the int covers the key.
        let small = b.find_by_name_kind("s26", Kind::Struct).unwrap();
        assert_eq!(key_padding(&btf, small), Some(vec![]));
    }

    /// The holes of a one-bool-per-bit model, as `key_padding` reports them.
    fn model_holes(covered: &[bool]) -> Vec<(usize, usize)> {
        let mut holes = Vec::new();
        let mut i = 0;
        while i < covered.len() {
            if covered[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i < covered.len() && !covered[i] {
                i += 1;
            }
            holes.push((start, i));
        }
        holes
    }

    fn coverage_holes(c: &Coverage) -> Vec<(usize, usize)> {
        let mut holes = Vec::new();
        let mut next = c.next_uncovered(0);
        while let Some(start) = next {
            let end = c.next_covered(start);
            holes.push((start, end));
            next = c.next_uncovered(end);
        }
        holes
    }

    #[test]
    fn word_coverage_finds_the_holes_a_bit_by_bit_walk_finds() {
        // Deterministic pseudo-random fills over sizes around word edges.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for len in [1, 7, 8, 63, 64, 65, 127, 128, 129, 200, 320, 1000] {
            for _ in 0..50 {
                let mut c = Coverage::new(len);
                let mut model = vec![false; len];
                for _ in 0..rand(6) {
                    // Some fills run past the end, as a broken type's may.
                    let from = rand(len as u64 + 8);
                    let n = rand(len as u64 / 2 + 70);
                    c.fill(from, n);
                    let end = (from + n).min(len as u64) as usize;
                    let from = (from as usize).min(end);
                    model[from..end].iter_mut().for_each(|b| *b = true);
                }
                assert_eq!(coverage_holes(&c), model_holes(&model), "len {len}");
            }
        }
    }
}
