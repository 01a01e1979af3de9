//! The catalogue of finding codes.
//!
//! A code never changes meaning once published: users grep CI logs and
//! suppress findings by code. New checks get new codes. The letter says which
//! layer has the rule:
//!
//! - `E`: ELF structure of the object
//! - `L`: legacy `maps` definitions (`struct bpf_map_def`, iproute2 `bpf_elf_map`)
//! - `M`: BTF-defined `.maps` as libbpf and cilium/ebpf parse them
//! - `K`: the kernel's `BPF_MAP_CREATE` rules for a map definition
//! - `D`: global data sections, internal maps and externs
//! - `S`: struct_ops maps
//! - `P`: programs and their relocations
//! - `T`: the object's BTF

use super::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $title:literal;)*) => {
        /// A stable finding code such as `BPFC-K004`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed (`BPFC-K004`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The severity a finding with this code has unless a check says otherwise.
            pub fn default_severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$sev,)*
                }
            }

            /// A short, fixed title for the code (for documentation and summaries).
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }
        }
    };
}

codes! {
    /// Object is not in the host byte order; libbpf refuses to open it here.
    ForeignByteOrder = "BPFC-E001", Note, "object byte order differs from the host";
    /// A section bpfc needs is compressed (SHF_COMPRESSED).
    CompressedSection = "BPFC-E002", Error, "compressed section";
    /// A symbol lies (partly) outside the section it names.
    SymbolOutOfSection = "BPFC-E003", Error, "symbol outside its section";
    /// A relocation section is malformed (entry size, target index, symbol index, offset).
    BadRelocationSection = "BPFC-E004", Error, "malformed relocation section";
    /// `license` or `version` section is malformed.
    BadLicenseOrVersion = "BPFC-E005", Error, "malformed license or version section";
    /// More than one symbol table.
    MultipleSymbolTables = "BPFC-E006", Error, "multiple symbol tables";

    /// A `maps` section: libbpf 1.0 and later refuse to open the object.
    LegacyMapsSection = "BPFC-L001", Warning, "legacy maps section refused by libbpf 1.0+";
    /// A `maps/NAME` or `maps.*` section: cilium/ebpf up to v0.20 reads it, libbpf ignores it.
    LegacyMapsSubsection = "BPFC-L002", Warning, "legacy maps sub-section ignored by libbpf";
    /// A legacy definition has non-zero bytes past the fields any loader understands.
    LegacyExtraBytes = "BPFC-L003", Error, "legacy map definition has unhandled non-zero bytes";
    /// A static (STB_LOCAL or symbol-less) legacy map is referenced by code.
    LegacyStaticMapReferenced = "BPFC-L004", Error, "static legacy map referenced from code";
    /// A legacy definition is shorter than the 20-byte `struct bpf_map_def`.
    LegacyDefinitionTooShort = "BPFC-L005", Error, "legacy map definition shorter than 20 bytes";
    /// A legacy map symbol extends past the end of its section.
    LegacyDefinitionOutOfBounds = "BPFC-L006", Error, "legacy map definition out of bounds";
    /// Legacy definitions of different sizes in one section.
    LegacyUnequalSizes = "BPFC-L007", Warning, "legacy map definitions of unequal size";
    /// A recognised extended layout (iproute2 `bpf_elf_map`, aya, kernel samples) whose extra fields are set.
    LegacyExtendedFields = "BPFC-L008", Note, "legacy map uses loader-specific fields";
    /// Bytes in a legacy maps section that no symbol covers.
    LegacyUncoveredBytes = "BPFC-L009", Warning, "legacy maps section bytes without a symbol";
    /// Two legacy maps with the same name.
    LegacyDuplicateName = "BPFC-L010", Error, "duplicate legacy map name";
    /// A static legacy map (STB_LOCAL symbol) that no code references.
    LegacyStaticMap = "BPFC-L011", Warning, "static legacy map";

    /// `.maps` exists but the object has no usable BTF.
    MapsWithoutBtf = "BPFC-M001", Error, "BTF required for .maps but missing or corrupted";
    /// `.maps` exists but BTF has no DATASEC `.maps`.
    MapsDatasecMissing = "BPFC-M002", Error, "DATASEC .maps not found";
    /// A `.maps` variable without a name.
    MapEmptyName = "BPFC-M003", Error, "map without a name";
    /// A `.maps` variable lies outside the section.
    MapOutOfBounds = "BPFC-M004", Error, "map definition outside the .maps section";
    /// A `.maps` DATASEC entry is not a VAR.
    MapNotVar = "BPFC-M005", Error, "map entry is not a VAR";
    /// A `.maps` variable is static or extern.
    MapLinkage = "BPFC-M006", Error, "unsupported map linkage";
    /// A `.maps` variable's type is not a struct.
    MapDefNotStruct = "BPFC-M007", Error, "map definition is not a struct";
    /// The definition struct is larger than its variable.
    MapDefSize = "BPFC-M008", Error, "invalid map definition size";
    /// An integer attribute is not encoded as `__uint` (pointer to array) or `__ulong` (enum).
    MapFieldEncoding = "BPFC-M009", Error, "map attribute has the wrong encoding";
    /// `key`/`value` is not a pointer.
    MapKeyValueNotPointer = "BPFC-M010", Error, "key or value spec is not a pointer";
    /// The key or value type has no size (void, FWD, function).
    MapKeyValueSize = "BPFC-M011", Error, "cannot determine key or value size";
    /// `key_size` and `key` (or the value pair) disagree.
    MapConflictingSize = "BPFC-M012", Error, "conflicting key or value size";
    /// A member libbpf does not know.
    MapUnknownField = "BPFC-M013", Error, "unknown map definition field";
    /// No `type` given.
    MapTypeMissing = "BPFC-M014", Error, "map type not specified";
    /// A problem with `values` (placement, map type, shape, nesting).
    MapValuesSpec = "BPFC-M015", Error, "invalid values (inner map / prog array) spec";
    /// `pinning` is neither 0 nor 1, or set on an inner map.
    MapPinning = "BPFC-M016", Error, "invalid pinning";
    /// `__ulong` enum with other than one enumerator.
    MapInvalidUlong = "BPFC-M017", Error, "invalid __ulong";
    /// A 32-bit `__ulong` value with bit 31 set is sign-extended by libbpf.
    MapUlongSignExtended = "BPFC-M018", Warning, "__ulong value sign-extended by libbpf";
    /// Non-zero bytes in `.maps` outside relocated slots.
    MapsNonZeroBytes = "BPFC-M019", Error, "initialised .maps definition";
    /// `numa_node` field: libbpf accepts it, cilium/ebpf refuses it.
    MapNumaNodeField = "BPFC-M020", Warning, "numa_node in a BTF map definition";
    /// Both `key_size` and `key` (or `value_size` and `value`): cilium/ebpf refuses.
    MapSizeAndType = "BPFC-M021", Warning, "both size and type given";
    /// A `.rel.maps` slot relocation libbpf refuses.
    MapSlotRelocation = "BPFC-M022", Error, "invalid .maps slot initialisation";
    /// `value` type given for a map type whose value size libbpf passes but the kernel requires 0 or 4.
    MapValueTypeIgnored = "BPFC-M023", Warning, "value type on a map type without values";
    /// Symbol and VAR counts of `.maps` differ (cilium/ebpf refuses).
    MapsSymbolCount = "BPFC-M024", Warning, ".maps symbols and BTF VARs differ";
    /// Two maps with the same name.
    MapDuplicateName = "BPFC-M025", Error, "duplicate map name";
    /// The same `.maps` variable is defined differently in objects linked together.
    LinkMapMismatch = "BPFC-M027", Error, "map definitions differ between linked objects";
    /// `__ulong` (enum-encoded) attribute: libbpf before 1.4 refuses it.
    MapUlongNeedsNewLibbpf = "BPFC-M026", Note, "__ulong needs libbpf 1.4+";

    /// The map type number is not one the kernel defines.
    KernelUnknownMapType = "BPFC-K001", Error, "unknown map type";
    /// Key size breaks the type's rule.
    KernelKeySize = "BPFC-K002", Error, "key size not accepted for this map type";
    /// Value size breaks the type's rule.
    KernelValueSize = "BPFC-K003", Error, "value size not accepted for this map type";
    /// max_entries breaks the type's rule.
    KernelMaxEntries = "BPFC-K004", Error, "max_entries not accepted for this map type";
    /// A flag the type does not accept, or a forbidden combination.
    KernelFlags = "BPFC-K005", Error, "map flags not accepted";
    /// A flag the type requires is missing.
    KernelRequiredFlag = "BPFC-K006", Error, "required map flag missing";
    /// map_extra set where the kernel forbids it, or out of range.
    KernelMapExtra = "BPFC-K007", Error, "map_extra not accepted";
    /// Map name the kernel refuses (characters).
    KernelMapName = "BPFC-K008", Error, "map name has characters the kernel refuses";
    /// Map name longer than 15 bytes: the kernel sees a truncated name.
    MapNameTruncated = "BPFC-K009", Note, "map name truncated to 15 characters";
    /// Two maps whose kernel-visible (truncated) names collide.
    MapNameCollision = "BPFC-K010", Warning, "maps share a truncated name";
    /// BTF key/value the kernel refuses for this map (size, kind, keyless rule).
    KernelBtf = "BPFC-K011", Error, "key/value BTF not accepted";
    /// Special BTF fields (spin lock, timer, kptr...) in a map type that does not allow them.
    KernelSpecialField = "BPFC-K012", Error, "special BTF field not allowed";
    /// Hash key with padding holes: lookups miss unless padding is zeroed.
    HashKeyPadding = "BPFC-K013", Warning, "hash key has padding holes";
    /// libbpf adjusts max_entries at open/create (ringbuf rounding, perf array CPUs).
    LoaderAdjustsMaxEntries = "BPFC-K014", Note, "loader adjusts max_entries";
    /// A ring buffer size the kernel refuses but libbpf silently rounds up.
    RingbufSizeRounded = "BPFC-K015", Warning, "ring buffer size rounded up by libbpf";
    /// numa_node set without BPF_F_NUMA_NODE: the kernel ignores it.
    NumaNodeIgnored = "BPFC-K016", Note, "numa_node ignored without BPF_F_NUMA_NODE";
    /// Capability needed beyond CAP_BPF (CAP_NET_ADMIN, CAP_SYS_ADMIN).
    KernelCapability = "BPFC-K017", Note, "map type needs extra capability";
    /// The kernel stores different values than requested (LRU rounding, RDONLY_PROG added).
    KernelAdjusts = "BPFC-K018", Note, "kernel adjusts the stored definition";
    /// An array or hash of maps without an inner map definition: the kernel
    /// needs an inner map fd to create it.
    MapInMapWithoutInner = "BPFC-K019", Error, "map-in-map without an inner map definition";
    /// numa_node (with BPF_F_NUMA_NODE) names no online NUMA node of the target.
    KernelNumaNode = "BPFC-K020", Error, "numa_node names no online NUMA node";

    /// Internal map names collide after libbpf's truncation.
    InternalMapNameCollision = "BPFC-D001", Warning, "internal map names collide";
    /// A data section variable has no BTF (libbpf cannot build a skeleton entry).
    DataSectionWithoutBtf = "BPFC-D002", Note, "data section without BTF DATASEC";
    /// A `.kconfig` / `.ksyms` extern libbpf refuses.
    BadExtern = "BPFC-D003", Warning, "extern libbpf cannot resolve";
    /// More than one ARENA map.
    MultipleArenas = "BPFC-D004", Error, "more than one arena map";
    /// `.addr_space.1` data without an ARENA map.
    ArenaDataWithoutArena = "BPFC-D005", Error, "arena data without an arena map";
    /// The ARENA map is smaller than the `.addr_space.1` globals.
    ArenaTooSmall = "BPFC-D007", Error, "arena too small for its globals";
    /// With --host: a strong extern this machine's kernel lacks, or a
    /// kconfig value its C type cannot hold.
    ExternMissingOnHost = "BPFC-D008", Error, "extern not found in this machine's kernel";

    /// A struct_ops section libbpf cannot use.
    StructOpsInvalid = "BPFC-S001", Error, "invalid struct_ops definition";
    /// A plain `.struct_ops` section: cilium/ebpf only supports `.struct_ops.link`.
    StructOpsNotLink = "BPFC-S002", Note, "struct_ops without link";
    /// With --host: the struct_ops type is not in this machine's kernel.
    StructOpsNotInKernel = "BPFC-S003", Error, "struct_ops type not in this machine's kernel";

    /// A static function in a section other than `.text`.
    StaticProgram = "BPFC-P001", Warning, "static program outside .text";
    /// Program symbol outside its section or misaligned.
    CorruptedProgram = "BPFC-P002", Error, "corrupted program";
    /// Section name matches no libbpf SEC() convention.
    UnknownProgramSection = "BPFC-P003", Warning, "program section not recognised by libbpf";
    /// A relocation libbpf refuses.
    BadRelocation = "BPFC-P004", Error, "relocation libbpf refuses";
    /// A BTF-attach section (fentry, lsm...) without a target.
    MissingAttachTarget = "BPFC-P005", Note, "attach target not in section name";
    /// Executable section whose size is not a multiple of 8.
    ExecutableSize = "BPFC-P006", Error, "executable section size not a multiple of 8";
    /// Executable section without any function symbol.
    ExecutableWithoutPrograms = "BPFC-P007", Warning, "executable section without programs";
    /// A program name with characters `BPF_PROG_LOAD` refuses.
    ProgramName = "BPFC-P008", Error, "program name the kernel refuses";

    /// `.BTF` does not parse.
    BtfUnreadable = "BPFC-T001", Error, "BTF unreadable";
    /// `.BTF.ext` does not parse; libbpf ignores it.
    BtfExtUnreadable = "BPFC-T002", Warning, ".BTF.ext unreadable";
    /// libbpf's open-time BTF fix-up fails (DATASEC without section, VAR without symbol).
    BtfFixup = "BPFC-T003", Error, "BTF fix-up fails";
    /// The kernel's BTF rules refuse the fixed-up `.BTF` (`bpfc check --btf`, `bpfc inspect`).
    BtfKernelRefuses = "BPFC-T004", Warning, "kernel refuses the object's BTF";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} used twice");
            assert!(s.starts_with("BPFC-") && s.len() == 9, "{s}");
            assert!(!c.title().is_empty());
        }
    }
}
