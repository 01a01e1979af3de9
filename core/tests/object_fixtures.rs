//! The reader on bpfc's own C fixtures (testdata/c), compiled with clang-19
//! at test time. Every expected value below is read off the fixture's C
//! source or libbpf's documented rules (section_defs, internal_map_name,
//! map_is_mmapable, the kcfg layout), not off bpfc's output.

mod object_support;

use bpfc::btf::{func_linkage, var_linkage, Btf, Kind};
use bpfc::diag::{check_object, CheckEnv, Code, Severity};
use bpfc::maps::{MapFlags, MapSlot, MapType};
use bpfc::object::{
    object_name_from_path, AttachType, ExternKind, ObjectSpec, ProgType, RelocationKind,
};
use object_support::{compile, compile_into};

fn slots(v: &[(u32, &str)]) -> Vec<MapSlot> {
    v.iter()
        .map(|(i, t)| MapSlot {
            index: *i,
            target: t.to_string(),
        })
        .collect()
}

fn errors(obj: &ObjectSpec) -> Vec<String> {
    check_object(obj, &CheckEnv::default())
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn map_types_fixture_has_one_valid_map_per_type() {
    let Some(data) = compile("map_types.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "map_types").unwrap();
    // Every type 1..=35 except STRUCT_OPS (26, in struct_ops.bpf.c).
    assert_eq!(obj.maps.len(), 34);
    for m in &obj.maps {
        let t = MapType::from_name(m.name.strip_prefix("t_").unwrap()).unwrap();
        assert_eq!(m.kind(), Some(t), "{}", m.name);
    }
    let m = |n: &str| obj.map(n).unwrap();
    assert_eq!(
        (
            m("t_hash").key_size,
            m("t_hash").value_size,
            m("t_hash").max_entries
        ),
        (4, 8, 16)
    );
    assert_eq!(m("t_lpm_trie").key_size, 8);
    assert_eq!(m("t_lpm_trie").flags(), MapFlags::NO_PREALLOC);
    assert_eq!(m("t_cgroup_storage").key_size, 16);
    assert_eq!(m("t_stack_trace").value_size, 127 * 8);
    assert_eq!(m("t_ringbuf").max_entries, 4 * 4096);
    assert_eq!(m("t_bloom_filter").map_extra, 3);
    assert_eq!(m("t_arena").flags(), MapFlags::MMAPABLE);
    assert_eq!(
        (m("t_insn_array").key_size, m("t_insn_array").value_size),
        (4, 16)
    );
    assert_eq!(m("t_perf_event_array").max_entries, 0);
    let inner = m("t_array_of_maps").inner.as_ref().unwrap();
    assert_eq!(inner.name, "t_array_of_maps.inner");
    assert_eq!(
        (inner.kind(), inner.key_size, inner.value_size),
        (Some(MapType::Array), 4, 4)
    );
    assert_eq!(m("t_hash_of_maps").value_size, 4);
    // All definitions are what the kernel requires.
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));
    let prog = obj.program("uses_maps").unwrap();
    let used: Vec<&str> = obj.maps_used_by(prog).map(|m| m.name.as_str()).collect();
    assert_eq!(used, ["t_hash", "t_array"]);
}

#[test]
fn map_fields_fixture_reads_every_field() {
    let Some(data) = compile("map_fields.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "map_fields").unwrap();
    let m = |n: &str| obj.map(n).unwrap_or_else(|| panic!("{n}"));
    let flows = m("flows");
    assert_eq!(flows.flags(), MapFlags::NO_PREALLOC | MapFlags::NUMA_NODE);
    assert_eq!((flows.numa_node, flows.pinning), (0, 1));
    // struct flow_key: u32, u16, 2 padding, u32, u8, 3 padding.
    assert_eq!(
        (flows.key_size, flows.value_size, flows.max_entries),
        (16, 8, 1024)
    );
    let btf = obj.btf.as_ref().unwrap();
    assert_eq!(
        btf.name(&btf.type_by_id(flows.btf_key_type_id).unwrap())
            .unwrap(),
        "flow_key"
    );
    assert_eq!((m("sized").key_size, m("sized").value_size), (4, 16));
    assert_eq!(m("lru_per_cpu").flags(), MapFlags::NO_COMMON_LRU);
    assert_eq!(m("bloom").map_extra, 5);
    assert_eq!(
        m("mmapable").flags(),
        MapFlags::MMAPABLE | MapFlags::RDONLY_PROG
    );
    assert_eq!(
        m("outer_array").slots,
        slots(&[(1, "inner_a"), (3, "inner_b")])
    );
    assert_eq!(m("outer_hash").slots, slots(&[(0, "inner_b")]));
    assert_eq!(m("jump_table").slots, slots(&[(2, "tail_target")]));
    let inner = m("outer_array").inner.as_ref().unwrap();
    assert_eq!(
        (
            inner.name.as_str(),
            inner.kind(),
            inner.key_size,
            inner.value_size,
            inner.max_entries
        ),
        ("outer_array.inner", Some(MapType::Hash), 4, 8, 4)
    );
    let entry = obj.program("entry").unwrap();
    let used: Vec<&str> = obj.maps_used_by(entry).map(|m| m.name.as_str()).collect();
    assert_eq!(used, ["outer_array", "jump_table", "flows"]);

    let findings = check_object(&obj, &CheckEnv::default());
    let padding = findings
        .iter()
        .find(|f| f.code == Code::HashKeyPadding)
        .unwrap();
    assert_eq!(
        padding.message,
        "key type has padding at bytes 6..8, 13..16"
    );
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));
}

#[test]
fn global_data_becomes_internal_maps_named_and_flagged_like_libbpf() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = compile_into(
        dir.path(),
        "globals_with_a_long_name.bpf.c",
        &[],
        "globals_with_a_long_name.bpf.o",
    ) else {
        return;
    };
    let data = std::fs::read(&path).unwrap();
    let name = object_name_from_path(&path.to_string_lossy());
    assert_eq!(name, "globals_with_a_"); // 15 bytes of the file name
    let obj = ObjectSpec::parse(&data, &name).unwrap();
    let (ro, mm) = (MapFlags::RDONLY_PROG, MapFlags::MMAPABLE);
    let none = MapFlags::EMPTY;
    // internal_map_name: 8 object-name bytes + ".data" etc.; custom
    // sections by section name. map_is_mmapable: a non-static, non-hidden VAR.
    let expected = [
        ("globals_.data", mm),
        ("globals_.rodata", ro | mm),
        (".data.custom", mm),
        (".rodata.custom", ro | mm),
        (".data.only_static", none),
        (".data.only_hidden", none),
        (".rodata.str1.1", ro),
        ("globals_.bss", mm),
        ("globals.kconfig", ro | mm),
    ];
    let got: Vec<(&str, MapFlags)> = obj
        .maps
        .iter()
        .map(|m| (m.name.as_str(), m.flags()))
        .collect();
    assert_eq!(got, expected);
    for m in &obj.maps {
        assert_eq!(
            (m.kind(), m.key_size, m.max_entries),
            (Some(MapType::Array), 4, 1),
            "{}",
            m.name
        );
    }
    // .kconfig: LINUX_KERNEL_VERSION (8, align 8) at 0, CONFIG_HZ (4) at 8,
    // CONFIG_BPF_SYSCALL (1) at 12: 13 bytes.
    assert_eq!(obj.map("globals.kconfig").unwrap().value_size, 13);
    let kconfig: Vec<(&str, u32)> = obj
        .externs
        .iter()
        .filter_map(|e| match e.kind {
            ExternKind::Kconfig { offset, .. } => Some((e.name.as_str(), offset)),
            _ => None,
        })
        .collect();
    assert_eq!(
        kconfig,
        [
            ("LINUX_KERNEL_VERSION", 0),
            ("CONFIG_HZ", 8),
            ("CONFIG_BPF_SYSCALL", 12)
        ]
    );
    let ksyms: Vec<(&str, bool)> = obj
        .externs
        .iter()
        .filter_map(|e| match e.kind {
            ExternKind::Ksym { func } => Some((e.name.as_str(), func)),
            _ => None,
        })
        .collect();
    assert_eq!(ksyms.len(), 3);
    assert!(
        ksyms.contains(&("bpf_rcu_read_lock", true)) && ksyms.contains(&("bpf_prog_active", false))
    );
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));

    // The fixed-up BTF: sizes from sections, hidden globals static, externs allocated.
    let fixed = obj.fixed_btf().unwrap().unwrap();
    let btf = Btf::parse(&fixed).unwrap();
    let datasec = |n: &str| btf.find_by_name_kind(n, Kind::Datasec).unwrap();
    assert_eq!(
        u64::from(datasec(".data").size()),
        obj.section(".data").unwrap().size
    );
    assert_eq!(
        u64::from(datasec(".bss").size()),
        obj.section(".bss").unwrap().size
    );
    assert_eq!(datasec(".kconfig").size(), 13);
    let var = |n: &str| {
        btf.find_by_name_kind(n, Kind::Var)
            .unwrap()
            .var_linkage()
            .unwrap()
    };
    assert_eq!(var("hidden_ro"), var_linkage::STATIC);
    assert_eq!(var("config_value"), var_linkage::GLOBAL_ALLOCATED);
    assert_eq!(var("CONFIG_HZ"), var_linkage::GLOBAL_ALLOCATED);
    assert!(btf.find_by_name_kind("dummy_ksym", Kind::Var).is_some());
    // Entries sorted by offset and inside their DATASEC.
    for t in btf.types().filter(|t| t.kind() == Kind::Datasec) {
        let e: Vec<_> = t.datasec_entries().collect();
        assert!(
            e.windows(2).all(|w| w[0].offset + w[0].size <= w[1].offset),
            "{:?}",
            btf.name(&t)
        );
        assert!(e.iter().all(|x| x.offset + x.size <= t.size()));
    }
}

#[test]
fn struct_ops_maps_and_their_programs() {
    let Some(data) = compile("struct_ops.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "struct_ops").unwrap();
    let cc = obj.map("fixture_cc").unwrap();
    let link = obj.map("fixture_cc_link").unwrap();
    // 4 function pointers, a u32 and char[16]: 52 bytes, 56 aligned.
    for m in [cc, link] {
        assert_eq!(
            (m.kind(), m.key_size, m.value_size, m.max_entries),
            (Some(MapType::StructOps), 4, 56, 1)
        );
    }
    assert_eq!(cc.flags(), MapFlags::EMPTY);
    assert_eq!(link.flags(), MapFlags::LINK);
    assert_eq!(
        cc.slots,
        slots(&[
            (0, "fixture_init"),
            (1, "fixture_ssthresh"),
            (2, "fixture_cong_avoid"),
            (3, "fixture_undo_cwnd")
        ])
    );
    assert_eq!(
        link.slots,
        slots(&[
            (0, "fixture_init"),
            (1, "fixture_ssthresh"),
            (3, "fixture_undo_cwnd")
        ])
    );
    assert!(obj
        .programs
        .iter()
        .all(|p| p.prog_type == Some(ProgType::StructOps)));
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));
}

#[test]
fn programs_are_typed_by_libbpf_section_conventions() {
    let Some(data) = compile("programs.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "programs").unwrap();
    use AttachType as A;
    use ProgType as P;
    // (function, type, expected attach type) from libbpf's section_defs.
    let table: &[(&str, P, Option<A>)] = &[
        ("p_xdp", P::Xdp, Some(A::Xdp)),
        ("p_xdp_frags", P::Xdp, Some(A::Xdp)),
        ("p_xdp_devmap", P::Xdp, Some(A::XdpDevmap)),
        ("p_tc", P::SchedCls, None),
        ("p_tcx", P::SchedCls, Some(A::TcxIngress)),
        ("p_socket", P::SocketFilter, None),
        ("p_kprobe", P::Kprobe, None),
        ("p_kretprobe", P::Kprobe, None),
        ("p_uprobe_s", P::Kprobe, None),
        ("p_usdt", P::Kprobe, None),
        ("p_tp", P::Tracepoint, None),
        ("p_raw_tp", P::RawTracepoint, None),
        ("p_tp_btf", P::Tracing, Some(A::TraceRawTp)),
        ("p_fentry", P::Tracing, Some(A::TraceFentry)),
        ("p_fexit_s", P::Tracing, Some(A::TraceFexit)),
        ("p_fentry_no_target", P::Tracing, Some(A::TraceFentry)),
        ("p_lsm", P::Lsm, Some(A::LsmMac)),
        ("p_iter", P::Tracing, Some(A::TraceIter)),
        ("p_cgroup_skb", P::CgroupSkb, Some(A::CgroupInetEgress)),
        ("p_connect4", P::CgroupSockAddr, Some(A::CgroupInet4Connect)),
        ("p_sk_msg", P::SkMsg, Some(A::SkMsgVerdict)),
        ("p_struct_ops", P::StructOps, None),
        ("p_syscall", P::Syscall, None),
        ("p_not_autoloaded", P::Xdp, Some(A::Xdp)),
    ];
    for (name, t, a) in table {
        let p = obj.program(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!((p.prog_type, p.attach_type), (Some(*t), *a), "{name}");
        assert!(!p.subprogram, "{name}");
        assert_eq!(p.autoload, *name != "p_not_autoloaded", "{name}");
    }
    let unknown = obj.program("p_unknown").unwrap();
    assert_eq!(unknown.prog_type, None);
    assert!(obj.program("p_uprobe_s").unwrap().sleepable);
    assert_eq!(
        obj.program("p_fentry").unwrap().attach_target.as_deref(),
        Some("do_unlinkat")
    );
    assert_eq!(
        obj.program("p_fentry_no_target").unwrap().attach_target,
        None
    );

    // .text functions are subprograms; hidden_helper is hidden.
    for sub in ["count_hit", "global_helper", "hidden_helper", "loop_cb"] {
        assert!(obj.program(sub).unwrap().subprogram, "{sub}");
    }
    assert!(obj.program("hidden_helper").unwrap().hidden);
    let names = |v: &[usize]| {
        v.iter()
            .map(|&i| obj.programs[i].name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&obj.program("p_xdp").unwrap().calls),
        ["global_helper"]
    );
    assert_eq!(
        names(&obj.program("global_helper").unwrap().calls),
        ["count_hit"]
    );
    // p_xdp reaches `hits` through global_helper -> count_hit.
    let used = |p: &str| {
        obj.maps_used_by(obj.program(p).unwrap())
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(used("p_xdp"), ["hits"]);
    assert_eq!(used("p_tc"), ["jumps"]);
    // bpf_loop's callback is passed by address.
    let raw_tp = obj.program("p_raw_tp").unwrap();
    let cb = obj
        .programs
        .iter()
        .position(|p| p.name == "loop_cb")
        .unwrap();
    assert!(raw_tp
        .relocations
        .iter()
        .any(|r| r.kind == RelocationKind::SubprogAddress { target: Some(cb) }));
    assert_eq!(used("p_raw_tp"), ["hits"]);
    assert_eq!(obj.license.as_deref(), Some("Dual BSD/GPL"));
    assert_eq!(obj.kern_version, Some(0x060100));

    // libbpf marks the hidden global subprogram static before loading BTF.
    let fixed = obj.fixed_btf().unwrap().unwrap();
    let btf = Btf::parse(&fixed).unwrap();
    let linkage = |n: &str| {
        btf.find_by_name_kind(n, Kind::Func)
            .unwrap()
            .func_linkage()
            .unwrap()
    };
    assert_eq!(linkage("hidden_helper"), func_linkage::STATIC);
    assert_eq!(linkage("global_helper"), func_linkage::GLOBAL);

    let findings = check_object(&obj, &CheckEnv::default());
    let codes: Vec<(Code, String)> = findings
        .iter()
        .map(|f| (f.code, f.subject.to_string()))
        .collect();
    assert!(
        codes.contains(&(Code::UnknownProgramSection, "program 'p_unknown'".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(
            Code::MissingAttachTarget,
            "program 'p_fentry_no_target'".into()
        )),
        "{codes:?}"
    );
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));
}

#[test]
fn ulong_map_extra_is_read_as_64_bits() {
    let Some(data) = compile("map_ulong.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "map_ulong").unwrap();
    assert_eq!(obj.map("arena").unwrap().map_extra, 0x1_0000_0000);
    assert_eq!(obj.map("bloom_ulong").unwrap().map_extra, 4);
    assert!(errors(&obj).is_empty(), "{:#?}", errors(&obj));
}

/// Forty slots in each of a prog array and a hash of maps: past the point
/// where `.rel.maps` relocations are looked up through indexes instead of
/// one search each, every slot still lands at its index with its target.
#[test]
fn many_initialised_slots_each_land_in_place() {
    let Some(data) = compile("many_slots.bpf.c", &[]) else {
        return;
    };
    let obj = ObjectSpec::parse(&data, "many_slots").unwrap();
    assert_eq!(errors(&obj), Vec::<String>::new());
    let expected = |step: u32, prefix: &str| {
        let mut v: Vec<MapSlot> = (0..40u32)
            .map(|i| MapSlot {
                index: (i * step) % 64,
                target: format!("{prefix}{i}"),
            })
            .collect();
        v.sort_by_key(|s| s.index);
        v
    };
    assert_eq!(obj.map("jt").unwrap().slots, expected(7, "p"));
    assert_eq!(obj.map("outer").unwrap().slots, expected(5, "in"));
}
