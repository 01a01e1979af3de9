//! What the validator reports: one [`Finding`] per broken rule, with a
//! stable code, the kernel's own log text and where in the blob it is.

use std::fmt;

use serde::Serialize;

use crate::btf::Kind;
use crate::diag::Errno;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The kernel refuses the blob (or, for the type limit, silently drops
    /// types).
    Error,
    /// The running kernel accepts it, but an older kernel still in use
    /// refuses it and libbpf does not rewrite it.
    Warning,
    /// Needs a newer kernel than some users run; libbpf and cilium/ebpf
    /// rewrite it for older kernels, so it is usually harmless.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// Stable identifiers of the rules (kebab-case in text and JSON).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        impl Code {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // Blob and header (kernel btf_parse_hdr, btf_check_sec_info).
    /// Larger than BTF_MAX_SIZE (16 MiB): E2BIG before any check.
    TooLarge = "btf-too-large",
    HdrLenNotFound = "hdr-len-not-found",
    HeaderNotFound = "header-not-found",
    /// Header bytes past `struct btf_header` are not zero.
    UnsupportedHeader = "unsupported-header",
    InvalidMagic = "invalid-magic",
    /// The blob's byte order is not the target kernel's.
    ForeignByteOrder = "foreign-byte-order",
    UnsupportedVersion = "unsupported-version",
    UnsupportedFlags = "unsupported-flags",
    NoData = "no-data",
    InvalidSectionOffset = "invalid-section-offset",
    UnsupportedSection = "unsupported-section",
    SectionOverlap = "section-overlap",
    SectionTooLong = "section-too-long",
    // Strings (btf_parse_str_sec).
    StringSectionNotLast = "string-section-not-last",
    InvalidStringSection = "invalid-string-section",
    // Type section walk (btf_parse_type_sec, btf_check_meta).
    UnalignedTypeOff = "unaligned-type-off",
    NoTypeFound = "no-type-found",
    TypeTruncated = "type-truncated",
    InvalidBtfInfo = "invalid-btf-info",
    InvalidKind = "invalid-kind",
    InvalidNameOffset = "invalid-name-offset",
    TooManyTypes = "too-many-types",
    /// A blob the reader cannot walk for another reason.
    Unreadable = "unreadable",
    // Per-kind rules (the check_meta callbacks).
    VlenNotZero = "vlen-not-zero",
    InvalidKindFlag = "invalid-kind-flag",
    InvalidName = "invalid-name",
    InvalidTypeId = "invalid-type-id",
    InvalidIntData = "invalid-int-data",
    IntBitsExceed128 = "int-bits-exceed-128",
    IntBitsExceedSize = "int-bits-exceed-size",
    UnsupportedIntEncoding = "unsupported-int-encoding",
    FwdTypeNotZero = "fwd-type-not-zero",
    ArraySizeNotZero = "array-size-not-zero",
    InvalidArrayElem = "invalid-array-elem",
    InvalidArrayIndex = "invalid-array-index",
    InvalidMemberNameOffset = "invalid-member-name-offset",
    InvalidMemberBitsOffset = "invalid-member-bits-offset",
    MemberOffsetPastEnd = "member-offset-past-end",
    InvalidEnumSize = "invalid-enum-size",
    InvalidEnumeratorNameOffset = "invalid-enumerator-name-offset",
    InvalidFuncLinkage = "invalid-func-linkage",
    UnsupportedVarLinkage = "unsupported-var-linkage",
    DatasecSizeZero = "datasec-size-zero",
    InvalidDatasecOffset = "invalid-datasec-offset",
    InvalidDatasecEntrySize = "invalid-datasec-entry-size",
    DatasecEntryPastEnd = "datasec-entry-past-end",
    DatasecEntriesTooLarge = "datasec-entries-too-large",
    InvalidFloatSize = "invalid-float-size",
    InvalidDeclTagValue = "invalid-decl-tag-value",
    InvalidComponentIdx = "invalid-component-idx",
    // Resolution (the resolve callbacks, check_member, func_proto checks).
    InvalidMember = "invalid-member",
    MemberNotByteAligned = "member-not-byte-aligned",
    MemberNotAligned = "member-not-aligned",
    MemberPastStructEnd = "member-past-struct-end",
    MemberBitsOffsetOverflow = "member-bits-offset-overflow",
    MemberCopyBitsExceed128 = "member-copy-bits-exceed-128",
    InvalidMemberBaseType = "invalid-member-base-type",
    InvalidMemberOffset = "invalid-member-offset",
    InvalidBitfieldSize = "invalid-bitfield-size",
    UnsupportedMemberType = "unsupported-member-type",
    InvalidArrayOfInt = "invalid-array-of-int",
    ArraySizeOverflow = "array-size-overflow",
    DatasecEntryNotVar = "datasec-entry-not-var",
    InvalidVarType = "invalid-var-type",
    DatasecEntryTooSmall = "datasec-entry-too-small",
    InvalidReturnType = "invalid-return-type",
    InvalidArg = "invalid-arg",
    ResolveDepthExceeded = "resolve-depth-exceeded",
    LoopDetected = "loop-detected",
    InvalidResolveState = "invalid-resolve-state",
    TypeTagAfterModifier = "type-tag-after-modifier",
    // Special fields of program BTF (btf_parse_struct_metas); the kernel
    // logs nothing for these.
    /// A second bpf_spin_lock (or bpf_res_spin_lock) in one struct: E2BIG.
    SpecialFieldRepeated = "special-field-repeated",
    /// More than BTF_FIELDS_MAX special fields in one struct: E2BIG.
    TooManySpecialFields = "too-many-special-fields",
    /// Nested structs or arrays 32 deep: E2BIG.
    SpecialFieldsTooDeep = "special-fields-too-deep",
    /// A member at a bit offset in a struct searched for special fields.
    SpecialFieldBitOffset = "special-field-bit-offset",
    /// A pointer member's type tag is not a kptr tag, or there are two.
    InvalidKptrTag = "invalid-kptr-tag",
    /// A kptr that does not point to a struct.
    InvalidKptrTarget = "invalid-kptr-target",
    /// An array of a special field that may not repeat.
    SpecialFieldArray = "special-field-array",
    /// A graph root without (or with two) `contains:` decl tags.
    ContainsTagMissing = "contains-tag-missing",
    /// A `contains:` tag without a node member name.
    ContainsTagMalformed = "contains-tag-malformed",
    /// A `contains:` tag naming an undefined struct: ENOENT.
    ContainsTypeNotFound = "contains-type-not-found",
    /// The value struct lacks the node member: ENOENT.
    ContainsNodeNotFound = "contains-node-not-found",
    /// The node member has the wrong type or alignment.
    ContainsNodeInvalid = "contains-node-invalid",
    /// A special field past the end of its struct: EFAULT.
    SpecialFieldPastEnd = "special-field-past-end",
    /// Overlapping special fields: EEXIST.
    SpecialFieldOverlap = "special-field-overlap",
    /// bpf_spin_lock and bpf_res_spin_lock in one struct.
    SpinLockConflict = "spin-lock-conflict",
    /// A graph root without a lock beside it.
    GraphRootWithoutLock = "graph-root-without-lock",
    /// A list node and a tree node without a bpf_refcount.
    GraphNodesWithoutRefcount = "graph-nodes-without-refcount",
    /// A struct picked for special fields that has none: EFAULT.
    NoSpecialFields = "no-special-fields",
    /// A graph root's value struct without special fields: EFAULT.
    GraphValueWithoutRecord = "graph-value-without-record",
    /// A node-and-root struct owning a root: ELOOP.
    GraphOwnershipCycle = "graph-ownership-cycle",
    // Older kernels.
    /// Names of 129..=512 bytes: refused before 6.1 (KSYM_NAME_LEN 128).
    CompatLongName = "compat-long-name",
    /// '.' in a name other than a DATASEC's or VAR's: refused by older kernels.
    CompatDotInName = "compat-dot-in-name",
    /// DATASEC name characters beyond `[A-Za-z0-9_.]`: refused before 6.9.
    CompatDatasecName = "compat-datasec-name",
    /// DATASEC without entries: refused before 5.12.
    CompatEmptyDatasec = "compat-empty-datasec",
    /// A kind, flag or linkage that older kernels do not know.
    CompatFeature = "compat-feature",
}

/// What `BPF_BTF_LOAD` does with BTF that breaks a rule (kernel/bpf/btf.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelRefusal {
    /// The errno the syscall fails with.
    pub errno: Errno,
    /// Whether the kernel writes a log line for it (the finding's message
    /// is then that line).
    pub logs: bool,
}

impl Code {
    /// How the kernel refuses BTF that breaks this rule: size limits are
    /// `E2BIG`, an unknown version, header flag or int encoding
    /// `ENOTSUPP`, a reference loop `EEXIST`,
    /// everything else `EINVAL`, each with a log line; a blob over the size
    /// limit and the special-field pass (`btf_parse_struct_metas`) fail
    /// with only an errno, some of them their own.
    pub fn kernel_refusal(self) -> KernelRefusal {
        use Errno::*;
        let (errno, logs) = match self {
            // Refused before the log is set up.
            Code::TooLarge => (E2big, false),
            Code::UnsupportedHeader | Code::TooManyTypes | Code::ResolveDepthExceeded => {
                (E2big, true)
            }
            // btf_parse_hdr and btf_int_check_meta.
            Code::UnsupportedVersion | Code::UnsupportedFlags | Code::UnsupportedIntEncoding => {
                (Enotsupp, true)
            }
            Code::LoopDetected => (Eexist, true),
            // The special-field pass.
            Code::SpecialFieldRepeated
            | Code::TooManySpecialFields
            | Code::SpecialFieldsTooDeep => (E2big, false),
            Code::SpecialFieldOverlap => (Eexist, false),
            Code::ContainsTypeNotFound | Code::ContainsNodeNotFound => (Enoent, false),
            Code::SpecialFieldPastEnd | Code::NoSpecialFields | Code::GraphValueWithoutRecord => {
                (Efault, false)
            }
            Code::GraphOwnershipCycle => (Eloop, false),
            Code::SpecialFieldBitOffset
            | Code::InvalidKptrTag
            | Code::InvalidKptrTarget
            | Code::SpecialFieldArray
            | Code::ContainsTagMissing
            | Code::ContainsTagMalformed
            | Code::ContainsNodeInvalid
            | Code::SpinLockConflict
            | Code::GraphRootWithoutLock
            | Code::GraphNodesWithoutRefcount => (Einval, false),
            _ => (Einval, true),
        };
        KernelRefusal { errno, logs }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The text the kernel logs for this rule (`"Invalid name"`,
    /// `"Invalid kind:20"`, ...), so it can be matched against a real
    /// verifier log. For rules the kernel checks without a log line, our own
    /// wording.
    pub message: String,
    /// The type the kernel names in its log line, if any.
    pub type_id: Option<u32>,
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Option<Kind>,
    /// Byte offset in the blob of the offending field or record.
    pub offset: Option<u64>,
    /// A short explanation for people.
    pub note: String,
}

fn serialize_kind<S: serde::Serializer>(kind: &Option<Kind>, s: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(k) => s.serialize_some(k.name()),
        None => s.serialize_none(),
    }
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `error[invalid-name]: [3] PTR: Invalid name (at byte 60): a PTR has no name`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: ", self.severity, self.code)?;
        match (self.type_id, self.kind) {
            (Some(id), Some(kind)) => write!(f, "[{id}] {kind}: ")?,
            (Some(id), None) => write!(f, "[{id}]: ")?,
            _ => {}
        }
        f.write_str(&self.message)?;
        if let Some(off) = self.offset {
            write!(f, " (at byte {off})")?;
        }
        if !self.note.is_empty() {
            write!(f, ": {}", self.note)?;
        }
        Ok(())
    }
}
