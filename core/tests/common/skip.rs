//! The one rule for a test that needs what a machine may lack (bpf(2) as
//! root, a tool such as bpftool or clang-19, an installed corpus): print a
//! loud `SKIP:` line and pass, except under `CI=true`, where CI has all of
//! it and the test must fail instead. Every test crate of the workspace
//! includes this file (`#[path]`), so the rule is written once.

/// Prints `SKIP: <reason>`, or fails when `CI=true`.
pub fn skip(reason: &str) {
    eprintln!("SKIP: {reason}");
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true requires this test to run: {reason}"
    );
}

/// True when `bpftool` runs; otherwise SKIPs (a failure under `CI=true`).
#[allow(dead_code)] // not every test crate needs bpftool
pub fn have_bpftool() -> bool {
    let ok = std::process::Command::new("bpftool")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip("bpftool not found");
    }
    ok
}
