//! DWARF → BTF, with gimli: what `pahole -J` does, in-process.
//!
//! Any ELF object's DWARF 4 or 5 (C from clang or gcc, Rust from rustc, in
//! either byte order, with compressed or relocated debug sections) becomes
//! deduplicated BTF:
//!
//! - base types, pointers, const/volatile/restrict, typedefs, structs and
//!   unions (bitfields in DWARF 4+ `DW_AT_data_bit_offset` or DWARF 2/3
//!   `DW_AT_bit_offset` form), arrays of any dimension, enums (ENUM, or
//!   ENUM64 past 4 bytes, signedness from the underlying type), function
//!   prototypes; FUNC for defined functions and VAR/DATASEC for global
//!   variables on request;
//! - Rust: primitives under clang's C names (`u32` is `unsigned int`, so a
//!   Rust key and a C program's `__u32` dedup to one type), type names made
//!   into unique C identifiers (`rust`), struct members in offset order
//!   (rustc describes them in declaration order), `()` and other zero-sized
//!   types as empty structs; what BTF cannot say is approximated with the
//!   same size and alignment and reported as a warning (data-carrying enums
//!   and 128-bit enums as opaque bytes, `char` as `unsigned int`);
//! - dedup across compilation units, crates and objects (`dedup`): one
//!   type per set of structurally equal types, forward declarations
//!   resolved to their unique definition.
//!
//! The reader never recurses on the type graph (a work list) and allocates
//! in proportion to the DWARF it reads; broken DWARF is a [`DwarfError`]
//! naming the DIE's offset in `.debug_info`.

mod convert;
mod dedup;
mod emit;
mod error;
mod graph;
mod names;
mod rust;
mod sections;
mod units;

pub use error::DwarfError;
pub use sections::DwarfSections;

use crate::btf::build::BtfBuilder;
use crate::btf::VarSecinfo;
use convert::{ConvertOptions, Converter};
use graph::{Ty, VOID};
use std::collections::BTreeMap;
use units::ObjectDwarf;

/// What `btf from-dwarf` adds beside the types.
#[derive(Debug, Clone, Copy, Default)]
pub struct FromDwarfOptions {
    /// A FUNC (with its FUNC_PROTO) for every function with code.
    pub funcs: bool,
    /// A VAR for every global variable with an ELF symbol, and a DATASEC per
    /// section holding them.
    pub vars: bool,
}

/// Converted BTF and what could only be approximated.
#[derive(Debug, Clone)]
pub struct Converted {
    pub btf: BtfBuilder,
    pub warnings: Vec<String>,
}

/// By section name: the section's size and its variables (VAR, offset, size).
type SectionVars = BTreeMap<String, (u64, Vec<(Ty, u64, u64)>)>;

/// Every type of the object's DWARF as deduplicated BTF (the job of
/// `pahole -J --btf_encode_detached`).
pub fn btf_from_elf(data: &[u8], options: &FromDwarfOptions) -> Result<Converted, DwarfError> {
    let sections = DwarfSections::load(data)?;
    let objects = [ObjectDwarf::open(&sections)?];
    let mut converter = Converter::new(&objects, ConvertOptions::default());
    let mut roots: Vec<Ty> = Vec::new();
    for named in &objects[0].type_dies {
        if !named.array_index {
            roots.push(converter.type_at(0, named.die));
        }
    }
    converter.run().map_err(|(_, e)| e)?;
    if options.funcs {
        for named in &objects[0].functions {
            if let Some(func) = converter.function(0, named.die)? {
                roots.push(func);
            }
        }
        converter.run().map_err(|(_, e)| e)?;
    }
    let mut sections_vars: SectionVars = BTreeMap::new();
    if options.vars {
        for (section, size, name, die, offset, var_size, global) in
            symbols_of_variables(data, &objects[0])?
        {
            let var = converter.variable(0, die, &name, global)?;
            roots.push(var);
            sections_vars
                .entry(section)
                .or_insert((size, Vec::new()))
                .1
                .push((var, offset, var_size));
        }
        converter.run().map_err(|(_, e)| e)?;
    }
    let mut built = finish(converter, &mut roots).map_err(|(_, e)| e)?;
    for (section, (size, mut vars)) in sections_vars {
        vars.sort_by_key(|(_, offset, _)| *offset);
        let entries: Vec<VarSecinfo> = vars
            .iter()
            .map(|(var, offset, var_size)| VarSecinfo {
                type_id: built.ids[*var as usize - 1],
                offset: *offset as u32,
                size: *var_size as u32,
            })
            .collect();
        built.btf.add_datasec(&section, size as u32, &entries);
    }
    Ok(Converted {
        btf: built.btf,
        warnings: built.warnings,
    })
}

struct Finished {
    btf: BtfBuilder,
    ids: Vec<u32>,
    warnings: Vec<String>,
}

/// Aliases out, cycle check, dedup, names, BTF.
/// An error is paired with the index of the object whose DWARF caused it.
fn finish(
    mut converter: Converter<'_, '_>,
    roots: &mut Vec<Ty>,
) -> Result<Finished, (u32, DwarfError)> {
    converter.graph.resolve_aliases();
    for root in roots.iter_mut() {
        *root = converter.graph.unalias(*root);
    }
    // Declaration tags go wherever what they tag goes.
    let reached = dedup::reachable(&converter.graph, roots);
    let mut is_reached = vec![false; converter.graph.nodes.len()];
    for &ty in &reached {
        is_reached[ty as usize - 1] = true;
    }
    for &tag in &converter.decl_tags {
        if let Some(graph::Node::DeclTag { ty, .. }) = converter.graph.get(tag) {
            let target = converter.graph.unalias(*ty);
            if target != VOID && is_reached[target as usize - 1] {
                roots.push(tag);
            }
        }
    }
    let nodes = dedup::reachable(&converter.graph, roots);
    if let Some(ty) = dedup::find_strong_cycle(&converter.graph, &nodes) {
        let (object, die) = converter.origins[ty as usize - 1];
        return Err((
            object,
            DwarfError::Die {
                die,
                msg: "the type contains itself (a cycle of types that passes through no pointer)"
                    .into(),
            },
        ));
    }
    let (partition, order) = dedup::dedup(&mut converter.graph, &mut roots[..]);
    let emitted = emit::emit(&converter.graph, &partition, &order).map_err(|e| (0, e))?;
    Ok(Finished {
        btf: emitted.btf,
        ids: emitted.ids,
        warnings: converter.warnings,
    })
}

type VariableSymbol = (String, u64, String, usize, u64, u64, bool);

/// Global variables with a DWARF description and an ELF symbol in an
/// allocated section: (section, section size, name, DIE, offset, size,
/// global binding).
fn symbols_of_variables(
    data: &[u8],
    object: &ObjectDwarf<'_>,
) -> Result<Vec<VariableSymbol>, DwarfError> {
    use goblin::elf::sym::{STB_GLOBAL, STT_OBJECT};
    let elf = goblin::elf::Elf::parse(data).map_err(|e| DwarfError::Elf(e.to_string()))?;
    let mut out = Vec::new();
    for sym in elf.syms.iter() {
        if sym.st_type() != STT_OBJECT || sym.st_shndx == 0 {
            continue;
        }
        let Some(name) = elf.strtab.get_at(sym.st_name) else {
            continue;
        };
        let Some(named) = object.variables.get(name) else {
            continue;
        };
        let Some(shdr) = elf.section_headers.get(sym.st_shndx) else {
            continue;
        };
        let section = elf
            .shdr_strtab
            .get_at(shdr.sh_name)
            .unwrap_or("")
            .to_string();
        out.push((
            section,
            shdr.sh_size,
            name.to_string(),
            named.die,
            sym.st_value,
            sym.st_size,
            sym.st_bind() == STB_GLOBAL,
        ));
    }
    Ok(out)
}

/// A variable whose type a build asks for: its object and its name (ELF
/// symbol, matched with DW_AT_linkage_name or DW_AT_name).
#[derive(Debug, Clone)]
pub struct VariableRequest {
    pub object: usize,
    pub name: String,
}

/// The BTF of the types of some variables of several objects, deduplicated
/// together, and each variable's type id.
#[derive(Debug, Clone)]
pub struct VariableTypes {
    pub btf: BtfBuilder,
    /// Parallel to the requests.
    pub type_ids: Vec<u32>,
    pub warnings: Vec<String>,
}

/// Converts the types of `requests` (and all they reach, nothing else) from
/// the DWARF of `objects`. Struct, union and enum names starting with
/// `anonymous_prefix` are written anonymous. A variable without DWARF is
/// `Err(DwarfError::Die)` naming it.
pub fn variable_types(
    objects: &[DwarfSections<'_>],
    requests: &[VariableRequest],
    anonymous_prefix: Option<&str>,
) -> Result<VariableTypes, (usize, DwarfError)> {
    let mut opened = Vec::with_capacity(objects.len());
    for (i, sections) in objects.iter().enumerate() {
        opened.push(ObjectDwarf::open(sections).map_err(|e| (i, e))?);
    }
    let mut converter = Converter::new(
        &opened,
        ConvertOptions {
            anonymous_prefix: anonymous_prefix.map(str::to_string),
        },
    );
    let mut roots = Vec::with_capacity(requests.len());
    for request in requests {
        let object = &opened[request.object];
        let Some(named) = object.variables.get(&request.name) else {
            return Err((
                request.object,
                DwarfError::Die {
                    die: 0,
                    msg: format!(
                        "no DWARF describes the variable `{}`; build with debug info",
                        request.name
                    ),
                },
            ));
        };
        let ty = converter
            .variable_type(request.object as u32, named.die)
            .map_err(|e| (request.object, e))?;
        roots.push(ty);
    }
    // Errors name the object whose DWARF is broken (they once all named
    // the first).
    converter.run().map_err(|(o, e)| (o as usize, e))?;
    let root_count = roots.len();
    let finished = finish(converter, &mut roots).map_err(|(o, e)| (o as usize, e))?;
    let type_ids = roots[..root_count]
        .iter()
        .map(|&t| {
            if t == VOID {
                0
            } else {
                finished.ids[t as usize - 1]
            }
        })
        .collect();
    Ok(VariableTypes {
        btf: finished.btf,
        type_ids,
        warnings: finished.warnings,
    })
}
