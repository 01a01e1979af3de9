//! libbpf's changes to an object's BTF between reading it and BPF_BTF_LOAD.
//!
//! LLVM cannot know where the linker-independent layout puts global
//! variables, so it leaves DATASEC sizes 0 and the offsets of global VARs 0.
//! libbpf fills them from the ELF section sizes and symbol values
//! (`btf_fixup_datasec`), turns hidden globals into static VARs, lays out
//! `.kconfig` and `.ksyms` (`bpf_object__collect_externs`) and marks hidden
//! global subprograms static (`bpf_object__sanitize_and_load_btf`).
//!
//! The fix-ups are computed once while reading (map offsets and the
//! MMAPABLE decision depend on them) and applied to a copy of the bytes on
//! request. Every field touched is a fixed-size word, so patching in place is
//! enough; only a `.ksyms` kfunc needs one extra VAR appended, as libbpf does.

use super::by_name::FirstByName;
use super::externs::{Extern, ExternKind};
use super::section::Section;
use super::symbol::{Symbol, SymbolKind};
use crate::btf::{func_linkage, var_linkage, Btf, Kind, VarSecinfo};
use crate::bytes::Endian;
use crate::diag::Errno;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The fixed-up state of one DATASEC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasecFixup<'a> {
    pub id: u32,
    pub name: Cow<'a, str>,
    pub size: u32,
    /// Where its entries are in the table of all DATASECs' entries: see
    /// [`BtfFixups::entries`]. (One table for all of them: a list per
    /// DATASEC was an allocation each, for one or two entries.)
    pub entries: std::ops::Range<usize>,
}

/// A fix-up libbpf cannot make; `bpf_object__open` fails with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixupProblem {
    pub datasec: String,
    pub type_id: u32,
    pub errno: Errno,
    pub message: String,
}

/// All of libbpf's BTF changes for one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BtfFixups<'a> {
    /// Every DATASEC, in type id order ([`BtfFixups::datasec`] relies on it).
    pub datasecs: Vec<DatasecFixup<'a>>,
    /// Every DATASEC's entries, each DATASEC's sorted by offset as libbpf
    /// leaves them.
    all_entries: Vec<VarSecinfo>,
    pub problems: Vec<FixupProblem>,
    // Ordered maps: usually empty or a handful of entries, free to create
    // (no hasher state), and `apply` patches in a fixed order.
    /// VAR id -> new linkage.
    var_linkage: BTreeMap<u32, u32>,
    /// VAR id -> new type (ksym variables become `int`).
    var_type: BTreeMap<u32, u32>,
    /// FUNC id -> new linkage.
    func_linkage: BTreeMap<u32, u32>,
    /// (FUNC_PROTO id, parameter index) whose empty name becomes `dummy_ksym`.
    param_names: Vec<(u32, u32)>,
    /// Type id of the `dummy_ksym` VAR libbpf appends (0: none), and its `int` type.
    dummy_ksym: Option<(u32, u32)>,
}

const DUMMY_KSYM: &str = "dummy_ksym";

/// The first global OBJECT symbol named `name` in `var_syms`, sorted by
/// (name length, name, index).
fn find_var_sym<'s, 'y>(
    var_syms: &[(Cow<'_, str>, &'s Symbol<'y>)],
    name: &[u8],
) -> Option<&'s Symbol<'y>> {
    let key = (name.len(), name);
    let found = var_syms.partition_point(|(n, _)| (n.len(), n.as_bytes()) < key);
    var_syms
        .get(found)
        .filter(|(n, _)| n.as_bytes() == name)
        .map(|(_, s)| *s)
}

impl<'a> BtfFixups<'a> {
    /// Computes the open-time fix-ups (externs, then DATASECs).
    pub(crate) fn compute(
        btf: &Btf<'a>,
        sections: &[Section<'_>],
        symbols: &[Symbol<'_>],
        externs: &[Extern],
    ) -> BtfFixups<'a> {
        let mut fx = BtfFixups::default();
        let mut datasecs: Vec<DatasecFixup<'a>> = Vec::new();
        let mut entries = Vec::new();
        for t in btf.types() {
            if t.kind() == Kind::Datasec {
                let start = entries.len();
                entries.extend(t.datasec_entries());
                datasecs.push(DatasecFixup {
                    id: t.id(),
                    name: super::type_name(btf, &t),
                    size: t.size(),
                    entries: start..entries.len(),
                });
            }
        }

        fx.layout_externs(btf, &mut datasecs, &mut entries, externs);

        // Global OBJECT symbols by name, first one wins (find_elf_var_sym):
        // sorted once, searched per VAR. Ordered by length first, so most
        // comparisons are of two integers.
        let is_var = |s: &&Symbol<'_>| s.kind == SymbolKind::Object && s.is_global();
        // Counted first: collecting from a filter grows the list by
        // doubling, and these are few among many symbols.
        let mut var_syms: Vec<(Cow<'_, str>, &Symbol<'_>)> =
            Vec::with_capacity(symbols.iter().filter(is_var).count());
        var_syms.extend(symbols.iter().filter(is_var).map(|s| (s.name.text(), s)));
        var_syms.sort_unstable_by(|(a, x), (b, y)| {
            (a.len(), a.as_bytes(), x.index).cmp(&(b.len(), b.as_bytes(), y.index))
        });
        // Each DATASEC's size comes from the first section of its name.
        let sections_by_name =
            FirstByName::new(sections, |s: &Section<'_>| Some(&*s.name), datasecs.len());
        let section_size = |name: &str| sections_by_name.get(name).map(|s| s.size);
        for ds in &mut datasecs {
            let own = &mut entries[ds.entries.clone()];
            if ds.name != ".kconfig" && ds.name != ".ksyms" {
                fx.fix_datasec(btf, ds, own, &section_size, &var_syms);
            }
            own.sort_by_key(|e| e.offset);
        }
        fx.datasecs = datasecs;
        fx.all_entries = entries;
        fx
    }

    /// The entries of `ds` (one of [`BtfFixups::datasecs`]) after the
    /// fix-ups, sorted by offset.
    pub fn entries(&self, ds: &DatasecFixup<'_>) -> &[VarSecinfo] {
        self.all_entries.get(ds.entries.clone()).unwrap_or_default()
    }

    /// `.ksyms` and `.kconfig`, from `bpf_object__collect_externs`.
    fn layout_externs(
        &mut self,
        btf: &Btf<'_>,
        datasecs: &mut [DatasecFixup<'_>],
        entries: &mut [VarSecinfo],
        externs: &[Extern],
    ) {
        let by_name = |name: &[u8]| externs.iter().find(|e| e.name.as_bytes() == name);
        let has_kconfig = externs
            .iter()
            .any(|e| matches!(e.kind, ExternKind::Kconfig { .. }));
        let has_ksym = externs
            .iter()
            .any(|e| matches!(e.kind, ExternKind::Ksym { .. }));
        for ds in datasecs.iter_mut() {
            let own = &mut entries[ds.entries.clone()];
            if ds.name == ".ksyms" && has_ksym {
                let has_func = own.iter().any(|e| {
                    btf.type_by_id(e.type_id)
                        .is_ok_and(|t| t.kind() == Kind::Func)
                });
                // libbpf's find_int_btf_id: the first INT of 32 bits.
                let int_id = btf
                    .types()
                    .find(|t| t.int().is_some_and(|i| i.bits == 32))
                    .map_or(0, |t| t.id());
                if has_func {
                    self.dummy_ksym = Some((btf.last_id() + 1, int_id));
                }
                for (i, e) in own.iter_mut().enumerate() {
                    let Ok(vt) = btf.type_by_id(e.type_id) else {
                        continue;
                    };
                    let name = super::btf_str(btf, vt.name_off()).unwrap_or_default();
                    if by_name(name).is_none() {
                        self.problem(
                            ds.id,
                            &ds.name,
                            Errno::Esrch,
                            format!(
                                "failed to find extern definition for BTF {} '{}'",
                                vt.kind().name().to_ascii_lowercase(),
                                String::from_utf8_lossy(name)
                            ),
                        );
                        continue;
                    }
                    if vt.kind() == Kind::Func {
                        if let Ok(proto) = btf.type_by_id(vt.type_id()) {
                            for (j, p) in proto.params().enumerate() {
                                if p.type_id != 0 && p.name_off == 0 {
                                    self.param_names.push((proto.id(), j as u32));
                                }
                            }
                        }
                        e.type_id = self.dummy_ksym.map_or(0, |(id, _)| id);
                        self.func_linkage.insert(vt.id(), func_linkage::GLOBAL);
                    } else {
                        self.var_linkage
                            .insert(vt.id(), var_linkage::GLOBAL_ALLOCATED);
                        self.var_type.insert(vt.id(), int_id);
                    }
                    e.offset = (i * 4) as u32;
                    e.size = 4;
                }
                ds.size = (own.len() * 4) as u32;
            } else if ds.name == ".kconfig" && has_kconfig {
                ds.size = externs
                    .iter()
                    .filter_map(|e| match e.kind {
                        ExternKind::Kconfig { offset, size, .. } => Some(offset + size),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                for e in own.iter_mut() {
                    let Ok(vt) = btf.type_by_id(e.type_id) else {
                        continue;
                    };
                    let name = super::btf_str(btf, vt.name_off()).unwrap_or_default();
                    match by_name(name).map(|x| &x.kind) {
                        Some(ExternKind::Kconfig { offset, .. }) => {
                            self.var_linkage
                                .insert(vt.id(), var_linkage::GLOBAL_ALLOCATED);
                            e.offset = *offset;
                        }
                        _ => self.problem(
                            ds.id,
                            &ds.name,
                            Errno::Esrch,
                            format!(
                                "failed to find extern definition for BTF var '{}'",
                                String::from_utf8_lossy(name)
                            ),
                        ),
                    }
                }
            }
        }
    }

    /// `btf_fixup_datasec` for a data DATASEC.
    fn fix_datasec(
        &mut self,
        btf: &Btf<'_>,
        ds: &mut DatasecFixup<'_>,
        entries: &mut [VarSecinfo],
        section_size: &dyn Fn(&str) -> Option<u64>,
        var_syms: &[(Cow<'_, str>, &Symbol<'_>)],
    ) {
        let mut fixup_offsets = false;
        if ds.size == 0 {
            let size = section_size(&ds.name);
            match size {
                Some(sz) if sz > 0 && sz <= u64::from(u32::MAX) => {
                    ds.size = sz as u32;
                    fixup_offsets = true;
                }
                _ => {
                    let (sz, err) = match size {
                        Some(sz) => (sz, 0),
                        None => (0, -2),
                    };
                    self.problem(
                        ds.id,
                        &ds.name,
                        Errno::Enoent,
                        format!(
                            "sec '{}': failed to determine size from ELF: size {sz}, err {err}",
                            ds.name
                        ),
                    );
                    return;
                }
            }
        }
        for e in entries.iter_mut() {
            let t = match btf.type_by_id(e.type_id) {
                Ok(t) if t.kind() == Kind::Var => t,
                _ => {
                    self.problem(
                        ds.id,
                        &ds.name,
                        Errno::Einval,
                        format!("sec '{}': unexpected non-VAR type found", ds.name),
                    );
                    return;
                }
            };
            let linkage = self.var_linkage(&t);
            if linkage == var_linkage::STATIC || linkage == var_linkage::GLOBAL_EXTERN {
                continue;
            }
            // Found by its bytes: equal bytes are equal text, without
            // checking the name is UTF-8. Only a name that is not UTF-8
            // needs the lossy conversion symbol names went through.
            let bytes = super::btf_str(btf, t.name_off()).unwrap_or_default();
            let sym = find_var_sym(var_syms, bytes).or_else(|| {
                std::str::from_utf8(bytes)
                    .is_err()
                    .then(|| super::type_name(btf, &t))
                    .and_then(|lossy| find_var_sym(var_syms, lossy.as_bytes()))
            });
            let Some(sym) = sym else {
                let name = super::type_name(btf, &t);
                self.problem(
                    ds.id,
                    &ds.name,
                    Errno::Enoent,
                    format!(
                        "sec '{}': failed to find ELF symbol for VAR '{name}'",
                        ds.name
                    ),
                );
                return;
            };
            if fixup_offsets {
                e.offset = sym.value as u32;
            }
            if sym.is_hidden() {
                self.var_linkage.insert(t.id(), var_linkage::STATIC);
            }
        }
    }

    fn problem(&mut self, type_id: u32, datasec: &str, errno: Errno, message: String) {
        self.problems.push(FixupProblem {
            datasec: datasec.to_string(),
            type_id,
            errno,
            message,
        });
    }

    /// The fixed-up DATASEC with this type id.
    pub fn datasec(&self, id: u32) -> Option<&DatasecFixup<'a>> {
        // In type id order (see the field): a binary search, as this is
        // asked for every map's value type.
        let i = self.datasecs.partition_point(|d| d.id < id);
        self.datasecs.get(i).filter(|d| d.id == id)
    }

    /// The first fixed-up DATASEC with this name.
    pub fn datasec_named(&self, name: &str) -> Option<&DatasecFixup<'a>> {
        self.datasecs.iter().find(|d| d.name == name)
    }

    /// A VAR's linkage after the fix-ups.
    pub fn var_linkage(&self, var: &crate::btf::Type<'_>) -> u32 {
        self.var_linkage
            .get(&var.id())
            .copied()
            .unwrap_or_else(|| var.var_linkage().unwrap_or(0))
    }

    /// Marks the FUNCs of hidden global subprograms static, as libbpf does
    /// before loading BTF (the verifier then checks them with their callers).
    pub(crate) fn mark_funcs_static(&mut self, btf: &Btf<'_>, names: &[&str]) {
        for name in names {
            let f = btf.types().find(|t| {
                t.kind() == Kind::Func
                    && t.func_linkage() == Some(func_linkage::GLOBAL)
                    && super::btf_str(btf, t.name_off()) == Some(name.as_bytes())
            });
            if let Some(f) = f {
                self.func_linkage.insert(f.id(), func_linkage::STATIC);
            }
        }
    }

    /// The BTF bytes libbpf would pass to BPF_BTF_LOAD (before any
    /// kernel-feature sanitisation), in the blob's own byte order.
    pub fn apply(&self, btf: &Btf<'_>) -> Vec<u8> {
        let endian = btf.endian();
        let hdr = btf.header();
        let types_at = hdr.hdr_len as usize + hdr.type_off as usize;
        let mut out = btf.data().to_vec();
        let mut put = |at: usize, v: u32| {
            out[at..at + 4].copy_from_slice(&endian.u32_bytes(v));
        };
        let start_of = |id: u32| btf.type_by_id(id).map(|t| types_at + t.offset() as usize);
        for ds in &self.datasecs {
            let Ok(at) = start_of(ds.id) else { continue };
            put(at + 8, ds.size);
            for (i, e) in self.entries(ds).iter().enumerate() {
                let rec = at + 12 + 12 * i;
                put(rec, e.type_id);
                put(rec + 4, e.offset);
                put(rec + 8, e.size);
            }
        }
        for (&id, &linkage) in &self.var_linkage {
            if let Ok(at) = start_of(id) {
                put(at + 12, linkage);
            }
        }
        for (&id, &ty) in &self.var_type {
            if let Ok(at) = start_of(id) {
                put(at + 8, ty);
            }
        }
        for (&id, &linkage) in &self.func_linkage {
            if let Ok(t) = btf.type_by_id(id) {
                let at = types_at + t.offset() as usize;
                put(at + 4, (t.info() & !0xffff) | linkage);
            }
        }
        let Some((_, int_id)) = self.dummy_ksym else {
            return out;
        };
        // Append the dummy VAR (and its name) like btf__add_var does, and
        // point nameless kfunc parameters at that name.
        let name_off = hdr.str_len;
        for &(proto, j) in &self.param_names {
            if let Ok(at) = start_of(proto) {
                put(at + 12 + 8 * j as usize, name_off);
            }
        }
        append_var(&out, btf, endian, name_off, int_id)
    }
}

/// Rebuilds the blob as header | types + one VAR | strings + its name.
fn append_var(blob: &[u8], btf: &Btf<'_>, endian: Endian, name_off: u32, type_id: u32) -> Vec<u8> {
    let hdr = btf.header();
    let hdr_len = hdr.hdr_len as usize;
    let types = &blob[hdr_len + hdr.type_off as usize..][..hdr.type_len as usize];
    let strings = &blob[hdr_len + hdr.str_off as usize..][..hdr.str_len as usize];
    let type_len = hdr.type_len + 16;
    let str_len = hdr.str_len + DUMMY_KSYM.len() as u32 + 1;
    let mut out = Vec::with_capacity(hdr_len + type_len as usize + str_len as usize);
    out.extend_from_slice(&blob[..hdr_len]);
    for (at, v) in [(8, 0), (12, type_len), (16, type_len), (20, str_len)] {
        out[at..at + 4].copy_from_slice(&endian.u32_bytes(v));
    }
    out.extend_from_slice(types);
    for w in [
        name_off,
        (Kind::Var as u32) << 24,
        type_id,
        var_linkage::GLOBAL_ALLOCATED,
    ] {
        out.extend_from_slice(&endian.u32_bytes(w));
    }
    out.extend_from_slice(strings);
    out.extend_from_slice(DUMMY_KSYM.as_bytes());
    out.push(0);
    out
}
