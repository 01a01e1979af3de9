//! The machine-dependent limits of `BPF_MAP_CREATE`, read from the running
//! kernel, for judging an object against the machine it will load on.
//!
//! A check is static by default: the object is usually built on one machine
//! and loaded on others, so the limits that depend on the kernel build or
//! the hardware are judged only where every kernel agrees. On the target
//! itself (`bpfc check --host`) they can be read from sysfs and procfs, as
//! libbpf does at load time:
//!
//! - `NR_CPUS` of the kernel build: `/sys/devices/system/cpu/kernel_max` is
//!   `NR_CPUS - 1` (a CPUMAP refuses more entries, `E2BIG`);
//! - the possible CPUs, `/sys/devices/system/cpu/possible` (libbpf's size
//!   for a PERF_EVENT_ARRAY without max_entries);
//! - the online NUMA nodes, `/sys/devices/system/node/online` (`numa_node`
//!   must name one, `EINVAL`); a kernel without NUMA support has no such
//!   directory and only node 0;
//! - `kernel.perf_event_max_stack` (the deepest STACK_TRACE value);
//! - the page size (ring buffers and arenas).

use super::HostError;
use crate::maps::rules::{Env, NodeSet};
use std::path::Path;

const KERNEL_MAX: &str = "/sys/devices/system/cpu/kernel_max";
const POSSIBLE_CPUS: &str = "/sys/devices/system/cpu/possible";
const ONLINE_NODES: &str = "/sys/devices/system/node/online";
const PERF_EVENT_MAX_STACK: &str = "/proc/sys/kernel/perf_event_max_stack";

/// The running kernel's limits, for the rules that depend on them.
pub fn host_env() -> Result<Env, HostError> {
    let kernel_max: u32 = number(Path::new(KERNEL_MAX))?;
    let nodes = match std::fs::read_to_string(ONLINE_NODES) {
        Ok(text) => parse_list(Path::new(ONLINE_NODES), &text)?,
        // CONFIG_NUMA=n: no node directory, and node 0 is the only node.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![0],
        Err(source) => {
            return Err(HostError::Read {
                path: ONLINE_NODES.into(),
                source,
            })
        }
    };
    Ok(Env {
        page_size: rustix::param::page_size() as u64,
        nr_cpus: Some(kernel_max.saturating_add(1)),
        // No such sysctl without CONFIG_PERF_EVENTS: keep the default.
        perf_event_max_stack: match number(Path::new(PERF_EVENT_MAX_STACK)) {
            Err(HostError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Env::default().perf_event_max_stack
            }
            other => other?,
        },
        numa_online: Some(NodeSet::from_ids(&nodes)),
        ..Env::default()
    })
}

/// How many CPUs the running kernel says are possible (libbpf's
/// `libbpf_num_possible_cpus`: the count of `/sys/devices/system/cpu/possible`).
pub fn possible_cpus() -> Result<u32, HostError> {
    let path = Path::new(POSSIBLE_CPUS);
    let text = read(path)?;
    let ids = parse_list(path, &text)?;
    Ok(ids.len() as u32)
}

pub(super) fn read(path: &Path) -> Result<String, HostError> {
    std::fs::read_to_string(path).map_err(|source| HostError::Read {
        path: path.into(),
        source,
    })
}

fn number(path: &Path) -> Result<u32, HostError> {
    let text = read(path)?;
    text.trim().parse().map_err(|_| HostError::Parse {
        path: path.into(),
        text,
        what: "a number",
    })
}

/// The ids of a kernel id list (`0-3,8,10-11`, the format of cpumask and
/// nodemask files), in order. Ids of 65536 and more, far past any kernel's
/// limits (8192 CPUs, 1024 nodes), are refused, so a bad file cannot make
/// a huge list.
pub fn parse_list(path: &Path, text: &str) -> Result<Vec<u32>, HostError> {
    const MOST_IDS: u32 = 1 << 16;
    let bad = || HostError::Parse {
        path: path.into(),
        text: text.to_string(),
        what: "an id list like 0-3,8",
    };
    let mut ids = Vec::new();
    let body = text.trim();
    if body.is_empty() {
        return Ok(ids);
    }
    for part in body.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>(), b.parse::<u32>()),
            None => (part.parse::<u32>(), part.parse::<u32>()),
        };
        let (Ok(first), Ok(last)) = (first, last) else {
            return Err(bad());
        };
        if first > last || last >= MOST_IDS || ids.last().is_some_and(|&l| first <= l) {
            return Err(bad());
        }
        ids.extend(first..=last);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Option<Vec<u32>> {
        parse_list(Path::new("test"), text).ok()
    }

    #[test]
    fn id_lists_parse_as_the_kernel_prints_them() {
        assert_eq!(list("0\n"), Some(vec![0]));
        assert_eq!(list("0-3\n"), Some(vec![0, 1, 2, 3]));
        assert_eq!(list("0,2-3,7"), Some(vec![0, 2, 3, 7]));
        assert_eq!(list("\n"), Some(vec![]));
        for bad in [
            "a", "1-", "-1", "3-1", "0,0", "2,1", "0-70000", "0;1", "1,,2",
        ] {
            assert_eq!(list(bad), None, "{bad}");
        }
    }

    #[test]
    fn this_host_has_limits() {
        // Any Linux machine has these files; the values are checked against
        // the kernel itself in core/tests/object_kernel_load.rs.
        let env = host_env().expect("sysfs and procfs are mounted");
        assert!(env.nr_cpus.is_some_and(|n| n >= 1));
        assert!(env.numa_online.is_some_and(|s| s.contains(0)));
        assert!(possible_cpus().unwrap() >= 1);
        assert!(env.page_size >= 4096 && env.page_size.is_power_of_two());
    }
}
