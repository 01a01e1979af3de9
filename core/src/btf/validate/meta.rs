//! Each type on its own: the kernel's `btf_check_meta` and the per-kind
//! `check_meta` callbacks, in their order, one finding per type at most.

use super::finding::{Code, Finding, Severity};
use super::header::BTF_MAX_NAME_OFFSET;
use super::names::{self, NameCheck};
use super::{record_at, Checker, State, MAX_KEPT_TYPE_ID};
use crate::btf::{BtfError, Kind, Type, BTF_MAX_TYPE, TYPE_HEADER_LEN};
use crate::bytes::Endian;

/// Bits of `btf_type.info` the kernel allows (vlen 0..=15, kind 24..=28,
/// kind_flag 31).
const INFO_MASK: u32 = 0x9f00_ffff;
/// Bits of the INT word the kernel allows.
const INT_MASK: u32 = 0x0fff_ffff;

type Stop = Result<(), ()>;

/// The header of the type being checked, read once: the checks consult
/// its fields many times, and each `Type` accessor reads (and byte-swaps)
/// its word again.
#[derive(Clone, Copy)]
struct Head {
    name_off: u32,
    info: u32,
    kind: Kind,
    vlen: u32,
    kflag: bool,
    /// The third word: a size or a type id, by kind.
    word: u32,
}

impl Head {
    /// The header's three words, read with one bounds check (every walked
    /// type has its 12 header bytes).
    #[inline]
    fn of(t: &Type<'_>) -> Head {
        let e = t.endian();
        let [n0, n1, n2, n3, i0, i1, i2, i3, w0, w1, w2, w3] = match t.raw().first_chunk() {
            Some(&header) => header,
            None => [0; TYPE_HEADER_LEN],
        };
        let info = e.u32([i0, i1, i2, i3]);
        Head {
            name_off: e.u32([n0, n1, n2, n3]),
            info,
            kind: t.kind(),
            vlen: info & 0xffff,
            kflag: info >> 31 != 0,
            word: e.u32([w0, w1, w2, w3]),
        }
    }
}

/// Whether the kernel accepts a referenced type id at this stage.
fn id_in_range(id: u32) -> bool {
    id <= BTF_MAX_TYPE
}

fn roundup_bytes(bits: u32) -> u32 {
    bits / 8 + u32::from(bits % 8 != 0)
}

impl<'a> Checker<'_, 'a> {
    pub(super) fn check_metas(&mut self) {
        let btf = self.btf;
        let mut reported_limit = false;
        for t in btf.types() {
            let h = Head::of(&t);
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
            // What references to the type need, kept for every type
            // (valid or not) like the kernel keeps every header.
            self.slots.set_header(t.id(), h.kind, h.word);
            self.compat.saw_type(t.id(), h.kind, h.vlen, h.kflag);
            if self.check_meta(&t, h).is_err() {
                self.slots.set_state(t.id(), State::Failed);
            }
        }
    }

    #[inline]
    fn check_meta(&mut self, t: &Type<'a>, h: Head) -> Stop {
        if h.info & !INFO_MASK != 0 {
            return self.fail(
                t,
                4,
                Code::InvalidBtfInfo,
                format!("Invalid btf_info:{:x}", h.info),
                "bits 16-23 and 29-30 of info are reserved and must be zero",
            );
        }
        if !self.name_offset_ok(h.name_off) {
            return self.fail(
                t,
                0,
                Code::InvalidNameOffset,
                format!("Invalid name_offset:{}", h.name_off),
                "the name offset lies outside the string section",
            );
        }
        match h.kind {
            Kind::Int => self.meta_int(t, h),
            Kind::Ptr
            | Kind::Typedef
            | Kind::Volatile
            | Kind::Const
            | Kind::Restrict
            | Kind::TypeTag => self.meta_ref(t, h),
            Kind::Fwd => self.meta_fwd(t, h),
            Kind::Array => self.meta_array(t, h),
            Kind::Struct | Kind::Union => self.meta_struct(t, h),
            Kind::Enum | Kind::Enum64 => self.meta_enum(t, h),
            Kind::FuncProto => self.meta_func_proto(t, h),
            Kind::Func => self.meta_func(t, h),
            Kind::Var => self.meta_var(t, h),
            Kind::Datasec => self.meta_datasec(t, h),
            Kind::Float => self.meta_float(t, h),
            Kind::DeclTag => self.meta_decl_tag(t, h),
        }
    }

    /// Records a finding for `t` and stops checking it.
    #[cold]
    #[inline(never)]
    fn fail(
        &mut self,
        t: &Type<'_>,
        within: u64,
        code: Code,
        message: impl Into<String>,
        note: impl Into<String>,
    ) -> Stop {
        self.report(t, within, code, message, note);
        Err(())
    }

    /// `btf_name_offset_valid`.
    #[inline]
    pub(super) fn name_offset_ok(&self, off: u32) -> bool {
        off <= BTF_MAX_NAME_OFFSET && off < self.str_end
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
    /// Nearly every name is one the string pass already found plain.
    #[inline]
    pub(super) fn identifier(&mut self, t: &Type<'_>, off: u32, allow_dot_on_old: bool) -> bool {
        self.plain_names.contains(off) || self.identifier_slow(t, off, allow_dot_on_old)
    }

    #[cold]
    fn identifier_slow(&mut self, t: &Type<'_>, off: u32, allow_dot_on_old: bool) -> bool {
        let check = match off.checked_sub(self.btf.first_str_off()) {
            Some(o) => {
                names::identifier_in(self.btf.string_section().get(o as usize..).unwrap_or(&[]))
            }
            None => names::identifier(self.name_bytes(off)),
        };
        self.tally_name(t, check, allow_dot_on_old);
        if check.valid && !check.has_dot && !check.too_long_for_old {
            self.plain_names.insert(off);
        }
        check.valid
    }

    fn tally_name(&mut self, t: &Type<'_>, check: NameCheck, allow_dot_on_old: bool) {
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

    #[inline]
    fn no_vlen(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if h.vlen != 0 {
            return self.fail(
                t,
                4,
                Code::VlenNotZero,
                "vlen != 0",
                format!(
                    "a {} has no trailing records, but vlen is {}",
                    h.kind, h.vlen
                ),
            );
        }
        Ok(())
    }

    #[inline]
    fn no_kflag(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if h.kflag {
            return self.fail(
                t,
                4,
                Code::InvalidKindFlag,
                "Invalid btf_info kind_flag",
                format!("kind_flag has no meaning for {} and must be 0", h.kind),
            );
        }
        Ok(())
    }

    fn invalid_name(&mut self, t: &Type<'_>, within: u64, note: impl Into<String>) -> Stop {
        self.fail(t, within, Code::InvalidName, "Invalid name", note)
    }

    #[inline]
    fn meta_int(&mut self, t: &Type<'_>, h: Head) -> Stop {
        self.no_vlen(t, h)?;
        self.no_kflag(t, h)?;
        let data = t.int_raw().unwrap_or(0);
        // Kept for the members and arrays of this INT (read only if the
        // INT passes, as references to a failed type go no further).
        self.slots.set_aux(t.id(), data);
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
        if roundup_bytes(bits + offset) > h.word {
            return self.fail(
                t,
                12,
                Code::IntBitsExceedSize,
                "nr_bits exceeds type_size",
                format!(
                    "bits_offset {offset} + nr_bits {bits} do not fit in {} bytes",
                    h.word
                ),
            );
        }
        if !matches!(encoding, 0 | 1 | 2 | 4) {
            return self.fail(t, 12, Code::UnsupportedIntEncoding, "Unsupported encoding", format!("encoding {encoding:#x} combines SIGNED, CHAR and BOOL; at most one is allowed (the kernel answers ENOTSUPP)"));
        }
        Ok(())
    }

    /// PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG.
    #[inline]
    fn meta_ref(&mut self, t: &Type<'_>, h: Head) -> Stop {
        let kind = h.kind;
        self.no_vlen(t, h)?;
        if kind != Kind::TypeTag {
            self.no_kflag(t, h)?;
        }
        if !id_in_range(h.word) {
            return self.fail(
                t,
                8,
                Code::InvalidTypeId,
                "Invalid type_id",
                format!("type id {} is above BTF_MAX_TYPE", h.word),
            );
        }
        match kind {
            Kind::Typedef => {
                if h.name_off == 0 || !self.identifier(t, h.name_off, false) {
                    return self.invalid_name(t, 0, "a TYPEDEF needs a C identifier as its name");
                }
            }
            Kind::TypeTag => {
                if self.name_bytes(h.name_off).is_empty() {
                    return self.invalid_name(
                        t,
                        0,
                        "a TYPE_TAG needs a non-empty tag value as its name",
                    );
                }
            }
            _ => {
                if h.name_off != 0 {
                    return self.invalid_name(
                        t,
                        0,
                        format!("a {kind} has no name, but name_off is {}", h.name_off),
                    );
                }
            }
        }
        Ok(())
    }

    #[inline]
    fn meta_fwd(&mut self, t: &Type<'_>, h: Head) -> Stop {
        self.no_vlen(t, h)?;
        if h.word != 0 {
            return self.fail(
                t,
                8,
                Code::FwdTypeNotZero,
                "type != 0",
                "the size/type word of a FWD must be 0",
            );
        }
        if h.name_off == 0 || !self.identifier(t, h.name_off, false) {
            return self.invalid_name(t, 0, "a FWD needs a C identifier as its name");
        }
        Ok(())
    }

    #[inline]
    fn meta_array(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if h.name_off != 0 {
            return self.invalid_name(t, 0, "an ARRAY has no name");
        }
        self.no_vlen(t, h)?;
        self.no_kflag(t, h)?;
        if h.word != 0 {
            return self.fail(
                t,
                8,
                Code::ArraySizeNotZero,
                "size != 0",
                "the size word of an ARRAY must be 0; the size comes from its element type",
            );
        }
        let Some(a) = t.array() else { return Ok(()) };
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

    #[inline]
    fn meta_struct(&mut self, t: &Type<'_>, h: Head) -> Stop {
        let kind = h.kind;
        if h.name_off != 0 && !self.identifier(t, h.name_off, false) {
            return self.invalid_name(
                t,
                0,
                format!("a {kind} name must be empty or a C identifier"),
            );
        }
        let mut last_offset = 0;
        for (i, m) in (0u32..).zip(t.members()) {
            let (name_off, type_id) = (m.name_off, m.type_id);
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
            let offset = m.bit_offset();
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
            if roundup_bytes(offset) > h.word {
                return self.fail(
                    t,
                    at + 8,
                    Code::MemberOffsetPastEnd,
                    "Member bits_offset exceeds its struct size",
                    format!(
                        "member #{i}: bit {offset} lies past the {}-byte {kind}",
                        h.word
                    ),
                );
            }
            last_offset = offset;
        }
        Ok(())
    }

    /// ENUM and ENUM64.
    #[inline]
    fn meta_enum(&mut self, t: &Type<'_>, h: Head) -> Stop {
        let size = h.word;
        if size > 8 || !size.is_power_of_two() {
            return self.fail(
                t,
                8,
                Code::InvalidEnumSize,
                "Unexpected size",
                format!("an enum is 1, 2, 4 or 8 bytes, not {size}"),
            );
        }
        if h.name_off != 0 && !self.identifier(t, h.name_off, false) {
            return self.invalid_name(t, 0, "an enum name must be empty or a C identifier");
        }
        let stride = if h.kind == Kind::Enum { 8 } else { 12 };
        for (i, e) in (0u32..).zip(t.enumerators()) {
            let name_off = e.name_off;
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

    #[inline]
    fn meta_func_proto(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if h.name_off != 0 {
            return self.invalid_name(
                t,
                0,
                "a FUNC_PROTO has no name (the FUNC pointing at it has)",
            );
        }
        self.no_kflag(t, h)?;
        // What a FUNC pointing here is refused for (`btf_func_check`),
        // found once for all the FUNCs that share this prototype.
        let unnamed = t.params().any(|p| p.name_off == 0 && p.type_id != 0);
        self.slots.set_unnamed_param(t.id(), unnamed);
        Ok(())
    }

    #[inline]
    fn meta_func(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if h.name_off == 0 || !self.identifier(t, h.name_off, false) {
            return self.invalid_name(t, 0, "a FUNC needs a C identifier as its name");
        }
        if h.vlen > 1 {
            let what = if h.vlen == 2 {
                "extern (2)".to_string()
            } else {
                h.vlen.to_string()
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
        self.no_kflag(t, h)
    }

    #[inline]
    fn meta_var(&mut self, t: &Type<'_>, h: Head) -> Stop {
        self.no_vlen(t, h)?;
        self.no_kflag(t, h)?;
        if h.name_off == 0 || !self.identifier(t, h.name_off, true) {
            return self.invalid_name(t, 0, "a VAR needs a C identifier as its name");
        }
        if h.word == 0 || !id_in_range(h.word) {
            return self.fail(
                t,
                8,
                Code::InvalidTypeId,
                "Invalid type_id",
                "a variable cannot be void or above BTF_MAX_TYPE",
            );
        }
        let linkage = t.var_linkage().unwrap_or(0);
        if linkage > 1 {
            return self.fail(t, 12, Code::UnsupportedVarLinkage, "Linkage not supported", format!("linkage {linkage}: the kernel only loads static (0) and global allocated (1) variables, not extern (2)"));
        }
        Ok(())
    }

    fn meta_datasec(&mut self, t: &Type<'_>, h: Head) -> Stop {
        let size = h.word;
        if size == 0 {
            return self.fail(
                t,
                8,
                Code::DatasecSizeZero,
                "size == 0",
                "a DATASEC needs its section size (loaders fill it in from the ELF section)",
            );
        }
        self.no_kflag(t, h)?;
        let name = self.name_bytes(h.name_off);
        let check = names::section(name);
        if h.name_off == 0 || !check.valid {
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
        if h.vlen == 0 {
            self.compat.saw(Code::CompatEmptyDatasec, t);
        }
        let mut last_end: u64 = 0;
        let mut sum: u64 = 0;
        for (i, e) in (0u32..).zip(t.datasec_entries()) {
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

    #[inline]
    fn meta_float(&mut self, t: &Type<'_>, h: Head) -> Stop {
        self.no_vlen(t, h)?;
        self.no_kflag(t, h)?;
        if !matches!(h.word, 2 | 4 | 8 | 12 | 16) {
            return self.fail(
                t,
                8,
                Code::InvalidFloatSize,
                "Invalid type_size",
                format!("a FLOAT is 2, 4, 8, 12 or 16 bytes, not {}", h.word),
            );
        }
        Ok(())
    }

    #[inline]
    fn meta_decl_tag(&mut self, t: &Type<'_>, h: Head) -> Stop {
        if self.name_bytes(h.name_off).is_empty() {
            return self.fail(
                t,
                0,
                Code::InvalidDeclTagValue,
                "Invalid value",
                "a DECL_TAG needs a non-empty tag value as its name",
            );
        }
        self.no_vlen(t, h)?;
        let idx = t.decl_tag_component_idx().unwrap_or(0);
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
