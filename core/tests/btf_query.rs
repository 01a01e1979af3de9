//! Shared queries: member placement for both bitfield encodings, pointer size.

#[path = "common/btf_blob.rs"]
mod btf_blob;

use bpfc::btf::{Btf, MemberPlace};
use btf_blob::*;

#[test]
fn member_place_reads_both_bitfield_encodings() {
    let mut b = BtfBlob::new();
    let int = b.int32(); // [1] full-width int
                         // [2] a 3-bit INT at bit offset 2 of its storage: an old-style bitfield type.
    let u3 = b.str("u3");
    let narrow = b.raw(u3, info(1, false, 0), 4);
    b.word(int_data(0, 2, 3));
    let narrow_td = b.typedef("u3_t", narrow);
    // Old style: widths in the INT types, plain offsets in the struct.
    let old = b.struct_("old", 8, &[("a", int, 0), ("f", narrow_td, 32)]);
    // kind_flag: width in the member's offset word (5 bits at bit 35).
    let new = b.struct_kflag("new", 8, &[("a", int, 0), ("g", int, (5 << 24) | 35)]);
    let data = b.build();
    let btf = Btf::parse(&data).unwrap();

    let places = |id| -> Vec<MemberPlace> {
        let t = btf.type_by_id(id).unwrap();
        t.members().map(|m| btf.member_place(&m).unwrap()).collect()
    };
    let place = |bit_offset, bitfield_size| MemberPlace {
        bit_offset,
        bitfield_size,
    };
    assert_eq!(
        places(old),
        [place(0, 0), place(34, 3)],
        "INT offset adds to the member's"
    );
    assert_eq!(places(new), [place(0, 0), place(35, 5)]);
}

#[test]
fn pointer_size_follows_the_btf_long() {
    let mut b = BtfBlob::new();
    b.int("long int", 4, 32, 1);
    let p = b.ptr(1);
    let data = b.build();
    let btf = Btf::parse(&data).unwrap();
    assert_eq!(btf.pointer_size(), 4, "a 32-bit target's long");
    assert_eq!(btf.resolve_size(p).unwrap(), 4);

    let mut b = BtfBlob::new();
    let p = b.ptr(0);
    let data = b.build();
    let btf = Btf::parse(&data).unwrap();
    assert_eq!(btf.pointer_size(), 8, "no long: BPF's 8 bytes");
    assert_eq!(btf.resolve_size(p).unwrap(), 8);
}
