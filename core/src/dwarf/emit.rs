//! The deduplicated graph as BTF: one type per class, in the order the
//! classes were first reached, so the same input gives the same ids.

use super::dedup::Partition;
use super::error::DwarfError;
use super::graph::{Graph, Node, Ty, VOID};
use super::names::rust_names;
use crate::btf::build::{BtfBuilder, Field};
use crate::btf::BTF_MAX_TYPE;

/// The BTF and the id of every node (0 for void and unreached nodes).
pub(crate) struct Emitted {
    pub btf: BtfBuilder,
    pub ids: Vec<u32>,
}

pub(crate) fn emit(
    graph: &Graph,
    partition: &Partition,
    order: &[Ty],
) -> Result<Emitted, DwarfError> {
    // The representative of each class: its first node in `order`.
    let mut class_id = vec![0u32; partition.count as usize];
    let mut reps = Vec::new();
    for &ty in order {
        let class = partition.classes[ty as usize - 1] as usize;
        if class_id[class] == 0 {
            reps.push(ty);
            class_id[class] = reps.len() as u32;
        }
    }
    if reps.len() as u64 > u64::from(BTF_MAX_TYPE) {
        return Err(DwarfError::TooManyTypes {
            limit: BTF_MAX_TYPE,
        });
    }
    let id_of = |ty: Ty| -> u32 {
        if ty == VOID {
            return 0;
        }
        match partition.classes[ty as usize - 1] {
            u32::MAX => 0,
            c => class_id[c as usize],
        }
    };
    let names = rust_names(graph, &reps);
    let mut btf = BtfBuilder::new();
    for &rep in &reps {
        let node = &graph.nodes[rep as usize - 1];
        let strings = &graph.strings;
        let s = |id: super::graph::Str| strings.get(id);
        let name = |n: &super::graph::Name| -> &str {
            names.get(&rep).map_or_else(|| strings.get(n.text), String::as_str)
        };
        let fields = |members: &[super::graph::Member]| -> Vec<(&str, u32, u32, u8)> {
            members
                .iter()
                .map(|m| (strings.get(m.name), id_of(m.ty), m.bit_offset, m.bitfield_size))
                .collect()
        };
        match node {
            Node::Pending | Node::Alias(_) => {
                unreachable!("pending and alias nodes are resolved before emission")
            }
            Node::Int {
                name,
                size,
                encoding,
            } => btf.add_int(s(*name), *size, *encoding),
            Node::Float { name, size } => btf.add_float(s(*name), *size),
            Node::Ptr(t) => btf.add_ptr(id_of(*t)),
            Node::Const(t) => btf.add_const(id_of(*t)),
            Node::Volatile(t) => btf.add_volatile(id_of(*t)),
            Node::Restrict(t) => btf.add_restrict(id_of(*t)),
            Node::Typedef { name: n, ty } => btf.add_typedef(name(n), id_of(*ty)),
            Node::Array {
                elem,
                index,
                nelems,
            } => btf.add_array(id_of(*elem), id_of(*index), *nelems),
            Node::Struct {
                name: n,
                size,
                members,
            } => {
                let f = fields(members);
                btf.add_struct(name(n), *size, &as_fields(&f))
            }
            Node::Union {
                name: n,
                size,
                members,
            } => {
                let f = fields(members);
                btf.add_union(name(n), *size, &as_fields(&f))
            }
            Node::Enum {
                name: n,
                size,
                signed,
                values,
            } => {
                if *size <= 4 {
                    let v: Vec<(&str, u32)> = values
                        .iter()
                        .map(|(n, v)| (s(*n), *v as u32))
                        .collect();
                    btf.add_enum(name(n), *size, *signed, &v)
                } else {
                    let v: Vec<(&str, u64)> =
                        values.iter().map(|(n, v)| (s(*n), *v)).collect();
                    btf.add_enum64(name(n), *size, *signed, &v)
                }
            }
            Node::Fwd { name: n, union } => btf.add_fwd(name(n), *union),
            Node::FuncProto { ret, params } => {
                let p: Vec<(&str, u32)> = params
                    .iter()
                    .map(|p| (s(p.name), id_of(p.ty)))
                    .collect();
                btf.add_func_proto(id_of(*ret), &p)
            }
            Node::Func {
                name,
                proto,
                linkage,
            } => btf.add_func(s(*name), id_of(*proto), *linkage),
            Node::Var { name, ty, linkage } => btf.add_var(s(*name), id_of(*ty), *linkage),
            Node::TypeTag { value, ty } => btf.add_type_tag(s(*value), id_of(*ty)),
            Node::DeclTag {
                value,
                ty,
                component,
            } => btf.add_decl_tag(s(*value), id_of(*ty), *component),
        };
    }
    let ids = (1..=graph.nodes.len() as Ty).map(id_of).collect();
    Ok(Emitted { btf, ids })
}

fn as_fields<'n>(f: &[(&'n str, u32, u32, u8)]) -> Vec<Field<'n>> {
    f.iter()
        .map(|(n, t, off, bits)| Field::bitfield(n, *t, *off, *bits))
        .collect()
}
