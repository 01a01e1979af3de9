//! Snapshots of the pretty-printed expansion for a representative set of
//! declarations (snapshots/macros/). A change here changes what lands in
//! users' objects: read the diff as code.

use quote::quote;

fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let tokens = crate::map(attr, item).unwrap_or_else(|e| panic!("expansion failed: {e}"));
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
    prettyplease::unparse(&file)
}

fn pod(item: proc_macro2::TokenStream) -> String {
    let tokens = crate::pod::derive(syn::parse2(item).unwrap()).unwrap();
    prettyplease::unparse(&syn::parse2(tokens).unwrap())
}

macro_rules! snapshot {
    ($name:literal, $text:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/macros"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[test]
fn hash_with_struct_key_flags_and_const_size() {
    snapshot!(
        "hash",
        expand(
            quote!(
                max_entries = FLOW_CAPACITY,
                map_flags = no_prealloc | rdonly_prog
            ),
            quote!(
                /// Every flow.
                pub static FLOWS: Hash<FlowKey, FlowStats>;
            ),
        )
    );
}

#[test]
fn perf_event_array_without_max_entries() {
    snapshot!(
        "perf_event_array",
        expand(
            quote!(),
            quote!(
                pub static EVENTS: PerfEventArray;
            )
        )
    );
}

#[test]
fn ringbuf_pinned_by_name() {
    snapshot!(
        "ringbuf",
        expand(
            quote!(max_entries = 256 * 1024, pinning = by_name),
            quote!(
                pub(crate) static LOG: Ringbuf;
            ),
        )
    );
}

#[test]
fn array_of_maps_with_inner_template_and_slots() {
    snapshot!(
        "array_of_maps",
        expand(
            quote!(
                max_entries = 4,
                inner(max_entries = 4),
                values = [SLOT_A, _, maps::SLOT_B]
            ),
            quote!(
                static OUTER: ArrayOfMaps<Array<u64>>;
            ),
        )
    );
}

#[test]
fn legacy_definition() {
    snapshot!(
        "legacy",
        expand(
            quote!(max_entries = 32, legacy, map_flags = no_prealloc),
            quote!(
                pub static OLD_HASH: Hash<FlowKey, u64>;
            ),
        )
    );
}

#[test]
fn arena_with_64_bit_map_extra() {
    snapshot!(
        "arena",
        expand(
            quote!(
                max_entries = 16,
                map_flags = mmapable,
                map_extra = 0x1_0000_0000
            ),
            quote!(
                pub static ARENA: Arena;
            ),
        )
    );
}

#[test]
fn raw_sizes_renamed_and_numa() {
    snapshot!(
        "raw_sizes",
        expand(
            quote!(
                max_entries = 64,
                value_size = 8,
                map_flags = numa_node,
                numa_node = 1,
                name = "tx_progs",
                crate = ::my_bpfc
            ),
            quote!(
                #[cfg(feature = "xdp")]
                pub static TX_PROGRAMS: Devmap<_>;
            ),
        )
    );
}

#[test]
fn local_storage() {
    snapshot!(
        "sk_storage",
        expand(
            quote!(map_flags = no_prealloc | clone),
            quote!(
                pub static SK: SkStorage<SockInfo>;
            )
        )
    );
}

#[test]
fn derive_pod() {
    snapshot!(
        "derive_pod",
        pod(quote!(
            #[repr(C)]
            pub struct FlowKey {
                pub saddr: u32,
                pub daddr: u32,
                pub ports: [u16; 2],
            }
        ))
    );
}

/// The items that land in sections (everything not gated to user space)
/// must name only `core::`: they are compiled for BPF targets too, where
/// neither `std` nor `bpfc` exists.
#[test]
fn section_bound_items_name_only_core() {
    let declarations = [
        (
            quote!(max_entries = N, map_flags = no_prealloc),
            quote!(
                pub static H: Hash<K, V>;
            ),
        ),
        (
            quote!(max_entries = 4, inner(max_entries = 4), values = [A, _]),
            quote!(
                static O: ArrayOfMaps<Array<u64>>;
            ),
        ),
        (
            quote!(max_entries = 8, legacy),
            quote!(
                static L: Array<u64>;
            ),
        ),
        (
            quote!(max_entries = 8, map_flags = mmapable, map_extra = 1 << 40),
            quote!(
                static R: Arena;
            ),
        ),
        (
            quote!(max_entries = 8, key_size = S),
            quote!(
                static S: Hash<_, [u8; 3]>;
            ),
        ),
    ];
    let user_space: syn::Attribute = syn::parse_quote!(#[cfg(not(target_arch = "bpf"))]);
    for (attr, item) in declarations {
        let tokens = crate::map(attr, item).unwrap();
        let file: syn::File = syn::parse2(tokens).unwrap();
        let mut section_bound = 0;
        for item in &file.items {
            let text = quote!(#item).to_string();
            if text.contains(&quote!(#user_space).to_string()) {
                continue;
            }
            section_bound += 1;
            for ident in idents(quote!(#item)) {
                assert!(
                    !["bpfc", "std", "alloc"].contains(&ident.as_str()),
                    "`{ident}` in {text}"
                );
            }
        }
        assert!(section_bound >= 2, "a definition and its static");
    }
}

/// Every identifier in `tokens`, at any depth (string literals excluded).
fn idents(tokens: proc_macro2::TokenStream) -> Vec<String> {
    tokens
        .into_iter()
        .flat_map(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => vec![ident.to_string()],
            proc_macro2::TokenTree::Group(group) => idents(group.stream()),
            _ => Vec::new(),
        })
        .collect()
}
