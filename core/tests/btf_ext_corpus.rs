//! `.BTF.ext` of every corpus object (cilium testdata in both byte orders,
//! xdp-tools): parses, round-trips byte for byte, agrees with its `.BTF`
//! and its ELF sections and function symbols, gives the same records in the
//! `-el`/`-eb` twins, and agrees with llvm-objdump's reading of CO-RE
//! relocations (`-dr`) and line info (`-S`, for objects without DWARF,
//! where llvm-objdump takes source lines from `.BTF.ext`).

mod btf_roundtrip_support;

use std::collections::{BTreeSet, HashMap};

use bpfc::btf::ext::{BtfExt, BtfExtBuilder, ExtRecord};
use bpfc::btf::{Btf, Kind};
use btf_roundtrip_support::{self as support, Object};

const OBJDUMP: &str = "llvm-objdump-19";

/// Objects with both `.BTF` and `.BTF.ext`.
fn ext_objects() -> Vec<Object> {
    support::corpus_objects()
        .iter()
        .map(|p| Object::open(p))
        .filter(|o| o.section(".BTF.ext").is_some() && o.section(".BTF").is_some())
        .collect()
}

#[test]
fn every_corpus_btf_ext_parses_and_round_trips() {
    let objects = ext_objects();
    for obj in &objects {
        let name = obj.name();
        let data = obj.section(".BTF.ext").unwrap();
        let ext = BtfExt::parse(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            ext.endian() == bpfc::bytes::Endian::Big,
            obj.big_endian,
            "{name}"
        );
        assert!(ext.func_info().num_records() > 0, "{name}: no func_info");
        assert!(ext.line_info().num_records() > 0, "{name}: no line_info");

        let owned = BtfExtBuilder::from_ext(&ext).unwrap_or_else(|e| panic!("{name}: {e}"));
        let same = owned.encode(ext.endian()).unwrap();
        assert!(
            same == data,
            "{name}: re-encoded .BTF.ext differs at byte {:?}",
            support::first_difference(&same, data)
        );
        let other = owned.encode(ext.endian().other()).unwrap();
        let swapped = BtfExt::parse(&other).unwrap_or_else(|e| panic!("{name} swapped: {e}"));
        assert_eq!(BtfExtBuilder::from_ext(&swapped).unwrap(), owned, "{name}");
    }
    eprintln!("checked the .BTF.ext of {} objects", objects.len());
}

fn check_block_sections<'a, R: ExtRecord>(
    obj: &Object,
    btf: &Btf<'_>,
    blocks: impl Iterator<Item = bpfc::btf::ext::InfoBlock<'a, R>>,
    insn_off: impl Fn(&R) -> u32,
) {
    for block in blocks {
        let sec = block.sec_name(btf).expect("section name resolves");
        let code = obj.section(&sec).unwrap_or_else(|| {
            panic!(
                "{}: {} block names missing section {sec}",
                obj.name(),
                R::SUBSECTION
            )
        });
        for r in block.records() {
            let off = insn_off(&r);
            assert!(
                off % 8 == 0 && (off as usize) < code.len(),
                "{}: {} insn_off {off} outside {sec} ({} bytes)",
                obj.name(),
                R::SUBSECTION,
                code.len()
            );
        }
    }
}

#[test]
fn records_point_into_btf_and_code_sections() {
    for obj in ext_objects() {
        let btf = Btf::parse(obj.section(".BTF").unwrap()).unwrap();
        let ext = BtfExt::parse(obj.section(".BTF.ext").unwrap()).unwrap();
        let name = obj.name();

        for block in ext.func_info().blocks() {
            for fi in block.records() {
                let t = btf.type_by_id(fi.type_id).unwrap();
                assert_eq!(
                    t.kind(),
                    Kind::Func,
                    "{name}: func_info type [{}]",
                    fi.type_id
                );
            }
        }
        for block in ext.line_info().blocks() {
            for li in block.records() {
                btf.str_bytes(li.file_name_off).expect("file name resolves");
                btf.str_bytes(li.line_off).expect("line text resolves");
            }
        }
        for block in ext.core_relo().blocks() {
            for r in block.records() {
                btf.type_by_id(r.type_id).expect("relocated type exists");
                let access = btf
                    .str_at(r.access_str_off)
                    .expect("access string resolves");
                assert!(!access.is_empty(), "{name}: empty access string");
                assert!(r.relo_kind().is_some(), "{name}: unknown kind {}", r.kind);
            }
        }
        check_block_sections(&obj, &btf, ext.func_info().blocks(), |r| r.insn_off);
        check_block_sections(&obj, &btf, ext.line_info().blocks(), |r| r.insn_off);
        check_block_sections(&obj, &btf, ext.core_relo().blocks(), |r| r.insn_off);
    }
}

/// Each function symbol of the object as (section, offset, name).
fn function_symbols(obj: &Object) -> BTreeSet<(String, u32, String)> {
    let elf = goblin::elf::Elf::parse(&obj.data).unwrap();
    elf.syms
        .iter()
        .filter(|s| s.st_type() == goblin::elf::sym::STT_FUNC)
        .filter_map(|s| {
            // Defined functions only: externs have no section.
            let sh = elf
                .section_headers
                .get(s.st_shndx)
                .filter(|_| s.st_shndx != 0)?;
            Some((
                elf.shdr_strtab.get_at(sh.sh_name).unwrap().to_string(),
                s.st_value as u32,
                elf.strtab.get_at(s.st_name).unwrap().to_string(),
            ))
        })
        .collect()
}

#[test]
fn func_info_matches_the_function_symbols() {
    // clang writes one func_info per function, at its symbol, naming its FUNC.
    let mut compared = 0;
    for obj in ext_objects() {
        let btf = Btf::parse(obj.section(".BTF").unwrap()).unwrap();
        let ext = BtfExt::parse(obj.section(".BTF.ext").unwrap()).unwrap();
        let mut ours = BTreeSet::new();
        for block in ext.func_info().blocks() {
            let sec = block.sec_name(&btf).unwrap().into_owned();
            for fi in block.records() {
                let func = btf.type_by_id(fi.type_id).unwrap();
                ours.insert((
                    sec.clone(),
                    fi.insn_off,
                    btf.name(&func).unwrap().into_owned(),
                ));
            }
        }
        assert_eq!(ours, function_symbols(&obj), "{}", obj.name());
        compared += ours.len();
    }
    eprintln!("compared {compared} func_info records with function symbols");
}

#[test]
fn little_and_big_endian_twins_have_the_same_records() {
    let mut pairs = 0;
    for obj in ext_objects() {
        let name = obj.name();
        let Some(stem) = name.strip_suffix("-el.elf") else {
            continue;
        };
        let twin = Object::open(std::path::Path::new(&format!("{stem}-eb.elf")));
        let ours = BtfExt::parse(obj.section(".BTF.ext").unwrap()).unwrap();
        let theirs = BtfExt::parse(twin.section(".BTF.ext").unwrap()).unwrap();
        assert_ne!(ours.endian(), theirs.endian());
        assert_eq!(
            BtfExtBuilder::from_ext(&ours).unwrap(),
            BtfExtBuilder::from_ext(&theirs).unwrap(),
            "{name} vs its -eb twin"
        );
        pairs += 1;
    }
    eprintln!("compared {pairs} -el/-eb pairs");
}

/// Our records as (ELF section, byte offset, kind name, type id).
fn our_core_relos(obj: &Object) -> BTreeSet<(String, u32, String, u32)> {
    let btf = Btf::parse(obj.section(".BTF").unwrap()).unwrap();
    let ext = BtfExt::parse(obj.section(".BTF.ext").unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for block in ext.core_relo().blocks() {
        let sec = block.sec_name(&btf).unwrap().into_owned();
        for r in block.records() {
            let kind = r.relo_kind().expect("known kind").name().to_string();
            out.insert((sec.clone(), r.insn_off, kind, r.type_id));
        }
    }
    out
}

/// llvm-objdump -dr prints `<addr>:  CO-RE <kind> [type id] ...` under each
/// instruction it relocates.
fn objdump_core_relos(text: &str) -> BTreeSet<(String, u32, String, u32)> {
    let mut out = BTreeSet::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("Disassembly of section ") {
            section = s.trim_end_matches(':').to_string();
            continue;
        }
        let Some((addr, rest)) = line.trim().split_once(":  CO-RE <") else {
            continue;
        };
        let (kind, rest) = rest.split_once("> [").expect("kind then type id");
        let (id, _) = rest.split_once(']').expect("type id");
        out.insert((
            section.clone(),
            u32::from_str_radix(addr, 16).expect("hex address"),
            kind.to_string(),
            id.parse().expect("decimal type id"),
        ));
    }
    out
}

#[test]
fn core_relocations_agree_with_llvm_objdump() {
    let mut compared = 0;
    for obj in ext_objects() {
        let Some(text) = support::tool_output(OBJDUMP, &["-dr", &obj.name()]) else {
            return;
        };
        let ours = our_core_relos(&obj);
        assert_eq!(ours, objdump_core_relos(&text), "{}", obj.name());
        compared += ours.len();
    }
    assert!(
        compared > 0,
        "the corpus has CO-RE relocations (btf/testdata/relocs*)"
    );
    eprintln!("compared {compared} CO-RE relocations with {OBJDUMP}");
}

/// llvm-objdump -S prints `; <source line>` before an instruction that has
/// line info: (section, byte offset of that instruction, text).
fn objdump_source_lines(text: &str) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("Disassembly of section ") {
            section = s.trim_end_matches(':').to_string();
            continue;
        }
        if let Some(src) = line.strip_prefix("; ") {
            pending = Some(src.to_string());
            continue;
        }
        // Instruction lines: "      12:\tr1 = ..." (index in 8-byte slots).
        let Some((index, _)) = line.trim_start().split_once(":\t") else {
            continue;
        };
        let Ok(index) = index.parse::<u32>() else {
            continue;
        };
        if let Some(src) = pending.take() {
            out.push((section.clone(), index * 8, src));
        }
    }
    out
}

#[test]
fn line_info_agrees_with_llvm_objdump_source_lines() {
    let mut compared = 0;
    for obj in ext_objects() {
        // With DWARF present llvm-objdump reads lines from .debug_line instead.
        if obj.has_section_prefix(".debug_line") {
            continue;
        }
        let Some(text) = support::tool_output(OBJDUMP, &["-S", "--no-show-raw-insn", &obj.name()])
        else {
            return;
        };
        let btf = Btf::parse(obj.section(".BTF").unwrap()).unwrap();
        let ext = BtfExt::parse(obj.section(".BTF.ext").unwrap()).unwrap();
        let mut ours: HashMap<(String, u32), Vec<String>> = HashMap::new();
        for block in ext.line_info().blocks() {
            let sec = block.sec_name(&btf).unwrap().into_owned();
            for li in block.records() {
                let src = btf.str_at(li.line_off).unwrap().into_owned();
                ours.entry((sec.clone(), li.insn_off))
                    .or_default()
                    .push(src);
            }
        }
        let printed = objdump_source_lines(&text);
        // Every line llvm-objdump prints is one of our records at that instruction...
        for (sec, off, src) in &printed {
            let at = ours.get(&(sec.clone(), *off));
            assert!(
                at.is_some_and(|v| v.contains(src)),
                "{}: llvm-objdump prints {src:?} at {sec}+{off}, we have {at:?}",
                obj.name()
            );
        }
        // ...and every distinct non-empty source text we have is printed somewhere.
        let printed_texts: BTreeSet<_> = printed
            .iter()
            .map(|(s, _, t)| (s.clone(), t.clone()))
            .collect();
        let our_texts: BTreeSet<_> = ours
            .iter()
            .flat_map(|((s, _), v)| {
                v.iter()
                    .filter(|t| !t.is_empty())
                    .map(|t| (s.clone(), t.clone()))
            })
            .collect();
        assert_eq!(our_texts, printed_texts, "{}", obj.name());
        compared += printed.len();
    }
    eprintln!("compared {compared} source lines with {OBJDUMP}");
}
