//! Does each member fit its struct? The kernel's `check_member` and
//! `check_kflag_member` callbacks, chosen by the member's type.
//!
//! Without kind_flag the offset word is a bit offset and bitfields are INTs
//! with their own bit offset and size; with kind_flag it is
//! `bitfield_size << 24 | bit_offset`.

use super::finding::Code;
use super::resolve::{int_word_is_regular, member, member_at, Halt, Step};
use super::{class, Checker, Node};
use crate::btf::{Kind, Type};

fn roundup_bytes(bits: u32) -> u32 {
    bits / 8 + u32::from(bits % 8 != 0)
}

impl<'a> Checker<'_, 'a> {
    /// Checks member `i` of `s` (type `ty`, offset word `raw`) whose type is
    /// of kind `mk`. What is needed of the member's type is in its slot.
    #[inline(always)]
    pub(super) fn check_member(
        &mut self,
        s: &Type<'a>,
        i: u32,
        ty: u32,
        raw: u32,
        mk: Kind,
    ) -> Step {
        // A modifier is checked as what it stands for, which always has a
        // size of its own (so this happens once, never again below).
        let (ty, mk) = if class::is_modifier(Some(mk)) {
            match self.id_size(ty) {
                Some((rid, Node::Type(rk), _)) => (rid, rk),
                _ => {
                    self.report(
                        s,
                        member_at(i) + 4,
                        Code::InvalidMember,
                        "Invalid member",
                        format!("member #{i}: its type has no size"),
                    );
                    return Err(Halt::Reported);
                }
            }
        } else {
            (ty, mk)
        };
        let kflag = s.kflag();
        match mk {
            Kind::Int if kflag => self.member_int_kflag(s, i, raw, ty),
            Kind::Int => self.member_int(s, i, raw, ty),
            Kind::Enum | Kind::Enum64 if kflag => self.member_enum_kflag(s, i, raw),
            Kind::Ptr
            | Kind::Array
            | Kind::Struct
            | Kind::Union
            | Kind::Float
            | Kind::Enum
            | Kind::Enum64 => {
                if kflag && raw >> 24 != 0 {
                    return self.member_fail(
                        s,
                        i,
                        Code::InvalidBitfieldSize,
                        "Invalid member bitfield_size",
                        format!("only integer and enum members can be bitfields, not a {mk}"),
                    );
                }
                self.member_plain(s, i, ty, raw, mk)
            }
            k => {
                self.report(
                    s,
                    member_at(i) + 4,
                    Code::UnsupportedMemberType,
                    "Unsupported check_member",
                    format!("member #{i}: a {k} cannot be a member"),
                );
                Err(Halt::Reported)
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn member_fail(
        &mut self,
        s: &Type<'_>,
        i: u32,
        code: Code,
        message: &str,
        note: String,
    ) -> Step {
        let name = self.name_of(member(s, i).name_off);
        self.report(
            s,
            member_at(i) + 8,
            code,
            message,
            format!("member #{i} '{name}': {note}"),
        );
        Err(Halt::Reported)
    }

    #[cold]
    #[inline(never)]
    fn past_end(&mut self, s: &Type<'_>, i: u32, what: String) -> Step {
        let note = format!("{what}, past the end of the {}-byte {}", s.size(), s.kind());
        self.member_fail(
            s,
            i,
            Code::MemberPastStructEnd,
            "Member exceeds struct_size",
            note,
        )
    }

    /// Pointers, arrays, structs, unions, enums and floats: whole bytes
    /// (floats: naturally aligned) that must fit.
    #[inline(always)]
    fn member_plain(&mut self, s: &Type<'_>, i: u32, ty: u32, raw: u32, mk: Kind) -> Step {
        let bytes_offset = raw / 8;
        // The member type's size word (pointers and arrays have none).
        let mt_size = self.slots.word(ty);
        if mk == Kind::Float {
            let align_bits = u64::from(mt_size.min(8)) * 8;
            if u64::from(raw) % align_bits != 0 {
                return self.member_fail(
                    s,
                    i,
                    Code::MemberNotAligned,
                    "Member is not properly aligned",
                    format!("a {mt_size}-byte FLOAT at bit {raw}"),
                );
            }
            if u64::from(bytes_offset) + u64::from(mt_size) > u64::from(s.size()) {
                return self.past_end(
                    s,
                    i,
                    format!(
                        "a {mt_size}-byte FLOAT at byte {bytes_offset} ends at {}",
                        u64::from(bytes_offset) + u64::from(mt_size)
                    ),
                );
            }
            return Ok(());
        }
        if raw % 8 != 0 {
            return self.member_fail(
                s,
                i,
                Code::MemberNotByteAligned,
                "Member is not byte aligned",
                format!("a {mk} at bit {raw}"),
            );
        }
        let size = match mk {
            Kind::Ptr => 8,
            Kind::Array => self.id_size(ty).map_or(0, |(_, _, size)| size),
            _ => mt_size,
        };
        // The kernel subtracts without a guard; the meta check already made
        // sure the offset is inside the struct.
        if s.size().wrapping_sub(bytes_offset) < size {
            return self.past_end(s, i, format!("{size} bytes at byte {bytes_offset}"));
        }
        Ok(())
    }

    /// INT member, offset word is a bit offset; the INT may be a bitfield.
    #[inline(always)]
    fn member_int(&mut self, s: &Type<'_>, i: u32, raw: u32, ty: u32) -> Step {
        let data = self.slots.aux(ty);
        let (int_offset, int_bits) = ((data >> 16) & 0xff, data & 0xff);
        let Some(bit_off) = raw.checked_add(int_offset) else {
            return self.member_fail(
                s,
                i,
                Code::MemberBitsOffsetOverflow,
                "bits_offset exceeds U32_MAX",
                format!("bit {raw} plus the INT's own offset {int_offset}"),
            );
        };
        let bytes_offset = bit_off / 8;
        let copy_bits = int_bits + bit_off % 8;
        if copy_bits > 128 {
            return self.member_fail(
                s,
                i,
                Code::MemberCopyBitsExceed128,
                "nr_copy_bits exceeds 128",
                format!("{int_bits} bits starting at bit {} of a byte", bit_off % 8),
            );
        }
        if s.size() < bytes_offset || s.size() - bytes_offset < roundup_bytes(copy_bits) {
            return self.past_end(s, i, format!("{int_bits} bits at bit {bit_off}"));
        }
        Ok(())
    }

    /// INT member of a kind_flag struct: a whole INT, possibly cut to a
    /// bitfield by the member's own size.
    #[inline(always)]
    fn member_int_kflag(&mut self, s: &Type<'_>, i: u32, raw: u32, ty: u32) -> Step {
        let data = self.slots.aux(ty);
        if !int_word_is_regular(data) {
            return self.member_fail(
                s,
                i,
                Code::InvalidMemberBaseType,
                "Invalid member base type",
                "with kind_flag a bitfield's INT must be a whole u8..u128".into(),
            );
        }
        let int_bits = data & 0xff;
        let bit_off = raw & 0x00ff_ffff;
        let mut bits = raw >> 24;
        if bits == 0 {
            if bit_off % 8 != 0 {
                return self.member_fail(
                    s,
                    i,
                    Code::InvalidMemberOffset,
                    "Invalid member offset",
                    format!("a non-bitfield INT at bit {bit_off}"),
                );
            }
            bits = int_bits;
        } else if bits > int_bits {
            return self.member_fail(
                s,
                i,
                Code::InvalidBitfieldSize,
                "Invalid member bitfield_size",
                format!("a {bits}-bit field of a {int_bits}-bit INT"),
            );
        }
        let bytes_offset = bit_off / 8;
        let copy_bits = bits + bit_off % 8;
        if copy_bits > 128 {
            return self.member_fail(
                s,
                i,
                Code::MemberCopyBitsExceed128,
                "nr_copy_bits exceeds 128",
                format!("{bits} bits starting at bit {} of a byte", bit_off % 8),
            );
        }
        if s.size() < bytes_offset || s.size() - bytes_offset < roundup_bytes(copy_bits) {
            return self.past_end(s, i, format!("{bits} bits at bit {bit_off}"));
        }
        Ok(())
    }

    /// ENUM/ENUM64 member of a kind_flag struct. The kernel measures every
    /// enum, ENUM64 included, as 32 bits here.
    #[inline(always)]
    fn member_enum_kflag(&mut self, s: &Type<'_>, i: u32, raw: u32) -> Step {
        let bit_off = raw & 0x00ff_ffff;
        let mut bits = raw >> 24;
        if bits == 0 {
            if bit_off % 8 != 0 {
                return self.member_fail(
                    s,
                    i,
                    Code::MemberNotByteAligned,
                    "Member is not byte aligned",
                    format!("an enum at bit {bit_off}"),
                );
            }
            bits = 32;
        } else if bits > 32 {
            return self.member_fail(
                s,
                i,
                Code::InvalidBitfieldSize,
                "Invalid member bitfield_size",
                format!("a {bits}-bit enum bitfield (at most 32)"),
            );
        }
        let end = roundup_bytes(bit_off + bits);
        if s.size() < end {
            return self.past_end(s, i, format!("{bits} bits at bit {bit_off}"));
        }
        Ok(())
    }
}
