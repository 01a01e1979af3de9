//! The running kernel as the oracle for whole objects: libbpf loads each
//! object's BTF and creates every map for real (testdata/oracle/
//! libbpf_load.c turns every program's autoload off), and `check_object`
//! must agree. A map the kernel refuses needs an error finding, or a
//! warning that names the errno libbpf fails with (bpfc's policy for what
//! only libbpf refuses, diag::Severity); an object bpfc finds no error in
//! must load.
//!
//! When the kernel refuses a map's BTF, libbpf says so ("Retrying without
//! BTF") and creates the map without it, so the load succeeds: bpfc must
//! still report the kernel's errno (a warning at least), and an error is
//! then accepted only if it is that refusal (a special field the map
//! cannot hold without its BTF).
//!
//! The corpus is testdata/c/kernel_refusals.bpf.c: its baseline and one
//! variant per disagreement found by differential runs over real objects,
//! judged with `CheckEnv::host()` (this machine's limits, kernel symbols
//! and config), as `bpfc check --host` judges objects on the machine that
//! loads them. Extern and struct_ops findings must quote libbpf's errno
//! and words.

mod object_support;

use bpfc::diag::{check_object, Actor, CheckEnv, Code, Finding, Severity};
use bpfc::maps::rules::MAX_NUMNODES;
use bpfc::object::ObjectSpec;
use object_support::{build_libbpf_oracle, compile_into, name_of, skip};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variants of kernel_refusals.bpf.c (the `-D` definitions); `None` is
/// the baseline. The host-dependent ones are added by [`variants`].
const VARIANTS: &[Option<&str>] = &[
    None,
    Some("HASH_OF_MAPS_NO_COMMON_LRU"),
    Some("TOKEN_FD_FLAG"),
    Some("ARRAY_OF_MAPS_WITHOUT_INNER"),
    Some("HASH_OF_MAPS_WITHOUT_INNER"),
    Some("CGROUP_STORAGE_KEY_SECOND_MEMBER_U64"),
    Some("CGROUP_STORAGE_KEY_8_BYTE_STRUCT"),
    Some("SPIN_LOCK_IN_PERCPU_ARRAY"),
    Some("CPUMAP_ENTRIES=8193"),
    Some("NUMA_NODE=1024"),
    Some("KCONFIG_MISSING"),
    Some("KCONFIG_WRONG_TYPE"),
    Some("KSYM_VAR_MISSING"),
    Some("KSYM_FUNC_MISSING"),
    Some("KSYM_TYPELESS_MISSING"),
    Some("KSYM_VAR_WRONG_TYPE"),
    Some("KSYM_FUNC_WRONG_PROTO"),
    Some("STRUCT_OPS_UNKNOWN"),
];

/// [`VARIANTS`] and the limits of the running machine one past its edge:
/// a cpumap one entry over NR_CPUS, and the first NUMA node not online.
/// The objects are judged with `CheckEnv::host()`, as `bpfc check --host`
/// judges them on the machine that loads them.
fn variants(env: &CheckEnv) -> Vec<Option<String>> {
    let mut all: Vec<Option<String>> = VARIANTS.iter().map(|v| v.map(String::from)).collect();
    if let Some(n) = env.kernel.nr_cpus {
        all.push(Some(format!("CPUMAP_ENTRIES={}", n + 1)));
    }
    if let Some(online) = env.kernel.numa_online {
        if let Some(node) = (0..MAX_NUMNODES).find(|&n| !online.contains(n)) {
            all.push(Some(format!("NUMA_NODE={node}")));
        }
    }
    all
}

/// What libbpf said about one object.
struct Load {
    stage: String,
    /// 0, or libbpf's negative errno.
    error: i64,
    log: String,
}

/// One [`Load`] per file; `flags` go first (`--programs`: load the
/// programs too).
fn load(oracle: &Path, flags: &[&str], files: &[PathBuf]) -> Vec<Load> {
    let out = Command::new(oracle)
        .args(flags)
        .args(files)
        .output()
        .expect("oracle runs");
    assert!(out.status.success(), "oracle failed: {out:?}");
    let loads: Vec<Load> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("oracle prints JSON lines");
            Load {
                stage: v["stage"].as_str().unwrap().to_string(),
                error: v["error"].as_i64().unwrap(),
                log: v["log"].as_str().unwrap().to_string(),
            }
        })
        .collect();
    assert_eq!(loads.len(), files.len(), "one line per file");
    loads
}

/// The errno of the BTF refusal libbpf logged before retrying without BTF
/// ("Error in bpf_create_map_xattr(m):Invalid argument(-22). Retrying
/// without BTF."), if any.
fn btf_retry_errno(log: &str) -> Option<i64> {
    let line = log.lines().find(|l| l.contains("Retrying without BTF"))?;
    let before = line.split("). Retrying").next()?;
    before.rsplit('(').next()?.parse::<i64>().ok().map(|n| -n)
}

/// Whether `f` names the kernel failing with `errno`.
fn names_kernel_errno(f: &Finding, errno: i64) -> bool {
    f.effects.iter().any(|e| {
        e.actor == Actor::Kernel && e.errno.is_some_and(|n| i64::from(n.number()) == errno)
    })
}

/// The findings that account for libbpf failing with `errno`.
fn explaining(findings: &[Finding], errno: i64) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error
                || (f.severity == Severity::Warning
                    && f.effects.iter().any(|e| {
                        e.actor == Actor::Libbpf
                            && e.errno.is_some_and(|n| i64::from(n.number()) == errno)
                    }))
        })
        .collect()
}

#[test]
fn kernel_creates_the_maps_exactly_when_bpfc_finds_no_error() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(tmp.path(), "libbpf_load") else {
        return;
    };
    let env = CheckEnv::host().expect("sysfs and procfs are readable");
    let mut files = Vec::new();
    for v in variants(&env) {
        let define = v.as_ref().map(|d| format!("-D{d}"));
        let args: Vec<&str> = define.iter().map(String::as_str).collect();
        let tag = v.as_deref().unwrap_or("baseline").replace('=', "_");
        let name = format!("kernel_refusals_{tag}.bpf.o");
        let Some(obj) = compile_into(tmp.path(), "kernel_refusals.bpf.c", &args, &name) else {
            return;
        };
        files.push(obj);
    }
    let loads = load(&oracle, &[], &files);
    if loads[0].error != 0 {
        // The baseline is valid: a failure here is the environment (no
        // bpf(2), no CAP_BPF), not a rule.
        skip(&format!(
            "the kernel refuses even the baseline ({}): {}",
            loads[0].error, loads[0].log
        ));
        return;
    }
    let mut problems = Vec::new();
    for (path, load) in files.iter().zip(&loads) {
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path)).unwrap();
        let findings = check_object(&obj, &env);
        let name = path.file_name().unwrap().to_string_lossy();
        let retry = btf_retry_errno(&load.log);
        if let Some(errno) = retry {
            let told = findings
                .iter()
                .any(|f| f.severity >= Severity::Warning && names_kernel_errno(f, errno));
            if !told {
                problems.push(format!(
                    "{name}: the kernel refuses the BTF ({}), bpfc reports {:#?}",
                    load.log.trim(),
                    findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()
                ));
            }
        }
        if load.error == 0 {
            // An error for a BTF refusal must say what libbpf does instead.
            let excused = |f: &Finding| {
                retry.is_some_and(|n| names_kernel_errno(f, n))
                    && f.effects
                        .iter()
                        .any(|e| e.actor == Actor::Libbpf && e.message.contains("without BTF"))
            };
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.is_error() && !excused(f))
                .map(|f| f.to_string())
                .collect();
            if !errors.is_empty() {
                problems.push(format!(
                    "{name}: the kernel creates every map, bpfc reports {errors:#?}"
                ));
            }
        } else if let Some(f) = findings.iter().find(|f| {
            matches!(
                f.code,
                Code::ExternMissingOnHost | Code::StructOpsNotInKernel
            ) && f.is_error()
        }) {
            // What --host finds in the kernel quotes libbpf: its errno and
            // its words.
            let said = f.effects.iter().find(|e| e.actor == Actor::Libbpf);
            let agrees = said.is_some_and(|e| {
                e.errno
                    .is_some_and(|n| i64::from(n.number()) == -load.error)
                    && load.log.contains(&*e.message)
            });
            if !agrees {
                problems.push(format!(
                    "{name}: libbpf fails with {}: {}; bpfc says {f}",
                    load.error,
                    load.log.trim()
                ));
            }
        } else if explaining(&findings, -load.error).is_empty() {
            problems.push(format!(
                "{name}: libbpf {} fails with {}: {}; bpfc reports {:#?}",
                load.stage,
                load.error,
                load.log.trim(),
                findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every variant is one the kernel refuses (otherwise it tests nothing),
    // and the baseline's BTF is accepted as it is.
    assert_eq!(btf_retry_errno(&loads[0].log), None, "{}", loads[0].log);
    for (v, load) in VARIANTS.iter().zip(&loads).skip(1) {
        assert!(
            load.error != 0 || btf_retry_errno(&load.log).is_some(),
            "{v:?} loads: the variant no longer exercises a refusal"
        );
    }
}

/// Externs declared with the kernel's own types (testdata/c/
/// host_kernel_types.bpf.c, built against a vmlinux.h of this kernel):
/// libbpf loads the object here, and `CheckEnv::host()` finds nothing
/// wrong with its externs, typed variables and kfuncs included.
#[test]
fn externs_declared_with_the_kernels_own_types_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(tmp.path(), "libbpf_load") else {
        return;
    };
    let header = match Command::new("bpftool")
        .args([
            "btf",
            "dump",
            "file",
            "/sys/kernel/btf/vmlinux",
            "format",
            "c",
        ])
        .output()
    {
        Ok(o) if o.status.success() => o.stdout,
        other => {
            skip(&format!("bpftool cannot write vmlinux.h: {other:?}"));
            return;
        }
    };
    std::fs::write(tmp.path().join("vmlinux.h"), header).unwrap();
    let include = tmp.path().to_str().unwrap();
    let Some(obj_path) = compile_into(
        tmp.path(),
        "host_kernel_types.bpf.c",
        &["-I", include],
        "host_kernel_types.bpf.o",
    ) else {
        return;
    };
    let load = &load(&oracle, &[], std::slice::from_ref(&obj_path))[0];
    if load.error != 0 {
        skip(&format!(
            "libbpf does not load it here ({}): {}",
            load.error, load.log
        ));
        return;
    }
    let data = std::fs::read(&obj_path).unwrap();
    let obj = ObjectSpec::parse(&data, name_of(&obj_path)).unwrap();
    assert!(!obj.externs.is_empty());
    let env = CheckEnv::host().expect("sysfs and procfs are readable");
    let host_findings: Vec<String> = check_object(&obj, &env)
        .iter()
        .filter(|f| {
            matches!(
                f.code,
                Code::ExternMissingOnHost | Code::StructOpsNotInKernel
            )
        })
        .map(|f| f.to_string())
        .collect();
    assert!(host_findings.is_empty(), "{host_findings:#?}");
}

/// Program names against `BPF_PROG_LOAD`: program_names.bpf.c compiled once
/// per name (an asm label) and loaded by libbpf with its program. BPFC-P008
/// must be reported exactly when the kernel refuses the load, with its
/// errno; only the first 15 characters count, as libbpf cuts the name there.
#[test]
fn program_names_are_judged_as_the_kernel_judges_them() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(tmp.path(), "libbpf_load") else {
        return;
    };
    // (name, whether the kernel refuses it)
    let names = [
        ("plain_name", false),
        ("dotted.name_1", false),
        ("bad$name", true),
        ("bad-name", true),
        // '$' is the 14th character: inside what the kernel sees.
        ("fourteen_char$x", true),
        // '$' is the 16th: cut off before the kernel sees it.
        ("fifteen_chars_x$tail", false),
    ];
    let mut files = Vec::new();
    for (i, (name, _)) in names.iter().enumerate() {
        let define = format!("-DPROG_NAME=\"{name}\"");
        let Some(obj) = compile_into(
            tmp.path(),
            "program_names.bpf.c",
            &[&define],
            &format!("program_names_{i}.bpf.o"),
        ) else {
            return;
        };
        files.push(obj);
    }
    let loads = load(&oracle, &["--programs"], &files);
    if loads[0].error != 0 {
        skip(&format!(
            "the kernel refuses even a plain XDP program ({}): {}",
            loads[0].error, loads[0].log
        ));
        return;
    }
    let env = CheckEnv::default();
    for ((name, refused), (path, load)) in names.iter().zip(files.iter().zip(&loads)) {
        assert_eq!(
            load.error != 0,
            *refused,
            "{name}: libbpf {}: {}",
            load.error,
            load.log
        );
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path)).unwrap();
        let findings = check_object(&obj, &env);
        let found: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.code == Code::ProgramName)
            .collect();
        if *refused {
            assert_eq!(load.error, -22, "{name}: {}", load.log);
            assert!(
                load.log.contains(&format!("prog '{name}'")),
                "{name}: {}",
                load.log
            );
            assert_eq!(found.len(), 1, "{name}: {findings:#?}");
            assert!(found[0].is_error());
            assert!(names_kernel_errno(found[0], -load.error), "{:#?}", found[0]);
        } else {
            assert!(found.is_empty(), "{name}: {found:#?}");
            assert!(
                !findings.iter().any(|f| f.is_error()),
                "{name}: {findings:#?}"
            );
        }
    }
}
