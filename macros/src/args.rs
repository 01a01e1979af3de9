//! The arguments of `#[bpf_map(...)]` (and of its nested `inner(...)`).
//!
//! Parsing happens in two steps so that one mistake does not hide the
//! others: first the list is split into `name [= value | (...)]` pieces,
//! then each piece is interpreted on its own and every error is collected.

use crate::errors::{error_with_help, Errors};
use crate::eval::eval;
use crate::flags;
use crate::spelling::closest;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Path, Token};

/// A number given as a constant expression; `value` when it could be
/// evaluated while expanding (see [`crate::eval`]).
#[derive(Clone)]
pub struct Num {
    pub expr: Expr,
    pub value: Option<u128>,
    /// The argument's name, for "this type does not take ..." errors.
    pub name_span: Span,
}

impl Num {
    pub fn span(&self) -> Span {
        self.expr.span()
    }
}

pub struct Flags {
    pub bits: u32,
    /// Each named flag with its bit, in the order written.
    pub items: Vec<(u32, Ident)>,
    pub name_span: Span,
}

impl Flags {
    pub fn span_of(&self, bit: u32) -> Span {
        self.items
            .iter()
            .find(|(b, _)| *b == bit)
            .map_or(self.name_span, |(_, ident)| ident.span())
    }
}

pub struct Pinning {
    /// libbpf's `LIBBPF_PIN_NONE` (0) or `LIBBPF_PIN_BY_NAME` (1).
    pub value: u32,
    pub name_span: Span,
}

/// `values = [A, _, B]`: initial slots of a map-in-map; `_` leaves one empty.
pub struct Values {
    pub slots: Vec<Option<Path>>,
    pub name_span: Span,
}

/// A bare switch such as `legacy`.
pub type Switch = Option<Span>;

#[derive(Default)]
pub struct Args {
    pub max_entries: Option<Num>,
    pub map_flags: Option<Flags>,
    pub numa_node: Option<Num>,
    pub pinning: Option<Pinning>,
    pub map_extra: Option<Num>,
    pub key_size: Option<Num>,
    pub value_size: Option<Num>,
    pub name: Option<LitStr>,
    pub inner: Option<(Span, Box<Args>)>,
    pub values: Option<Values>,
    pub legacy: Switch,
    pub allow_key_padding: Switch,
    pub krate: Option<Path>,
    /// An unknown argument was given (probably a misspelt known one).
    pub misspelt: bool,
}

/// Where an argument list appears.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Attribute,
    /// `inner(...)`: the template of a map-in-map's inner maps.
    Inner,
}

pub const NAMES: &[&str] = &[
    "max_entries",
    "map_flags",
    "numa_node",
    "pinning",
    "map_extra",
    "key_size",
    "value_size",
    "name",
    "inner",
    "values",
    "legacy",
    "allow_key_padding",
    "crate",
];

/// Arguments that only make sense for the declared map itself, not for the
/// inner template, with the reason.
const OUTER_ONLY: &[(&str, &str)] = &[
    (
        "pinning",
        "an inner map template cannot be pinned (libbpf: \"inner def can't be pinned\")",
    ),
    (
        "name",
        "the inner template is named after its outer map (`OUTER.inner`, as libbpf does)",
    ),
    (
        "inner",
        "inner maps cannot be maps of maps themselves (libbpf: \"multi-level inner maps not supported\")",
    ),
    (
        "values",
        "slots belong to the outer map: write `values = [...]` next to `inner(...)`",
    ),
    ("legacy", "legacy definitions have no inner template"),
    ("crate", "`crate = ...` applies to the whole declaration"),
];

enum RawValue {
    Bare,
    Eq(TokenStream),
    Parens(TokenStream),
}

struct RawArg {
    name: Ident,
    value: RawValue,
}

fn parse_raw(input: ParseStream) -> syn::Result<Vec<RawArg>> {
    let mut args = Vec::new();
    while !input.is_empty() {
        let name = input.call(Ident::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let mut tokens = TokenStream::new();
            while !input.is_empty() && !input.peek(Token![,]) {
                tokens.extend([input.parse::<TokenTree>()?]);
            }
            if tokens.is_empty() {
                return Err(input.error(format!("`{name} =` needs a value")));
            }
            RawValue::Eq(tokens)
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            RawValue::Parens(content.parse()?)
        } else {
            RawValue::Bare
        };
        args.push(RawArg { name, value });
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(args)
}

/// Parses an argument list; `errors` receives every problem found.
pub fn parse(tokens: TokenStream, place: Place, errors: &mut Errors) -> Args {
    let mut args = Args::default();
    let raw = match parse_raw.parse2(tokens) {
        Ok(raw) => raw,
        Err(e) => {
            errors.push(e);
            return args;
        }
    };
    let mut seen: Vec<Ident> = Vec::new();
    for arg in raw {
        let name = arg.name.unraw().to_string();
        if seen.iter().any(|s| s.unraw() == name) {
            errors.at(
                arg.name.span(),
                format!("`{name}` is given twice"),
                Some(format!("keep one `{name}`")),
            );
            continue;
        }
        seen.push(arg.name.clone());
        if place == Place::Inner {
            if let Some((_, why)) = OUTER_ONLY.iter().find(|(n, _)| *n == name) {
                errors.at(
                    arg.name.span(),
                    format!("`{name}` is not allowed in `inner(...)`"),
                    Some((*why).into()),
                );
                continue;
            }
        }
        if let Err(e) = interpret(&mut args, &arg, &name, place, errors) {
            errors.push(e);
        }
    }
    args
}

fn interpret(
    args: &mut Args,
    arg: &RawArg,
    name: &str,
    place: Place,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = arg.name.span();
    match name {
        "max_entries" => args.max_entries = Some(num(arg)?),
        "numa_node" => args.numa_node = Some(num(arg)?),
        "map_extra" => args.map_extra = Some(num(arg)?),
        "key_size" => args.key_size = Some(num(arg)?),
        "value_size" => args.value_size = Some(num(arg)?),
        "map_flags" => args.map_flags = Some(map_flags(arg, errors)?),
        "pinning" => args.pinning = Some(pinning(arg)?),
        "name" => {
            args.name = Some(syn::parse2(eq_value(
                arg,
                "a string, e.g. `name = \"flows\"`",
            )?)?)
        }
        "values" => args.values = Some(values(arg)?),
        "crate" => {
            args.krate = Some(syn::parse2(eq_value(
                arg,
                "a path, e.g. `crate = ::bpfc`",
            )?)?)
        }
        "legacy" => args.legacy = Some(switch(arg)?),
        "allow_key_padding" => args.allow_key_padding = Some(switch(arg)?),
        "inner" => {
            let RawValue::Parens(tokens) = &arg.value else {
                return Err(error_with_help(
                    span,
                    "`inner` takes the inner map's arguments in parentheses",
                    Some("e.g. `inner(max_entries = 1)`; the inner map type is the handle's generic argument".into()),
                ));
            };
            let inner = parse(tokens.clone(), Place::Inner, errors);
            args.inner = Some((span, Box::new(inner)));
        }
        other => {
            args.misspelt = true;
            return Err(unknown(&arg.name, other, place));
        }
    }
    Ok(())
}

fn unknown(ident: &Ident, name: &str, place: Place) -> syn::Error {
    let help = match name {
        "type" => Some(
            "the map type comes from the handle type: `static NAME: Hash<K, V>` declares a libbpf `hash`".to_string(),
        ),
        "key" | "value" => Some(
            "key and value types are the handle's generic arguments (`Hash<K, V>`); for raw sizes write `_` there and `key_size = N`/`value_size = N`".to_string(),
        ),
        "flags" => Some("did you mean `map_flags`?".to_string()),
        "max_elem" | "entries" | "size" => Some("did you mean `max_entries`?".to_string()),
        "pin" => Some("did you mean `pinning`?".to_string()),
        _ => closest(name, NAMES.iter().copied()).map(|c| format!("did you mean `{c}`?")),
    };
    let help = help.or_else(|| {
        Some(format!(
            "{} takes: {}",
            if place == Place::Inner {
                "`inner(...)`"
            } else {
                "`#[bpf_map]`"
            },
            NAMES.join(", ")
        ))
    });
    error_with_help(ident.span(), format!("unknown argument `{name}`"), help)
}

fn eq_value(arg: &RawArg, what: &str) -> syn::Result<TokenStream> {
    match &arg.value {
        RawValue::Eq(tokens) => Ok(tokens.clone()),
        _ => Err(syn::Error::new(
            arg.name.span(),
            format!("`{}` takes a value: {what}", arg.name.unraw()),
        )),
    }
}

fn switch(arg: &RawArg) -> syn::Result<Span> {
    match arg.value {
        RawValue::Bare => Ok(arg.name.span()),
        _ => Err(syn::Error::new(
            arg.name.span(),
            format!(
                "`{}` is a switch: write it alone, without a value",
                arg.name
            ),
        )),
    }
}

fn num(arg: &RawArg) -> syn::Result<Num> {
    let expr: Expr = syn::parse2(eq_value(
        arg,
        "a constant expression, e.g. `1024` or `4 * PAGE_SIZE`",
    )?)?;
    Ok(Num {
        value: eval(&expr),
        expr,
        name_span: arg.name.span(),
    })
}

fn map_flags(arg: &RawArg, errors: &mut Errors) -> syn::Result<Flags> {
    let tokens = eq_value(
        arg,
        "flag names joined by `|`, e.g. `no_prealloc | rdonly_prog`",
    )?;
    let names = Punctuated::<Ident, Token![|]>::parse_separated_nonempty
        .parse2(tokens)
        .map_err(|e| {
            error_with_help(
                e.span(),
                "`map_flags` takes flag names joined by `|`",
                Some(format!("known flags: {}", flag_names().join(", "))),
            )
        })?;
    let mut flags = Flags {
        bits: 0,
        items: Vec::new(),
        name_span: arg.name.span(),
    };
    for ident in names {
        let name = ident.to_string();
        match flags::from_name(&name) {
            Some(bit) if flags.bits & bit != 0 => {
                errors.at(ident.span(), format!("flag `{name}` is given twice"), None)
            }
            Some(bit) => {
                flags.bits |= bit;
                flags.items.push((bit, ident));
            }
            None => {
                let lower = name.to_ascii_lowercase();
                let stripped = lower.trim_start_matches("bpf_f_");
                let help = closest(stripped, flag_names())
                    .map(|c| format!("did you mean `{c}`?"))
                    .unwrap_or_else(|| format!("known flags: {}", flag_names().join(", ")));
                errors.at(
                    ident.span(),
                    format!("unknown map flag `{name}`"),
                    Some(help),
                );
            }
        }
    }
    Ok(flags)
}

fn flag_names() -> Vec<&'static str> {
    flags::NAMES.iter().map(|(n, _)| *n).collect()
}

fn pinning(arg: &RawArg) -> syn::Result<Pinning> {
    let ident: Ident = syn::parse2(eq_value(arg, "`by_name` or `none`")?)
        .map_err(|e| error_with_help(e.span(), "`pinning` is `by_name` or `none`", None))?;
    let value = match ident.to_string().as_str() {
        "none" => 0,
        "by_name" => 1,
        other => {
            let help = closest(other, ["by_name", "none"])
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| {
                    "libbpf knows LIBBPF_PIN_NONE and LIBBPF_PIN_BY_NAME only".into()
                });
            return Err(error_with_help(
                ident.span(),
                format!("unknown pinning `{other}`: pinning is `by_name` or `none`"),
                Some(help),
            ));
        }
    };
    Ok(Pinning {
        value,
        name_span: arg.name.span(),
    })
}

fn values(arg: &RawArg) -> syn::Result<Values> {
    let tokens = eq_value(arg, "a list of declared maps, e.g. `values = [A, _, B]`")?;
    let list: syn::ExprArray = syn::parse2(tokens).map_err(|e| {
        error_with_help(
            e.span(),
            "`values` is a list of declared maps in brackets",
            Some("e.g. `values = [INNER_A, _, INNER_B]` (`_` leaves a slot empty)".into()),
        )
    })?;
    let mut slots = Vec::new();
    for elem in list.elems {
        match elem {
            Expr::Infer(_) => slots.push(None),
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
                slots.push(Some(path.path))
            }
            other => {
                return Err(error_with_help(
                    other.span(),
                    "a slot names a map declared with `#[bpf_map]`, or is `_` for an empty slot",
                    None,
                ))
            }
        }
    }
    Ok(Values {
        slots,
        name_span: arg.name.span(),
    })
}
