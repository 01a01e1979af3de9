//! No input makes the reader panic: real objects cut short at many points
//! and with bytes flipped all over still give an object or an error, and
//! everything the CLI does with an object (the full check with the kernel's
//! BTF rules and, as `--host` does, this machine's kernel; the inspect
//! report in text and JSON, the ABI snapshot, `btf from-dwarf`) ends.

mod object_support;

use bpfc::btf::{dump, validate, Btf};
use bpfc::diag::{check_object, CheckEnv};
use bpfc::object::ObjectSpec;
use bpfc::report::{self, json::InspectDoc};
use object_support::corpus;

/// The checks as `bpfc check --btf --host` runs them (without `--host`
/// where this machine's limits cannot be read): mutated externs and
/// struct_ops types meet the kernel's BTF too. Built once.
fn env() -> &'static CheckEnv {
    static ENV: std::sync::OnceLock<CheckEnv> = std::sync::OnceLock::new();
    ENV.get_or_init(|| CheckEnv {
        validate_btf: true,
        ..CheckEnv::host().unwrap_or_default()
    })
}

fn read_and_check(data: &[u8]) {
    if let Ok(obj) = ObjectSpec::parse(data, "hostile") {
        let findings = check_object(&obj, env());
        let _ = obj.fixed_btf();
        let _ = report::inspect_text("hostile.o", &obj, &findings);
        let _ = serde_json::to_string(&InspectDoc::new("hostile.o", &obj, &findings));
        let _ = report::snapshot(&obj);
    }
    // What `bpfc btf dump` and `bpfc btf check` do with the object's .BTF.
    if let Ok(found) = bpfc::btf::elf::btf_sections(data) {
        let _ = validate::validate_bytes(found.btf.data);
        if let Ok(btf) = Btf::parse(found.btf.data) {
            let _ = dump::raw::dump_raw(&btf, &mut std::io::sink());
            let _ = dump::c::dump_c(&btf, &mut std::io::sink());
            let _ = dump::json::dump_json(&btf, &mut std::io::sink());
        }
    }
    // What `bpfc btf from-dwarf --funcs --vars` does with the object's
    // DWARF (the xdp-tools objects are built with -g).
    let _ = bpfc::dwarf::btf_from_elf(
        data,
        &bpfc::dwarf::FromDwarfOptions {
            funcs: true,
            vars: true,
        },
    )
    .map(|c| c.btf.encode(bpfc::bytes::Endian::Little));
}

/// A few varied objects: BTF maps and globals, legacy maps, both byte orders.
fn samples() -> Option<Vec<Vec<u8>>> {
    let files = corpus()?;
    let wanted = [
        "loader-clang-14-el.elf",
        "loader-clang-14-eb.elf",
        "btf_map_init-el.elf",
        "iproute2_map_compat-eb.elf",
        "xdpdump_xdp.o",
        "xdp-dispatcher.o",
    ];
    Some(
        files
            .iter()
            .filter(|p| wanted.iter().any(|w| p.ends_with(w)))
            .map(|p| std::fs::read(p).unwrap())
            .collect(),
    )
}

#[test]
fn truncated_objects_never_panic() {
    let Some(samples) = samples() else { return };
    for data in &samples {
        // Every byte near the start (headers), then a stride through the rest.
        let cuts = (0..256).chain((256..data.len()).step_by(7));
        for cut in cuts {
            read_and_check(&data[..cut]);
        }
    }
}

#[test]
fn corrupted_objects_never_panic() {
    let Some(samples) = samples() else { return };
    // A cheap deterministic generator (no dependency on a random crate).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for data in &samples {
        for _ in 0..300 {
            let mut bad = data.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bad.len() as u64) as usize;
                bad[at] = match next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    2 => bad[at] ^ (1 << (next() % 8)),
                    _ => next() as u8,
                };
            }
            read_and_check(&bad);
        }
    }
}

#[test]
fn not_elf_and_32_bit_are_errors() {
    use bpfc::object::ObjectError;
    assert!(matches!(
        ObjectSpec::parse(b"", "x"),
        Err(ObjectError::NotElf { .. })
    ));
    assert!(matches!(
        ObjectSpec::parse(b"\x7fELF", "x"),
        Err(ObjectError::NotElf { .. })
    ));
    assert!(matches!(
        ObjectSpec::parse(b"not an object at all, just text", "x"),
        Err(ObjectError::NotElf { .. })
    ));
    let mut elf32 = vec![0u8; 52];
    elf32[..4].copy_from_slice(b"\x7fELF");
    elf32[4] = 1; // ELFCLASS32
    elf32[5] = 1;
    assert_eq!(
        ObjectSpec::parse(&elf32, "x").unwrap_err(),
        ObjectError::Not64Bit
    );
}

/// A long soak over every corpus object, for hunting rather than for CI:
/// `BPFC_SOAK_ITERS=2000000 BPFC_SOAK_SEED=7 cargo test --release -p bpfc
/// --test object_hostile -- --ignored --nocapture`. Each case mutates a
/// few bytes or words (with the values headers are most sensitive to) or
/// cuts the file short; a case that panics is written to the temp dir and
/// named at the end. (A stack overflow aborts the process instead: rerun
/// with the same seed and BPFC_SOAK_FROM to bisect.)
#[test]
#[ignore]
fn soak() {
    let Some(files) = corpus() else { return };
    let env_num = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let iters = env_num("BPFC_SOAK_ITERS", 100_000);
    let from = env_num("BPFC_SOAK_FROM", 0);
    let mut state = env_num("BPFC_SOAK_SEED", 1) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let samples: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let words = [
        0u32,
        1,
        2,
        0xfffe,
        0x1_0000,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
    ];
    let mut failures = Vec::new();
    for i in 0..iters {
        let (name, data) = &samples[(next() % samples.len() as u64) as usize];
        let mut bad = data.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bad.len().max(1) as u64) as usize;
            match next() % 6 {
                0 => bad.truncate(at),
                1 | 2 => {
                    if let Some(b) = bad.get_mut(at) {
                        *b = next() as u8;
                    }
                }
                _ => {
                    let w = words[(next() % words.len() as u64) as usize].to_le_bytes();
                    let at = at & !3;
                    if let Some(slot) = bad.get_mut(at..at + 4) {
                        slot.copy_from_slice(&w);
                    }
                }
            }
        }
        if i < from {
            continue;
        }
        let run = std::panic::catch_unwind(|| read_and_check(&bad));
        if run.is_err() {
            let out = std::env::temp_dir().join(format!("bpfc-soak-{i}.o"));
            std::fs::write(&out, &bad).unwrap();
            failures.push(format!("case {i} (from {name}): {}", out.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
