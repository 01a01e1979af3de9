//! Our own object, end to end through the C toolchain and libbpf:
//!
//! 1. `bpfc build examples/flows` (the README's example: real cargo,
//!    `--offline`, the example's own Cargo.lock) gives an object with the
//!    seven maps, no warning from cargo or from bpfc, and `bpfc check`
//!    finds nothing above a note;
//! 2. `bpfc gen header` of it, included by testdata/c/extern/flows_prog.bpf.c
//!    (an XDP flow monitor) and compiled by clang-19; `bpftool gen object`
//!    links our object (first) with the program; libbpf 1.1 loads the result
//!    (the verifier accepts the program), BPF_PROG_TEST_RUN runs it three
//!    times on an IPv4 TCP packet, and the values it wrote are read back
//!    (testdata/oracle/libbpf_run.c): the flow's stats in the LRU hash, the
//!    per-CPU counters summed over the CPUs, one event in the ring buffer;
//!    entries user space writes first (an ignored prefix in the LPM trie,
//!    the config flags) steer it as the crate documents;
//! 3. the same program on the `--define` header alone, no linking;
//! 4. `bpftool gen skeleton` of our object compiles (`cc -c`) with a tiny
//!    user-space file, which, linked with libbpf, opens and loads our
//!    object on its own (every map created by the kernel).
//!
//! Needs clang-19, bpftool, libbpf-dev and root; without them each step says
//! `SKIP:` (and fails under CI=true).

mod inspect_support;

#[path = "../../core/tests/common/fixture_crate.rs"]
mod fixture_crate;

use inspect_support::{skip, stderr, stdout, BPFC};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const CLANG: &str = "clang-19";
const MULTIARCH: &str = "-I/usr/include/x86_64-linux-gnu";

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .canonicalize()
        .unwrap()
}

/// The scratch directory cli/tests/build.rs also builds in: one target
/// directory, so bpfc and its dependencies compile once for both.
fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bpfc-build")
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// examples/flows built once by `bpfc build` (into the scratch directory,
/// from a copy with its own Cargo.lock); the object's path.
fn flows_object() -> &'static Path {
    static OBJECT: OnceLock<PathBuf> = OnceLock::new();
    OBJECT.get_or_init(|| {
        let krate = fixture_crate::copy_example(
            &root(),
            "examples/flows",
            &scratch().join("examples"),
            false,
        );
        let lock_before = std::fs::read(krate.join("Cargo.lock")).unwrap();
        let out_path = scratch().join("examples/flows.bpf.o");
        let out = run(Command::new(BPFC)
            .arg("build")
            .arg(&krate)
            .arg("-o")
            .arg(&out_path)
            .arg("--target-dir")
            .arg(scratch().join("target"))
            .env("CARGO_NET_OFFLINE", "true")
            .env_remove("CARGO_TARGET_DIR"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "bpfc build examples/flows:\n{err}");
        assert!(
            !err.to_lowercase().contains("warning"),
            "bpfc build examples/flows warned:\n{err}"
        );
        assert!(
            err.contains("Built ") && err.contains(": 7 maps (CONFIG, COUNTERS, EVENTS, EVENT_SCRATCH, FLOWS, IGNORED_NETS, PERF_EVENTS)"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(krate.join("Cargo.lock")).unwrap(),
            lock_before,
            "cargo rewrote examples/flows/Cargo.lock: it is out of date with the workspace's; \
             refresh it (cp Cargo.lock examples/flows/ && bpfc build examples/flows) and commit it"
        );
        out_path
    })
}

#[test]
fn flows_example_builds_clean_and_checks_clean() {
    let obj = flows_object();
    let out = run(Command::new(BPFC)
        .args(["check", "--btf", "--level", "warning"])
        .arg(obj));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no errors, no warnings"),
        "{}",
        stdout(&out)
    );
    // The maps a user reads about in the crate's docs.
    let out = run(Command::new(BPFC).args(["inspect", "--json"]).arg(obj));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let maps: Vec<String> = doc["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {}/{} {} {}",
                m["name"].as_str().unwrap(),
                m["type"].as_str().unwrap(),
                m["key_type"].as_str().unwrap_or("-"),
                m["value_type"].as_str().unwrap_or("-"),
                m["max_entries"],
                m["map_flags"]
            )
        })
        .collect();
    assert_eq!(
        maps,
        [
            "CONFIG array unsigned int/struct Config 1 0",
            "COUNTERS percpu_array unsigned int/struct Counters 1 0",
            "EVENTS ringbuf -/- 262144 0",
            "EVENT_SCRATCH percpu_array unsigned int/struct FlowEvent 1 0",
            "FLOWS lru_hash struct FlowKey/struct FlowStats 65536 0",
            "IGNORED_NETS lpm_trie struct Ipv4Prefix/unsigned int 1024 1",
            "PERF_EVENTS perf_event_array -/- 0 0",
        ]
    );
    assert_eq!(doc["license"], "GPL");
}

/// clang-19 `-g -O2 -target bpf` of `src` with `include` on the path;
/// `None` after a SKIP when clang-19 or the libbpf headers are missing.
fn clang(src: &Path, include: &Path, out: &Path) -> Option<()> {
    if !Path::new("/usr/include/bpf/bpf_helpers.h").exists() {
        skip("libbpf-dev (bpf/bpf_helpers.h) is not installed");
        return None;
    }
    let o = match Command::new(CLANG)
        .args([
            "-g", "-O2", "-target", "bpf", MULTIARCH, "-Wall", "-Werror", "-c",
        ])
        .arg("-I")
        .arg(include)
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            skip(&format!("{CLANG} not runnable: {e}"));
            return None;
        }
    };
    assert!(
        o.status.success(),
        "{CLANG} {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(())
}

fn bpftool(args: &[&std::ffi::OsStr]) -> Option<Output> {
    match Command::new("bpftool").args(args).output() {
        Ok(o) => {
            assert!(
                o.status.success(),
                "bpftool {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            Some(o)
        }
        Err(e) => {
            skip(&format!("bpftool not runnable: {e}"));
            None
        }
    }
}

fn gen_header(obj: &Path, dir: &Path, define: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let mut cmd = Command::new(BPFC);
    cmd.args(["gen", "header"])
        .arg(obj)
        .arg("-o")
        .arg(dir.join("flows.bpf.h"));
    if define {
        cmd.arg("--define");
    }
    let out = run(&mut cmd);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// testdata/oracle/libbpf_run built against the system's libbpf.
fn oracle(dir: &Path) -> Option<PathBuf> {
    let out = dir.join("libbpf_run");
    match Command::new("gcc")
        .args(["-O2", "-Wall", "-o"])
        .arg(&out)
        .arg(root().join("testdata/oracle/libbpf_run.c"))
        .arg("-lbpf")
        .output()
    {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => {
            skip(&format!(
                "cannot build the libbpf oracle (libbpf-dev missing?): {}",
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

/// Ethernet + IPv4 (10.0.0.1 → 10.0.0.2, TCP) + TCP (1234 → 80, SYN),
/// zero-padded to 64 bytes.
fn tcp_packet() -> Vec<u8> {
    let mut p = vec![0u8; 12];
    p.extend([0x08, 0x00]); // ETH_P_IP
    p.extend([0x45, 0, 0, 50, 0, 0, 0, 0, 64, 6, 0, 0]);
    p.extend([10, 0, 0, 1, 10, 0, 0, 2]);
    p.extend(1234u16.to_be_bytes());
    p.extend(80u16.to_be_bytes());
    p.extend([0; 8]);
    p.extend([0x50, 0x02]); // data offset 5, SYN
    p.extend([0; 6]);
    p.resize(64, 0);
    p
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().unwrap())
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap())
}

/// Runs track_flows three times on [`tcp_packet`] in `loaded` through
/// libbpf and checks every map it writes. False after a SKIP when the
/// kernel does not let us load programs.
fn runs_and_fills_the_maps(oracle: &Path, loaded: &Path) -> bool {
    let out = run(Command::new(oracle)
        .arg(loaded)
        .arg("track_flows")
        .arg(format!("hex:{}", hex(&tcp_packet())))
        .args(["FLOWS", "COUNTERS", "EVENTS", "CONFIG", "IGNORED_NETS"])
        .env("LIBBPF_RUN_REPEAT", "3"));
    let text = stdout(&out);
    let log = stderr(&out);
    let load = text.lines().next().unwrap_or("");
    if load == "load -1" || load == "load -13" {
        skip(&format!(
            "the kernel does not let us load programs ({load}): {log}"
        ));
        return false;
    }
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() == 6 && lines[0] == "load 0" && lines[1] == "run 0 retval 2",
        "libbpf_run:\n{text}\nlibbpf says:\n{log}"
    );
    let key = "0a0000010a00000204d2005006000000"; // 10.0.0.1:1234 -> 10.0.0.2:80, TCP, pad 0
    let field = |prefix: &str, tag: &str| -> Vec<u8> {
        let line = lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line:\n{text}"));
        let (_, v) = line
            .split_once(&format!(" {tag} "))
            .unwrap_or_else(|| panic!("{line}"));
        unhex(v)
    };

    // FLOWS[key] = FlowStats { packets 3, bytes 192, first/last seen, SYN }.
    let stats = field(&format!("map FLOWS key {key} "), "value");
    assert_eq!(stats.len(), 40, "{text}");
    assert_eq!(u64_at(&stats, 0), 3, "packets: {text}");
    assert_eq!(u64_at(&stats, 8), 3 * 64, "bytes: {text}");
    let (first, last) = (u64_at(&stats, 16), u64_at(&stats, 24));
    assert!(first > 0 && last >= first, "seen: {text}");
    assert_eq!(
        &stats[32..],
        &[2, 0, 0, 0, 0, 0, 0, 0],
        "tcp_flags, pad: {text}"
    );

    // COUNTERS[0], summed over the CPUs: packets, bytes, not_tracked,
    // ignored, new_flows, events_dropped.
    let counters = field("map COUNTERS key 00000000 ", "sum");
    let counters: Vec<u64> = (0..6).map(|i| u64_at(&counters, 8 * i)).collect();
    assert_eq!(counters, [3, 192, 0, 0, 1, 0], "{text}");

    // One FlowEvent, for the first packet.
    let events: Vec<&&str> = lines.iter().filter(|l| l.starts_with("ringbuf ")).collect();
    assert_eq!(events.len(), 1, "{text}");
    let event = field("ringbuf EVENTS sample ", "sample");
    assert_eq!(event.len(), 40, "{text}");
    assert_eq!(hex(&event[..16]), key, "{text}");
    assert_eq!(u32_at(&event, 16), 1, "kind FLOW_EVENT_NEW: {text}");
    assert_eq!(u64_at(&event, 24), first, "ts_ns: {text}");
    assert_eq!(u32_at(&event, 32), 64, "packet_len: {text}");
    assert_eq!(u32_at(&event, 36), 0, "pad: {text}");

    // Untouched: the default config, no ignored prefixes.
    assert!(
        lines.contains(&"map CONFIG key 00000000 value 0000000000000000"),
        "{text}"
    );
    assert!(!text.contains("IGNORED_NETS"), "{text}");
    true
}

/// flows_prog.bpf.c compiled against the extern header of our object and
/// linked with it (our object first) in `dir`; `None` after a SKIP.
fn linked_program(obj: &Path, dir: &Path) -> Option<PathBuf> {
    gen_header(obj, dir, false);
    let header = std::fs::read_to_string(dir.join("flows.bpf.h")).unwrap();
    assert!(header.contains("extern struct {"), "{header}");
    assert!(header.contains("struct FlowEvent {"), "{header}");
    let prog_o = dir.join("prog.bpf.o");
    clang(
        &root().join("testdata/c/extern/flows_prog.bpf.c"),
        dir,
        &prog_o,
    )?;
    let linked = dir.join("linked.bpf.o");
    bpftool(&[
        "gen".as_ref(),
        "object".as_ref(),
        linked.as_os_str(),
        obj.as_os_str(),
        prog_o.as_os_str(),
    ])?;
    Some(linked)
}

#[test]
fn c_program_links_with_our_object_loads_and_runs() {
    let obj = flows_object();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // Extern header, linked.
    let Some(linked) = linked_program(obj, &d.join("extern")) else {
        return;
    };
    // The linked object has our maps, defined once, and the program.
    let out = run(Command::new(BPFC).args(["inspect", "--json"]).arg(&linked));
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["maps"].as_array().unwrap().len(), 7, "{doc}");
    let prog = &doc["programs"][0];
    assert_eq!(prog["name"], "track_flows", "{doc}");
    let used: Vec<&str> = prog["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for m in [
        "COUNTERS",
        "CONFIG",
        "IGNORED_NETS",
        "FLOWS",
        "EVENTS",
        "EVENT_SCRATCH",
        "PERF_EVENTS",
    ] {
        assert!(used.contains(&m), "{m} not used by the program: {used:?}");
    }

    let Some(oracle) = oracle(d) else {
        return;
    };
    if !runs_and_fills_the_maps(&oracle, &linked) {
        return;
    }

    // `--define` header: the program's own object defines the maps.
    let def = d.join("define");
    gen_header(obj, &def, true);
    let own = def.join("prog.bpf.o");
    clang(
        &root().join("testdata/c/extern/flows_prog.bpf.c"),
        &def,
        &own,
    )
    .unwrap();
    assert!(runs_and_fills_the_maps(&oracle, &own));
}

/// One run of track_flows on `packet` after writing `set` (libbpf_run's
/// LIBBPF_RUN_SET): the FLOWS lines, the summed counters, the number of
/// ring buffer records. `None` after a SKIP.
fn run_once(
    oracle: &Path,
    loaded: &Path,
    packet: &[u8],
    set: &str,
) -> Option<(Vec<String>, Vec<u64>, usize)> {
    let out = run(Command::new(oracle)
        .arg(loaded)
        .arg("track_flows")
        .arg(format!("hex:{}", hex(packet)))
        .args(["FLOWS", "COUNTERS", "EVENTS"])
        .env("LIBBPF_RUN_SET", set));
    let text = stdout(&out);
    if text.starts_with("load -1") || text.starts_with("load -13") {
        skip(&format!("the kernel does not let us load programs: {text}"));
        return None;
    }
    assert!(
        text.contains("run 0 retval 2\n") && out.status.success(),
        "{text}\n{}",
        stderr(&out)
    );
    if !set.is_empty() {
        for entry in set.split(' ') {
            let map = entry.split(':').next().unwrap();
            assert!(text.contains(&format!("set {map} 0\n")), "{text}");
        }
    }
    let flows = text
        .lines()
        .filter(|l| l.starts_with("map FLOWS "))
        .map(str::to_string)
        .collect();
    let (_, sum) = text
        .lines()
        .find_map(|l| l.strip_prefix("map COUNTERS key 00000000 "))
        .unwrap_or_else(|| panic!("{text}"))
        .split_once("sum ")
        .unwrap();
    let sum = unhex(sum);
    let counters = (0..6).map(|i| u64_at(&sum, 8 * i)).collect();
    let events = text.lines().filter(|l| l.starts_with("ringbuf ")).count();
    Some((flows, counters, events))
}

/// What user space writes steers the program: an ignored prefix in the
/// LPM trie (our `Ipv4Prefix` key), the paused and perf-events flags of
/// `Config`; and a packet that is not IPv4 is counted, not tracked.
#[test]
fn config_and_ignored_prefixes_steer_the_program() {
    let obj = flows_object();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(linked) = linked_program(obj, &d.join("extern")) else {
        return;
    };
    let Some(oracle) = oracle(d) else {
        return;
    };
    let tcp = tcp_packet();
    // Counters: packets, bytes, not_tracked, ignored, new_flows, events_dropped.

    // 10.0.0.0/24 ignored: 10.0.0.1 is counted as ignored, nothing tracked.
    let Some((flows, counters, events)) = run_once(
        &oracle,
        &linked,
        &tcp,
        "IGNORED_NETS:180000000a000000:07000000",
    ) else {
        return;
    };
    assert_eq!(
        (flows.len(), counters, events),
        (0, vec![1, 64, 0, 1, 0, 0], 0)
    );
    // 10.0.1.0/24 ignored: 10.0.0.1 is not in it.
    let (flows, counters, events) = run_once(
        &oracle,
        &linked,
        &tcp,
        "IGNORED_NETS:180000000a000100:07000000",
    )
    .unwrap();
    assert_eq!(
        (flows.len(), counters, events),
        (1, vec![1, 64, 0, 0, 1, 0], 1)
    );

    // CONFIG_PAUSED: counted, not tracked.
    let (flows, counters, events) =
        run_once(&oracle, &linked, &tcp, "CONFIG:00000000:0100000000000000").unwrap();
    assert_eq!(
        (flows.len(), counters, events),
        (0, vec![1, 64, 0, 0, 0, 0], 0)
    );
    // CONFIG_PERF_EVENTS: the perf event array path runs too (no reader is
    // attached, so its record goes nowhere), the ring buffer still gets one.
    let (flows, counters, events) =
        run_once(&oracle, &linked, &tcp, "CONFIG:00000000:0200000000000000").unwrap();
    assert_eq!(
        (flows.len(), counters, events),
        (1, vec![1, 64, 0, 0, 1, 0], 1)
    );
    // event_sample 2: the first new flow is not reported.
    let (flows, counters, events) =
        run_once(&oracle, &linked, &tcp, "CONFIG:00000000:0000000002000000").unwrap();
    assert_eq!(
        (flows.len(), counters, events),
        (1, vec![1, 64, 0, 0, 1, 0], 0)
    );

    // Not IPv4 (a zeroed frame): not tracked.
    let (flows, counters, events) = run_once(&oracle, &linked, &[0; 64], "").unwrap();
    assert_eq!(
        (flows.len(), counters, events),
        (0, vec![1, 64, 1, 0, 0, 0], 0)
    );
}

#[test]
fn skeleton_of_our_object_compiles_and_loads() {
    let obj = flows_object();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(skel) = bpftool(&[
        "gen".as_ref(),
        "skeleton".as_ref(),
        obj.as_os_str(),
        "name".as_ref(),
        "flows".as_ref(),
    ]) else {
        return;
    };
    std::fs::write(d.join("flows.skel.h"), &skel.stdout).unwrap();
    let user = d.join("user.c");
    std::fs::write(
        &user,
        r#"#include <stdio.h>
#include "flows.skel.h"

int main(void)
{
	struct flows *skel = flows__open_and_load();
	if (!skel) {
		printf("load %d\n", -errno);
		return 1;
	}
	printf("load 0 FLOWS %u PERF_EVENTS %u EVENTS %u\n",
	       bpf_map__max_entries(skel->maps.FLOWS),
	       bpf_map__max_entries(skel->maps.PERF_EVENTS),
	       bpf_map__max_entries(skel->maps.EVENTS));
	flows__destroy(skel);
	return 0;
}
"#,
    )
    .unwrap();
    let user_o = d.join("user.o");
    let o = match Command::new("cc")
        .args(["-Wall", "-Werror", "-c"])
        .arg(&user)
        .arg("-o")
        .arg(&user_o)
        .output()
    {
        Ok(o) => o,
        Err(e) => return skip(&format!("cc not runnable: {e}")),
    };
    assert!(
        o.status.success(),
        "the skeleton does not compile:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let exe = d.join("user");
    let o = run(Command::new("cc")
        .arg(&user_o)
        .arg("-o")
        .arg(&exe)
        .arg("-lbpf"));
    if !o.status.success() {
        return skip(&format!(
            "cannot link against libbpf: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let out = run(&mut Command::new(&exe));
    let text = stdout(&out);
    if text.starts_with("load -1") || text.starts_with("load -13") {
        return skip(&format!("the kernel does not let us create maps: {text}"));
    }
    let cpus = std::fs::read_to_string("/sys/devices/system/cpu/possible").unwrap();
    let possible: u32 = cpus
        .trim()
        .split(',')
        .map(|r| match r.split_once('-') {
            Some((a, b)) => b.parse::<u32>().unwrap() - a.parse::<u32>().unwrap() + 1,
            None => 1,
        })
        .sum();
    assert_eq!(
        text,
        format!("load 0 FLOWS 65536 PERF_EVENTS {possible} EVENTS 262144\n"),
        "{}",
        stderr(&out)
    );
}

/// `-o` naming a device (here a symlink to /dev/zero, which discards
/// writes as /dev/null does; /dev/stdout is a symlink to a pipe) writes
/// into it: `bpfc build` and `bpfc gen header` used to rename their
/// temporary file over the target, which as root replaced `-o /dev/null`'s
/// device node with a regular file. A symlink in a scratch directory keeps
/// this test from clobbering a device node if that comes back.
#[test]
fn output_to_a_device_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let obj = flows_object();
    if !std::fs::metadata("/dev/zero").is_ok_and(|m| m.file_type().is_char_device()) {
        return skip("/dev/zero is not a character device here");
    }
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("out");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let still_a_link = |what: &str| {
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.file_type().is_symlink(), "{what} replaced the symlink");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "{what}");
    };

    let out = run(Command::new(BPFC)
        .args(["gen", "header"])
        .arg(obj)
        .arg("-o")
        .arg(&link));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    still_a_link("gen header");

    let out = run(Command::new(BPFC)
        .arg("build")
        .arg(scratch().join("examples/flows"))
        .arg("-o")
        .arg(&link)
        .arg("--target-dir")
        .arg(scratch().join("target"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    still_a_link("build");
}
