//! `map_flags` bits (include/uapi/linux/bpf.h), with libbpf-style names.

use std::fmt;

macro_rules! map_flags {
    ($($konst:ident = $bit:literal, $name:literal;)*) => {
        /// A set of `BPF_F_*` map creation flags.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct MapFlags(pub u32);

        impl MapFlags {
            $(pub const $konst: MapFlags = MapFlags(1 << $bit);)*

            /// Every known flag with its lower-case name, lowest bit first.
            pub const NAMED: &'static [(MapFlags, &'static str)] = &[$((MapFlags::$konst, $name),)*];
        }
    };
}

map_flags! {
    NO_PREALLOC = 0, "no_prealloc";
    NO_COMMON_LRU = 1, "no_common_lru";
    NUMA_NODE = 2, "numa_node";
    RDONLY = 3, "rdonly";
    WRONLY = 4, "wronly";
    STACK_BUILD_ID = 5, "stack_build_id";
    ZERO_SEED = 6, "zero_seed";
    RDONLY_PROG = 7, "rdonly_prog";
    WRONLY_PROG = 8, "wronly_prog";
    CLONE = 9, "clone";
    MMAPABLE = 10, "mmapable";
    PRESERVE_ELEMS = 11, "preserve_elems";
    INNER_MAP = 12, "inner_map";
    LINK = 13, "link";
    PATH_FD = 14, "path_fd";
    VTYPE_BTF_OBJ_FD = 15, "vtype_btf_obj_fd";
    TOKEN_FD = 16, "token_fd";
    SEGV_ON_FAULT = 17, "segv_on_fault";
    NO_USER_CONV = 18, "no_user_conv";
    RB_OVERWRITE = 19, "rb_overwrite";
}

impl MapFlags {
    pub const EMPTY: MapFlags = MapFlags(0);

    pub const fn bits(self) -> u32 {
        self.0
    }

    pub const fn contains(self, other: MapFlags) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn intersects(self, other: MapFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// Looks a flag up by its lower-case name (`no_prealloc`, `rdonly_prog`, ...).
    pub fn from_name(name: &str) -> Option<MapFlags> {
        Self::NAMED
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
    }

    /// Names of the known bits that are set, and the leftover unknown bits.
    pub fn names(self) -> (Vec<&'static str>, u32) {
        let mut rest = self.0;
        let mut names = Vec::new();
        for (flag, name) in Self::NAMED {
            if self.contains(*flag) {
                names.push(*name);
                rest &= !flag.0;
            }
        }
        (names, rest)
    }
}

impl std::ops::BitOr for MapFlags {
    type Output = MapFlags;
    fn bitor(self, rhs: MapFlags) -> MapFlags {
        MapFlags(self.0 | rhs.0)
    }
}

impl fmt::Display for MapFlags {
    /// `no_prealloc|rdonly_prog`, `0x100000` for unknown bits, `0` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0");
        }
        let (names, rest) = self.names();
        let mut parts: Vec<String> = names.into_iter().map(str::to_owned).collect();
        if rest != 0 {
            parts.push(format!("{rest:#x}"));
        }
        f.write_str(&parts.join("|"))
    }
}
