//! DWARF entries to graph nodes.
//!
//! Conversion is driven by a work list, not recursion: a reference to a DIE
//! not seen yet gets a pending node at once and the DIE is read later, so
//! deep or cyclic type graphs (the kernel's) cost no stack.

use super::error::DwarfError;
use super::graph::{Graph, Member, Name, Node, Param, Str, Ty, VOID};
use super::rust::{rust_base_type, RustBase};
use super::units::{DieOffset, ObjectDwarf, R};
use crate::btf::{func_linkage, int_encoding, var_linkage};
use gimli::{AttributeValue, DebuggingInformationEntry};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// Where a node came from: object index and DIE offset.
pub(crate) type Origin = (u32, DieOffset);

/// Conversion options.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConvertOptions {
    /// Structs, unions and enums whose name starts with this are written
    /// anonymous (the macro's hidden definition types, which clang would
    /// have declared as anonymous structs).
    pub anonymous_prefix: Option<String>,
}

pub(crate) struct Converter<'o, 'a> {
    objects: &'o [ObjectDwarf<'a>],
    options: ConvertOptions,
    pub graph: Graph<'a>,
    /// Where each node came from (for errors), parallel to `graph.nodes`.
    pub origins: Vec<Origin>,
    memo: HashMap<Origin, Ty>,
    work: Vec<(Origin, Ty)>,
    /// The `__ARRAY_SIZE_TYPE__` int every array is indexed by, as clang does.
    index_type: Option<Ty>,
    /// Sized unsigned ints for opaque encodings, by size.
    opaque_ints: HashMap<u32, Ty>,
    pub warnings: Vec<String>,
    /// Every DECL_TAG made; each is kept where what it tags is kept.
    pub decl_tags: Vec<Ty>,
}

/// `DW_TAG_LLVM_annotation`: clang's carrier of `btf_decl_tag` and
/// `btf_type_tag` in DWARF.
const DW_TAG_LLVM_ANNOTATION: gimli::DwTag = gimli::DwTag(0x6000);

/// The attributes the converter reads, each found in one pass over the
/// DIE (gimli's `attr_value` would walk the attribute list once per call).
const WANTED: [gimli::DwAt; 15] = [
    gimli::DW_AT_name,
    gimli::DW_AT_type,
    gimli::DW_AT_byte_size,
    gimli::DW_AT_encoding,
    gimli::DW_AT_declaration,
    gimli::DW_AT_external,
    gimli::DW_AT_data_member_location,
    gimli::DW_AT_data_bit_offset,
    gimli::DW_AT_bit_offset,
    gimli::DW_AT_bit_size,
    gimli::DW_AT_count,
    gimli::DW_AT_upper_bound,
    gimli::DW_AT_lower_bound,
    gimli::DW_AT_const_value,
    gimli::DW_AT_alignment,
];

#[inline(always)]
fn wanted_slot(at: gimli::DwAt) -> Option<usize> {
    // The common attributes first: this runs for every attribute read.
    match at {
        gimli::DW_AT_name => Some(0),
        gimli::DW_AT_type => Some(1),
        gimli::DW_AT_byte_size => Some(2),
        gimli::DW_AT_data_member_location => Some(6),
        gimli::DW_AT_decl_file | gimli::DW_AT_decl_line | gimli::DW_AT_decl_column => None,
        other => WANTED.iter().position(|w| *w == other),
    }
}

/// One DIE with the attributes the converter reads.
struct Die<'x, 'a> {
    object: &'x ObjectDwarf<'a>,
    object_index: u32,
    unit: usize,
    offset: DieOffset,
    unit_offset: gimli::UnitOffset,
    tag: gimli::DwTag,
    has_children: bool,
    attrs: [Option<AttributeValue<R<'a>>>; WANTED.len()],
}

fn read_die<'x, 'a>(
    object: &'x ObjectDwarf<'a>,
    object_index: u32,
    unit: usize,
    entry: &DebuggingInformationEntry<'_, '_, R<'a>>,
) -> Result<Die<'x, 'a>, DwarfError> {
    let offset = object.units[unit].start + entry.offset().0;
    let mut attrs: [Option<AttributeValue<R<'a>>>; WANTED.len()] = Default::default();
    let mut iter = entry.attrs();
    loop {
        match iter.next() {
            Ok(Some(attr)) => {
                if let Some(slot) = wanted_slot(attr.name()) {
                    attrs[slot] = Some(attr.value());
                }
            }
            Ok(None) => break,
            Err(e) => {
                return Err(DwarfError::Die {
                    die: offset,
                    msg: e.to_string(),
                })
            }
        }
    }
    Ok(Die {
        object,
        object_index,
        unit,
        offset,
        unit_offset: entry.offset(),
        tag: entry.tag(),
        has_children: entry.has_children(),
        attrs,
    })
}

impl<'x, 'a> Die<'x, 'a> {
    fn error(&self, msg: impl Into<String>) -> DwarfError {
        DwarfError::Die {
            die: self.offset,
            msg: msg.into(),
        }
    }

    #[inline(always)]
    fn attr(&self, at: gimli::DwAt) -> Result<Option<AttributeValue<R<'a>>>, DwarfError> {
        // Only WANTED attributes are kept; asking for another is a bug here.
        debug_assert!(wanted_slot(at).is_some(), "{at} is not in WANTED");
        Ok(wanted_slot(at).and_then(|slot| self.attrs[slot]))
    }

    fn flag(&self, at: gimli::DwAt) -> Result<bool, DwarfError> {
        Ok(matches!(self.attr(at)?, Some(AttributeValue::Flag(true))))
    }

    fn string(&self, at: gimli::DwAt) -> Result<Option<Cow<'a, str>>, DwarfError> {
        let Some(value) = self.attr(at)? else {
            return Ok(None);
        };
        let raw = self
            .object
            .dwarf
            .attr_string(&self.object.units[self.unit].unit, value)
            .map_err(|e| self.error(format!("{at}: {e}")))?;
        // Names are nearly always ASCII: `from_utf8` checks that fast; only
        // broken bytes take the replacing path.
        let bytes = raw.slice();
        Ok(Some(match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        }))
    }

    fn name(&self) -> Result<Cow<'a, str>, DwarfError> {
        Ok(self.string(gimli::DW_AT_name)?.unwrap_or(Cow::Borrowed("")))
    }

    fn udata(&self, at: gimli::DwAt) -> Result<Option<u64>, DwarfError> {
        match self.attr(at)? {
            None => Ok(None),
            Some(v) => v
                .udata_value()
                .map(Some)
                .ok_or_else(|| self.error(format!("{at} is not an unsigned constant ({v:?})"))),
        }
    }

    /// DW_AT_byte_size as a BTF size (32 bits).
    fn size(&self) -> Result<Option<u32>, DwarfError> {
        match self.udata(gimli::DW_AT_byte_size)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| self.error(format!("byte size {n} does not fit BTF's 32 bits"))),
        }
    }

    /// The DIE's DW_AT_type, `None` for void.
    fn type_ref(&self) -> Result<Option<DieOffset>, DwarfError> {
        match self.attr(gimli::DW_AT_type)? {
            None => Ok(None),
            Some(v) => {
                let at = self
                    .object
                    .reference(self.unit, &v)
                    .ok_or_else(|| self.error(format!("DW_AT_type is not a reference ({v:?})")))?;
                // Named here, at the DIE that holds the reference, rather
                // than later at an offset where there is nothing.
                if self.object.unit_of(at).is_none() {
                    return Err(self.error(format!(
                        "DW_AT_type points at .debug_info+{at:#x}, outside every unit"
                    )));
                }
                Ok(Some(at))
            }
        }
    }

    fn rust(&self) -> bool {
        self.object.units[self.unit].rust
    }
}

impl<'o, 'a> Converter<'o, 'a> {
    pub(crate) fn new(objects: &'o [ObjectDwarf<'a>], options: ConvertOptions) -> Self {
        Converter {
            objects,
            options,
            graph: Graph::default(),
            origins: Vec::new(),
            memo: HashMap::with_capacity_and_hasher(
                objects.iter().map(|o| o.type_dies.len()).sum(),
                Default::default(),
            ),
            work: Vec::new(),
            index_type: None,
            opaque_ints: HashMap::default(),
            warnings: Vec::new(),
            decl_tags: Vec::new(),
        }
    }

    fn push(&mut self, node: Node, origin: Origin) -> Ty {
        self.origins.push(origin);
        self.graph.push(node)
    }

    /// The node of the type DIE at `die` of object `object`, converted now
    /// or later by [`Converter::run`].
    pub(crate) fn type_at(&mut self, object: u32, die: DieOffset) -> Ty {
        if let Some(ty) = self.memo.get(&(object, die)) {
            return *ty;
        }
        let ty = self.push(Node::Pending, (object, die));
        self.memo.insert((object, die), ty);
        self.work.push(((object, die), ty));
        ty
    }

    fn type_or_void(&mut self, object: u32, die: Option<DieOffset>) -> Ty {
        die.map_or(VOID, |d| self.type_at(object, d))
    }

    /// Converts every DIE still pending; an error comes with the index of
    /// the object whose DIE it is.
    pub(crate) fn run(&mut self) -> Result<(), (u32, DwarfError)> {
        while let Some(((object, die), ty)) = self.work.pop() {
            let node = self.convert(object, die).map_err(|e| (object, e))?;
            self.graph.set(ty, node);
        }
        Ok(())
    }

    fn open(&self, object: u32, die: DieOffset) -> Result<Die<'o, 'a>, DwarfError> {
        let obj = &self.objects[object as usize];
        let unit = obj.unit_of(die).ok_or(DwarfError::Die {
            die,
            msg: "a reference points outside every unit".into(),
        })?;
        let entry = obj.units[unit]
            .unit
            .entry(obj.unit_offset(unit, die))
            .map_err(|e| DwarfError::Die {
                die,
                msg: e.to_string(),
            })?;
        read_die(obj, object, unit, &entry)
    }

    /// Calls `f` with each child of a DIE, in order, read in one walk (no
    /// list of children is built: a DIE is large, and most are members).
    fn for_each_child(
        &mut self,
        d: &Die<'o, 'a>,
        mut f: impl FnMut(&mut Self, &Die<'o, 'a>) -> Result<(), DwarfError>,
    ) -> Result<(), DwarfError> {
        if !d.has_children {
            return Ok(());
        }
        let object: &'o ObjectDwarf<'a> = d.object;
        let info = &object.units[d.unit];
        let mut tree = info
            .unit
            .entries_tree(Some(d.unit_offset))
            .map_err(|e| d.error(e.to_string()))?;
        let root = tree.root().map_err(|e| d.error(e.to_string()))?;
        let mut children = root.children();
        while let Some(child) = children.next().map_err(|e| d.error(e.to_string()))? {
            let die = read_die(object, d.object_index, d.unit, child.entry())?;
            f(self, &die)?;
        }
        Ok(())
    }

    fn intern(&mut self, s: Cow<'a, str>) -> Str {
        self.graph.strings.intern(s)
    }

    fn name_of(&mut self, d: &Die<'o, 'a>) -> Result<Name, DwarfError> {
        let text = d.name()?;
        if let Some(prefix) = &self.options.anonymous_prefix {
            if text.starts_with(prefix.as_str()) {
                return Ok(Name::anonymous());
            }
        }
        let rust_path = if d.rust() {
            let path = d
                .object
                .rust_paths
                .get(&d.offset)
                .map_or("", |p| p.as_ref());
            Some(self.intern(Cow::Owned(path.to_string())))
        } else {
            None
        };
        let text = self.intern(text);
        Ok(Name { text, rust_path })
    }

    #[allow(non_upper_case_globals)] // gimli's DW_* constants
    fn convert(&mut self, object: u32, die: DieOffset) -> Result<Node, DwarfError> {
        let d = self.open(object, die)?;
        use gimli::constants::*;
        let target = |c: &mut Self, d: &Die<'o, 'a>| -> Result<Ty, DwarfError> {
            let t = d.type_ref()?;
            Ok(c.type_or_void(object, t))
        };
        Ok(match d.tag {
            DW_TAG_base_type => self.base_type(&d)?,
            DW_TAG_pointer_type
            | DW_TAG_reference_type
            | DW_TAG_rvalue_reference_type
            | DW_TAG_ptr_to_member_type => {
                let mut ty = target(self, &d)?;
                // clang: the first annotation is nearest the pointee.
                for value in self.annotations(&d, "btf_type_tag")? {
                    ty = self.push(Node::TypeTag { value, ty }, (object, die));
                }
                Node::Ptr(ty)
            }
            // gcc qualifies an array of const elements a second time
            // (`const (const int[3])`); C says the two are one type, and
            // clang writes only the elements' qualifier.
            DW_TAG_const_type | DW_TAG_volatile_type if self.qualifies_array(&d)? => {
                Node::Alias(target(self, &d)?)
            }
            DW_TAG_const_type => Node::Const(target(self, &d)?),
            DW_TAG_volatile_type => Node::Volatile(target(self, &d)?),
            DW_TAG_restrict_type => Node::Restrict(target(self, &d)?),
            // Qualifiers BTF has no kind for: the type itself.
            DW_TAG_atomic_type
            | DW_TAG_immutable_type
            | DW_TAG_packed_type
            | DW_TAG_shared_type => Node::Alias(target(self, &d)?),
            DW_TAG_unspecified_type => Node::Alias(VOID),
            DW_TAG_typedef => {
                let name = self.name_of(&d)?;
                let ty = target(self, &d)?;
                if name.is_anonymous() {
                    Node::Alias(ty)
                } else {
                    let tags = self.annotations(&d, "btf_decl_tag")?;
                    self.tag_later(object, die, tags, -1);
                    Node::Typedef { name, ty }
                }
            }
            DW_TAG_array_type => self.array(object, &d)?,
            DW_TAG_structure_type | DW_TAG_class_type | DW_TAG_union_type => {
                self.composite(object, &d)?
            }
            DW_TAG_enumeration_type => self.enumeration(object, &d)?,
            DW_TAG_subroutine_type => self.prototype(object, &d)?,
            other => {
                // Types of other languages (strings, sets, ...): an opaque
                // blob of their size keeps the layout around them.
                let size = d.size()?.unwrap_or(0);
                self.warnings.push(format!(
                    "DIE {die:#x}: {other} has no BTF equivalent; written as {size} opaque bytes"
                ));
                self.opaque_struct(Name::anonymous(), size, 1)
            }
        })
    }

    /// Whether a qualifier applies to an array type.
    fn qualifies_array(&self, d: &Die<'o, 'a>) -> Result<bool, DwarfError> {
        match d.type_ref()? {
            Some(t) => Ok(self.open(d.object_index, t)?.tag == gimli::DW_TAG_array_type),
            None => Ok(false),
        }
    }

    fn base_type(&mut self, d: &Die<'o, 'a>) -> Result<Node, DwarfError> {
        let name = d.name()?;
        let size = d.size()?.unwrap_or(0);
        let encoding = match d.attr(gimli::DW_AT_encoding)? {
            Some(AttributeValue::Encoding(e)) => e,
            _ => gimli::DW_ATE_unsigned,
        };
        if d.rust() {
            match rust_base_type(&name, size, encoding) {
                RustBase::Int { name, encoding } => {
                    let name = self.intern(Cow::Borrowed(name));
                    return Ok(Node::Int {
                        name,
                        size,
                        encoding,
                    });
                }
                RustBase::Float(name) => {
                    let name = self.intern(Cow::Borrowed(name));
                    return Ok(Node::Float { name, size });
                }
                RustBase::Char => {
                    self.warnings.push(format!(
                        "DIE {:#x}: Rust `char` is written as `unsigned int` (BTF has no Unicode scalar type)",
                        d.offset
                    ));
                    let name = self.intern(Cow::Borrowed("unsigned int"));
                    return Ok(Node::Int {
                        name,
                        size,
                        encoding: 0,
                    });
                }
                RustBase::Unit => {
                    let text = self.intern(Cow::Borrowed("unit"));
                    let path = self.intern(Cow::Borrowed(""));
                    return Ok(Node::Struct {
                        name: Name {
                            text,
                            rust_path: Some(path),
                        },
                        size: 0,
                        members: Vec::new(),
                    });
                }
                RustBase::Other => {}
            }
        }
        if size == 0 || size > 16 {
            return Err(d.error(format!("base type `{name}` of {size} bytes")));
        }
        let shown = name.to_string();
        let name = self.intern(name);
        Ok(match encoding {
            gimli::DW_ATE_float => Node::Float { name, size },
            gimli::DW_ATE_boolean => Node::Int {
                name,
                size,
                encoding: int_encoding::BOOL,
            },
            // clang's BTF: signed and signed char are SIGNED, the rest plain.
            gimli::DW_ATE_signed | gimli::DW_ATE_signed_char => Node::Int {
                name,
                size,
                encoding: int_encoding::SIGNED,
            },
            gimli::DW_ATE_complex_float => {
                self.warnings.push(format!(
                    "DIE {:#x}: complex `{shown}` is written as {size} opaque bytes (BTF has no complex type)",
                    d.offset
                ));
                self.opaque_struct(Name::plain(name), size, size / 2)
            }
            _ => Node::Int {
                name,
                size,
                encoding: 0,
            },
        })
    }

    /// `__ARRAY_SIZE_TYPE__`, clang's index type for every array.
    fn index_type(&mut self, origin: Origin) -> Ty {
        if let Some(t) = self.index_type {
            return t;
        }
        let name = self.intern(Cow::Borrowed("__ARRAY_SIZE_TYPE__"));
        let t = self.push(
            Node::Int {
                name,
                size: 4,
                encoding: 0,
            },
            origin,
        );
        self.index_type = Some(t);
        t
    }

    fn array(&mut self, object: u32, d: &Die<'o, 'a>) -> Result<Node, DwarfError> {
        let elem = d.type_ref()?;
        let elem = self.type_or_void(object, elem);
        let mut dims = Vec::new();
        self.for_each_child(d, |_, sub| {
            let tag = sub.tag;
            if tag != gimli::DW_TAG_subrange_type && tag != gimli::DW_TAG_enumeration_type {
                return Ok(());
            }
            let count = match sub.udata(gimli::DW_AT_count) {
                Ok(Some(n)) => Some(n),
                // A count given by an expression or variable: unknown.
                Err(_) => None,
                Ok(None) => match sub.attr(gimli::DW_AT_upper_bound)? {
                    Some(v) => {
                        let lower = sub
                            .udata(gimli::DW_AT_lower_bound)
                            .ok()
                            .flatten()
                            .unwrap_or(0);
                        match (v.udata_value(), v.sdata_value()) {
                            // A `[]` of size -1 (gcc's flexible array).
                            (_, Some(-1)) => Some(0),
                            // A hostile upper bound of u64::MAX counts too
                            // many elements, not zero.
                            (Some(upper), _) => Some(upper.saturating_add(1).saturating_sub(lower)),
                            _ => None,
                        }
                    }
                    None => Some(0),
                },
            };
            let count = count.unwrap_or(0);
            let nelems = u32::try_from(count).map_err(|_| {
                sub.error(format!(
                    "array of {count} elements does not fit BTF's 32-bit count"
                ))
            })?;
            dims.push(nelems);
            Ok(())
        })?;
        if dims.is_empty() {
            dims.push(0);
        }
        let index = self.index_type((object, d.offset));
        // `int a[2][3]` is an array of 2 arrays of 3 ints: the last
        // subrange is innermost.
        let mut inner = elem;
        for &nelems in dims[1..].iter().rev() {
            inner = self.push(
                Node::Array {
                    elem: inner,
                    index,
                    nelems,
                },
                (object, d.offset),
            );
        }
        Ok(Node::Array {
            elem: inner,
            index,
            nelems: dims[0],
        })
    }

    /// A struct of `size` bytes whose only member is an array of unsigned
    /// ints of `align` bytes: same size and alignment, contents unknown.
    fn opaque_struct(&mut self, name: Name, size: u32, align: u32) -> Node {
        let align = match align {
            1 | 2 | 4 | 8 | 16 if size % align == 0 => align,
            _ => 1,
        };
        if size == 0 {
            return Node::Struct {
                name,
                size,
                members: Vec::new(),
            };
        }
        let origin = self.origins.last().copied().unwrap_or((0, 0));
        let elem = match self.opaque_ints.get(&align) {
            Some(t) => *t,
            None => {
                let int_name = match align {
                    1 => "unsigned char",
                    2 => "unsigned short",
                    4 => "unsigned int",
                    8 => "unsigned long long",
                    _ => "unsigned __int128",
                };
                let name = self.intern(Cow::Borrowed(int_name));
                let t = self.push(
                    Node::Int {
                        name,
                        size: align,
                        encoding: 0,
                    },
                    origin,
                );
                self.opaque_ints.insert(align, t);
                t
            }
        };
        let index = self.index_type(origin);
        let array = self.push(
            Node::Array {
                elem,
                index,
                nelems: size / align,
            },
            origin,
        );
        let opaque = self.intern(Cow::Borrowed("__opaque"));
        Node::Struct {
            name,
            size,
            members: vec![Member {
                name: opaque,
                ty: array,
                bit_offset: 0,
                bitfield_size: 0,
            }],
        }
    }

    fn composite(&mut self, object: u32, d: &Die<'o, 'a>) -> Result<Node, DwarfError> {
        let union = d.tag == gimli::DW_TAG_union_type;
        let name = self.name_of(d)?;
        if d.flag(gimli::DW_AT_declaration)? {
            return Ok(Node::Fwd { name, union });
        }
        let size = d.size()?.unwrap_or(0);
        let mut members = Vec::new();
        let mut tags = Vec::new();
        let mut data_enum = false;
        self.for_each_child(d, |c, m| {
            match m.tag {
                gimli::DW_TAG_variant_part => data_enum = true,
                DW_TAG_LLVM_ANNOTATION => {
                    if let Some(value) = c.annotation(m, "btf_decl_tag")? {
                        tags.push(value);
                    }
                }
                gimli::DW_TAG_member | gimli::DW_TAG_inheritance => {
                    // Static members are variables, not part of the layout.
                    if m.flag(gimli::DW_AT_external)? || m.flag(gimli::DW_AT_declaration)? {
                        return Ok(());
                    }
                    let member_tags = c.annotations(m, "btf_decl_tag")?;
                    c.tag_later(object, d.offset, member_tags, members.len() as i32);
                    members.push(c.member(object, m)?);
                }
                _ => {}
            }
            Ok(())
        })?;
        if data_enum {
            // An uninhabited or otherwise zero-sized enum (`enum Never {}`)
            // holds nothing: an empty struct says all there is.
            if size == 0 {
                return Ok(self.opaque_struct(name, 0, 1));
            }
            let align = d.udata(gimli::DW_AT_alignment)?.unwrap_or(1);
            self.warnings.push(format!(
                "DIE {:#x}: Rust enum `{}` carries data; written as {size} opaque bytes aligned to {align} (BTF has no tagged union)",
                d.offset,
                qualified(&self.graph.strings, &name)
            ));
            return Ok(self.opaque_struct(name, size, align.min(16) as u32));
        }
        self.tag_later(object, d.offset, tags, -1);
        if union {
            Ok(Node::Union {
                name,
                size,
                members,
            })
        } else {
            // The kernel wants member offsets in order; Rust lays fields out
            // in its own order but describes them in declaration order.
            members.sort_by_key(|m| m.bit_offset);
            Ok(Node::Struct {
                name,
                size,
                members,
            })
        }
    }

    fn member(&mut self, object: u32, m: &Die<'o, 'a>) -> Result<Member, DwarfError> {
        let name = m.name()?;
        let name = self.intern(name);
        let type_die = m.type_ref()?;
        let ty = self.type_or_void(object, type_die);
        let bit_size = m.udata(gimli::DW_AT_bit_size)?;
        let byte_offset = match m.attr(gimli::DW_AT_data_member_location)? {
            None => None,
            Some(AttributeValue::Exprloc(expr)) => {
                let encoding = m.object.units[m.unit].unit.encoding();
                let mut ops = expr.operations(encoding);
                match ops.next() {
                    Ok(Some(gimli::Operation::PlusConstant { value }))
                    | Ok(Some(gimli::Operation::UnsignedConstant { value })) => Some(value),
                    _ => {
                        return Err(m.error(
                            "member location is an expression other than DW_OP_plus_uconst",
                        ))
                    }
                }
            }
            Some(v) => Some(
                v.udata_value()
                    .ok_or_else(|| m.error(format!("member location is not a constant ({v:?})")))?,
            ),
        };
        let bit_offset = if let Some(bits) = m.udata(gimli::DW_AT_data_bit_offset)? {
            bits
        } else {
            let base = byte_offset.unwrap_or(0).saturating_mul(8);
            match (m.udata(gimli::DW_AT_bit_offset)?, bit_size) {
                // DWARF 2/3 bitfields count from the storage unit's most
                // significant bit.
                (Some(from_msb), Some(bits)) => {
                    let storage = match m.udata(gimli::DW_AT_byte_size)? {
                        Some(s) => s,
                        None => self.byte_size_of(object, type_die)?,
                    };
                    let bit = if m.object.big_endian {
                        base.checked_add(from_msb)
                    } else {
                        storage
                            .checked_mul(8)
                            .and_then(|s| base.checked_add(s))
                            .zip(from_msb.checked_add(bits))
                            .and_then(|(end, used)| end.checked_sub(used))
                    };
                    bit.ok_or_else(|| {
                        m.error(format!(
                            "bitfield of {bits} bits at bit {from_msb} of a {storage}-byte storage unit at byte {} lies outside it",
                            byte_offset.unwrap_or(0)
                        ))
                    })?
                }
                _ => base,
            }
        };
        let bit_offset = u32::try_from(bit_offset).map_err(|_| {
            m.error(format!(
                "member bit offset {bit_offset} does not fit 32 bits"
            ))
        })?;
        let bitfield_size = match bit_size {
            None => 0,
            Some(n) => u8::try_from(n)
                .ok()
                .filter(|n| *n <= 128)
                .ok_or_else(|| m.error(format!("bitfield of {n} bits")))?,
        };
        Ok(Member {
            name,
            ty,
            bit_offset,
            bitfield_size,
        })
    }

    /// The values of the DIE's `DW_TAG_LLVM_annotation` children named
    /// `kind` (`btf_decl_tag` or `btf_type_tag`), in DIE order.
    fn annotations(&mut self, d: &Die<'o, 'a>, kind: &str) -> Result<Vec<Str>, DwarfError> {
        if !d.has_children {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        self.for_each_child(d, |c, a| {
            if a.tag == DW_TAG_LLVM_ANNOTATION {
                out.extend(c.annotation(a, kind)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The value of one `DW_TAG_LLVM_annotation` DIE if it is of `kind`.
    fn annotation(&mut self, a: &Die<'o, 'a>, kind: &str) -> Result<Option<Str>, DwarfError> {
        if a.name()? != kind {
            return Ok(None);
        }
        let value = a.string(gimli::DW_AT_const_value)?.unwrap_or_default();
        Ok(Some(self.intern(value)))
    }

    /// DECL_TAGs on the type of the DIE at `die` (converted or not yet).
    fn tag_later(&mut self, object: u32, die: DieOffset, values: Vec<Str>, component: i32) {
        if values.is_empty() {
            return;
        }
        let ty = self.type_at(object, die);
        for value in values {
            let tag = self.push(
                Node::DeclTag {
                    value,
                    ty,
                    component,
                },
                (object, die),
            );
            self.decl_tags.push(tag);
        }
    }

    /// The byte size of a type DIE, through typedefs and qualifiers.
    fn byte_size_of(&self, object: u32, mut die: Option<DieOffset>) -> Result<u64, DwarfError> {
        for _ in 0..32 {
            let Some(at) = die else { break };
            let d = self.open(object, at)?;
            if let Some(size) = d.udata(gimli::DW_AT_byte_size)? {
                return Ok(size);
            }
            die = d.type_ref()?;
        }
        Err(DwarfError::Die {
            die: die.unwrap_or(0),
            msg: "a bitfield's type has no size".into(),
        })
    }

    fn enumeration(&mut self, object: u32, d: &Die<'o, 'a>) -> Result<Node, DwarfError> {
        let name = self.name_of(d)?;
        let size = d.size()?.unwrap_or(4);
        let underlying_signed = match d.type_ref()? {
            Some(t) => self.is_signed(object, t)?,
            None => false,
        };
        // Checked before the enumerators are read: rustc writes the values
        // of a 128-bit enum as 16-byte blocks, which are no constants.
        if size > 8 {
            self.warnings.push(format!(
                "DIE {:#x}: enum `{}` of {size} bytes is written as opaque bytes (BTF enums hold at most 64 bits)",
                d.offset,
                qualified(&self.graph.strings, &name)
            ));
            return Ok(self.opaque_struct(name, size, size.min(16)));
        }
        let mut values = Vec::new();
        let mut negative = false;
        self.for_each_child(d, |c, e| {
            if e.tag != gimli::DW_TAG_enumerator {
                return Ok(());
            }
            let value = match e.attr(gimli::DW_AT_const_value)? {
                Some(AttributeValue::Sdata(v)) => {
                    negative |= v < 0;
                    v as u64
                }
                Some(AttributeValue::Udata(v)) => v,
                Some(AttributeValue::Data1(v)) if underlying_signed => v as i8 as i64 as u64,
                Some(AttributeValue::Data2(v)) if underlying_signed => v as i16 as i64 as u64,
                Some(AttributeValue::Data4(v)) if underlying_signed => v as i32 as i64 as u64,
                Some(v) => v.udata_value().ok_or_else(|| {
                    e.error(format!("enumerator value is not a constant ({v:?})"))
                })?,
                None => return Err(e.error("enumerator without a value")),
            };
            let name = e.name()?;
            values.push((c.intern(name), value));
            Ok(())
        })?;
        Ok(Node::Enum {
            name,
            size,
            signed: underlying_signed || negative,
            values,
        })
    }

    fn is_signed(&self, object: u32, mut die: DieOffset) -> Result<bool, DwarfError> {
        for _ in 0..32 {
            let d = self.open(object, die)?;
            if d.tag == gimli::DW_TAG_base_type {
                return Ok(matches!(
                    d.attr(gimli::DW_AT_encoding)?,
                    Some(AttributeValue::Encoding(
                        gimli::DW_ATE_signed | gimli::DW_ATE_signed_char
                    ))
                ));
            }
            match d.type_ref()? {
                Some(next) => die = next,
                None => break,
            }
        }
        Ok(false)
    }

    fn prototype(&mut self, object: u32, d: &Die<'o, 'a>) -> Result<Node, DwarfError> {
        let ret = d.type_ref()?;
        let ret = self.type_or_void(object, ret);
        let mut params = Vec::new();
        self.for_each_child(d, |c, p| {
            match p.tag {
                gimli::DW_TAG_formal_parameter => {
                    let ty = p.type_ref()?;
                    let name = p.name()?;
                    params.push(Param {
                        name: c.intern(name),
                        ty: c.type_or_void(object, ty),
                    });
                }
                gimli::DW_TAG_unspecified_parameters => params.push(Param { name: 0, ty: VOID }),
                _ => {}
            }
            Ok(())
        })?;
        Ok(Node::FuncProto { ret, params })
    }

    /// A FUNC for the function DIE at `die`, with its prototype.
    pub(crate) fn function(
        &mut self,
        object: u32,
        die: DieOffset,
    ) -> Result<Option<Ty>, DwarfError> {
        let d = self.open(object, die)?;
        let name = d.name()?;
        if name.is_empty() {
            return Ok(None);
        }
        let name = self.intern(name);
        let linkage = if d.flag(gimli::DW_AT_external)? {
            func_linkage::GLOBAL
        } else {
            func_linkage::STATIC
        };
        let proto = self.prototype(object, &d)?;
        let proto = self.push(proto, (object, die));
        let func = self.push(
            Node::Func {
                name,
                proto,
                linkage,
            },
            (object, die),
        );
        let mut tags: Vec<(Str, i32)> = self
            .annotations(&d, "btf_decl_tag")?
            .into_iter()
            .map(|v| (v, -1))
            .collect();
        let mut index = 0;
        self.for_each_child(&d, |c, p| {
            if p.tag == gimli::DW_TAG_formal_parameter {
                for value in c.annotations(p, "btf_decl_tag")? {
                    tags.push((value, index));
                }
                index += 1;
            }
            Ok(())
        })?;
        for (value, component) in tags {
            let tag = self.push(
                Node::DeclTag {
                    value,
                    ty: func,
                    component,
                },
                (object, die),
            );
            self.decl_tags.push(tag);
        }
        Ok(Some(func))
    }

    /// A VAR named `name` for the variable DIE at `die`.
    pub(crate) fn variable(
        &mut self,
        object: u32,
        die: DieOffset,
        name: &str,
        global: bool,
    ) -> Result<Ty, DwarfError> {
        let d = self.open(object, die)?;
        let ty = d.type_ref()?;
        let ty = self.type_or_void(object, ty);
        let linkage = if global {
            var_linkage::GLOBAL_ALLOCATED
        } else {
            var_linkage::STATIC
        };
        let name = self.intern(Cow::Owned(name.to_string()));
        let var = self.push(Node::Var { name, ty, linkage }, (object, die));
        for value in self.annotations(&d, "btf_decl_tag")? {
            let tag = self.push(
                Node::DeclTag {
                    value,
                    ty: var,
                    component: -1,
                },
                (object, die),
            );
            self.decl_tags.push(tag);
        }
        Ok(var)
    }

    /// The type node of a variable DIE.
    pub(crate) fn variable_type(&mut self, object: u32, die: DieOffset) -> Result<Ty, DwarfError> {
        let d = self.open(object, die)?;
        let ty = d.type_ref()?;
        Ok(self.type_or_void(object, ty))
    }
}

/// `path::Name` of a Rust type, or its plain name.
pub(crate) fn qualified(strings: &super::graph::Strings<'_>, name: &Name) -> String {
    let text = strings.get(name.text);
    match name.rust_path.map(|p| strings.get(p)) {
        Some(path) if !path.is_empty() => format!("{path}::{text}"),
        _ => text.to_string(),
    }
}
