//! The deduplicated graph as BTF: one type per class, in the order the
//! classes were first reached, so the same input gives the same ids.

use super::dedup::Partition;
use super::error::DwarfError;
use super::graph::{Graph, Name, Node, Str, Ty, VOID};
use super::names::rust_names;
use crate::btf::build::{
    BtfBuilder, Composite, Enum64Value, EnumValue, MemberDef, ParamDef, TypeData, TypeDef,
};
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
    // Each interned string goes into the string table once; after that its
    // offset is looked up by id, not hashed again.
    // The interner made them unique already, so they are appended
    // without a second dedup; "" (id 0) is the table's offset 0.
    let mut offsets: Vec<u32> = vec![u32::MAX; graph.strings.len()];
    offsets[0] = 0;
    let mut off = |btf: &mut BtfBuilder, id: Str| -> u32 {
        let slot = &mut offsets[id as usize];
        if *slot == u32::MAX {
            *slot = btf.strings_mut().append_new(graph.strings.get(id));
        }
        *slot
    };
    for &rep in &reps {
        let node = &graph.nodes[rep as usize - 1];
        let mut name = |btf: &mut BtfBuilder, n: &Name| -> u32 {
            match names.get(&rep) {
                // Unique among type names, but maybe equal to another
                // string: looked up like any added name.
                Some(chosen) => btf.add_str(chosen),
                None => off(btf, n.text),
            }
        };
        let (name_off, data) = match node {
            Node::Pending | Node::Alias(_) => {
                unreachable!("pending and alias nodes are resolved before emission")
            }
            Node::Int {
                name,
                size,
                encoding,
            } => (
                off(&mut btf, *name),
                TypeData::Int {
                    size: *size,
                    encoding: *encoding,
                    bit_offset: 0,
                    bits: size.saturating_mul(8).min(u32::from(u8::MAX)) as u8,
                },
            ),
            Node::Float { name, size } => (off(&mut btf, *name), TypeData::Float { size: *size }),
            Node::Ptr(t) => (0, TypeData::Ptr { type_id: id_of(*t) }),
            Node::Const(t) => (0, TypeData::Const { type_id: id_of(*t) }),
            Node::Volatile(t) => (0, TypeData::Volatile { type_id: id_of(*t) }),
            Node::Restrict(t) => (0, TypeData::Restrict { type_id: id_of(*t) }),
            Node::Typedef { name: n, ty } => (
                name(&mut btf, n),
                TypeData::Typedef {
                    type_id: id_of(*ty),
                },
            ),
            Node::Array {
                elem,
                index,
                nelems,
            } => (
                0,
                TypeData::Array {
                    elem_type: id_of(*elem),
                    index_type: id_of(*index),
                    nelems: *nelems,
                },
            ),
            Node::Struct {
                name: n,
                size,
                members,
            }
            | Node::Union {
                name: n,
                size,
                members,
            } => {
                let name_off = name(&mut btf, n);
                let members: Vec<MemberDef> = members
                    .iter()
                    .map(|m| MemberDef {
                        name_off: off(&mut btf, m.name),
                        type_id: id_of(m.ty),
                        bit_offset: m.bit_offset,
                        bitfield_size: m.bitfield_size,
                    })
                    .collect();
                // kind_flag when a member is a bitfield, as clang and libbpf.
                let body = Composite {
                    size: *size,
                    kflag: members.iter().any(|m| m.bitfield_size != 0),
                    members,
                };
                let data = if matches!(node, Node::Union { .. }) {
                    TypeData::Union(body)
                } else {
                    TypeData::Struct(body)
                };
                (name_off, data)
            }
            Node::Enum {
                name: n,
                size,
                signed,
                values,
            } => {
                let name_off = name(&mut btf, n);
                let data = if *size <= 4 {
                    TypeData::Enum {
                        size: *size,
                        signed: *signed,
                        values: values
                            .iter()
                            .map(|(v, value)| EnumValue {
                                name_off: off(&mut btf, *v),
                                value: *value as u32,
                            })
                            .collect(),
                    }
                } else {
                    TypeData::Enum64 {
                        size: *size,
                        signed: *signed,
                        values: values
                            .iter()
                            .map(|(v, value)| Enum64Value {
                                name_off: off(&mut btf, *v),
                                value: *value,
                            })
                            .collect(),
                    }
                };
                (name_off, data)
            }
            Node::Fwd { name: n, union } => (name(&mut btf, n), TypeData::Fwd { union: *union }),
            Node::FuncProto { ret, params } => (
                0,
                TypeData::FuncProto {
                    ret: id_of(*ret),
                    params: params
                        .iter()
                        .map(|p| ParamDef {
                            name_off: off(&mut btf, p.name),
                            type_id: id_of(p.ty),
                        })
                        .collect(),
                },
            ),
            Node::Func {
                name,
                proto,
                linkage,
            } => (
                off(&mut btf, *name),
                TypeData::Func {
                    proto: id_of(*proto),
                    linkage: *linkage,
                },
            ),
            Node::Var { name, ty, linkage } => (
                off(&mut btf, *name),
                TypeData::Var {
                    type_id: id_of(*ty),
                    linkage: *linkage,
                },
            ),
            Node::TypeTag { value, ty } => (
                off(&mut btf, *value),
                TypeData::TypeTag {
                    type_id: id_of(*ty),
                    attr: false,
                },
            ),
            Node::DeclTag {
                value,
                ty,
                component,
            } => (
                off(&mut btf, *value),
                TypeData::DeclTag {
                    type_id: id_of(*ty),
                    component_idx: *component,
                    attr: false,
                },
            ),
        };
        btf.add(TypeDef::new(name_off, data));
    }
    let ids = (1..=graph.nodes.len() as Ty).map(id_of).collect();
    Ok(Emitted { btf, ids })
}
