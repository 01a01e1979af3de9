//! Each type on its own: the kernel's `btf_check_meta` and the per-kind
//! `check_meta` callbacks, in their order, one finding per type at most.

use super::finding::{Code, Finding, Severity};
use super::header::BTF_MAX_NAME_OFFSET;
use super::names::{self, NameCheck};
use super::view::{record_at, View};
use super::{Checker, State, MAX_KEPT_TYPE_ID};
use crate::btf::{BtfError, Kind, BTF_MAX_TYPE, TYPE_HEADER_LEN};
use crate::bytes::Endian;

/// Bits of `btf_type.info` the kernel allows (vlen 0..=15, kind 24..=28,
/// kind_flag 31).
const INFO_MASK: u32 = 0x9f00_ffff;
/// Bits of the INT word the kernel allows.
const INT_MASK: u32 = 0x0fff_ffff;

type Stop = Result<(), ()>;

/// Whether the kernel accepts a referenced type id at this stage.
fn id_in_range(id: u32) -> bool {
    id <= BTF_MAX_TYPE
}

fn roundup_bytes(bits: u32) -> u32 {
    bits / 8 + u32::from(bits % 8 != 0)
}

impl Checker<'_, '_> {
    pub(super) fn check_metas(&mut self) {
        let btf = self.btf;
        let mut reported_limit = false;
        // Walk the type section (the reader already checked that every type
        // and its records fit), noting where each type starts.
        let mut pos: u32 = 0;
        for id in btf.first_id()..=btf.last_id() {
            self.slots[id as usize].offset = pos;
            let t = View::at(self.types, id, pos, self.big_endian);
            pos += TYPE_HEADER_LEN as u32 + t.kind().trailing_len(t.vlen()) as u32;
            if t.id() > MAX_KEPT_TYPE_ID && !reported_limit {
                reported_limit = true;
                // Not `report`: the type is dropped, not failed, so what
                // refers to it is still checked (and fails as missing).
                self.advise(
                    &t,
                    0,
                    Severity::Error,
                    Code::TooManyTypes,
                    "Exceeded max num of types",
                    format!(
                        "the kernel keeps type ids up to {MAX_KEPT_TYPE_ID} and silently drops this and the {} types after it (older kernels refuse the blob with E2BIG)",
                        btf.last_id() - t.id()
                    ),
                );
            }
            if self.check_meta(&t).is_err() {
                self.slots[t.id() as usize].state = State::Failed;
            }
        }
    }

    fn check_meta(&mut self, t: &View<'_>) -> Stop {
        let info = t.info();
        if info & !INFO_MASK != 0 {
            return self.fail(
                t,
                4,
                Code::InvalidBtfInfo,
                format!("Invalid btf_info:{info:x}"),
                "bits 16-23 and 29-30 of info are reserved and must be zero",
            );
        }
        if !self.name_offset_ok(t.name_off()) {
            return self.fail(
                t,
                0,
                Code::InvalidNameOffset,
                format!("Invalid name_offset:{}", t.name_off()),
                "the name offset lies outside the string section",
            );
        }
        match t.kind() {
            Kind::Int => self.meta_int(t),
            Kind::Ptr
            | Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::TypeTag => self.meta_ref(t),
            Kind::Fwd => self.meta_fwd(t),
            Kind::Array => self.meta_array(t),
            Kind::Struct | Kind::Union => self.meta_struct(t),
            Kind::Enum | Kind::Enum64 => self.meta_enum(t),
            Kind::FuncProto => self.meta_func_proto(t),
            Kind::Func => self.meta_func(t),
            Kind::Var => self.meta_var(t),
            Kind::Datasec => self.meta_datasec(t),
            Kind::Float => self.meta_float(t),
            Kind::DeclTag => self.meta_decl_tag(t),
        }
    }

    /// Records a finding for `t` and stops checking it.
    fn fail(
        &mut self,
        t: &View<'_>,
        within: u64,
        code: Code,
        message: impl Into<String>,
        note: impl Into<String>,
    ) -> Stop {
        self.report(t, within, code, message, note);
        Err(())
    }

    /// `btf_name_offset_valid`.
    pub(super) fn name_offset_ok(&self, off: u32) -> bool {
        off <= BTF_MAX_NAME_OFFSET && off < self.btf.first_str_off() + self.btf.header().str_len
    }

    /// The string at `off` without its NUL (empty when out of range).
    fn name_bytes(&self, off: u32) -> &[u8] {
        match off.checked_sub(self.btf.first_str_off()) {
            // CStr finds the NUL a word at a time.
            Some(local) => self
                .btf
                .string_section()
                .get(local as usize..)
                .and_then(|s| std::ffi::CStr::from_bytes_until_nul(s).ok())
                .map_or(&[], |s| s.to_bytes()),
            None => self.btf.str_bytes(off).unwrap_or(&[]),
        }
    }

    /// `btf_name_valid_identifier`, noting what older kernels would say.
    pub(super) fn identifier(&mut self, t: &View<'_>, off: u32, allow_dot_on_old: bool) -> bool {
        // Offsets into this blob's own strings can be memoised.
        let local = off
            .checked_sub(self.btf.first_str_off())
            .map(|o| o as usize);
        if let Some(o) = local {
            if self
                .plain_names
                .get(o / 64)
                .is_some_and(|w| w & (1 << (o % 64)) != 0)
            {
                return true;
            }
        }
        let check = match local {
            Some(o) => names::identifier_in(self.btf.string_section().get(o..).unwrap_or(&[])),
            None => names::identifier(self.name_bytes(off)),
        };
        self.tally_name(t, check, allow_dot_on_old);
        if check.valid && !check.has_dot && !check.too_long_for_old {
            if let Some(w) = local.and_then(|o| self.plain_names.get_mut(o / 64)) {
                *w |= 1 << (local.unwrap_or(0) % 64);
            }
        }
        check.valid
    }

    fn tally_name(&mut self, t: &View<'_>, check: NameCheck, allow_dot_on_old: bool) {
        if !check.valid {
            return;
        }
        if check.has_dot && !allow_dot_on_old {
            self.compat.saw(Code::CompatDotInName, t);
        }
        if check.too_long_for_old {
            self.compat.saw(Code::CompatLongName, t);
        }
    }

    fn no_vlen(&mut self, t: &View<'_>) -> Stop {
        if t.vlen() != 0 {
            return self.fail(
                t,
                4,
                Code::VlenNotZero,
                "vlen != 0",
                format!(
                    "a {} has no trailing records, but vlen is {}",
                    t.kind(),
                    t.vlen()
                ),
            );
        }
        Ok(())
    }

    fn no_kflag(&mut self, t: &View<'_>) -> Stop {
        if t.kflag() {
            return self.fail(
                t,
                4,
                Code::InvalidKindFlag,
                "Invalid btf_info kind_flag",
                format!("kind_flag has no meaning for {} and must be 0", t.kind()),
            );
        }
        Ok(())
    }

    fn invalid_name(&mut self, t: &View<'_>, within: u64, note: impl Into<String>) -> Stop {
        self.fail(t, within, Code::InvalidName, "Invalid name", note)
    }

    fn meta_int(&mut self, t: &View<'_>) -> Stop {
        self.no_vlen(t)?;
        self.no_kflag(t)?;
        let data = t.extra();
        if data & !INT_MASK != 0 {
            return self.fail(
                t,
                12,
                Code::InvalidIntData,
                format!("Invalid int_data:{data:x}"),
                "bits 28-31 of the INT word are reserved",
            );
        }
        let bits = data & 0xff;
        let offset = (data >> 16) & 0xff;
        let encoding = (data >> 24) & 0x0f;
        if bits + offset > 128 {
            return self.fail(
                t,
                12,
                Code::IntBitsExceed128,
                "nr_bits exceeds 128",
                format!("bits_offset {offset} + nr_bits {bits} is more than 128"),
            );
        }
        if roundup_bytes(bits + offset) > t.size() {
            return self.fail(
                t,
                12,
                Code::IntBitsExceedSize,
                "nr_bits exceeds type_size",
                format!(
                    "bits_offset {offset} + nr_bits {bits} do not fit in {} bytes",
                    t.size()
                ),
            );
        }
        if !matches!(encoding, 0 | 1 | 2 | 4) {
            return self.fail(t, 12, Code::UnsupportedIntEncoding, "Unsupported encoding", format!("encoding {encoding:#x} combines SIGNED, CHAR and BOOL; at most one is allowed (the kernel answers ENOTSUPP)"));
        }
        Ok(())
    }

    /// PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG.
    fn meta_ref(&mut self, t: &View<'_>) -> Stop {
        let kind = t.kind();
        self.no_vlen(t)?;
        if kind != Kind::TypeTag {
            self.no_kflag(t)?;
        }
        if !id_in_range(t.type_id()) {
            return self.fail(
                t,
                8,
                Code::InvalidTypeId,
                "Invalid type_id",
                format!("type id {} is above BTF_MAX_TYPE", t.type_id()),
            );
        }
        match kind {
            Kind::Typedef => {
                if t.name_off() == 0 || !self.identifier(t, t.name_off(), false) {
                    return self.invalid_name(t, 0, "a TYPEDEF needs a C identifier as its name");
                }
            }
            Kind::TypeTag => {
                if self.name_bytes(t.name_off()).is_empty() {
                    return self.invalid_name(
                        t,
                        0,
                        "a TYPE_TAG needs a non-empty tag value as its name",
                    );
                }
            }
            _ => {
                if t.name_off() != 0 {
                    return self.invalid_name(
                        t,
                        0,
                        format!("a {kind} has no name, but name_off is {}", t.name_off()),
                    );
                }
            }
        }
        Ok(())
    }

    fn meta_fwd(&mut self, t: &View<'_>) -> Stop {
        self.no_vlen(t)?;
        if t.type_id() != 0 {
            return self.fail(
                t,
                8,
                Code::FwdTypeNotZero,
                "type != 0",
                "the size/type word of a FWD must be 0",
            );
        }
        if t.name_off() == 0 || !self.identifier(t, t.name_off(), false) {
            return self.invalid_name(t, 0, "a FWD needs a C identifier as its name");
        }
        Ok(())
    }

    fn meta_array(&mut self, t: &View<'_>) -> Stop {
        if t.name_off() != 0 {
            return self.invalid_name(t, 0, "an ARRAY has no name");
        }
        self.no_vlen(t)?;
        self.no_kflag(t)?;
        if t.size() != 0 {
            return self.fail(
                t,
                8,
                Code::ArraySizeNotZero,
                "size != 0",
                "the size word of an ARRAY must be 0; the size comes from its element type",
            );
        }
        let a = t.array();
        if a.elem_type == 0 || !id_in_range(a.elem_type) {
            return self.fail(
                t,
                12,
                Code::InvalidArrayElem,
                "Invalid elem",
                "the element type may not be void or above BTF_MAX_TYPE",
            );
        }
        if a.index_type == 0 || !id_in_range(a.index_type) {
            return self.fail(
                t,
                16,
                Code::InvalidArrayIndex,
                "Invalid index",
                "the index type may not be void or above BTF_MAX_TYPE",
            );
        }
        Ok(())
    }

    fn meta_struct(&mut self, t: &View<'_>) -> Stop {
        let kind = t.kind();
        if t.name_off() != 0 && !self.identifier(t, t.name_off(), false) {
            return self.invalid_name(
                t,
                0,
                format!("a {kind} name must be empty or a C identifier"),
            );
        }
        let mut last_offset = 0;
        for i in 0..t.vlen() {
            let (name_off, type_id, raw_offset) = t.member(i);
            let at = record_at(i, 12);
            if !self.name_offset_ok(name_off) {
                return self.fail(
                    t,
                    at,
                    Code::InvalidMemberNameOffset,
                    format!("Invalid member name_offset:{}", name_off),
                    format!("member #{i}: the name offset lies outside the string section"),
                );
            }
            if name_off != 0 && !self.identifier(t, name_off, false) {
                let name = self.name_of(name_off);
                return self.invalid_name(
                    t,
                    at,
                    format!("member #{i} '{name}': member names must be empty or C identifiers"),
                );
            }
            if type_id == 0 || !id_in_range(type_id) {
                return self.fail(
                    t,
                    at + 4,
                    Code::InvalidTypeId,
                    "Invalid type_id",
                    format!("member #{i}: a member cannot be void or above BTF_MAX_TYPE"),
                );
            }
            let offset = if t.kflag() {
                raw_offset & 0x00ff_ffff
            } else {
                raw_offset
            };
            if kind == Kind::Union && offset != 0 {
                return self.fail(
                    t,
                    at + 8,
                    Code::InvalidMemberBitsOffset,
                    "Invalid member bits_offset",
                    format!("member #{i}: union members start at bit 0, not {offset}"),
                );
            }
            if last_offset > offset {
                return self.fail(t, at + 8, Code::InvalidMemberBitsOffset, "Invalid member bits_offset", format!("member #{i}: offset {offset} is before the previous member's {last_offset}; members must be in offset order"));
            }
            if roundup_bytes(offset) > t.size() {
                return self.fail(
                    t,
                    at + 8,
                    Code::MemberOffsetPastEnd,
                    "Member bits_offset exceeds its struct size",
                    format!(
                        "member #{i}: bit {offset} lies past the {}-byte {kind}",
                        t.size()
                    ),
                );
            }
            last_offset = offset;
        }
        Ok(())
    }

    /// ENUM and ENUM64.
    fn meta_enum(&mut self, t: &View<'_>) -> Stop {
        let size = t.size();
        if size > 8 || !size.is_power_of_two() {
            return self.fail(
                t,
                8,
                Code::InvalidEnumSize,
                "Unexpected size",
                format!("an enum is 1, 2, 4 or 8 bytes, not {size}"),
            );
        }
        if t.name_off() != 0 && !self.identifier(t, t.name_off(), false) {
            return self.invalid_name(t, 0, "an enum name must be empty or a C identifier");
        }
        let stride = t.enum_stride();
        for i in 0..t.vlen() {
            let name_off = t.enumerator_name(i);
            let at = record_at(i, stride);
            if !self.name_offset_ok(name_off) {
                return self.fail(
                    t,
                    at,
                    Code::InvalidEnumeratorNameOffset,
                    format!("Invalid name_offset:{}", name_off),
                    format!("enumerator #{i}: the name offset lies outside the string section"),
                );
            }
            if name_off == 0 || !self.identifier(t, name_off, false) {
                return self.invalid_name(
                    t,
                    at,
                    format!("enumerator #{i}: enumerators need C identifiers as names"),
                );
            }
        }
        Ok(())
    }

    fn meta_func_proto(&mut self, t: &View<'_>) -> Stop {
        if t.name_off() != 0 {
            return self.invalid_name(
                t,
                0,
                "a FUNC_PROTO has no name (the FUNC pointing at it has)",
            );
        }
        self.no_kflag(t)
    }

    fn meta_func(&mut self, t: &View<'_>) -> Stop {
        if t.name_off() == 0 || !self.identifier(t, t.name_off(), false) {
            return self.invalid_name(t, 0, "a FUNC needs a C identifier as its name");
        }
        if t.vlen() > 1 {
            let what = if t.vlen() == 2 {
                "extern (2)".to_string()
            } else {
                t.vlen().to_string()
            };
            return self.fail(
                t,
                4,
                Code::InvalidFuncLinkage,
                "Invalid func linkage",
                format!(
                    "linkage {what}: the kernel only loads static (0) and global (1) functions"
                ),
            );
        }
        self.no_kflag(t)
    }

    fn meta_var(&mut self, t: &View<'_>) -> Stop {
        self.no_vlen(t)?;
        self.no_kflag(t)?;
        if t.name_off() == 0 || !self.identifier(t, t.name_off(), true) {
            return self.invalid_name(t, 0, "a VAR needs a C identifier as its name");
        }
        if t.type_id() == 0 || !id_in_range(t.type_id()) {
            return self.fail(
                t,
                8,
                Code::InvalidTypeId,
                "Invalid type_id",
                "a variable cannot be void or above BTF_MAX_TYPE",
            );
        }
        let linkage = t.extra();
        if linkage > 1 {
            return self.fail(t, 12, Code::UnsupportedVarLinkage, "Linkage not supported", format!("linkage {linkage}: the kernel only loads static (0) and global allocated (1) variables, not extern (2)"));
        }
        Ok(())
    }

    fn meta_datasec(&mut self, t: &View<'_>) -> Stop {
        let size = t.size();
        if size == 0 {
            return self.fail(
                t,
                8,
                Code::DatasecSizeZero,
                "size == 0",
                "a DATASEC needs its section size (loaders fill it in from the ELF section)",
            );
        }
        self.no_kflag(t)?;
        let name = self.name_bytes(t.name_off());
        let check = names::section(name);
        if t.name_off() == 0 || !check.valid {
            return self.invalid_name(
                t,
                0,
                "a DATASEC needs a non-empty name of printable characters",
            );
        }
        if !names::old_section_rule(name) {
            self.compat.saw(Code::CompatDatasecName, t);
        } else if check.too_long_for_old {
            self.compat.saw(Code::CompatLongName, t);
        }
        if t.vlen() == 0 {
            self.compat.saw(Code::CompatEmptyDatasec, t);
        }
        let mut last_end: u64 = 0;
        let mut sum: u64 = 0;
        for i in 0..t.vlen() {
            let e = t.entry(i);
            let at = record_at(i, 12);
            if e.type_id == 0 || !id_in_range(e.type_id) {
                return self.fail(
                    t,
                    at,
                    Code::InvalidTypeId,
                    "Invalid type_id",
                    format!(
                        "entry #{i}: the variable's type id cannot be void or above BTF_MAX_TYPE"
                    ),
                );
            }
            if u64::from(e.offset) < last_end || e.offset >= size {
                return self.fail(t, at + 4, Code::InvalidDatasecOffset, "Invalid offset", format!("entry #{i}: offset {} overlaps the previous entry (which ends at {last_end}) or lies outside the {size}-byte section; entries must be sorted and disjoint", e.offset));
            }
            if e.size == 0 || e.size > size {
                return self.fail(
                    t,
                    at + 8,
                    Code::InvalidDatasecEntrySize,
                    "Invalid size",
                    format!(
                        "entry #{i}: size {} is 0 or larger than the {size}-byte section",
                        e.size
                    ),
                );
            }
            last_end = u64::from(e.offset) + u64::from(e.size);
            if last_end > u64::from(size) {
                return self.fail(
                    t,
                    at + 4,
                    Code::DatasecEntryPastEnd,
                    "Invalid offset+size",
                    format!(
                        "entry #{i}: bytes {}..{last_end} run past the {size}-byte section",
                        e.offset
                    ),
                );
            }
            sum += u64::from(e.size);
        }
        if u64::from(size) < sum {
            return self.fail(
                t,
                8,
                Code::DatasecEntriesTooLarge,
                "Invalid btf_info size",
                format!("the entries total {sum} bytes, more than the {size}-byte section"),
            );
        }
        Ok(())
    }

    fn meta_float(&mut self, t: &View<'_>) -> Stop {
        self.no_vlen(t)?;
        self.no_kflag(t)?;
        if !matches!(t.size(), 2 | 4 | 8 | 12 | 16) {
            return self.fail(
                t,
                8,
                Code::InvalidFloatSize,
                "Invalid type_size",
                format!("a FLOAT is 2, 4, 8, 12 or 16 bytes, not {}", t.size()),
            );
        }
        Ok(())
    }

    fn meta_decl_tag(&mut self, t: &View<'_>) -> Stop {
        if self.name_bytes(t.name_off()).is_empty() {
            return self.fail(
                t,
                0,
                Code::InvalidDeclTagValue,
                "Invalid value",
                "a DECL_TAG needs a non-empty tag value as its name",
            );
        }
        self.no_vlen(t)?;
        let idx = t.extra() as i32;
        if idx < -1 {
            return self.fail(
                t,
                12,
                Code::InvalidComponentIdx,
                "Invalid component_idx",
                format!(
                    "component_idx {idx}: -1 tags the whole declaration, 0.. a member or parameter"
                ),
            );
        }
        Ok(())
    }
}

/// Turns a reader error on a blob whose header passed into the finding the
/// kernel's log would give for the same bytes.
pub(super) fn unreadable(data: &[u8], endian: Endian, e: &BtfError) -> Finding {
    let base = Finding {
        code: Code::Unreadable,
        severity: Severity::Error,
        message: e.to_string(),
        type_id: None,
        kind: None,
        offset: None,
        note: String::new(),
    };
    let (id, offset) = match *e {
        BtfError::UnknownKind { id, offset, .. } | BtfError::TypeTruncated { id, offset, .. } => {
            (id, offset)
        }
        _ => return base,
    };
    // The header passed, so these reads are in range.
    let hdr_len = endian.read_u32(data, 4).unwrap_or(0) as usize;
    let type_off = endian.read_u32(data, 8).unwrap_or(0) as usize;
    let type_len = endian.read_u32(data, 12).unwrap_or(0) as usize;
    let types = &data
        [(hdr_len + type_off).min(data.len())..(hdr_len + type_off + type_len).min(data.len())];
    let at = (hdr_len + type_off + offset as usize) as u64;
    let left = type_len.saturating_sub(offset as usize);
    let finding = |code, message: String, note: String| Finding {
        code,
        severity: Severity::Error,
        message,
        type_id: Some(id),
        kind: None,
        offset: Some(at),
        note,
    };
    if left < TYPE_HEADER_LEN {
        return finding(
            Code::TypeTruncated,
            format!("meta_left:{left} meta_needed:{TYPE_HEADER_LEN}"),
            format!("only {left} bytes remain for a 12-byte btf_type"),
        );
    }
    let info = endian.read_u32(types, offset as usize + 4).unwrap_or(0);
    if info & !INFO_MASK != 0 {
        return finding(
            Code::InvalidBtfInfo,
            format!("Invalid btf_info:{info:x}"),
            "bits 16-23 and 29-30 of info are reserved and must be zero".into(),
        );
    }
    let kind_num = (info >> 24) & 0x1f;
    let Some(kind) = Kind::from_u32(kind_num) else {
        return finding(
            Code::InvalidKind,
            format!("Invalid kind:{kind_num}"),
            format!("kind {kind_num} does not exist (kinds are 1..=19)"),
        );
    };
    let left = left - TYPE_HEADER_LEN;
    let needed = kind.trailing_len(info & 0xffff);
    let mut f = finding(
        Code::TypeTruncated,
        format!("meta_left:{left} meta_needed:{needed}"),
        format!("the {kind}'s records need {needed} bytes, only {left} remain in the type section"),
    );
    f.kind = Some(kind);
    f
}
