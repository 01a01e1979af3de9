//! Hostile BTF: truncated, bit-flipped and adversarially shaped blobs must give
//! errors, never panics or runaway time, through the reader and every query.

use bpfc::btf::{Btf, Kind};

/// Deterministic xorshift so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Exercises everything a consumer might ask of a parsed blob.
fn exercise(data: &[u8]) {
    let Ok(btf) = Btf::parse(data) else { return };
    for t in btf.types() {
        let _ = btf.name(&t);
        let _ = t.int();
        let _ = t.array();
        for m in t.members() {
            let _ = btf.str_at(m.name_off);
            let _ = (m.bit_offset(), m.bitfield_size());
        }
        for e in t.enumerators() {
            let _ = btf.str_at(e.name_off);
        }
        for p in t.params() {
            let _ = btf.str_at(p.name_off);
        }
        for v in t.datasec_entries() {
            let _ = btf.type_by_id(v.type_id);
        }
        let _ = btf.resolve_size(t.id());
        let _ = btf.align_of(t.id());
        let _ = btf.skip_mods_and_typedefs(t.id());
    }
    let _ = btf.find_by_name_kind("x", Kind::Struct);
}

/// A tiny hand assembler, so the test does not depend on the code under test.
struct Blob {
    types: Vec<u8>,
    strings: Vec<u8>,
}
impl Blob {
    fn new() -> Blob {
        Blob {
            types: Vec::new(),
            strings: vec![0],
        }
    }
    fn str(&mut self, s: &str) -> u32 {
        let off = self.strings.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.strings.push(0);
        off
    }
    fn words(&mut self, w: &[u32]) {
        for x in w {
            self.types.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn finish(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xeb9fu16.to_le_bytes());
        out.extend_from_slice(&[1, 0]);
        for w in [
            24u32,
            0,
            self.types.len() as u32,
            self.types.len() as u32,
            self.strings.len() as u32,
        ] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.types);
        out.extend_from_slice(&self.strings);
        out
    }
}

fn info(kind: u32, vlen: u32) -> u32 {
    (kind << 24) | vlen
}

/// A small blob holding every kind.
fn every_kind() -> Vec<u8> {
    let mut b = Blob::new();
    let int = b.str("int");
    let s = b.str("s");
    let a = b.str("a");
    let e = b.str("e");
    let f = b.str("f");
    let sec = b.str(".data");
    b.words(&[int, info(1, 0), 4, 0x0100_0020]); // [1] int
    b.words(&[0, info(2, 0), 1]); // [2] ptr -> int
    b.words(&[0, info(3, 0), 0, 1, 1, 4]); // [3] int[4]
    b.words(&[s, info(4, 2), 8, a, 1, 0, a, 1, 32]); // [4] struct s
    b.words(&[0, info(5, 1), 4, a, 1, 0]); // [5] union
    b.words(&[e, info(6, 1), 4, a, 7]); // [6] enum
    b.words(&[s, info(7, 0), 0]); // [7] fwd
    b.words(&[a, info(8, 0), 4]); // [8] typedef
    b.words(&[0, info(9, 0), 8]); // [9] volatile
    b.words(&[0, info(10, 0), 9]); // [10] const
    b.words(&[0, info(11, 0), 2]); // [11] restrict
    b.words(&[0, info(13, 1), 1, a, 1]); // [12] func_proto
    b.words(&[f, info(12, 1), 12]); // [13] func
    b.words(&[a, info(14, 0), 1, 1]); // [14] var
    b.words(&[sec, info(15, 1), 4, 14, 0, 4]); // [15] datasec
    b.words(&[f, info(16, 0), 8]); // [16] float
    b.words(&[a, info(17, 0), 4, u32::MAX]); // [17] decl_tag
    b.words(&[a, info(18, 0), 1]); // [18] type_tag
    b.words(&[e, info(19, 1), 8, a, 1, 2]); // [19] enum64
    b.finish()
}

#[test]
fn every_kind_blob_reads_back() {
    let data = every_kind();
    let btf = Btf::parse(&data).expect("parses");
    assert_eq!(btf.len(), 19);
    let kinds: Vec<u32> = btf.types().map(|t| t.kind() as u32).collect();
    // FUNC_PROTO is laid down before the FUNC that points at it.
    assert_eq!(
        kinds,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12, 14, 15, 16, 17, 18, 19]
    );
    assert_eq!(btf.resolve_size(3).unwrap(), 16);
    assert_eq!(btf.resolve_size(10).unwrap(), 8);
    assert_eq!(btf.align_of(4).unwrap(), 4);
    assert!(btf.resolve_size(7).is_err(), "FWD has no size");
    let e64 = btf.type_by_id(19).unwrap();
    assert_eq!(e64.enumerators().next().unwrap().value, 1 | (2 << 32));
}

#[test]
fn truncation_at_every_byte_never_panics() {
    let data = every_kind();
    for len in 0..data.len() {
        exercise(&data[..len]);
        // Header fields that still claim the full size must be refused.
        if len < data.len() {
            assert!(
                Btf::parse(&data[..len]).is_err(),
                "truncated to {len} parsed"
            );
        }
    }
}

#[test]
fn random_corruption_never_panics() {
    let base = every_kind();
    let mut rng = Rng(0x5eed_b7fc);
    let interesting = [
        0u32,
        1,
        0x7fff_ffff,
        0xffff_ffff,
        0x8000_0000,
        0x1300_ffff,
        24,
        0xffff,
    ];
    for _ in 0..20_000 {
        let mut d = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(d.len() - 3) & !3;
            if rng.below(2) == 0 {
                let v = interesting[rng.below(interesting.len())];
                d[at..at + 4].copy_from_slice(&v.to_le_bytes());
            } else {
                d[at] ^= 1 << rng.below(8);
            }
        }
        exercise(&d);
    }
}

#[test]
fn self_referencing_types_are_bounded() {
    // [1] typedef -> [2] const -> [1]: a loop the reader must not follow forever.
    let mut b = Blob::new();
    let t = b.str("t");
    b.words(&[t, info(8, 0), 2]);
    b.words(&[0, info(10, 0), 1]);
    // [3] struct holding itself.
    b.words(&[t, info(4, 1), 4, t, 3, 0]);
    let data = b.finish();
    let btf = Btf::parse(&data).unwrap();
    assert!(btf.resolve_size(1).is_err());
    assert!(btf.skip_mods_and_typedefs(1).is_err());
    assert!(btf.align_of(3).is_err());
}

#[test]
fn struct_fan_out_does_not_explode() {
    // 40 structs, each holding two of the next: 2^40 paths if walked naively.
    let mut b = Blob::new();
    let m = b.str("m");
    let int = b.str("int");
    let n = 40u32;
    for i in 1..=n {
        let next = i + 1;
        b.words(&[m, info(4, 2), 8, m, next, 0, m, next, 32]);
    }
    b.words(&[int, info(1, 0), 4, 32]);
    let data = b.finish();
    let btf = Btf::parse(&data).unwrap();
    // Either a bounded error or an answer; it must return.
    let _ = btf.align_of(1);
    let _ = btf.resolve_size(1);
}

#[test]
fn real_blob_corruption_never_panics() {
    let Ok(vmlinux) = std::fs::read("/sys/kernel/btf/vmlinux") else {
        eprintln!("SKIP: /sys/kernel/btf/vmlinux not readable");
        assert!(std::env::var("CI").as_deref() != Ok("true"));
        return;
    };
    // Take the first types of the real blob (rebuilt header) and corrupt them.
    let btf = Btf::parse(&vmlinux).unwrap();
    let cut = btf.type_by_id(400).unwrap().offset() as usize;
    let hdr = btf.header();
    let types = &btf.type_section()[..cut];
    let strings = btf.string_section();
    let mut blob = Vec::new();
    blob.extend_from_slice(&vmlinux[..8]);
    for w in [0u32, cut as u32, cut as u32, hdr.str_len] {
        blob.extend_from_slice(&w.to_le_bytes());
    }
    blob.extend_from_slice(types);
    blob.extend_from_slice(strings);
    assert_eq!(Btf::parse(&blob).unwrap().len(), 399);
    let mut rng = Rng(42);
    for _ in 0..300 {
        let mut d = blob.clone();
        for _ in 0..8 {
            let at = 24 + rng.below(cut - 4);
            d[at] = rng.next() as u8;
        }
        exercise(&d);
    }
}
