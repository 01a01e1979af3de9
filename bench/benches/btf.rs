//! criterion: parsing the running kernel's BTF.

use bpfc::btf::Btf;
use criterion::{criterion_group, criterion_main, Criterion};

fn btf_parse(c: &mut Criterion) {
    let Ok(data) = std::fs::read("/sys/kernel/btf/vmlinux") else {
        eprintln!("SKIP: /sys/kernel/btf/vmlinux not readable");
        return;
    };
    c.bench_function("btf_parse_vmlinux", |b| {
        b.iter(|| Btf::parse(std::hint::black_box(&data)).unwrap().len())
    });
}

criterion_group!(benches, btf_parse);
criterion_main!(benches);
