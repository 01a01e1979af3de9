//! `BPF_BTF_LOAD`: hand a BTF blob to the kernel, get a BTF fd or the
//! kernel's verdict and log.

use std::marker::PhantomData;
use std::os::fd::OwnedFd;

use super::error::{BpfError, Errno};
use super::log::{LogBuffer, LogLevel, DEFAULT_LOG_SIZE};
use super::syscall::{bpf_fd, Attr, Command};

/// Largest blob the kernel accepts (`BTF_MAX_SIZE`); larger ones fail with
/// `E2BIG` before any check runs, so there is no log.
pub const BTF_MAX_SIZE: usize = 16 * 1024 * 1024;

/// The `BPF_BTF_LOAD` member of `union bpf_attr` (40 bytes, no padding).
#[repr(C)]
struct BtfLoadAttr<'a> {
    btf: u64,
    btf_log_buf: u64,
    btf_size: u32,
    btf_log_size: u32,
    btf_log_level: u32,
    /// Written by the kernel (6.4+): the log size needed, NUL included.
    btf_log_true_size: u32,
    btf_flags: u32,
    btf_token_fd: i32,
    /// Ties the raw pointers above to the borrows they came from.
    _borrows: PhantomData<(&'a [u8], &'a mut [u8])>,
}

const _: () = assert!(std::mem::size_of::<BtfLoadAttr<'static>>() == 40);

impl<'a> BtfLoadAttr<'a> {
    /// `blob` must fit in a u32; callers check it first.
    fn new(blob: &'a [u8], log: Option<(&'a mut [u8], LogLevel)>) -> BtfLoadAttr<'a> {
        let (log_buf, log_size, log_level) = match log {
            Some((buf, level)) => (buf.as_mut_ptr() as u64, buf.len() as u32, level.0),
            None => (0, 0, 0),
        };
        BtfLoadAttr {
            btf: blob.as_ptr() as u64,
            btf_log_buf: log_buf,
            btf_size: blob.len() as u32,
            btf_log_size: log_size,
            btf_log_level: log_level,
            btf_log_true_size: 0,
            btf_flags: 0,
            btf_token_fd: 0,
            _borrows: PhantomData,
        }
    }
}

// SAFETY: the layout is `union bpf_attr`'s BTF_LOAD member (all fields are
// u32/u64 in kernel order, 40 bytes, checked above, no padding). The only
// pointers are `btf` and `btf_log_buf`, set by `new` from a shared borrow of
// the blob (`btf_size` = its length) and an exclusive borrow of the log
// buffer (`btf_log_size` = its length, which the kernel never exceeds when
// writing); both borrows live for 'a, which outlives the attribute.
unsafe impl Attr for BtfLoadAttr<'_> {
    const COMMAND: Command = Command::BtfLoad;
}

/// How to load BTF.
#[derive(Debug, Clone)]
pub struct BtfLoadOptions {
    /// Log level of the first attempt. With [`LogLevel::OFF`] a failed load
    /// is retried once at [`LogLevel::BASIC`] to fetch the kernel's log.
    pub log_level: LogLevel,
    /// First size of the log buffer; it grows on `ENOSPC` until the log fits.
    pub initial_log_size: usize,
}

impl Default for BtfLoadOptions {
    fn default() -> Self {
        BtfLoadOptions {
            log_level: LogLevel::OFF,
            initial_log_size: DEFAULT_LOG_SIZE,
        }
    }
}

/// The kernel refused a BTF blob.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{source}{}", last_line_suffix(log))]
pub struct BtfLoadError {
    pub source: BpfError,
    /// The kernel's verifier log (empty when none was produced, e.g. for
    /// `EPERM` or `E2BIG`).
    pub log: String,
}

impl BtfLoadError {
    pub fn errno(&self) -> Errno {
        self.source.errno
    }

    /// True when bpf(2) was refused for lack of privilege, not because of the
    /// blob.
    pub fn is_permission_denied(&self) -> bool {
        self.source.is_permission_denied()
    }
}

fn last_line_suffix(log: &str) -> String {
    match log.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => format!(": {}", line.trim()),
        None => String::new(),
    }
}

/// Loads `blob` as BTF and returns the kernel's BTF fd, or the errno and the
/// kernel's log. See [`btf_load_with`] for the logging behaviour.
pub fn btf_load(blob: &[u8], log_level: LogLevel) -> Result<OwnedFd, BtfLoadError> {
    btf_load_with(
        blob,
        &BtfLoadOptions {
            log_level,
            ..BtfLoadOptions::default()
        },
    )
}

/// Loads `blob` as BTF.
///
/// With a log level, the log buffer grows on `ENOSPC` (which the kernel also
/// returns for a valid blob whose log did not fit) until the log fits, so
/// the errno returned is the kernel's verdict on the blob. With
/// [`LogLevel::OFF`] the blob is loaded without a log (cheap for large
/// valid blobs such as vmlinux) and only a failure is repeated with a log.
pub fn btf_load_with(blob: &[u8], opts: &BtfLoadOptions) -> Result<OwnedFd, BtfLoadError> {
    if u32::try_from(blob.len()).is_err() {
        // The size field is a u32; the kernel would say E2BIG for anything
        // above 16 MiB anyway.
        return Err(no_log(Errno(libc::E2BIG)));
    }
    let level = if opts.log_level.is_off() {
        match bpf_fd(&mut BtfLoadAttr::new(blob, None)) {
            Ok(fd) => return Ok(fd),
            // Refused before the verifier ran: a log would stay empty.
            Err(e) if e.is_permission_denied() || blob.len() > BTF_MAX_SIZE => {
                return Err(BtfLoadError {
                    source: e,
                    log: String::new(),
                })
            }
            Err(_) => LogLevel::BASIC,
        }
    } else {
        opts.log_level
    };

    let mut log = LogBuffer::new(opts.initial_log_size);
    loop {
        let mut attr = BtfLoadAttr::new(blob, Some((log.as_mut_slice(), level)));
        let result = bpf_fd(&mut attr);
        let needed = attr.btf_log_true_size as usize;
        match result {
            Ok(fd) => return Ok(fd),
            Err(e) if e.errno.0 == libc::ENOSPC && log.grow(needed) => continue,
            Err(e) => {
                return Err(BtfLoadError {
                    source: e,
                    log: log.text(),
                })
            }
        }
    }
}

fn no_log(errno: Errno) -> BtfLoadError {
    BtfLoadError {
        source: BpfError {
            command: Command::BtfLoad,
            errno,
        },
        log: String::new(),
    }
}
