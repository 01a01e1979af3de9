//! Maps libbpf creates on the object's behalf: one ARRAY per global data
//! section (`bpf_object__init_global_data_maps`), the `.kconfig` map, and
//! struct_ops maps (`init_struct_ops_maps`).

use super::btf_fixup::{BtfFixups, DatasecFixup};
use super::by_name::FirstByName;
use super::section::{Section, SectionKind};
use crate::btf::{var_linkage, Btf, Kind};
use crate::diag::{Actor, Code, Errno, Finding, Subject};
use crate::maps::{MapFlags, MapSource, MapSpec, MapType};

/// `BPF_OBJ_NAME_LEN`.
const OBJ_NAME_LEN: usize = 16;

/// libbpf's object name for a file path: the base name's first 15 bytes, cut
/// at the first `.` (`bpf_object__new`).
pub fn object_name_from_path(path: &str) -> String {
    let path = path.as_bytes();
    let base = match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    };
    let base = &base[..base.len().min(OBJ_NAME_LEN - 1)];
    let base = match base.iter().position(|&b| b == b'.') {
        Some(dot) => &base[..dot],
        None => base,
    };
    super::elf::text(base).into_owned()
}

/// libbpf's `internal_map_name`: as much of the object name as fits in front
/// of the section name (at least 7 characters reserved for it), no prefix for
/// custom `.data.*`/`.rodata.*` sections, 15 characters at most, and
/// characters the kernel refuses replaced by `_`.
pub fn internal_map_name(object_name: &str, section_name: &str) -> String {
    let real = section_name.as_bytes();
    let obj = object_name.as_bytes();
    let sfx_len = real.len().clamp(7, OBJ_NAME_LEN - 1);
    let custom = real.len() > 1 && real[1..].contains(&b'.');
    let pfx_len = if custom {
        0
    } else {
        (OBJ_NAME_LEN - sfx_len - 1).min(obj.len())
    };
    let mut name: Vec<u8> = obj[..pfx_len]
        .iter()
        .chain(real[..sfx_len.min(real.len())].iter())
        .copied()
        .collect();
    name.truncate(OBJ_NAME_LEN - 1);
    for b in &mut name {
        if !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.') {
            *b = b'_';
        }
    }
    String::from_utf8(name).expect("only ASCII left")
}

/// libbpf's `map_is_mmapable`: the value DATASEC has a VAR that is not
/// static after the fix-ups (hidden globals count as static).
fn is_mmapable(btf: &Btf<'_>, fixups: &BtfFixups, value_type_id: u32) -> bool {
    let Ok(t) = btf.type_by_id(value_type_id) else {
        return false;
    };
    if t.kind() != Kind::Datasec {
        return false;
    }
    t.datasec_entries().any(|e| {
        btf.type_by_id(e.type_id)
            .is_ok_and(|v| v.kind() == Kind::Var && fixups.var_linkage(&v) != var_linkage::STATIC)
    })
}

fn internal_map(
    object_name: &str,
    real_name: &str,
    size: u64,
    rdonly: bool,
    btf: Option<&Btf<'_>>,
    fixups: &BtfFixups,
    datasec_id: u32,
) -> MapSpec {
    // bpf_map__name(): custom .data.*/.rodata.* maps go by their section
    // name (map_uses_real_name); the kernel gets the truncated internal name.
    let custom_data = real_name.starts_with(".data.") || real_name.starts_with(".rodata.");
    let name = if custom_data {
        real_name.to_string()
    } else {
        internal_map_name(object_name, real_name)
    };
    let mut m = MapSpec::new(
        name,
        MapType::Array,
        MapSource::Internal {
            section: real_name.to_string(),
        },
    );
    m.key_size = 4;
    m.value_size = u32::try_from(size).unwrap_or(u32::MAX);
    m.max_entries = 1;
    if rdonly {
        m.map_flags |= MapFlags::RDONLY_PROG.0;
    }
    if let Some(btf) = btf {
        // Keyless; the value is the section's DATASEC, found by the caller.
        m.btf_value_type_id = datasec_id;
        if is_mmapable(btf, fixups, m.btf_value_type_id) {
            m.map_flags |= MapFlags::MMAPABLE.0;
        }
    }
    m
}

/// One internal ARRAY per non-empty `.data*`, `.rodata*` and `.bss*` section,
/// in section order, appended to `maps`.
pub(crate) fn global_data_maps(
    object_name: &str,
    sections: &[Section<'_>],
    btf: Option<&Btf<'_>>,
    fixups: &BtfFixups,
    maps: &mut Vec<MapSpec>,
    findings: &mut Vec<Finding>,
) {
    // map_fill_btf_type_info: keyless, value = the type named like the
    // section (btf__find_by_name). Section names are not C identifiers, so
    // only a DATASEC can carry one: the first of that name.
    let datasecs = FirstByName::new(
        &fixups.datasecs,
        |d: &DatasecFixup<'_>| Some(&*d.name),
        fixups.datasecs.len(),
    );
    let datasec_id = |name: &str| datasecs.get(name).map_or(0, |d| d.id);
    for s in sections.iter().filter(|s| s.is_global_data() && s.size > 0) {
        if s.is_compressed() {
            findings.push(
                Finding::new(
                    Code::CompressedSection,
                    Subject::Section(s.name.to_string()),
                    "compressed global data section",
                )
                .section(s.name.to_string())
                .rule("global data is copied into its map as stored")
                .effect(
                    Actor::Libbpf,
                    None,
                    "would copy the compressed bytes as the initial value",
                )
                .fix("do not compress allocated sections"),
            );
        }
        let m = internal_map(
            object_name,
            &s.name,
            s.size,
            s.kind == SectionKind::Rodata,
            btf,
            fixups,
            datasec_id(&s.name),
        );
        if btf.is_some()
            && m.btf_value_type_id == 0
            && !s.name.starts_with(".rodata.str")
            && !s.name.starts_with(".rodata.cst")
        {
            findings.push(
                Finding::new(Code::DataSectionWithoutBtf, Subject::Map(m.name.clone()), format!("section {} has no BTF DATASEC", s.name))
                    .section(s.name.to_string())
                    .rule("libbpf describes a global data map's value with the DATASEC of the same name")
                    .effect(Actor::Libbpf, None, "creates the map without BTF and without BPF_F_MMAPABLE; skeletons get no accessor")
                    .fix("build with -g; keep variables in the section non-static if user space needs them"),
            );
        }
        maps.push(m);
    }
}

/// The `.kconfig` map, when the object has kconfig externs.
pub(crate) fn kconfig_map(
    object_name: &str,
    size: u32,
    btf: Option<&Btf<'_>>,
    fixups: &BtfFixups,
) -> Option<MapSpec> {
    let datasec_id = fixups.datasec_named(".kconfig").map_or(0, |d| d.id);
    (size > 0).then(|| {
        internal_map(
            object_name,
            ".kconfig",
            u64::from(size),
            true,
            btf,
            fixups,
            datasec_id,
        )
    })
}

/// struct_ops maps of `.struct_ops` (and `.struct_ops.link`, created with BPF_F_LINK).
pub(crate) fn struct_ops_maps(
    section: &Section<'_>,
    btf: Option<&Btf<'_>>,
    fixups: &BtfFixups,
    findings: &mut Vec<Finding>,
) -> Vec<(MapSpec, u32)> {
    let sec_name = section.name.to_string();
    let link = matches!(section.kind, SectionKind::StructOps { link: true });
    let fail = |message: String, errno, type_id: u32| {
        Finding::new(Code::StructOpsInvalid, Subject::Section(sec_name.clone()), message.clone())
            .section(sec_name.clone())
            .btf_type(type_id)
            .rule("each variable in a struct_ops section is a named struct matching a kernel struct_ops type")
            .effect(Actor::Libbpf, Some(errno), message)
            .fix("declare `SEC(\".struct_ops.link\") struct tcp_congestion_ops name = { ... };`")
    };
    if !link {
        findings.push(
            Finding::new(
                Code::StructOpsNotLink,
                Subject::Section(sec_name.clone()),
                "struct_ops without BPF link",
            )
            .section(sec_name.clone())
            .rule("cilium/ebpf supports struct_ops only in .struct_ops.link")
            .effect(
                Actor::Cilium,
                Some(Errno::Eopnotsupp),
                "section .struct_ops: not supported",
            )
            .effect(
                Actor::Libbpf,
                None,
                "registers the struct_ops without a link",
            )
            .fix("use SEC(\".struct_ops.link\")"),
        );
    }
    let mut maps = Vec::new();
    let Some(btf) = btf else {
        findings.push(fail(
            "struct_ops init: BTF is mandatory for struct_ops".into(),
            Errno::Einval,
            0,
        ));
        return maps;
    };
    let Some(ds) = btf
        .types()
        .find(|t| {
            t.kind() == Kind::Datasec
                && super::btf_str(btf, t.name_off()) == Some(sec_name.as_bytes())
        })
        .and_then(|t| fixups.datasec(t.id()))
    else {
        findings.push(fail(
            format!("struct_ops init: DATASEC {sec_name} not found"),
            Errno::Einval,
            0,
        ));
        return maps;
    };
    for vi in fixups.entries(ds) {
        let var_name = btf
            .type_by_id(vi.type_id)
            .ok()
            .map(|v| super::type_name(btf, &v))
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let Some(t) = resolve_type(btf, vi.type_id) else {
            findings.push(fail(
                format!(
                    "struct_ops init: Cannot resolve var type_id {} in DATASEC {sec_name}",
                    vi.type_id
                ),
                Errno::Einval,
                vi.type_id,
            ));
            continue;
        };
        let tname = super::type_name(btf, &t).into_owned();
        if tname.is_empty() {
            findings.push(fail(
                "struct_ops init: anonymous type is not supported".into(),
                Errno::Eopnotsupp,
                t.id(),
            ));
            continue;
        }
        if t.kind() != Kind::Struct {
            findings.push(fail(
                format!("struct_ops init: {tname} is not a struct"),
                Errno::Einval,
                t.id(),
            ));
            continue;
        }
        if u64::from(vi.offset) + u64::from(t.size()) > section.size {
            findings.push(fail(
                format!("struct_ops init: var {var_name} is beyond the end of DATASEC {sec_name}"),
                Errno::Einval,
                vi.type_id,
            ));
            continue;
        }
        let mut m = MapSpec::new(
            var_name,
            MapType::StructOps,
            MapSource::StructOps {
                section: sec_name.clone(),
                type_name: tname,
            },
        );
        m.key_size = 4;
        m.value_size = t.size();
        m.max_entries = 1;
        if link {
            m.map_flags = MapFlags::LINK.0;
        }
        maps.push((m, vi.offset));
    }
    maps
}

/// libbpf's `btf__resolve_type`: through typedefs, modifiers, VARs and decl tags.
fn resolve_type<'a>(btf: &Btf<'a>, mut id: u32) -> Option<crate::btf::Type<'a>> {
    for _ in 0..crate::btf::MAX_RESOLVE_DEPTH {
        let t = btf.type_by_id(id).ok()?;
        match t.kind() {
            Kind::Typedef | Kind::Var | Kind::DeclTag => id = t.type_id(),
            k if k.is_modifier() => id = t.type_id(),
            _ => return Some(t),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_names_follow_libbpf_examples() {
        // The examples in libbpf's internal_map_name() comment.
        assert_eq!(
            internal_map_name("my_object_name", ".rodata"),
            "my_objec.rodata"
        );
        assert_eq!(internal_map_name("my_object_name", ".bss"), "my_objec.bss");
        assert_eq!(
            internal_map_name("my_object_name", ".kconfig"),
            "my_obje.kconfig"
        );
        assert_eq!(
            internal_map_name("my_object_name", ".rodata.abracadabra"),
            ".rodata.abracad"
        );
        assert_eq!(internal_map_name("a-b", ".data"), "a_b.data");
        assert_eq!(
            object_name_from_path("/x/loader-clang-14-el.elf"),
            "loader-clang-14"
        );
        assert_eq!(object_name_from_path("prog.bpf.o"), "prog");
    }
}
