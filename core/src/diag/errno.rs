//! Error numbers the kernel and libbpf return, with the names users search for.
//!
//! Two values need care: `ENOTSUPP` (524) is kernel-internal and reaches user
//! space as "Unknown error 524", distinct from `EOPNOTSUPP` (95, which glibc
//! also calls `ENOTSUP` and libbpf returns as `-ENOTSUP`). libbpf adds its own
//! range starting at 4000 (`LIBBPF_ERRNO__*`, libbpf.h).

use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! errnos {
    ($($variant:ident = $num:literal, $name:literal, $text:literal;)*) => {
        /// An errno a kernel or loader returns for a refused input.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Errno {
            $($variant,)*
        }

        impl Errno {
            /// The numeric value (positive, as in `errno`).
            pub fn number(self) -> i32 {
                match self {
                    $(Errno::$variant => $num,)*
                }
            }

            /// The symbolic name (`EINVAL`, `ENOTSUPP`, `LIBBPF_ERRNO__FORMAT`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$variant => $name,)*
                }
            }

            /// What `strerror` (or libbpf's `libbpf_strerror`) prints.
            pub fn text(self) -> &'static str {
                match self {
                    $(Errno::$variant => $text,)*
                }
            }
        }
    };
}

errnos! {
    Eperm = 1, "EPERM", "Operation not permitted";
    Enoent = 2, "ENOENT", "No such file or directory";
    Esrch = 3, "ESRCH", "No such process";
    E2big = 7, "E2BIG", "Argument list too long";
    Ebadf = 9, "EBADF", "Bad file descriptor";
    Enomem = 12, "ENOMEM", "Cannot allocate memory";
    Eacces = 13, "EACCES", "Permission denied";
    Efault = 14, "EFAULT", "Bad address";
    Ebusy = 16, "EBUSY", "Device or resource busy";
    Eexist = 17, "EEXIST", "File exists";
    Einval = 22, "EINVAL", "Invalid argument";
    Enospc = 28, "ENOSPC", "No space left on device";
    Erange = 34, "ERANGE", "Numerical result out of range";
    Enametoolong = 36, "ENAMETOOLONG", "File name too long";
    Eloop = 40, "ELOOP", "Too many levels of symbolic links";
    Eopnotsupp = 95, "EOPNOTSUPP", "Operation not supported";
    Enotsupp = 524, "ENOTSUPP", "Unknown error 524";
    LibbpfFormat = 4001, "LIBBPF_ERRNO__FORMAT", "Invalid ELF object format";
    LibbpfEndian = 4003, "LIBBPF_ERRNO__ENDIAN", "Endian mismatch";
    LibbpfReloc = 4005, "LIBBPF_ERRNO__RELOC", "Relocation failed";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.number())
    }
}

impl Serialize for Errno {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_enotsupp_is_not_eopnotsupp() {
        assert_eq!(Errno::Enotsupp.number(), 524);
        assert_eq!(Errno::Eopnotsupp.number(), libc::EOPNOTSUPP);
        assert_eq!(Errno::Einval.number(), libc::EINVAL);
        assert_eq!(Errno::E2big.number(), libc::E2BIG);
        assert_eq!(Errno::Erange.number(), libc::ERANGE);
        assert_eq!(Errno::Eacces.number(), libc::EACCES);
        assert_eq!(Errno::Efault.number(), libc::EFAULT);
        assert_eq!(Errno::Eloop.number(), libc::ELOOP);
    }
}
