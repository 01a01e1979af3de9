//! Printing definitions (libbpf's `btf_dump_emit_type` and the
//! `emit_*_def` family): structs with their padding, enums, typedefs and
//! the forward declarations that break pointer cycles.

use std::io;

use super::layout::member_geometry;
use super::state::{type_err, Dumper, Emit};
use crate::btf::{Kind, Type};

/// Arm SIMD typedefs GCC refers to without defining them; aliased to the
/// standard types so the header compiles elsewhere.
/// The widest gap we fill with padding: 16 MiB, the kernel's limit on a
/// whole BTF blob (`BTF_MAX_SIZE`). Real types stay far below (vmlinux's
/// widest gap is a 4 KiB page alignment); a larger one comes from a corrupt
/// size and would print millions of `long: 64;` lines.
const MAX_PADDING_BITS: u64 = 16 * 1024 * 1024 * 8;

const MISSING_BASE_TYPES: [(&[u8], &[u8]); 4] = [
    (b"__Poly8_t", b"unsigned char"),
    (b"__Poly16_t", b"unsigned short"),
    (b"__Poly64_t", b"unsigned long long"),
    (b"__Poly128_t", b"unsigned __int128"),
];

impl<'b, 'a> Dumper<'b, 'a> {
    /// Emits type `id` and, first, whatever it needs declared. `cont_id` is
    /// the named aggregate being defined around it (0 at top level), which
    /// needs no forward declaration of itself.
    pub fn emit_type(&mut self, id: u32, cont_id: u32) -> io::Result<()> {
        let emit = self.state(id).emit;
        if emit == Emit::Emitted {
            return Ok(());
        }
        let t = self.ty(id)?;
        if emit == Emit::Emitting {
            return self.emit_while_emitting(id, &t, cont_id);
        }
        self.enter(id)?;
        self.emit_kind(id, &t, cont_id)?;
        self.leave();
        Ok(())
    }

    /// `id` is met again while its own definition is being prepared: only a
    /// pointer can lead here, so a forward declaration is enough.
    fn emit_while_emitting(&mut self, id: u32, t: &Type<'a>, cont_id: u32) -> io::Result<()> {
        if self.state(id).fwd_emitted {
            return Ok(());
        }
        match t.kind() {
            Kind::Struct | Kind::Union => {
                // Inside its own definition a struct may point to itself,
                // and an anonymous loop has nothing to declare (libbpf
                // warns and carries on).
                if id == cont_id || t.name_off() == 0 {
                    return Ok(());
                }
                self.emit_struct_fwd(id, t)?;
                self.put(b";\n\n");
                self.state(id).fwd_emitted = true;
            }
            Kind::Typedef => {
                // The typedef itself serves as the declaration; it is only
                // good for pointers until its target is defined.
                if !self.is_builtin_va_list(t)? {
                    self.emit_typedef_def(id, t, 0)?;
                    self.put(b";\n\n");
                }
                self.state(id).fwd_emitted = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn emit_kind(&mut self, id: u32, t: &Type<'a>, cont_id: u32) -> io::Result<()> {
        let top_level = cont_id == 0;
        match t.kind() {
            Kind::Int => {
                self.emit_missing_alias(id)?;
                self.state(id).emit = Emit::Emitted;
            }
            Kind::Enum | Kind::Enum64 => {
                if top_level {
                    self.emit_enum_def(id, t, 0)?;
                    self.put(b";\n\n");
                }
                self.state(id).emit = Emit::Emitted;
            }
            Kind::Ptr | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.emit_type(t.type_id(), cont_id)?;
            }
            Kind::Array => {
                let elem = t.array().expect("kind checked").elem_type;
                self.emit_type(elem, cont_id)?;
            }
            Kind::Fwd => {
                self.emit_fwd_def(id, t)?;
                self.put(b";\n\n");
                self.state(id).emit = Emit::Emitted;
            }
            Kind::Typedef => {
                self.state(id).emit = Emit::Emitting;
                self.emit_type(t.type_id(), id)?;
                // Unless a pointer cycle already forced the typedef out.
                if !self.state(id).fwd_emitted && !self.is_builtin_va_list(t)? {
                    self.emit_typedef_def(id, t, 0)?;
                    self.put(b";\n\n");
                }
                self.state(id).emit = Emit::Emitted;
            }
            Kind::Struct | Kind::Union => self.emit_aggregate(id, t, cont_id)?,
            Kind::FuncProto => {
                self.emit_type(t.type_id(), cont_id)?;
                for p in t.params() {
                    self.emit_type(p.type_id, cont_id)?;
                }
            }
            Kind::Func | Kind::Var | Kind::Datasec | Kind::DeclTag | Kind::Float => {}
        }
        Ok(())
    }

    fn emit_aggregate(&mut self, id: u32, t: &Type<'a>, cont_id: u32) -> io::Result<()> {
        let top_level = cont_id == 0;
        let named = t.name_off() != 0;
        self.state(id).emit = Emit::Emitting;
        if top_level || !named {
            // Its members will be spelled out here (a top-level definition
            // or an anonymous one inlined into its container), so whatever
            // they need must come first. Inside an anonymous aggregate the
            // container is still the enclosing named one.
            let inner_cont = if named { id } else { cont_id };
            for m in t.members() {
                self.emit_type(m.type_id, inner_cont)?;
            }
        } else if !self.state(id).fwd_emitted && id != cont_id {
            self.emit_struct_fwd(id, t)?;
            self.put(b";\n\n");
            self.state(id).fwd_emitted = true;
        }
        if top_level {
            self.emit_struct_def(id, t, 0)?;
            self.put(b";\n\n");
            self.state(id).emit = Emit::Emitted;
        } else {
            self.state(id).emit = Emit::NotEmitted;
        }
        Ok(())
    }

    /// `__builtin_va_list` is the compiler's own; redefining it breaks the
    /// build when another compiler produced the BTF.
    fn is_builtin_va_list(&self, t: &Type<'a>) -> io::Result<bool> {
        Ok(t.name_off() != 0 && self.name_of(t.id(), t.name_off())? == b"__builtin_va_list")
    }

    fn emit_missing_alias(&mut self, id: u32) -> io::Result<()> {
        // Resolving claims the name like any other tag, as libbpf does.
        let name = self.tag_name(id)?;
        if let Some((_, std)) = MISSING_BASE_TYPES.iter().find(|(n, _)| *n == &name[..]) {
            self.put(b"typedef ");
            self.put(std);
            self.put(b" ");
            self.put(&name);
            self.put(b";\n\n");
        }
        Ok(())
    }

    pub fn emit_struct_fwd(&mut self, id: u32, t: &Type<'a>) -> io::Result<()> {
        self.put(aggregate_keyword(t));
        if t.name_off() != 0 {
            self.put(b" ");
        }
        let name = self.tag_name(id)?;
        self.put(&name);
        Ok(())
    }

    pub fn emit_struct_def(&mut self, id: u32, t: &Type<'a>, lvl: usize) -> io::Result<()> {
        let is_struct = t.kind() == Kind::Struct;
        let align = self.layout.align_of(self.btf, id)?;
        let packed = is_struct && self.layout.is_packed(self.btf, t)?;

        self.emit_struct_fwd(id, t)?;
        self.put(b" {");
        // End of the previous member, in bits.
        let mut off: u64 = 0;
        let mut prev_bitfield = false;
        for m in t.members() {
            let fname = self.name_of(id, m.name_off)?;
            let (m_off, m_bits) = member_geometry(self.btf, &m)?;
            let m_off = u64::from(m_off);
            let m_align = if packed {
                1
            } else {
                self.layout.align_of(self.btf, m.type_id)?
            };
            let in_bitfield = prev_bitfield && m_bits != 0;
            self.emit_bit_padding(id, off, m_off, m_align, in_bitfield, lvl + 1)?;
            self.put(b"\n");
            self.indent(lvl + 1);
            self.emit_type_decl(m.type_id, fname, lvl + 1)?;
            if m_bits != 0 {
                self.put(b": ");
                self.put_num(m_bits);
                off = m_off + u64::from(m_bits);
                prev_bitfield = true;
            } else {
                let size = self.layout.resolve_size(self.btf, m.type_id)?;
                off = m_off + size * 8;
                prev_bitfield = false;
            }
            self.put(b";");
        }
        if is_struct {
            let end = u64::from(t.size()) * 8;
            self.emit_bit_padding(id, off, end, align, false, lvl + 1)?;
        }
        // `struct empty {}` stays on one line.
        if t.vlen() != 0 || t.size() != 0 {
            self.put(b"\n");
            self.indent(lvl);
        }
        self.put(b"}");
        if packed {
            self.put(b" __attribute__((packed))");
        }
        Ok(())
    }

    /// Fills the gap between bit offsets `cur` and `next` with anonymous
    /// bitfields (`long: 64;`), relying on natural alignment where the
    /// compiler would insert the same padding by itself. `next_align` is the
    /// alignment of the member that follows; `in_bitfield` says a bitfield
    /// run continues, where the compiler would pack into the gap.
    fn emit_bit_padding(
        &mut self,
        id: u32,
        cur: u64,
        next: u64,
        next_align: u32,
        in_bitfield: bool,
        lvl: usize,
    ) -> io::Result<()> {
        if cur >= next {
            return Ok(());
        }
        if next - cur > MAX_PADDING_BITS {
            return Err(type_err(
                id,
                format!(
                    "a padding gap of {} bytes is not plausible (corrupt size or offset?)",
                    (next - cur) / 8
                ),
            ));
        }
        let pads: [(&[u8], u64); 4] = [
            (b"long", u64::from(self.layout.ptr_size) * 8),
            (b"int", 32),
            (b"short", 16),
            (b"char", 8),
        ];
        let mut cur = cur;
        // The widest padding type whose next boundary does not overshoot.
        let mut pad = pads[pads.len() - 1];
        let mut new_off = 0;
        for p in pads {
            pad = p;
            new_off = round_up(cur, p.1);
            if new_off <= next {
                break;
            }
        }
        if new_off > cur && new_off <= next {
            // An explicit `type: 0` (or, within a bitfield run, the exact
            // bit count) is needed when the compiler would not align to
            // new_off by itself: the next member is less aligned, or the
            // rest of the gap is small enough to be packed into this hole.
            let next_member_lands_short =
                new_off == next && round_up(cur, u64::from(next_align) * 8) != new_off;
            let rest_fits_in_hole = new_off != next && next - new_off <= new_off - cur;
            if in_bitfield || next_member_lands_short || rest_fits_in_hole {
                let bits = if in_bitfield { new_off - cur } else { 0 };
                self.emit_pad(pad.0, bits, lvl);
            }
            cur = new_off;
        }
        // Now aligned for the padding type: whole units, then the smallest
        // type that covers the remainder.
        while cur != next {
            let bits = (next - cur).min(pad.1);
            if bits == pad.1 {
                self.emit_pad(pad.0, bits, lvl);
                cur += bits;
                continue;
            }
            if let Some(&smallest) = pads.iter().rev().find(|p| p.1 >= bits) {
                pad = smallest;
                self.emit_pad(pad.0, bits, lvl);
                cur += bits;
            } else {
                // Unreachable: `bits` never exceeds the widest padding type.
                break;
            }
        }
        Ok(())
    }

    fn emit_pad(&mut self, ty: &[u8], bits: u64, lvl: usize) {
        self.put(b"\n");
        self.indent(lvl);
        self.put(ty);
        self.put(b": ");
        self.put_num(bits);
        self.put(b";");
    }

    pub fn emit_enum_fwd(&mut self, id: u32) -> io::Result<()> {
        self.put(b"enum ");
        let name = self.tag_name(id)?;
        self.put(&name);
        Ok(())
    }

    pub fn emit_enum_def(&mut self, id: u32, t: &Type<'a>, lvl: usize) -> io::Result<()> {
        self.put(b"enum");
        if t.name_off() != 0 {
            self.put(b" ");
        }
        let name = self.tag_name(id)?;
        self.put(&name);
        if t.vlen() == 0 {
            return Ok(());
        }
        self.put(b" {");
        let signed = t.kflag();
        for e in t.enumerators() {
            let ename = self.name_of(id, e.name_off)?;
            // Enumerators share the namespace of typedef names.
            let claims = self.ident_names.claim(ename);
            self.put(b"\n");
            self.indent(lvl + 1);
            self.put(ename);
            if claims > 1 {
                self.put(b"___");
                self.put_num(claims);
            }
            self.put(b" = ");
            match (e.raw32, signed) {
                (Some(raw), true) => self.put_num(raw as i32),
                (Some(raw), false) => self.put_num(raw),
                (None, true) => {
                    self.put_num(e.value as i64);
                    self.put(b"LL");
                }
                (None, false) => {
                    self.put_num(e.value);
                    self.put(b"ULL");
                }
            }
            self.put(b",");
        }
        self.put(b"\n");
        self.indent(lvl);
        self.put(b"}");
        Ok(())
    }

    fn emit_fwd_def(&mut self, id: u32, t: &Type<'a>) -> io::Result<()> {
        // FWD's kind_flag says union.
        self.put(if t.kflag() { b"union " } else { b"struct " });
        let name = self.tag_name(id)?;
        self.put(&name);
        Ok(())
    }

    pub fn emit_typedef_def(&mut self, id: u32, t: &Type<'a>, lvl: usize) -> io::Result<()> {
        let name = self.ident_name(id)?;
        // Old GCCs describe __gnuc_va_list as a typedef of void.
        if t.type_id() == 0 && &name[..] == b"__gnuc_va_list" {
            self.put(b"typedef __builtin_va_list __gnuc_va_list");
            return Ok(());
        }
        self.put(b"typedef ");
        self.emit_type_decl(t.type_id(), &name, lvl)
    }
}

fn aggregate_keyword(t: &Type<'_>) -> &'static [u8] {
    if t.kind() == Kind::Struct {
        b"struct"
    } else {
        b"union"
    }
}

/// `x` rounded up to a multiple of `to`. A member without alignment gives
/// `to == 0`, where libbpf would divide by zero; we leave `x` as it is.
fn round_up(x: u64, to: u64) -> u64 {
    if to == 0 {
        return x;
    }
    x.div_ceil(to) * to
}
