//! The raw bpf(2) call. All of bpfc's `unsafe` code is in this file.

use std::fmt;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use super::error::{BpfError, Errno};

/// `enum bpf_cmd` values bpfc issues (include/uapi/linux/bpf.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    BtfLoad = 18,
}

impl Command {
    /// The UAPI name, as errors print it.
    pub fn name(self) -> &'static str {
        match self {
            Command::BtfLoad => "BPF_BTF_LOAD",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The part of `union bpf_attr` that one command reads.
///
/// # Safety
///
/// An implementor promises that:
/// - it is `#[repr(C)]`, laid out exactly as the kernel's struct for
///   `COMMAND`, with no padding bytes (the kernel reads all
///   `size_of::<Self>()` bytes, and reading uninitialised padding is UB);
/// - every user pointer it carries is valid, for the whole lifetime of the
///   value, for the reads (and, for output buffers, writes) the kernel
///   performs for `COMMAND` with the lengths stored next to it. Implementors
///   guarantee this by only being constructible from borrows that outlive
///   the value.
pub(crate) unsafe trait Attr {
    const COMMAND: Command;
}

/// Calls bpf(2) with `attr`, returning the kernel's non-negative result.
pub(crate) fn bpf<A: Attr>(attr: &mut A) -> Result<i64, BpfError> {
    let ptr: *mut A = attr;
    // SAFETY: `attr` is an exclusive borrow of a live, fully initialised
    // value of `size_of::<A>()` bytes, so the kernel may read and write it
    // during the call. By the `Attr` contract its layout is the kernel's for
    // `A::COMMAND` and every pointer inside stays valid for this call. The
    // kernel never keeps a pointer into `attr` or its buffers after bpf(2)
    // returns.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            A::COMMAND as libc::c_long,
            ptr,
            std::mem::size_of::<A>() as libc::c_long,
        )
    };
    if ret < 0 {
        Err(BpfError {
            command: A::COMMAND,
            errno: Errno::last(),
        })
    } else {
        Ok(ret)
    }
}

/// Calls bpf(2) for a command whose result is a new file descriptor.
pub(crate) fn bpf_fd<A: Attr>(attr: &mut A) -> Result<OwnedFd, BpfError> {
    let ret = bpf(attr)?;
    let fd = RawFd::try_from(ret).map_err(|_| BpfError {
        command: A::COMMAND,
        errno: Errno(libc::EBADF),
    })?;
    // SAFETY: for fd-returning commands a non-negative result is a new file
    // descriptor that the kernel opened for this call and nobody else owns;
    // `OwnedFd` takes sole ownership and closes it on drop.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
