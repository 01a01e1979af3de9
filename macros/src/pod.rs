//! `#[derive(Pod)]`: proves a struct is plain data without padding, so that
//! it can key a hash-like map (keys are compared byte for byte).
//!
//! It checks, at compile time: a `#[repr(C)]` (or `transparent`) struct
//! without generics; every field `bpfc::maps::Pod` (so no pointers,
//! references, `bool` or `char`, recursively); and that the field sizes add
//! up to the struct's size, i.e. there is no padding between or after the
//! fields.

use crate::errors::error_with_help;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Path};

pub fn derive(input: DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        Data::Enum(e) => {
            return Err(error_with_help(
                e.enum_token.span,
                "`Pod` is for structs: an enum has invalid bit patterns",
                Some("use the enum's integer type (e.g. `u32`) in the key".into()),
            ))
        }
        Data::Union(u) => {
            return Err(error_with_help(
                u.union_token.span,
                "`Pod` is for structs: a union's bytes past its smaller fields are padding",
                None,
            ))
        }
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "`Pod` cannot be derived for generic structs: the padding check needs concrete field types",
        ));
    }
    let krate = crate_path(&input)?;
    check_repr(&input)?;

    let types: Vec<&syn::Type> = match fields {
        Fields::Named(f) => f.named.iter().map(|f| &f.ty).collect(),
        Fields::Unnamed(f) => f.unnamed.iter().map(|f| &f.ty).collect(),
        Fields::Unit => Vec::new(),
    };
    let field_checks = types.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            let _ = field_must_be_pod::<#ty>;
        }
    });
    let message = format!(
        "`{name}` has padding bytes: its fields add up to fewer bytes than the struct \
         (add explicit padding fields such as `_pad: [u8; N]` and zero them)"
    );
    let field_sizes = if types.is_empty() {
        quote!(0)
    } else {
        quote!(#(::core::mem::size_of::<#types>())+*)
    };
    let no_padding = quote_spanned! {name.span()=>
        const _: () = ::core::assert!(::core::mem::size_of::<#name>() == #field_sizes, #message);
    };
    Ok(quote! {
        #[automatically_derived]
        impl #krate::maps::Pod for #name {}

        const _: () = {
            fn field_must_be_pod<T: #krate::maps::Pod + ?::core::marker::Sized>() {}
            #(#field_checks)*
        };
        #no_padding
    })
}

/// `#[pod(crate = path)]` for a renamed `bpfc`; `::bpfc` otherwise.
fn crate_path(input: &DeriveInput) -> syn::Result<Path> {
    let mut krate: Path = syn::parse_quote!(::bpfc);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("pod")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = meta.value()?.parse()?;
                Ok(())
            } else {
                Err(meta.error("`#[pod(...)]` takes only `crate = path`"))
            }
        })?;
    }
    Ok(krate)
}

/// Only C-like layouts have a field order and no reordering: the padding
/// check and the kernel's view of the bytes depend on it.
fn check_repr(input: &DeriveInput) -> syn::Result<()> {
    let mut c_like = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") || meta.path.is_ident("transparent") {
                c_like = true;
            }
            // packed(N) / align(N): skip the argument.
            if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<TokenStream>()?;
            }
            Ok(())
        })?;
    }
    if c_like {
        Ok(())
    } else {
        Err(error_with_help(
            input.ident.span(),
            format!("`{}` needs `#[repr(C)]` to be `Pod`", input.ident),
            Some(
                "Rust's default layout may reorder fields and is not what the kernel or C sees"
                    .into(),
            ),
        ))
    }
}
