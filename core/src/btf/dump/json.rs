//! The JSON dump: one document describing a BTF blob, for scripts.
//!
//! # Schema (version 1)
//!
//! Additions of new fields are not breaking; removing or renaming one bumps
//! `schema_version`.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "endian": "little" | "big",          // byte order of the blob
//!   "header": {                          // struct btf_header as stored
//!     "magic": 60319, "version": 1, "flags": 0, "hdr_len": 24,
//!     "type_off": 0, "type_len": N, "str_off": N, "str_len": N
//!   },
//!   "first_type_id": 1,                  // > 1 for split BTF: ids continue the base's
//!   "first_str_off": 0,                  // > 0 for split BTF
//!   "types": [ TYPE, ... ]               // this blob's types in id order (not the base's)
//! }
//! ```
//!
//! Every `TYPE` has `id`, `kind` (bpftool's upper-case kind name) and `name`,
//! then the fields of its kind. Field names and values are those of
//! `bpftool -j btf dump`'s type objects, with three differences: an anonymous
//! name is `""` rather than `"(anon)"`, `bitfield_size` is always present, and
//! unsigned ENUM values are not sign-extended (bpftool v7.1 prints
//! 0xffffffff as 18446744073709551615). Wherever a name appears (types, members,
//! parameters, enumerators) it is a string, `""` when anonymous, or `null`
//! when its string offset lies outside the string section. Names that are
//! not UTF-8 have the bad bytes replaced by U+FFFD.
//!
//! | kind | fields |
//! |---|---|
//! | `INT` | `size`, `bits_offset`, `nr_bits`, `encoding`: `"(none)"`, `"SIGNED"`, `"CHAR"`, `"BOOL"` or `"UNKN"` |
//! | `PTR`, `CONST`, `VOLATILE`, `RESTRICT`, `TYPEDEF`, `TYPE_TAG` | `type_id` |
//! | `ARRAY` | `type_id` (element), `index_type_id`, `nr_elems` |
//! | `STRUCT`, `UNION` | `size`, `vlen`, `members`: `[{name, type_id, bits_offset, bitfield_size}]` (`bitfield_size` 0 unless a kind_flag bitfield) |
//! | `ENUM`, `ENUM64` | `encoding`: `"SIGNED"` or `"UNSIGNED"` (kind_flag), `size`, `vlen`, `values`: `[{name, val}]`, `val` a signed or unsigned integer per `encoding` |
//! | `FWD` | `fwd_kind`: `"struct"` or `"union"` |
//! | `FUNC` | `type_id` (its FUNC_PROTO), `linkage`: `"static"`, `"global"`, `"extern"` or `"(unknown)"` |
//! | `FUNC_PROTO` | `ret_type_id`, `vlen`, `params`: `[{name, type_id}]` (`type_id` 0 for a trailing `...`) |
//! | `VAR` | `type_id`, `linkage`: `"static"`, `"global"`, `"extern"` or `"(unknown)"` |
//! | `DATASEC` | `size`, `vlen`, `vars`: `[{type_id, offset, size}]` |
//! | `FLOAT` | `size` |
//! | `DECL_TAG` | `type_id`, `component_idx` (-1: the declaration itself) |

use super::raw::{func_linkage_name, int_encoding_name, signedness, var_linkage_name};
use crate::btf::kind::Kind;
use crate::btf::{Btf, Header, Type};
use crate::bytes::Endian;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::io::{self, Write};

/// The version of the schema documented above.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes the JSON document for the types `btf` itself defines, pretty-printed.
pub fn dump_json(btf: &Btf<'_>, out: &mut impl Write) -> io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        endian: btf.endian(),
        header: btf.header(),
        first_type_id: btf.first_id(),
        first_str_off: btf.first_str_off(),
        types: TypeList(btf),
    };
    // serde_json issues many tiny writes; batch them whatever `out` is.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, &doc).map_err(io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

#[derive(Serialize)]
struct Document<'b, 'a> {
    schema_version: u32,
    endian: Endian,
    header: &'b Header,
    first_type_id: u32,
    first_str_off: u32,
    types: TypeList<'b, 'a>,
}

/// Serialises types one at a time, so vmlinux never needs a second copy in memory.
struct TypeList<'b, 'a>(&'b Btf<'a>);

impl Serialize for TypeList<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let btf = self.0;
        s.collect_seq(btf.types().map(|t| JsonType::new(btf, &t)))
    }
}

/// `None` (JSON `null`) when the offset is outside the string section.
type Name<'a> = Option<Cow<'a, str>>;

#[derive(Serialize)]
struct JsonType<'a> {
    id: u32,
    kind: &'static str,
    name: Name<'a>,
    #[serde(flatten)]
    detail: Detail<'a>,
}

/// The kind-specific fields; `untagged` because `kind` already says which.
#[derive(Serialize)]
#[serde(untagged)]
enum Detail<'a> {
    Int {
        size: u32,
        bits_offset: u8,
        nr_bits: u8,
        encoding: &'static str,
    },
    Ref {
        type_id: u32,
    },
    Array {
        type_id: u32,
        index_type_id: u32,
        nr_elems: u32,
    },
    Composite {
        size: u32,
        vlen: u32,
        members: Vec<JsonMember<'a>>,
    },
    Enum {
        encoding: &'static str,
        size: u32,
        vlen: u32,
        values: Vec<JsonEnumValue<'a>>,
    },
    Fwd {
        fwd_kind: &'static str,
    },
    Linked {
        type_id: u32,
        linkage: &'static str,
    },
    FuncProto {
        ret_type_id: u32,
        vlen: u32,
        params: Vec<JsonParam<'a>>,
    },
    Datasec {
        size: u32,
        vlen: u32,
        vars: Vec<JsonVarSecinfo>,
    },
    Float {
        size: u32,
    },
    DeclTag {
        type_id: u32,
        component_idx: i32,
    },
}

#[derive(Serialize)]
struct JsonMember<'a> {
    name: Name<'a>,
    type_id: u32,
    bits_offset: u32,
    bitfield_size: u32,
}

#[derive(Serialize)]
struct JsonEnumValue<'a> {
    name: Name<'a>,
    val: EnumVal,
}

/// An enumerator value read the way its enum's kind_flag says.
#[derive(Serialize)]
#[serde(untagged)]
enum EnumVal {
    Signed(i64),
    Unsigned(u64),
}

#[derive(Serialize)]
struct JsonParam<'a> {
    name: Name<'a>,
    type_id: u32,
}

#[derive(Serialize)]
struct JsonVarSecinfo {
    type_id: u32,
    offset: u32,
    size: u32,
}

impl<'a> JsonType<'a> {
    fn new(btf: &Btf<'a>, t: &Type<'a>) -> JsonType<'a> {
        // Offset 0 is the empty name by definition, even if a broken
        // string section does not start with a NUL.
        let name = |off: u32| match off {
            0 => Some(Cow::Borrowed("")),
            _ => btf.str_at(off).ok(),
        };
        let detail = match t.kind() {
            Kind::Int => {
                let int = t.int().expect("kind checked");
                Detail::Int {
                    size: t.size(),
                    bits_offset: int.bit_offset,
                    nr_bits: int.bits,
                    encoding: int_encoding_name(int.encoding),
                }
            }
            Kind::Ptr
            | Kind::Const
            | Kind::Volatile
            | Kind::Restrict
            | Kind::Typedef
            | Kind::TypeTag => Detail::Ref {
                type_id: t.type_id(),
            },
            Kind::Array => {
                let a = t.array().expect("kind checked");
                Detail::Array {
                    type_id: a.elem_type,
                    index_type_id: a.index_type,
                    nr_elems: a.nelems,
                }
            }
            Kind::Struct | Kind::Union => Detail::Composite {
                size: t.size(),
                vlen: t.vlen(),
                members: t
                    .members()
                    .map(|m| JsonMember {
                        name: name(m.name_off),
                        type_id: m.type_id,
                        bits_offset: m.bit_offset(),
                        bitfield_size: m.bitfield_size(),
                    })
                    .collect(),
            },
            Kind::Enum | Kind::Enum64 => Detail::Enum {
                encoding: signedness(t.kflag()),
                size: t.size(),
                vlen: t.vlen(),
                values: t
                    .enumerators()
                    .map(|e| JsonEnumValue {
                        name: name(e.name_off),
                        // ENUM values arrive sign-extended when kflag is set,
                        // so both kinds read the same way here.
                        val: if t.kflag() {
                            EnumVal::Signed(e.value as i64)
                        } else {
                            EnumVal::Unsigned(e.value)
                        },
                    })
                    .collect(),
            },
            Kind::Fwd => Detail::Fwd {
                fwd_kind: if t.kflag() { "union" } else { "struct" },
            },
            Kind::Func => Detail::Linked {
                type_id: t.type_id(),
                linkage: func_linkage_name(t.vlen()),
            },
            Kind::Var => Detail::Linked {
                type_id: t.type_id(),
                linkage: var_linkage_name(t.var_linkage().expect("kind checked")),
            },
            Kind::FuncProto => Detail::FuncProto {
                ret_type_id: t.type_id(),
                vlen: t.vlen(),
                params: t
                    .params()
                    .map(|p| JsonParam {
                        name: name(p.name_off),
                        type_id: p.type_id,
                    })
                    .collect(),
            },
            Kind::Datasec => Detail::Datasec {
                size: t.size(),
                vlen: t.vlen(),
                vars: t
                    .datasec_entries()
                    .map(|v| JsonVarSecinfo {
                        type_id: v.type_id,
                        offset: v.offset,
                        size: v.size,
                    })
                    .collect(),
            },
            Kind::Float => Detail::Float { size: t.size() },
            Kind::DeclTag => Detail::DeclTag {
                type_id: t.type_id(),
                component_idx: t.decl_tag_component_idx().expect("kind checked"),
            },
        };
        JsonType {
            id: t.id(),
            kind: t.kind().name(),
            name: name(t.name_off()),
            detail,
        }
    }
}
