//! Building the C oracles of testdata/oracle (libbpf_maps.c,
//! libbpf_load_maps.c, ...) against libbpf-dev, for the test crates of any
//! workspace member (`#[path]`-included next to a module that has `skip`,
//! the rule of skip.rs, in scope as `super::skip`).
#![allow(dead_code)]

use super::skip;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the C oracle `testdata/oracle/<name>.c` against libbpf-dev into
/// `dir`; `None` (after a SKIP) without gcc or libbpf-dev.
pub fn build_libbpf_oracle(dir: &Path, name: &str) -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/oracle")
        .join(format!("{name}.c"));
    let out = dir.join(name);
    match Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .arg("-lbpf")
        .output()
    {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => {
            skip(&format!(
                "cannot build the libbpf oracle {name} (libbpf-dev missing?): {}",
                String::from_utf8_lossy(&o.stderr)
            ));
            None
        }
        Err(e) => {
            skip(&format!("gcc not runnable: {e}"));
            None
        }
    }
}
