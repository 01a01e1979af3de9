//! `.BTF.ext` against hand-laid bytes: the layout of include/uapi/linux/btf.h
//! and libbpf's rules (src/btf.c `btf_ext_parse_hdr`,
//! `btf_ext_parse_sec_info`), one test per broken rule (reference
//! catalogue item 61 and the rest of libbpf's checks), in both byte orders.

use bpfc::btf::ext::{
    BtfExt, BtfExtBuilder, BtfExtError, CoreRelo, CoreReloKind, ExtBlock, FuncInfo, LineInfo,
};
use bpfc::bytes::Endian;

const BOTH: [Endian; 2] = [Endian::Little, Endian::Big];

/// Knobs for the hand-made blob; `Default` is a valid one.
#[derive(Clone, Copy)]
struct Layout {
    func_record_size: u32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            func_record_size: 8,
        }
    }
}

/// A `.BTF.ext` written word by word from the format description, not
/// with the crate's encoder:
///
/// ```text
/// 0   magic, version 1, flags 0, hdr_len 32
/// 8   func_info 0/20, line_info 20/28, core_relo 48/28
/// 32  func_info: rec size, {sec 1, num 1, {insn 0, type 3}}       (+ padding words for bigger records)
/// 52  line_info: 16, {sec 1, num 1, {insn 8, file 5, line 9, 7:2}}
/// 80  core_relo: 16, {sec 1, num 1, {insn 8, type 2, access 13, kind 0}}
/// ```
fn hand_blob(endian: Endian, layout: Layout) -> Vec<u8> {
    let func_extra = layout.func_record_size.saturating_sub(8);
    let func_len = 4 + 8 + 8 + func_extra;
    let line_len = 4 + 8 + 16;
    let core_len = 4 + 8 + 16;
    let mut words = vec![
        32,
        0,
        func_len,
        func_len,
        line_len,
        func_len + line_len,
        core_len,
    ];
    words.extend([layout.func_record_size, 1, 1, 0, 3]);
    words.extend(std::iter::repeat_n(0xdead_beef, func_extra as usize / 4));
    words.extend([16, 1, 1, 8, 5, 9, (7 << 10) | 2]);
    words.extend([16, 1, 1, 8, 2, 13, 0]);
    let mut out = Vec::new();
    out.extend_from_slice(&endian.u16_bytes(0xeb9f));
    out.extend_from_slice(&[1, 0]);
    for w in words {
        out.extend_from_slice(&endian.u32_bytes(w));
    }
    out
}

fn put_u32(blob: &mut [u8], endian: Endian, off: usize, v: u32) {
    blob[off..off + 4].copy_from_slice(&endian.u32_bytes(v));
}

fn expected_builder() -> BtfExtBuilder {
    BtfExtBuilder {
        func_info: vec![ExtBlock {
            sec_name_off: 1,
            records: vec![FuncInfo {
                insn_off: 0,
                type_id: 3,
            }],
        }],
        line_info: vec![ExtBlock {
            sec_name_off: 1,
            records: vec![LineInfo {
                insn_off: 8,
                file_name_off: 5,
                line_off: 9,
                line_col: (7 << 10) | 2,
            }],
        }],
        core_relo: vec![ExtBlock {
            sec_name_off: 1,
            records: vec![CoreRelo {
                insn_off: 8,
                type_id: 2,
                access_str_off: 13,
                kind: 0,
            }],
        }],
        short_header: false,
        extra_header_words: vec![],
    }
}

#[test]
fn reads_every_field_of_a_hand_made_blob() {
    for endian in BOTH {
        let blob = hand_blob(endian, Layout::default());
        let ext = BtfExt::parse(&blob).unwrap();
        assert_eq!(ext.endian(), endian);
        let h = ext.header();
        assert_eq!((h.version, h.flags, h.hdr_len), (1, 0, 32));
        assert_eq!((h.func_info_off, h.func_info_len), (0, 20));
        assert_eq!((h.line_info_off, h.line_info_len), (20, 28));
        assert_eq!((h.core_relo_off, h.core_relo_len), (48, 28));

        let blocks: Vec<_> = ext.func_info().blocks().collect();
        assert_eq!(blocks.len(), 1);
        assert_eq!((blocks[0].sec_name_off(), blocks[0].len()), (1, 1));
        assert_eq!(blocks[0].offset(), 36);
        assert_eq!(
            blocks[0].records().collect::<Vec<_>>(),
            [FuncInfo {
                insn_off: 0,
                type_id: 3
            }]
        );
        let line = ext
            .line_info()
            .blocks()
            .next()
            .unwrap()
            .records()
            .next()
            .unwrap();
        assert_eq!(
            (line.insn_off, line.file_name_off, line.line_off),
            (8, 5, 9)
        );
        assert_eq!((line.line(), line.column()), (7, 2));
        let relo = ext
            .core_relo()
            .blocks()
            .next()
            .unwrap()
            .records()
            .next()
            .unwrap();
        assert_eq!(
            (relo.insn_off, relo.type_id, relo.access_str_off),
            (8, 2, 13)
        );
        assert_eq!(relo.relo_kind(), Some(CoreReloKind::FieldByteOffset));
        assert_eq!(ext.func_info().record_size(), 8);
        assert_eq!(ext.core_relo().num_records(), 1);
    }
}

#[test]
fn encoder_writes_the_hand_made_layout_and_imports_back() {
    for endian in BOTH {
        let blob = hand_blob(endian, Layout::default());
        assert_eq!(expected_builder().encode(endian).unwrap(), blob);
        let imported = BtfExtBuilder::from_ext(&BtfExt::parse(&blob).unwrap()).unwrap();
        assert_eq!(imported, expected_builder());
        // The other byte order holds the same records.
        let other = imported.encode(endian.other()).unwrap();
        let reparsed = BtfExtBuilder::from_ext(&BtfExt::parse(&other).unwrap()).unwrap();
        assert_eq!(reparsed, expected_builder());
    }
}

#[test]
fn encoder_leaves_out_empty_blocks_and_subsections() {
    let mut b = expected_builder();
    b.func_info.push(ExtBlock {
        sec_name_off: 7,
        records: vec![],
    });
    b.core_relo.clear();
    let blob = b.encode(Endian::Little).unwrap();
    let ext = BtfExt::parse(&blob).unwrap();
    assert_eq!(ext.func_info().blocks().count(), 1);
    assert!(ext.core_relo().is_empty());
    // An empty subsection sits at the end with length 0, as clang writes it.
    assert_eq!(
        (ext.header().core_relo_off, ext.header().core_relo_len),
        (48, 0)
    );

    b.short_header = true;
    let short = b.encode(Endian::Little).unwrap();
    let ext = BtfExt::parse(&short).unwrap();
    assert_eq!(ext.header().hdr_len, 24);
    assert_eq!(
        BtfExtBuilder::from_ext(&ext)
            .unwrap()
            .encode(Endian::Little)
            .unwrap(),
        short
    );
}

#[test]
fn empty_subsection_is_allowed() {
    // libbpf skips a subsection of length 0.
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 28, 0); // core_relo_len
        let ext = BtfExt::parse(&blob).unwrap();
        assert!(ext.core_relo().is_empty());
        assert_eq!(ext.core_relo().record_size(), 0);
        assert_eq!(ext.core_relo().blocks().count(), 0);
    }
}

#[test]
fn header_without_core_relo_fields_has_no_core_relo() {
    // hdr_len 24: the core_relo words are not part of the header.
    let mut b = expected_builder();
    b.core_relo.clear();
    b.short_header = true;
    let blob = b.encode(Endian::Big).unwrap();
    assert_eq!(&blob[4..8], &24u32.to_be_bytes());
    let ext = BtfExt::parse(&blob).unwrap();
    assert_eq!(
        (ext.header().core_relo_off, ext.header().core_relo_len),
        (0, 0)
    );
    assert_eq!(ext.line_info().num_records(), 1);
}

// ---- bad input: each of libbpf's rules ----

fn parse_err(blob: &[u8]) -> BtfExtError {
    BtfExt::parse(blob).expect_err("must be rejected")
}

#[test]
fn rejects_version_2() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        blob[2] = 2;
        assert_eq!(
            parse_err(&blob),
            BtfExtError::UnsupportedVersion { version: 2 }
        );
    }
}

#[test]
fn rejects_flags() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        blob[3] = 1;
        assert_eq!(parse_err(&blob), BtfExtError::UnsupportedFlags { flags: 1 });
    }
}

#[test]
fn rejects_record_size_4() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 32, 4);
        let err = parse_err(&blob);
        assert!(
            matches!(
                err,
                BtfExtError::BadRecordSize {
                    subsection: "func_info",
                    offset: 32,
                    record_size: 4,
                    ..
                }
            ),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("offset 32") && msg.contains("8-byte"), "{msg}");
    }
}

#[test]
fn rejects_record_size_not_a_multiple_of_4() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 52, 18); // line_info record size
        assert!(matches!(
            parse_err(&blob),
            BtfExtError::BadRecordSize {
                subsection: "line_info",
                offset: 52,
                record_size: 18,
                ..
            }
        ));
    }
}

#[test]
fn longer_records_only_in_native_byte_order() {
    let layout = Layout {
        func_record_size: 12,
    };
    // Native: the record is read by its first 8 bytes, as libbpf does.
    let native = hand_blob(Endian::NATIVE, layout);
    let ext = BtfExt::parse(&native).unwrap();
    assert_eq!(ext.func_info().record_size(), 12);
    let rec = ext
        .func_info()
        .blocks()
        .next()
        .unwrap()
        .records()
        .next()
        .unwrap();
    assert_eq!(rec.type_id, 3);
    // ...but the builder cannot keep the unknown 4 bytes.
    assert!(matches!(
        BtfExtBuilder::from_ext(&ext),
        Err(BtfExtError::Unrepresentable { offset: 32, .. })
    ));
    // Foreign: exactly the known size, or libbpf could not swap it.
    let foreign = hand_blob(Endian::NATIVE.other(), layout);
    let err = parse_err(&foreign);
    assert!(
        matches!(
            err,
            BtfExtError::BadRecordSize {
                subsection: "func_info",
                record_size: 12,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("non-native"), "{err}");
}

#[test]
fn rejects_num_info_0() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 40, 0); // func_info block num_info
        assert_eq!(
            parse_err(&blob),
            BtfExtError::ZeroNumInfo {
                subsection: "func_info",
                offset: 36
            }
        );
    }
}

#[test]
fn rejects_truncation_at_every_length() {
    for endian in BOTH {
        let blob = hand_blob(endian, Layout::default());
        for len in 0..blob.len() {
            let err = parse_err(&blob[..len]);
            let expected_ok = match len {
                0..=7 => err == BtfExtError::TooShort { len },
                8..=31 => err == BtfExtError::HeaderTruncated { hdr_len: 32, len },
                32 => err == BtfExtError::NoData { hdr_len: 32 },
                // The first subsection whose end lies past the cut is reported.
                33..=51 => matches!(
                    err,
                    BtfExtError::OutOfBounds {
                        subsection: "func_info",
                        start: 32,
                        end: 52,
                        ..
                    }
                ),
                52..=79 => matches!(
                    err,
                    BtfExtError::OutOfBounds {
                        subsection: "line_info",
                        start: 52,
                        end: 80,
                        ..
                    }
                ),
                _ => matches!(
                    err,
                    BtfExtError::OutOfBounds {
                        subsection: "core_relo",
                        start: 80,
                        end: 108,
                        ..
                    }
                ),
            };
            assert!(expected_ok, "{endian:?} cut at {len}: {err:?}");
        }
        assert!(BtfExt::parse(&blob).is_ok());
    }
}

#[test]
fn rejects_bad_magic() {
    let mut blob = hand_blob(Endian::Little, Layout::default());
    blob[0] = 0x9e;
    assert_eq!(parse_err(&blob), BtfExtError::BadMagic { found: 0xeb9e });
}

#[test]
fn rejects_header_without_mandatory_fields() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 4, 16);
        assert_eq!(
            parse_err(&blob),
            BtfExtError::HeaderMissingInfo { hdr_len: 16 }
        );
    }
}

#[test]
fn rejects_unaligned_subsection() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 16, 22); // line_info_off
        assert_eq!(
            parse_err(&blob),
            BtfExtError::Unaligned {
                subsection: "line_info",
                off: 22
            }
        );
    }
}

#[test]
fn rejects_subsection_of_only_a_record_size() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 12, 4); // func_info_len
        assert_eq!(
            parse_err(&blob),
            BtfExtError::NoRecords {
                subsection: "func_info",
                offset: 32
            }
        );
        put_u32(&mut blob, endian, 12, 2);
        assert!(matches!(
            parse_err(&blob),
            BtfExtError::NoRecordSize {
                subsection: "func_info",
                offset: 32,
                len: 2
            }
        ));
    }
}

#[test]
fn rejects_partial_block_header() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 12, 8); // record size + 4 bytes
        assert_eq!(
            parse_err(&blob),
            BtfExtError::BlockHeaderTruncated {
                subsection: "func_info",
                offset: 36,
                left: 4
            }
        );
    }
}

#[test]
fn rejects_records_overrunning_the_subsection() {
    for endian in BOTH {
        let mut blob = hand_blob(endian, Layout::default());
        put_u32(&mut blob, endian, 40, 2); // num_info 2, room for 1
        assert_eq!(
            parse_err(&blob),
            BtfExtError::BlockOverrun {
                subsection: "func_info",
                offset: 36,
                num_info: 2,
                record_size: 8,
                left: 16
            }
        );
        // A hostile count cannot overflow the size computation.
        put_u32(&mut blob, endian, 40, u32::MAX);
        assert!(matches!(
            parse_err(&blob),
            BtfExtError::BlockOverrun {
                num_info: u32::MAX,
                ..
            }
        ));
    }
}

#[test]
fn unknown_relocation_kind_parses_but_has_no_name() {
    // libbpf only refuses an unknown kind when it applies the relocation.
    let mut blob = hand_blob(Endian::Little, Layout::default());
    put_u32(&mut blob, Endian::Little, 104, 13);
    let ext = BtfExt::parse(&blob).unwrap();
    let relo = ext
        .core_relo()
        .blocks()
        .next()
        .unwrap()
        .records()
        .next()
        .unwrap();
    assert_eq!((relo.kind, relo.relo_kind()), (13, None));
}
