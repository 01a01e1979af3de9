//! The item under `#[bpf_map]`: `static NAME: Handle<...>;` without an
//! initializer (rustc parses a body-less static and only rejects it after
//! expansion, so the macro can take it and supply the value itself), and the
//! handle type that names the map type and its key and value.

use crate::errors::{error_with_help, Errors};
use crate::kinds::{self, Kind, Side, KINDS};
use crate::spelling::closest_by;
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, GenericArgument, Ident, PathArguments, Token, Type, Visibility};

pub struct MapItem {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub ty: Type,
}

impl Parse for MapItem {
    fn parse(input: ParseStream) -> syn::Result<MapItem> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![static]) {
            return Err(error_with_help(
                input.span(),
                "#[bpf_map] goes on a `static` item",
                Some(
                    "e.g. `#[bpf_map(max_entries = 1024)] pub static FLOWS: Hash<FlowKey, u64>;`"
                        .into(),
                ),
            ));
        }
        input.parse::<Token![static]>()?;
        if let Some(m) = input.parse::<Option<Token![mut]>>()? {
            return Err(error_with_help(
                m.span,
                "a map declaration cannot be `static mut`",
                Some(
                    "remove `mut`: the definition is never written; maps change in the kernel"
                        .into(),
                ),
            ));
        }
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        if input.peek(Token![=]) {
            let eq = input.parse::<Token![=]>()?;
            let value: syn::Expr = input.parse()?;
            let span = eq.span.join(value.span()).unwrap_or(eq.span);
            return Err(error_with_help(
                span,
                "a map declaration has no initializer",
                Some("remove `= ...`: #[bpf_map] supplies the definition".into()),
            ));
        }
        input.parse::<Token![;]>()?;
        Ok(MapItem {
            attrs,
            vis,
            ident,
            ty,
        })
    }
}

/// A side of the map as the handle's generic arguments give it.
pub enum Given {
    /// A Rust type (`Hash<FlowKey, _>`'s `FlowKey`).
    Type(Box<Type>),
    /// `_`: the size comes from `key_size`/`value_size`.
    Infer(Span),
    /// The type the kernel's table fills in when the argument is left out.
    Default((&'static str, u64)),
    /// A map-in-map's inner template (`ArrayOfMaps<Array<u64>>`).
    Inner(Box<Handle>),
    /// Not a generic argument: the side is fixed or absent.
    NotAParam,
}

pub struct Handle {
    pub kind: &'static Kind,
    /// The handle's name (`Hash`), where "the type needs ..." errors point.
    pub name_span: Span,
    pub key: Given,
    pub value: Given,
}

fn is_param(side: &Side) -> bool {
    matches!(side, Side::Param { .. } | Side::Inner)
}

/// `Hash<K, V>`-style usage text for a kind.
pub fn usage(kind: &Kind) -> String {
    let mut params = Vec::new();
    if is_param(&kind.key) {
        params.push("K".to_string());
    }
    match &kind.value {
        Side::Param {
            default: Some((d, _)),
            ..
        } => params.push(format!("V = {d}")),
        Side::Param { .. } => params.push("V".into()),
        Side::Inner => params.push("Inner".into()),
        _ => {}
    }
    if params.is_empty() {
        kind.handle.to_string()
    } else {
        format!("{}<{}>", kind.handle, params.join(", "))
    }
}

/// Lower case without `_`, and without the `Map` suffix other tools use
/// (`HashMap`, `RingBuf`, `lru_hash` all meet `Hash`, `Ringbuf`, `LruHash`).
fn comparable(name: &str) -> String {
    let lower: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.strip_suffix("map") {
        Some(stem)
            if !stem.is_empty()
                && !matches!(lower.as_str(), "devmap" | "sockmap" | "cpumap" | "xskmap") =>
        {
            stem.to_string()
        }
        _ => lower,
    }
}

fn unknown_kind(ident: &Ident) -> syn::Error {
    let name = ident.to_string();
    if name == "Unspec" {
        return syn::Error::new(
            ident.span(),
            "`Unspec` (BPF_MAP_TYPE_UNSPEC) is not a map type the kernel creates",
        );
    }
    let help = match closest_by(&name, KINDS.iter().map(|k| k.handle), comparable) {
        Some(handle) => {
            let kind = kinds::by_handle(handle).expect("from the table");
            format!("did you mean `{}` (libbpf's `{}`)?", usage(kind), kind.name)
        }
        None => "map types are libbpf's names in UpperCamelCase: `Hash<K, V>`, `Array<V>`, `Ringbuf`, `PerfEventArray`, `LruPercpuHash<K, V>`, ...".into(),
    };
    error_with_help(
        ident.span(),
        format!("unknown map type `{name}`"),
        Some(help),
    )
}

/// Reads the handle type; `None` (with errors pushed) when it is unusable.
pub fn parse_handle(ty: &Type, errors: &mut Errors) -> Option<Handle> {
    let path = match ty {
        Type::Path(p) if p.qself.is_none() => &p.path,
        Type::Group(g) => return parse_handle(&g.elem, errors),
        other => {
            errors.at(
                other.span(),
                "the type of a map declaration is a map handle",
                Some("e.g. `Hash<K, V>`, `Array<V>`, `Ringbuf`: libbpf's map type names in UpperCamelCase".into()),
            );
            return None;
        }
    };
    let segment = path.segments.last()?;
    let Some(kind) = kinds::by_handle(&segment.ident.to_string()) else {
        errors.push(unknown_kind(&segment.ident));
        return None;
    };
    let mut args = Vec::new();
    match &segment.arguments {
        PathArguments::None => {}
        PathArguments::AngleBracketed(generics) => {
            for arg in &generics.args {
                match arg {
                    GenericArgument::Type(t) => args.push(t.clone()),
                    other => {
                        errors.at(
                            other.span(),
                            format!("`{}` takes only types", usage(kind)),
                            None,
                        );
                        return None;
                    }
                }
            }
        }
        PathArguments::Parenthesized(p) => {
            errors.at(p.span(), format!("write `{}`", usage(kind)), None);
            return None;
        }
    }

    let sides = [&kind.key, &kind.value];
    let params: Vec<&Side> = sides.iter().copied().filter(|s| is_param(s)).collect();
    let required = params
        .iter()
        .filter(|s| {
            !matches!(
                s,
                Side::Param {
                    default: Some(_),
                    ..
                }
            )
        })
        .count();
    if args.len() < required || args.len() > params.len() {
        let span = match &segment.arguments {
            PathArguments::None => segment.ident.span(),
            other => other.span(),
        };
        let takes = match (required, params.len()) {
            (0, 0) => "no type arguments".to_string(),
            (r, n) if r == n => format!("{n} type argument{}", if n == 1 { "" } else { "s" }),
            (r, n) => format!("{r} to {n} type arguments"),
        };
        errors.at(
            span,
            format!("`{}` takes {takes}, found {}", segment.ident, args.len()),
            Some(format!("write `{}`", usage(kind))),
        );
        return None;
    }

    let mut args = args.into_iter();
    let mut given = |side: &Side| -> Option<Given> {
        Some(match side {
            Side::Absent | Side::Fixed { .. } => Given::NotAParam,
            Side::Param { default, .. } => match args.next() {
                Some(Type::Infer(u)) => Given::Infer(u.span()),
                Some(t) => Given::Type(Box::new(t)),
                None => Given::Default(default.expect("count checked above")),
            },
            Side::Inner => {
                let ty = args.next().expect("count checked above");
                let inner = parse_handle(&ty, errors)?;
                if inner.kind.is_map_in_map() {
                    errors.at(
                        inner.name_span,
                        format!("{} inner maps cannot be maps of maps themselves", kind.name),
                        Some("the kernel refuses nested map-in-map (map_in_map.c: bpf_map_meta_alloc → EINVAL)".into()),
                    );
                    return None;
                }
                Given::Inner(Box::new(inner))
            }
        })
    };
    let key = given(&kind.key)?;
    let value = given(&kind.value)?;
    Some(Handle {
        kind,
        name_span: segment.ident.span(),
        key,
        value,
    })
}
