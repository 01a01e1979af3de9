//! `sys::btf_load` against the running kernel: fds, errno, logs and the
//! log buffer growing until the kernel's message fits.

#[path = "common/btf_blob.rs"]
mod btf_blob;
#[path = "common/kernel_btf.rs"]
mod kernel_btf;

use bpfc::sys::{btf_load, btf_load_with, BtfLoadOptions, Errno, LogLevel, BTF_MAX_SIZE};
use btf_blob::BtfBlob;
use kernel_btf::kernel_available;
use std::os::fd::AsRawFd;

/// A valid blob whose BASIC log runs to a few KiB: many small types.
fn chatty_blob(extra_bad: bool) -> Vec<u8> {
    let mut b = BtfBlob::new();
    let int = b.int32();
    for i in 0..200 {
        b.typedef(&format!("t{i}"), int);
    }
    if extra_bad {
        // A PTR may not have a name: the kernel's error comes last.
        let name = b.str("p");
        b.raw(name, btf_blob::info(btf_blob::KIND_PTR, false, 0), int);
    }
    b.build()
}

#[test]
fn valid_blob_gives_an_fd() {
    if !kernel_available("valid_blob_gives_an_fd") {
        return;
    }
    let fd = btf_load(&chatty_blob(false), LogLevel::OFF).expect("kernel accepts the blob");
    assert!(fd.as_raw_fd() >= 0);
    // With a log the load must still succeed (a log that does not fit in
    // the first buffer is retried, not reported as ENOSPC).
    let opts = BtfLoadOptions {
        log_level: LogLevel::BASIC,
        initial_log_size: 128,
    };
    btf_load_with(&chatty_blob(false), &opts).expect("accepted with a growing log");
}

#[test]
fn refused_blob_reports_errno_and_log() {
    if !kernel_available("refused_blob_reports_errno_and_log") {
        return;
    }
    let err = btf_load(&chatty_blob(true), LogLevel::OFF).expect_err("a named PTR is refused");
    assert_eq!(err.errno(), Errno(libc::EINVAL));
    assert!(!err.is_permission_denied());
    assert!(err.log.contains("Invalid name"), "log:\n{}", err.log);
    assert!(err.to_string().contains("BPF_BTF_LOAD"), "{err}");
    assert!(err.to_string().contains("EINVAL"), "{err}");
}

#[test]
fn small_log_buffer_grows_to_hold_the_error() {
    if !kernel_available("small_log_buffer_grows_to_hold_the_error") {
        return;
    }
    let opts = BtfLoadOptions {
        log_level: LogLevel::BASIC,
        initial_log_size: 128,
    };
    let err = btf_load_with(&chatty_blob(true), &opts).expect_err("refused");
    // Not ENOSPC: the buffer grew until the kernel gave its real verdict.
    assert_eq!(err.errno(), Errno(libc::EINVAL), "{err}");
    assert!(err.log.len() > 128, "log did not grow: {:?}", err.log);
    let last = err.log.lines().rev().find(|l| !l.is_empty()).unwrap();
    assert!(last.contains("Invalid name"), "last log line: {last}");
}

#[test]
fn oversized_blob_is_e2big_without_log() {
    if !kernel_available("oversized_blob_is_e2big_without_log") {
        return;
    }
    let mut blob = chatty_blob(false);
    blob.resize(BTF_MAX_SIZE + 1, 0);
    let err = btf_load(&blob, LogLevel::OFF).expect_err("too large");
    assert_eq!(err.errno(), Errno(libc::E2BIG));
    assert!(err.log.is_empty());
}

#[test]
fn errno_names_and_text() {
    assert_eq!(Errno(libc::EINVAL).to_string(), "EINVAL: Invalid argument");
    assert_eq!(
        Errno(libc::EPERM).to_string(),
        "EPERM: Operation not permitted"
    );
    assert_eq!(Errno::ENOTSUPP.name(), Some("ENOTSUPP"));
    assert_eq!(
        Errno::ENOTSUPP.to_string(),
        "ENOTSUPP: operation not supported (kernel-internal)"
    );
    assert_eq!(Errno(4095).name(), None);
}
