//! The raw dump: byte for byte what `bpftool btf dump file FILE` prints
//! (bpftool v7.1, `dump_btf_type` in its src/btf.c).
//!
//! One line per type, `[id] KIND 'name'` followed by kind-specific fields,
//! then one tab-indented line per member, parameter, enumerator or DATASEC
//! entry. For split BTF only the split blob's own types are printed; their
//! ids continue the base's.
//!
//! Output is assembled in a local buffer and handed to the writer in large
//! chunks, so an unbuffered writer (a raw stdout) costs no extra syscalls.

use crate::btf::kind::{func_linkage, int_encoding, var_linkage, Kind};
use crate::btf::{Btf, Type};
use std::io::{self, Write};

/// Flush to the writer once this much output has accumulated.
const CHUNK: usize = 64 * 1024;

/// Writes bpftool's raw dump of every type `btf` itself defines.
pub fn dump_raw(btf: &Btf<'_>, out: &mut impl Write) -> io::Result<()> {
    let mut line = Line {
        buf: Vec::with_capacity(CHUNK + 4096),
        btf,
    };
    for t in btf.types() {
        line.ty(&t);
        if line.buf.len() >= CHUNK {
            out.write_all(&line.buf)?;
            line.buf.clear();
        }
    }
    out.write_all(&line.buf)?;
    out.flush()
}

/// bpftool's `btf_int_enc_str`: exactly one known bit, or nothing, or UNKN.
pub(super) fn int_encoding_name(encoding: u8) -> &'static str {
    match encoding {
        0 => "(none)",
        int_encoding::SIGNED => "SIGNED",
        int_encoding::CHAR => "CHAR",
        int_encoding::BOOL => "BOOL",
        _ => "UNKN",
    }
}

pub(super) fn func_linkage_name(linkage: u32) -> &'static str {
    match linkage {
        func_linkage::STATIC => "static",
        func_linkage::GLOBAL => "global",
        func_linkage::EXTERN => "extern",
        _ => "(unknown)",
    }
}

pub(super) fn var_linkage_name(linkage: u32) -> &'static str {
    match linkage {
        var_linkage::STATIC => "static",
        var_linkage::GLOBAL_ALLOCATED => "global",
        var_linkage::GLOBAL_EXTERN => "extern",
        _ => "(unknown)",
    }
}

/// ENUM and ENUM64 signedness lives in the kind_flag.
pub(super) fn signedness(kflag: bool) -> &'static str {
    if kflag {
        "SIGNED"
    } else {
        "UNSIGNED"
    }
}

/// The output buffer plus the BTF its names come from.
struct Line<'b, 'a> {
    buf: Vec<u8>,
    btf: &'b Btf<'a>,
}

impl Line<'_, '_> {
    fn s(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// `%u`, without going through `fmt` (this runs ~1M times on vmlinux).
    fn u(&mut self, v: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut v = v;
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
        self
    }

    /// `%d`.
    fn i(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.buf.push(b'-');
        }
        self.u(v.unsigned_abs())
    }

    /// A name in quotes, as bpftool's `btf_str` renders it: `(anon)` for
    /// offset 0, `(invalid)` for an offset outside the strings, otherwise
    /// the bytes as stored (not re-encoded).
    fn name(&mut self, name_off: u32) -> &mut Self {
        self.buf.push(b'\'');
        if name_off == 0 {
            self.buf.extend_from_slice(b"(anon)");
        } else {
            match self.btf.str_bytes(name_off) {
                Ok(bytes) => self.buf.extend_from_slice(bytes),
                Err(_) => self.buf.extend_from_slice(b"(invalid)"),
            }
        }
        self.buf.push(b'\'');
        self
    }

    fn ty(&mut self, t: &Type<'_>) {
        self.s("[")
            .u(t.id().into())
            .s("] ")
            .s(t.kind().name())
            .s(" ");
        self.name(t.name_off());
        match t.kind() {
            Kind::Int => {
                let int = t.int().expect("kind checked");
                self.s(" size=").u(t.size().into());
                self.s(" bits_offset=").u(int.bit_offset.into());
                self.s(" nr_bits=").u(int.bits.into());
                self.s(" encoding=").s(int_encoding_name(int.encoding));
            }
            Kind::Ptr
            | Kind::Const
            | Kind::Volatile
            | Kind::Restrict
            | Kind::Typedef
            | Kind::TypeTag => {
                self.s(" type_id=").u(t.type_id().into());
            }
            Kind::Array => {
                let a = t.array().expect("kind checked");
                self.s(" type_id=").u(a.elem_type.into());
                self.s(" index_type_id=").u(a.index_type.into());
                self.s(" nr_elems=").u(a.nelems.into());
            }
            Kind::Struct | Kind::Union => {
                self.s(" size=").u(t.size().into());
                self.s(" vlen=").u(t.vlen().into());
                for m in t.members() {
                    self.s("\n\t").name(m.name_off);
                    self.s(" type_id=").u(m.type_id.into());
                    self.s(" bits_offset=").u(m.bit_offset().into());
                    if m.bitfield_size() != 0 {
                        self.s(" bitfield_size=").u(m.bitfield_size().into());
                    }
                }
            }
            Kind::Enum => {
                self.s(" encoding=").s(signedness(t.kflag()));
                self.s(" size=").u(t.size().into());
                self.s(" vlen=").u(t.vlen().into());
                for e in t.enumerators() {
                    let raw = e.raw32.expect("ENUM enumerators carry their 32-bit word");
                    self.s("\n\t").name(e.name_off).s(" val=");
                    if t.kflag() {
                        self.i((raw as i32).into());
                    } else {
                        self.u(raw.into());
                    }
                }
            }
            Kind::Enum64 => {
                self.s(" encoding=").s(signedness(t.kflag()));
                self.s(" size=").u(t.size().into());
                self.s(" vlen=").u(t.vlen().into());
                for e in t.enumerators() {
                    self.s("\n\t").name(e.name_off).s(" val=");
                    if t.kflag() {
                        self.i(e.value as i64).s("LL");
                    } else {
                        self.u(e.value).s("ULL");
                    }
                }
            }
            Kind::Fwd => {
                self.s(" fwd_kind=")
                    .s(if t.kflag() { "union" } else { "struct" });
            }
            Kind::Func => {
                self.s(" type_id=").u(t.type_id().into());
                self.s(" linkage=").s(func_linkage_name(t.vlen()));
            }
            Kind::FuncProto => {
                self.s(" ret_type_id=").u(t.type_id().into());
                self.s(" vlen=").u(t.vlen().into());
                for p in t.params() {
                    self.s("\n\t").name(p.name_off);
                    self.s(" type_id=").u(p.type_id.into());
                }
            }
            Kind::Var => {
                let linkage = t.var_linkage().expect("kind checked");
                // bpftool prints a comma here, and only here.
                self.s(" type_id=").u(t.type_id().into());
                self.s(", linkage=").s(var_linkage_name(linkage));
            }
            Kind::Datasec => {
                self.s(" size=").u(t.size().into());
                self.s(" vlen=").u(t.vlen().into());
                for v in t.datasec_entries() {
                    self.s("\n\ttype_id=").u(v.type_id.into());
                    self.s(" offset=").u(v.offset.into());
                    self.s(" size=").u(v.size.into());
                    self.entry_target(v.type_id);
                }
            }
            Kind::Float => {
                self.s(" size=").u(t.size().into());
            }
            Kind::DeclTag => {
                let idx = t.decl_tag_component_idx().expect("kind checked");
                self.s(" type_id=").u(t.type_id().into());
                self.s(" component_idx=").i(idx.into());
            }
        }
        self.buf.push(b'\n');
    }

    /// ` (KIND 'name')` after a DATASEC entry, printed by bpftool whenever
    /// the id exists (counting the base, and void, which it calls UNKNOWN).
    fn entry_target(&mut self, id: u32) {
        if id == 0 {
            self.s(" (UNKNOWN '(anon)')");
        } else if let Ok(target) = self.btf.type_by_id(id) {
            self.s(" (").s(target.kind().name()).s(" ");
            self.name(target.name_off()).s(")");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_printf() {
        // Header only, plus the one-byte string section "\0".
        let mut data = vec![0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0];
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        let btf = Btf::parse(&data).unwrap();
        let mut line = Line {
            buf: Vec::new(),
            btf: &btf,
        };
        line.u(0)
            .s(" ")
            .u(u64::MAX)
            .s(" ")
            .i(i64::MIN)
            .s(" ")
            .i(-1)
            .s(" ")
            .i(7);
        assert_eq!(
            String::from_utf8(line.buf).unwrap(),
            "0 18446744073709551615 -9223372036854775808 -1 7"
        );
    }
}
