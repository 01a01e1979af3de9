//! Inputs without an end (`/dev/zero`, a FIFO whose writer never stops) or
//! longer than any BPF object: every command that reads a path stops one
//! byte past its limit (`bpfc::input`) with an error that names the path
//! and the limit, exits 2, and `bpfc check` goes on with the other files.

mod inspect_support;

use inspect_support::*;
use std::path::Path;

const ENDLESS: &str = "/dev/zero";

/// Both streams of a run, for messages that go to either.
fn output_text(args: &[&str]) -> (Option<i32>, String) {
    let out = bpfc(Path::new("."), args);
    (out.status.code(), stdout(&out) + &stderr(&out))
}

#[test]
fn every_command_refuses_an_endless_input_with_its_limit() {
    if !Path::new(ENDLESS).exists() {
        eprintln!("SKIP: no {ENDLESS} on this machine");
        return;
    }
    let cases: [(&[&str], &str); 5] = [
        (
            &["inspect", ENDLESS],
            "cannot read /dev/zero: longer than 256 MiB",
        ),
        (
            &["snapshot", ENDLESS],
            "cannot read /dev/zero: longer than 256 MiB",
        ),
        // A BTF input may be a vmlinux of a GiB and more, but only a
        // regular file is read that far.
        (
            &["btf", "dump", ENDLESS],
            "cannot read /dev/zero: longer than 256 MiB",
        ),
        (
            &["check", "--files-from", ENDLESS],
            "cannot read the file list /dev/zero: longer than 256 MiB",
        ),
        (
            &["check", "--snapshot", ENDLESS, "any.o"],
            "cannot read the snapshot /dev/zero: longer than 256 MiB",
        ),
    ];
    for (args, message) in cases {
        let (code, text) = output_text(args);
        assert_eq!(code, Some(2), "{args:?}: {text}");
        assert!(text.contains(message), "{args:?}: {text}");
        assert!(
            text.contains("the most bpfc reads from one input"),
            "{text}"
        );
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
}

#[test]
fn check_goes_on_past_an_endless_input() {
    let Some(good) = installed(XDP_TOOLS, "xdpdump_bpf.o") else {
        return;
    };
    let good = good.to_str().unwrap();
    let (code, text) = output_text(&["check", ENDLESS, good]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("error: cannot read /dev/zero: longer than 256 MiB"),
        "{text}"
    );
    assert!(
        text.contains("bpfc check: 2 files, 1 ok, 0 failed, 1 unreadable"),
        "{text}"
    );
}
