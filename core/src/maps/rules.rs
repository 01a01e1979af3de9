//! The kernel's `BPF_MAP_CREATE` rules for each map type (reference sections
//! 1.1, 1.3 and 1.4), as a table of [`TypeRules`] plus the few rules that do
//! not fit a table.
//!
//! Everything here is pure: a [`MapSpec`] (and optionally its BTF) goes in,
//! [`Violation`]s come out, each naming the field, the errno the kernel
//! returns and the kernel function that decides. Nothing touches the kernel.
//!
//! Limits that depend on the kernel's build (`KMALLOC_MAX_SIZE`, `NR_CPUS`,
//! the page size) use the x86_64 defaults in [`Env::default`]; a caller that
//! knows the target passes its own [`Env`].

use super::{MapFlags, MapSpec, MapType};
use crate::btf::{Btf, Kind, Member};
use crate::diag::Errno;
use std::collections::HashMap;

/// `BPF_OBJ_NAME_LEN`: names are NUL-terminated in 16 bytes.
pub const BPF_OBJ_NAME_LEN: usize = 16;
/// `PCPU_MIN_UNIT_SIZE`: the largest per-CPU value.
pub const PCPU_MIN_UNIT_SIZE: u64 = 32 << 10;
/// `MAX_BPF_STACK`: SOCKHASH keys live on the BPF stack.
pub const MAX_BPF_STACK: u64 = 512;
/// `sizeof(struct htab_elem)` on 64-bit kernels.
pub const HTAB_ELEM_SIZE: u64 = 48;
/// `sizeof(struct bpf_stack_build_id)`.
pub const STACK_BUILD_ID_SIZE: u32 = 32;
/// Local-storage values must stay below `U16_MAX` minus the element header
/// (`BPF_LOCAL_STORAGE_MAX_VALUE_SIZE`); values above `U16_MAX` are refused
/// on every configuration, so that is the bound checked here.
pub const LOCAL_STORAGE_VALUE_LIMIT: u64 = u16::MAX as u64;

/// What a target kernel looks like, for the rules that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Env {
    /// `PAGE_SIZE` (ring buffers, arenas).
    pub page_size: u64,
    /// `KMALLOC_MAX_SIZE` (4 MiB with 4 KiB pages and `MAX_PAGE_ORDER` 10).
    pub kmalloc_max_size: u64,
    /// `NR_CPUS` of the kernel build (CPUMAP max_entries), when known.
    pub nr_cpus: Option<u32>,
    /// `kernel.perf_event_max_stack` (STACK_TRACE value size).
    pub perf_event_max_stack: u32,
    /// The NUMA nodes online on the target, when known (`numa_node` with
    /// `BPF_F_NUMA_NODE` must name one).
    pub numa_online: Option<NodeSet>,
}

impl Default for Env {
    fn default() -> Env {
        Env {
            page_size: 4096,
            kmalloc_max_size: 4 << 20,
            nr_cpus: None,
            perf_event_max_stack: 127,
            numa_online: None,
        }
    }
}

/// The most CPUs any kernel build supports: `CONFIG_NR_CPUS` is at most
/// 8192 (x86_64 with MAXSMP, powerpc; arm64 stops at 4096), so a CPUMAP
/// with more entries is refused everywhere.
pub const MAX_NR_CPUS: u32 = 8192;

/// The most NUMA nodes any kernel build supports (`MAX_NUMNODES`,
/// `1 << CONFIG_NODES_SHIFT`, at most 10 bits): a larger `numa_node` never
/// names a node.
pub const MAX_NUMNODES: u32 = 1024;

/// A set of NUMA node ids below [`MAX_NUMNODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSet([u64; (MAX_NUMNODES / 64) as usize]);

impl NodeSet {
    /// The set of `ids`; ids of [`MAX_NUMNODES`] and more are left out.
    pub fn from_ids(ids: &[u32]) -> NodeSet {
        let mut words = [0u64; (MAX_NUMNODES / 64) as usize];
        for &id in ids.iter().filter(|&&id| id < MAX_NUMNODES) {
            words[(id / 64) as usize] |= 1 << (id % 64);
        }
        NodeSet(words)
    }

    pub fn contains(&self, id: u32) -> bool {
        id < MAX_NUMNODES && self.0[(id / 64) as usize] & (1 << (id % 64)) != 0
    }

    /// The ids in the set, in order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        (0..MAX_NUMNODES).filter(|&id| self.contains(id))
    }
}

/// The numbers of a map definition as they go into `BPF_MAP_CREATE` (the
/// part of a [`MapSpec`] the kernel sees; cheap to copy and adjust).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreateAttr {
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub map_flags: u32,
    pub map_extra: u64,
    pub numa_node: u32,
    pub btf_key_type_id: u32,
    pub btf_value_type_id: u32,
}

impl CreateAttr {
    pub fn kind(&self) -> Option<MapType> {
        MapType::from_u32(self.map_type)
    }

    pub fn flags(&self) -> MapFlags {
        MapFlags(self.map_flags)
    }
}

impl From<&MapSpec> for CreateAttr {
    fn from(m: &MapSpec) -> CreateAttr {
        CreateAttr {
            map_type: m.map_type,
            key_size: m.key_size,
            value_size: m.value_size,
            max_entries: m.max_entries,
            map_flags: m.map_flags,
            map_extra: m.map_extra,
            numa_node: m.numa_node,
            btf_key_type_id: m.btf_key_type_id,
            btf_value_type_id: m.btf_value_type_id,
        }
    }
}

/// The part of a map definition a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    MapType,
    KeySize,
    ValueSize,
    MaxEntries,
    MapFlags,
    MapExtra,
    Name,
    Btf,
    NumaNode,
}

/// A rule the definition breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: Field,
    /// What `bpf(BPF_MAP_CREATE)` returns.
    pub errno: Errno,
    /// The rule, in words, with the offending value.
    pub rule: String,
    /// The kernel function that applies it.
    pub source: &'static str,
}

fn violation(field: Field, errno: Errno, source: &'static str, rule: String) -> Violation {
    Violation {
        field,
        errno,
        rule,
        source,
    }
}

/// A size rule for key_size or value_size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRule {
    /// No constraint the kernel checks at create time (STRUCT_OPS value).
    Any,
    /// Exactly this many bytes.
    Exactly(u32),
    /// One of a few sizes (4 or 8 for dev/cpu/sock maps).
    OneOf(&'static [u32]),
    /// Greater than zero; sizes above `max` fail with `over`.
    NonZero { max: Limit, over: Errno },
    /// Checked by code (stack trace, LPM trie, cgroup storage keys).
    Special,
}

/// An upper bound that may depend on the kernel build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    None,
    Fixed(u64),
    /// `KMALLOC_MAX_SIZE`.
    Kmalloc,
    /// `INT_MAX`.
    IntMax,
}

impl Limit {
    fn value(self, env: &Env) -> Option<u64> {
        match self {
            Limit::None => None,
            Limit::Fixed(v) => Some(v),
            Limit::Kmalloc => Some(env.kmalloc_max_size),
            Limit::IntMax => Some(i32::MAX as u64),
        }
    }
}

/// The max_entries rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntriesRule {
    /// Greater than zero, at most `max` (else `over`).
    NonZero { max: Limit, over: Errno },
    /// Must be 0 (storage maps size themselves).
    Zero,
    /// Must be 1.
    One,
    /// A power of two and a multiple of the page size (ring buffers).
    PowerOfTwoPages,
    /// Checked by code (CPUMAP, ARENA).
    Special,
}

/// What the kernel does with BTF key/value type ids for the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BtfRule {
    /// Accepted when consistent; the key must be given (no keyless form).
    KeyRequired,
    /// ARRAY-style: key a 32-bit INT, or keyless with max_entries 1 and a DATASEC value.
    ArrayKey,
    /// BLOOM_FILTER: the key must be void.
    KeyVoid,
    /// LPM trie: the key must be a STRUCT.
    KeyStruct,
    /// Local storage: both ids mandatory, key a 32-bit INT.
    Mandatory,
    /// cgroup storage: key a u64 INT or the two-member `bpf_cgroup_storage_key`.
    CgroupStorageKey,
    /// `map_check_no_btf`: any key/value id fails with ENOTSUPP.
    Rejected,
    /// Anything goes (ARENA, QUEUE/STACK value-only).
    Any,
    /// STRUCT_OPS: key/value ids must be 0, the vmlinux value id is required.
    VmlinuxValue,
}

/// How map_extra is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraRule {
    /// Must be 0 (generic check in `map_create`).
    Forbidden,
    /// Bits 0-3: number of hash functions; higher bits EINVAL.
    BloomHashes,
    /// User VMA start: page aligned, range inside one 4 GiB window.
    ArenaAddress,
    /// RHASH: initial element hint, upper 32 bits zero.
    RhashHint,
}

/// Capability needed to create the map (beyond the unprivileged-BPF sysctl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Creatable without capabilities when unprivileged BPF is enabled.
    Unprivileged,
    CapBpf,
    CapNetAdmin,
}

/// The kernel's rules for one map type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeRules {
    pub map_type: MapType,
    pub key: SizeRule,
    pub value: SizeRule,
    pub max_entries: EntriesRule,
    /// Every flag the type accepts (`*_CREATE_FLAG_MASK`).
    pub flags: MapFlags,
    /// Flags the type requires.
    pub required: MapFlags,
    pub btf: BtfRule,
    pub extra: ExtraRule,
    pub capability: Capability,
    /// First kernel with the type.
    pub since: &'static str,
    /// Where the checks live.
    pub source: &'static str,
}

const ACC: MapFlags = MapFlags(
    MapFlags::RDONLY.0 | MapFlags::WRONLY.0 | MapFlags::RDONLY_PROG.0 | MapFlags::WRONLY_PROG.0,
);
const FD_ACC: MapFlags = MapFlags(MapFlags::RDONLY.0 | MapFlags::WRONLY.0);
const NUMA: MapFlags = MapFlags::NUMA_NODE;
const HTAB_FLAGS: MapFlags = MapFlags(
    MapFlags::NO_PREALLOC.0
        | MapFlags::NO_COMMON_LRU.0
        | MapFlags::NUMA_NODE.0
        | ACC.0
        | MapFlags::ZERO_SEED.0,
);
const NONE: MapFlags = MapFlags::EMPTY;
const SIZE_4_OR_8: &[u32] = &[4, 8];
const NONZERO: SizeRule = SizeRule::NonZero {
    max: Limit::None,
    over: Errno::E2big,
};
const ENTRIES: EntriesRule = EntriesRule::NonZero {
    max: Limit::None,
    over: Errno::E2big,
};
const ENTRIES_2G: EntriesRule = EntriesRule::NonZero {
    max: Limit::Fixed(1 << 31),
    over: Errno::E2big,
};

const fn or(a: MapFlags, b: MapFlags) -> MapFlags {
    MapFlags(a.0 | b.0)
}

/// The table row for a map type.
pub fn rules(map_type: MapType) -> TypeRules {
    // Each row is built once per process: building one took ~180
    // instructions, and checking a map asks for its row several times.
    static TABLE: std::sync::OnceLock<Vec<TypeRules>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| MapType::ALL.iter().map(|&t| build_rules(t)).collect());
    table[map_type as usize]
}

/// Builds the table row for a map type (see [`rules`]).
fn build_rules(map_type: MapType) -> TypeRules {
    use Capability::*;
    use MapType as T;
    let row = |key, value, max_entries, flags, btf, capability, since, source| TypeRules {
        map_type,
        key,
        value,
        max_entries,
        flags,
        required: NONE,
        btf,
        extra: ExtraRule::Forbidden,
        capability,
        since,
        source,
    };
    let hash_source = "htab_map_alloc_check (kernel/bpf/hashtab.c)";
    let array_source = "array_map_alloc_check (kernel/bpf/arraymap.c)";
    let fd_array_source = "fd_array_map_alloc_check (kernel/bpf/arraymap.c)";
    let fd_array = |flags, since| {
        row(
            SizeRule::Exactly(4),
            SizeRule::Exactly(4),
            ENTRIES,
            flags,
            BtfRule::Rejected,
            Unprivileged,
            since,
            fd_array_source,
        )
    };
    match map_type {
        T::Unspec => row(
            SizeRule::Any,
            SizeRule::Any,
            EntriesRule::Special,
            NONE,
            BtfRule::Any,
            Unprivileged,
            "never",
            "map_create (kernel/bpf/syscall.c)",
        ),
        T::Hash | T::PercpuHash | T::LruHash | T::LruPercpuHash => {
            let percpu = matches!(map_type, T::PercpuHash | T::LruPercpuHash);
            let lru = matches!(map_type, T::LruHash | T::LruPercpuHash);
            row(
                NONZERO,
                NONZERO,
                ENTRIES_2G,
                HTAB_FLAGS,
                BtfRule::KeyRequired,
                if lru { CapBpf } else { Unprivileged },
                match (lru, percpu) {
                    (false, false) => "3.19",
                    (false, true) => "4.6",
                    (true, _) => "4.10",
                },
                hash_source,
            )
        }
        T::Array => row(
            SizeRule::Exactly(4),
            SizeRule::NonZero {
                max: Limit::IntMax,
                over: Errno::E2big,
            },
            ENTRIES,
            or(or(NUMA, ACC), or(MapFlags::MMAPABLE, MapFlags::INNER_MAP)),
            BtfRule::ArrayKey,
            Unprivileged,
            "3.19",
            array_source,
        ),
        T::PercpuArray => row(
            SizeRule::Exactly(4),
            SizeRule::Special,
            ENTRIES,
            ACC,
            BtfRule::ArrayKey,
            Unprivileged,
            "4.6",
            array_source,
        ),
        T::ProgArray => fd_array(or(NUMA, FD_ACC), "4.2"),
        T::PerfEventArray => fd_array(or(or(NUMA, FD_ACC), MapFlags::PRESERVE_ELEMS), "4.3"),
        T::CgroupArray => fd_array(or(NUMA, FD_ACC), "4.8"),
        T::ArrayOfMaps => fd_array(or(NUMA, FD_ACC), "4.12"),
        T::HashOfMaps => row(
            NONZERO,
            SizeRule::Exactly(4),
            ENTRIES_2G,
            HTAB_FLAGS,
            BtfRule::Rejected,
            Unprivileged,
            "4.12",
            "fd_htab_map_alloc_check (kernel/bpf/hashtab.c)",
        ),
        T::StackTrace => row(
            SizeRule::Exactly(4),
            SizeRule::Special,
            ENTRIES_2G,
            or(or(NUMA, FD_ACC), MapFlags::STACK_BUILD_ID),
            BtfRule::Any,
            CapBpf,
            "4.6",
            "stack_map_alloc (kernel/bpf/stackmap.c)",
        ),
        T::LpmTrie => TypeRules {
            required: MapFlags::NO_PREALLOC,
            ..row(
                SizeRule::Special,
                SizeRule::Special,
                ENTRIES,
                or(or(MapFlags::NO_PREALLOC, NUMA), ACC),
                BtfRule::KeyStruct,
                CapBpf,
                "4.11",
                "trie_alloc (kernel/bpf/lpm_trie.c)",
            )
        },
        T::Devmap | T::DevmapHash => row(
            SizeRule::Exactly(4),
            SizeRule::OneOf(SIZE_4_OR_8),
            if map_type == T::DevmapHash {
                EntriesRule::NonZero {
                    max: Limit::Fixed(1 << 31),
                    over: Errno::Einval,
                }
            } else {
                ENTRIES
            },
            or(NUMA, FD_ACC),
            BtfRule::Rejected,
            CapNetAdmin,
            if map_type == T::Devmap { "4.14" } else { "5.4" },
            "dev_map_init_map (kernel/bpf/devmap.c)",
        ),
        T::Cpumap => row(
            SizeRule::Exactly(4),
            SizeRule::OneOf(SIZE_4_OR_8),
            EntriesRule::Special,
            NUMA,
            BtfRule::Rejected,
            CapBpf,
            "4.15",
            "cpu_map_alloc (kernel/bpf/cpumap.c)",
        ),
        T::Xskmap => row(
            SizeRule::Exactly(4),
            SizeRule::Exactly(4),
            ENTRIES,
            or(NUMA, FD_ACC),
            BtfRule::Rejected,
            CapNetAdmin,
            "4.18",
            "xsk_map_alloc_check (net/xdp/xskmap.c)",
        ),
        T::Sockmap => row(
            SizeRule::Exactly(4),
            SizeRule::OneOf(SIZE_4_OR_8),
            ENTRIES,
            or(NUMA, FD_ACC),
            BtfRule::Rejected,
            CapNetAdmin,
            "4.14",
            "sock_map_alloc (net/core/sock_map.c)",
        ),
        T::Sockhash => row(
            SizeRule::NonZero {
                max: Limit::Fixed(MAX_BPF_STACK),
                over: Errno::E2big,
            },
            SizeRule::OneOf(SIZE_4_OR_8),
            ENTRIES,
            or(NUMA, FD_ACC),
            BtfRule::Rejected,
            CapNetAdmin,
            "4.18",
            "sock_hash_alloc (net/core/sock_map.c)",
        ),
        T::ReuseportSockarray => row(
            SizeRule::Exactly(4),
            SizeRule::OneOf(SIZE_4_OR_8),
            ENTRIES,
            or(NUMA, ACC),
            BtfRule::Any,
            CapBpf,
            "4.19",
            "reuseport_array_alloc_check (kernel/bpf/reuseport_array.c)",
        ),
        T::CgroupStorage | T::PercpuCgroupStorage => row(
            SizeRule::Special,
            SizeRule::Special,
            EntriesRule::Zero,
            or(NUMA, ACC),
            BtfRule::CgroupStorageKey,
            Unprivileged,
            if map_type == T::CgroupStorage {
                "4.19"
            } else {
                "4.20"
            },
            "cgroup_storage_map_alloc (kernel/bpf/local_storage.c)",
        ),
        T::Queue | T::Stack => row(
            SizeRule::Exactly(0),
            SizeRule::NonZero {
                max: Limit::Kmalloc,
                over: Errno::E2big,
            },
            ENTRIES,
            or(NUMA, ACC),
            BtfRule::Any,
            CapBpf,
            "4.20",
            "queue_stack_map_alloc_check (kernel/bpf/queue_stack_maps.c)",
        ),
        T::SkStorage | T::InodeStorage | T::TaskStorage | T::CgrpStorage => TypeRules {
            required: MapFlags::NO_PREALLOC,
            ..row(
                SizeRule::Exactly(4),
                SizeRule::NonZero {
                    max: Limit::Fixed(LOCAL_STORAGE_VALUE_LIMIT),
                    over: Errno::E2big,
                },
                EntriesRule::Zero,
                or(MapFlags::NO_PREALLOC, MapFlags::CLONE),
                BtfRule::Mandatory,
                CapBpf,
                match map_type {
                    T::SkStorage => "5.2",
                    T::InodeStorage => "5.10",
                    T::TaskStorage => "5.11",
                    _ => "6.2",
                },
                "bpf_local_storage_map_alloc_check (kernel/bpf/bpf_local_storage.c)",
            )
        },
        T::StructOps => row(
            SizeRule::Exactly(4),
            SizeRule::Any,
            EntriesRule::One,
            or(MapFlags::LINK, MapFlags::VTYPE_BTF_OBJ_FD),
            BtfRule::VmlinuxValue,
            CapBpf,
            "5.6",
            "bpf_struct_ops_map_alloc_check (kernel/bpf/bpf_struct_ops.c)",
        ),
        T::Ringbuf | T::UserRingbuf => row(
            SizeRule::Exactly(0),
            SizeRule::Exactly(0),
            EntriesRule::PowerOfTwoPages,
            if map_type == T::Ringbuf {
                or(NUMA, MapFlags::RB_OVERWRITE)
            } else {
                NUMA
            },
            BtfRule::Any,
            Unprivileged,
            if map_type == T::Ringbuf { "5.8" } else { "6.1" },
            "ringbuf_map_alloc (kernel/bpf/ringbuf.c)",
        ),
        T::BloomFilter => TypeRules {
            extra: ExtraRule::BloomHashes,
            ..row(
                SizeRule::Exactly(0),
                SizeRule::NonZero {
                    max: Limit::Kmalloc,
                    over: Errno::E2big,
                },
                ENTRIES,
                or(or(NUMA, MapFlags::ZERO_SEED), ACC),
                BtfRule::KeyVoid,
                CapBpf,
                "5.16",
                "bloom_map_alloc_check (kernel/bpf/bloom_filter.c)",
            )
        },
        T::Arena => TypeRules {
            required: MapFlags::MMAPABLE,
            extra: ExtraRule::ArenaAddress,
            ..row(
                SizeRule::Exactly(0),
                SizeRule::Exactly(0),
                EntriesRule::Special,
                or(
                    MapFlags::MMAPABLE,
                    or(MapFlags::SEGV_ON_FAULT, MapFlags::NO_USER_CONV),
                ),
                BtfRule::Any,
                CapBpf,
                "6.9",
                "arena_map_alloc (kernel/bpf/arena.c)",
            )
        },
        T::InsnArray => row(
            SizeRule::Exactly(4),
            SizeRule::Exactly(16),
            ENTRIES,
            NONE,
            BtfRule::Any,
            CapBpf,
            "6.19",
            "insn_array_alloc_check (kernel/bpf/bpf_insn_array.c)",
        ),
        T::Rhash => TypeRules {
            required: MapFlags::NO_PREALLOC,
            extra: ExtraRule::RhashHint,
            ..row(
                NONZERO,
                NONZERO,
                ENTRIES_2G,
                HTAB_FLAGS,
                BtfRule::KeyRequired,
                CapBpf,
                "bpf-next",
                "rhtab_map_alloc_check (kernel/bpf/hashtab.c, bpf-next)",
            )
        },
    }
}

/// `sizeof(struct bpf_cgroup_storage_key)` (a u64 and a u32, padded).
const CGROUP_STORAGE_KEY_SIZE: u32 = 16;

/// `btf_member_is_reg_int()`: the member's type, through modifiers and
/// typedefs, is a plain INT of exactly `size` bytes at byte `offset`.
fn member_is_reg_int(btf: &Btf<'_>, m: &Member, offset: u32, size: u32) -> bool {
    let Some(int) = btf
        .skip_mods_and_typedefs(m.type_id)
        .ok()
        .and_then(|id| btf.type_by_id(id).ok())
        .and_then(|t| t.int())
    else {
        return false;
    };
    let (bits, at) = (u32::from(int.bits), m.bit_offset());
    if m.kflag {
        return m.bitfield_size() == 0 && at.div_ceil(8) == offset && bits.div_ceil(8) == size;
    }
    int.bit_offset == 0 && at % 8 == 0 && at / 8 == offset && bits % 8 == 0 && bits / 8 == size
}

/// Checks a definition against `map_create()`'s generic rules and the type's
/// `map_alloc_check` / `map_alloc` rules (everything except BTF and the name).
///
/// `spec` holds the numbers as they will be passed to the kernel
/// (`(&map_spec).into()`); callers apply loader adjustments (libbpf's ring
/// buffer rounding, perf array CPU count) first, see [`libbpf_max_entries`].
pub fn check_create(spec: &CreateAttr, env: &Env) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(map_type) = spec.kind().filter(|t| *t != MapType::Unspec) else {
        out.push(violation(
            Field::MapType,
            Errno::Einval,
            "map_create (kernel/bpf/syscall.c)",
            format!(
                "map_type {} is not a map type the kernel defines (1..={})",
                spec.map_type,
                MapType::ALL.len() - 1
            ),
        ));
        return out;
    };
    let r = rules(map_type);
    // map_create() takes BPF_F_TOKEN_FD out before the per-type checks, but
    // first resolves map_token_fd as a BPF token. That fd is the loader's to
    // give (libbpf sets both from its own token); a definition that carries
    // the flag sends fd 0, which is no token (kernels before 6.9 refuse the
    // unknown flag instead), so the per-type checks run without it.
    let flags = MapFlags(spec.map_flags & !MapFlags::TOKEN_FD.0);
    let name = map_type.name();
    if spec.flags().contains(MapFlags::TOKEN_FD) {
        out.push(violation(
            Field::MapFlags,
            Errno::Einval,
            "map_create (kernel/bpf/syscall.c)",
            "map_flags token_fd in a definition: the kernel then reads map_token_fd, which only the loader can set".into(),
        ));
    }

    // Generic checks, map_create() in kernel/bpf/syscall.c.
    if spec.map_extra != 0 && r.extra == ExtraRule::Forbidden {
        out.push(violation(
            Field::MapExtra,
            Errno::Einval,
            "map_create (kernel/bpf/syscall.c)",
            format!(
                "map_extra must be 0 for {name} (only bloom_filter and arena use it); got {:#x}",
                spec.map_extra
            ),
        ));
    }
    // bpf_map_attr_numa_node(): numa_node counts only with the flag, and
    // NUMA_NO_NODE (-1) then still means "any node".
    if flags.contains(MapFlags::NUMA_NODE) && spec.numa_node != u32::MAX {
        let node = spec.numa_node;
        let unknown = if node >= MAX_NUMNODES {
            Some(format!(
                "numa_node {node} is beyond every kernel's node ids (MAX_NUMNODES is at most {MAX_NUMNODES})"
            ))
        } else {
            env.numa_online
                .filter(|online| !online.contains(node))
                .map(|online| {
                    let ids: Vec<String> = online.ids().map(|id| id.to_string()).collect();
                    format!(
                        "numa_node {node} is not an online NUMA node of the target (online: {})",
                        ids.join(",")
                    )
                })
        };
        if let Some(rule) = unknown {
            out.push(violation(
                Field::NumaNode,
                Errno::Einval,
                "map_create (kernel/bpf/syscall.c)",
                rule,
            ));
        }
    }
    if flags.contains(MapFlags::RDONLY | MapFlags::WRONLY) {
        out.push(violation(
            Field::MapFlags,
            Errno::Einval,
            "bpf_get_file_flag (kernel/bpf/syscall.c)",
            "rdonly and wronly together are refused".into(),
        ));
    }

    check_size(
        Field::KeySize,
        "key_size",
        spec.key_size,
        r.key,
        &r,
        env,
        &mut out,
    );
    check_size(
        Field::ValueSize,
        "value_size",
        spec.value_size,
        r.value,
        &r,
        env,
        &mut out,
    );
    check_entries(spec, &r, env, &mut out);
    check_flags(flags, &r, &mut out);
    check_special(spec, flags, &r, env, &mut out);
    check_extra(spec, &r, env, &mut out);
    out
}

fn check_size(
    field: Field,
    what: &str,
    size: u32,
    rule: SizeRule,
    r: &TypeRules,
    env: &Env,
    out: &mut Vec<Violation>,
) {
    let name = r.map_type.name();
    let fail = |errno, rule: String| violation(field, errno, r.source, rule);
    match rule {
        SizeRule::Any | SizeRule::Special => {}
        SizeRule::Exactly(n) if size != n => out.push(fail(
            Errno::Einval,
            format!("{what} must be {n} for {name}; got {size}"),
        )),
        SizeRule::Exactly(_) => {}
        SizeRule::OneOf(allowed) if !allowed.contains(&size) => out.push(fail(
            Errno::Einval,
            format!(
                "{what} must be one of {} for {name}; got {size}",
                allowed
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        )),
        SizeRule::OneOf(_) => {}
        SizeRule::NonZero { max, over } => {
            if size == 0 {
                out.push(fail(
                    Errno::Einval,
                    format!("{what} must be greater than 0 for {name}"),
                ));
            } else if let Some(m) = max.value(env) {
                if u64::from(size) > m {
                    out.push(fail(
                        over,
                        format!("{what} must be at most {m} for {name}; got {size}"),
                    ));
                }
            }
        }
    }
}

fn check_entries(spec: &CreateAttr, r: &TypeRules, env: &Env, out: &mut Vec<Violation>) {
    let m = spec.max_entries;
    let name = r.map_type.name();
    let fail = |errno, rule: String| violation(Field::MaxEntries, errno, r.source, rule);
    match r.max_entries {
        EntriesRule::NonZero { max, over } => {
            if m == 0 {
                out.push(fail(
                    Errno::Einval,
                    format!("max_entries must be greater than 0 for {name}"),
                ));
            } else if let Some(limit) = max.value(env) {
                if u64::from(m) > limit {
                    out.push(fail(
                        over,
                        format!("max_entries must be at most {limit} for {name}; got {m}"),
                    ));
                }
            }
        }
        EntriesRule::Zero if m != 0 => out.push(fail(
            Errno::Einval,
            format!("max_entries must be 0 for {name} (the kernel sizes it); got {m}"),
        )),
        EntriesRule::One if m != 1 => out.push(fail(
            Errno::Einval,
            format!("max_entries must be 1 for {name}; got {m}"),
        )),
        EntriesRule::PowerOfTwoPages if !ringbuf_size_ok(m, env.page_size) => {
            out.push(fail(
                Errno::Einval,
                format!(
                    "max_entries (ring size in bytes) must be a power of two and a multiple of the {}-byte page size for {name}; got {m}",
                    env.page_size
                ),
            ));
        }
        EntriesRule::Special => match r.map_type {
            MapType::Cpumap => {
                if m == 0 {
                    out.push(fail(
                        Errno::Einval,
                        "max_entries must be greater than 0 for cpumap".into(),
                    ));
                } else if let Some(n) = env.nr_cpus.filter(|n| m > *n) {
                    out.push(fail(
                        Errno::E2big,
                        format!("max_entries must be at most NR_CPUS ({n}) for cpumap; got {m}"),
                    ));
                } else if env.nr_cpus.is_none() && m > MAX_NR_CPUS {
                    out.push(fail(
                        Errno::E2big,
                        format!(
                            "max_entries must be at most NR_CPUS for cpumap, and no kernel is built for more than {MAX_NR_CPUS} CPUs; got {m}"
                        ),
                    ));
                }
            }
            MapType::Arena => {
                if m == 0 {
                    out.push(fail(
                        Errno::Einval,
                        "max_entries (pages) must be greater than 0 for arena".into(),
                    ));
                } else if u64::from(m) * env.page_size > 1 << 32 {
                    out.push(fail(
                        Errno::E2big,
                        format!(
                            "arena size max_entries * page size must be at most 4 GiB; got {m} pages"
                        ),
                    ));
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// Whether a ring buffer size is one the kernel accepts.
pub fn ringbuf_size_ok(size: u32, page_size: u64) -> bool {
    size != 0 && size.is_power_of_two() && u64::from(size) % page_size == 0
}

fn check_flags(flags: MapFlags, r: &TypeRules, out: &mut Vec<Violation>) {
    let name = r.map_type.name();
    let unknown = MapFlags(flags.0 & !r.flags.0);
    if unknown.0 != 0 {
        out.push(violation(
            Field::MapFlags,
            Errno::Einval,
            r.source,
            format!(
                "map_flags {unknown} not accepted for {name} (accepted: {})",
                r.flags
            ),
        ));
    }
    let missing = MapFlags(r.required.0 & !flags.0);
    if missing.0 != 0 {
        out.push(violation(
            Field::MapFlags,
            Errno::Einval,
            r.source,
            format!("{name} requires map_flags {missing}"),
        ));
    }
    // bpf_map_flags_access_ok(): applied by every type that accepts the access flags.
    if r.flags.contains(MapFlags::RDONLY_PROG)
        && flags.contains(MapFlags::RDONLY_PROG | MapFlags::WRONLY_PROG)
    {
        out.push(violation(
            Field::MapFlags,
            Errno::Einval,
            "bpf_map_flags_access_ok (include/linux/bpf.h)",
            "rdonly_prog and wronly_prog together are refused".into(),
        ));
    }
}

/// Rules that combine fields or do not fit the table.
fn check_special(
    spec: &CreateAttr,
    flags: MapFlags,
    r: &TypeRules,
    env: &Env,
    out: &mut Vec<Violation>,
) {
    use MapType as T;
    let (k, v) = (u64::from(spec.key_size), u64::from(spec.value_size));
    let fail = |field, errno, rule: String| violation(field, errno, r.source, rule);
    match r.map_type {
        // fd_htab_map_alloc_check runs htab_map_alloc_check first, so a hash
        // of maps is held to the same flag and size rules.
        T::Hash | T::PercpuHash | T::LruHash | T::LruPercpuHash | T::Rhash | T::HashOfMaps => {
            let lru = matches!(r.map_type, T::LruHash | T::LruPercpuHash);
            let percpu = matches!(r.map_type, T::PercpuHash | T::LruPercpuHash);
            if !lru && flags.contains(MapFlags::NO_COMMON_LRU) {
                out.push(fail(
                    Field::MapFlags,
                    Errno::Einval,
                    format!("no_common_lru is only for LRU hashes, not {}", r.map_type),
                ));
            }
            if lru && flags.contains(MapFlags::NO_PREALLOC) {
                out.push(fail(
                    Field::MapFlags,
                    Errno::Enotsupp,
                    format!(
                        "{} must be preallocated: no_prealloc is refused",
                        r.map_type
                    ),
                ));
            }
            if flags.contains(MapFlags::NUMA_NODE)
                && (percpu || flags.contains(MapFlags::NO_COMMON_LRU))
            {
                out.push(fail(
                    Field::MapFlags,
                    Errno::Einval,
                    format!(
                        "numa_node is refused for per-CPU hashes and no_common_lru ({})",
                        r.map_type
                    ),
                ));
            }
            if k != 0 && v != 0 && k + v >= env.kmalloc_max_size - HTAB_ELEM_SIZE {
                out.push(fail(
                    Field::ValueSize,
                    Errno::E2big,
                    format!(
                        "key_size + value_size must be below KMALLOC_MAX_SIZE - sizeof(htab_elem) ({}); got {}",
                        env.kmalloc_max_size - HTAB_ELEM_SIZE,
                        k + v
                    ),
                ));
            }
            if percpu && v.div_ceil(8) * 8 > PCPU_MIN_UNIT_SIZE {
                out.push(fail(
                    Field::ValueSize,
                    Errno::E2big,
                    format!("per-CPU value_size rounded to 8 must be at most {PCPU_MIN_UNIT_SIZE}; got {v}"),
                ));
            }
        }
        T::PercpuArray => {
            if v == 0 {
                out.push(fail(
                    Field::ValueSize,
                    Errno::Einval,
                    "value_size must be greater than 0 for percpu_array".into(),
                ));
            } else if v.div_ceil(8) * 8 > PCPU_MIN_UNIT_SIZE {
                out.push(fail(
                    Field::ValueSize,
                    Errno::E2big,
                    format!("per-CPU value_size rounded to 8 must be at most {PCPU_MIN_UNIT_SIZE}; got {v}"),
                ));
            }
        }
        T::StackTrace => {
            let elem = if flags.contains(MapFlags::STACK_BUILD_ID) {
                u64::from(STACK_BUILD_ID_SIZE)
            } else {
                8
            };
            if v < 8 || v % elem != 0 {
                out.push(fail(
                    Field::ValueSize,
                    Errno::Einval,
                    format!(
                        "stack_trace value_size must be a non-zero multiple of {elem}{}; got {v}",
                        if elem == 8 { "" } else { " (stack_build_id)" }
                    ),
                ));
            } else if v / elem > u64::from(env.perf_event_max_stack) {
                out.push(fail(
                    Field::ValueSize,
                    Errno::Einval,
                    format!(
                        "stack_trace value_size / {elem} must not exceed kernel.perf_event_max_stack ({}); got {}",
                        env.perf_event_max_stack,
                        v / elem
                    ),
                ));
            }
        }
        T::LpmTrie => {
            if !(5..=260).contains(&k) {
                out.push(fail(
                    Field::KeySize,
                    Errno::Einval,
                    format!("lpm_trie key_size must be 5..=260 (4-byte prefix length + 1..=256 data bytes); got {k}"),
                ));
            }
            let max_value = env.kmalloc_max_size - 256 - 40;
            if v == 0 || v > max_value {
                out.push(fail(
                    Field::ValueSize,
                    Errno::Einval,
                    format!("lpm_trie value_size must be 1..={max_value}; got {v}"),
                ));
            }
        }
        T::CgroupStorage | T::PercpuCgroupStorage => {
            if k != 8 && k != 16 {
                out.push(fail(
                    Field::KeySize,
                    Errno::Einval,
                    format!("{} key_size must be 8 (cgroup id) or 16 (struct bpf_cgroup_storage_key); got {k}", r.map_type),
                ));
            }
            let max = if r.map_type == T::PercpuCgroupStorage {
                PCPU_MIN_UNIT_SIZE.min(LOCAL_STORAGE_VALUE_LIMIT)
            } else {
                LOCAL_STORAGE_VALUE_LIMIT
            };
            if v == 0 {
                out.push(fail(
                    Field::ValueSize,
                    Errno::Einval,
                    format!("{} value_size must be greater than 0", r.map_type),
                ));
            } else if v > max {
                out.push(fail(
                    Field::ValueSize,
                    Errno::E2big,
                    format!("{} value_size must be at most {max}; got {v}", r.map_type),
                ));
            }
        }
        T::SkStorage | T::InodeStorage | T::TaskStorage | T::CgrpStorage
            if spec.btf_key_type_id == 0 || spec.btf_value_type_id == 0 =>
        {
            out.push(fail(
                Field::Btf,
                Errno::Einval,
                format!(
                    "{} needs both btf_key_type_id and btf_value_type_id",
                    r.map_type
                ),
            ));
        }
        _ => {}
    }
}

fn check_extra(spec: &CreateAttr, r: &TypeRules, env: &Env, out: &mut Vec<Violation>) {
    let x = spec.map_extra;
    let fail = |errno, rule: String| violation(Field::MapExtra, errno, r.source, rule);
    match r.extra {
        ExtraRule::Forbidden => {}
        ExtraRule::BloomHashes if x & !0xf != 0 => out.push(fail(
            Errno::Einval,
            format!("bloom_filter map_extra holds the hash count in bits 0-3 only; got {x:#x}"),
        )),
        ExtraRule::BloomHashes => {}
        ExtraRule::ArenaAddress => {
            if x % env.page_size != 0 {
                out.push(fail(
                    Errno::Einval,
                    format!("arena map_extra (user address) must be page aligned; got {x:#x}"),
                ));
            } else if x != 0 && spec.max_entries != 0 {
                let range = u64::from(spec.max_entries) * env.page_size;
                if range <= 1 << 32 && (x >> 32) != (x.wrapping_add(range - 1) >> 32) {
                    out.push(fail(
                        Errno::Erange,
                        format!("arena range {x:#x}+{range:#x} crosses a 4 GiB boundary"),
                    ));
                }
            }
        }
        ExtraRule::RhashHint => {
            if x >> 32 != 0 || x > u64::from(spec.max_entries).min(65535) {
                out.push(fail(
                    Errno::Einval,
                    format!("rhash map_extra (initial size hint) must be at most min(max_entries, 65535); got {x:#x}"),
                ));
            }
        }
    }
}

/// The kernel's map name rule (`bpf_obj_name_cpy`): every byte alphanumeric,
/// `_` or `.`, NUL-terminated within 16 bytes. Loaders truncate longer names
/// to 15 bytes before the check, so only the characters of the first 15
/// bytes matter.
pub fn check_name(name: &str) -> Option<Violation> {
    let bad = refused_name_chars(name)?;
    Some(violation(
        Field::Name,
        Errno::Einval,
        "bpf_obj_name_cpy (kernel/bpf/syscall.c)",
        format!(
            "map names may only contain A-Z a-z 0-9 _ and .; '{}' contains {bad}",
            kernel_name(name)
        ),
    ))
}

/// The characters of the name the kernel sees ([`kernel_name`]) that
/// `bpf_obj_name_cpy` refuses, as a list (`'$', '-'`); `None` when it takes
/// the name. The rule is the same for map and program names.
pub fn refused_name_chars(name: &str) -> Option<String> {
    // Nearly every name passes, and its first 15 bytes decide that: one
    // table lookup per byte, without cutting the name at a character first (a
    // byte of a multi-byte character fails the test, and the slow path
    // below then cuts as the loaders do). This runs for every map and
    // program of every object.
    let head = &name.as_bytes()[..name.len().min(BPF_OBJ_NAME_LEN - 1)];
    if head.iter().all(|&b| name_byte_ok(b)) {
        return None;
    }
    let bad: Vec<String> = kernel_name(name)
        .chars()
        .filter(|&c| !u8::try_from(c).is_ok_and(name_byte_ok))
        .map(|c| format!("{c:?}"))
        .collect();
    (!bad.is_empty()).then(|| bad.join(", "))
}

/// Whether `bpf_obj_name_cpy` takes each byte in a name: A-Z a-z 0-9 _ .
/// (a table: one load per byte).
static NAME_BYTES: [bool; 256] = {
    let mut ok = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        ok[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
        b += 1;
    }
    ok
};

fn name_byte_ok(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

/// The name the kernel stores: the first 15 bytes (libbpf and cilium/ebpf
/// truncate silently), cut back to a character boundary.
pub fn kernel_name(name: &str) -> &str {
    let mut end = name.len().min(BPF_OBJ_NAME_LEN - 1);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Map types for which libbpf never passes key/value BTF ids
/// (libbpf.c `bpf_object__create_map`). PROG_ARRAY is not among them: libbpf
/// sends its BTF, the kernel answers ENOTSUPP and libbpf retries without.
pub fn libbpf_strips_btf(t: MapType) -> bool {
    use MapType as T;
    matches!(
        t,
        T::PerfEventArray
            | T::CgroupArray
            | T::StackTrace
            | T::ArrayOfMaps
            | T::HashOfMaps
            | T::Devmap
            | T::DevmapHash
            | T::Cpumap
            | T::Xskmap
            | T::Sockmap
            | T::Sockhash
            | T::Queue
            | T::Stack
            | T::Arena
    )
}

/// The max_entries libbpf passes to the kernel: ring buffers are rounded up
/// to a power-of-two number of pages at open time (`adjust_ringbuf_sz`), and
/// a perf event array with 0 entries gets one per possible CPU at create time
/// (when `possible_cpus` is known).
pub fn libbpf_max_entries(spec: &MapSpec, page_size: u64, possible_cpus: Option<u32>) -> u32 {
    match spec.kind() {
        Some(MapType::Ringbuf | MapType::UserRingbuf) => {
            libbpf_ringbuf_size(spec.max_entries, page_size)
        }
        Some(MapType::PerfEventArray) if spec.max_entries == 0 => possible_cpus.unwrap_or(0),
        _ => spec.max_entries,
    }
}

/// libbpf's `adjust_ringbuf_sz`: 0 stays 0, an acceptable size is kept,
/// anything else becomes the smallest page_size * 2^k above it.
pub fn libbpf_ringbuf_size(size: u32, page_size: u64) -> u32 {
    if size == 0 || ringbuf_size_ok(size, page_size) {
        return size;
    }
    let mut mul: u64 = 1;
    while mul * page_size <= u64::from(u32::MAX) {
        if mul * page_size > u64::from(size) {
            return (mul * page_size) as u32;
        }
        mul <<= 1;
    }
    size
}

/// Special fields the kernel finds in a map value by type name (`btf_parse_fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecialField {
    SpinLock,
    ResSpinLock,
    Timer,
    Workqueue,
    TaskWork,
    ListHead,
    RbRoot,
    Refcount,
    Kptr,
    Uptr,
}

impl SpecialField {
    pub fn name(self) -> &'static str {
        match self {
            SpecialField::SpinLock => "bpf_spin_lock",
            SpecialField::ResSpinLock => "bpf_res_spin_lock",
            SpecialField::Timer => "bpf_timer",
            SpecialField::Workqueue => "bpf_wq",
            SpecialField::TaskWork => "bpf_task_work",
            SpecialField::ListHead => "bpf_list_head",
            SpecialField::RbRoot => "bpf_rb_root",
            SpecialField::Refcount => "bpf_refcount",
            SpecialField::Kptr => "kptr",
            SpecialField::Uptr => "uptr",
        }
    }

    fn from_struct_name(name: &[u8]) -> Option<SpecialField> {
        Some(match name {
            b"bpf_spin_lock" => SpecialField::SpinLock,
            b"bpf_res_spin_lock" => SpecialField::ResSpinLock,
            b"bpf_timer" => SpecialField::Timer,
            b"bpf_wq" => SpecialField::Workqueue,
            b"bpf_task_work" => SpecialField::TaskWork,
            b"bpf_list_head" => SpecialField::ListHead,
            b"bpf_rb_root" => SpecialField::RbRoot,
            b"bpf_refcount" => SpecialField::Refcount,
            _ => return None,
        })
    }

    /// Map types whose values may hold this field (reference 1.4).
    pub fn allowed_in(self, t: MapType) -> bool {
        use MapType as T;
        let storage = matches!(
            t,
            T::SkStorage | T::InodeStorage | T::TaskStorage | T::CgrpStorage
        );
        match self {
            SpecialField::SpinLock | SpecialField::ResSpinLock => {
                matches!(t, T::Hash | T::Array | T::CgroupStorage) || storage
            }
            SpecialField::Timer | SpecialField::Workqueue | SpecialField::TaskWork => {
                matches!(t, T::Hash | T::LruHash | T::Array)
            }
            SpecialField::Kptr | SpecialField::Refcount => {
                matches!(
                    t,
                    T::Hash
                        | T::PercpuHash
                        | T::LruHash
                        | T::LruPercpuHash
                        | T::Array
                        | T::PercpuArray
                ) || storage
            }
            SpecialField::Uptr => t == T::TaskStorage,
            SpecialField::ListHead | SpecialField::RbRoot => {
                matches!(t, T::Hash | T::LruHash | T::Array)
            }
        }
    }
}

/// A set of [`SpecialField`]s: one bit each, so finding them in every map
/// value allocates nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpecialFields(u16);

impl SpecialFields {
    const ALL: [SpecialField; 10] = [
        SpecialField::SpinLock,
        SpecialField::ResSpinLock,
        SpecialField::Timer,
        SpecialField::Workqueue,
        SpecialField::TaskWork,
        SpecialField::ListHead,
        SpecialField::RbRoot,
        SpecialField::Refcount,
        SpecialField::Kptr,
        SpecialField::Uptr,
    ];

    fn bit(f: SpecialField) -> u16 {
        1 << f as u16
    }

    pub fn insert(&mut self, f: SpecialField) {
        self.0 |= Self::bit(f);
    }

    pub fn contains(self, f: SpecialField) -> bool {
        self.0 & Self::bit(f) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The fields in the set, in [`SpecialField`]'s order.
    pub fn iter(self) -> impl Iterator<Item = SpecialField> {
        Self::ALL.into_iter().filter(move |&f| self.contains(f))
    }
}

/// Special fields in a value type, found the way `btf_parse_fields` does: by
/// struct name, through nested structs and arrays, and kptr/uptr type tags on
/// pointer members.
pub fn special_fields(btf: &Btf<'_>, value_type_id: u32) -> SpecialFields {
    let mut walk = SpecialWalk {
        btf,
        found: SpecialFields::default(),
        entered: 0,
        least_depth: None,
    };
    walk.collect(value_type_id, 0);
    walk.found
}

/// Composite types a walk enters before it starts remembering them: far
/// more than any real value type has, so real ones never pay for it.
const WALK_BUDGET: u32 = 10_000;

/// One search of a value type for special fields.
///
/// The walk follows every member, so a type reached along many paths is
/// entered once per path: in hostile BTF (a struct holding two of another,
/// which holds two of a third, ... or itself) that is exponential in the
/// depth limit, and a check of one object never ended. Past
/// [`WALK_BUDGET`] entries the walk remembers the least depth it entered
/// each type at and enters it again only from less deep: what it finds is
/// the same (a type entered no deeper than before finds nothing new, and
/// the fields are a set), and each type is entered at most once per depth.
struct SpecialWalk<'b, 'a> {
    btf: &'b Btf<'a>,
    found: SpecialFields,
    entered: u32,
    least_depth: Option<HashMap<u32, u32>>,
}

impl SpecialWalk<'_, '_> {
    fn collect(&mut self, id: u32, depth: u32) {
        if depth > crate::btf::MAX_RESOLVE_DEPTH {
            return;
        }
        if let Some(t) = resolved(self.btf, id) {
            self.collect_in(&t, depth);
        }
    }

    /// Whether to enter composite type `id` at `depth` (see the type).
    fn enter(&mut self, id: u32, depth: u32) -> bool {
        self.entered = self.entered.saturating_add(1);
        if self.entered <= WALK_BUDGET {
            return true;
        }
        let least = self.least_depth.get_or_insert_with(HashMap::new);
        match least.get(&id) {
            Some(&d) if d <= depth => false,
            _ => {
                least.insert(id, depth);
                true
            }
        }
    }

    /// [`SpecialWalk::collect`] for a type already resolved.
    fn collect_in(&mut self, t: &crate::btf::Type<'_>, depth: u32) {
        let btf = self.btf;
        match t.kind() {
            Kind::Struct | Kind::Union => {
                if let Some(f) = btf
                    .str_bytes(t.name_off())
                    .ok()
                    .and_then(SpecialField::from_struct_name)
                {
                    self.found.insert(f);
                    return;
                }
                if !self.enter(t.id(), depth) {
                    return;
                }
                for m in t.members() {
                    // Each member's type is resolved once, for the pointer
                    // tag check and the walk into it (this runs over every
                    // member of every value type).
                    let Some(mt) = resolved(btf, m.type_id) else {
                        continue;
                    };
                    if mt.kind() == Kind::Ptr {
                        if let Some(f) = pointer_tag_of(btf, &mt) {
                            self.found.insert(f);
                        }
                    } else if depth < crate::btf::MAX_RESOLVE_DEPTH {
                        self.collect_in(&mt, depth + 1);
                    }
                }
            }
            Kind::Array => {
                if let Some(a) = t.array() {
                    if self.enter(t.id(), depth) {
                        self.collect(a.elem_type, depth + 1);
                    }
                }
            }
            Kind::Datasec if self.enter(t.id(), depth) => {
                for e in t.datasec_entries() {
                    self.collect(e.type_id, depth + 1);
                }
            }
            Kind::Var => self.collect(t.type_id(), depth + 1),
            _ => {}
        }
    }
}

/// The type `id` names, past modifiers and typedefs.
fn resolved<'a>(btf: &Btf<'a>, id: u32) -> Option<crate::btf::Type<'a>> {
    btf.type_by_id(btf.skip_mods_and_typedefs(id).ok()?).ok()
}

/// `kptr`, `kptr_untrusted`, `percpu_kptr` and `uptr` type tags on a
/// pointer (a member's type, resolved).
fn pointer_tag_of(btf: &Btf<'_>, ptr: &crate::btf::Type<'_>) -> Option<SpecialField> {
    let mut cur = ptr.type_id();
    for _ in 0..crate::btf::MAX_RESOLVE_DEPTH {
        let t = btf.type_by_id(cur).ok()?;
        match t.kind() {
            Kind::TypeTag => match btf.str_bytes(t.name_off()).ok()? {
                b"kptr" | b"kptr_untrusted" | b"percpu_kptr" => return Some(SpecialField::Kptr),
                b"uptr" => return Some(SpecialField::Uptr),
                _ => cur = t.type_id(),
            },
            k if k.is_modifier() => cur = t.type_id(),
            _ => return None,
        }
    }
    None
}

/// Checks the BTF key/value ids the way `map_check_btf` (syscall.c) and the
/// per-type `map_check_btf` callbacks do. Only meaningful for ids a loader
/// actually sends (see [`libbpf_strips_btf`]).
///
/// `datasec_size` gives the size of a DATASEC after the loader's fix-ups
/// (LLVM leaves it 0 in the object); `|_| None` takes sizes as stored.
pub fn check_btf(
    spec: &CreateAttr,
    btf: &Btf<'_>,
    datasec_size: &dyn Fn(u32) -> Option<u32>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(t) = spec.kind() else {
        return out;
    };
    let r = rules(t);
    let (key_id, value_id) = (spec.btf_key_type_id, spec.btf_value_type_id);
    let src = "map_check_btf (kernel/bpf/syscall.c)";
    let fail = |errno, source, rule: String| violation(Field::Btf, errno, source, rule);
    if key_id == 0 && value_id == 0 {
        return out;
    }
    if r.btf == BtfRule::VmlinuxValue {
        out.push(fail(
            Errno::Einval,
            "map_create (kernel/bpf/syscall.c)",
            "struct_ops maps take btf_vmlinux_value_type_id; key and value type ids must be 0"
                .into(),
        ));
        return out;
    }
    // map_create() refuses a key without a value before any per-type check.
    if key_id != 0 && value_id == 0 {
        out.push(fail(
            Errno::Einval,
            "map_create (kernel/bpf/syscall.c)",
            "a BTF key type without a BTF value type is refused".into(),
        ));
        return out;
    }
    if r.btf == BtfRule::Rejected {
        out.push(fail(
            Errno::Enotsupp,
            "map_check_no_btf (kernel/bpf/syscall.c)",
            format!("{t} maps refuse BTF key/value types"),
        ));
        return out;
    }
    if key_id != 0 {
        match btf.resolve_size(key_id) {
            Ok(size) if size == u64::from(spec.key_size) => {}
            Ok(size) => out.push(fail(
                Errno::Einval,
                src,
                format!(
                    "BTF key type [{key_id}] is {size} bytes but key_size is {}",
                    spec.key_size
                ),
            )),
            Err(_) => out.push(fail(
                Errno::Einval,
                src,
                format!("BTF key type [{key_id}] has no size"),
            )),
        }
    } else if matches!(
        r.btf,
        BtfRule::KeyRequired | BtfRule::KeyStruct | BtfRule::Mandatory | BtfRule::CgroupStorageKey
    ) {
        out.push(fail(
            Errno::Einval,
            src,
            format!("{t} maps need a BTF key type when a value type is given (no keyless form)"),
        ));
    }
    let value_size = match datasec_size(value_id) {
        Some(size) => Ok(u64::from(size)),
        None => btf.resolve_size(value_id),
    };
    match value_size {
        Ok(size) if size == u64::from(spec.value_size) => {}
        Ok(size) => out.push(fail(
            Errno::Einval,
            src,
            format!(
                "BTF value type [{value_id}] is {size} bytes but value_size is {}",
                spec.value_size
            ),
        )),
        Err(_) => out.push(fail(
            Errno::Einval,
            src,
            format!("BTF value type [{value_id}] has no size"),
        )),
    }
    let key = if key_id == 0 {
        None
    } else {
        btf.skip_mods_and_typedefs(key_id)
            .ok()
            .and_then(|id| btf.type_by_id(id).ok())
    };
    let is_int32 = |k: &crate::btf::Type<'_>| {
        k.int()
            .is_some_and(|i| i.bits == 32 && i.bit_offset == 0 && k.size() == 4)
    };
    match r.btf {
        BtfRule::ArrayKey => match &key {
            Some(k) if !is_int32(k) => out.push(fail(
                Errno::Einval,
                "array_map_check_btf (kernel/bpf/arraymap.c)",
                format!("{t} BTF key must be a 32-bit integer"),
            )),
            Some(_) => {}
            None => {
                let value_is_datasec = btf
                    .type_by_id(value_id)
                    .is_ok_and(|v| v.kind() == Kind::Datasec);
                if spec.max_entries != 1 || !value_is_datasec {
                    out.push(fail(
                        Errno::Einval,
                        "array_map_check_btf (kernel/bpf/arraymap.c)",
                        format!("{t} without a BTF key needs max_entries 1 and a DATASEC value (global data)"),
                    ));
                }
            }
        },
        BtfRule::KeyVoid if key.is_some() => out.push(fail(
            Errno::Einval,
            "bloom_map_check_btf (kernel/bpf/bloom_filter.c)",
            "bloom_filter BTF key must be void".into(),
        )),
        BtfRule::KeyStruct => {
            if let Some(k) = &key {
                if k.kind() != Kind::Struct {
                    out.push(fail(
                        Errno::Einval,
                        "trie_check_btf (kernel/bpf/lpm_trie.c)",
                        "lpm_trie BTF key must be a struct".into(),
                    ));
                }
            }
        }
        BtfRule::Mandatory => {
            if let Some(k) = &key {
                if !is_int32(k) {
                    out.push(fail(
                        Errno::Einval,
                        "bpf_local_storage_map_check_btf (kernel/bpf/bpf_local_storage.c)",
                        format!("{t} BTF key must be a 32-bit integer"),
                    ));
                }
            }
        }
        BtfRule::CgroupStorageKey => {
            if let Some(k) = &key {
                // cgroup_storage_check_btf: key_size picks the form. 16 bytes
                // is struct bpf_cgroup_storage_key { __u64 cgroup_inode_id;
                // __u32 attach_type; }, checked member by member; otherwise
                // the key is a bare u64 cgroup id.
                let ok = if spec.key_size == CGROUP_STORAGE_KEY_SIZE {
                    let m: Vec<Member> = k.members().collect();
                    k.kind() == Kind::Struct
                        && m.len() == 2
                        && member_is_reg_int(btf, &m[0], 0, 8)
                        && member_is_reg_int(btf, &m[1], 8, 4)
                } else {
                    k.int().is_some_and(|i| i.bits == 64 && i.bit_offset == 0)
                };
                if !ok {
                    out.push(fail(
                        Errno::Einval,
                        "cgroup_storage_check_btf (kernel/bpf/local_storage.c)",
                        format!("{t} BTF key must be a u64 or struct bpf_cgroup_storage_key"),
                    ));
                }
            }
        }
        _ => {}
    }
    let fields = special_fields(btf, value_id);
    for f in fields.iter() {
        if !f.allowed_in(t) {
            out.push(fail(
                Errno::Eopnotsupp,
                "map_check_btf (kernel/bpf/syscall.c)",
                format!("{} in the value is not allowed in {t} maps", f.name()),
            ));
        }
    }
    if !fields.is_empty()
        && spec
            .flags()
            .intersects(MapFlags::RDONLY_PROG | MapFlags::WRONLY_PROG)
    {
        out.push(fail(
            Errno::Eacces,
            "map_check_btf (kernel/bpf/syscall.c)",
            "values with special fields (spin lock, timer, kptr...) are refused with rdonly_prog/wronly_prog".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::MapSource;

    fn spec(t: MapType, k: u32, v: u32, m: u32, flags: MapFlags) -> MapSpec {
        let mut s = MapSpec::new("m", t, MapSource::Declared);
        s.key_size = k;
        s.value_size = v;
        s.max_entries = m;
        s.map_flags = flags.0;
        s
    }

    /// The errnos `check_create` names for `s` under `env`.
    fn errnos_in(s: &MapSpec, env: &Env) -> Vec<Errno> {
        check_create(&CreateAttr::from(s), env)
            .iter()
            .map(|v| v.errno)
            .collect()
    }

    /// Hostile BTF where each struct holds two of the next (or of itself):
    /// the paths double per level, and the search used to take as many
    /// steps as there are paths (2^29 here, never ending). It still finds a
    /// spin lock at the bottom of the chain, and nothing in a struct that
    /// only holds itself.
    #[test]
    fn a_struct_reached_along_exponentially_many_paths_is_searched_in_bounded_time() {
        use crate::btf::build::{BtfBuilder, Field};
        use crate::bytes::Endian;
        let mut b = BtfBuilder::new();
        let int = b.add_int("int", 4, 0);
        let lock = b.add_struct("bpf_spin_lock", 4, &[Field::new("val", int, 0)]);
        // s29 holds the lock; s28 holds two s29, ... s0 holds two s1: ids
        // count down from s29, so each struct names one already added.
        let mut next = b.add_struct("s29", 4, &[Field::new("l", lock, 0)]);
        for k in (0..29).rev() {
            next = b.add_struct(
                &format!("s{k}"),
                8,
                &[Field::new("a", next, 0), Field::new("b", next, 32)],
            );
        }
        let top = next;
        // A struct that holds two of itself: its own id is the next one.
        let own = b.next_id();
        b.add_struct(
            "loop",
            8,
            &[Field::new("a", own, 0), Field::new("b", own, 32)],
        );
        let bytes = b.encode(Endian::NATIVE).unwrap();
        let btf = Btf::parse(&bytes).unwrap();
        let found = special_fields(&btf, top);
        assert_eq!(found.iter().collect::<Vec<_>>(), [SpecialField::SpinLock]);
        assert!(special_fields(&btf, own).is_empty());
    }

    #[test]
    fn special_field_sets_hold_each_field_once_in_order() {
        let mut set = SpecialFields::default();
        assert!(set.is_empty());
        // Inserted out of order and twice: listed once each, in enum order.
        for f in SpecialFields::ALL
            .iter()
            .rev()
            .chain(SpecialFields::ALL.iter())
        {
            set.insert(*f);
            assert!(set.contains(*f));
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), SpecialFields::ALL);
        let mut sorted = SpecialFields::ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted,
            SpecialFields::ALL,
            "ALL lists every field once, in order"
        );
        let mut one = SpecialFields::default();
        one.insert(SpecialField::Kptr);
        assert_eq!(one.iter().collect::<Vec<_>>(), [SpecialField::Kptr]);
        assert!(!one.contains(SpecialField::Uptr));
    }

    #[test]
    fn machine_limits_are_judged_where_every_kernel_agrees_unless_the_host_is_known() {
        let any = Env::default();
        let cpumap = |m| spec(MapType::Cpumap, 4, 4, m, MapFlags::EMPTY);
        assert_eq!(errnos_in(&cpumap(MAX_NR_CPUS), &any), []);
        assert_eq!(errnos_in(&cpumap(MAX_NR_CPUS + 1), &any), [Errno::E2big]);
        let host = Env {
            nr_cpus: Some(256),
            numa_online: Some(NodeSet::from_ids(&[0, 2])),
            ..Env::default()
        };
        assert_eq!(errnos_in(&cpumap(256), &host), []);
        assert_eq!(errnos_in(&cpumap(257), &host), [Errno::E2big]);

        let numa = |node| {
            let mut s = spec(MapType::Hash, 4, 4, 1, MapFlags::NUMA_NODE);
            s.numa_node = node;
            s
        };
        assert_eq!(errnos_in(&numa(MAX_NUMNODES - 1), &any), []);
        assert_eq!(errnos_in(&numa(MAX_NUMNODES), &any), [Errno::Einval]);
        // NUMA_NO_NODE (-1) with the flag is "any node".
        assert_eq!(errnos_in(&numa(u32::MAX), &any), []);
        assert_eq!(errnos_in(&numa(u32::MAX), &host), []);
        assert_eq!(errnos_in(&numa(2), &host), []);
        assert_eq!(errnos_in(&numa(1), &host), [Errno::Einval]);
        // Without the flag the kernel never looks at numa_node.
        let mut ignored = numa(MAX_NUMNODES);
        ignored.map_flags = 0;
        assert_eq!(errnos_in(&ignored, &host), []);
    }

    fn errnos(s: &MapSpec) -> Vec<(Field, Errno)> {
        let mut v: Vec<_> = check_create(&s.into(), &Env::default())
            .into_iter()
            .map(|v| (v.field, v.errno))
            .collect();
        v.sort();
        v
    }

    // Expected values below come from the reference's bad-input catalogue
    // (items 25-40), which was read off the kernel sources; the kernel
    // itself is the oracle in the integration tests.
    #[test]
    fn catalogue_items() {
        use Errno::*;
        use Field::{Btf, KeySize, MapExtra, MapFlags as Flags, MaxEntries, ValueSize};
        let e = MapFlags::EMPTY;
        assert_eq!(
            errnos(&spec(MapType::Hash, 0, 4, 1, e)),
            vec![(KeySize, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Hash, 4, 4, (1 << 31) + 1, e)),
            vec![(MaxEntries, E2big)]
        );
        assert_eq!(
            errnos(&spec(MapType::Hash, 4, 4, 1, MapFlags::NO_COMMON_LRU)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::HashOfMaps, 4, 4, 1, MapFlags::NO_COMMON_LRU)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Hash, 4, 4, 1, MapFlags::TOKEN_FD)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::LruHash, 4, 4, 1, MapFlags::NO_PREALLOC)),
            vec![(Flags, Enotsupp)]
        );
        assert_eq!(
            errnos(&spec(MapType::Array, 8, 4, 1, e)),
            vec![(KeySize, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::PercpuArray, 4, 4, 1, MapFlags::NUMA_NODE)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Array, 4, 4, 1, MapFlags::PRESERVE_ELEMS)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::ProgArray, 4, 4, 1, MapFlags::RDONLY_PROG)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::LpmTrie, 4, 4, 1, e)),
            vec![(KeySize, Einval), (Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Ringbuf, 0, 0, 4097, e)),
            vec![(MaxEntries, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Ringbuf, 0, 0, 3 * 4096, e)),
            vec![(MaxEntries, Einval)]
        );
        assert_eq!(
            errnos(&spec(
                MapType::UserRingbuf,
                0,
                0,
                4096,
                MapFlags::RB_OVERWRITE
            )),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::CgroupStorage, 4, 8, 1, e)),
            vec![(KeySize, Einval), (MaxEntries, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Cpumap, 4, 12, 1, e)),
            vec![(ValueSize, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::Arena, 0, 0, 1, e)),
            vec![(Flags, Einval)]
        );
        assert_eq!(
            errnos(&spec(MapType::InsnArray, 4, 16, 1, MapFlags::RDONLY)),
            vec![(Flags, Einval)]
        );
        let mut bloom = spec(MapType::BloomFilter, 0, 4, 1, e);
        bloom.map_extra = 0x10;
        assert_eq!(errnos(&bloom), vec![(MapExtra, Einval)]);
        let mut hash = spec(MapType::Hash, 4, 4, 1, e);
        hash.map_extra = 1;
        assert_eq!(errnos(&hash), vec![(MapExtra, Einval)]);
        let mut arena = spec(MapType::Arena, 0, 0, 2, MapFlags::MMAPABLE);
        arena.map_extra = (1 << 32) - 4096;
        assert_eq!(errnos(&arena), vec![(MapExtra, Erange)]);
        assert!(errnos(&spec(MapType::Queue, 4, 4, 1, e)).contains(&(KeySize, Einval)));
        assert!(
            errnos(&spec(MapType::SkStorage, 4, 4, 0, MapFlags::NO_PREALLOC))
                .contains(&(Btf, Einval))
        );
    }

    #[test]
    fn valid_minimal_definitions_pass() {
        // libbpf's feature probes (libbpf_probes.c) create exactly these.
        let e = MapFlags::EMPTY;
        for s in [
            spec(MapType::Hash, 4, 4, 1, e),
            spec(MapType::Array, 4, 4, 1, e),
            spec(MapType::StackTrace, 4, 8, 1, e),
            spec(MapType::LpmTrie, 8, 8, 1, MapFlags::NO_PREALLOC),
            spec(MapType::CgroupStorage, 16, 8, 0, e),
            spec(MapType::Queue, 0, 4, 1, e),
            spec(MapType::Ringbuf, 0, 0, 4096, e),
            spec(MapType::BloomFilter, 0, 4, 1, e),
            spec(MapType::Arena, 0, 0, 1, MapFlags::MMAPABLE),
            spec(MapType::InsnArray, 4, 16, 1, e),
        ] {
            assert_eq!(errnos(&s), vec![], "{}", s.kind().unwrap());
        }
    }

    #[test]
    fn names_and_ringbuf_rounding() {
        assert_eq!(kernel_name("a_very_long_map_name"), "a_very_long_map");
        assert!(check_name("ok.name_1").is_none());
        assert!(check_name("bad-name").is_some());
        assert_eq!(refused_name_chars("a_B.9"), None);
        assert_eq!(refused_name_chars("bad$na-me").as_deref(), Some("'$', '-'"));
        // Only the first 15 bytes reach the kernel.
        assert_eq!(refused_name_chars("fifteen_chars_x$tail"), None);
        assert_eq!(
            refused_name_chars("fourteen_char$x").as_deref(),
            Some("'$'")
        );
        // A character cut by the 15-byte limit is dropped, not refused...
        assert_eq!(refused_name_chars("fourteen_chars\u{e9}"), None);
        // ...but one inside it is.
        assert_eq!(refused_name_chars("caf\u{e9}").as_deref(), Some("'\u{e9}'"));
        assert_eq!(refused_name_chars("x\ny").as_deref(), Some("'\\n'"));
        assert_eq!(libbpf_ringbuf_size(4097, 4096), 8192);
        assert_eq!(libbpf_ringbuf_size(3 * 4096, 4096), 4 * 4096);
        assert_eq!(libbpf_ringbuf_size(4096, 4096), 4096);
        assert_eq!(libbpf_ringbuf_size(0, 4096), 0);
    }
}
