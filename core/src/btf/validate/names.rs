//! The kernel's name rules (`btf_name_valid_identifier`,
//! `btf_name_valid_section`), with the kernel's own character classes.
//!
//! The kernel's `<linux/ctype.h>` classifies bytes as ISO-8859-1, so bytes
//! 0xC0..=0xFF (except 0xD7 and 0xF7) count as letters: a UTF-8 name
//! usually fails because its continuation bytes (0x80..=0xBF) are not
//! letters, while a lone 0xE9 passes. We copy the table, not libc's.

/// Longest name the kernel accepts (`KSYM_NAME_LEN`, 512 since 6.1).
pub const KSYM_NAME_LEN: usize = 512;
/// `KSYM_NAME_LEN` before 6.1.
pub const OLD_KSYM_NAME_LEN: usize = 128;

/// May start an identifier: a letter (kernel ctype), '_' or '.'.
const FIRST: u8 = 1;
/// May continue an identifier: a letter, a digit, '_' or '.'.
const REST: u8 = 2;
/// Printable (kernel ctype `isprint`).
const PRINT: u8 = 4;
/// The byte is '.'.
const DOT: u8 = 8;

/// Classes of every byte, after the kernel's `_ctype` table (lib/ctype.c).
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let alpha =
            matches!(c, 0x41..=0x5a | 0x61..=0x7a | 0xc0..=0xd6 | 0xd8..=0xf6 | 0xf8..=0xff);
        let digit = matches!(c, 0x30..=0x39);
        let extra = c == b'_' as usize || c == b'.' as usize;
        // Printable: space, ASCII graphic characters, NBSP and all of
        // 0xA1..=0xFF (Latin-1 punctuation and letters).
        let print = matches!(c, 0x20..=0x7e | 0xa0..=0xff);
        let mut class = 0;
        if alpha || extra {
            class |= FIRST | REST;
        }
        if digit {
            class |= REST;
        }
        if print {
            class |= PRINT;
        }
        if c == b'.' as usize {
            class |= DOT;
        }
        t[c] = class;
        c += 1;
    }
    t
};

/// AND and OR of the classes of all bytes: one branch-free pass.
fn classes(bytes: &[u8]) -> (u8, u8) {
    bytes.iter().fold((0xff, 0), |(all, any), &c| {
        (all & CLASS[c as usize], any | CLASS[c as usize])
    })
}

/// What a name check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameCheck {
    /// The running kernel accepts it.
    pub valid: bool,
    /// Contains '.', which older kernels refuse outside DATASEC/VAR names.
    pub has_dot: bool,
    /// Longer than older kernels' 128-byte limit.
    pub too_long_for_old: bool,
}

/// `btf_name_valid_identifier`: first byte a letter, '_' or '.', the rest
/// letters, digits, '_' or '.', at most [`KSYM_NAME_LEN`] bytes. An empty
/// name is not an identifier.
pub fn identifier(name: &[u8]) -> NameCheck {
    let (all, any) = classes(name);
    identifier_from(name, all, any)
}

/// [`identifier`] for the NUL-terminated string at the start of `tail`
/// (the rest of a string section): finds the end and classifies the bytes
/// in one pass, which beats a separate NUL search for short names.
pub fn identifier_in(tail: &[u8]) -> NameCheck {
    let (mut all, mut any, mut len) = (0xff, 0, 0);
    for &c in tail {
        if c == 0 {
            break;
        }
        all &= CLASS[c as usize];
        any |= CLASS[c as usize];
        len += 1;
    }
    identifier_from(&tail[..len], all, any)
}

fn identifier_from(name: &[u8], all: u8, any: u8) -> NameCheck {
    let valid = !name.is_empty()
        && name.len() <= KSYM_NAME_LEN
        && CLASS[name[0] as usize] & FIRST != 0
        && all & REST != 0;
    NameCheck {
        valid,
        has_dot: valid && any & DOT != 0,
        too_long_for_old: name.len() > OLD_KSYM_NAME_LEN,
    }
}

/// `btf_name_valid_section` (DATASEC names, since 6.9): non-empty, every
/// byte printable, at most [`KSYM_NAME_LEN`] bytes.
pub fn section(name: &[u8]) -> NameCheck {
    let (all, _) = classes(name);
    let valid = !name.is_empty() && name.len() <= KSYM_NAME_LEN && all & PRINT != 0;
    NameCheck {
        valid,
        has_dot: false,
        too_long_for_old: name.len() > OLD_KSYM_NAME_LEN,
    }
}

/// Whether kernels before 6.9 accept this DATASEC name: an identifier in
/// which '.' is allowed anywhere.
pub fn old_section_rule(name: &[u8]) -> bool {
    identifier(name).valid
}

/// A byte that may appear anywhere in a name every kernel accepts as an
/// identifier: a letter (kernel ctype), a digit or '_'. Written as
/// comparisons rather than a [`CLASS`] lookup so that a loop over a block
/// of bytes becomes vector compares; a test keeps it in step with the table.
/// Non-short-circuit operators, so that nothing branches.
#[inline]
fn plain_byte(c: u8) -> bool {
    let letter = (c | 0x20).wrapping_sub(b'a') < 26;
    let digit = c.wrapping_sub(b'0') < 10;
    let latin1 = (c >= 0xc0) & (c != 0xd7) & (c != 0xf7);
    letter | digit | (c == b'_') | latin1
}

/// Bytes classified per step of [`PlainNames::new`].
const BLOCK: usize = 32;

/// Masks of one block: bit `i` set where byte `i` is NUL, and where it is
/// neither NUL nor a [`plain_byte`]. First one flag byte per byte (a loop
/// the compiler turns into vector compares), then eight flags at a time
/// gathered into bits.
#[inline]
fn classify_block(block: &[u8; BLOCK]) -> (u32, u32) {
    let mut nul = [0u8; BLOCK];
    let mut odd = [0u8; BLOCK];
    for i in 0..BLOCK {
        let c = block[i];
        nul[i] = u8::from(c == 0);
        odd[i] = u8::from((c != 0) & !plain_byte(c));
    }
    (gather_bits(&nul), gather_bits(&odd))
}

/// Bit `i` of the result is byte `i` of `flags` (each 0 or 1).
#[inline]
fn gather_bits(flags: &[u8; BLOCK]) -> u32 {
    let mut bits = 0;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        // Multiplying by this constant moves flag j (byte j) to bit 56 + j
        // without carries, since every partial product lands on its own bit.
        let byte = x.wrapping_mul(0x0102_0408_1020_4080) >> 56;
        bits |= (byte as u32) << (8 * k);
    }
    bits
}

/// The string offsets of one string section whose name is known to be an
/// identifier that every kernel in use accepts: valid, without '.', at most
/// [`OLD_KSYM_NAME_LEN`] bytes. For those, [`identifier_in`] has nothing
/// to report, so the validator answers from one bit.
///
/// Nearly every string of a real blob is a name the validator must check,
/// so [`PlainNames::new`] classifies the whole section in one pass, a block
/// of bytes at a time, and marks each string that starts after a NUL.
/// Offsets into the middle of a string are checked on first use and can be
/// [`insert`](PlainNames::insert)ed.
pub(super) struct PlainNames {
    /// The string offset of the section's first byte (non-zero in split BTF).
    first: u32,
    bits: Vec<u64>,
}

impl PlainNames {
    pub(super) fn new(strings: &[u8], first: u32) -> PlainNames {
        let mut names = PlainNames {
            first,
            bits: vec![0; strings.len().div_ceil(64)],
        };
        // The string being scanned starts at `start`; `odd` says whether a
        // byte of it in an earlier block was not plain.
        let (mut start, mut odd) = (0usize, false);
        let blocks = strings.chunks_exact(BLOCK);
        // The last partial block is padded with a non-plain byte, so that a
        // final string without its NUL (refused by the header checks
        // anyway) is left to the slow path.
        let mut last = [1u8; BLOCK];
        last[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
        for (b, block) in blocks.chain(std::iter::once(&last[..])).enumerate() {
            let block: &[u8; BLOCK] = block.try_into().expect("blocks are BLOCK bytes");
            let (mut nul, odd_bytes) = classify_block(block);
            let base = b * BLOCK;
            // Bit of this block where the current string's bytes begin.
            let mut from = 0;
            while nul != 0 {
                let end = nul.trailing_zeros();
                let mine = u64::from(odd_bytes) & ((1u64 << end) - 1) & !((1u64 << from) - 1);
                if !odd && mine == 0 {
                    names.mark_if_short(strings, start, base + end as usize);
                }
                (start, odd, from) = (base + end as usize + 1, false, end + 1);
                nul &= nul - 1;
            }
            odd |= u64::from(odd_bytes) >> from != 0;
        }
        names
    }

    /// Marks the string `strings[start..end]`, all of whose bytes are plain,
    /// if it is a valid identifier short enough for older kernels.
    fn mark_if_short(&mut self, strings: &[u8], start: usize, end: usize) {
        let len = end - start;
        let starts_ok = strings.get(start).is_some_and(|c| !c.is_ascii_digit());
        if (1..=OLD_KSYM_NAME_LEN).contains(&len) && starts_ok {
            self.bits[start / 64] |= 1 << (start % 64);
        }
    }

    /// The section-local index of string offset `off`, if it is in this section.
    #[inline]
    fn local(&self, off: u32) -> Option<usize> {
        off.checked_sub(self.first).map(|o| o as usize)
    }

    /// Whether the name at string offset `off` is known to be plain.
    #[inline]
    pub(super) fn contains(&self, off: u32) -> bool {
        self.local(off).is_some_and(|o| {
            self.bits
                .get(o / 64)
                .is_some_and(|w| w & (1 << (o % 64)) != 0)
        })
    }

    /// Remembers that the name at `off` (in this section) is plain.
    pub(super) fn insert(&mut self, off: u32) {
        if let Some(o) = self.local(off) {
            if let Some(w) = self.bits.get_mut(o / 64) {
                *w |= 1 << (o % 64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for ok in [&b"a"[..], b"_x1", b".rodata", b"a.b", b"\xe9", &[b'a'; 512]] {
            assert!(identifier(ok).valid, "{ok:?}");
        }
        for bad in [
            &b""[..],
            b"1a",
            b"a$b",
            b"a b",
            b"a-b",
            b"<a>",
            "é".as_bytes(),
            &[b'a'; 513],
        ] {
            assert!(!identifier(bad).valid, "{bad:?}");
        }
        assert!(identifier(b"a.b").has_dot);
        assert!(identifier(&[b'a'; 129]).too_long_for_old);
        assert!(!identifier(&[b'a'; 128]).too_long_for_old);
    }

    #[test]
    fn sections() {
        assert!(section(b"?.struct_ops x/y").valid);
        assert!(!section(b"").valid);
        assert!(!section(b"a\tb").valid);
        assert!(!section(b"\x80").valid);
        assert!(!old_section_rule(b"?.struct_ops"));
        assert!(old_section_rule(b".data.foo"));
    }

    #[test]
    fn plain_byte_matches_the_table() {
        for c in 0..=255u8 {
            let from_table = CLASS[c as usize] & REST != 0 && c != b'.';
            assert_eq!(plain_byte(c), from_table, "{c:#x}");
        }
    }

    /// The one-pass classification marks exactly the string starts whose
    /// name `identifier_in` finds valid, without '.', and short.
    #[test]
    fn plain_names_agree_with_identifier_in() {
        let pieces: [&[u8]; 12] = [
            b"a",
            b"_x1",
            b"1a",
            b"a.b",
            b"",
            b"a b",
            b"\xe9t\xe9",
            b"\xd7",
            b"int",
            &[b'a'; 128],
            &[b'b'; 129],
            &[b'c'; 40],
        ];
        // Sections of every length around the block size, ending in a NUL
        // and (once) without one.
        let mut seed = 0x1234_5678u64;
        for round in 0..400 {
            let mut strings = vec![0u8];
            while strings.len() < round % 150 + 1 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                strings.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
                strings.push(0);
            }
            if round % 7 == 0 {
                strings.extend_from_slice(b"tail");
            }
            let names = PlainNames::new(&strings, 0);
            for off in 0..strings.len() {
                let check = identifier_in(&strings[off..]);
                let plain = check.valid && !check.has_dot && !check.too_long_for_old;
                let at_start = off == 0 || strings[off - 1] == 0;
                let terminated = strings[off..].contains(&0);
                if at_start && terminated {
                    assert_eq!(names.contains(off as u32), plain, "{strings:?} at {off}");
                } else {
                    assert!(!names.contains(off as u32) || plain);
                }
            }
        }
    }
}
