//! Maps declared in Rust with [`#[bpf_map]`](crate::bpf_map): the
//! compile-time description ([`MapDecl`]), the typed handle user space sees
//! ([`DeclaredMap`] and one alias per map type, e.g. [`Hash`]), and the
//! [`Pod`] marker that proves a key has no padding bytes.
//!
//! Everything here is `const`-constructible because the macro builds it in
//! `static`/`const` items; turning a declaration into the owned, plain-data
//! [`MapSpec`] shared with the object reader is [`MapDecl::spec`].
//!
//! The handle aliases are named after libbpf's map type names in
//! UpperCamelCase (`lru_percpu_hash` → [`LruPercpuHash`]); `#[bpf_map]` reads
//! that name to pick the map type, so the two always agree.

use super::{MapFlags, MapSlot, MapSource, MapSpec, MapType};
use std::fmt;
use std::marker::PhantomData;

/// What a `#[bpf_map]` declaration says about one map, fixed at compile time.
///
/// Sizes are computed by the compiler (`size_of` of the key and value types,
/// or the raw `key_size`/`value_size` the declaration gave). Fields the
/// declaration left out are zero, as in libbpf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapDecl {
    /// The kernel-visible name (the static's name unless `name = "..."`).
    pub name: &'static str,
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
    /// 0 when left out (perf_event_array: one slot per possible CPU at create time).
    pub max_entries: u32,
    pub map_flags: MapFlags,
    pub numa_node: u32,
    pub map_extra: u64,
    /// [`PIN_NONE`](super::PIN_NONE) or [`PIN_BY_NAME`](super::PIN_BY_NAME).
    pub pinning: u32,
    /// Laid out as a legacy `struct bpf_map_def` in section `maps` instead of
    /// a BTF-defined map in `.maps`.
    pub legacy: bool,
    /// The inner map template of an `array_of_maps`/`hash_of_maps`.
    pub inner: Option<&'static MapDecl>,
    /// Initial slots of a map-in-map, naming other declared maps.
    pub slots: &'static [SlotDecl],
}

/// One initialised slot of a map-in-map declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotDecl {
    pub index: u32,
    /// The kernel-visible name of the map stored in the slot.
    pub target: &'static str,
}

impl MapDecl {
    /// The owned description shared with maps read from BPF objects
    /// ([`MapSource::Declared`]; the inner template is [`MapSource::Inner`]).
    pub fn spec(&self) -> MapSpec {
        self.spec_from(MapSource::Declared)
    }

    /// Whether `map` may fill a slot of this map-in-map: it must be
    /// BTF-defined (libbpf fills slots from `.maps` relocations only) and
    /// match the inner template the way the kernel compares them when the
    /// slot is written (`bpf_map_meta_equal`): type, key and value size,
    /// flags, and max_entries unless the template has `inner_map`.
    pub const fn can_hold(&self, map: &MapDecl) -> bool {
        let Some(template) = self.inner else {
            return false;
        };
        let sizes_may_differ = template.map_flags.contains(MapFlags::INNER_MAP);
        !map.legacy
            && template.map_type as u32 == map.map_type as u32
            && template.key_size == map.key_size
            && template.value_size == map.value_size
            && template.map_flags.0 == map.map_flags.0
            && (sizes_may_differ || template.max_entries == map.max_entries)
    }

    fn spec_from(&self, source: MapSource) -> MapSpec {
        let mut spec = MapSpec::new(self.name, self.map_type, source);
        spec.key_size = self.key_size;
        spec.value_size = self.value_size;
        spec.max_entries = self.max_entries;
        spec.map_flags = self.map_flags.bits();
        spec.numa_node = self.numa_node;
        spec.map_extra = self.map_extra;
        spec.pinning = self.pinning;
        spec.inner = self
            .inner
            .map(|inner| Box::new(inner.spec_from(MapSource::Inner)));
        spec.slots = self
            .slots
            .iter()
            .map(|slot| MapSlot {
                index: slot.index,
                target: slot.target.to_owned(),
            })
            .collect();
        spec
    }
}

/// A map type marker (see [`kind`]).
pub trait MapKind: 'static {
    const TYPE: MapType;
}

/// Uninhabited markers, one per map type, named like [`MapType`]'s variants.
pub mod kind {
    use super::{MapKind, MapType};

    macro_rules! kinds {
        ($($name:ident)*) => {$(
            #[doc = concat!("Marker for [`MapType::", stringify!($name), "`].")]
            #[derive(Debug)]
            pub enum $name {}

            impl MapKind for $name {
                const TYPE: MapType = MapType::$name;
            }
        )*};
    }

    kinds! {
        Hash Array ProgArray PerfEventArray PercpuHash PercpuArray StackTrace CgroupArray
        LruHash LruPercpuHash LpmTrie ArrayOfMaps HashOfMaps Devmap Sockmap Cpumap Xskmap
        Sockhash CgroupStorage ReuseportSockarray PercpuCgroupStorage Queue Stack SkStorage
        DevmapHash StructOps Ringbuf InodeStorage TaskStorage BloomFilter UserRingbuf
        CgrpStorage Arena InsnArray Rhash
    }
}

/// The user-space item `#[bpf_map]` leaves under the static's name: a typed
/// handle on the declaration.
///
/// `K` and `V` are the key and value types as user space sees them (`()` for
/// a map without key or value; for map-in-map, `V` is the inner map's handle
/// type, while the kernel value is a 4-byte map fd/id). Creating the map in
/// the kernel and typed access build on this handle.
pub struct DeclaredMap<T: MapKind, K, V> {
    decl: &'static MapDecl,
    types: PhantomData<Types<T, K, V>>,
}

/// `fn() -> _`: the handle owns no K or V, so it is Send + Sync (a static
/// needs Sync) whatever K and V are.
type Types<T, K, V> = fn() -> (T, K, V);

impl<T: MapKind, K, V> DeclaredMap<T, K, V> {
    /// Used by the `#[bpf_map]` expansion; the declaration must describe a
    /// `T` map with `K` keys and `V` values, which the macro guarantees.
    #[doc(hidden)]
    pub const fn __from_decl(decl: &'static MapDecl) -> Self {
        DeclaredMap {
            decl,
            types: PhantomData,
        }
    }

    pub const fn decl(&self) -> &'static MapDecl {
        self.decl
    }

    /// The kernel-visible name.
    pub const fn name(&self) -> &'static str {
        self.decl.name
    }

    pub fn spec(&self) -> MapSpec {
        self.decl.spec()
    }
}

impl<T: MapKind, K, V> fmt::Debug for DeclaredMap<T, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeclaredMap")
            .field("decl", self.decl)
            .field("key", &std::any::type_name::<K>())
            .field("value", &std::any::type_name::<V>())
            .finish()
    }
}

/// A declared map's types, for code generic over declared maps.
pub trait TypedMap {
    type Kind: MapKind;
    type Key;
    type Value;

    fn decl(&self) -> &'static MapDecl;

    fn spec(&self) -> MapSpec {
        self.decl().spec()
    }
}

impl<T: MapKind, K, V> TypedMap for DeclaredMap<T, K, V> {
    type Kind = T;
    type Key = K;
    type Value = V;

    fn decl(&self) -> &'static MapDecl {
        self.decl
    }
}

// One alias per map type. The generic parameters are the sides the user
// chooses; sides the kernel fixes are filled in (u32 indexes and fds, i32
// for the fd key of local storages, () for an absent key or value).

/// `hash` (BPF_MAP_TYPE_HASH).
pub type Hash<K, V> = DeclaredMap<kind::Hash, K, V>;
/// `array`: keys are u32 indexes.
pub type Array<V> = DeclaredMap<kind::Array, u32, V>;
/// `prog_array`: u32 index → program fd.
pub type ProgArray = DeclaredMap<kind::ProgArray, u32, u32>;
/// `perf_event_array`: u32 CPU index → perf event fd.
pub type PerfEventArray = DeclaredMap<kind::PerfEventArray, u32, u32>;
/// `percpu_hash`: one `V` per possible CPU.
pub type PercpuHash<K, V> = DeclaredMap<kind::PercpuHash, K, V>;
/// `percpu_array`: one `V` per possible CPU.
pub type PercpuArray<V> = DeclaredMap<kind::PercpuArray, u32, V>;
/// `stack_trace`: u32 stack id → `V` (an array of u64 addresses, e.g. `[u64; 127]`).
pub type StackTrace<V> = DeclaredMap<kind::StackTrace, u32, V>;
/// `cgroup_array`: u32 index → cgroup fd.
pub type CgroupArray = DeclaredMap<kind::CgroupArray, u32, u32>;
/// `lru_hash`.
pub type LruHash<K, V> = DeclaredMap<kind::LruHash, K, V>;
/// `lru_percpu_hash`.
pub type LruPercpuHash<K, V> = DeclaredMap<kind::LruPercpuHash, K, V>;
/// `lpm_trie`: `K` starts with a u32 prefix length.
pub type LpmTrie<K, V> = DeclaredMap<kind::LpmTrie, K, V>;
/// `array_of_maps`: `I` is the inner map's handle type.
pub type ArrayOfMaps<I> = DeclaredMap<kind::ArrayOfMaps, u32, I>;
/// `hash_of_maps`: `I` is the inner map's handle type.
pub type HashOfMaps<K, I> = DeclaredMap<kind::HashOfMaps, K, I>;
/// `devmap`: u32 index → ifindex (`u32`) or `struct bpf_devmap_val` (8 bytes).
pub type Devmap<V = u32> = DeclaredMap<kind::Devmap, u32, V>;
/// `sockmap`: u32 index → socket fd (4 or 8 bytes).
pub type Sockmap<V = u32> = DeclaredMap<kind::Sockmap, u32, V>;
/// `cpumap`: u32 CPU → queue size (`u32`) or `struct bpf_cpumap_val` (8 bytes).
pub type Cpumap<V = u32> = DeclaredMap<kind::Cpumap, u32, V>;
/// `xskmap`: u32 index → AF_XDP socket fd.
pub type Xskmap = DeclaredMap<kind::Xskmap, u32, u32>;
/// `sockhash`: `K` → socket fd (4 or 8 bytes).
pub type Sockhash<K, V = u32> = DeclaredMap<kind::Sockhash, K, V>;
/// `cgroup_storage`: key u64 cgroup id or `struct bpf_cgroup_storage_key`.
pub type CgroupStorage<K, V> = DeclaredMap<kind::CgroupStorage, K, V>;
/// `reuseport_sockarray`: u32 index → socket fd (u32) or cookie (u64).
pub type ReuseportSockarray<V = u32> = DeclaredMap<kind::ReuseportSockarray, u32, V>;
/// `percpu_cgroup_storage`.
pub type PercpuCgroupStorage<K, V> = DeclaredMap<kind::PercpuCgroupStorage, K, V>;
/// `queue`: no key.
pub type Queue<V> = DeclaredMap<kind::Queue, (), V>;
/// `stack`: no key.
pub type Stack<V> = DeclaredMap<kind::Stack, (), V>;
/// `sk_storage`: keyed by a socket fd.
pub type SkStorage<V> = DeclaredMap<kind::SkStorage, i32, V>;
/// `devmap_hash`.
pub type DevmapHash<V = u32> = DeclaredMap<kind::DevmapHash, u32, V>;
/// `struct_ops`: `V` is the struct_ops value.
pub type StructOps<V> = DeclaredMap<kind::StructOps, u32, V>;
/// `ringbuf`: no key or value; max_entries is the buffer size in bytes.
pub type Ringbuf = DeclaredMap<kind::Ringbuf, (), ()>;
/// `inode_storage`: keyed by a file fd.
pub type InodeStorage<V> = DeclaredMap<kind::InodeStorage, i32, V>;
/// `task_storage`: keyed by a pidfd.
pub type TaskStorage<V> = DeclaredMap<kind::TaskStorage, i32, V>;
/// `bloom_filter`: no key; map_extra is the number of hash functions.
pub type BloomFilter<V> = DeclaredMap<kind::BloomFilter, (), V>;
/// `user_ringbuf`.
pub type UserRingbuf = DeclaredMap<kind::UserRingbuf, (), ()>;
/// `cgrp_storage`: keyed by a cgroup fd.
pub type CgrpStorage<V> = DeclaredMap<kind::CgrpStorage, i32, V>;
/// `arena`: no key or value; max_entries counts pages.
pub type Arena = DeclaredMap<kind::Arena, (), ()>;
/// `insn_array`: u32 → `struct bpf_insn_array_value` (four u32).
pub type InsnArray = DeclaredMap<kind::InsnArray, u32, [u32; 4]>;
/// `rhash` (resizable hash).
pub type Rhash<K, V> = DeclaredMap<kind::Rhash, K, V>;

/// Plain data: `#[repr(C)]` (or transparent/packed), no padding bytes, no
/// pointers or references, and every bit pattern valid.
///
/// Hash-like maps compare keys byte for byte, so a key with padding misses
/// lookups whenever the padding is not zeroed; `#[bpf_map]` therefore
/// requires `K: Pod` for hash-like maps unless the declaration says
/// `allow_key_padding`. Implement it with `#[derive(Pod)]`, which checks
/// the repr, that every field is `Pod`, and that the field sizes add up to the
/// struct's size. The trait is safe: bpfc never relies on it for memory
/// safety, so a hand-written impl that lies only loses the padding check.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not known to be plain data (bpfc::Pod)",
    label = "not `bpfc::Pod`",
    note = "Pod types have no padding bytes, pointers, references, `bool` or `char`; a `#[repr(C)]` struct \
            gets `Pod` from `#[derive(bpfc::Pod)]`, which checks this (make padding explicit with `_pad` fields)",
    note = "hash-like maps need Pod keys: they compare keys byte for byte, so padding that is not zeroed \
            makes lookups miss (a declaration can opt out with `allow_key_padding`)"
)]
pub trait Pod {}

macro_rules! pod_primitives {
    ($($t:ty)*) => {$(impl Pod for $t {})*};
}

// bool and char are left out: not every bit pattern is valid for them.
pod_primitives!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize f32 f64);

/// Array elements are laid out back to back (the stride is the element size).
impl<T: Pod, const N: usize> Pod for [T; N] {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::{MapSource, PIN_BY_NAME};

    const INNER: MapDecl = MapDecl {
        name: "outer.inner",
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        map_flags: MapFlags::EMPTY,
        numa_node: 0,
        map_extra: 0,
        pinning: 0,
        legacy: false,
        inner: None,
        slots: &[],
    };

    const OUTER: MapDecl = MapDecl {
        name: "outer",
        map_type: MapType::ArrayOfMaps,
        key_size: 4,
        value_size: 4,
        max_entries: 4,
        map_flags: MapFlags::NUMA_NODE,
        numa_node: 1,
        map_extra: 0,
        pinning: PIN_BY_NAME,
        legacy: false,
        inner: Some(&INNER),
        slots: &[SlotDecl {
            index: 2,
            target: "a",
        }],
    };

    #[test]
    fn spec_carries_every_field() {
        let spec = OUTER.spec();
        assert_eq!(spec.name, "outer");
        assert_eq!(spec.kind(), Some(MapType::ArrayOfMaps));
        assert_eq!(
            (spec.key_size, spec.value_size, spec.max_entries),
            (4, 4, 4)
        );
        assert_eq!(spec.flags(), MapFlags::NUMA_NODE);
        assert_eq!((spec.numa_node, spec.pinning), (1, PIN_BY_NAME));
        assert_eq!(spec.source, MapSource::Declared);
        assert_eq!(
            spec.slots,
            vec![MapSlot {
                index: 2,
                target: "a".into()
            }]
        );
        let inner = spec.inner.expect("inner template");
        assert_eq!(inner.name, "outer.inner");
        assert_eq!(inner.source, MapSource::Inner);
        assert_eq!((inner.key_size, inner.value_size), (4, 8));
    }

    #[test]
    fn slots_must_match_the_template() {
        let same = MapDecl { name: "a", ..INNER };
        assert!(OUTER.can_hold(&same));
        let bigger = MapDecl {
            max_entries: 2,
            ..same
        };
        assert!(!OUTER.can_hold(&bigger));
        const FLEXIBLE: MapDecl = MapDecl {
            map_flags: MapFlags::INNER_MAP,
            ..INNER
        };
        let outer = MapDecl {
            inner: Some(&FLEXIBLE),
            ..OUTER
        };
        let bigger_flexible = MapDecl {
            max_entries: 2,
            ..FLEXIBLE
        };
        assert!(outer.can_hold(&bigger_flexible));
        assert!(!OUTER.can_hold(&MapDecl {
            legacy: true,
            ..same
        }));
        assert!(!OUTER.can_hold(&MapDecl {
            value_size: 4,
            ..same
        }));
        assert!(!INNER.can_hold(&same), "not a map-in-map");
    }

    #[test]
    fn handle_exposes_decl_and_types() {
        static H: ArrayOfMaps<Array<u64>> = DeclaredMap::__from_decl(&OUTER);
        fn types<M: TypedMap>(_: &M) -> (MapType, &'static str) {
            (<M::Kind as MapKind>::TYPE, std::any::type_name::<M::Key>())
        }
        assert_eq!(types(&H), (MapType::ArrayOfMaps, "u32"));
        assert_eq!(H.name(), "outer");
        assert_eq!(H.spec(), OUTER.spec());
    }
}
