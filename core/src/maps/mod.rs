//! Map types, flags and the plain-data description of a map.

mod declared;
mod flags;
mod map_type;
pub mod rules;
mod spec;

pub use declared::{
    kind, Arena, Array, ArrayOfMaps, BloomFilter, CgroupArray, CgroupStorage, CgrpStorage, Cpumap,
    DeclaredMap, Devmap, DevmapHash, Hash, HashOfMaps, InodeStorage, InsnArray, LpmTrie, LruHash,
    LruPercpuHash, MapDecl, MapKind, PercpuArray, PercpuCgroupStorage, PercpuHash, PerfEventArray,
    Pod, ProgArray, Queue, ReuseportSockarray, Rhash, Ringbuf, SkStorage, SlotDecl, Sockhash,
    Sockmap, Stack, StackTrace, StructOps, TaskStorage, TypedMap, UserRingbuf, Xskmap,
};
pub use flags::MapFlags;
pub use map_type::MapType;
pub use spec::{MapSlot, MapSource, MapSpec, PIN_BY_NAME, PIN_NONE};
