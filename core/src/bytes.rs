//! Byte order and bounds-checked reads shared by the BTF and ELF readers.
//!
//! Every read from input goes through here, so that a hostile offset can
//! only produce `None`, never a panic.

/// The byte order of a blob (BTF) or object (ELF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    /// The byte order of the machine running bpfc (and of its kernel).
    pub const NATIVE: Endian = if cfg!(target_endian = "little") {
        Endian::Little
    } else {
        Endian::Big
    };

    /// The byte order a `const LE: bool` parameter names (little-endian
    /// when `LE`). A loop made generic over `LE` and reading through this
    /// has its order fixed at compile time: each read's `match` folds away
    /// instead of choosing the order again for every field.
    #[inline]
    pub(crate) const fn of<const LE: bool>() -> Endian {
        if LE {
            Endian::Little
        } else {
            Endian::Big
        }
    }

    pub fn other(self) -> Endian {
        match self {
            Endian::Little => Endian::Big,
            Endian::Big => Endian::Little,
        }
    }

    #[inline]
    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    #[inline]
    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    #[inline]
    pub fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }

    #[inline]
    pub fn u16_bytes(self, v: u16) -> [u8; 2] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    #[inline]
    pub fn u32_bytes(self, v: u32) -> [u8; 4] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    #[inline]
    pub fn u64_bytes(self, v: u64) -> [u8; 8] {
        match self {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        }
    }

    /// Reads a u16 at `off`, or `None` past the end.
    #[inline]
    pub fn read_u16(self, data: &[u8], off: usize) -> Option<u16> {
        let b = data.get(off..off.checked_add(2)?)?;
        Some(self.u16([b[0], b[1]]))
    }

    /// Reads a u32 at `off`, or `None` past the end.
    #[inline]
    pub fn read_u32(self, data: &[u8], off: usize) -> Option<u32> {
        let b = data.get(off..off.checked_add(4)?)?;
        Some(self.u32([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a u64 at `off`, or `None` past the end.
    #[inline]
    pub fn read_u64(self, data: &[u8], off: usize) -> Option<u64> {
        let b = data.get(off..off.checked_add(8)?)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(self.u64(a))
    }
}

/// Reads a NUL-terminated string starting at `off`; `None` if `off` is out of
/// range or no NUL follows.
pub fn c_str_at(data: &[u8], off: usize) -> Option<&[u8]> {
    let tail = data.get(off..)?;
    // A byte at a time: BTF names are short, and a word-at-a-time search
    // (CStr::from_bytes_until_nul) cost 2% more instructions over
    // `btf dump --format c` of vmlinux.
    let len = tail.iter().position(|&b| b == 0)?;
    Some(&tail[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let d = [1u8, 0, 0, 0, 2];
        assert_eq!(Endian::Little.read_u32(&d, 0), Some(1));
        assert_eq!(Endian::Big.read_u32(&d, 0), Some(0x0100_0000));
        assert_eq!(Endian::Little.read_u32(&d, 2), None);
        assert_eq!(Endian::Little.read_u32(&d, usize::MAX), None);
        assert_eq!(c_str_at(b"ab\0cd", 0), Some(&b"ab"[..]));
        assert_eq!(c_str_at(b"ab\0cd", 3), None);
        assert_eq!(c_str_at(b"ab\0cd", 9), None);
    }
}
