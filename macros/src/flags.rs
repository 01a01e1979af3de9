//! `map_flags` names and bits (include/uapi/linux/bpf.h, `BPF_F_*`), spelled
//! like bpfc's `MapFlags` (lower case, no prefix). The macro cannot depend on
//! the `bpfc` crate (which depends on it), so the table is repeated here; a
//! test in `core/tests/macro_decl.rs` checks that both agree.

pub const NO_PREALLOC: u32 = 1 << 0;
pub const NO_COMMON_LRU: u32 = 1 << 1;
pub const NUMA_NODE: u32 = 1 << 2;
pub const RDONLY: u32 = 1 << 3;
pub const WRONLY: u32 = 1 << 4;
pub const STACK_BUILD_ID: u32 = 1 << 5;
pub const ZERO_SEED: u32 = 1 << 6;
pub const RDONLY_PROG: u32 = 1 << 7;
pub const WRONLY_PROG: u32 = 1 << 8;
pub const CLONE: u32 = 1 << 9;
pub const MMAPABLE: u32 = 1 << 10;
pub const PRESERVE_ELEMS: u32 = 1 << 11;
pub const INNER_MAP: u32 = 1 << 12;
pub const LINK: u32 = 1 << 13;
pub const PATH_FD: u32 = 1 << 14;
pub const VTYPE_BTF_OBJ_FD: u32 = 1 << 15;
pub const TOKEN_FD: u32 = 1 << 16;
pub const SEGV_ON_FAULT: u32 = 1 << 17;
pub const NO_USER_CONV: u32 = 1 << 18;
pub const RB_OVERWRITE: u32 = 1 << 19;

/// `BPF_F_ACCESS_MASK`: the four access flags most types accept.
pub const ACCESS: u32 = RDONLY | WRONLY | RDONLY_PROG | WRONLY_PROG;

pub const NAMES: &[(&str, u32)] = &[
    ("no_prealloc", NO_PREALLOC),
    ("no_common_lru", NO_COMMON_LRU),
    ("numa_node", NUMA_NODE),
    ("rdonly", RDONLY),
    ("wronly", WRONLY),
    ("stack_build_id", STACK_BUILD_ID),
    ("zero_seed", ZERO_SEED),
    ("rdonly_prog", RDONLY_PROG),
    ("wronly_prog", WRONLY_PROG),
    ("clone", CLONE),
    ("mmapable", MMAPABLE),
    ("preserve_elems", PRESERVE_ELEMS),
    ("inner_map", INNER_MAP),
    ("link", LINK),
    ("path_fd", PATH_FD),
    ("vtype_btf_obj_fd", VTYPE_BTF_OBJ_FD),
    ("token_fd", TOKEN_FD),
    ("segv_on_fault", SEGV_ON_FAULT),
    ("no_user_conv", NO_USER_CONV),
    ("rb_overwrite", RB_OVERWRITE),
];

/// Flags that describe how a file descriptor is obtained, never part of a
/// map definition: the kernel strips or rejects them at map creation.
pub const NOT_FOR_DEFINITIONS: u32 = PATH_FD | TOKEN_FD;

pub fn from_name(name: &str) -> Option<u32> {
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, bit)| *bit)
}

pub fn name_of(bit: u32) -> &'static str {
    NAMES
        .iter()
        .find(|(_, b)| *b == bit)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

/// Names of the set bits, lowest first, joined with ` | `.
pub fn describe(bits: u32) -> String {
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(_, b)| bits & b != 0)
        .map(|(n, _)| *n)
        .collect();
    names.join(" | ")
}
