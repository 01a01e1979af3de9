//! `enum bpf_map_type` with libbpf's lower-case spellings.
//!
//! The numbering is kernel ABI (include/uapi/linux/bpf.h); the names are the
//! ones libbpf prints and bpftool accepts, so that every tool a user already
//! knows agrees with ours.

use std::fmt;

macro_rules! map_types {
    ($($variant:ident = $num:literal, $name:literal;)*) => {
        /// A kernel map type (`enum bpf_map_type`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum MapType {
            $($variant = $num,)*
        }

        impl MapType {
            /// Every map type, in kernel order (UNSPEC included).
            pub const ALL: &'static [MapType] = &[$(MapType::$variant,)*];

            /// The type for a kernel number, if the number is known.
            pub fn from_u32(value: u32) -> Option<MapType> {
                match value {
                    $($num => Some(MapType::$variant),)*
                    _ => None,
                }
            }

            /// libbpf's lower-case name (`hash`, `perf_event_array`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $(MapType::$variant => $name,)*
                }
            }

            /// Parses libbpf's lower-case name.
            pub fn from_name(name: &str) -> Option<MapType> {
                match name {
                    $($name => Some(MapType::$variant),)*
                    // The kernel renamed these two to *_DEPRECATED; libbpf still prints the old names.
                    "cgroup_storage_deprecated" => Some(MapType::CgroupStorage),
                    "percpu_cgroup_storage_deprecated" => Some(MapType::PercpuCgroupStorage),
                    _ => None,
                }
            }
        }
    };
}

map_types! {
    Unspec = 0, "unspec";
    Hash = 1, "hash";
    Array = 2, "array";
    ProgArray = 3, "prog_array";
    PerfEventArray = 4, "perf_event_array";
    PercpuHash = 5, "percpu_hash";
    PercpuArray = 6, "percpu_array";
    StackTrace = 7, "stack_trace";
    CgroupArray = 8, "cgroup_array";
    LruHash = 9, "lru_hash";
    LruPercpuHash = 10, "lru_percpu_hash";
    LpmTrie = 11, "lpm_trie";
    ArrayOfMaps = 12, "array_of_maps";
    HashOfMaps = 13, "hash_of_maps";
    Devmap = 14, "devmap";
    Sockmap = 15, "sockmap";
    Cpumap = 16, "cpumap";
    Xskmap = 17, "xskmap";
    Sockhash = 18, "sockhash";
    CgroupStorage = 19, "cgroup_storage";
    ReuseportSockarray = 20, "reuseport_sockarray";
    PercpuCgroupStorage = 21, "percpu_cgroup_storage";
    Queue = 22, "queue";
    Stack = 23, "stack";
    SkStorage = 24, "sk_storage";
    DevmapHash = 25, "devmap_hash";
    StructOps = 26, "struct_ops";
    Ringbuf = 27, "ringbuf";
    InodeStorage = 28, "inode_storage";
    TaskStorage = 29, "task_storage";
    BloomFilter = 30, "bloom_filter";
    UserRingbuf = 31, "user_ringbuf";
    CgrpStorage = 32, "cgrp_storage";
    Arena = 33, "arena";
    InsnArray = 34, "insn_array";
    Rhash = 35, "rhash";
}

impl MapType {
    /// Map-in-map outer types.
    pub fn is_map_in_map(self) -> bool {
        matches!(self, MapType::ArrayOfMaps | MapType::HashOfMaps)
    }

    /// Local-storage types (max_entries must be 0, NO_PREALLOC required, BTF mandatory).
    pub fn is_local_storage(self) -> bool {
        matches!(
            self,
            MapType::SkStorage
                | MapType::InodeStorage
                | MapType::TaskStorage
                | MapType::CgrpStorage
        )
    }

    /// Ring buffers (key and value 0, max_entries a power-of-two multiple of the page size).
    pub fn is_ringbuf(self) -> bool {
        matches!(self, MapType::Ringbuf | MapType::UserRingbuf)
    }
}

impl fmt::Display for MapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for (i, t) in MapType::ALL.iter().enumerate() {
            assert_eq!(*t as u32, i as u32, "{t} is out of kernel order");
            assert_eq!(MapType::from_u32(i as u32), Some(*t));
            assert_eq!(MapType::from_name(t.name()), Some(*t));
        }
        assert_eq!(MapType::from_u32(36), None);
        assert_eq!(MapType::from_name("hashmap"), None);
    }
}
