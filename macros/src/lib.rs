//! `#[bpf_map]`: declare BPF maps in Rust, laid out as libbpf's `.maps`.
//! Use it through the `bpfc` crate, which re-exports it; see
//! [`macro@bpf_map`] for the syntax.

mod args;
mod errors;
mod eval;
mod expand;
mod flags;
mod item;
mod kinds;
mod model;
mod names;
mod pod;
mod rules;
mod spelling;

#[cfg(test)]
mod snapshot_tests;

use proc_macro::TokenStream;

/// DOC
#[proc_macro_attribute]
pub fn bpf_map(attr: TokenStream, item: TokenStream) -> TokenStream {
    map(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `bpfc::maps::Pod` after checking that the struct is `#[repr(C)]`,
/// has only `Pod` fields (no pointers, references, `bool`, `char`) and no
/// padding bytes. Hash-like maps need `Pod` keys (see [`macro@bpf_map`]).
/// For a renamed `bpfc` crate write `#[pod(crate = path)]`.
#[proc_macro_derive(Pod, attributes(pod))]
pub fn derive_pod(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    pod::derive(input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// The whole of `#[bpf_map]` on token streams (testable without a compiler).
fn map(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    use syn::ext::IdentExt;
    let item: item::MapItem = syn::parse2(item)?;
    let mut errors = errors::Errors::default();
    let args = args::parse(attr, args::Place::Attribute, &mut errors);
    let handle = item::parse_handle(&item.ty, &mut errors);

    let (name, span) = match &args.name {
        Some(lit) => (lit.value(), lit.span()),
        None => (item.ident.unraw().to_string(), item.ident.span()),
    };
    if let Err(problem) = names::check(&name) {
        let help = format!(
            "give the map a name the kernel accepts: `name = \"{}\"`",
            problem.suggestion
        );
        errors.at(span, problem.message, Some(help));
    }
    let model = handle.map(|handle| model::build(handle, &args, name, false, &mut errors));
    errors.finish()?;
    let model = model.expect("no errors, so the handle parsed");
    let cx = expand::Context {
        item: &item,
        krate: args
            .krate
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::bpfc)),
    };
    Ok(expand::expand(&cx, &model))
}
