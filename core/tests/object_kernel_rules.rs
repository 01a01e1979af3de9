//! The kernel is the oracle for the per-type map rules (maps::rules, used
//! by every map finding): each definition is created with `bpftool map
//! create` on the running kernel, and the kernel must accept exactly those
//! the rules accept, refusing the others with the errno the rules name.

mod object_support;

use bpfc::maps::rules::{check_create, CreateAttr, Env};
use bpfc::maps::{MapFlags, MapType};
use std::process::Command;

/// Creates the map with bpftool; `Ok(())` or the kernel's strerror text.
fn bpftool_create(
    t: MapType,
    key: u32,
    value: u32,
    entries: u32,
    flags: u32,
) -> Option<Result<(), String>> {
    let pin = format!("/sys/fs/bpf/bpfc_rules_{}_{}", std::process::id(), t.name());
    let out = Command::new("bpftool")
        .args(["map", "create", &pin, "type", t.name()])
        .args(["key", &key.to_string(), "value", &value.to_string()])
        .args(["entries", &entries.to_string(), "name", "bpfc_rules"])
        .args(["flags", &flags.to_string()])
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            object_support::skip(&format!("bpftool not runnable: {e}"));
            return None;
        }
    };
    if out.status.success() {
        let _ = std::fs::remove_file(&pin);
        return Some(Ok(()));
    }
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let text = err
        .split("map create failed: ")
        .nth(1)
        .map(|s| s.trim().to_string())
        .unwrap_or(err.clone());
    if text.contains("Operation not permitted") {
        object_support::skip("BPF_MAP_CREATE not permitted");
        return None;
    }
    Some(Err(text))
}

#[test]
fn kernel_agrees_with_the_per_type_rules() {
    use MapType as T;
    let f = |bits: MapFlags| bits.0;
    // Valid minimal definitions (libbpf's probes) and the bad-input
    // catalogue's BPF_MAP_CREATE items 27-40 that bpftool 7.1 can express
    // (no BTF, map_extra, inner maps, or types newer than it: arena).
    let cases: &[(T, u32, u32, u32, u32)] = &[
        (T::Hash, 4, 4, 1, 0),
        (T::Hash, 0, 4, 1, 0),
        (T::Hash, 4, 0, 1, 0),
        (T::Hash, 4, 4, 0, 0),
        (T::Hash, 4, 4, 1, f(MapFlags::NO_COMMON_LRU)),
        (T::LruHash, 4, 4, 1, f(MapFlags::NO_PREALLOC)),
        (T::LruHash, 4, 4, 1, 0),
        (T::PercpuHash, 4, 4, 1, f(MapFlags::NUMA_NODE)),
        (T::Array, 4, 4, 1, 0),
        (T::Array, 8, 4, 1, 0),
        (T::Array, 4, 4, 1, f(MapFlags::PRESERVE_ELEMS)),
        (T::Array, 4, 4, 1, f(MapFlags::MMAPABLE)),
        (T::PercpuArray, 4, 4, 1, f(MapFlags::MMAPABLE)),
        (T::ProgArray, 4, 4, 1, 0),
        (T::ProgArray, 4, 8, 1, 0),
        (T::ProgArray, 4, 4, 1, f(MapFlags::RDONLY_PROG)),
        (T::PerfEventArray, 4, 4, 1, f(MapFlags::PRESERVE_ELEMS)),
        (
            T::Array,
            4,
            4,
            1,
            f(MapFlags::RDONLY_PROG | MapFlags::WRONLY_PROG),
        ),
        (T::StackTrace, 4, 8, 1, 0),
        (T::StackTrace, 4, 12, 1, 0),
        (T::LpmTrie, 8, 8, 1, f(MapFlags::NO_PREALLOC)),
        (T::LpmTrie, 8, 8, 1, 0),
        (T::LpmTrie, 4, 8, 1, f(MapFlags::NO_PREALLOC)),
        (T::LpmTrie, 261, 8, 1, f(MapFlags::NO_PREALLOC)),
        (T::Queue, 0, 4, 1, 0),
        (T::Queue, 4, 4, 1, 0),
        (T::Stack, 0, 4, 1, 0),
        (T::Ringbuf, 0, 0, 4096, 0),
        (T::Ringbuf, 0, 0, 4097, 0),
        (T::Ringbuf, 0, 0, 3 * 4096, 0),
        (T::Ringbuf, 4, 0, 4096, 0),
        (T::CgroupStorage, 8, 8, 0, 0),
        (T::CgroupStorage, 8, 8, 1, 0),
        (T::CgroupStorage, 4, 8, 0, 0),
        (T::Cpumap, 4, 4, 1, 0),
        (T::Cpumap, 4, 12, 1, 0),
        (T::Devmap, 4, 12, 1, 0),
        (T::Devmap, 4, 8, 1, 0),
        (T::Xskmap, 4, 4, 1, 0),
        (T::Sockmap, 4, 8, 1, 0),
        (T::Sockhash, 4, 4, 1, 0),
        (T::BloomFilter, 0, 4, 1, 0),
        (T::BloomFilter, 4, 4, 1, 0),
    ];
    let mut checked = 0;
    for &(t, key, value, entries, flags) in cases {
        let attr = CreateAttr {
            map_type: t as u32,
            key_size: key,
            value_size: value,
            max_entries: entries,
            map_flags: flags,
            ..CreateAttr::default()
        };
        let violations = check_create(&attr, &Env::default());
        let Some(kernel) = bpftool_create(t, key, value, entries, flags) else {
            return;
        };
        let case = format!("{t} key {key} value {value} entries {entries} flags {flags:#x}");
        match (&kernel, violations.as_slice()) {
            (Ok(()), []) => {}
            (Err(text), [v, ..]) => assert_eq!(text, v.errno.text(), "{case}: {violations:?}"),
            _ => panic!("{case}: kernel {kernel:?}, rules {violations:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
}
