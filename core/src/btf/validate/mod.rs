//! The kernel's BTF rules (kernel/bpf/btf.c, `btf_parse` and the per-kind
//! `check_meta`/`resolve`/`check_member` callbacks) as [`Finding`]s.
//!
//! The goal is agreement with the running kernel: BTF without error
//! findings loads, BTF the kernel refuses gets at least one error, and the
//! first error carries the text of the kernel's log line. The checks run in
//! the kernel's order:
//!
//! 1. `header`: size, header, section layout, string section. The first
//!    failure stops validation, as in the kernel.
//! 2. `meta`: every type on its own (kind, flags, names, member offsets,
//!    DATASEC entries, ...). A type that fails is not looked at again.
//! 3. `resolve`: references, in id order, with the kernel's depth-first
//!    resolution (loops, depth limit, sizes, member fits), then the
//!    FUNC_PROTO argument checks.
//! 4. `tags`: TYPE_TAG ordering in modifier chains.
//! 5. `special`: the special fields (`btf_parse_struct_metas`): once the
//!    BTF defines `bpf_spin_lock`, `bpf_list_head`, ... or a kptr type, every
//!    struct with a direct member of such a type must have a field layout
//!    the kernel accepts (one lock, aligned, `contains:` tags that name a
//!    node, ...). The kernel logs nothing for these rules, so the messages
//!    are ours; each code maps to the errno it returns. Program BTF only
//!    (not split BTF), and without the checks that need the running
//!    kernel's own BTF (destructors of `__kptr` targets).
//! 6. `compat`: what older kernels still in use would refuse (warnings) or
//!    would need rewritten (notes).
//!
//! Unlike the kernel, validation continues after an error so that one run
//! shows every independent problem; references to a type that already
//! failed are not reported again.
//!
//! Cost is linear in the blob, and kept low because vmlinux has 126k types
//! and 170k members, parameters and enumerators:
//! - the string section is classified once, a block of bytes at a time,
//!   so that checking a name is one bit lookup (`names::PlainNames`);
//! - the meta pass reads each header once and records in the type's slot
//!   (`slots`) what references to it need (kind, size or target, INT
//!   word), so the later passes follow references without reading the
//!   referenced types' bytes;
//! - resolution takes one step, without the stack, for the types whose
//!   target is already settled (nearly all pointers, modifiers and FUNCs),
//!   and memoises what each type resolves to, as the kernel does;
//! - nothing recurses, the resolution stack is bounded by the kernel's
//!   depth limit, and nothing is allocated per type unless a finding is
//!   made.

mod compat;
mod finding;
mod header;
mod member;
mod meta;
mod names;
mod resolve;
mod slots;
mod special;
mod tags;

pub use finding::{Code, Finding, KernelRefusal, Severity};
pub use header::{BTF_MAX_NAME_OFFSET, BTF_MAX_SIZE};
pub use names::{KSYM_NAME_LEN, OLD_KSYM_NAME_LEN};

use super::kind::Kind;
use super::parse::Btf;
use super::types::Type;
use crate::bytes::Endian;
use slots::{Slots, State};

/// Highest type id the kernel keeps: it stores at most `BTF_MAX_TYPE`
/// entries counting `void`, and drops (while logging "Exceeded max num of
/// types") every type after that.
pub const MAX_KEPT_TYPE_ID: u32 = super::BTF_MAX_TYPE - 1;

/// What to validate against.
#[derive(Debug, Clone)]
pub struct Options {
    /// Byte order of the kernel the BTF is meant for. The kernel reads the
    /// header in its own order, so a blob of the other order fails its
    /// header checks. `None` skips this check (e.g. when validating objects
    /// built for another architecture). Default: this machine's order.
    pub byte_order: Option<Endian>,
    /// Also report what older kernels still in use would refuse (warnings)
    /// or need rewritten (notes). Default: on. A caller that only asks
    /// whether the running kernel loads the blob turns it off.
    pub older_kernels: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            byte_order: Some(Endian::NATIVE),
            older_kernels: true,
        }
    }
}

/// Validates parsed BTF (base or split) for the running kernel.
pub fn validate(btf: &Btf<'_>) -> Vec<Finding> {
    validate_with(btf, &Options::default())
}

/// Validates parsed BTF with explicit [`Options`].
pub fn validate_with(btf: &Btf<'_>, opts: &Options) -> Vec<Finding> {
    let mut findings = Vec::new();
    if check_blob(
        btf.data(),
        btf.endian(),
        btf.base().is_some(),
        opts,
        &mut findings,
    ) {
        findings.extend(Checker::run(btf, opts));
    }
    findings
}

/// Validates a base BTF blob that may not even parse: problems the reader
/// refuses (bad magic, truncated types, unknown kinds) become findings too.
pub fn validate_bytes(data: &[u8]) -> Vec<Finding> {
    validate_bytes_with(data, &Options::default())
}

/// [`validate_bytes`] with explicit [`Options`].
pub fn validate_bytes_with(data: &[u8], opts: &Options) -> Vec<Finding> {
    let mut findings = Vec::new();
    let endian = match data {
        [0x9f, 0xeb, ..] => Endian::Little,
        [0xeb, 0x9f, ..] => Endian::Big,
        // Unknown magic: read it as the target kernel would, which reports it.
        _ => opts.byte_order.unwrap_or(Endian::NATIVE),
    };
    if !check_blob(data, endian, false, opts, &mut findings) {
        return findings;
    }
    match Btf::parse(data) {
        Ok(btf) => findings.extend(Checker::run(&btf, opts)),
        Err(e) => findings.push(meta::unreadable(data, endian, &e)),
    }
    findings
}

/// The header phase. Returns whether the types can be checked.
fn check_blob(
    data: &[u8],
    endian: Endian,
    split: bool,
    opts: &Options,
    out: &mut Vec<Finding>,
) -> bool {
    if let Some(target) = opts.byte_order {
        if target != endian {
            // Report what this kernel would say when it reads the header in
            // its own byte order, then go on checking in the blob's order.
            let says = header::check(data, target, split)
                .err()
                .map(|f| f.message)
                .unwrap_or_else(|| "Invalid magic".to_string());
            out.push(Finding {
                code: Code::ForeignByteOrder,
                severity: Severity::Error,
                message: says,
                type_id: None,
                kind: None,
                offset: Some(0),
                note: format!(
                    "the blob is {endian:?}-endian; a {target:?}-endian kernel only loads BTF in its own byte order (libbpf swaps it first)"
                ),
            });
        }
    }
    match header::check(data, endian, split) {
        Ok(()) => true,
        Err(f) => {
            out.push(f);
            false
        }
    }
}

/// What an id stands for to the kernel: `void` or a type of some kind.
/// What else is known about the type lives in its [`Slot`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Void,
    Type(Kind),
}

impl Node {
    fn kind(self) -> Option<Kind> {
        match self {
            Node::Void => None,
            Node::Type(k) => Some(k),
        }
    }
}

/// Kind groups of kernel/bpf/btf.c; `None` is `void`.
mod class {
    use super::Kind;

    pub fn is_modifier(k: Option<Kind>) -> bool {
        matches!(
            k,
            Some(Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag)
        )
    }

    pub fn is_struct(k: Option<Kind>) -> bool {
        matches!(k, Some(Kind::Struct | Kind::Union))
    }

    /// Types that reference others and must be resolved.
    pub fn needs_resolve(k: Option<Kind>) -> bool {
        is_modifier(k)
            || matches!(
                k,
                Some(
                    Kind::Ptr
                        | Kind::Struct
                        | Kind::Union
                        | Kind::Array
                        | Kind::Var
                        | Kind::Func
                        | Kind::DeclTag
                        | Kind::Datasec
                )
            )
    }

    /// Types that may only start a reference chain, never be referenced
    /// as a value type.
    pub fn is_source_only(k: Option<Kind>) -> bool {
        matches!(k, Some(Kind::Var | Kind::DeclTag | Kind::Datasec))
    }

    /// Types without a size: void, FWD, FUNC, FUNC_PROTO.
    pub fn has_no_size(k: Option<Kind>) -> bool {
        matches!(k, None | Some(Kind::Fwd | Kind::Func | Kind::FuncProto))
    }

    /// Types whose third header word is their size.
    pub fn has_size(k: Option<Kind>) -> bool {
        k.is_some_and(|k| k.has_size())
    }

    /// Types `btf_type_id_size` finds a size for on their own: those with a
    /// size word, arrays and pointers.
    pub fn is_sized(k: Option<Kind>) -> bool {
        has_size(k) || matches!(k, Some(Kind::Array | Kind::Ptr))
    }
}

/// Byte offset of trailing record `i` (of `size` bytes) within its type.
fn record_at(i: u32, size: u64) -> u64 {
    super::TYPE_HEADER_LEN as u64 + size * u64::from(i)
}

/// The validator's working state for one blob.
struct Checker<'b, 'a> {
    btf: &'b Btf<'a>,
    findings: Vec<Finding>,
    /// Byte offset of the type section in the blob.
    types_at: u64,
    /// Ids above this are dropped by the kernel.
    last_kept: u32,
    slots: Slots,
    resolver: resolve::Stack,
    compat: compat::Tally,
    /// The names of this blob's string section that need no closer look.
    plain_names: names::PlainNames,
    /// One past the highest string offset (the base's strings included).
    str_end: u32,
}

impl<'b, 'a> Checker<'b, 'a> {
    fn new(btf: &'b Btf<'a>) -> Self {
        let ids = btf.last_id() as usize + 1;
        let h = btf.header();
        Checker {
            btf,
            findings: Vec::new(),
            types_at: u64::from(h.hdr_len) + u64::from(h.type_off),
            last_kept: btf.last_id().min(MAX_KEPT_TYPE_ID),
            slots: Slots::new(ids),
            resolver: resolve::Stack::default(),
            compat: compat::Tally::default(),
            plain_names: names::PlainNames::new(btf.string_section(), btf.first_str_off()),
            str_end: btf.first_str_off() + h.str_len,
        }
    }

    /// Checks the types of `btf` (its header already passed).
    fn run(btf: &'b Btf<'a>, opts: &Options) -> Vec<Finding> {
        let mut c = Checker::new(btf);
        if let Some(base) = btf.base() {
            // Split BTF relies on what its base resolves to; the kernel
            // resolved vmlinux long ago. Do the same, quietly.
            let b = Checker::run_quiet(base);
            c.slots.copy_base(&b.slots);
        }
        c.check_metas();
        c.resolve_all();
        c.check_type_tags();
        c.check_special_fields();
        if opts.older_kernels {
            c.check_compat();
        }
        c.findings
    }

    fn run_quiet(btf: &'b Btf<'a>) -> Checker<'b, 'a> {
        let mut c = Checker::new(btf);
        c.check_metas();
        c.resolve_all();
        c
    }

    /// The type (or void) with this id as the kernel sees it: `None` when
    /// it does not exist or was dropped past the type limit.
    #[inline]
    fn node(&self, id: u32) -> Option<Node> {
        if id == 0 {
            return Some(Node::Void);
        }
        if id > self.last_kept {
            return None;
        }
        self.slots.tag(id).kind().map(Node::Type)
    }

    /// The bytes of a type known to exist (ids up to the last, base ids
    /// included). Only types whose records are needed are looked up: most
    /// checks read the slots.
    fn type_at(&self, id: u32) -> Option<Type<'a>> {
        self.btf.type_by_id(id).ok()
    }

    /// Byte offset in the blob of a type, or of a record inside it.
    /// Findings are only ever about this blob's types (a split BTF's base
    /// is checked quietly), so the offset is always into this blob.
    fn at(&self, t: &Type<'_>, within: u64) -> u64 {
        self.types_at + u64::from(t.offset()) + within
    }

    #[cold]
    #[inline(never)]
    fn report(
        &mut self,
        t: &Type<'_>,
        within: u64,
        code: Code,
        message: impl Into<String>,
        note: impl Into<String>,
    ) {
        self.slots.set_state(t.id(), State::Failed);
        self.advise(t, within, Severity::Error, code, message, note);
    }

    /// [`Checker::report`] for a type the caller knows by id only (the
    /// checks that read nothing but slots).
    #[cold]
    #[inline(never)]
    fn report_id(
        &mut self,
        id: u32,
        within: u64,
        code: Code,
        message: impl Into<String>,
        note: impl Into<String>,
    ) {
        match self.type_at(id) {
            Some(t) => self.report(&t, within, code, message, note),
            // Callers only name types that exist; still never lose the verdict.
            None => self.slots.set_state(id, State::Failed),
        }
    }

    /// A finding that does not mark the type as failed (older-kernel
    /// warnings and notes).
    #[cold]
    #[inline(never)]
    fn advise(
        &mut self,
        t: &Type<'_>,
        within: u64,
        severity: Severity,
        code: Code,
        message: impl Into<String>,
        note: impl Into<String>,
    ) {
        let f = Finding {
            code,
            severity,
            message: message.into(),
            type_id: Some(t.id()),
            kind: Some(t.kind()),
            offset: Some(self.at(t, within)),
            note: note.into(),
        };
        self.findings.push(f);
    }

    /// A type's name for notes ("(anon)" like the kernel's log).
    fn name_of(&self, name_off: u32) -> String {
        if name_off == 0 {
            return "(anon)".to_string();
        }
        match self.btf.str_at(name_off) {
            Ok(s) => s.into_owned(),
            Err(_) => "(invalid-name-offset)".to_string(),
        }
    }

    fn is_base_id(&self, id: u32) -> bool {
        id < self.btf.first_id()
    }
}
