//! Verifier logs: the level asked for and a buffer that grows until the
//! kernel's whole log fits.

#![deny(unsafe_code)]

/// `log_level` of BTF_LOAD and PROG_LOAD (`BPF_LOG_LEVEL1`, `BPF_LOG_LEVEL2`,
/// `BPF_LOG_STATS`; they may be OR-ed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogLevel(pub u32);

impl LogLevel {
    /// No log requested.
    pub const OFF: LogLevel = LogLevel(0);
    /// Level 1. For BTF this already logs every type the kernel checks.
    pub const BASIC: LogLevel = LogLevel(1);
    /// Level 2: the program verifier's full trace.
    pub const VERBOSE: LogLevel = LogLevel(2);
    /// Verification statistics.
    pub const STATS: LogLevel = LogLevel(4);

    pub fn is_off(self) -> bool {
        self.0 == 0
    }
}

/// Kernels before 6.4 refuse log buffers shorter than this.
pub(crate) const MIN_LOG_SIZE: usize = 128;
/// Default first size: enough for the log of any small blob.
pub(crate) const DEFAULT_LOG_SIZE: usize = 64 * 1024;
/// Kernels refuse log sizes above `UINT_MAX >> 2`; we stop well before, a
/// log this long means something else is wrong.
pub(crate) const MAX_LOG_SIZE: usize = 256 * 1024 * 1024;

/// A zeroed byte buffer the kernel writes a NUL-terminated log into.
pub(crate) struct LogBuffer {
    buf: Vec<u8>,
}

impl LogBuffer {
    pub(crate) fn new(size: usize) -> LogBuffer {
        LogBuffer {
            buf: vec![0; size.clamp(MIN_LOG_SIZE, MAX_LOG_SIZE)],
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    /// Makes room for a longer log: at least `needed` bytes (the size the
    /// kernel reported, 0 when it does not report one) and at least double.
    /// Returns false when the buffer is already as large as we allow.
    pub(crate) fn grow(&mut self, needed: usize) -> bool {
        if self.buf.len() >= MAX_LOG_SIZE {
            return false;
        }
        let size = needed.max(self.buf.len() * 2).min(MAX_LOG_SIZE);
        self.buf = vec![0; size];
        true
    }

    /// The log up to its terminating NUL (lossy: the kernel may cut a
    /// multi-byte name in half).
    pub(crate) fn text(&self) -> String {
        let end = self
            .buf
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.buf.len());
        String::from_utf8_lossy(&self.buf[..end]).into_owned()
    }
}
