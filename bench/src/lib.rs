//! Side-by-side benchmark support: run an anchor (libbpf, bpftool) and bpfc on
//! the same input in one process run, print both figures and the ratio.
//!
//! Figures come from the machine as it is at that moment, so the anchor is
//! always measured in the same run rather than quoted from elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Compiles a C anchor from `bench/anchors/` against libbpf into a temp dir.
pub fn build_anchor(name: &str) -> Result<PathBuf, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("anchors")
        .join(format!("{name}.c"));
    let out = std::env::temp_dir().join(format!("bpfc-anchor-{name}"));
    let status = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .arg("-lbpf")
        .status()
        .map_err(|e| format!("gcc: {e}"))?;
    if !status.success() {
        return Err(format!("gcc failed to build {}", src.display()));
    }
    Ok(out)
}

/// Runs a command and parses its single-number stdout.
pub fn run_number(cmd: &mut Command) -> Result<f64, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("{cmd:?} printed no number: {e}"))
}

/// Mean wall time of `f` over `iters` runs, after one warm-up run.
pub fn time_per_iter(iters: u32, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed() / iters
}

/// Mean wall time of a whole process run.
pub fn time_process(iters: u32, mut make: impl FnMut() -> Command) -> Result<Duration, String> {
    let mut run = || -> Result<(), String> {
        let st = make()
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        st.success()
            .then_some(())
            .ok_or("process failed".to_string())
    };
    run()?;
    let start = Instant::now();
    for _ in 0..iters {
        run()?;
    }
    Ok(start.elapsed() / iters)
}

/// Peak resident set size of this process, in KiB.
pub fn peak_rss_kib() -> u64 {
    // /proc/self/status VmHWM is the high-water mark of RSS.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// One line of a side-by-side report: `what: bpfc X, anchor Y, ratio Z (target T)`.
/// The ratio has three decimals, so one just over a target does not print as on it.
pub fn report(what: &str, ours: f64, anchor_name: &str, anchor: f64, unit: &str, target: &str) {
    let ratio = if anchor > 0.0 {
        ours / anchor
    } else {
        f64::NAN
    };
    println!(
        "{what}: bpfc {ours:.1} {unit}, {anchor_name} {anchor:.1} {unit}, ratio {ratio:.3} (target {target})"
    );
}
