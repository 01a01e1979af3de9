//! Evaluates the integer constant expressions a declaration is likely to use
//! (`256 * 1024`, `1 << 20`, `0x1000`, `(4096 as u32)`), so that rules can be
//! checked while expanding, with a span on the number. Anything else (a
//! `const` item, `size_of`, a call) yields `None` and the rule becomes a
//! compile-time `const` assertion instead.

use syn::{BinOp, Expr, Lit, Type};

/// The value of `expr`, if it is built from integer literals with
/// `+ - * / % << >> | & ^`, parentheses and casts to integer types, and no
/// step overflows or goes negative.
pub fn eval(expr: &Expr) -> Option<u128> {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int) => int.base10_parse::<u128>().ok(),
            _ => None,
        },
        Expr::Paren(inner) => eval(&inner.expr),
        Expr::Group(inner) => eval(&inner.expr),
        Expr::Cast(cast) => cast_to(eval(&cast.expr)?, &cast.ty),
        Expr::Binary(bin) => {
            let (l, r) = (eval(&bin.left)?, eval(&bin.right)?);
            match bin.op {
                BinOp::Add(_) => l.checked_add(r),
                BinOp::Sub(_) => l.checked_sub(r),
                BinOp::Mul(_) => l.checked_mul(r),
                BinOp::Div(_) => l.checked_div(r),
                BinOp::Rem(_) => l.checked_rem(r),
                BinOp::Shl(_) => u32::try_from(r)
                    .ok()
                    .and_then(|r| l.checked_shl(r))
                    .filter(|v| v >> r == l),
                BinOp::Shr(_) => u32::try_from(r).ok().and_then(|r| l.checked_shr(r)),
                BinOp::BitOr(_) => Some(l | r),
                BinOp::BitAnd(_) => Some(l & r),
                BinOp::BitXor(_) => Some(l ^ r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `value as T` for an integer type `T`; `None` where the cast would change a
/// value we cannot model (signed wrap-around) or `T` is not an integer.
fn cast_to(value: u128, ty: &Type) -> Option<u128> {
    let Type::Path(path) = ty else { return None };
    let ident = path.path.get_ident()?.to_string();
    let bits = match ident.as_str() {
        "u8" | "i8" => 8,
        "u16" | "i16" => 16,
        "u32" | "i32" => 32,
        "u64" | "i64" | "usize" | "isize" => 64,
        "u128" | "i128" => 128,
        _ => return None,
    };
    if ident.starts_with('u') {
        Some(if bits == 128 {
            value
        } else {
            value & ((1u128 << bits) - 1)
        })
    } else {
        // A signed cast keeps the value only if it fits below the sign bit.
        (value < 1u128 << (bits - 1)).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(src: &str) -> Option<u128> {
        eval(&syn::parse_str(src).unwrap())
    }

    #[test]
    fn literal_arithmetic() {
        assert_eq!(ev("10240"), Some(10240));
        assert_eq!(ev("256 * 1024"), Some(262144));
        assert_eq!(ev("1 << 20"), Some(1 << 20));
        assert_eq!(ev("0x1000_u32"), Some(4096));
        assert_eq!(ev("(4 + 4) * 2 - 1"), Some(15));
        assert_eq!(ev("7 % 4 | 8 ^ 1"), Some(3 | (8 ^ 1)));
        assert_eq!(ev("65536 as u16"), Some(0));
        assert_eq!(ev("65537 as u32"), Some(65537));
    }

    #[test]
    fn not_evaluable() {
        assert_eq!(ev("N"), None);
        assert_eq!(ev("core::mem::size_of::<u64>()"), None);
        assert_eq!(ev("1 - 2"), None);
        assert_eq!(ev("1 / 0"), None);
        assert_eq!(ev("1 << 200"), None);
        assert_eq!(ev("200 as i8"), None);
        assert_eq!(ev("1.5"), None);
    }
}
