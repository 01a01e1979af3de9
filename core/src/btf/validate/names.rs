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
}
