//! Errors of bpf(2): the command that failed and the errno it returned.

#![deny(unsafe_code)]

use std::fmt;

use super::syscall::Command;

/// An errno value returned by the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// `ENOTSUPP`: a kernel-internal value (distinct from `EOPNOTSUPP`, 95)
    /// that bpf(2) leaks to user space, e.g. for an unsupported BTF version.
    pub const ENOTSUPP: Errno = Errno(524);

    /// The calling thread's errno, read right after a failed call.
    pub(crate) fn last() -> Errno {
        Errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }

    /// The symbolic name (`EINVAL`, `ENOTSUPP`, ...), when bpf(2) is known to
    /// return it.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            libc::EPERM => "EPERM",
            libc::ENOENT => "ENOENT",
            libc::ESRCH => "ESRCH",
            libc::E2BIG => "E2BIG",
            libc::EBADF => "EBADF",
            libc::ENOMEM => "ENOMEM",
            libc::EACCES => "EACCES",
            libc::EFAULT => "EFAULT",
            libc::EBUSY => "EBUSY",
            libc::EEXIST => "EEXIST",
            libc::EINVAL => "EINVAL",
            libc::ENOSPC => "ENOSPC",
            libc::ERANGE => "ERANGE",
            libc::ENAMETOOLONG => "ENAMETOOLONG",
            libc::ENOSYS => "ENOSYS",
            libc::ELOOP => "ELOOP",
            libc::EOPNOTSUPP => "EOPNOTSUPP",
            524 => "ENOTSUPP",
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // libc has no text for the kernel-internal ENOTSUPP.
        let text = if *self == Errno::ENOTSUPP {
            "operation not supported (kernel-internal)".to_string()
        } else {
            let full = std::io::Error::from_raw_os_error(self.0).to_string();
            let suffix = format!(" (os error {})", self.0);
            full.strip_suffix(&suffix).unwrap_or(&full).to_string()
        };
        match self.name() {
            Some(name) => write!(f, "{name}: {text}"),
            None => write!(f, "errno {}: {text}", self.0),
        }
    }
}

/// A bpf(2) call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bpf({command}) failed: {errno}")]
pub struct BpfError {
    pub command: Command,
    pub errno: Errno,
}

impl BpfError {
    /// True when the kernel refused the call for lack of privilege
    /// (`EPERM`: no CAP_BPF/CAP_SYS_ADMIN, unprivileged BPF disabled, an LSM
    /// or lockdown policy). Tests use it to skip rather than fail.
    pub fn is_permission_denied(&self) -> bool {
        self.errno.0 == libc::EPERM
    }
}
