//! `#[bpf_map]` declarations of every map type and every argument compile,
//! and the handle they leave in user space describes each map as the
//! declaration says. Expected numbers come from bpfc's own `MapType` and
//! `MapFlags` tables (looked up by libbpf name), which the macro does not
//! use for the section-bound part: a disagreement between the two shows here.

use bpfc::maps::{
    kind, Array, ArrayOfMaps, DeclaredMap, Devmap, Hash, MapFlags, MapKind, MapSource, MapSpec,
    MapType, PerfEventArray, Ringbuf, TypedMap, PIN_BY_NAME, PIN_NONE,
};
use bpfc::{bpf_map, Pod};

#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct FlowKey {
    pub saddr: u32,
    pub daddr: u32,
    pub sport: u16,
    pub dport: u16,
    pub proto: u8,
    pub pad: [u8; 3],
}

#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct LpmKey {
    pub prefixlen: u32,
    pub data: [u8; 16],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Padded {
    pub b: u8,
    pub w: u32,
}

/// A tuple struct: Pod works on those too.
#[repr(C)]
#[derive(Clone, Copy, Pod)]
pub struct Pair(pub u32, pub u32);

const ENTRIES: u32 = 512;

// One declaration per map type.
#[bpf_map(max_entries = 1024)]
static HASH: Hash<FlowKey, u64>;
#[bpf_map(max_entries = 16)]
static ARRAY: Array<[u64; 2]>;
#[bpf_map(max_entries = 8)]
static PROG_ARRAY: ProgArray;
#[bpf_map]
static PERF: PerfEventArray;
#[bpf_map(max_entries = 64)]
static PCPU_HASH: PercpuHash<u32, u64>;
#[bpf_map(max_entries = 4)]
static PCPU_ARRAY: PercpuArray<u64>;
#[bpf_map(max_entries = 64)]
static STACK_TRACE: StackTrace<[u64; 127]>;
#[bpf_map(max_entries = 4)]
static CGROUP_ARRAY: CgroupArray;
#[bpf_map(max_entries = 64)]
static LRU_HASH: LruHash<Pair, u64>;
#[bpf_map(max_entries = 64)]
static LRU_PCPU_HASH: LruPercpuHash<u32, u32>;
#[bpf_map(max_entries = 64, map_flags = no_prealloc)]
static LPM_TRIE: LpmTrie<LpmKey, u32>;
#[bpf_map(max_entries = 4, inner(max_entries = 1))]
static ARRAY_OF_MAPS: ArrayOfMaps<Array<u32>>;
#[bpf_map(max_entries = 4, inner(max_entries = 8))]
static HASH_OF_MAPS: HashOfMaps<u64, Hash<u32, u32>>;
#[bpf_map(max_entries = 4)]
static DEVMAP: Devmap;
#[bpf_map(max_entries = 4)]
static SOCKMAP: Sockmap<u64>;
#[bpf_map(max_entries = 4)]
static CPUMAP: Cpumap;
#[bpf_map(max_entries = 4)]
static XSKMAP: Xskmap;
#[bpf_map(max_entries = 4)]
static SOCKHASH: Sockhash<FlowKey>;
#[bpf_map]
static CGROUP_STORAGE: CgroupStorage<u64, u32>;
#[bpf_map(max_entries = 4)]
static REUSEPORT: ReuseportSockarray;
#[bpf_map]
static PCPU_CG_STORAGE: PercpuCgroupStorage<u64, u64>;
#[bpf_map(max_entries = 16)]
static QUEUE: Queue<u32>;
#[bpf_map(max_entries = 16)]
static STACK: Stack<u32>;
#[bpf_map(map_flags = no_prealloc)]
static SK_STORAGE: SkStorage<u64>;
#[bpf_map(max_entries = 4)]
static DEVMAP_HASH: DevmapHash<u64>;
#[bpf_map(max_entries = 1, map_flags = link)]
static STRUCT_OPS: StructOps<[u64; 2]>;
#[bpf_map(max_entries = 4096)]
static RINGBUF: Ringbuf;
#[bpf_map(map_flags = no_prealloc)]
static INODE_STORAGE: InodeStorage<u64>;
#[bpf_map(map_flags = no_prealloc)]
static TASK_STORAGE: TaskStorage<u64>;
#[bpf_map(max_entries = 100)]
static BLOOM_FILTER: BloomFilter<u64>;
#[bpf_map(max_entries = 8192)]
static USER_RINGBUF: UserRingbuf;
#[bpf_map(map_flags = no_prealloc)]
static CGRP_STORAGE: CgrpStorage<u64>;
#[bpf_map(max_entries = 4, map_flags = mmapable)]
static ARENA: Arena;
#[bpf_map(max_entries = 4)]
static INSN_ARRAY: InsnArray;
#[bpf_map(max_entries = 4, map_flags = no_prealloc)]
static RHASH: Rhash<u32, u32>;

/// (spec, libbpf name, key size, value size, max_entries)
fn every_type() -> Vec<(MapSpec, &'static str, u32, u32, u32)> {
    vec![
        (HASH.spec(), "hash", 16, 8, 1024),
        (ARRAY.spec(), "array", 4, 16, 16),
        (PROG_ARRAY.spec(), "prog_array", 4, 4, 8),
        (PERF.spec(), "perf_event_array", 4, 4, 0),
        (PCPU_HASH.spec(), "percpu_hash", 4, 8, 64),
        (PCPU_ARRAY.spec(), "percpu_array", 4, 8, 4),
        (STACK_TRACE.spec(), "stack_trace", 4, 127 * 8, 64),
        (CGROUP_ARRAY.spec(), "cgroup_array", 4, 4, 4),
        (LRU_HASH.spec(), "lru_hash", 8, 8, 64),
        (LRU_PCPU_HASH.spec(), "lru_percpu_hash", 4, 4, 64),
        (LPM_TRIE.spec(), "lpm_trie", 20, 4, 64),
        (ARRAY_OF_MAPS.spec(), "array_of_maps", 4, 4, 4),
        (HASH_OF_MAPS.spec(), "hash_of_maps", 8, 4, 4),
        (DEVMAP.spec(), "devmap", 4, 4, 4),
        (SOCKMAP.spec(), "sockmap", 4, 8, 4),
        (CPUMAP.spec(), "cpumap", 4, 4, 4),
        (XSKMAP.spec(), "xskmap", 4, 4, 4),
        (SOCKHASH.spec(), "sockhash", 16, 4, 4),
        (CGROUP_STORAGE.spec(), "cgroup_storage", 8, 4, 0),
        (REUSEPORT.spec(), "reuseport_sockarray", 4, 4, 4),
        (PCPU_CG_STORAGE.spec(), "percpu_cgroup_storage", 8, 8, 0),
        (QUEUE.spec(), "queue", 0, 4, 16),
        (STACK.spec(), "stack", 0, 4, 16),
        (SK_STORAGE.spec(), "sk_storage", 4, 8, 0),
        (DEVMAP_HASH.spec(), "devmap_hash", 4, 8, 4),
        (STRUCT_OPS.spec(), "struct_ops", 4, 16, 1),
        (RINGBUF.spec(), "ringbuf", 0, 0, 4096),
        (INODE_STORAGE.spec(), "inode_storage", 4, 8, 0),
        (TASK_STORAGE.spec(), "task_storage", 4, 8, 0),
        (BLOOM_FILTER.spec(), "bloom_filter", 0, 8, 100),
        (USER_RINGBUF.spec(), "user_ringbuf", 0, 0, 8192),
        (CGRP_STORAGE.spec(), "cgrp_storage", 4, 8, 0),
        (ARENA.spec(), "arena", 0, 0, 4),
        (INSN_ARRAY.spec(), "insn_array", 4, 16, 4),
        (RHASH.spec(), "rhash", 4, 4, 4),
    ]
}

#[test]
fn every_map_type_declares() {
    let all = every_type();
    // Every type the kernel defines except UNSPEC, each once.
    let mut kinds: Vec<MapType> = all.iter().map(|(spec, ..)| spec.kind().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), MapType::ALL.len() - 1);
    for (spec, name, key_size, value_size, max_entries) in all {
        assert_eq!(spec.kind(), MapType::from_name(name), "{}", spec.name);
        assert_eq!(
            (spec.key_size, spec.value_size, spec.max_entries),
            (key_size, value_size, max_entries),
            "{name}: key, value, max_entries"
        );
        assert_eq!(spec.source, MapSource::Declared);
        assert_eq!(spec.pinning, PIN_NONE);
    }
}

#[test]
fn local_storages_and_required_flags() {
    for spec in [
        SK_STORAGE.spec(),
        INODE_STORAGE.spec(),
        TASK_STORAGE.spec(),
        CGRP_STORAGE.spec(),
        LPM_TRIE.spec(),
    ] {
        assert!(
            spec.flags().contains(MapFlags::NO_PREALLOC),
            "{}",
            spec.name
        );
    }
    assert_eq!(ARENA.spec().flags(), MapFlags::MMAPABLE);
}

// Flags by name: every flag a map definition can carry, spread over types
// that accept them.
#[bpf_map(max_entries = 8, map_flags = no_prealloc | numa_node | rdonly | zero_seed | rdonly_prog)]
static FLAGS_A: Hash<u32, u32>;
#[bpf_map(max_entries = 8, map_flags = no_common_lru | wronly | wronly_prog)]
static FLAGS_B: LruHash<u32, u32>;
#[bpf_map(max_entries = 8, map_flags = stack_build_id)]
static FLAGS_C: StackTrace<[u64; 4]>;
#[bpf_map(map_flags = no_prealloc | clone)]
static FLAGS_D: TaskStorage<u32>;
#[bpf_map(max_entries = 8, map_flags = mmapable | inner_map)]
static FLAGS_E: Array<u32>;
#[bpf_map(map_flags = preserve_elems)]
static FLAGS_F: PerfEventArray;
#[bpf_map(max_entries = 1, map_flags = link | vtype_btf_obj_fd)]
static FLAGS_G: StructOps<u64>;
#[bpf_map(max_entries = 8, map_flags = mmapable | segv_on_fault | no_user_conv)]
static FLAGS_H: Arena;
#[bpf_map(max_entries = 4096, map_flags = rb_overwrite)]
static FLAGS_I: Ringbuf;

#[test]
fn flag_names_match_map_flags() {
    let cases: [(MapSpec, &[&str]); 9] = [
        (
            FLAGS_A.spec(),
            &[
                "no_prealloc",
                "numa_node",
                "rdonly",
                "zero_seed",
                "rdonly_prog",
            ],
        ),
        (FLAGS_B.spec(), &["no_common_lru", "wronly", "wronly_prog"]),
        (FLAGS_C.spec(), &["stack_build_id"]),
        (FLAGS_D.spec(), &["no_prealloc", "clone"]),
        (FLAGS_E.spec(), &["mmapable", "inner_map"]),
        (FLAGS_F.spec(), &["preserve_elems"]),
        (FLAGS_G.spec(), &["link", "vtype_btf_obj_fd"]),
        (
            FLAGS_H.spec(),
            &["mmapable", "segv_on_fault", "no_user_conv"],
        ),
        (FLAGS_I.spec(), &["rb_overwrite"]),
    ];
    let mut seen = MapFlags::EMPTY;
    for (spec, names) in cases {
        let expected = names
            .iter()
            .map(|n| MapFlags::from_name(n).unwrap_or_else(|| panic!("{n} is not a MapFlags name")))
            .fold(MapFlags::EMPTY, |a, b| a | b);
        assert_eq!(spec.flags(), expected, "{}", spec.name);
        seen = seen | expected;
    }
    // All flags except the two that describe fds (path_fd, token_fd).
    let fd_only = MapFlags::PATH_FD | MapFlags::TOKEN_FD;
    for (flag, name) in MapFlags::NAMED {
        assert_eq!(seen.contains(*flag), !fd_only.contains(*flag), "{name}");
    }
}

// Every argument.
#[bpf_map(max_entries = 64, map_flags = numa_node, numa_node = 1, pinning = by_name, name = "cfg_v2")]
pub static CONFIG_WITH_LONG_RUST_NAME: Array<u64>;
#[bpf_map(max_entries = 4096, pinning = none)]
static UNPINNED: Ringbuf;
#[bpf_map(max_entries = 64, map_extra = 7)]
static SEEN: BloomFilter<u32>;
#[bpf_map(max_entries = 64, map_flags = mmapable, map_extra = 1 << 44)]
static WIDE: Arena;
#[bpf_map(max_entries = ENTRIES * 2, key_size = 12, value_size = 3 * 4)]
static RAW: Hash<_, _>;
#[bpf_map(max_entries = 4, value_size = 8)]
static RAW_DEVMAP: Devmap;
#[bpf_map(max_entries = 4, value_size = 4)]
static EXPLICIT_FD: PerfEventArray;
#[bpf_map(max_entries = 4, allow_key_padding)]
static PADDED: Hash<Padded, u32>;
#[bpf_map(max_entries = 4, legacy, map_flags = no_prealloc)]
static LEGACY: Hash<u32, u64>;
#[bpf_map(max_entries = 4, crate = ::bpfc)]
static CRATE_PATH: Array<u32>;
#[bpf_map(max_entries = 1)]
#[allow(non_upper_case_globals)]
static r#type: Array<u32>;
#[cfg(any())]
#[bpf_map(max_entries = 1)]
static CONFIGURED_OUT: Array<u32>;

mod slots {
    use bpfc::bpf_map;

    #[bpf_map(max_entries = 4, map_flags = inner_map)]
    pub static A: Array<u64>;
    #[bpf_map(max_entries = 16, map_flags = inner_map)]
    pub(crate) static B: Array<u64>;
}

#[bpf_map(max_entries = 4, inner(max_entries = 4, map_flags = inner_map), values = [slots::A, _, slots::B])]
static OUTER: ArrayOfMaps<Array<u64>>;
#[bpf_map(max_entries = 4, inner(max_entries = 4, map_flags = inner_map), values = [_, slots::A])]
static OUTER_HASH: HashOfMaps<u32, Array<u64>>;

#[test]
fn every_argument() {
    let config = CONFIG_WITH_LONG_RUST_NAME.spec();
    assert_eq!(config.name, "cfg_v2");
    assert_eq!((config.numa_node, config.pinning), (1, PIN_BY_NAME));
    assert_eq!(UNPINNED.spec().pinning, PIN_NONE);
    assert_eq!(SEEN.spec().map_extra, 7);
    assert_eq!(WIDE.spec().map_extra, 1 << 44);
    let raw = RAW.spec();
    assert_eq!(
        (raw.key_size, raw.value_size, raw.max_entries),
        (12, 12, 1024)
    );
    assert_eq!(RAW_DEVMAP.spec().value_size, 8);
    assert_eq!(EXPLICIT_FD.spec().value_size, 4);
    assert_eq!(PADDED.spec().key_size, 8);
    assert!(LEGACY.decl().legacy);
    assert_eq!(LEGACY.spec().flags(), MapFlags::NO_PREALLOC);
    assert_eq!(CRATE_PATH.name(), "CRATE_PATH");
    assert_eq!(r#type.name(), "type");
}

#[test]
fn map_in_map_template_and_slots() {
    let outer = OUTER.spec();
    let inner = outer.inner.as_deref().expect("inner template");
    assert_eq!(inner.name, "OUTER.inner");
    assert_eq!(inner.kind(), Some(MapType::Array));
    assert_eq!(
        (inner.key_size, inner.value_size, inner.max_entries),
        (4, 8, 4)
    );
    assert_eq!(inner.flags(), MapFlags::INNER_MAP);
    assert_eq!(inner.source, MapSource::Inner);
    let slots: Vec<(u32, &str)> = outer
        .slots
        .iter()
        .map(|s| (s.index, s.target.as_str()))
        .collect();
    assert_eq!(slots, vec![(0, "A"), (2, "B")]);
    assert_eq!(OUTER_HASH.spec().slots.len(), 1);
    assert_eq!(OUTER_HASH.spec().slots[0].index, 1);
}

#[test]
fn handles_are_the_public_aliases() {
    // The expansion names `DeclaredMap<kind::_, K, V>`; the aliases users
    // write in signatures must be the same types.
    let _: &Hash<FlowKey, u64> = &HASH;
    let _: &Array<[u64; 2]> = &ARRAY;
    let _: &PerfEventArray = &PERF;
    let _: &Ringbuf = &RINGBUF;
    let _: &Devmap = &DEVMAP;
    let _: &Devmap<[u8; 8]> = &RAW_DEVMAP;
    let _: &ArrayOfMaps<Array<u32>> = &ARRAY_OF_MAPS;
    let _: &bpfc::maps::Sockmap<u64> = &SOCKMAP;
    let _: &bpfc::maps::Sockhash<FlowKey> = &SOCKHASH;
    let _: &bpfc::maps::SkStorage<u64> = &SK_STORAGE;
    let _: &bpfc::maps::Queue<u32> = &QUEUE;
    let _: &bpfc::maps::InsnArray = &INSN_ARRAY;
    let _: &Hash<[u8; 12], [u8; 12]> = &RAW;
}

#[test]
fn typed_map_exposes_kind_key_and_value() {
    fn describe<M: TypedMap>(_: &M) -> (MapType, &'static str, &'static str) {
        (
            <M::Kind as MapKind>::TYPE,
            std::any::type_name::<M::Key>(),
            std::any::type_name::<M::Value>(),
        )
    }
    assert_eq!(
        describe(&LRU_HASH),
        (MapType::LruHash, std::any::type_name::<Pair>(), "u64")
    );
    assert_eq!(describe(&QUEUE), (MapType::Queue, "()", "u32"));
    assert_eq!(describe(&SK_STORAGE).1, "i32");
    let (kind, key, value) = describe(&ARRAY_OF_MAPS);
    assert_eq!((kind, key), (MapType::ArrayOfMaps, "u32"));
    assert_eq!(
        value,
        std::any::type_name::<DeclaredMap<kind::Array, u32, u32>>(),
        "a map-in-map's value type is its inner handle"
    );
}
