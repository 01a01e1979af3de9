//! Compile-fail tests: every error `#[bpf_map]` and `#[derive(Pod)]` report,
//! with the rendered diagnostics kept next to each case (`ui/*.stderr`; set
//! TRYBUILD=overwrite to regenerate, then read every span).

#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
