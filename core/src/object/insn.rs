//! Just enough BPF instruction decoding to follow relocations and calls.

use crate::bytes::Endian;

/// `sizeof(struct bpf_insn)`.
pub const INSN_SIZE: u64 = 8;

/// `BPF_LD | BPF_IMM | BPF_DW`: the first half of a 64-bit immediate load.
pub const LD_IMM64: u8 = 0x18;
/// `BPF_JMP | BPF_CALL`.
pub const CALL: u8 = 0x85;
/// `src_reg` of a bpf-to-bpf call.
pub const PSEUDO_CALL: u8 = 1;

/// One decoded `struct bpf_insn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    pub code: u8,
    pub dst: u8,
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

impl Insn {
    /// Decodes the instruction at byte `at` of `code`, if it is all there.
    ///
    /// The register byte packs dst and src in a bitfield whose nibble order
    /// follows the byte order (`dst_reg:4, src_reg:4` in the UAPI struct).
    pub fn read(code: &[u8], at: usize, endian: Endian) -> Option<Insn> {
        let b = code.get(at..at.checked_add(8)?)?;
        let (dst, src) = match endian {
            Endian::Little => (b[1] & 0xf, b[1] >> 4),
            Endian::Big => (b[1] >> 4, b[1] & 0xf),
        };
        Some(Insn {
            code: b[0],
            dst,
            src,
            off: endian.u16([b[2], b[3]]) as i16,
            imm: endian.u32([b[4], b[5], b[6], b[7]]) as i32,
        })
    }

    pub fn is_ld_imm64(&self) -> bool {
        self.code == LD_IMM64
    }

    pub fn is_call(&self) -> bool {
        self.code == CALL
    }

    /// libbpf's `insn_is_subprog_call`.
    pub fn is_subprog_call(&self) -> bool {
        self.code == CALL && self.src == PSEUDO_CALL && self.dst == 0 && self.off == 0
    }
}
