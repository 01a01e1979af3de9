//! The builder, kind by kind: what it writes parses back with `Btf::parse`
//! in both byte orders with every field as intended, and bpftool (libbpf)
//! reads it the same way. Also split BTF, string deduplication, in-place
//! fix-ups checked against libbpf's static linker, and encode errors.

mod btf_roundtrip_support;

use bpfc::btf::build::{BtfBuilder, BuildError, Composite, Field, MemberDef, TypeData, TypeDef};
use bpfc::btf::{func_linkage, int_encoding, var_linkage, Btf, Kind, Type, VarSecinfo};
use bpfc::bytes::Endian;
use btf_roundtrip_support::{self as support, Object};

const BOTH: [Endian; 2] = [Endian::Little, Endian::Big];

/// Builds one blob per byte order with `build`, parses it and hands the
/// parsed type with id `id` to `check`.
fn build_and_check(build: impl Fn(&mut BtfBuilder) -> u32, check: impl Fn(&Btf<'_>, Type<'_>)) {
    for endian in BOTH {
        let mut b = BtfBuilder::new();
        let id = build(&mut b);
        let blob = b.encode(endian).unwrap();
        let btf = Btf::parse(&blob).unwrap();
        assert_eq!(btf.endian(), endian);
        assert_eq!(btf.len(), b.len());
        check(&btf, btf.type_by_id(id).unwrap());
    }
}

fn name<'a>(btf: &Btf<'a>, off: u32) -> String {
    btf.str_at(off).unwrap().into_owned()
}

#[test]
fn int() {
    build_and_check(
        |b| b.add_int("long int", 8, int_encoding::SIGNED),
        |btf, t| {
            assert_eq!(t.kind(), Kind::Int);
            assert_eq!(btf.name(&t).unwrap(), "long int");
            assert_eq!(t.size(), 8);
            let i = t.int().unwrap();
            assert_eq!(
                (i.encoding, i.bit_offset, i.bits),
                (int_encoding::SIGNED, 0, 64)
            );
            assert!(!t.kflag());
        },
    );
    build_and_check(
        |b| b.add_int("_Bool", 1, int_encoding::BOOL),
        |_, t| assert_eq!(t.int().unwrap().bits, 8),
    );
}

#[test]
fn ptr_array_and_qualifiers() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let arr = b.add_array(int, int, 16);
            let ptr = b.add_ptr(arr);
            let v = b.add_volatile(ptr);
            let c = b.add_const(v);
            b.add_restrict(c)
        },
        |btf, t| {
            assert_eq!((t.kind(), t.name_off()), (Kind::Restrict, 0));
            let c = btf.type_by_id(t.type_id()).unwrap();
            assert_eq!(c.kind(), Kind::Const);
            let v = btf.type_by_id(c.type_id()).unwrap();
            assert_eq!(v.kind(), Kind::Volatile);
            let p = btf.type_by_id(v.type_id()).unwrap();
            assert_eq!((p.kind(), p.name_off()), (Kind::Ptr, 0));
            let a = btf.type_by_id(p.type_id()).unwrap().array().unwrap();
            assert_eq!((a.elem_type, a.index_type, a.nelems), (1, 1, 16));
            assert_eq!(btf.resolve_size(t.id()).unwrap(), 8);
            assert_eq!(btf.resolve_size(p.type_id()).unwrap(), 64);
        },
    );
}

#[test]
fn struct_without_bitfields_has_no_kflag() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let ch = b.add_int("char", 1, int_encoding::CHAR);
            b.add_struct("s", 8, &[Field::new("a", int, 0), Field::new("b", ch, 32)])
        },
        |btf, t| {
            assert_eq!(
                (t.kind(), t.size(), t.vlen(), t.kflag()),
                (Kind::Struct, 8, 2, false)
            );
            let m: Vec<_> = t.members().collect();
            assert_eq!(name(btf, m[0].name_off), "a");
            assert_eq!((m[0].type_id, m[0].bit_offset()), (1, 0));
            assert_eq!(name(btf, m[1].name_off), "b");
            assert_eq!(
                (m[1].type_id, m[1].bit_offset(), m[1].raw_offset),
                (2, 32, 32)
            );
        },
    );
}

#[test]
fn struct_with_bitfields_uses_kflag_encoding() {
    build_and_check(
        |b| {
            let uint = b.add_int("unsigned int", 4, 0);
            b.add_struct(
                "flags",
                4,
                &[
                    Field::bitfield("lo", uint, 0, 3),
                    Field::bitfield("hi", uint, 3, 29),
                ],
            )
        },
        |_, t| {
            assert!(t.kflag());
            let m: Vec<_> = t.members().collect();
            assert_eq!((m[0].bit_offset(), m[0].bitfield_size()), (0, 3));
            assert_eq!((m[1].bit_offset(), m[1].bitfield_size()), (3, 29));
            assert_eq!(m[1].raw_offset, (29 << 24) | 3);
        },
    );
}

#[test]
fn union() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let long = b.add_int("long", 8, int_encoding::SIGNED);
            b.add_union("u", 8, &[Field::new("i", int, 0), Field::new("l", long, 0)])
        },
        |btf, t| {
            assert_eq!((t.kind(), t.size(), t.vlen()), (Kind::Union, 8, 2));
            assert_eq!(btf.name(&t).unwrap(), "u");
            assert!(t.members().all(|m| m.bit_offset() == 0));
        },
    );
}

#[test]
fn enum_signed_and_unsigned() {
    build_and_check(
        |b| b.add_enum("sign", 4, true, &[("NEG", -5i32 as u32), ("POS", 7)]),
        |btf, t| {
            assert_eq!((t.kind(), t.size(), t.kflag()), (Kind::Enum, 4, true));
            let e: Vec<_> = t.enumerators().collect();
            assert_eq!(name(btf, e[0].name_off), "NEG");
            assert_eq!(e[0].value as i64, -5);
            assert_eq!(e[1].value, 7);
        },
    );
    build_and_check(
        |b| b.add_enum("flags", 4, false, &[("TOP", 0x8000_0000)]),
        |_, t| {
            assert!(!t.kflag());
            assert_eq!(t.enumerators().next().unwrap().value, 0x8000_0000);
        },
    );
}

#[test]
fn enum64() {
    build_and_check(
        |b| b.add_enum64("wide", 8, false, &[("BIG", 0x1234_5678_9abc_def0)]),
        |btf, t| {
            assert_eq!(
                (t.kind(), t.size(), t.vlen(), t.kflag()),
                (Kind::Enum64, 8, 1, false)
            );
            let e = t.enumerators().next().unwrap();
            assert_eq!(name(btf, e.name_off), "BIG");
            assert_eq!(e.value, 0x1234_5678_9abc_def0);
        },
    );
    build_and_check(
        |b| b.add_enum64("swide", 8, true, &[("MIN", i64::MIN as u64)]),
        |_, t| {
            assert!(t.kflag());
            assert_eq!(t.enumerators().next().unwrap().value as i64, i64::MIN);
        },
    );
}

#[test]
fn fwd_struct_and_union() {
    build_and_check(
        |b| b.add_fwd("task_struct", false),
        |btf, t| {
            assert_eq!((t.kind(), t.kflag(), t.size()), (Kind::Fwd, false, 0));
            assert_eq!(btf.name(&t).unwrap(), "task_struct");
        },
    );
    build_and_check(|b| b.add_fwd("u", true), |_, t| assert!(t.kflag()));
}

#[test]
fn typedef() {
    build_and_check(
        |b| {
            let int = b.add_int("unsigned int", 4, 0);
            b.add_typedef("u32", int)
        },
        |btf, t| {
            assert_eq!((t.kind(), t.type_id()), (Kind::Typedef, 1));
            assert_eq!(btf.name(&t).unwrap(), "u32");
            assert_eq!(btf.skip_mods_and_typedefs(t.id()).unwrap(), 1);
        },
    );
}

#[test]
fn func_and_func_proto() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let proto = b.add_func_proto(int, &[("ctx", int), ("", 0)]);
            b.add_func("handler", proto, func_linkage::GLOBAL)
        },
        |btf, t| {
            assert_eq!(t.kind(), Kind::Func);
            assert_eq!(t.func_linkage(), Some(func_linkage::GLOBAL));
            assert_eq!(btf.name(&t).unwrap(), "handler");
            let proto = btf.type_by_id(t.type_id()).unwrap();
            assert_eq!(
                (proto.kind(), proto.type_id(), proto.vlen()),
                (Kind::FuncProto, 1, 2)
            );
            let p: Vec<_> = proto.params().collect();
            assert_eq!((name(btf, p[0].name_off), p[0].type_id), ("ctx".into(), 1));
            assert_eq!((p[1].name_off, p[1].type_id), (0, 0));
        },
    );
}

#[test]
fn var_and_datasec() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let a = b.add_var("a", int, var_linkage::GLOBAL_ALLOCATED);
            let c = b.add_var("c", int, var_linkage::STATIC);
            b.add_datasec(
                ".data",
                8,
                &[
                    VarSecinfo {
                        type_id: a,
                        offset: 0,
                        size: 4,
                    },
                    VarSecinfo {
                        type_id: c,
                        offset: 4,
                        size: 4,
                    },
                ],
            )
        },
        |btf, t| {
            assert_eq!((t.kind(), t.size(), t.vlen()), (Kind::Datasec, 8, 2));
            assert_eq!(btf.name(&t).unwrap(), ".data");
            let e: Vec<_> = t.datasec_entries().collect();
            assert_eq!((e[1].type_id, e[1].offset, e[1].size), (3, 4, 4));
            let a = btf.type_by_id(e[0].type_id).unwrap();
            assert_eq!(a.var_linkage(), Some(var_linkage::GLOBAL_ALLOCATED));
            assert_eq!(
                btf.type_by_id(3).unwrap().var_linkage(),
                Some(var_linkage::STATIC)
            );
        },
    );
}

#[test]
fn float() {
    build_and_check(
        |b| b.add_float("double", 8),
        |btf, t| {
            assert_eq!((t.kind(), t.size(), t.vlen()), (Kind::Float, 8, 0));
            assert_eq!(btf.name(&t).unwrap(), "double");
        },
    );
}

#[test]
fn decl_tag_and_type_tag() {
    build_and_check(
        |b| {
            let int = b.add_int("int", 4, int_encoding::SIGNED);
            let s = b.add_struct("s", 4, &[Field::new("x", int, 0)]);
            b.add_decl_tag("tagged", s, 0);
            let tt = b.add_type_tag("user", int);
            b.add_decl_tag("whole", s, -1);
            tt
        },
        |btf, t| {
            assert_eq!((t.kind(), t.type_id()), (Kind::TypeTag, 1));
            assert_eq!(btf.name(&t).unwrap(), "user");
            let member_tag = btf.type_by_id(3).unwrap();
            assert_eq!(member_tag.kind(), Kind::DeclTag);
            assert_eq!(member_tag.decl_tag_component_idx(), Some(0));
            assert_eq!(btf.name(&member_tag).unwrap(), "tagged");
            assert_eq!(
                btf.type_by_id(5).unwrap().decl_tag_component_idx(),
                Some(-1)
            );
        },
    );
}

#[test]
fn strings_are_stored_once() {
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED);
    b.add_struct(
        "s",
        8,
        &[Field::new("int", int, 0), Field::new("s", int, 32)],
    );
    b.add_typedef("s", int);
    assert_eq!(b.strings().as_bytes(), b"\0int\0s\0");
    assert_eq!(b.add_str("int"), 1);
}

/// One type of every kind, with every option that changes the encoding.
fn every_kind() -> BtfBuilder {
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED); // 1
    let ptr = b.add_ptr(int); // 2
    b.add_array(int, int, 4); // 3
    b.add_struct(
        "point",
        8,
        &[Field::new("x", int, 0), Field::new("y", int, 32)],
    ); // 4
    b.add_struct(
        "bits",
        4,
        &[
            Field::bitfield("a", int, 0, 3),
            Field::bitfield("b", int, 3, 5),
        ],
    ); // 5
    b.add_union(
        "num",
        4,
        &[Field::new("i", int, 0), Field::new("p", ptr, 0)],
    ); // 6
    b.add_enum("sign", 4, true, &[("NEG", -1i32 as u32), ("POS", 1)]); // 7
    b.add_enum("mask", 4, false, &[("HIGH", 0x8000_0000)]); // 8
    b.add_enum64("wide", 8, false, &[("BIG", 1 << 40)]); // 9
    b.add_fwd("opaque", false); // 10
    b.add_fwd("either", true); // 11
    b.add_typedef("myint", int); // 12
    b.add_volatile(int); // 13
    let c = b.add_const(int); // 14
    b.add_restrict(ptr); // 15
    let proto = b.add_func_proto(int, &[("x", c), ("", 0)]); // 16
    let f = b.add_func("add", proto, func_linkage::GLOBAL); // 17
    let v = b.add_var("counter", int, var_linkage::GLOBAL_ALLOCATED); // 18
    b.add_datasec(
        ".data",
        4,
        &[VarSecinfo {
            type_id: v,
            offset: 0,
            size: 4,
        }],
    ); // 19
    b.add_float("double", 8); // 20
    b.add_decl_tag("kfunc", f, -1); // 21
    b.add_type_tag("user", int); // 22
    b
}

#[test]
fn bpftool_reads_every_kind_as_intended() {
    // Expected lines written from the types above in bpftool's raw format.
    let expected = "\
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] PTR '(anon)' type_id=1
[3] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4
[4] STRUCT 'point' size=8 vlen=2
	'x' type_id=1 bits_offset=0
	'y' type_id=1 bits_offset=32
[5] STRUCT 'bits' size=4 vlen=2
	'a' type_id=1 bits_offset=0 bitfield_size=3
	'b' type_id=1 bits_offset=3 bitfield_size=5
[6] UNION 'num' size=4 vlen=2
	'i' type_id=1 bits_offset=0
	'p' type_id=2 bits_offset=0
[7] ENUM 'sign' encoding=SIGNED size=4 vlen=2
	'NEG' val=-1
	'POS' val=1
[8] ENUM 'mask' encoding=UNSIGNED size=4 vlen=1
	'HIGH' val=2147483648
[9] ENUM64 'wide' encoding=UNSIGNED size=8 vlen=1
	'BIG' val=1099511627776ULL
[10] FWD 'opaque' fwd_kind=struct
[11] FWD 'either' fwd_kind=union
[12] TYPEDEF 'myint' type_id=1
[13] VOLATILE '(anon)' type_id=1
[14] CONST '(anon)' type_id=1
[15] RESTRICT '(anon)' type_id=2
[16] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
	'x' type_id=14
	'(anon)' type_id=0
[17] FUNC 'add' type_id=16 linkage=global
[18] VAR 'counter' type_id=1, linkage=global
[19] DATASEC '.data' size=4 vlen=1
	type_id=18 offset=0 size=4 (VAR 'counter')
[20] FLOAT 'double' size=8
[21] DECL_TAG 'kfunc' type_id=17 component_idx=-1
[22] TYPE_TAG 'user' type_id=1
";
    let dir = tempfile::tempdir().unwrap();
    for endian in BOTH {
        let path = dir.path().join(format!("every_kind_{endian:?}.btf"));
        std::fs::write(&path, every_kind().encode(endian).unwrap()).unwrap();
        let Some(dump) =
            support::tool_output("bpftool", &["btf", "dump", "file", path.to_str().unwrap()])
        else {
            return;
        };
        assert_eq!(dump, expected, "{endian:?}");
    }
}

#[test]
fn bpftool_c_dump_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("every_kind.btf");
    std::fs::write(&path, every_kind().encode(Endian::Little).unwrap()).unwrap();
    let Some(dump) = support::tool_output(
        "bpftool",
        &["btf", "dump", "file", path.to_str().unwrap(), "format", "c"],
    ) else {
        return;
    };
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/btf_build")}, {
        insta::assert_snapshot!("every_kind_c", dump);
    });
}

#[test]
fn split_builder_continues_the_base() {
    let mut base = BtfBuilder::new();
    let int = base.add_int("int", 4, int_encoding::SIGNED);
    base.add_typedef("pid_t", int);
    for endian in BOTH {
        let base_blob = base.encode(endian).unwrap();
        let base_btf = Btf::parse(&base_blob).unwrap();

        let mut split = BtfBuilder::new_split(&base_btf);
        assert_eq!(split.first_id(), 3);
        let s = split.add_struct(
            "task",
            8,
            &[Field::new("pid", 2, 0), Field::new("tgid", 2, 32)],
        );
        assert_eq!(s, 3);
        // "int" and "pid_t" live in the base: only new names are added.
        assert_eq!(
            split.add_str("pid_t"),
            base_btf
                .find_by_name_kind("pid_t", Kind::Typedef)
                .unwrap()
                .name_off()
        );
        assert_eq!(split.strings().as_bytes(), b"task\0pid\0tgid\0");
        let split_blob = split.encode(endian).unwrap();
        let btf = Btf::parse_split(&split_blob, &base_btf).unwrap();
        assert_eq!((btf.first_id(), btf.len()), (3, 1));
        let t = btf.type_by_id(3).unwrap();
        assert_eq!(btf.name(&t).unwrap(), "task");
        let m: Vec<_> = t.members().collect();
        assert_eq!(btf.str_at(m[1].name_off).unwrap(), "tgid");
        assert_eq!(btf.resolve_size(m[0].type_id).unwrap(), 4);

        // bpftool agrees on the ids and names.
        let dir = tempfile::tempdir().unwrap();
        let (bp, sp) = (dir.path().join("base.btf"), dir.path().join("split.btf"));
        std::fs::write(&bp, &base_blob).unwrap();
        std::fs::write(&sp, &split_blob).unwrap();
        let Some(dump) = support::tool_output(
            "bpftool",
            &[
                "btf",
                "dump",
                "file",
                sp.to_str().unwrap(),
                "-B",
                bp.to_str().unwrap(),
            ],
        ) else {
            return;
        };
        assert_eq!(
            dump,
            "[3] STRUCT 'task' size=8 vlen=2\n\t'pid' type_id=2 bits_offset=0\n\t'tgid' type_id=2 bits_offset=32\n"
        );
    }
}

#[test]
fn split_builder_on_kernel_btf() {
    let Some(data) = support::read_or_skip(support::SYS_VMLINUX) else {
        return;
    };
    let vmlinux = Btf::parse(&data).unwrap();
    let mut split = BtfBuilder::new_split(&vmlinux);
    let task = vmlinux
        .find_by_name_kind("task_struct", Kind::Struct)
        .unwrap();
    let ptr = split.add_ptr(task.id());
    let name_off = split.add_str("task_struct");
    assert_eq!(name_off, task.name_off(), "base string reused");
    let blob = split.encode(vmlinux.endian()).unwrap();
    let btf = Btf::parse_split(&blob, &vmlinux).unwrap();
    assert_eq!(ptr, vmlinux.last_id() + 1);
    assert_eq!(btf.type_by_id(ptr).unwrap().type_id(), task.id());
    // Split BTF may have an empty string section.
    assert_eq!(btf.header().str_len, 0);
}

#[test]
fn lookups() {
    let b = every_kind();
    assert_eq!(b.find_by_name_kind("point", Kind::Struct), Some(4));
    assert_eq!(b.find_by_name_kind("point", Kind::Union), None);
    assert_eq!(b.name(17), Some(&b"add"[..]));
    assert_eq!(b.get(19).unwrap().kind(), Kind::Datasec);
    assert!(b.get(0).is_none() && b.get(23).is_none());
    assert_eq!(b.next_id(), 23);
    assert_eq!(b.iter().count(), 22);
}

#[test]
fn fix_ups_in_place() {
    let mut b = every_kind();
    b.set_datasec_size(19, 16).unwrap();
    b.set_datasec_entry(19, 0, 8, 4).unwrap();
    b.push_datasec_entry(
        19,
        VarSecinfo {
            type_id: 18,
            offset: 12,
            size: 4,
        },
    )
    .unwrap();
    b.set_var_linkage(18, var_linkage::STATIC).unwrap();
    b.set_func_linkage(17, func_linkage::STATIC).unwrap();
    for endian in BOTH {
        let blob = b.encode(endian).unwrap();
        let btf = Btf::parse(&blob).unwrap();
        let sec = btf.type_by_id(19).unwrap();
        assert_eq!((sec.size(), sec.vlen()), (16, 2));
        let e: Vec<_> = sec.datasec_entries().collect();
        assert_eq!((e[0].offset, e[0].size, e[1].offset), (8, 4, 12));
        assert_eq!(
            btf.type_by_id(18).unwrap().var_linkage(),
            Some(var_linkage::STATIC)
        );
        assert_eq!(
            btf.type_by_id(17).unwrap().func_linkage(),
            Some(func_linkage::STATIC)
        );
    }
    assert_eq!(
        b.set_datasec_size(18, 1),
        Err(BuildError::WrongKind {
            id: 18,
            found: Kind::Var,
            expected: Kind::Datasec
        })
    );
    assert_eq!(
        b.set_var_linkage(99, 0),
        Err(BuildError::NoSuchType {
            id: 99,
            first: 1,
            last: 22
        })
    );
    assert_eq!(
        b.set_datasec_entry(19, 5, 0, 0),
        Err(BuildError::NoSuchEntry {
            id: 19,
            index: 5,
            len: 2
        })
    );
}

/// libbpf fills DATASEC sizes and VAR offsets from the ELF (clang leaves
/// them 0). Doing that with the fix-up API must give what libbpf's static
/// linker (`bpftool gen object`) writes.
#[test]
fn datasec_fix_ups_match_libbpf_linker() {
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for path in support::corpus_objects() {
        let obj = Object::open(&path);
        // Little-endian only: the linker refuses foreign byte order.
        let Some(btf_data) = obj.section(".BTF").filter(|_| !obj.big_endian) else {
            continue;
        };
        let out = dir.path().join("linked.o");
        let linked = std::process::Command::new("bpftool")
            .args(["gen", "object", out.to_str().unwrap(), &obj.name()])
            .output();
        match linked {
            Err(e) => return support::skip(&format!("cannot run bpftool: {e}")),
            // Objects the linker refuses (extern without BTF, ...) say nothing here.
            Ok(o) if !o.status.success() => continue,
            Ok(_) => {}
        }
        let btf = Btf::parse(btf_data).unwrap();
        let mut b = BtfBuilder::from_btf(&btf).unwrap();
        fix_up_datasecs(&obj, &btf, &mut b);
        let ours_blob = b.encode(btf.endian()).unwrap();
        let ours = Btf::parse(&ours_blob).unwrap();

        let linked_obj = Object::open(&out);
        let theirs = Btf::parse(linked_obj.section(".BTF").unwrap()).unwrap();
        let summary = |btf: &Btf<'_>| {
            let mut secs: Vec<DatasecSummary> = btf
                .types()
                .filter(|t| t.kind() == Kind::Datasec)
                .map(|t| {
                    let mut vars: Vec<_> = t
                        .datasec_entries()
                        .map(|e| {
                            let v = btf.type_by_id(e.type_id).unwrap();
                            (btf.name(&v).unwrap().into_owned(), e.offset, e.size)
                        })
                        .collect();
                    vars.sort();
                    (btf.name(&t).unwrap().into_owned(), t.size(), vars)
                })
                .collect();
            secs.sort();
            secs
        };
        assert_eq!(summary(&ours), summary(&theirs), "{}", obj.name());
        compared += 1;
    }
    eprintln!("compared DATASEC fix-ups of {compared} objects with bpftool gen object");
}

/// A DATASEC's name and size, and its entries as (VAR name, offset, size).
type DatasecSummary = (String, u32, Vec<(String, u32, u32)>);

/// libbpf's `btf_fixup_datasec`: size from the ELF section, each VAR's
/// offset from its symbol.
fn fix_up_datasecs(obj: &Object, btf: &Btf<'_>, b: &mut BtfBuilder) {
    let elf = goblin::elf::Elf::parse(&obj.data).unwrap();
    for t in btf.types().filter(|t| t.kind() == Kind::Datasec) {
        let sec_name = btf.name(&t).unwrap();
        let Some((shndx, sh)) = elf
            .section_headers
            .iter()
            .enumerate()
            .find(|(_, sh)| elf.shdr_strtab.get_at(sh.sh_name) == Some(&sec_name))
        else {
            continue;
        };
        b.set_datasec_size(t.id(), sh.sh_size as u32).unwrap();
        for (i, e) in t.datasec_entries().enumerate() {
            let var = btf.type_by_id(e.type_id).unwrap();
            let var_name = btf.name(&var).unwrap();
            let sym = elf
                .syms
                .iter()
                .find(|s| s.st_shndx == shndx && elf.strtab.get_at(s.st_name) == Some(&var_name))
                .unwrap_or_else(|| panic!("{}: no symbol for {var_name}", obj.name()));
            b.set_datasec_entry(t.id(), i, sym.st_value as u32, e.size)
                .unwrap();
        }
    }
}

// ---- what cannot be encoded or imported ----

#[test]
fn bitfield_without_kflag_is_refused() {
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED);
    let s = b.add_struct("s", 4, &[Field::bitfield("a", int, 0, 3)]);
    if let Some(TypeDef {
        data: TypeData::Struct(Composite { kflag, .. }),
        ..
    }) = b.get_mut(s)
    {
        *kflag = false;
    }
    let err = b.encode(Endian::Little).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Unencodable {
                id: 2,
                kind: Kind::Struct,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("kind_flag"), "{err}");
}

#[test]
fn kflag_offset_beyond_24_bits_is_refused() {
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED);
    b.add_struct(
        "huge",
        u32::MAX,
        &[
            Field::bitfield("a", int, 0, 1),
            Field::new("far", int, 1 << 24),
        ],
    );
    assert!(matches!(
        b.encode(Endian::Big),
        Err(BuildError::Unencodable { id: 2, .. })
    ));
}

#[test]
fn more_members_than_vlen_holds_is_refused() {
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED);
    let members = vec![
        MemberDef {
            name_off: 0,
            type_id: int,
            bit_offset: 0,
            bitfield_size: 0,
        };
        0x1_0000
    ];
    b.add(TypeDef::new(
        0,
        TypeData::Union(Composite {
            size: 4,
            kflag: false,
            members,
        }),
    ));
    let err = b.encode(Endian::Little).unwrap_err();
    assert!(err.to_string().contains("65536 members"), "{err}");
}

#[test]
fn import_refuses_bits_it_cannot_keep() {
    // An INT with kind_flag set: parseable, refused by the kernel, and a
    // bit the owned INT has no field for.
    let mut blob = every_kind().encode(Endian::Little).unwrap();
    let info_of_type_1 = 24 + 4;
    blob[info_of_type_1 + 3] |= 0x80;
    let btf = Btf::parse(&blob).unwrap();
    assert!(btf.type_by_id(1).unwrap().kflag());
    let err = BtfBuilder::from_btf(&btf).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Unrepresentable {
                id: 1,
                kind: Kind::Int,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn imported_blob_accepts_new_types_and_reuses_its_strings() {
    let original = every_kind().encode(Endian::Little).unwrap();
    let btf = Btf::parse(&original).unwrap();
    let mut b = BtfBuilder::from_btf(&btf).unwrap();
    let strings_before = b.strings().len();
    let id = b.add_typedef("myint", 1);
    assert_eq!(id, 23);
    assert_eq!(b.strings().len(), strings_before, "'myint' already present");
    let blob = b.encode(Endian::Little).unwrap();
    assert_eq!(
        &blob[24..24 + btf.header().type_len as usize],
        btf.type_section()
    );
    let again = Btf::parse(&blob).unwrap();
    assert_eq!(again.len(), 23);
    assert_eq!(again.name(&again.type_by_id(23).unwrap()).unwrap(), "myint");
}
