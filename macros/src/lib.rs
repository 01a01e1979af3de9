//! `#[bpf_map]`: declare BPF maps in Rust, laid out as libbpf's `.maps`.

use proc_macro::TokenStream;

/// Declares a BPF map. (Being implemented.)
#[proc_macro_attribute]
pub fn bpf_map(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
