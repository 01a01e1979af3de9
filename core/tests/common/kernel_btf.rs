//! Access to the running kernel for BTF tests, with the project's SKIP rule:
//! when bpf(2) is refused, print a loud SKIP line and let the test return,
//! except under CI=true where it must fail.

#![allow(dead_code)]

use bpfc::sys::{btf_load, BtfLoadError, LogLevel};

/// A minimal valid blob: one `int`.
fn probe_blob() -> Vec<u8> {
    let mut b = crate::btf_blob::BtfBlob::new();
    b.int32();
    b.build()
}

/// True when the kernel will take BTF from us; otherwise prints SKIP (or
/// panics under CI=true) and returns false.
pub fn kernel_available(test: &str) -> bool {
    match btf_load(&probe_blob(), LogLevel::OFF) {
        Ok(_) => true,
        Err(e) => {
            skip(test, &format!("bpf(BPF_BTF_LOAD) refused: {e}"));
            false
        }
    }
}

#[path = "skip.rs"]
pub mod skip_rule;

/// [`skip_rule::skip`] naming the test.
pub fn skip(test: &str, reason: &str) {
    skip_rule::skip(&format!("{test}: {reason}"));
}

/// Loads a blob the kernel must refuse and returns its error.
pub fn expect_refused(blob: &[u8], what: &str) -> BtfLoadError {
    match btf_load(blob, LogLevel::OFF) {
        Ok(_) => panic!("{what}: the kernel accepted a blob it should refuse"),
        Err(e) => {
            assert!(!e.is_permission_denied(), "{what}: {e}");
            e
        }
    }
}

/// Loads a blob the kernel must accept.
pub fn expect_accepted(blob: &[u8], what: &str) {
    if let Err(e) = btf_load(blob, LogLevel::OFF) {
        panic!("{what}: the kernel refused it: {e}\nlog:\n{}", e.log);
    }
}
