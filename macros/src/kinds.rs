//! The map types `#[bpf_map]` knows and the kernel's per-type rules it
//! enforces (bpf-reference §1.2–1.3: `map_alloc_check`/`map_alloc` of each
//! type). One row per `enum bpf_map_type` value except UNSPEC.

use crate::flags::*;

/// One map type.
pub struct Kind {
    /// libbpf's name (`lru_percpu_hash`).
    pub name: &'static str,
    /// The handle type naming it, libbpf's name in UpperCamelCase; also the
    /// name of `bpfc::maps::MapType`'s variant and of the `kind` marker.
    pub handle: &'static str,
    /// `enum bpf_map_type` value.
    pub number: u32,
    pub key: Side,
    pub value: Side,
    pub max_entries: Entries,
    /// `map_flags` bits the kernel accepts for this type.
    pub flags: u32,
    /// Bits the kernel insists on.
    pub required_flags: u32,
    pub extra: Extra,
    pub btf: Btf,
    /// Keys compared byte for byte (hash tables, tries): padding bytes make
    /// lookups miss, so the key type must be `bpfc::Pod`.
    pub byte_compared_key: bool,
    /// The kernel function whose rule a message cites.
    pub kernel_check: &'static str,
}

/// A map's key or value as the kernel sees it.
pub enum Side {
    /// Must be 0 bytes; the type takes no such field.
    Absent,
    /// Chosen by the user as a generic argument of the handle (or `_` with a
    /// raw `key_size`/`value_size`); `default` lets a trailing argument be
    /// left out.
    Param {
        /// The type and its size.
        default: Option<(&'static str, u64)>,
        rules: &'static [SizeRule],
    },
    /// Fixed by the kernel (an index, a file descriptor).
    Fixed { ty: &'static str, size: u64 },
    /// The inner map template of a map-in-map (libbpf's `values`); the
    /// kernel value is a 4-byte map fd.
    Inner,
}

/// A size rule on a key or value, in bytes.
#[derive(Clone, Copy)]
pub enum SizeRule {
    NonZero,
    Range(u64, u64),
    /// One of two sizes (an fd alone or with a program fd, a u64 or a struct).
    Either(u64, u64),
    /// `roundup(size, 8) <= PCPU_MIN_UNIT_SIZE` (32 KiB), else E2BIG.
    PerCpu,
    /// A multiple of 8 (of 32 with `stack_build_id`), at least one frame.
    StackFrames,
}

pub enum Entries {
    /// The kernel needs max_entries > 0 (and at most `max` where it says so).
    Required { max: Option<u64> },
    /// May be left out: libbpf sizes perf_event_array to the possible CPUs.
    PerCpuDefault,
    /// Must be 0 (storage maps size themselves by their owners).
    Zero,
    /// Must be exactly 1 (struct_ops).
    One,
    /// The ring size in bytes: a power of two and a multiple of the page size.
    RingSize,
}

pub enum Extra {
    None,
    /// Bits 0–3: number of hash functions (0 means 5); higher bits → EINVAL.
    BloomHashes,
    /// The user-space start address of the arena, page aligned.
    ArenaAddress,
    /// Initial element count hint, at most min(max_entries, 65535).
    RhashHint,
}

#[derive(PartialEq, Eq)]
pub enum Btf {
    /// Key/value described by BTF (`__type`).
    Accepted,
    /// The kernel refuses BTF for the type (`map_check_no_btf`, ENOTSUPP):
    /// sizes are encoded raw (`key_size`/`value_size`), never as types.
    Refused,
    /// The kernel insists on BTF for key and value (local storages), or the
    /// loader needs the value type to find the kernel's (struct_ops).
    Required,
}

impl Kind {
    pub fn is_map_in_map(&self) -> bool {
        matches!(self.value, Side::Inner)
    }
}

const U32: Side = Side::Fixed { ty: "u32", size: 4 };
const FD_KEY: Side = Side::Fixed { ty: "i32", size: 4 };
const ANY: Side = Side::Param {
    default: None,
    rules: &[SizeRule::NonZero],
};
const PERCPU: Side = Side::Param {
    default: None,
    rules: &[SizeRule::NonZero, SizeRule::PerCpu],
};
const FD_OR_PAIR: Side = Side::Param {
    default: Some(("u32", 4)),
    rules: &[SizeRule::Either(4, 8)],
};
const HASH_MAX: Entries = Entries::Required { max: Some(1 << 31) };
const ANY_COUNT: Entries = Entries::Required { max: None };

const HASH_FLAGS: u32 = NO_PREALLOC | NUMA_NODE | ACCESS | ZERO_SEED;
const FD_FLAGS: u32 = NUMA_NODE | RDONLY | WRONLY;
const STORAGE_FLAGS: u32 = NO_PREALLOC | CLONE;

const fn hash(
    name: &'static str,
    handle: &'static str,
    number: u32,
    value: Side,
    flags: u32,
) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: ANY,
        value,
        max_entries: HASH_MAX,
        flags,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: true,
        kernel_check: "htab_map_alloc_check",
    }
}

const fn fd_array(name: &'static str, handle: &'static str, number: u32, flags: u32) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: U32,
        value: U32,
        max_entries: ANY_COUNT,
        flags,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Refused,
        byte_compared_key: false,
        kernel_check: "fd_array_map_alloc_check",
    }
}

const fn local_storage(name: &'static str, handle: &'static str, number: u32) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: FD_KEY,
        value: ANY,
        max_entries: Entries::Zero,
        flags: STORAGE_FLAGS,
        required_flags: NO_PREALLOC,
        extra: Extra::None,
        btf: Btf::Required,
        byte_compared_key: false,
        kernel_check: "bpf_local_storage_map_alloc_check",
    }
}

const fn index_to_fd(
    name: &'static str,
    handle: &'static str,
    number: u32,
    value: Side,
    flags: u32,
    max_entries: Entries,
    kernel_check: &'static str,
) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: U32,
        value,
        max_entries,
        flags,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Refused,
        byte_compared_key: false,
        kernel_check,
    }
}

const fn ring(name: &'static str, handle: &'static str, number: u32, flags: u32) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: Side::Absent,
        value: Side::Absent,
        max_entries: Entries::RingSize,
        flags,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "ringbuf_map_alloc",
    }
}

const fn keyless(
    name: &'static str,
    handle: &'static str,
    number: u32,
    flags: u32,
    extra: Extra,
    kernel_check: &'static str,
) -> Kind {
    Kind {
        name,
        handle,
        number,
        key: Side::Absent,
        value: ANY,
        max_entries: ANY_COUNT,
        flags,
        required_flags: 0,
        extra,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check,
    }
}

const fn cgroup_storage(
    name: &'static str,
    handle: &'static str,
    number: u32,
    value: Side,
) -> Kind {
    Kind {
        name,
        handle,
        number,
        // u64 cgroup inode id, or struct bpf_cgroup_storage_key {u64; u32; pad}
        key: Side::Param {
            default: None,
            rules: &[SizeRule::Either(8, 16)],
        },
        value,
        max_entries: Entries::Zero,
        flags: NUMA_NODE | ACCESS,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "cgroup_storage_map_alloc",
    }
}

/// Every map type, in kernel order.
pub const KINDS: &[Kind] = &[
    hash("hash", "Hash", 1, ANY, HASH_FLAGS),
    Kind {
        name: "array",
        handle: "Array",
        number: 2,
        key: U32,
        value: ANY,
        max_entries: ANY_COUNT,
        flags: NUMA_NODE | MMAPABLE | ACCESS | INNER_MAP,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "array_map_alloc_check",
    },
    fd_array("prog_array", "ProgArray", 3, FD_FLAGS),
    Kind {
        max_entries: Entries::PerCpuDefault,
        ..fd_array(
            "perf_event_array",
            "PerfEventArray",
            4,
            FD_FLAGS | PRESERVE_ELEMS,
        )
    },
    // Per-CPU hashes refuse NUMA_NODE.
    hash(
        "percpu_hash",
        "PercpuHash",
        5,
        PERCPU,
        NO_PREALLOC | ACCESS | ZERO_SEED,
    ),
    Kind {
        name: "percpu_array",
        handle: "PercpuArray",
        number: 6,
        key: U32,
        value: PERCPU,
        max_entries: ANY_COUNT,
        flags: ACCESS,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "array_map_alloc_check",
    },
    Kind {
        name: "stack_trace",
        handle: "StackTrace",
        number: 7,
        key: U32,
        value: Side::Param {
            default: None,
            rules: &[SizeRule::StackFrames],
        },
        max_entries: HASH_MAX,
        flags: NUMA_NODE | RDONLY | WRONLY | STACK_BUILD_ID,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "stack_map_alloc",
    },
    fd_array("cgroup_array", "CgroupArray", 8, FD_FLAGS),
    // LRU maps refuse NO_PREALLOC (ENOTSUPP) and take NO_COMMON_LRU.
    hash(
        "lru_hash",
        "LruHash",
        9,
        ANY,
        NUMA_NODE | ACCESS | ZERO_SEED | NO_COMMON_LRU,
    ),
    hash(
        "lru_percpu_hash",
        "LruPercpuHash",
        10,
        PERCPU,
        ACCESS | ZERO_SEED | NO_COMMON_LRU,
    ),
    Kind {
        name: "lpm_trie",
        handle: "LpmTrie",
        number: 11,
        // u32 prefix length + 1..=256 data bytes
        key: Side::Param {
            default: None,
            rules: &[SizeRule::Range(5, 260)],
        },
        value: ANY,
        max_entries: ANY_COUNT,
        flags: NO_PREALLOC | NUMA_NODE | ACCESS,
        required_flags: NO_PREALLOC,
        extra: Extra::None,
        btf: Btf::Accepted,
        byte_compared_key: true,
        kernel_check: "trie_alloc",
    },
    Kind {
        value: Side::Inner,
        kernel_check: "fd_array_map_alloc_check",
        ..fd_array("array_of_maps", "ArrayOfMaps", 12, FD_FLAGS)
    },
    Kind {
        value: Side::Inner,
        btf: Btf::Refused,
        kernel_check: "fd_htab_map_alloc_check",
        ..hash("hash_of_maps", "HashOfMaps", 13, ANY, HASH_FLAGS)
    },
    index_to_fd(
        "devmap",
        "Devmap",
        14,
        FD_OR_PAIR,
        FD_FLAGS,
        ANY_COUNT,
        "dev_map_init_map",
    ),
    index_to_fd(
        "sockmap",
        "Sockmap",
        15,
        FD_OR_PAIR,
        FD_FLAGS,
        ANY_COUNT,
        "sock_map_alloc",
    ),
    index_to_fd(
        "cpumap",
        "Cpumap",
        16,
        FD_OR_PAIR,
        NUMA_NODE,
        ANY_COUNT,
        "cpu_map_alloc",
    ),
    index_to_fd(
        "xskmap",
        "Xskmap",
        17,
        U32,
        FD_FLAGS,
        ANY_COUNT,
        "xsk_map_alloc",
    ),
    Kind {
        key: Side::Param {
            default: None,
            rules: &[SizeRule::Range(1, 512)],
        },
        value: FD_OR_PAIR,
        flags: FD_FLAGS,
        btf: Btf::Refused,
        kernel_check: "sock_hash_alloc",
        ..hash("sockhash", "Sockhash", 18, ANY, 0)
    },
    cgroup_storage("cgroup_storage", "CgroupStorage", 19, ANY),
    Kind {
        btf: Btf::Accepted,
        flags: NUMA_NODE | ACCESS,
        ..index_to_fd(
            "reuseport_sockarray",
            "ReuseportSockarray",
            20,
            FD_OR_PAIR,
            0,
            ANY_COUNT,
            "reuseport_array_alloc_check",
        )
    },
    cgroup_storage("percpu_cgroup_storage", "PercpuCgroupStorage", 21, PERCPU),
    keyless(
        "queue",
        "Queue",
        22,
        NUMA_NODE | ACCESS,
        Extra::None,
        "queue_stack_map_alloc_check",
    ),
    keyless(
        "stack",
        "Stack",
        23,
        NUMA_NODE | ACCESS,
        Extra::None,
        "queue_stack_map_alloc_check",
    ),
    local_storage("sk_storage", "SkStorage", 24),
    index_to_fd(
        "devmap_hash",
        "DevmapHash",
        25,
        FD_OR_PAIR,
        FD_FLAGS,
        HASH_MAX,
        "dev_map_init_map",
    ),
    Kind {
        name: "struct_ops",
        handle: "StructOps",
        number: 26,
        key: U32,
        value: ANY,
        max_entries: Entries::One,
        flags: LINK | VTYPE_BTF_OBJ_FD,
        required_flags: 0,
        extra: Extra::None,
        btf: Btf::Required,
        byte_compared_key: false,
        kernel_check: "bpf_struct_ops_map_alloc_check",
    },
    ring("ringbuf", "Ringbuf", 27, NUMA_NODE | RB_OVERWRITE),
    local_storage("inode_storage", "InodeStorage", 28),
    local_storage("task_storage", "TaskStorage", 29),
    keyless(
        "bloom_filter",
        "BloomFilter",
        30,
        NUMA_NODE | ZERO_SEED | ACCESS,
        Extra::BloomHashes,
        "bloom_map_alloc",
    ),
    ring("user_ringbuf", "UserRingbuf", 31, NUMA_NODE),
    local_storage("cgrp_storage", "CgrpStorage", 32),
    Kind {
        name: "arena",
        handle: "Arena",
        number: 33,
        key: Side::Absent,
        value: Side::Absent,
        // counted in pages
        max_entries: ANY_COUNT,
        flags: MMAPABLE | SEGV_ON_FAULT | NO_USER_CONV,
        required_flags: MMAPABLE,
        extra: Extra::ArenaAddress,
        btf: Btf::Accepted,
        byte_compared_key: false,
        kernel_check: "arena_map_alloc",
    },
    // The kernel's BTF check wants an i64 value, which can never be 16 bytes:
    // the sizes are always raw.
    index_to_fd(
        "insn_array",
        "InsnArray",
        34,
        Side::Fixed {
            ty: "[u32; 4]",
            size: 16,
        },
        0,
        ANY_COUNT,
        "bpf_insn_array.c",
    ),
    Kind {
        required_flags: NO_PREALLOC,
        extra: Extra::RhashHint,
        kernel_check: "the rhash map, bpf-next 2026",
        ..hash("rhash", "Rhash", 35, ANY, HASH_FLAGS)
    },
];

pub fn by_handle(handle: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.handle == handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libbpf's map type names in kernel order (bpf-reference §1.2).
    const LIBBPF_NAMES: &[&str] = &[
        "unspec",
        "hash",
        "array",
        "prog_array",
        "perf_event_array",
        "percpu_hash",
        "percpu_array",
        "stack_trace",
        "cgroup_array",
        "lru_hash",
        "lru_percpu_hash",
        "lpm_trie",
        "array_of_maps",
        "hash_of_maps",
        "devmap",
        "sockmap",
        "cpumap",
        "xskmap",
        "sockhash",
        "cgroup_storage",
        "reuseport_sockarray",
        "percpu_cgroup_storage",
        "queue",
        "stack",
        "sk_storage",
        "devmap_hash",
        "struct_ops",
        "ringbuf",
        "inode_storage",
        "task_storage",
        "bloom_filter",
        "user_ringbuf",
        "cgrp_storage",
        "arena",
        "insn_array",
        "rhash",
    ];

    #[test]
    fn numbers_follow_the_uapi_enum() {
        assert_eq!(KINDS.len(), LIBBPF_NAMES.len() - 1);
        for kind in KINDS {
            assert_eq!(LIBBPF_NAMES[kind.number as usize], kind.name);
        }
    }

    #[test]
    fn handles_are_libbpf_names_in_camel_case() {
        for kind in KINDS {
            let camel: String = kind
                .name
                .split('_')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect();
            assert_eq!(camel, kind.handle);
        }
    }

    #[test]
    fn required_flags_are_accepted_flags() {
        for kind in KINDS {
            assert_eq!(
                kind.flags & kind.required_flags,
                kind.required_flags,
                "{}",
                kind.name
            );
        }
    }
}
