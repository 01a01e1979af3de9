//! The kernel as the oracle for what the builder writes: re-encoded
//! vmlinux BTF (the running kernel's and cilium's) and a builder-made blob
//! with every kind go through BPF_BTF_LOAD. The kernel only takes its own
//! byte order, so the blobs are encoded natively; the swapped direction is
//! covered by `btf_roundtrip` (swapping twice gives the input back).

#[path = "common/btf_blob.rs"]
mod btf_blob;
// Both support modules carry the shared SKIP rule (common/skip.rs).
#[allow(clippy::duplicate_mod)]
mod btf_roundtrip_support;
#[path = "common/kernel_btf.rs"]
#[allow(clippy::duplicate_mod)]
mod kernel_btf;

use bpfc::btf::build::{BtfBuilder, Field};
use bpfc::btf::{func_linkage, int_encoding, var_linkage, Btf, VarSecinfo};
use bpfc::bytes::Endian;
use btf_roundtrip_support as support;
use kernel_btf::{expect_accepted, kernel_available};

/// Imports `data`, swaps it to the other byte order and back, and returns
/// the native encoding: the bytes the kernel sees went through the builder
/// twice.
fn reencode_via_other_order(data: &[u8]) -> Vec<u8> {
    let btf = Btf::parse(data).unwrap();
    let swapped = BtfBuilder::from_btf(&btf)
        .unwrap()
        .encode(btf.endian().other())
        .unwrap();
    let swapped_btf = Btf::parse(&swapped).unwrap();
    BtfBuilder::from_btf(&swapped_btf)
        .unwrap()
        .encode(Endian::NATIVE)
        .unwrap()
}

#[test]
fn kernel_loads_reencoded_running_vmlinux() {
    if !kernel_available("kernel_loads_reencoded_running_vmlinux") {
        return;
    }
    let Some(data) = support::read_or_skip(support::SYS_VMLINUX) else {
        return;
    };
    expect_accepted(
        &reencode_via_other_order(&data),
        "re-encoded /sys/kernel/btf/vmlinux",
    );
}

#[test]
fn kernel_loads_reencoded_cilium_vmlinux() {
    if !kernel_available("kernel_loads_reencoded_cilium_vmlinux") {
        return;
    }
    let Some(data) = support::cilium_vmlinux() else {
        return;
    };
    expect_accepted(
        &reencode_via_other_order(&data),
        "re-encoded cilium vmlinux.btf",
    );
}

#[test]
fn kernel_loads_a_builder_blob_with_every_kind() {
    if !kernel_available("kernel_loads_a_builder_blob_with_every_kind") {
        return;
    }
    let mut b = BtfBuilder::new();
    let int = b.add_int("int", 4, int_encoding::SIGNED);
    let ptr = b.add_ptr(int);
    let arr = b.add_array(int, int, 4);
    b.add_struct(
        "s",
        32,
        &[
            Field::new("p", ptr, 0),
            Field::bitfield("lo", int, 64, 3),
            Field::bitfield("hi", int, 67, 5),
            Field::new("a", arr, 96),
        ],
    );
    b.add_union("u", 8, &[Field::new("i", int, 0), Field::new("p", ptr, 0)]);
    b.add_enum("sign", 4, true, &[("NEG", -1i32 as u32), ("POS", 1)]);
    b.add_enum64("wide", 8, false, &[("BIG", 1 << 40)]);
    b.add_fwd("opaque", false);
    b.add_fwd("either", true);
    let td = b.add_typedef("myint", int);
    // `int const volatile __user *`: the kernel wants type tags first in a chain.
    let v = b.add_volatile(int);
    let c = b.add_const(v);
    let tag = b.add_type_tag("user", c);
    b.add_ptr(tag);
    b.add_restrict(ptr);
    let proto = b.add_func_proto(int, &[("x", td), ("y", ptr)]);
    let f = b.add_func("add", proto, func_linkage::GLOBAL);
    let counter = b.add_var("counter", int, var_linkage::GLOBAL_ALLOCATED);
    let hidden = b.add_var("hidden", arr, var_linkage::STATIC);
    let sec = b.add_datasec(".data", 0, &[]);
    b.push_datasec_entry(
        sec,
        VarSecinfo {
            type_id: counter,
            offset: 0,
            size: 4,
        },
    )
    .unwrap();
    b.push_datasec_entry(
        sec,
        VarSecinfo {
            type_id: hidden,
            offset: 8,
            size: 16,
        },
    )
    .unwrap();
    b.set_datasec_size(sec, 24).unwrap();
    b.add_float("double", 8);
    b.add_decl_tag("kfunc", f, -1);
    b.add_decl_tag("arg", f, 1);
    expect_accepted(
        &b.encode(Endian::NATIVE).unwrap(),
        "builder blob with every kind",
    );
}
