//! bpfc's map list against libbpf's, object by object.
//!
//! The oracle is testdata/oracle/libbpf_maps.c, built here against
//! libbpf-dev (1.1 on this system): it opens each object with
//! `bpf_object__open_file` and prints every map libbpf lists (name, type,
//! key_size, value_size, max_entries, map_flags, numa_node, map_extra,
//! internal) or the error code. The corpus is every cilium/ebpf test object
//! (both byte orders), every xdp-tools object, the bundled example, every C
//! fixture in testdata/c (each `-D` variant it declares) compiled with
//! clang-19, and `ADJUSTMENTS` below.
//!
//! For each object libbpf opens, bpfc's maps (internal maps included, in
//! libbpf's order) must equal libbpf's field by field. bpfc reports what
//! the object defines; where libbpf already changed a number by the time
//! `bpf_object__open` returns, the comparison applies libbpf's rule to
//! bpfc's number explicitly and requires a finding telling the user:
//!
//! - ring buffers: libbpf rounds `max_entries` up to a power-of-two number
//!   of pages at open (`adjust_ringbuf_sz`). bpfc keeps the declared size,
//!   because that is what the file says (a snapshot of it must not depend
//!   on the page size of the machine that ran bpfc) and cilium/ebpf does
//!   not round; the finding BPFC-K014/K015 gives libbpf's number.
//! - BPF_F_MMAPABLE on global-data maps: libbpf decides it at open (a
//!   non-static variable in the DATASEC), and so does bpfc: the flag is
//!   part of the map's definition from then on, so they must simply agree.
//! - perf event arrays with `max_entries` 0: libbpf sizes them by the
//!   possible CPUs when it creates the map (load), so at open both say 0;
//!   bpfc adds the note BPFC-K014.
//!
//! For each object libbpf refuses, bpfc must report a finding naming
//! libbpf's errno: legacy `maps` sections (EOPNOTSUPP, BPFC-L001 at warning
//! level because cilium/ebpf still reads them), unresolvable externs,
//! bad `.maps` definitions (at error level), and foreign byte order
//! (LIBBPF_ERRNO__ENDIAN, BPFC-E001, a note: the object is fine on a host
//! of its byte order). A big-endian object must then give the same maps as
//! its little-endian twin.

mod object_support;

use bpfc::diag::{check_object, Actor, CheckEnv, Code, Finding, Severity, Subject};
use bpfc::maps::{rules, MapSource, MapSpec, MapType};
use bpfc::object::ObjectSpec;
use object_support::{build_libbpf_oracle, corpus, name_of, skip};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Loader adjustments no checked-in fixture exercises: a ring buffer libbpf
/// must round, a user ring buffer likewise, a perf event array left at 0
/// entries, and global data with and without non-static variables (the
/// MMAPABLE rule). Compiled like the fixtures.
const ADJUSTMENTS: &str = r#"
#include "bpfc_fixture.h"
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 5000); } rb_odd SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 3 * 4096); } urb_odd SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 8 * 4096); } rb_ok SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } perf_zero SEC(".maps");
int global_counter = 1;                       /* .data: MMAPABLE */
static volatile int static_only;              /* .bss: static only, not MMAPABLE */
__hidden int hidden_only SEC(".data.hidden") = 3; /* hidden counts as static */
const volatile int config_value = 7;          /* .rodata: RDONLY_PROG | MMAPABLE */
SEC("xdp")
int prog(void *ctx)
{
	static_only++;
	return global_counter + hidden_only + config_value +
	       (bpf_map_lookup_elem(&rb_odd, 0) != 0) + (bpf_map_lookup_elem(&urb_odd, 0) != 0) +
	       (bpf_map_lookup_elem(&rb_ok, 0) != 0) + (bpf_map_lookup_elem(&perf_zero, 0) != 0);
}
char _license[] SEC("license") = "GPL";
"#;

/// One map as libbpf reports it after `bpf_object__open_file`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LibbpfMap {
    name: String,
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    numa_node: u32,
    map_extra: u64,
    internal: bool,
}

impl LibbpfMap {
    fn from_json(v: &Value) -> LibbpfMap {
        let u = |k: &str| {
            v[k].as_u64()
                .unwrap_or_else(|| panic!("oracle field {k}: {v}"))
        };
        LibbpfMap {
            name: v["name"].as_str().expect("name").to_string(),
            map_type: u("type") as u32,
            key_size: u("key_size") as u32,
            value_size: u("value_size") as u32,
            max_entries: u("max_entries") as u32,
            map_flags: u("map_flags") as u32,
            numa_node: u("numa_node") as u32,
            map_extra: u("map_extra"),
            internal: v["internal"].as_bool().expect("internal"),
        }
    }

    /// What libbpf reports for a map bpfc read, by libbpf's open-time rules.
    fn expected(m: &MapSpec, page_size: u64) -> LibbpfMap {
        let max_entries = match m.kind() {
            // adjust_ringbuf_sz at open.
            Some(MapType::Ringbuf | MapType::UserRingbuf) => {
                rules::libbpf_ringbuf_size(m.max_entries, page_size)
            }
            // Perf event arrays are sized at create time, not at open:
            // unchanged here (and the MMAPABLE decision is already in
            // bpfc's map_flags, as in libbpf's).
            _ => m.max_entries,
        };
        LibbpfMap {
            name: m.name.clone(),
            map_type: m.map_type,
            key_size: m.key_size,
            value_size: m.value_size,
            max_entries,
            map_flags: m.map_flags,
            numa_node: m.numa_node,
            map_extra: m.map_extra,
            internal: matches!(m.source, MapSource::Internal { .. }),
        }
    }
}

/// Records a disagreement instead of stopping at the first, so that one run
/// lists them all.
macro_rules! expect {
    ($problems:expr, $cond:expr, $($fmt:tt)*) => {
        if !$cond {
            $problems.push(format!($($fmt)*));
        }
    };
}

/// Disagreements this test knows about and reports instead of failing on,
/// each with the reason; every entry must still occur (a fixed gap fails
/// the test until its entry is removed). Matched as (file name, text in the
/// problem).
const KNOWN_GAPS: &[(&str, &str, &str)] = &[(
    "legacy_maps_subsection.bpf.o",
    "no bpfc finding names that errno",
    "libbpf fails with LIBBPF_ERRNO__RELOC on the program's relocation against a map in \
     the unrecognised section maps/sub ('bad map relo'); the object reader reports the \
     section (BPFC-L002) but not the relocation libbpf refuses",
)];

/// libbpf's version as (major, minor), from pkg-config.
fn libbpf_version() -> Option<(u32, u32)> {
    let out = Command::new("pkg-config")
        .args(["--modversion", "libbpf"])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Features newer than the oracle's libbpf, which bpfc reads the way
/// current libbpf does.
#[derive(Debug, Clone, Copy)]
struct OracleLibbpf {
    /// `.struct_ops.link` (libbpf 1.2): older libbpf skips the section as
    /// unrecognised data, so it lists no map for it.
    struct_ops_link: bool,
    /// `__ulong` enum-encoded attributes (libbpf 1.4): older libbpf
    /// refuses them with EINVAL, which bpfc reports as a note (BPFC-M026)
    /// since current libbpf accepts them.
    ulong: bool,
}

impl OracleLibbpf {
    fn new((major, minor): (u32, u32)) -> OracleLibbpf {
        let at_least = |a: u32, b: u32| (major, minor) >= (a, b);
        OracleLibbpf {
            struct_ops_link: at_least(1, 2),
            ulong: at_least(1, 4),
        }
    }

    /// Whether this libbpf lists map `m` at all.
    fn lists(&self, m: &MapSpec) -> bool {
        match &m.source {
            MapSource::StructOps { section, .. } => {
                self.struct_ops_link
                    || !section
                        .trim_start_matches('?')
                        .starts_with(".struct_ops.link")
            }
            _ => true,
        }
    }
}

/// What the oracle said about one file.
#[derive(Debug)]
enum Verdict {
    Maps(Vec<LibbpfMap>),
    Error(i64),
}

/// Runs the oracle over every file in one process.
fn run_oracle(oracle: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, Verdict> {
    let out = Command::new(oracle)
        .args(files)
        .output()
        .expect("oracle runs");
    assert!(out.status.success(), "oracle failed: {out:?}");
    let mut verdicts = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).expect("oracle prints JSON lines");
        let file = PathBuf::from(v["file"].as_str().unwrap());
        let verdict = match v.get("error") {
            Some(e) => Verdict::Error(e.as_i64().unwrap()),
            None => Verdict::Maps(
                v["maps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(LibbpfMap::from_json)
                    .collect(),
            ),
        };
        verdicts.insert(file, verdict);
    }
    assert_eq!(verdicts.len(), files.len(), "one verdict per file");
    verdicts
}

/// The `-D` switches a fixture declares (`#if defined(X)`, `#ifdef X`).
fn variants(source: &str) -> Vec<String> {
    let mut v = Vec::new();
    for line in source.lines() {
        let line = line.trim_start();
        let mut names: Vec<&str> = line
            .match_indices("defined(")
            .filter_map(|(i, _)| line[i + 8..].split(')').next())
            .collect();
        if let Some(rest) = line.strip_prefix("#ifdef ") {
            names.push(rest.split_whitespace().next().unwrap_or(""));
        }
        for n in names {
            if !n.is_empty() && !v.iter().any(|x| x == n) {
                v.push(n.to_string());
            }
        }
    }
    v
}

/// Compiles every fixture variant (and `ADJUSTMENTS`) into `dir`. Variants
/// that clang refuses are an error, except a fixture's define-less default
/// when it only makes sense with a define.
fn compile_fixtures(dir: &Path) -> Option<Vec<PathBuf>> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/c");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("testdata/c")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bpf.c"))
        .collect();
    sources.sort();
    let adjustments = dir.join("adjustments.bpf.c");
    std::fs::write(&adjustments, ADJUSTMENTS).unwrap();
    sources.push(adjustments);
    let mut out = Vec::new();
    for src in sources {
        let text = std::fs::read_to_string(&src).unwrap();
        let stem = src
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".bpf.c")
            .to_string();
        let mut builds: Vec<(Option<String>, String)> = vec![(None, stem.clone())];
        for d in variants(&text) {
            builds.push((Some(d.clone()), format!("{stem}_{}", d.to_lowercase())));
        }
        for (define, name) in builds {
            let obj = dir.join(format!("{name}.bpf.o"));
            let mut cmd = Command::new("clang-19");
            cmd.args(["-target", "bpf", "-g", "-O2", "-c", "-I"])
                .arg(&fixtures)
                .arg(&src)
                .arg("-o")
                .arg(&obj);
            if let Some(d) = &define {
                cmd.arg(format!("-D{d}"));
            }
            match cmd.output() {
                Ok(o) if o.status.success() => out.push(obj),
                Ok(o) => assert!(
                    define.is_none(),
                    "clang-19 refused {} -D{define:?}: {}",
                    src.display(),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => {
                    skip(&format!("clang-19 not runnable: {e}"));
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// The page size libbpf rounds ring buffers with (`sysconf(_SC_PAGE_SIZE)`).
fn page_size() -> u64 {
    Command::new("getconf")
        .arg("PAGESIZE")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .expect("getconf PAGESIZE")
}

fn findings_for<'f>(findings: &'f [Finding], map: &str) -> impl Iterator<Item = &'f Finding> {
    let subject = Subject::Map(map.to_string());
    findings.iter().filter(move |f| f.subject == subject)
}

/// The state of one run over the corpus: what libbpf and the machine are,
/// what was met, and every disagreement.
struct Comparison {
    page: u64,
    oracle: OracleLibbpf,
    seen: Seen,
    problems: Vec<String>,
}

impl Comparison {
    /// Checks one object libbpf opened.
    fn compare_maps(
        &mut self,
        path: &Path,
        obj: &ObjectSpec<'_>,
        findings: &[Finding],
        theirs: &[LibbpfMap],
    ) {
        let (page, oracle) = (self.page, self.oracle);
        let (seen, problems) = (&mut self.seen, &mut self.problems);
        seen.opened += 1;
        let listed: Vec<&MapSpec> = obj.maps.iter().filter(|m| oracle.lists(m)).collect();
        seen.not_listed_by_old_libbpf += obj.maps.len() - listed.len();
        let ours: Vec<LibbpfMap> = listed
            .iter()
            .map(|m| LibbpfMap::expected(m, page))
            .collect();
        let names = |v: &[LibbpfMap]| v.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
        if names(&ours) != names(theirs) {
            problems.push(format!(
                "{}: maps {:?}, libbpf lists {:?}",
                path.display(),
                names(&ours),
                names(theirs)
            ));
            return;
        }
        for ((m, expected), libbpf) in listed.iter().zip(&ours).zip(theirs) {
            expect!(
                problems,
                expected == libbpf,
                "{}: map {}: bpfc (with libbpf's open-time rules) {expected:?}, libbpf {libbpf:?}",
                path.display(),
                m.name
            );
            let kind = m.kind();
            if kind.is_some_and(MapType::is_ringbuf) && libbpf.max_entries != m.max_entries {
                // bpfc kept the declared size; a finding must give libbpf's number.
                seen.ringbuf_rounded += 1;
                let told = findings_for(findings, &m.name).any(|f| {
                    matches!(
                        f.code,
                        Code::LoaderAdjustsMaxEntries | Code::RingbufSizeRounded
                    ) && f.effects.iter().any(|e| {
                        e.actor == Actor::Libbpf
                            && e.message.contains(&libbpf.max_entries.to_string())
                    })
                });
                expect!(
                    problems,
                    told,
                    "{}: ring buffer {} is rounded by libbpf to {} without a finding saying so",
                    path.display(),
                    m.name,
                    libbpf.max_entries
                );
            }
            if kind == Some(MapType::PerfEventArray) && m.max_entries == 0 {
                seen.perf_zero += 1;
                expect!(
                    problems,
                    findings_for(findings, &m.name)
                        .any(|f| f.code == Code::LoaderAdjustsMaxEntries),
                    "{}: perf event array {} has no note that loaders size it",
                    path.display(),
                    m.name
                );
            }
            if libbpf.internal {
                seen.internal += 1;
                if m.flags().contains(bpfc::maps::MapFlags::MMAPABLE) {
                    seen.mmapable += 1;
                } else {
                    seen.not_mmapable += 1;
                }
            }
        }
        seen.maps += ours.len();
    }

    /// Checks that bpfc explains why libbpf refused an object.
    fn explains_refusal(&mut self, path: &Path, findings: &[Finding], err: i64) {
        let (oracle, problems) = (self.oracle, &mut self.problems);
        self.seen.refused += 1;
        let errno = -err;
        let explaining: Vec<&Finding> = findings
            .iter()
            .filter(|f| {
                f.effects.iter().any(|e| {
                    e.actor == Actor::Libbpf
                        && e.errno.is_some_and(|n| i64::from(n.number()) == errno)
                })
            })
            .collect();
        if explaining.is_empty() {
            let said: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
            problems.push(format!(
            "{}: libbpf refuses it with {err}; no bpfc finding names that errno; bpfc says: {said:#?}",
            path.display()
        ));
            return;
        }
        // Severity follows bpfc's policy (diag::Severity): a byte order is a
        // note (the object is fine on a host of that order); a refusal by
        // libbpf alone is at least a warning (cilium/ebpf may still load it:
        // legacy maps, externs it resolves differently); error when no loader
        // accepts it.
        let worst = explaining
            .iter()
            .map(|f| f.severity)
            .max()
            .expect("not empty");
        let endian = explaining.iter().any(|f| f.code == Code::ForeignByteOrder);
        let too_new = !oracle.ulong
            && explaining
                .iter()
                .any(|f| f.code == Code::MapUlongNeedsNewLibbpf);
        let expected = if endian || too_new {
            Severity::Note
        } else {
            Severity::Warning
        };
        expect!(
            problems,
            worst >= expected,
            "{}: libbpf refuses it ({err}) but bpfc's finding is only a {worst}: {explaining:#?}",
            path.display()
        );
        if worst == Severity::Error {
            self.seen.refused_error += 1;
        }
    }
}

#[derive(Default, Debug)]
struct Seen {
    opened: usize,
    refused: usize,
    /// Refusals bpfc reports at error level (no loader accepts the object).
    refused_error: usize,
    maps: usize,
    ringbuf_rounded: usize,
    perf_zero: usize,
    internal: usize,
    mmapable: usize,
    not_mmapable: usize,
    twins: usize,
    /// bpfc maps of features newer than the oracle's libbpf.
    not_listed_by_old_libbpf: usize,
}

#[test]
fn maps_equal_libbpfs_for_every_object_it_opens() {
    let Some(mut files) = corpus() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(oracle) = build_libbpf_oracle(tmp.path(), "libbpf_maps") else {
        return;
    };
    let Some(fixtures) = compile_fixtures(tmp.path()) else {
        return;
    };
    let n_fixtures = fixtures.len();
    let Some(version) = libbpf_version() else {
        skip("pkg-config cannot tell libbpf's version");
        return;
    };
    let oracle_libbpf = OracleLibbpf::new(version);
    files.extend(fixtures);
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/example/flows.bpf.o"));
    let verdicts = run_oracle(&oracle, &files);
    let oracle = oracle_libbpf;
    let env = CheckEnv::default();
    let mut run = Comparison {
        page: page_size(),
        oracle,
        seen: Seen::default(),
        problems: Vec::new(),
    };

    for path in &files {
        let data = std::fs::read(path).unwrap();
        let obj = ObjectSpec::parse(&data, name_of(path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let findings = check_object(&obj, &env);
        match &verdicts[path] {
            Verdict::Maps(theirs) => run.compare_maps(path, &obj, &findings, theirs),
            Verdict::Error(err) => run.explains_refusal(path, &findings, *err),
        }
    }
    for path in files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("-eb.elf"))
    {
        let twin = PathBuf::from(path.to_string_lossy().replace("-eb.elf", "-el.elf"));
        if twin_maps_equal(path, &twin) {
            run.seen.twins += 1;
        }
    }
    let (seen, problems) = (run.seen, run.problems);
    eprintln!(
        "{seen:?} over {} files ({n_fixtures} fixture builds)",
        files.len()
    );
    let mut unexpected = Vec::new();
    let mut gaps_met = vec![false; KNOWN_GAPS.len()];
    for p in &problems {
        match KNOWN_GAPS
            .iter()
            .position(|(file, text, _)| p.contains(file) && p.contains(text))
        {
            Some(i) => {
                gaps_met[i] = true;
                eprintln!("KNOWN GAP ({}): {p}", KNOWN_GAPS[i].2);
            }
            None => unexpected.push(p.clone()),
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} disagreements with libbpf:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    for (met, (file, text, _)) in gaps_met.iter().zip(KNOWN_GAPS) {
        assert!(
            met,
            "known gap fixed? {file}: {text} no longer occurs; remove it from KNOWN_GAPS"
        );
    }
    // The comparison really ran, and every adjustment case was met.
    assert!(seen.opened >= 30 && seen.maps >= 100, "{seen:?}");
    assert!(seen.refused >= 20 && seen.refused_error >= 10, "{seen:?}");
    assert!(seen.ringbuf_rounded >= 2 && seen.perf_zero >= 2, "{seen:?}");
    assert!(seen.mmapable >= 2 && seen.not_mmapable >= 2, "{seen:?}");
    assert!(seen.twins >= 15, "{seen:?}");
}

/// A big-endian object gives its little-endian twin's maps (read with the
/// twin's object name, so internal map names match). Returns false when
/// there is no twin.
fn twin_maps_equal(eb: &Path, el: &Path) -> bool {
    let Ok(el_data) = std::fs::read(el) else {
        return false;
    };
    let eb_data = std::fs::read(eb).unwrap();
    let name = name_of(el);
    let a = ObjectSpec::parse(&el_data, &name).unwrap();
    let b = ObjectSpec::parse(&eb_data, &name).unwrap();
    let key = |m: &MapSpec| LibbpfMap::expected(m, 4096);
    let ka: Vec<LibbpfMap> = a.maps.iter().map(key).collect();
    let kb: Vec<LibbpfMap> = b.maps.iter().map(key).collect();
    assert_eq!(ka, kb, "{} and {}", el.display(), eb.display());
    true
}
