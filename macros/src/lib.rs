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

/// Declares a BPF map, laid out exactly as libbpf's C macros lay out a
/// BTF-defined map in `.maps` (or, with `legacy`, as a `struct bpf_map_def`
/// in `maps`).
///
/// ```
/// use bpfc::{bpf_map, Pod};
///
/// #[repr(C)]
/// #[derive(Clone, Copy, Pod)]
/// pub struct FlowKey { pub saddr: u32, pub daddr: u32, pub sport: u16, pub dport: u16, pub proto: u8, pub pad: [u8; 3] }
///
/// #[bpf_map(max_entries = 10240, map_flags = no_prealloc)]
/// pub static FLOWS: Hash<FlowKey, u64>;
///
/// #[bpf_map]                    // one slot per possible CPU, sized by the loader
/// pub static EVENTS: PerfEventArray;
///
/// #[bpf_map(max_entries = 256 * 1024, pinning = by_name)]
/// pub static LOG: Ringbuf;
///
/// # fn main() {
/// let spec = FLOWS.spec();      // user space: the map's bpfc::maps::MapSpec
/// assert_eq!((spec.name.as_str(), spec.key_size, spec.max_entries), ("FLOWS", 16, 10240));
/// # }
/// ```
///
/// # The item
///
/// A `static` without a value, whose type is a *map handle*: the map type's
/// libbpf name in UpperCamelCase (`lru_percpu_hash` → `LruPercpuHash`),
/// with the key and value types as generic arguments where the type lets you
/// choose them. The macro reads the handle's name (the last path segment), so
/// it needs no import; a misspelt one gets the closest name (`HashMap` →
/// `Hash`, `RingBuf` → `Ringbuf`). Declare maps at module level, not inside
/// function bodies: the expansion reaches the definition through `super::`.
///
/// | handle | libbpf type | key | value |
/// |---|---|---|---|
/// | `Hash<K, V>`, `PercpuHash<K, V>`, `LruHash<K, V>`, `LruPercpuHash<K, V>`, `Rhash<K, V>` | `hash`, `percpu_hash`, `lru_hash`, `lru_percpu_hash`, `rhash` | `K` | `V` |
/// | `LpmTrie<K, V>` | `lpm_trie` | `K` (u32 prefix length + data) | `V` |
/// | `Array<V>`, `PercpuArray<V>` | `array`, `percpu_array` | u32 | `V` |
/// | `StackTrace<V>` | `stack_trace` | u32 | `V`, e.g. `[u64; 127]` |
/// | `ProgArray`, `PerfEventArray`, `CgroupArray`, `Xskmap` | `prog_array`, `perf_event_array`, `cgroup_array`, `xskmap` | u32 | u32 (an fd) |
/// | `Devmap<V = u32>`, `DevmapHash<V = u32>`, `Cpumap<V = u32>`, `Sockmap<V = u32>`, `ReuseportSockarray<V = u32>` | `devmap`, `devmap_hash`, `cpumap`, `sockmap`, `reuseport_sockarray` | u32 | `V`: 4 or 8 bytes |
/// | `Sockhash<K, V = u32>` | `sockhash` | `K` | `V`: 4 or 8 bytes |
/// | `ArrayOfMaps<I>`, `HashOfMaps<K, I>` | `array_of_maps`, `hash_of_maps` | u32 / `K` | an inner map of handle type `I` |
/// | `CgroupStorage<K, V>`, `PercpuCgroupStorage<K, V>` | `cgroup_storage`, `percpu_cgroup_storage` | `K`: u64 or `bpf_cgroup_storage_key` | `V` |
/// | `SkStorage<V>`, `InodeStorage<V>`, `TaskStorage<V>`, `CgrpStorage<V>` | `sk_storage`, `inode_storage`, `task_storage`, `cgrp_storage` | i32 (an fd) | `V` |
/// | `Queue<V>`, `Stack<V>`, `BloomFilter<V>` | `queue`, `stack`, `bloom_filter` | none | `V` |
/// | `Ringbuf`, `UserRingbuf`, `Arena` | `ringbuf`, `user_ringbuf`, `arena` | none | none |
/// | `StructOps<V>` | `struct_ops` | u32 | `V` |
/// | `InsnArray` | `insn_array` | u32 | `[u32; 4]` |
///
/// A generic argument may be `_` with `key_size = N` / `value_size = N`:
/// the size is then raw (`__uint(key_size, N)`, no BTF for that side) and
/// user space sees `[u8; N]`. `Devmap` & co. may also take `value_size`
/// without writing `_`. Sides the kernel fixes (array indexes, fds) accept a
/// raw size only if it is the fixed one.
///
/// Keys and values are encoded as `__type(key, K)` (a pointer to the Rust
/// type, so the object's BTF describes it), except for the types whose BTF
/// the kernel refuses (`map_check_no_btf`: prog/perf/cgroup arrays, map-in-map,
/// devmap, cpumap, xskmap, sockmap, sockhash) and `insn_array`, which always
/// get raw `key_size`/`value_size` (computed with `size_of`).
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `max_entries = EXPR` | a constant expression (`1024`, `256 * 1024`, `MY_CONST`). Needed by most types; `perf_event_array` may leave it out (libbpf sizes it per CPU); local and cgroup storages take none (or 0); `struct_ops` takes 1; ring buffers give their size in bytes |
/// | `map_flags = a \| b` | `BPF_F_*` flags by name: `no_prealloc`, `no_common_lru`, `numa_node`, `rdonly`, `wronly`, `stack_build_id`, `zero_seed`, `rdonly_prog`, `wronly_prog`, `clone`, `mmapable`, `preserve_elems`, `inner_map`, `link`, `vtype_btf_obj_fd`, `segv_on_fault`, `no_user_conv`, `rb_overwrite` |
/// | `numa_node = EXPR` | the NUMA node; needs the `numa_node` flag (libbpf reads it; cilium/ebpf rejects definitions that have it) |
/// | `pinning = by_name \| none` | libbpf's `LIBBPF_PIN_BY_NAME` / `LIBBPF_PIN_NONE` |
/// | `map_extra = EXPR` | `bloom_filter`: number of hash functions (≤ 15, 0 = 5); `arena`: start address (page aligned); `rhash`: initial size hint (≤ 65535) |
/// | `key_size = EXPR`, `value_size = EXPR` | raw sizes, see above |
/// | `name = "..."` | the kernel-visible name, when the static's name does not fit (≤ 15 bytes of `[A-Za-z0-9_.]`) |
/// | `inner(...)` | map-in-map: `max_entries`, `map_flags`, `numa_node`, `map_extra`, `key_size`, `value_size` of the inner map template, whose type is the handle's `I` |
/// | `values = [A, _, B]` | map-in-map: initial slots naming other declared maps (`_` = empty); each must match the template as the kernel will check (`bpf_map_meta_equal`) |
/// | `legacy` | a legacy `struct bpf_map_def` instead of a BTF definition (see below) |
/// | `allow_key_padding` | accept a hash key type that is not [`Pod`](derive@Pod) |
/// | `crate = path` | where `bpfc` is, if renamed (default `::bpfc`) |
///
/// `prog_array` slots name programs, which cannot be declared here: they stay
/// empty until user space fills them.
///
/// # What it expands to
///
/// For `pub static FLOWS: Hash<K, V>`:
///
/// * `struct __bpf_map_def_FLOWS`: flat and `#[repr(C)]`, with only the
///   fields the declaration sets (libbpf's convention), named and typed like
///   libbpf's macros: `type`, `max_entries`, `map_flags`, `numa_node`,
///   `pinning`, `key_size`, `value_size` and `map_extra` as `*const [i32; N]`
///   (`__uint`), `key`/`value` as `*const K` (`__type`), `values` last as
///   `[*const Inner; 0]` (`__array`). A `map_extra` that does not fit in 32
///   bits (arena addresses) uses libbpf's `__ulong` form, a field of a
///   one-variant `#[repr(u64)]` enum; Rust cannot zero such an enum, so that
///   one field holds its value (libbpf ignores `.maps` contents).
/// * `__bpf_map_FLOWS::FLOWS`: the zeroed, `#[used]` static in section
///   `.maps`, exported as `FLOWS`, so its ELF symbol and its DWARF variable
///   (name and linkage name) are the map's name. It needs the one `unsafe`
///   of the expansion, `unsafe impl Sync` for the definition (raw pointers,
///   all null, never read), and the `unsafe(link_section, export_name)`
///   attributes (Rust ≥ 1.82); the items carry `#[allow(unsafe_code)]`, so a
///   crate with `#![deny(unsafe_code)]` can declare maps and one with
///   `#![forbid(unsafe_code)]` cannot.
/// * `const` assertions for the rules only the compiler can decide.
/// * Map-in-map slots: a table in section `.bpfc.slots` (a pointer to the
///   outer definition, then one per slot, null when empty). libbpf keeps slots
///   as relocations past the definition, which a Rust static cannot express
///   without a wrapper struct (which cilium/ebpf rejects); bpfc's object
///   writer turns the table into `.rel.maps` entries.
/// * On non-BPF targets only: `__bpf_map_decl_FLOWS`, a
///   `bpfc::maps::MapDecl`, and `FLOWS` itself, a
///   `bpfc::maps::DeclaredMap<kind::Hash, K, V>` (the alias `Hash<K, V>`)
///   with `decl()`, `spec()` and the key and value types (`TypedMap`).
///
/// Everything that lands in a section names only `core::`, so the expansion
/// also compiles for a BPF target or in a `no_std` crate.
///
/// With `legacy`, the map's symbol is a five-u32 record (type, key_size,
/// value_size, max_entries, map_flags; sizes from `size_of`) in section
/// `maps` *instead of* the `.maps` definition: an object cannot hold two
/// global symbols of one name, and a loader that read both would create the
/// map twice. It is for old loaders only (libbpf ≤ 0.8, iproute2): libbpf ≥
/// 1.0 refuses any object with a `maps` section. Legacy maps carry no
/// pinning, numa node, map_extra or inner map.
///
/// # Checked at compile time
///
/// With a span on the offending token: unknown or repeated arguments, unknown
/// map types and flags (with the closest spelling), arguments the type does
/// not take (`key_size` on a ring buffer, `values` on a hash, `map_extra` on
/// most types), missing `max_entries`, `max_entries` that must be 0 or 1,
/// ring sizes that are not a power-of-two multiple of 4096, flags the type
/// refuses or needs (`no_prealloc` for `lpm_trie` and local storages,
/// `mmapable` for arenas), flags that exclude each other, `numa_node`
/// without its flag, bloom hash counts over 15, unaligned arena addresses,
/// names the kernel refuses, legacy maps asking for what `bpf_map_def`
/// lacks. Numbers the macro can evaluate (literals and arithmetic on them)
/// are checked here; others (a `const`, `size_of`) become `const`
/// assertions with a message that names the map, the rule and the kernel
/// check: array keys 4 bytes, fd values 4 bytes, `lpm_trie` keys 5..=260
/// bytes, hash keys and values non-empty, devmap/sockmap values 4 or 8,
/// per-CPU values ≤ 32 KiB, stack traces in whole frames, slots matching the
/// inner template. Keys of byte-compared maps (hashes, `lpm_trie`,
/// `sockhash`) must be [`Pod`](derive@Pod) unless `allow_key_padding`.
#[proc_macro_attribute]
pub fn bpf_map(attr: TokenStream, item: TokenStream) -> TokenStream {
    map(attr.into(), item.into())
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `bpfc::maps::Pod` after checking that the struct is `#[repr(C)]`
/// (or `transparent`), has only `Pod` fields (no pointers, references,
/// `bool`, `char`) and no padding bytes: the field sizes must add up to the
/// struct's size. Hash-like maps need `Pod` keys (see [`macro@bpf_map`]).
/// For a renamed `bpfc` crate write `#[pod(crate = path)]`.
///
/// ```
/// #[repr(C)]
/// #[derive(Clone, Copy, bpfc::Pod)]
/// pub struct Key { pub addr: u32, pub port: u16, pub _pad: [u8; 2] }
/// ```
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
    let checked = names::check(&name).and_then(|()| match args.legacy {
        Some(_) => Ok(()),
        None => names::check_btf_var(&name),
    });
    if let Err(problem) = checked {
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
