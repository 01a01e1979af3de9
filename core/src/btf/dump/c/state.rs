//! The dumper's working state: per-type bookkeeping, name tables, the
//! output buffer, and the small helpers every pass uses.

use std::collections::HashMap;
use std::fmt::Display;
use std::io;

use super::layout::Layout;
use super::names::NameTable;
use crate::btf::{Btf, BtfError, Type};

/// How deep the type graph may nest (typedef of array of pointer of ...)
/// before we call it a loop. Real C types stay far below; the limit keeps a
/// hostile chain from exhausting the stack.
pub(super) const MAX_DEPTH: u32 = 256;

/// Topological-sort state of one type (libbpf's `order_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Order {
    #[default]
    NotOrdered,
    Ordering,
    Ordered,
}

/// Emission state of one type (libbpf's `emit_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Emit {
    #[default]
    NotEmitted,
    Emitting,
    Emitted,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TypeState {
    pub order: Order,
    pub emit: Emit,
    /// A forward declaration (or, for a typedef, the typedef itself) is out.
    pub fwd_emitted: bool,
    /// The type's unique name has been decided.
    pub name_resolved: bool,
    /// Some other type refers to this one.
    pub referenced: bool,
}

pub(super) struct Dumper<'b, 'a> {
    pub btf: &'b Btf<'a>,
    pub layout: Layout,
    /// Indexed by type id, 0 (void) to the last id, base ids included.
    pub states: Vec<TypeState>,
    /// Names that needed a `___N` suffix, by type id.
    pub renamed: HashMap<u32, Vec<u8>>,
    /// struct, union, enum and fwd tags (C's tag namespace).
    pub type_names: NameTable<'a>,
    /// typedef names and enumerators (C's ordinary identifiers).
    pub ident_names: NameTable<'a>,
    /// Types to define for the current root, in dependency order.
    pub emit_queue: Vec<u32>,
    /// Declarator chains being printed; nested chains stack above outer ones.
    pub decl_stack: Vec<u32>,
    /// Current recursion depth, bounded by `MAX_DEPTH`.
    pub depth: u32,
    pub buf: Vec<u8>,
}

impl<'b, 'a> Dumper<'b, 'a> {
    pub fn new(btf: &'b Btf<'a>) -> io::Result<Dumper<'b, 'a>> {
        let n = btf.last_id() as usize + 1;
        let mut states = vec![TypeState::default(); n];
        // void needs no definition.
        states[0].order = Order::Ordered;
        states[0].emit = Emit::Emitted;
        Ok(Dumper {
            btf,
            layout: Layout::new(btf)?,
            states,
            renamed: HashMap::new(),
            type_names: NameTable::default(),
            ident_names: NameTable::default(),
            emit_queue: Vec::new(),
            decl_stack: Vec::new(),
            depth: 0,
            buf: Vec::with_capacity(1 << 17),
        })
    }

    /// The bookkeeping of type `id`. Every id reaching here was checked to
    /// exist by `mark_referenced` (or is a loop index below `last_id`).
    pub fn state(&mut self, id: u32) -> &mut TypeState {
        &mut self.states[id as usize]
    }

    pub fn ty(&self, id: u32) -> io::Result<Type<'a>> {
        self.btf.type_by_id(id).map_err(btf_err)
    }

    /// The string at `off`, for a name belonging to type `owner`.
    pub fn name_of(&self, owner: u32, off: u32) -> io::Result<&'a [u8]> {
        self.btf
            .str_bytes(off)
            .map_err(|e| type_err(owner, format!("name: {e}")))
    }

    /// Enters one level of recursion on behalf of type `id`.
    pub fn enter(&mut self, id: u32) -> io::Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(type_err(
                id,
                format!("type graph nests deeper than {MAX_DEPTH} levels (reference loop?)"),
            ));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    pub fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn put_num(&mut self, n: impl Display) {
        use std::io::Write;
        // Writing into a Vec cannot fail.
        let _ = write!(self.buf, "{n}");
    }

    /// Indentation: one tab per level, at most 13 (libbpf's cap).
    pub fn indent(&mut self, lvl: usize) {
        const TABS: &[u8] = b"\t\t\t\t\t\t\t\t\t\t\t\t\t";
        self.buf.extend_from_slice(&TABS[..lvl.min(TABS.len())]);
    }
}

/// An error about type `id`.
pub(super) fn type_err(id: u32, msg: impl Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("BTF type [{id}]: {msg}"),
    )
}

pub(super) fn btf_err(e: BtfError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}
