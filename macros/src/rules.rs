//! Size and number rules, checked while expanding when the number is known
//! (a literal, or `256 * 1024`) and otherwise turned into a `const`
//! assertion that the compiler evaluates (`size_of::<FlowKey>()`, a `const`).
//! Either way the message names the map, the rule and the kernel check.

use crate::kinds::SizeRule;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Expr, Type};

/// A size or count whose value may only be known to the compiler.
#[derive(Clone)]
pub enum Value {
    Known(u128, Span),
    /// `size_of::<T>()`, pointing at `T`.
    SizeOf(Box<Type>),
    /// A constant expression the macro could not evaluate.
    Expr(Box<Expr>),
}

impl Value {
    pub fn span(&self) -> Span {
        use syn::spanned::Spanned;
        match self {
            Value::Known(_, span) => *span,
            Value::SizeOf(ty) => ty.span(),
            Value::Expr(e) => e.span(),
        }
    }

    pub fn known(&self) -> Option<u128> {
        match self {
            Value::Known(v, _) => Some(*v),
            _ => None,
        }
    }

    /// The value as a `u128` expression (only `core::` paths: it may end up
    /// in a crate compiled for a BPF target).
    pub fn tokens(&self) -> TokenStream {
        match self {
            Value::Known(v, _) => {
                let lit = proc_macro2::Literal::u128_unsuffixed(*v);
                quote!(#lit)
            }
            Value::SizeOf(ty) => {
                quote_spanned!(self.span()=> (::core::mem::size_of::<#ty>() as u128))
            }
            Value::Expr(e) => quote_spanned!(self.span()=> ((#e) as u128)),
        }
    }

    /// As a `usize` expression, for array lengths (`[i32; N]`).
    pub fn as_usize(&self) -> TokenStream {
        match self {
            Value::Known(v, _) => {
                let lit = proc_macro2::Literal::u128_unsuffixed(*v);
                quote!(#lit)
            }
            Value::SizeOf(ty) => quote_spanned!(self.span()=> ::core::mem::size_of::<#ty>()),
            Value::Expr(e) => quote_spanned!(self.span()=> ((#e) as usize)),
        }
    }

    /// As an expression of integer type `ty` (`u32`, `u64`).
    pub fn as_int(&self, ty: TokenStream) -> TokenStream {
        match self {
            Value::Known(v, _) => {
                let lit = proc_macro2::Literal::u128_unsuffixed(*v);
                quote!(#lit)
            }
            Value::SizeOf(t) => quote_spanned!(self.span()=> (::core::mem::size_of::<#t>() as #ty)),
            Value::Expr(e) => quote_spanned!(self.span()=> ((#e) as #ty)),
        }
    }
}

/// A condition on a number: checked now if the number is known, else a
/// `const` assertion.
pub struct Rule {
    /// `v` is the number; true when the rule holds.
    pub holds: fn(u128, u128) -> bool,
    /// The same condition as tokens over `v` (a `u128` expression).
    pub tokens: fn(TokenStream, u128) -> TokenStream,
    /// A parameter of the rule (a bound, a multiple).
    pub param: u128,
}

/// A compile-time assertion to emit: `const _: () = assert!(cond, "msg");`.
pub struct Assertion {
    pub span: Span,
    pub cond: TokenStream,
    pub message: String,
}

impl Assertion {
    pub fn to_tokens(&self) -> TokenStream {
        let (cond, message) = (&self.cond, &self.message);
        quote_spanned!(self.span=> const _: () = ::core::assert!(#cond, #message);)
    }
}

/// What a failed check produced.
pub enum Outcome {
    Holds,
    /// The number is known and breaks the rule: report at this span.
    Broken(Span, u128),
    /// Deferred to the compiler.
    Deferred(Assertion),
}

pub fn apply(value: &Value, rule: &Rule, message: String) -> Outcome {
    match value.known() {
        Some(v) if (rule.holds)(v, rule.param) => Outcome::Holds,
        Some(v) => Outcome::Broken(value.span(), v),
        None => Outcome::Deferred(Assertion {
            span: value.span(),
            cond: (rule.tokens)(value.tokens(), rule.param),
            message,
        }),
    }
}

pub const NON_ZERO: Rule = Rule {
    holds: |v, _| v > 0,
    tokens: |v, _| quote!(#v > 0),
    param: 0,
};

pub const fn at_most(max: u128) -> Rule {
    Rule {
        holds: |v, max| v <= max,
        tokens: |v, max| quote!(#v <= #max),
        param: max,
    }
}

pub const fn at_least(min: u128) -> Rule {
    Rule {
        holds: |v, min| v >= min,
        tokens: |v, min| quote!(#v >= #min),
        param: min,
    }
}

pub const fn exactly(n: u128) -> Rule {
    Rule {
        holds: |v, n| v == n,
        tokens: |v, n| quote!(#v == #n),
        param: n,
    }
}

pub const fn multiple_of(n: u128) -> Rule {
    Rule {
        holds: |v, n| v % n == 0,
        tokens: |v, n| quote!(#v % #n == 0),
        param: n,
    }
}

/// A power of two that is a multiple of the page size (`param`).
pub const fn ring_size(page: u128) -> Rule {
    Rule {
        holds: |v, page| v.is_power_of_two() && v % page == 0,
        tokens: |v, page| quote!((#v).is_power_of_two() && #v % #page == 0),
        param: page,
    }
}

/// The rules behind a [`SizeRule`] with the phrase that explains it and the
/// errno the kernel answers; a stack trace with `stack_build_id` has 32-byte
/// frames.
pub fn size_rules(rule: SizeRule, build_id: bool) -> Vec<(Rule, String, &'static str)> {
    match rule {
        SizeRule::NonZero => vec![(NON_ZERO, "must not be empty (0 bytes)".into(), "EINVAL")],
        SizeRule::Range(lo, hi) => {
            let phrase = format!("must be {lo}..={hi} bytes");
            vec![
                (at_least(lo as u128), phrase.clone(), "EINVAL"),
                (at_most(hi as u128), phrase, "EINVAL"),
            ]
        }
        SizeRule::Either(a, b) => {
            // Both sizes fit in 32 bits; `param` carries them as a << 32 | b.
            let either = Rule {
                holds: |v, ab| v == ab >> 32 || v == ab & 0xffff_ffff,
                tokens: |v, ab| {
                    let (a, b) = (ab >> 32, ab & 0xffff_ffff);
                    quote!(#v == #a || #v == #b)
                },
                param: (a as u128) << 32 | b as u128,
            };
            vec![(either, format!("must be {a} or {b} bytes"), "EINVAL")]
        }
        SizeRule::PerCpu => vec![(
            at_most(32 * 1024),
            "must be at most 32768 bytes (PCPU_MIN_UNIT_SIZE)".into(),
            "E2BIG",
        )],
        SizeRule::StackFrames => {
            let (frame, what) = if build_id {
                (32, "struct bpf_stack_build_id frames (32 bytes each)")
            } else {
                (8, "u64 addresses")
            };
            vec![
                (
                    NON_ZERO,
                    format!("must hold at least one frame of {what}"),
                    "EINVAL",
                ),
                (
                    multiple_of(frame),
                    format!("must be a multiple of {frame} bytes: {what}"),
                    "EINVAL",
                ),
            ]
        }
    }
}
