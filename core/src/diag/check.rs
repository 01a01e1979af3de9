//! The full check of an object: what the reader found, plus every map
//! against the kernel's rules as each loader would pass it.

use super::{key_padding, Actor, Code, Errno, Finding, Severity, Subject};
use crate::btf::Btf;
use crate::host::HostKernel;
use crate::maps::rules::{self, CreateAttr, Env, Field, Violation};
use crate::maps::{MapFlags, MapSource, MapSpec, MapType};
use crate::object::ObjectSpec;
use std::collections::{HashMap, HashSet};

/// What the checks assume about the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckEnv {
    /// Kernel build limits (page size, KMALLOC_MAX_SIZE, NR_CPUS).
    pub kernel: Env,
    /// Possible CPUs of the target, when known (perf event arrays).
    pub possible_cpus: Option<u32>,
    /// Also run the kernel's BTF rules over the object's fixed-up BTF
    /// (finding `BPFC-T004`). Off by default: it adds about 40% to the
    /// CPU a typical object's check takes.
    pub validate_btf: bool,
    /// The kernel of the machine the objects will load on, when checking
    /// there (`--host`): externs are looked up in its symbols and config.
    pub host_kernel: Option<HostKernelRef>,
}

/// A shared handle to one [`HostKernel`] (each source it reads is read
/// once for every object and thread); equal only to itself.
#[derive(Debug, Clone)]
pub struct HostKernelRef(pub std::sync::Arc<HostKernel>);

impl PartialEq for HostKernelRef {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HostKernelRef {}

impl CheckEnv {
    /// The limits and kernel of the machine this runs on ([`crate::host`]), for
    /// checking objects on the machine that will load them.
    pub fn host() -> Result<CheckEnv, crate::host::HostError> {
        Ok(CheckEnv {
            kernel: crate::host::host_env()?,
            possible_cpus: Some(crate::host::possible_cpus()?),
            host_kernel: Some(HostKernelRef(std::sync::Arc::new(HostKernel::new()))),
            ..CheckEnv::default()
        })
    }
}

/// Every finding for an object: the reader's, then each map's, in map order.
pub fn check_object(obj: &ObjectSpec<'_>, env: &CheckEnv) -> Vec<Finding> {
    let mut out = Vec::with_capacity(obj.findings.len() + obj.maps.len());
    out.extend_from_slice(&obj.findings);
    append_checks(obj, env, &mut out);
    out
}

/// [`check_object`]'s findings, for a caller that owns the object: the
/// reader's findings are moved out of `obj.findings` (left empty) instead
/// of copied, and the checks appended to them.
pub fn take_and_check_object(obj: &mut ObjectSpec<'_>, env: &CheckEnv) -> Vec<Finding> {
    let mut out = std::mem::take(&mut obj.findings);
    out.reserve(obj.maps.len());
    append_checks(obj, env, &mut out);
    out
}

/// What [`check_object`] adds to the reader's findings.
fn append_checks(obj: &ObjectSpec<'_>, env: &CheckEnv, out: &mut Vec<Finding>) {
    if env.validate_btf {
        super::btf::kernel_btf_verdict(obj, out);
    }
    if let Some(host) = &env.host_kernel {
        super::host_kernel::check(obj, &host.0, out);
    }
    check_maps_into(obj, env, out);
}

/// The map checks alone (without the reader's findings, which stay in
/// `obj.findings`): each map and inner map against the kernel's rules, and
/// names that collide in the kernel. A caller that owns the object can take
/// `obj.findings` and append these without copying.
pub fn check_maps(obj: &ObjectSpec<'_>, env: &CheckEnv) -> Vec<Finding> {
    let mut out = Vec::new();
    check_maps_into(obj, env, &mut out);
    out
}

fn check_maps_into(obj: &ObjectSpec<'_>, env: &CheckEnv, out: &mut Vec<Finding>) {
    let fixups = obj.btf_fixups.as_ref();
    let datasec_size = |id: u32| fixups.and_then(|f| f.datasec(id)).map(|d| d.size);
    for m in &obj.maps {
        check_map_into(m, obj.btf.as_ref(), env, &datasec_size, out);
        if let Some(inner) = &m.inner {
            check_map_into(inner, obj.btf.as_ref(), env, &datasec_size, out);
        }
    }
    name_collisions(&obj.maps, out);
}

/// The loaders that create a map from this kind of definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loader {
    Libbpf,
    Cilium,
}

fn loaders(spec: &MapSpec) -> &'static [Loader] {
    match spec.source {
        // libbpf 1.x refuses legacy definitions outright (reported by the reader).
        MapSource::Legacy { .. } => &[Loader::Cilium],
        // cilium/ebpf builds its own data-section maps; these are libbpf's.
        MapSource::Internal { .. } | MapSource::StructOps { .. } => &[Loader::Libbpf],
        _ => &[Loader::Libbpf, Loader::Cilium],
    }
}

/// The definition as `loader` passes it to `BPF_MAP_CREATE`.
fn view(spec: &MapSpec, loader: Loader, env: &CheckEnv) -> CreateAttr {
    let mut v = CreateAttr::from(spec);
    let cpus = env.possible_cpus.unwrap_or(1);
    match (loader, spec.kind()) {
        (Loader::Libbpf, Some(MapType::Ringbuf | MapType::UserRingbuf)) => {
            v.max_entries = rules::libbpf_ringbuf_size(spec.max_entries, env.kernel.page_size);
        }
        (_, Some(MapType::PerfEventArray)) => {
            if spec.max_entries == 0 || loader == Loader::Cilium {
                v.max_entries = cpus;
            }
            if loader == Loader::Cilium {
                // map.go fixupMapSpec: key and value are 4-byte fds/indices.
                for s in [&mut v.key_size, &mut v.value_size] {
                    if *s == 0 {
                        *s = 4;
                    }
                }
            }
        }
        (Loader::Cilium, Some(MapType::ArrayOfMaps | MapType::HashOfMaps))
            if spec.value_size == 0 =>
        {
            v.value_size = 4;
        }
        (Loader::Cilium, Some(MapType::Ringbuf | MapType::UserRingbuf | MapType::Arena))
            if spec.btf_value_type_id != 0 =>
        {
            v.value_size = 0;
        }
        (Loader::Cilium, Some(MapType::Cpumap)) => {
            if let Some(n) = env.possible_cpus {
                v.max_entries = v.max_entries.min(n);
            }
        }
        _ => {}
    }
    if matches!(spec.source, MapSource::StructOps { .. }) {
        // libbpf replaces value_size with the kernel's bpf_struct_ops_<name> size.
        v.value_size = 0;
    }
    v
}

fn code_for(field: Field, spec: &MapSpec) -> Code {
    match field {
        Field::MapType => Code::KernelUnknownMapType,
        Field::KeySize => Code::KernelKeySize,
        Field::ValueSize => Code::KernelValueSize,
        Field::MaxEntries if spec.kind().is_some_and(|t| t.is_ringbuf()) => {
            Code::RingbufSizeRounded
        }
        Field::MaxEntries => Code::KernelMaxEntries,
        Field::MapFlags => Code::KernelFlags,
        Field::MapExtra => Code::KernelMapExtra,
        Field::Name => Code::KernelMapName,
        Field::Btf => Code::KernelBtf,
        Field::NumaNode => Code::KernelNumaNode,
    }
}

fn fix_for(field: Field, t: Option<MapType>) -> String {
    let t = t.map_or("this", |t| t.name());
    match field {
        Field::MapType => "use a BPF_MAP_TYPE_* value the target kernel defines".into(),
        Field::KeySize => format!("give the {t} map the key size the kernel requires"),
        Field::ValueSize => format!("give the {t} map the value size the kernel requires"),
        Field::MaxEntries => format!("set max_entries as {t} maps require"),
        Field::MapFlags => format!("use only the map_flags {t} maps accept"),
        Field::MapExtra => format!("set map_extra as {t} maps require, or leave it 0"),
        Field::Name => "rename the map using only A-Z a-z 0-9 _ .".into(),
        Field::Btf => "fix the key/value types so their BTF matches the map".into(),
        Field::NumaNode => {
            "name an online NUMA node, or drop BPF_F_NUMA_NODE to let the kernel choose".into()
        }
    }
}

fn located(f: Finding, spec: &MapSpec) -> Finding {
    match &spec.source {
        MapSource::BtfMaps { section, offset } => f.section(section.as_ref()).offset(*offset),
        MapSource::Legacy {
            section, offset, ..
        } => f.section(section.as_str()).offset(*offset),
        MapSource::Internal { section } | MapSource::StructOps { section, .. } => {
            f.section(section.clone())
        }
        MapSource::Declared | MapSource::Inner => f,
    }
}

fn loader_actor(l: Loader) -> Actor {
    match l {
        Loader::Libbpf => Actor::Libbpf,
        Loader::Cilium => Actor::Cilium,
    }
}

/// One map against the kernel's rules (and BTF, when the object has it;
/// DATASEC sizes are taken as stored).
pub fn check_map(spec: &MapSpec, btf: Option<&Btf<'_>>, env: &CheckEnv) -> Vec<Finding> {
    let mut out = Vec::new();
    check_map_into(spec, btf, env, &|_| None, &mut out);
    out
}

/// [`check_map`]'s findings, appended to `out`.
fn check_map_into(
    spec: &MapSpec,
    btf: Option<&Btf<'_>>,
    env: &CheckEnv,
    datasec_size: &dyn Fn(u32) -> Option<u32>,
    out: &mut Vec<Finding>,
) {
    let kind = spec.kind();

    // libbpf names internal maps itself, replacing characters the kernel refuses.
    let internal = matches!(spec.source, MapSource::Internal { .. });
    if !internal {
        if let Some(v) = rules::check_name(&spec.name) {
            out.push(kernel_finding(
                spec,
                &v,
                Code::KernelMapName,
                Severity::Error,
                &[],
            ));
        }
    }
    if spec.name.len() >= rules::BPF_OBJ_NAME_LEN && !matches!(spec.source, MapSource::Inner) {
        let mut sent = rules::kernel_name(&spec.name).to_string();
        if internal {
            sent = sent
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
        }
        out.push(located(
            Finding::new(
                Code::MapNameTruncated,
                Subject::Map(spec.name.clone()),
                format!("the kernel sees the name as '{sent}'"),
            )
            .rule("map names are at most 15 characters (BPF_OBJ_NAME_LEN 16 with the NUL)")
            .effect(
                Actor::Libbpf,
                None,
                "truncates the name it passes to BPF_MAP_CREATE; pins by the full name",
            )
            .effect(
                Actor::Cilium,
                None,
                "truncates the name it passes to BPF_MAP_CREATE",
            )
            .fix("use a name of at most 15 characters so bpftool and the kernel show it whole"),
            spec,
        ));
    }

    // The create-time rules, per loader view. At most two loaders, so the
    // per-loader lists live in fixed arrays (this runs for every map).
    let loaders = loaders(spec);
    let mut per_loader: [Vec<Violation>; 2] = Default::default();
    for (vs, &l) in per_loader.iter_mut().zip(loaders) {
        *vs = rules::check_create(&view(spec, l, env), &env.kernel);
    }
    let per_loader = &per_loader[..loaders.len()];
    let same = |a: &Violation, b: &Violation| a.field == b.field && a.errno == b.errno;
    for (i, vs) in per_loader.iter().enumerate() {
        for (j, v) in vs.iter().enumerate() {
            // Reported once: with the first loader (and place) it shows up at.
            let seen_before = per_loader[..i].iter().flatten().any(|r| same(r, v))
                || vs[..j].iter().any(|r| same(r, v));
            if seen_before {
                continue;
            }
            let mut failing = [Loader::Libbpf; 2];
            let mut failing_len = 0;
            let mut passing = [Loader::Libbpf; 2];
            let mut passing_len = 0;
            for (&l, other) in loaders.iter().zip(per_loader) {
                if other.iter().any(|o| same(o, v)) {
                    failing[failing_len] = l;
                    failing_len += 1;
                } else {
                    passing[passing_len] = l;
                    passing_len += 1;
                }
            }
            let (failing, passing) = (&failing[..failing_len], &passing[..passing_len]);
            let severity = if failing.len() == loaders.len() {
                Severity::Error
            } else {
                Severity::Warning
            };
            let mut f = kernel_finding(spec, v, code_for(v.field, spec), severity, failing);
            for &l in passing {
                let adjusted = view(spec, l, env);
                f = f.effect(
                    loader_actor(l),
                    None,
                    match v.field {
                        Field::MaxEntries => {
                            format!("passes max_entries {} instead", adjusted.max_entries)
                        }
                        Field::KeySize => format!("passes key_size {} instead", adjusted.key_size),
                        Field::ValueSize => {
                            format!("passes value_size {} instead", adjusted.value_size)
                        }
                        _ => "adjusts the definition so the kernel accepts it".into(),
                    },
                );
            }
            out.push(f);
        }
    }

    if let Some(t) = kind {
        inner_map_required(spec, t, out);
        notes(spec, t, env, out);
        if let Some(btf) = btf {
            btf_checks(spec, t, btf, datasec_size, out);
        }
    }
}

fn kernel_finding(
    spec: &MapSpec,
    v: &Violation,
    code: Code,
    severity: Severity,
    failing: &[Loader],
) -> Finding {
    let mut f = Finding::new(code, Subject::Map(spec.name.clone()), v.rule.clone())
        .severity(severity)
        .rule(format!("{} ({})", v.rule, v.source))
        .effect(
            Actor::Kernel,
            Some(v.errno),
            format!("BPF_MAP_CREATE fails: {}", v.errno.text()),
        );
    for l in failing {
        f = f.effect(
            loader_actor(*l),
            Some(v.errno),
            "passes the definition unchanged and fails",
        );
    }
    located(f.fix(fix_for(v.field, spec.kind())), spec)
}

/// The kernel builds an outer map from a template: `inner_map_fd` must name
/// a map (kernel/bpf/map_in_map.c). Loaders create that template from the
/// `values` (`__array`) declaration; without one, libbpf sends
/// `inner_map_fd` 0, which is no map (EINVAL), and cilium/ebpf refuses a
/// spec without InnerMap. Only BTF-defined maps are judged: legacy
/// definitions name their inner map by id, which loaders resolve
/// themselves.
fn inner_map_required(spec: &MapSpec, t: MapType, out: &mut Vec<Finding>) {
    if !matches!(t, MapType::ArrayOfMaps | MapType::HashOfMaps)
        || spec.inner.is_some()
        || !matches!(spec.source, MapSource::BtfMaps { .. })
    {
        return;
    }
    out.push(located(
        Finding::new(
            Code::MapInMapWithoutInner,
            Subject::Map(spec.name.clone()),
            format!("{t} map without an inner map definition"),
        )
        .rule("an outer map is created from an inner map template (inner_map_fd); loaders make it from the __array(values, ...) declaration (bpf_map_meta_alloc, kernel/bpf/map_in_map.c)")
        .effect(Actor::Kernel, Some(Errno::Einval), "BPF_MAP_CREATE fails: the inner_map_fd libbpf passes (0) is not a map")
        .effect(Actor::Libbpf, Some(Errno::Einval), "creates the map without an inner map fd and fails, unless bpf_map__set_inner_map_fd() supplied one")
        .effect(Actor::Cilium, None, "refuses the spec before creating it (\"requires InnerMap\")")
        .fix("declare the inner map: __array(values, struct { __uint(type, ...); ... })"),
        spec,
    ));
}

fn notes(spec: &MapSpec, t: MapType, env: &CheckEnv, out: &mut Vec<Finding>) {
    let subject = || Subject::Map(spec.name.clone());
    let flags = spec.flags();
    if t == MapType::PerfEventArray && spec.max_entries == 0 {
        let message = match env.possible_cpus {
            Some(n) => format!(
                "max_entries 0: one entry per possible CPU at create time ({n} on the target)"
            ),
            None => "max_entries 0: one entry per possible CPU at create time".to_string(),
        };
        out.push(located(
            Finding::new(Code::LoaderAdjustsMaxEntries, subject(), message)
                .rule("a perf event array needs an entry per CPU; loaders size it from /sys/devices/system/cpu/possible")
                .effect(Actor::Libbpf, None, "sets max_entries to the number of possible CPUs when it is 0")
                .effect(Actor::Cilium, None, "sets max_entries to the number of possible CPUs when it is 0 or larger")
                .fix("nothing to fix; set max_entries to pin a size"),
            spec,
        ));
    }
    if spec.numa_node != 0 && !flags.contains(MapFlags::NUMA_NODE) {
        out.push(located(
            Finding::new(
                Code::NumaNodeIgnored,
                subject(),
                format!("numa_node {} without BPF_F_NUMA_NODE", spec.numa_node),
            )
            .rule("the kernel reads numa_node only when map_flags has BPF_F_NUMA_NODE")
            .effect(Actor::Kernel, None, "ignores numa_node")
            .fix("add BPF_F_NUMA_NODE to map_flags or drop numa_node"),
            spec,
        ));
    }
    let r = rules::rules(t);
    if r.capability == rules::Capability::CapNetAdmin {
        out.push(located(
            Finding::new(
                Code::KernelCapability,
                subject(),
                format!("{t} maps need CAP_NET_ADMIN"),
            )
            .rule(format!(
                "{t} maps are created only with CAP_NET_ADMIN (and CAP_BPF)"
            ))
            .effect(
                Actor::Kernel,
                Some(Errno::Eperm),
                "BPF_MAP_CREATE fails without CAP_NET_ADMIN",
            )
            .fix("create the map from a process with CAP_NET_ADMIN"),
            spec,
        ));
    }
    if flags.contains(MapFlags::ZERO_SEED) {
        out.push(located(
            Finding::new(
                Code::KernelCapability,
                subject(),
                "BPF_F_ZERO_SEED needs CAP_SYS_ADMIN",
            )
            .rule("a zero hash seed is for testing; the kernel requires CAP_SYS_ADMIN")
            .effect(
                Actor::Kernel,
                Some(Errno::Eperm),
                "BPF_MAP_CREATE fails without CAP_SYS_ADMIN",
            )
            .fix("drop BPF_F_ZERO_SEED outside tests"),
            spec,
        ));
    }
    if matches!(t, MapType::LruHash | MapType::LruPercpuHash)
        && flags.contains(MapFlags::NO_COMMON_LRU)
    {
        out.push(located(
            Finding::new(Code::KernelAdjusts, subject(), "max_entries is rounded to a multiple of the possible CPUs")
                .rule("with BPF_F_NO_COMMON_LRU each CPU gets an equal share of the entries")
                .effect(Actor::Kernel, None, "stores a different max_entries than requested; pinned-map reuse then compares unequal")
                .fix("use a multiple of the CPU count"),
            spec,
        ));
    }
    if matches!(t, MapType::Devmap | MapType::DevmapHash) && !flags.contains(MapFlags::RDONLY_PROG)
    {
        out.push(located(
            Finding::new(
                Code::KernelAdjusts,
                subject(),
                "the kernel adds BPF_F_RDONLY_PROG to the stored map_flags",
            )
            .rule("device maps are read-only for programs")
            .effect(
                Actor::Kernel,
                None,
                "map_flags read back include rdonly_prog",
            )
            .effect(
                Actor::Libbpf,
                None,
                "ignores rdonly_prog when comparing a pinned device map",
            )
            .fix("nothing to fix; expect rdonly_prog in bpftool output"),
            spec,
        ));
    }
}

fn btf_checks(
    spec: &MapSpec,
    t: MapType,
    btf: &Btf<'_>,
    datasec_size: &dyn Fn(u32) -> Option<u32>,
    out: &mut Vec<Finding>,
) {
    let stripped =
        rules::libbpf_strips_btf(t) || matches!(spec.source, MapSource::StructOps { .. });
    if !stripped {
        let mandatory = rules::rules(t).btf == rules::BtfRule::Mandatory;
        for v in rules::check_btf(&spec.into(), btf, datasec_size) {
            let fatal = mandatory || matches!(v.errno, Errno::Eopnotsupp | Errno::Eacces);
            let mut f = Finding::new(
                if matches!(v.errno, Errno::Eopnotsupp | Errno::Eacces) {
                    Code::KernelSpecialField
                } else {
                    Code::KernelBtf
                },
                Subject::Map(spec.name.clone()),
                v.rule.clone(),
            )
            .severity(if fatal {
                Severity::Error
            } else {
                Severity::Warning
            })
            .btf_type(if spec.btf_key_type_id != 0 {
                spec.btf_key_type_id
            } else {
                spec.btf_value_type_id
            })
            .rule(format!("{} ({})", v.rule, v.source))
            .effect(
                Actor::Kernel,
                Some(v.errno),
                format!("BPF_MAP_CREATE fails: {}", v.errno.text()),
            );
            if fatal && !mandatory {
                // libbpf drops the BTF on any refusal and creates the map;
                // cilium/ebpf retries only on EINVAL/ENOTSUPP (524).
                f = f
                    .effect(
                        Actor::Libbpf,
                        None,
                        "retries without BTF and creates the map, but programs cannot use the field: the verifier needs the map's BTF",
                    )
                    .effect(
                        Actor::Cilium,
                        Some(v.errno),
                        "passes the definition unchanged and fails (no retry on this errno)",
                    );
            }
            if !fatal {
                f = f
                    .effect(Actor::Libbpf, None, "Retrying without BTF.")
                    .effect(
                        Actor::Cilium,
                        None,
                        "retries without BTF on EINVAL/ENOTSUPP",
                    );
            }
            out.push(located(f.fix(fix_for(v.field, Some(t))), spec));
        }
    }
    let hashed = matches!(
        t,
        MapType::Hash
            | MapType::PercpuHash
            | MapType::LruHash
            | MapType::LruPercpuHash
            | MapType::HashOfMaps
            | MapType::Rhash
    );
    if hashed && spec.btf_key_type_id != 0 {
        if let Some(holes) = key_padding(btf, spec.btf_key_type_id).filter(|h| !h.is_empty()) {
            let list: Vec<String> = holes
                .iter()
                .map(|h| {
                    format!(
                        "{}..{}{}",
                        h.offset,
                        h.offset + h.size,
                        if h.partial { " (partial)" } else { "" }
                    )
                })
                .collect();
            out.push(located(
                Finding::new(Code::HashKeyPadding, Subject::Map(spec.name.clone()), format!("key type has padding at bytes {}", list.join(", ")))
                    .btf_type(spec.btf_key_type_id)
                    .rule("hash maps compare whole keys byte by byte, padding included")
                    .effect(Actor::Kernel, None, "lookups miss when the padding bytes differ (uninitialised stack)")
                    .fix("zero the key with __builtin_memset before filling it, or add explicit padding fields"),
                spec,
            ));
        }
    }
}

/// Maps whose kernel-visible names (first 15 bytes) are equal.
fn name_collisions(maps: &[MapSpec], out: &mut Vec<Finding>) {
    // Each map collides with the first earlier map of another full name
    // that the kernel sees under the same name.
    //
    // Objects have a handful of maps: comparing each pair costs less than
    // hashing. Past that, per name the kernel sees, the earlier maps with a
    // full name of their own, in order; the first whose full name differs
    // is the one (the list holds each full name once, so the search stops
    // at its first or second entry): an object with tens of thousands of
    // maps costs no comparison of each pair.
    const PAIRWISE_UP_TO: usize = 32;
    let mut seen: HashMap<&str, Vec<&MapSpec>> = HashMap::new();
    let mut names: HashSet<&str> = HashSet::new();
    for (i, a) in maps.iter().enumerate() {
        let ka = rules::kernel_name(&a.name);
        let collides = if maps.len() <= PAIRWISE_UP_TO {
            maps[..i]
                .iter()
                .find(|b| b.name != a.name && rules::kernel_name(&b.name) == ka)
        } else {
            let earlier = seen.entry(ka).or_default();
            let first = earlier.iter().find(|b| b.name != a.name).copied();
            if names.insert(&a.name) {
                earlier.push(a);
            }
            first
        };
        if let Some(b) = collides {
            let internal = matches!(a.source, MapSource::Internal { .. })
                && matches!(b.source, MapSource::Internal { .. });
            out.push(
                Finding::new(
                    if internal {
                        Code::InternalMapNameCollision
                    } else {
                        Code::MapNameCollision
                    },
                    Subject::Map(a.name.clone()),
                    format!(
                        "'{}' and '{}' are both '{ka}' in the kernel",
                        b.name, a.name
                    ),
                )
                .rule("the kernel keeps 15 characters of a map name")
                .effect(
                    Actor::Kernel,
                    None,
                    "bpftool and /proc show two maps with the same name",
                )
                .fix("make the names differ in their first 15 characters"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_map_collides_with_the_first_earlier_map_of_another_name() {
        let map = |name: &str| MapSpec::new(name, MapType::Hash, MapSource::Declared);
        let maps = [
            map("a_very_long_map_name_1"),
            map("a_very_long_map_name_2"),
            map("short"),
            // The same full name again is no collision with itself.
            map("a_very_long_map_name_1"),
            map("a_very_long_map_name_3"),
        ];
        let said_of = |maps: &[MapSpec]| {
            let mut out = Vec::new();
            name_collisions(maps, &mut out);
            assert!(out.iter().all(|f| f.code == Code::MapNameCollision));
            out.iter()
                .map(|f| f.message.to_string())
                .collect::<Vec<_>>()
        };
        let said = said_of(&maps);
        // Past 32 maps the search is by name, with the same result: the
        // same five after uniquely named fillers that collide with nothing.
        let mut many: Vec<MapSpec> = (0..40).map(|i| map(&format!("m{i}"))).collect();
        many.extend(maps.iter().cloned());
        assert_eq!(said_of(&many), said);
        let both =
            |b: &str, a: &str| format!("'{b}' and '{a}' are both 'a_very_long_map' in the kernel");
        assert_eq!(
            said,
            [
                both("a_very_long_map_name_1", "a_very_long_map_name_2"),
                both("a_very_long_map_name_2", "a_very_long_map_name_1"),
                both("a_very_long_map_name_1", "a_very_long_map_name_3"),
            ]
        );
    }

    /// The corpus objects of the host's byte order and of the other.
    fn corpus() -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for (dir, suffix) in [
            (
                "/usr/share/gocode/src/github.com/cilium/ebpf/testdata",
                ".elf",
            ),
            ("/usr/lib/x86_64-linux-gnu/bpf", ".o"),
        ] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.to_string_lossy().ends_with(suffix)),
            );
        }
        files.sort();
        files
    }

    #[test]
    fn taking_the_readers_findings_gives_what_check_object_gives() {
        let files = corpus();
        if files.is_empty() {
            crate::test_skip::skip("cilium/ebpf testdata or xdp-tools objects are not installed");
            return;
        }
        let mut checked = 0;
        for path in &files {
            let data = std::fs::read(path).unwrap();
            let name = crate::object::object_name_from_path(&path.to_string_lossy());
            let Ok(obj) = ObjectSpec::parse(&data, &name) else {
                continue;
            };
            for validate_btf in [false, true] {
                let env = CheckEnv {
                    validate_btf,
                    ..CheckEnv::default()
                };
                let expected = check_object(&obj, &env);
                let mut owned = obj.clone();
                let taken = take_and_check_object(&mut owned, &env);
                assert_eq!(taken, expected, "{}", path.display());
                assert!(owned.findings.is_empty(), "{}", path.display());
            }
            checked += 1;
        }
        assert!(checked > 20, "only {checked} objects parsed");
    }
}
