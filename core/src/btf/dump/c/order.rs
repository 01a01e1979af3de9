//! Which types to define, and in what order (libbpf's `btf_dump_order_type`).
//!
//! C needs a struct defined before another struct embeds it, but a forward
//! declaration suffices when it is only reached through a pointer. The walk
//! is a depth-first topological sort that tells, for each edge, whether it is
//! *strong* (full definition needed first) or *weak* (a pointer to a named
//! type: a forward declaration will do). Anonymous aggregates are printed
//! inline, so their members' needs pass through to the enclosing type.

use std::io;

use super::state::{type_err, Dumper, Order};
use crate::btf::{Kind, Type};

impl<'b, 'a> Dumper<'b, 'a> {
    /// Notes every type that some other type refers to, and checks on the
    /// way that every referenced id exists, so the later passes can index
    /// their per-type state by any id they meet.
    ///
    /// An anonymous enum nobody refers to is a block of global constants and
    /// is printed on its own; a referenced one is printed inline where used.
    /// Like libbpf, a FUNC_PROTO's return type does not count as a reference.
    pub fn mark_referenced(&mut self) -> io::Result<()> {
        for id in 1..=self.btf.last_id() {
            let t = self.ty(id)?;
            match t.kind() {
                Kind::Int | Kind::Enum | Kind::Enum64 | Kind::Fwd | Kind::Float => {}
                Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::Ptr
                | Kind::Typedef
                | Kind::Func
                | Kind::Var
                | Kind::DeclTag
                | Kind::TypeTag => self.reference(&t, t.type_id())?,
                Kind::Array => {
                    let a = t.array().expect("kind checked");
                    self.reference(&t, a.index_type)?;
                    self.reference(&t, a.elem_type)?;
                }
                Kind::Struct | Kind::Union => {
                    for m in t.members() {
                        self.reference(&t, m.type_id)?;
                    }
                }
                Kind::FuncProto => {
                    self.check_exists(&t, t.type_id())?;
                    for p in t.params() {
                        self.reference(&t, p.type_id)?;
                    }
                }
                Kind::Datasec => {
                    for v in t.datasec_entries() {
                        self.reference(&t, v.type_id)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn reference(&mut self, from: &Type<'a>, id: u32) -> io::Result<()> {
        self.check_exists(from, id)?;
        self.state(id).referenced = true;
        Ok(())
    }

    fn check_exists(&self, from: &Type<'a>, id: u32) -> io::Result<()> {
        if id as usize >= self.states.len() {
            return Err(type_err(
                from.id(),
                format!(
                    "{} refers to type id {id}, which does not exist (last id is {})",
                    from.kind(),
                    self.btf.last_id()
                ),
            ));
        }
        Ok(())
    }

    /// Queues the definitions `id` needs, then `id` itself if it is a named
    /// definition. Returns whether the link leading here is strong.
    pub fn order_type(&mut self, id: u32, through_ptr: bool) -> io::Result<bool> {
        let order = self.state(id).order;
        if order == Order::Ordered {
            return Ok(true);
        }
        let t = self.ty(id)?;
        if order == Order::Ordering {
            // A loop is fine if it passes through a pointer to a named
            // aggregate: a forward declaration breaks it.
            let composite = matches!(t.kind(), Kind::Struct | Kind::Union);
            if composite && through_ptr && t.name_off() != 0 {
                return Ok(false);
            }
            return Err(type_err(
                id,
                "unsatisfiable type cycle (a type embeds itself without a pointer)",
            ));
        }
        self.enter(id)?;
        let strong = self.order_kind(id, &t, through_ptr)?;
        self.leave();
        Ok(strong)
    }

    fn order_kind(&mut self, id: u32, t: &Type<'a>, through_ptr: bool) -> io::Result<bool> {
        match t.kind() {
            Kind::Int | Kind::Float => {
                self.state(id).order = Order::Ordered;
                Ok(false)
            }
            Kind::Ptr => {
                let strong = self.order_type(t.type_id(), true)?;
                self.state(id).order = Order::Ordered;
                Ok(strong)
            }
            Kind::Array => {
                let elem = t.array().expect("kind checked").elem_type;
                self.order_type(elem, false)
            }
            Kind::Struct | Kind::Union => {
                // Through a pointer a named aggregate needs only a forward
                // declaration; an anonymous one is defined inline, so its
                // members are needed wherever it is used.
                if through_ptr && t.name_off() != 0 {
                    return Ok(false);
                }
                self.state(id).order = Order::Ordering;
                for m in t.members() {
                    self.order_type(m.type_id, false)?;
                }
                if t.name_off() != 0 {
                    self.emit_queue.push(id);
                }
                self.state(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Enum | Kind::Enum64 | Kind::Fwd => {
                // Named enums and anonymous ones used nowhere are top-level
                // definitions; anonymous used ones are printed inline.
                if t.name_off() != 0 || !self.state(id).referenced {
                    self.emit_queue.push(id);
                }
                self.state(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Typedef => {
                let strong = self.order_type(t.type_id(), through_ptr)?;
                // Reached through a pointer, a typedef of something that
                // itself only needs a forward declaration can wait.
                if through_ptr && !strong {
                    return Ok(false);
                }
                self.emit_queue.push(id);
                self.state(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.order_type(t.type_id(), through_ptr)
            }
            Kind::FuncProto => {
                let mut strong = self.order_type(t.type_id(), through_ptr)?;
                for p in t.params() {
                    strong |= self.order_type(p.type_id, through_ptr)?;
                }
                Ok(strong)
            }
            Kind::Func | Kind::Var | Kind::Datasec | Kind::DeclTag => {
                self.state(id).order = Order::Ordered;
                Ok(false)
            }
        }
    }
}
