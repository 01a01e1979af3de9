//! The code a checked map turns into.
//!
//! For `#[bpf_map(max_entries = 1024)] pub static FLOWS: Hash<K, V>;`:
//!
//! * `__bpf_map_def_FLOWS`: a flat `#[repr(C)]` struct laid out like
//!   libbpf's macros (`__uint(n, N)` → `*const [i32; N]`, `__type(n, T)` →
//!   `*const T`, `__ulong(n, V)` → a one-enumerator enum, `__array(values,
//!   T)` → `[*const T; 0]`), with only the fields the declaration sets.
//! * `__bpf_map_FLOWS::FLOWS`: the zeroed static in section `.maps`,
//!   exported as `FLOWS` so its ELF symbol and DWARF variable (name and
//!   linkage name) carry the map name. A module holds it so that the user's
//!   `FLOWS` below can keep the name. Or, with `legacy`, a 5×u32
//!   `struct bpf_map_def` record in section `maps` instead.
//! * `const` assertions for rules the compiler decides (type sizes).
//! * On non-BPF targets: `__bpf_map_decl_FLOWS` (a `bpfc::maps::MapDecl`)
//!   and `FLOWS` itself, a typed `bpfc::maps::DeclaredMap` handle.
//!
//! The section-bound part names only `core::` paths, so it also compiles
//! for a BPF target, where the user-space part is left out.

use crate::item::MapItem;
use crate::model::{ExtraField, Field, MapModel};
use crate::rules::Value;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Path, Visibility};

/// Hidden item names derived from a map's Rust name (`FLOWS` →
/// `__bpf_map_def_FLOWS`, ...), also used to reach the items of *other*
/// maps named in `values = [...]`.
fn hidden(prefix: &str, ident: &Ident) -> Ident {
    format_ident!("__bpf_map_{}{}", prefix, ident.unraw(), span = ident.span())
}

/// `a::B` → `a::__bpf_map_B` (+ `::B` for the section static).
fn hidden_path(path: &Path, prefix: &str, section_static: bool) -> TokenStream {
    let mut path = path.clone();
    let last = path.segments.last_mut().expect("paths have a segment");
    let original = last.ident.clone();
    last.ident = hidden(prefix, &original);
    if section_static {
        quote!(#path::#original)
    } else {
        quote!(#path)
    }
}

pub struct Context<'a> {
    pub item: &'a MapItem,
    /// The path of the `bpfc` crate in the user's crate (`::bpfc`).
    pub krate: Path,
}

pub fn expand(cx: &Context, model: &MapModel) -> TokenStream {
    let item = cx.item;
    let ident = &item.ident;
    let vis = &item.vis;
    let krate = &cx.krate;
    let user_space = quote!(#[cfg(not(target_arch = "bpf"))]);

    let mut items = if model.legacy {
        legacy_record(cx, model)
    } else {
        btf_definition(cx, model)
    };
    let assertions = all_assertions(model);
    if !assertions.is_empty() {
        items.push(quote!(const _: () = { #(#assertions)* };));
    }
    if let Some(key) = &model.pod_key {
        let check = quote_spanned! {key.span()=>
            const _: () = {
                fn key_must_be_pod<T: #krate::maps::Pod + ?::core::marker::Sized>() {}
                let _ = key_must_be_pod::<#key>;
            };
        };
        items.push(quote!(#user_space #check));
    }
    let decl_ident = hidden("decl_", ident);
    if let Some(checks) = slot_checks(model, &decl_ident) {
        items.push(quote!(#user_space #checks));
    }
    let decl = decl_expr(krate, model);
    items.push(quote! {
        #user_space
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        #vis const #decl_ident: #krate::maps::MapDecl = #decl;
    });
    let handle_ty = handle_type(krate, model);
    let attrs = item.attrs.iter().filter(|a| !is_cfg(a));
    items.push(quote! {
        #user_space
        #(#attrs)*
        #vis static #ident: #handle_ty = #krate::maps::DeclaredMap::__from_decl(&#decl_ident);
    });

    // The user's `#[cfg]`s apply to every item the declaration becomes.
    let cfgs: Vec<&Attribute> = item.attrs.iter().filter(|a| is_cfg(a)).collect();
    items
        .into_iter()
        .map(|item| quote!(#(#cfgs)* #item))
        .collect()
}

fn is_cfg(attr: &Attribute) -> bool {
    attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr")
}

/// The section static's visibility inside its module: at least as visible as
/// the map, so that other maps' `values = [...]` can point at it.
fn inner_vis(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Inherited => quote!(pub(super)),
        _ => quote!(pub),
    }
}

fn btf_definition(cx: &Context, model: &MapModel) -> Vec<TokenStream> {
    let ident = &cx.item.ident;
    let vis = &cx.item.vis;
    let def = hidden("def_", ident);
    let module = hidden("", ident);
    let inner_vis = inner_vis(vis);
    let name = &model.name;

    let mut items = Vec::new();
    let inner_def = model.inner.as_ref().map(|inner| {
        let inner_def = hidden("inner_def_", ident);
        let fields =
            Definition::of(inner, None, &hidden("inner_extra_", ident), vis, &mut items).fields;
        items.push(quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            #[repr(C)]
            #vis struct #inner_def { #(#fields,)* }
        });
        inner_def
    });
    let Definition { fields, inits } = Definition::of(
        model,
        inner_def.as_ref(),
        &hidden("extra_", ident),
        vis,
        &mut items,
    );
    items.push(quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #[repr(C)]
        #vis struct #def { #(#fields,)* }
    });
    // The definition holds raw pointers (that is how libbpf's encoding names
    // types and numbers), which are not Sync, and a static must be. They are
    // all null, never dereferenced, and the static is never read: this is
    // the one `unsafe` the expansion needs.
    items.push(quote! {
        #[allow(unsafe_code)]
        unsafe impl ::core::marker::Sync for #def {}
    });
    items.push(quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, non_upper_case_globals, unsafe_code)]
        #vis mod #module {
            #[unsafe(link_section = ".maps")]
            #[unsafe(export_name = #name)]
            #[used]
            #inner_vis static #ident: super::#def = super::#def { #(#inits,)* };
        }
    });
    items.extend(slot_table(cx, model, &def, &module));
    items
}

/// A plain integer literal (`1`, not `1u32`), which fits any integer type.
fn unsuffixed(n: u32) -> TokenStream {
    let lit = proc_macro2::Literal::u32_unsuffixed(n);
    quote!(#lit)
}

/// The fields of a definition struct and their zero initialisers.
struct Definition {
    fields: Vec<TokenStream>,
    inits: Vec<TokenStream>,
}

impl Definition {
    /// `__uint(name, n)`.
    fn uint(&mut self, name: TokenStream, n: TokenStream) {
        self.fields.push(quote!(#name: *const [i32; #n]));
        self.inits.push(quote!(#name: ::core::ptr::null()));
    }

    /// `__type(name, ty)`.
    fn pointer(&mut self, name: TokenStream, ty: TokenStream) {
        self.fields.push(quote!(#name: *const #ty));
        self.inits.push(quote!(#name: ::core::ptr::null()));
    }

    /// Only the fields the declaration sets (libbpf's convention), in the
    /// usual order; `values` (the inner template) must come last.
    fn of(
        model: &MapModel,
        inner_def: Option<&Ident>,
        extra_enum: &Ident,
        vis: &Visibility,
        items: &mut Vec<TokenStream>,
    ) -> Definition {
        let mut def = Definition {
            fields: Vec::new(),
            inits: Vec::new(),
        };
        def.uint(quote!(r#type), unsuffixed(model.kind.number));
        for (field, type_name, size_name) in [
            (&model.key.field, quote!(key), quote!(key_size)),
            (&model.value.field, quote!(value), quote!(value_size)),
        ] {
            match field {
                Field::None => {}
                Field::Type(ty) => def.pointer(type_name, quote!(#ty)),
                Field::Size(size) => def.uint(size_name, size.as_usize()),
            }
        }
        if let Some(v) = &model.max_entries {
            def.uint(quote!(max_entries), v.as_usize());
        }
        if let Some(bits) = model.map_flags {
            def.uint(quote!(map_flags), unsuffixed(bits));
        }
        if let Some(v) = &model.numa_node {
            def.uint(quote!(numa_node), v.as_usize());
        }
        if let Some(pinning) = model.pinning {
            def.uint(quote!(pinning), unsuffixed(pinning));
        }
        match &model.map_extra {
            None => {}
            Some(ExtraField::Uint(v)) => def.uint(quote!(map_extra), v.as_usize()),
            Some(ExtraField::Ulong(v)) => {
                // `__ulong`: an enum whose one enumerator is the value. Rust
                // has no zero for such an enum, so this field holds the value
                // itself (libbpf ignores `.maps` contents; bpfc's object
                // writer emits zeroes).
                items.push(quote! {
                    #[doc(hidden)]
                    #[allow(non_camel_case_types, dead_code)]
                    #[repr(u64)]
                    #vis enum #extra_enum { Value = #v }
                });
                def.fields.push(quote!(map_extra: #extra_enum));
                def.inits.push(quote!(map_extra: super::#extra_enum::Value));
            }
        }
        if let Some(inner) = inner_def {
            def.fields.push(quote!(values: [*const #inner; 0]));
            def.inits.push(quote!(values: []));
        }
        def
    }
}

/// Initial slots of a map-in-map: libbpf keeps them as relocations in
/// `.maps` past the definition, which a Rust static cannot express without a
/// wrapper struct (which cilium/ebpf rejects). So they go to a separate
/// table in section `.bpfc.slots`: a pointer to the outer map's definition,
/// then one pointer per slot (null = empty), for bpfc's object writer to turn
/// into `.rel.maps` entries.
fn slot_table(cx: &Context, model: &MapModel, def: &Ident, module: &Ident) -> Vec<TokenStream> {
    if model.slots.is_empty() {
        return Vec::new();
    }
    let ident = &cx.item.ident;
    let vis = &cx.item.vis;
    let table_ty = hidden("slots_def_", ident);
    let table = hidden("slots_", ident);
    let count = model.slots.len();
    let slots = model.slots.iter().map(|slot| match slot {
        Some(path) => {
            let target = hidden_path(path, "", true);
            quote_spanned!(path.span()=> ::core::ptr::addr_of!(#target).cast::<()>())
        }
        None => quote!(::core::ptr::null::<()>()),
    });
    vec![
        quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            #[repr(C)]
            #vis struct #table_ty { map: *const #def, slots: [*const (); #count] }
        },
        // As for the definition: the pointers only name other statics.
        quote! {
            #[allow(unsafe_code)]
            unsafe impl ::core::marker::Sync for #table_ty {}
        },
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals, unsafe_code)]
            #[unsafe(link_section = ".bpfc.slots")]
            #[used]
            static #table: #table_ty = #table_ty {
                map: ::core::ptr::addr_of!(#module::#ident),
                slots: [#(#slots),*],
            };
        },
    ]
}

/// A legacy `struct bpf_map_def`: five u32 (type, key_size, value_size,
/// max_entries, map_flags) in section `maps`, taking the map's symbol
/// *instead of* a `.maps` definition: an object cannot hold two global
/// symbols of one name, and a loader reading both would make two maps.
fn legacy_record(cx: &Context, model: &MapModel) -> Vec<TokenStream> {
    let ident = &cx.item.ident;
    let vis = &cx.item.vis;
    let record = hidden("legacy_", ident);
    let module = hidden("", ident);
    let inner_vis = inner_vis(vis);
    let name = &model.name;
    let number = unsuffixed(model.kind.number);
    let key_size = model.key.size.as_int(quote!(u32));
    let value_size = model.value.size.as_int(quote!(u32));
    let max_entries = model
        .max_entries
        .as_ref()
        .map_or(quote!(0), |v| v.as_int(quote!(u32)));
    let flags = unsuffixed(model.map_flags.unwrap_or(0));
    vec![
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            const #record: [u32; 5] = [#number, #key_size, #value_size, #max_entries, #flags];
        },
        quote! {
            #[doc(hidden)]
            #[allow(non_snake_case, non_upper_case_globals, unsafe_code)]
            #vis mod #module {
                #[unsafe(link_section = "maps")]
                #[unsafe(export_name = #name)]
                #[used]
                #inner_vis static #ident: [u32; 5] = super::#record;
            }
        },
    ]
}

fn all_assertions(model: &MapModel) -> Vec<TokenStream> {
    let mut out: Vec<TokenStream> = model.assertions.iter().map(|a| a.to_tokens()).collect();
    if let Some(inner) = &model.inner {
        out.extend(all_assertions(inner));
    }
    out
}

/// `DeclaredMap<kind::Hash, K, V>`; for map-in-map `V` is the inner handle.
fn handle_type(krate: &Path, model: &MapModel) -> TokenStream {
    let kind = Ident::new(model.kind.handle, Span::call_site());
    let key = &model.key.user_ty;
    let value = match &model.inner {
        Some(inner) => handle_type(krate, inner),
        None => model.value.user_ty.clone(),
    };
    quote!(#krate::maps::DeclaredMap<#krate::maps::kind::#kind, #key, #value>)
}

fn decl_expr(krate: &Path, model: &MapModel) -> TokenStream {
    let name = &model.name;
    let kind = Ident::new(model.kind.handle, Span::call_site());
    let u32_of = |v: Option<&Value>| v.map_or(quote!(0), |v| v.as_int(quote!(u32)));
    let key_size = u32_of(Some(&model.key.size));
    let value_size = u32_of(Some(&model.value.size));
    let max_entries = u32_of(model.max_entries.as_ref());
    let numa_node = u32_of(model.numa_node.as_ref());
    let flags = unsuffixed(model.map_flags.unwrap_or(0));
    let pinning = unsuffixed(model.pinning.unwrap_or(0));
    let map_extra = match &model.map_extra {
        None => quote!(0),
        Some(ExtraField::Uint(v)) => v.as_int(quote!(u64)),
        Some(ExtraField::Ulong(v)) => quote!(#v),
    };
    let legacy = model.legacy;
    let inner = match &model.inner {
        Some(inner) => {
            let inner = decl_expr(krate, inner);
            quote!(::core::option::Option::Some(&#inner))
        }
        None => quote!(::core::option::Option::None),
    };
    let slots = model.slots.iter().enumerate().filter_map(|(index, slot)| {
        let target = hidden_path(slot.as_ref()?, "decl_", false);
        let index = unsuffixed(index as u32);
        Some(quote!(#krate::maps::SlotDecl { index: #index, target: #target.name }))
    });
    quote! {
        #krate::maps::MapDecl {
            name: #name,
            map_type: #krate::maps::MapType::#kind,
            key_size: #key_size,
            value_size: #value_size,
            max_entries: #max_entries,
            map_flags: #krate::maps::MapFlags(#flags),
            numa_node: #numa_node,
            map_extra: #map_extra,
            pinning: #pinning,
            legacy: #legacy,
            inner: #inner,
            slots: &[#(#slots),*],
        }
    }
}

/// Each slot's map must match the inner template the way the kernel checks
/// when the slot is filled (`bpf_map_meta_equal`), and be BTF-defined.
fn slot_checks(model: &MapModel, decl: &Ident) -> Option<TokenStream> {
    let checks: Vec<TokenStream> = model
        .slots
        .iter()
        .enumerate()
        .filter_map(|(index, slot)| {
            let path = slot.as_ref()?;
            let target = hidden_path(path, "decl_", false);
            let shown = quote!(#path).to_string().replace(' ', "");
            let message = format!(
                "map {}: slot {index} ({shown}) must be a BTF-defined map matching the inner template: \
                 same type, key and value size, flags, and max_entries unless the template has `inner_map` \
                 (kernel: bpf_map_meta_equal; libbpf: init_map_in_map_slots)",
                model.name
            );
            Some(quote_spanned! {path.span()=>
                const _: () = ::core::assert!(#decl.can_hold(&#target), #message);
            })
        })
        .collect();
    (!checks.is_empty()).then(|| quote!(const _: () = { #(#checks)* };))
}
