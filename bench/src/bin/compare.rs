//! `cargo build --release -p bpfc-cli && cargo run --release -p bpfc-bench --bin compare -- [WHAT] [FILE]`
//!
//! WHAT is `btf-parse`, `btf-dump` or `all` (the default). Measures bpfc and
//! its anchor on the same input in one run and prints both figures and the
//! ratio. Targets come from the issues:
//! - BTF parse + full validation of vmlinux: at most half of libbpf's
//!   `btf__parse` time, peak memory no more than libbpf's.
//! - `bpfc btf dump --format c` of vmlinux: at most half of bpftool's
//!   whole-process time (raw and the default format measured too).

use bpfc::btf::Btf;
use bpfc_bench::{build_anchor, peak_rss_kib, report, run_number, time_per_iter, time_process};
use std::process::Command;

const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map(String::as_str).unwrap_or("all");
    let file = args.get(1).cloned().unwrap_or_else(|| VMLINUX.to_string());
    let result = match what {
        // Internal: one parse in a fresh process, then print peak RSS.
        "btf-parse-mem" => btf_parse_mem(&file),
        "btf-parse" => btf_parse(&file),
        "btf-dump" => btf_dump(&file),
        "all" => btf_parse(&file).and_then(|()| btf_dump(&file)),
        other => Err(format!("unknown benchmark {other}")),
    };
    if let Err(e) = result {
        eprintln!("compare: {e}");
        std::process::exit(1);
    }
}

/// Parse and fully validate BTF already in memory.
fn parse_and_check_bytes(data: &[u8]) -> usize {
    let btf = Btf::parse(data).expect("valid BTF");
    let findings = bpfc::btf::validate::validate(&btf);
    btf.len() + findings.len()
}

/// Read the file and parse (and validate) it, as libbpf's btf__parse reads and parses.
fn parse_and_check(file: &str) -> usize {
    let data = std::fs::read(file).expect("readable BTF");
    parse_and_check_bytes(&data)
}

fn btf_parse(file: &str) -> Result<(), String> {
    let anchor = build_anchor("libbpf_btf_parse")?;
    let iters = 200;
    // From memory: libbpf's btf__new(buf) against Btf::parse(buf) + validation.
    let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let libbpf_mem_ns = run_number(
        Command::new(&anchor)
            .arg("time-mem")
            .arg(file)
            .arg(iters.to_string()),
    )?;
    let ours_mem = time_per_iter(iters, || {
        std::hint::black_box(parse_and_check_bytes(&data));
    });
    report(
        "btf parse+validate, bytes in memory",
        ours_mem.as_secs_f64() * 1e6,
        "libbpf btf__new",
        libbpf_mem_ns / 1e3,
        "us",
        "<= 0.50",
    );
    // From the file: both read it (sysfs refuses mmap, so both copy).
    let libbpf_ns = run_number(
        Command::new(&anchor)
            .arg("time")
            .arg(file)
            .arg(iters.to_string()),
    )?;
    let ours = time_per_iter(iters, || {
        std::hint::black_box(parse_and_check(file));
    });
    report(
        "btf read+parse+validate, from the file",
        ours.as_secs_f64() * 1e6,
        "libbpf btf__parse",
        libbpf_ns / 1e3,
        "us",
        "<= 0.50",
    );
    let libbpf_kib = run_number(Command::new(&anchor).arg("mem").arg(file))?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let ours_kib = run_number(Command::new(me).arg("btf-parse-mem").arg(file))?;
    report(
        "btf parse peak RSS",
        ours_kib / 1024.0,
        "libbpf",
        libbpf_kib / 1024.0,
        "MiB",
        "<= 1.00",
    );
    Ok(())
}

/// Whole-process dump time: `bpfc btf dump` against `bpftool btf dump`, both to /dev/null.
fn btf_dump(file: &str) -> Result<(), String> {
    let bpfc = sibling_binary("bpfc")?;
    let iters = 10;
    for (format, bpftool_args) in [("raw", &[][..]), ("c", &["format", "c"][..])] {
        let ours = time_process(iters, || {
            let mut c = Command::new(&bpfc);
            c.args(["btf", "dump", "--format", format, file]);
            c
        })?;
        let theirs = time_process(iters, || {
            let mut c = Command::new("bpftool");
            c.args(["btf", "dump", "file", file]).args(bpftool_args);
            c
        })?;
        report(
            &format!("btf dump --format {format}, whole process"),
            ours.as_secs_f64() * 1e3,
            "bpftool",
            theirs.as_secs_f64() * 1e3,
            "ms",
            "<= 0.50",
        );
    }
    Ok(())
}

/// A binary of this workspace built with the same profile as this one.
fn sibling_binary(name: &str) -> Result<std::path::PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = me.with_file_name(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: run `cargo build --release -p bpfc-cli` first",
            path.display()
        ))
    }
}

fn btf_parse_mem(file: &str) -> Result<(), String> {
    std::hint::black_box(parse_and_check(file));
    println!("{}", peak_rss_kib());
    Ok(())
}
