//! Program type and expected attach type from a section name, by libbpf's
//! `SEC()` conventions (`section_defs` in libbpf.c).
//!
//! The table follows libbpf's order, which matters: the first matching entry
//! wins. It is libbpf's current table (1.3+, a superset of 1.1's: `tcx/`,
//! `netkit/`, `uprobe.multi`, `netfilter` were added later; in libbpf 1.1
//! `tc/ingress` is plain `tc`-style SCHED_CLS without an attach type).

use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! kernel_enum {
    ($(#[$doc:meta])* $ty:ident { $($variant:ident = $num:literal, $name:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($variant = $num,)*
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            pub fn from_u32(v: u32) -> Option<$ty> {
                match v {
                    $($num => Some($ty::$variant),)*
                    _ => None,
                }
            }

            /// libbpf's lower-case name (`prog_type_name` / `attach_type_name`).
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

kernel_enum! {
    /// `enum bpf_prog_type`.
    ProgType {
        Unspec = 0, "unspec";
        SocketFilter = 1, "socket_filter";
        Kprobe = 2, "kprobe";
        SchedCls = 3, "sched_cls";
        SchedAct = 4, "sched_act";
        Tracepoint = 5, "tracepoint";
        Xdp = 6, "xdp";
        PerfEvent = 7, "perf_event";
        CgroupSkb = 8, "cgroup_skb";
        CgroupSock = 9, "cgroup_sock";
        LwtIn = 10, "lwt_in";
        LwtOut = 11, "lwt_out";
        LwtXmit = 12, "lwt_xmit";
        SockOps = 13, "sock_ops";
        SkSkb = 14, "sk_skb";
        CgroupDevice = 15, "cgroup_device";
        SkMsg = 16, "sk_msg";
        RawTracepoint = 17, "raw_tracepoint";
        CgroupSockAddr = 18, "cgroup_sock_addr";
        LwtSeg6local = 19, "lwt_seg6local";
        LircMode2 = 20, "lirc_mode2";
        SkReuseport = 21, "sk_reuseport";
        FlowDissector = 22, "flow_dissector";
        CgroupSysctl = 23, "cgroup_sysctl";
        RawTracepointWritable = 24, "raw_tracepoint_writable";
        CgroupSockopt = 25, "cgroup_sockopt";
        Tracing = 26, "tracing";
        StructOps = 27, "struct_ops";
        Ext = 28, "ext";
        Lsm = 29, "lsm";
        SkLookup = 30, "sk_lookup";
        Syscall = 31, "syscall";
        Netfilter = 32, "netfilter";
    }
}

kernel_enum! {
    /// `enum bpf_attach_type`.
    AttachType {
        CgroupInetIngress = 0, "cgroup_inet_ingress";
        CgroupInetEgress = 1, "cgroup_inet_egress";
        CgroupInetSockCreate = 2, "cgroup_inet_sock_create";
        CgroupSockOps = 3, "cgroup_sock_ops";
        SkSkbStreamParser = 4, "sk_skb_stream_parser";
        SkSkbStreamVerdict = 5, "sk_skb_stream_verdict";
        CgroupDevice = 6, "cgroup_device";
        SkMsgVerdict = 7, "sk_msg_verdict";
        CgroupInet4Bind = 8, "cgroup_inet4_bind";
        CgroupInet6Bind = 9, "cgroup_inet6_bind";
        CgroupInet4Connect = 10, "cgroup_inet4_connect";
        CgroupInet6Connect = 11, "cgroup_inet6_connect";
        CgroupInet4PostBind = 12, "cgroup_inet4_post_bind";
        CgroupInet6PostBind = 13, "cgroup_inet6_post_bind";
        CgroupUdp4Sendmsg = 14, "cgroup_udp4_sendmsg";
        CgroupUdp6Sendmsg = 15, "cgroup_udp6_sendmsg";
        LircMode2 = 16, "lirc_mode2";
        FlowDissector = 17, "flow_dissector";
        CgroupSysctl = 18, "cgroup_sysctl";
        CgroupUdp4Recvmsg = 19, "cgroup_udp4_recvmsg";
        CgroupUdp6Recvmsg = 20, "cgroup_udp6_recvmsg";
        CgroupGetsockopt = 21, "cgroup_getsockopt";
        CgroupSetsockopt = 22, "cgroup_setsockopt";
        TraceRawTp = 23, "trace_raw_tp";
        TraceFentry = 24, "trace_fentry";
        TraceFexit = 25, "trace_fexit";
        ModifyReturn = 26, "modify_return";
        LsmMac = 27, "lsm_mac";
        TraceIter = 28, "trace_iter";
        CgroupInet4Getpeername = 29, "cgroup_inet4_getpeername";
        CgroupInet6Getpeername = 30, "cgroup_inet6_getpeername";
        CgroupInet4Getsockname = 31, "cgroup_inet4_getsockname";
        CgroupInet6Getsockname = 32, "cgroup_inet6_getsockname";
        XdpDevmap = 33, "xdp_devmap";
        CgroupInetSockRelease = 34, "cgroup_inet_sock_release";
        XdpCpumap = 35, "xdp_cpumap";
        SkLookup = 36, "sk_lookup";
        Xdp = 37, "xdp";
        SkSkbVerdict = 38, "sk_skb_verdict";
        SkReuseportSelect = 39, "sk_reuseport_select";
        SkReuseportSelectOrMigrate = 40, "sk_reuseport_select_or_migrate";
        PerfEvent = 41, "perf_event";
        TraceKprobeMulti = 42, "trace_kprobe_multi";
        LsmCgroup = 43, "lsm_cgroup";
        StructOps = 44, "struct_ops";
        Netfilter = 45, "netfilter";
        TcxIngress = 46, "tcx_ingress";
        TcxEgress = 47, "tcx_egress";
        TraceUprobeMulti = 48, "trace_uprobe_multi";
        CgroupUnixConnect = 49, "cgroup_unix_connect";
        CgroupUnixSendmsg = 50, "cgroup_unix_sendmsg";
        CgroupUnixRecvmsg = 51, "cgroup_unix_recvmsg";
        CgroupUnixGetpeername = 52, "cgroup_unix_getpeername";
        CgroupUnixGetsockname = 53, "cgroup_unix_getsockname";
        NetkitPrimary = 54, "netkit_primary";
        NetkitPeer = 55, "netkit_peer";
        TraceKprobeSession = 56, "trace_kprobe_session";
        TraceUprobeSession = 57, "trace_uprobe_session";
    }
}

/// `enum sec_def_flags` bits.
pub mod sec_flags {
    pub const NONE: u32 = 0;
    /// expected_attach_type is optional on kernels that do not know it.
    pub const EXP_ATTACH_OPT: u32 = 1;
    pub const ATTACHABLE: u32 = 2;
    pub const ATTACHABLE_OPT: u32 = ATTACHABLE | EXP_ATTACH_OPT;
    /// The attach target is a BTF id (fentry, lsm, iter, ...), named after the `/`.
    pub const ATTACH_BTF: u32 = 4;
    /// Loaded with BPF_F_SLEEPABLE.
    pub const SLEEPABLE: u32 = 8;
    /// Loaded with BPF_F_XDP_HAS_FRAGS.
    pub const XDP_FRAGS: u32 = 16;
    /// USDT probe (uprobe_multi link when available).
    pub const USDT: u32 = 32;
}

/// One row of libbpf's `section_defs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecDef {
    /// `"xdp"` exact, `"kprobe+"` exact or followed by `/...`, `"tc/"`-style prefix.
    pub pattern: &'static str,
    pub prog_type: ProgType,
    /// `None` where libbpf's table has 0 meaning "none" (not CGROUP_INET_INGRESS).
    pub attach_type: Option<AttachType>,
    pub flags: u32,
}

impl Serialize for SecDef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.pattern)
    }
}

impl SecDef {
    /// libbpf's `sec_def_matches`.
    pub fn matches(&self, sec_name: &str) -> bool {
        let p = self.pattern;
        if p.ends_with('/') {
            return sec_name.starts_with(p);
        }
        if let Some(stem) = p.strip_suffix('+') {
            return match sec_name.strip_prefix(stem) {
                Some(rest) => rest.is_empty() || rest.starts_with('/'),
                None => false,
            };
        }
        sec_name == p
    }
}

macro_rules! sec_defs {
    ($($pat:literal, $pt:ident, $at:tt, $flags:expr;)*) => {
        /// libbpf's `section_defs`, in order.
        pub const SECTION_DEFS: &[SecDef] = &[
            $(SecDef {
                pattern: $pat,
                prog_type: ProgType::$pt,
                attach_type: sec_defs!(@at $at),
                flags: $flags,
            },)*
        ];
    };
    (@at 0) => { None };
    (@at $at:ident) => { Some(AttachType::$at) };
}

use sec_flags::*;

sec_defs! {
    "socket", SocketFilter, 0, NONE;
    "sk_reuseport/migrate", SkReuseport, SkReuseportSelectOrMigrate, ATTACHABLE;
    "sk_reuseport", SkReuseport, SkReuseportSelect, ATTACHABLE;
    "kprobe+", Kprobe, 0, NONE;
    "uprobe+", Kprobe, 0, NONE;
    "uprobe.s+", Kprobe, 0, SLEEPABLE;
    "kretprobe+", Kprobe, 0, NONE;
    "uretprobe+", Kprobe, 0, NONE;
    "uretprobe.s+", Kprobe, 0, SLEEPABLE;
    "kprobe.multi+", Kprobe, TraceKprobeMulti, NONE;
    "kretprobe.multi+", Kprobe, TraceKprobeMulti, NONE;
    "uprobe.multi+", Kprobe, TraceUprobeMulti, NONE;
    "uretprobe.multi+", Kprobe, TraceUprobeMulti, NONE;
    "uprobe.multi.s+", Kprobe, TraceUprobeMulti, SLEEPABLE;
    "uretprobe.multi.s+", Kprobe, TraceUprobeMulti, SLEEPABLE;
    "ksyscall+", Kprobe, 0, NONE;
    "kretsyscall+", Kprobe, 0, NONE;
    "usdt+", Kprobe, 0, USDT;
    "usdt.s+", Kprobe, 0, USDT | SLEEPABLE;
    "tc/ingress", SchedCls, TcxIngress, NONE;
    "tc/egress", SchedCls, TcxEgress, NONE;
    "tcx/ingress", SchedCls, TcxIngress, NONE;
    "tcx/egress", SchedCls, TcxEgress, NONE;
    "tc", SchedCls, 0, NONE;
    "classifier", SchedCls, 0, NONE;
    "action", SchedAct, 0, NONE;
    "netkit/primary", SchedCls, NetkitPrimary, NONE;
    "netkit/peer", SchedCls, NetkitPeer, NONE;
    "tracepoint+", Tracepoint, 0, NONE;
    "tp+", Tracepoint, 0, NONE;
    "raw_tracepoint+", RawTracepoint, 0, NONE;
    "raw_tp+", RawTracepoint, 0, NONE;
    "raw_tracepoint.w+", RawTracepointWritable, 0, NONE;
    "raw_tp.w+", RawTracepointWritable, 0, NONE;
    "tp_btf+", Tracing, TraceRawTp, ATTACH_BTF;
    "fentry+", Tracing, TraceFentry, ATTACH_BTF;
    "fmod_ret+", Tracing, ModifyReturn, ATTACH_BTF;
    "fexit+", Tracing, TraceFexit, ATTACH_BTF;
    "fentry.s+", Tracing, TraceFentry, ATTACH_BTF | SLEEPABLE;
    "fmod_ret.s+", Tracing, ModifyReturn, ATTACH_BTF | SLEEPABLE;
    "fexit.s+", Tracing, TraceFexit, ATTACH_BTF | SLEEPABLE;
    "freplace+", Ext, 0, ATTACH_BTF;
    "lsm+", Lsm, LsmMac, ATTACH_BTF;
    "lsm.s+", Lsm, LsmMac, ATTACH_BTF | SLEEPABLE;
    "lsm_cgroup+", Lsm, LsmCgroup, ATTACH_BTF;
    "iter+", Tracing, TraceIter, ATTACH_BTF;
    "iter.s+", Tracing, TraceIter, ATTACH_BTF | SLEEPABLE;
    "syscall", Syscall, 0, SLEEPABLE;
    "xdp.frags/devmap", Xdp, XdpDevmap, XDP_FRAGS;
    "xdp/devmap", Xdp, XdpDevmap, ATTACHABLE;
    "xdp.frags/cpumap", Xdp, XdpCpumap, XDP_FRAGS;
    "xdp/cpumap", Xdp, XdpCpumap, ATTACHABLE;
    "xdp.frags", Xdp, Xdp, XDP_FRAGS;
    "xdp", Xdp, Xdp, ATTACHABLE_OPT;
    "perf_event", PerfEvent, 0, NONE;
    "lwt_in", LwtIn, 0, NONE;
    "lwt_out", LwtOut, 0, NONE;
    "lwt_xmit", LwtXmit, 0, NONE;
    "lwt_seg6local", LwtSeg6local, 0, NONE;
    "sockops", SockOps, CgroupSockOps, ATTACHABLE_OPT;
    "sk_skb/stream_parser", SkSkb, SkSkbStreamParser, ATTACHABLE_OPT;
    "sk_skb/stream_verdict", SkSkb, SkSkbStreamVerdict, ATTACHABLE_OPT;
    "sk_skb", SkSkb, 0, NONE;
    "sk_msg", SkMsg, SkMsgVerdict, ATTACHABLE_OPT;
    "lirc_mode2", LircMode2, LircMode2, ATTACHABLE_OPT;
    "flow_dissector", FlowDissector, FlowDissector, ATTACHABLE_OPT;
    "cgroup_skb/ingress", CgroupSkb, CgroupInetIngress, ATTACHABLE_OPT;
    "cgroup_skb/egress", CgroupSkb, CgroupInetEgress, ATTACHABLE_OPT;
    "cgroup/skb", CgroupSkb, 0, NONE;
    "cgroup/sock_create", CgroupSock, CgroupInetSockCreate, ATTACHABLE;
    "cgroup/sock_release", CgroupSock, CgroupInetSockRelease, ATTACHABLE;
    "cgroup/sock", CgroupSock, CgroupInetSockCreate, ATTACHABLE_OPT;
    "cgroup/post_bind4", CgroupSock, CgroupInet4PostBind, ATTACHABLE;
    "cgroup/post_bind6", CgroupSock, CgroupInet6PostBind, ATTACHABLE;
    "cgroup/bind4", CgroupSockAddr, CgroupInet4Bind, ATTACHABLE;
    "cgroup/bind6", CgroupSockAddr, CgroupInet6Bind, ATTACHABLE;
    "cgroup/connect4", CgroupSockAddr, CgroupInet4Connect, ATTACHABLE;
    "cgroup/connect6", CgroupSockAddr, CgroupInet6Connect, ATTACHABLE;
    "cgroup/connect_unix", CgroupSockAddr, CgroupUnixConnect, ATTACHABLE;
    "cgroup/sendmsg4", CgroupSockAddr, CgroupUdp4Sendmsg, ATTACHABLE;
    "cgroup/sendmsg6", CgroupSockAddr, CgroupUdp6Sendmsg, ATTACHABLE;
    "cgroup/sendmsg_unix", CgroupSockAddr, CgroupUnixSendmsg, ATTACHABLE;
    "cgroup/recvmsg4", CgroupSockAddr, CgroupUdp4Recvmsg, ATTACHABLE;
    "cgroup/recvmsg6", CgroupSockAddr, CgroupUdp6Recvmsg, ATTACHABLE;
    "cgroup/recvmsg_unix", CgroupSockAddr, CgroupUnixRecvmsg, ATTACHABLE;
    "cgroup/getpeername4", CgroupSockAddr, CgroupInet4Getpeername, ATTACHABLE;
    "cgroup/getpeername6", CgroupSockAddr, CgroupInet6Getpeername, ATTACHABLE;
    "cgroup/getpeername_unix", CgroupSockAddr, CgroupUnixGetpeername, ATTACHABLE;
    "cgroup/getsockname4", CgroupSockAddr, CgroupInet4Getsockname, ATTACHABLE;
    "cgroup/getsockname6", CgroupSockAddr, CgroupInet6Getsockname, ATTACHABLE;
    "cgroup/getsockname_unix", CgroupSockAddr, CgroupUnixGetsockname, ATTACHABLE;
    "cgroup/sysctl", CgroupSysctl, CgroupSysctl, ATTACHABLE;
    "cgroup/getsockopt", CgroupSockopt, CgroupGetsockopt, ATTACHABLE;
    "cgroup/setsockopt", CgroupSockopt, CgroupSetsockopt, ATTACHABLE;
    "cgroup/dev", CgroupDevice, CgroupDevice, ATTACHABLE_OPT;
    "struct_ops+", StructOps, 0, NONE;
    "struct_ops.s+", StructOps, 0, SLEEPABLE;
    "sk_lookup", SkLookup, SkLookup, ATTACHABLE;
    "netfilter", Netfilter, Netfilter, NONE;
}

/// The first table row matching `sec_name` (without a leading `?`), like
/// libbpf's `find_sec_def`.
pub fn find_sec_def(sec_name: &str) -> Option<&'static SecDef> {
    let first = *sec_name.as_bytes().first()?;
    by_first_byte()[usize::from(first)]
        .iter()
        .map(|&i| &SECTION_DEFS[usize::from(i)])
        .find(|d| d.matches(sec_name))
}

/// Indices into [`SECTION_DEFS`] by the first byte of the pattern, in table
/// order. Every pattern is a prefix of the names it matches, so a name is
/// only ever matched by the rows starting with its own first byte, and the
/// first of those that matches is the first of the whole table.
fn by_first_byte() -> &'static [Vec<u8>] {
    static INDEX: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = vec![Vec::new(); 256];
        for (i, d) in SECTION_DEFS.iter().enumerate() {
            let i = u8::try_from(i).expect("SECTION_DEFS has fewer than 256 rows");
            index[usize::from(d.pattern.as_bytes()[0])].push(i);
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_in_kernel_order() {
        for (i, t) in ProgType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
        for (i, t) in AttachType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
    }

    /// The indexed search finds what a walk of the whole table finds.
    #[test]
    fn index_keeps_table_order() {
        let walk = |name: &str| SECTION_DEFS.iter().find(|d| d.matches(name));
        let mut names = vec![String::new(), "?".into(), "x".into()];
        for d in SECTION_DEFS {
            let stem = d.pattern.trim_end_matches('+');
            for suffix in ["", "/", "/x", "x", ".s", ".s/x"] {
                names.push(format!("{stem}{suffix}"));
            }
        }
        for name in &names {
            assert_eq!(find_sec_def(name), walk(name), "{name:?}");
        }
    }

    #[test]
    fn matching_follows_libbpf() {
        let def = |s| find_sec_def(s).map(|d| (d.prog_type, d.attach_type));
        assert_eq!(def("xdp"), Some((ProgType::Xdp, Some(AttachType::Xdp))));
        assert_eq!(
            def("xdp/devmap"),
            Some((ProgType::Xdp, Some(AttachType::XdpDevmap)))
        );
        // "xdp" is exact: "xdp_foo" matches nothing.
        assert_eq!(def("xdp_foo"), None);
        assert_eq!(def("kprobe/do_sys_open"), Some((ProgType::Kprobe, None)));
        assert_eq!(def("kprobe"), Some((ProgType::Kprobe, None)));
        // "kprobe+" needs a '/' separator.
        assert_eq!(def("kprobex"), None);
        assert_eq!(
            def("fentry/tcp_connect"),
            Some((ProgType::Tracing, Some(AttachType::TraceFentry)))
        );
        assert_eq!(
            def("cgroup_skb/ingress"),
            Some((ProgType::CgroupSkb, Some(AttachType::CgroupInetIngress)))
        );
        assert_eq!(def("socket"), Some((ProgType::SocketFilter, None)));
        assert_eq!(def("socket/2"), None);
        assert_eq!(
            def("struct_ops/dctcp_init"),
            Some((ProgType::StructOps, None))
        );
        assert_eq!(def("usdt/lib:prov:name"), Some((ProgType::Kprobe, None)));
        assert_eq!(
            def("iter/task"),
            Some((ProgType::Tracing, Some(AttachType::TraceIter)))
        );
        assert_eq!(def("lsm.s/file_open").map(|d| d.0), Some(ProgType::Lsm));
    }
}
