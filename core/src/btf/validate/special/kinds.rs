//! The special field types the kernel looks for when it loads program BTF
//! (`enum btf_field_type`, `btf_get_field_type`, `alloc_obj_fields` in
//! kernel/bpf/btf.c), with the sizes and alignments of the 6.18 kernel.

/// A special field `btf_parse_struct_metas` records. Only the types in its
/// field mask: `bpf_timer`, `bpf_wq`, `bpf_task_work` and `__uptr` are
/// looked for in map values only, so in program BTF they are plain members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FieldKind {
    SpinLock,
    ResSpinLock,
    ListHead,
    ListNode,
    RbRoot,
    RbNode,
    Refcount,
    /// `__kptr_untrusted`.
    KptrUnref,
    /// `__kptr`.
    KptrRef,
    /// `__percpu_kptr`.
    KptrPercpu,
}

impl FieldKind {
    /// How many kinds there are (for tables indexed by kind).
    pub(super) const COUNT: usize = 10;

    /// `btf_field_type_size`: the `sizeof` of the kernel's own struct (a
    /// kptr is a pointer). `bpf_list_node` grew from 16 to 24 bytes and
    /// `bpf_rb_node` from 24 to 32 in 6.5 (owner pointer); `bpf_res_spin_lock`
    /// is the kernel's 4-byte `rqspinlock_t`, not the 8-byte type of some
    /// BPF headers.
    pub(super) fn size(self) -> u32 {
        match self {
            FieldKind::SpinLock | FieldKind::ResSpinLock | FieldKind::Refcount => 4,
            FieldKind::ListHead | FieldKind::RbRoot => 16,
            FieldKind::ListNode => 24,
            FieldKind::RbNode => 32,
            FieldKind::KptrUnref | FieldKind::KptrRef | FieldKind::KptrPercpu => 8,
        }
    }

    /// `btf_field_type_align`.
    pub(super) fn align(self) -> u32 {
        match self {
            FieldKind::SpinLock | FieldKind::ResSpinLock | FieldKind::Refcount => 4,
            _ => 8,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            FieldKind::SpinLock => "bpf_spin_lock",
            FieldKind::ResSpinLock => "bpf_res_spin_lock",
            FieldKind::ListHead => "bpf_list_head",
            FieldKind::ListNode => "bpf_list_node",
            FieldKind::RbRoot => "bpf_rb_root",
            FieldKind::RbNode => "bpf_rb_node",
            FieldKind::Refcount => "bpf_refcount",
            FieldKind::KptrUnref => "kptr_untrusted",
            FieldKind::KptrRef => "kptr",
            FieldKind::KptrPercpu => "percpu_kptr",
        }
    }

    /// `btf_repeat_fields`: only these may be array elements (of more than
    /// one element).
    pub(super) fn may_repeat(self) -> bool {
        self.is_kptr() || self.is_graph_root()
    }

    pub(super) fn is_kptr(self) -> bool {
        matches!(
            self,
            FieldKind::KptrUnref | FieldKind::KptrRef | FieldKind::KptrPercpu
        )
    }

    pub(super) fn is_graph_root(self) -> bool {
        matches!(self, FieldKind::ListHead | FieldKind::RbRoot)
    }

    /// The node type a graph root's value must contain, and its alignment.
    pub(super) fn node_of_root(self) -> Option<FieldKind> {
        match self {
            FieldKind::ListHead => Some(FieldKind::ListNode),
            FieldKind::RbRoot => Some(FieldKind::RbNode),
            _ => None,
        }
    }

    /// A bit per kind, for `seen_mask` and `field_mask`.
    pub(super) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// `btf_get_field_type`'s table, in its order, reduced to the kinds in
/// `btf_parse_struct_metas`'s mask: the name of the member's type (after
/// arrays, before anything else: a typedef's own name counts) and whether
/// one struct may hold only one.
pub(super) const NAMED: [(FieldKind, &[u8], bool); 7] = [
    (FieldKind::SpinLock, b"bpf_spin_lock", true),
    (FieldKind::ResSpinLock, b"bpf_res_spin_lock", true),
    (FieldKind::ListHead, b"bpf_list_head", false),
    (FieldKind::ListNode, b"bpf_list_node", false),
    (FieldKind::RbRoot, b"bpf_rb_root", false),
    (FieldKind::RbNode, b"bpf_rb_node", false),
    (FieldKind::Refcount, b"bpf_refcount", false),
];

/// `alloc_obj_fields`: a STRUCT of one of these names in the BTF makes the
/// kernel parse every struct that has a member of exactly that type.
/// `bpf_res_spin_lock` is not in the list (6.18): alone it triggers nothing.
pub(super) const ALLOC_OBJ_FIELDS: [&[u8]; 6] = [
    b"bpf_spin_lock",
    b"bpf_list_head",
    b"bpf_list_node",
    b"bpf_rb_root",
    b"bpf_rb_node",
    b"bpf_refcount",
];

/// The type tag names `btf_find_kptr` knows, with the kind each gives;
/// `None` for `uptr`, which is known but outside the struct-meta mask.
pub(super) fn kptr_tag(name: &[u8]) -> Option<Option<FieldKind>> {
    match name {
        b"kptr_untrusted" => Some(Some(FieldKind::KptrUnref)),
        b"kptr" => Some(Some(FieldKind::KptrRef)),
        b"percpu_kptr" => Some(Some(FieldKind::KptrPercpu)),
        b"uptr" => Some(None),
        _ => None,
    }
}

/// `BTF_FIELDS_MAX` (include/linux/bpf.h; 10 before 6.9).
pub(super) const FIELDS_MAX: usize = 11;

/// The prefix of the decl tag naming a graph root's value type and node
/// member: `contains:<struct>:<member>`.
pub(super) const CONTAINS: &[u8] = b"contains:";
