//! criterion: reading and checking BPF objects, split the way the
//! side-by-side `compare check` reports them (read, parse, check), over the
//! corpus `compare` uses (cilium/ebpf test objects and xdp-tools' objects).
//! Throughput is in objects: criterion's per-iteration time divided by the
//! element count is the time per object.

use bpfc::diag::{check_object, CheckEnv};
use bpfc::object::{object_name_from_path, FileBuffer, ObjectSpec};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};

const CORPUS: &[(&str, &str)] = &[
    (
        "/usr/share/gocode/src/github.com/cilium/ebpf/testdata",
        ".elf",
    ),
    (
        "/usr/share/gocode/src/github.com/cilium/ebpf/btf/testdata",
        ".elf",
    ),
    ("/usr/lib/x86_64-linux-gnu/bpf", ".o"),
];

/// Every corpus object bpfc reads, with its bytes and libbpf's name for it.
fn corpus() -> Vec<(PathBuf, String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = CORPUS
        .iter()
        .flat_map(|(dir, suffix)| {
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(move |p| p.to_string_lossy().ends_with(suffix))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let data = std::fs::read(&p).ok()?;
            let name = object_name_from_path(&p.to_string_lossy());
            ObjectSpec::parse(&data, &name).ok()?;
            Some((p, name, data))
        })
        .collect()
}

fn objects(c: &mut Criterion) {
    let corpus = corpus();
    if corpus.is_empty() {
        eprintln!("SKIP: no cilium/ebpf or xdp-tools objects installed");
        return;
    }
    let mut group = c.benchmark_group("object");
    group.throughput(Throughput::Elements(corpus.len() as u64));

    let mut buf = FileBuffer::new();
    group.bench_function("read", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|(p, _, _)| buf.read(Path::new(p)).map_or(0, <[u8]>::len))
                .sum::<usize>()
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|(_, name, data)| {
                    ObjectSpec::parse(black_box(data), name).map_or(0, |o| o.maps.len())
                })
                .sum::<usize>()
        })
    });
    let parsed: Vec<ObjectSpec<'_>> = corpus
        .iter()
        .filter_map(|(_, name, data)| ObjectSpec::parse(data, name).ok())
        .collect();
    let env = CheckEnv::default();
    group.bench_function("check", |b| {
        b.iter(|| {
            parsed
                .iter()
                .map(|o| check_object(black_box(o), &env).len())
                .sum::<usize>()
        })
    });
    group.bench_function("read_parse_check", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, _, _) in &corpus {
                let file = p.to_string_lossy();
                let Ok(data) = buf.read(p) else { continue };
                if let Ok(o) = ObjectSpec::parse(data, object_name_from_path(&file)) {
                    n += check_object(&o, &env).len() + o.maps.len();
                }
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, objects);
criterion_main!(benches);
