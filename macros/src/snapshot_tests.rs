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
                name = "tx.progs",
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
