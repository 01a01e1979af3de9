//! criterion: validating the running kernel's BTF.
//!
//! `cargo bench -p bpfc-bench --bench btf_validate` measures parse alone,
//! validation alone (on already parsed BTF) and both together.
//!
//! For counting instructions, which is steadier than wall time on a shared
//! machine, set `BPFC_VALIDATE_LOOPS=N` to skip criterion and just parse and
//! validate N times:
//! `BPFC_VALIDATE_LOOPS=100 perf stat -e instructions target/release/deps/btf_validate-*`
//! (`BPFC_VALIDATE_FILE` picks another BTF file than the running kernel's).

use bpfc::btf::validate::validate;
use bpfc::btf::Btf;
use criterion::{criterion_group, Criterion};
use std::hint::black_box;

const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

fn vmlinux() -> Option<Vec<u8>> {
    match std::fs::read(VMLINUX) {
        Ok(data) => Some(data),
        Err(e) => {
            eprintln!("SKIP: {VMLINUX} not readable: {e}");
            None
        }
    }
}

fn btf_validate(c: &mut Criterion) {
    let Some(data) = vmlinux() else { return };
    let btf = Btf::parse(&data).expect("the running kernel's BTF parses");
    c.bench_function("btf_parse_vmlinux", |b| {
        b.iter(|| Btf::parse(black_box(&data)).unwrap().len())
    });
    c.bench_function("btf_validate_vmlinux", |b| {
        b.iter(|| validate(black_box(&btf)).len())
    });
    c.bench_function("btf_parse_validate_vmlinux", |b| {
        b.iter(|| validate(&Btf::parse(black_box(&data)).unwrap()).len())
    });
}

criterion_group!(benches, btf_validate);

/// Parses and validates `loops` times, without criterion's own work in the
/// way of an instruction count.
fn plain_loops(loops: u32) {
    let data = match std::env::var("BPFC_VALIDATE_FILE") {
        Ok(file) => std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}")),
        Err(_) => match vmlinux() {
            Some(data) => data,
            None => return,
        },
    };
    let mut findings = 0;
    for _ in 0..loops {
        findings += validate(&Btf::parse(black_box(&data)).unwrap()).len();
    }
    println!("{loops} parse+validate runs, {findings} findings");
}

fn main() {
    if let Some(loops) = std::env::var("BPFC_VALIDATE_LOOPS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        plain_loops(loops);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
