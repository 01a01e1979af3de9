//! One object's DWARF, opened for random access: every unit parsed once and
//! sorted by offset (a type reference may point into another unit), with
//! an index of named variables and functions and, for Rust units, the
//! module path of each type.

use super::error::DwarfError;
use super::sections::DwarfSections;
use gimli::{AttributeValue, DebugInfoOffset, RunTimeEndian, UnitOffset};
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

pub(crate) type R<'a> = gimli::EndianSlice<'a, RunTimeEndian>;

/// A DIE by its offset in `.debug_info`.
pub(crate) type DieOffset = usize;

pub(crate) struct UnitInfo<'a> {
    pub unit: gimli::Unit<R<'a>>,
    /// Offset of the unit header in `.debug_info`.
    pub start: usize,
    /// End of the unit in `.debug_info`.
    pub end: usize,
    pub rust: bool,
}

/// A named DIE found by the index pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Named {
    pub die: DieOffset,
    /// clang's `__ARRAY_SIZE_TYPE__` base type, which only subranges use
    /// and which BTF replaces with a 4-byte one.
    pub array_index: bool,
}

pub(crate) struct ObjectDwarf<'a> {
    pub dwarf: gimli::Dwarf<R<'a>>,
    pub units: Vec<UnitInfo<'a>>,
    /// Variables by the name of their symbol: DW_AT_linkage_name, or
    /// DW_AT_name for a variable without one (`#[no_mangle]`, C); then, as
    /// a fallback, the DW_AT_name of a variable with a linkage name. (A
    /// Rust `static FOO` has the plain name `FOO` and a mangled linkage
    /// name; a `#[no_mangle]` static of that name elsewhere in the crate is
    /// the one the symbol `FOO` is.)
    pub variables: HashMap<String, Named>,
    /// How well each entry of `variables` matches its key: 2 linkage name,
    /// 1 name without a linkage name, 0 name beside a linkage name. An
    /// entry only replaces one of a lower rank.
    variable_rank: HashMap<String, u8>,
    /// Defined functions (`DW_TAG_subprogram` with code), in DIE order.
    pub functions: Vec<Named>,
    /// Module path of every Rust struct, union, enum and typedef.
    pub rust_paths: HashMap<DieOffset, Rc<str>>,
    /// Every type DIE, in DIE order (for converting a whole object).
    pub type_dies: Vec<Named>,
    pub big_endian: bool,
}

/// The `.debug_info` offset of the entry a failed step of the index walk
/// could not read, `last` being the entry the walk stood on: gimli reads
/// an entry's attributes when it steps past it, so the fault is in those
/// attributes (`last`) or in the next entry's abbreviation code.
fn failing_entry(unit: &gimli::Unit<R<'_>>, start: usize, last: Option<usize>) -> usize {
    let first = start + unit.header.header_size();
    let Some(last) = last else { return first };
    let next = || -> Option<usize> {
        let mut raw = unit.entries_raw(Some(UnitOffset(last - start))).ok()?;
        let abbrev = raw.read_abbreviation().ok()??;
        raw.skip_attributes(abbrev.attributes()).ok()?;
        // Past the null entries that close children lists.
        loop {
            let at = raw.next_offset();
            if raw.is_empty() || !matches!(raw.read_abbreviation(), Ok(None)) {
                return Some(start + at.0);
            }
        }
    };
    next().unwrap_or(last)
}

/// How deep DIEs may nest. Reading a type's children walks its whole
/// subtree, so the conversion costs the DIE count times the depth: real
/// DWARF nests a few dozen deep at most (namespaces, types in types,
/// lexical blocks), and a hostile chain of nested structs would otherwise
/// take quadratic time.
pub(crate) const MAX_DIE_DEPTH: isize = 256;

/// DWARF tags that are types.
#[allow(non_upper_case_globals)] // gimli's DW_* constants
pub(crate) fn is_type_tag(tag: gimli::DwTag) -> bool {
    use gimli::constants::*;
    matches!(
        tag,
        DW_TAG_base_type
            | DW_TAG_pointer_type
            | DW_TAG_reference_type
            | DW_TAG_rvalue_reference_type
            | DW_TAG_const_type
            | DW_TAG_volatile_type
            | DW_TAG_restrict_type
            | DW_TAG_atomic_type
            | DW_TAG_typedef
            | DW_TAG_array_type
            | DW_TAG_structure_type
            | DW_TAG_class_type
            | DW_TAG_union_type
            | DW_TAG_enumeration_type
            | DW_TAG_subroutine_type
            | DW_TAG_unspecified_type
    )
}

impl<'a> ObjectDwarf<'a> {
    pub(crate) fn open(sections: &'a DwarfSections<'a>) -> Result<ObjectDwarf<'a>, DwarfError> {
        if sections.get(".debug_info").is_empty() {
            return Err(DwarfError::NoDwarf);
        }
        let endian = if sections.little_endian {
            RunTimeEndian::Little
        } else {
            RunTimeEndian::Big
        };
        let dwarf = gimli::Dwarf::load(|id| -> Result<R<'a>, gimli::Error> {
            Ok(gimli::EndianSlice::new(sections.get(id.name()), endian))
        })
        .map_err(|e| DwarfError::Unit {
            unit: 0,
            msg: e.to_string(),
        })?;
        let mut object = ObjectDwarf {
            dwarf,
            units: Vec::new(),
            variables: HashMap::default(),
            variable_rank: HashMap::default(),
            functions: Vec::new(),
            rust_paths: HashMap::default(),
            type_dies: Vec::new(),
            big_endian: !sections.little_endian,
        };
        let mut headers = object.dwarf.units();
        loop {
            let header = match headers.next() {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(e) => {
                    return Err(DwarfError::Unit {
                        unit: object.units.last().map_or(0, |u| u.end),
                        msg: e.to_string(),
                    })
                }
            };
            let start = header.offset().as_debug_info_offset().map_or(0, |o| o.0);
            let end = start + header.length_including_self();
            let unit = object.dwarf.unit(header).map_err(|e| DwarfError::Unit {
                unit: start,
                msg: e.to_string(),
            })?;
            let rust = {
                let mut cursor = unit.entries();
                match cursor.next_dfs() {
                    Ok(Some((_, root))) => matches!(
                        root.attr_value(gimli::DW_AT_language),
                        Ok(Some(AttributeValue::Language(gimli::DW_LANG_Rust)))
                    ),
                    _ => false,
                }
            };
            object.units.push(UnitInfo {
                unit,
                start,
                end,
                rust,
            });
        }
        for index in 0..object.units.len() {
            object.index_unit(index)?;
        }
        Ok(object)
    }

    /// Walks one unit once: named variables, functions, type DIEs and the
    /// module path of Rust types.
    fn index_unit(&mut self, index: usize) -> Result<(), DwarfError> {
        let info = &self.units[index];
        let start = info.start;
        let rust = info.rust;
        let die_error = |off: usize, e: gimli::Error| DwarfError::Die {
            die: off,
            msg: e.to_string(),
        };
        let mut variables = Vec::new();
        let mut functions = Vec::new();
        let mut type_dies = Vec::new();
        let mut rust_paths = Vec::new();
        let mut cursor = info.unit.entries();
        // The namespaces enclosing the current entry, with their depth.
        let mut namespaces: Vec<(isize, String)> = Vec::new();
        let mut depth: isize = 0;
        let mut last: Option<usize> = None;
        loop {
            let (delta, entry) = match cursor.next_dfs() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => return Err(die_error(failing_entry(&info.unit, start, last), e)),
            };
            depth += delta;
            let die = start + entry.offset().0;
            last = Some(die);
            if depth > MAX_DIE_DEPTH {
                return Err(DwarfError::Die {
                    die,
                    msg: format!("entries are nested more than {MAX_DIE_DEPTH} deep"),
                });
            }
            while namespaces.last().is_some_and(|(d, _)| *d >= depth) {
                namespaces.pop();
            }
            let tag = entry.tag();
            let name = |attr| -> Option<String> {
                let value = entry.attr_value(attr).ok()??;
                let raw = self.dwarf.attr_string(&info.unit, value).ok()?;
                Some(raw.to_string_lossy().into_owned())
            };
            match tag {
                gimli::DW_TAG_namespace if rust => {
                    namespaces.push((depth, name(gimli::DW_AT_name).unwrap_or_default()));
                }
                gimli::DW_TAG_variable => {
                    let declaration = matches!(
                        entry.attr_value(gimli::DW_AT_declaration),
                        Ok(Some(AttributeValue::Flag(true)))
                    );
                    if !declaration {
                        let named = Named {
                            die,
                            array_index: false,
                        };
                        let linkage = name(gimli::DW_AT_linkage_name);
                        if let Some(n) = name(gimli::DW_AT_name) {
                            variables.push((n, if linkage.is_some() { 0 } else { 1 }, named));
                        }
                        if let Some(n) = linkage {
                            variables.push((n, 2, named));
                        }
                    }
                }
                gimli::DW_TAG_subprogram => {
                    if matches!(entry.attr_value(gimli::DW_AT_low_pc), Ok(Some(_))) {
                        functions.push(Named {
                            die,
                            array_index: false,
                        });
                    }
                }
                _ => {}
            }
            if is_type_tag(tag) {
                let array_index = tag == gimli::DW_TAG_base_type
                    && name(gimli::DW_AT_name).as_deref() == Some("__ARRAY_SIZE_TYPE__");
                type_dies.push(Named { die, array_index });
                if rust
                    && matches!(
                        tag,
                        gimli::DW_TAG_structure_type
                            | gimli::DW_TAG_union_type
                            | gimli::DW_TAG_enumeration_type
                            | gimli::DW_TAG_typedef
                    )
                {
                    let path: Vec<&str> = namespaces.iter().map(|(_, n)| n.as_str()).collect();
                    rust_paths.push((die, Rc::<str>::from(path.join("::"))));
                }
            }
        }
        for (name, rank, named) in variables {
            match self.variable_rank.get(&name) {
                Some(&have) if have >= rank => {}
                _ => {
                    self.variable_rank.insert(name.clone(), rank);
                    self.variables.insert(name, named);
                }
            }
        }
        self.functions.extend(functions);
        self.type_dies.extend(type_dies);
        self.rust_paths.extend(rust_paths);
        Ok(())
    }

    /// The unit holding the DIE at `die`.
    pub(crate) fn unit_of(&self, die: DieOffset) -> Option<usize> {
        let i = self.units.partition_point(|u| u.end <= die);
        (i < self.units.len() && self.units[i].start <= die).then_some(i)
    }

    /// The DIE's offset inside its unit.
    pub(crate) fn unit_offset(&self, unit: usize, die: DieOffset) -> UnitOffset {
        UnitOffset(die - self.units[unit].start)
    }

    /// A DW_AT_type (or other reference) as a `.debug_info` offset.
    pub(crate) fn reference(
        &self,
        unit: usize,
        value: &AttributeValue<R<'a>>,
    ) -> Option<DieOffset> {
        match value {
            // A hostile DW_FORM_ref8 may not fit: usize::MAX is in no unit.
            AttributeValue::UnitRef(o) => Some(self.units[unit].start.saturating_add(o.0)),
            AttributeValue::DebugInfoRef(DebugInfoOffset(o)) => Some(*o),
            _ => None,
        }
    }
}
