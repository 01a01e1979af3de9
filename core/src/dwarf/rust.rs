//! What Rust's DWARF needs before it can be BTF: C spellings for Rust's
//! primitive types, and C identifiers for Rust's type names.

use crate::btf::int_encoding;

/// How a Rust primitive is written in BTF.
pub(crate) enum RustBase {
    Int {
        name: &'static str,
        encoding: u8,
    },
    Float(&'static str),
    /// `char`: a Unicode scalar value, which BTF cannot say.
    Char,
    /// `()`: zero-sized.
    Unit,
    /// Not a Rust primitive name: handled like C's base types.
    Other,
}

/// Rust's primitives get the names clang gives the C types of the same
/// size and signedness, so that a `u32` in a Rust key and an `__u32` in a C
/// program are one BTF type after dedup, and C dumps of the BTF compile.
pub(crate) fn rust_base_type(name: &str, size: u32, encoding: gimli::DwAte) -> RustBase {
    let signed = match name {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => false,
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => true,
        "bool" => {
            return RustBase::Int {
                name: "_Bool",
                encoding: int_encoding::BOOL,
            }
        }
        "char" if encoding == gimli::DW_ATE_UTF => return RustBase::Char,
        "()" => return RustBase::Unit,
        "f32" | "f64" | "f16" | "f128" => {
            let c = match size {
                2 => "_Float16",
                4 => "float",
                8 => "double",
                _ => "long double",
            };
            return RustBase::Float(c);
        }
        _ => return RustBase::Other,
    };
    let pointer_sized = name.ends_with("size");
    let c = match (size, signed) {
        (1, false) => "unsigned char",
        (1, true) => "signed char",
        (2, false) => "unsigned short",
        (2, true) => "short",
        (4, false) => "unsigned int",
        (4, true) => "int",
        (8, false) if pointer_sized => "unsigned long",
        (8, true) if pointer_sized => "long",
        (8, false) => "unsigned long long",
        (8, true) => "long long",
        (16, false) => "unsigned __int128",
        (16, true) => "__int128",
        _ => return RustBase::Other,
    };
    RustBase::Int {
        name: c,
        encoding: if signed { int_encoding::SIGNED } else { 0 },
    }
}

/// The longest name bpfc writes: the kernel's `KSYM_NAME_LEN` (128) less
/// the NUL, the limit of older kernels.
pub(crate) const MAX_NAME_LEN: usize = 127;

/// A C identifier for a Rust type name: `Wrapper<u32>` → `Wrapper_u32`,
/// `(u8, u16)` → `tuple_u8_u16`, `&str` → `ref_str`, `[u8; 4]` →
/// `array_u8_4`, `{closure_env#0}` → `closure_env_0`.
pub(crate) fn c_identifier(rust: &str) -> String {
    if rust == "()" {
        return "unit".into();
    }
    let mut out = String::with_capacity(rust.len() + 8);
    let mut chars = rust.chars().peekable();
    let push_sep = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    };
    while let Some(c) = chars.next() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' => out.push(c),
            '&' => {
                push_sep(&mut out);
                out.push_str("ref_");
                if rust_keyword(&mut chars, "mut ") {
                    out.push_str("mut_");
                }
            }
            '*' => {
                push_sep(&mut out);
                out.push_str("ptr_");
                if rust_keyword(&mut chars, "mut ") {
                    out.push_str("mut_");
                } else {
                    rust_keyword(&mut chars, "const ");
                }
            }
            '(' => {
                push_sep(&mut out);
                out.push_str("tuple_");
            }
            '[' => {
                push_sep(&mut out);
                // `[T; N]` is an array, `[T]` a slice.
                let rest: String = chars.clone().collect();
                let depth_end = matching_bracket(&rest);
                if rest[..depth_end].contains(';') {
                    out.push_str("array_");
                } else {
                    out.push_str("slice_");
                }
            }
            _ => push_sep(&mut out),
        }
    }
    while out.ends_with('_') && out.len() > 1 {
        out.pop();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "t_");
    }
    out
}

fn rust_keyword(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, word: &str) -> bool {
    let ahead: String = chars.clone().take(word.len()).collect();
    if ahead == word {
        for _ in 0..word.len() {
            chars.next();
        }
        true
    } else {
        false
    }
}

/// Length of `s` up to the `]` closing a `[` just before it.
fn matching_bracket(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' | '<' | '(' => depth += 1,
            ']' | '>' | ')' if depth > 0 => depth -= 1,
            ']' => return i,
            _ => {}
        }
    }
    s.len()
}

/// Cuts a name to [`MAX_NAME_LEN`], keeping it unique with a hash of the
/// whole.
pub(crate) fn fit_length(name: String) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name;
    }
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut cut = MAX_NAME_LEN - 17;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:016x}", &name[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names_become_c_identifiers() {
        for (rust, c) in [
            ("FlowKey", "FlowKey"),
            ("Wrapper<u32>", "Wrapper_u32"),
            (
                "Wrapper<macro_maps::Inner, 4>",
                "Wrapper_macro_maps_Inner_4",
            ),
            ("(u8, u16)", "tuple_u8_u16"),
            ("()", "unit"),
            ("&str", "ref_str"),
            ("&mut [u8]", "ref_mut_slice_u8"),
            ("*const [i32; 4]", "ptr_array_i32_4"),
            ("*mut u8", "ptr_mut_u8"),
            ("{closure_env#0}<i32>", "closure_env_0_i32"),
            ("0weird", "t_0weird"),
            ("<>", "t_"),
        ] {
            assert_eq!(c_identifier(rust), c, "{rust}");
        }
    }

    #[test]
    fn long_names_are_cut_and_stay_distinct() {
        let a = fit_length("A".repeat(300));
        let b = fit_length(format!("{}B", "A".repeat(299)));
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert_ne!(a, b);
        assert_eq!(fit_length("short".into()), "short");
    }
}
