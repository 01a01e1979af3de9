//! C declarators (libbpf's `btf_dump_emit_type_decl`/`emit_type_chain`).
//!
//! BTF spells `const int *(*f[2])(void)` as a chain from the outside in:
//! ARRAY -> PTR -> FUNC_PROTO -> PTR -> CONST -> INT. C wants the innermost
//! type first, qualifiers of non-pointers to their left, of pointers to
//! their right, and parentheses where an array or function binds around a
//! pointer. The chain is pushed onto a stack down to its terminal type
//! (int, struct, typedef, ...) and printed while popping; arrays and
//! function prototypes recurse for the part of the chain that lies inside
//! them. Anonymous structs, unions and enums met as terminals are defined
//! inline.

use std::io;

use super::state::{type_err, Dumper, MAX_DEPTH};
use crate::btf::{Kind, Type};

/// A chain's slice of the shared declarator stack: entries
/// `start..start + len`; the top of the chain is the last entry.
struct Frame {
    start: usize,
    len: usize,
}

impl<'b, 'a> Dumper<'b, 'a> {
    /// Prints type `id` declaring `fname` (which may be empty).
    pub fn emit_type_decl(&mut self, id: u32, fname: &[u8], lvl: usize) -> io::Result<()> {
        let start = self.decl_stack.len();
        let mut id = id;
        loop {
            if self.decl_stack.len() - start > MAX_DEPTH as usize {
                return Err(type_err(
                    id,
                    format!("declarator chain longer than {MAX_DEPTH} types (reference loop?)"),
                ));
            }
            self.decl_stack.push(id);
            if id == 0 {
                break;
            }
            let t = self.ty(id)?;
            id = match t.kind() {
                Kind::Ptr
                | Kind::Volatile
                | Kind::Const
                | Kind::Restrict
                | Kind::FuncProto
                | Kind::TypeTag => t.type_id(),
                Kind::Array => t.array().expect("kind checked").elem_type,
                // Terminal types; FUNC, VAR, DATASEC and DECL_TAG cannot
                // appear in a declarator and end the chain too (libbpf warns
                // and prints what it can).
                _ => break,
            };
        }
        let mut frame = Frame {
            start,
            len: self.decl_stack.len() - start,
        };
        self.enter(id)?;
        let result = self.emit_type_chain(&mut frame, fname, lvl);
        self.leave();
        self.decl_stack.truncate(start);
        result
    }

    fn top(&self, frame: &Frame) -> Option<u32> {
        (frame.len > 0).then(|| self.decl_stack[frame.start + frame.len - 1])
    }

    fn pop(&mut self, frame: &mut Frame) -> Option<u32> {
        let id = self.top(frame)?;
        frame.len -= 1;
        Some(id)
    }

    fn top_kind(&self, frame: &Frame) -> io::Result<Option<Kind>> {
        match self.top(frame) {
            None | Some(0) => Ok(None),
            Some(id) => Ok(Some(self.ty(id)?.kind())),
        }
    }

    /// Prints the qualifiers directly above a non-pointer type, to its left.
    fn emit_mods(&mut self, frame: &mut Frame) -> io::Result<()> {
        loop {
            let word: &[u8] = match self.top_kind(frame)? {
                Some(Kind::Volatile) => b"volatile ",
                Some(Kind::Const) => b"const ",
                Some(Kind::Restrict) => b"restrict ",
                _ => return Ok(()),
            };
            self.put(word);
            frame.len -= 1;
        }
    }

    /// Drops qualifiers (and type tags) above an array or function, where C
    /// has no place for them (GCC emits some that mean nothing).
    fn drop_mods(&mut self, frame: &mut Frame) -> io::Result<()> {
        while let Some(kind) = self.top_kind(frame)? {
            if !kind.is_modifier() {
                break;
            }
            frame.len -= 1;
        }
        Ok(())
    }

    fn emit_name(&mut self, name: &[u8], last_was_ptr: bool) {
        if !name.is_empty() && !last_was_ptr {
            self.put(b" ");
        }
        self.put(name);
    }

    fn emit_type_chain(&mut self, frame: &mut Frame, fname: &[u8], lvl: usize) -> io::Result<()> {
        // `int ***p`, not `int * * *p`; and a lone pointer inside a function
        // pointer's parentheses prints as `(*f)`.
        let mut last_was_ptr = true;
        while let Some(id) = self.pop(frame) {
            if id == 0 {
                self.emit_mods(frame)?;
                self.put(b"void");
                last_was_ptr = false;
                continue;
            }
            let t = self.ty(id)?;
            let kind = t.kind();
            match kind {
                Kind::Int | Kind::Float => {
                    self.emit_mods(frame)?;
                    let name = self.name_of(id, t.name_off())?;
                    self.put(name);
                }
                Kind::Struct | Kind::Union => {
                    self.emit_mods(frame)?;
                    if t.name_off() == 0 {
                        self.emit_struct_def(id, &t, lvl)?;
                    } else {
                        self.emit_struct_fwd(id, &t)?;
                    }
                }
                Kind::Enum | Kind::Enum64 => {
                    self.emit_mods(frame)?;
                    if t.name_off() == 0 {
                        self.emit_enum_def(id, &t, lvl)?;
                    } else {
                        self.emit_enum_fwd(id)?;
                    }
                }
                Kind::Fwd => {
                    self.emit_mods(frame)?;
                    self.put(if t.kflag() { b"union " } else { b"struct " });
                    let name = self.tag_name(id)?;
                    self.put(&name);
                }
                Kind::Typedef => {
                    self.emit_mods(frame)?;
                    let name = self.ident_name(id)?;
                    self.put(&name);
                }
                Kind::Ptr => self.put(if last_was_ptr { b"*" } else { b" *" }),
                Kind::Volatile => self.put(b" volatile"),
                Kind::Const => self.put(b" const"),
                Kind::Restrict => self.put(b" restrict"),
                Kind::TypeTag => {
                    self.emit_mods(frame)?;
                    self.emit_type_tag(&t)?;
                }
                Kind::Array => return self.emit_array(&t, frame, fname, lvl, last_was_ptr),
                Kind::FuncProto => {
                    return self.emit_func_proto(&t, frame, fname, lvl, last_was_ptr)
                }
                // Not a declarator (FUNC, VAR, ...): libbpf gives up on it.
                _ => return Ok(()),
            }
            last_was_ptr = kind == Kind::Ptr;
        }
        self.emit_name(fname, last_was_ptr);
        Ok(())
    }

    /// A type tag prints as clang's attribute; with kind_flag set its name
    /// already is the attribute's text (e.g. `address_space(1)`).
    fn emit_type_tag(&mut self, t: &Type<'a>) -> io::Result<()> {
        let name = self.name_of(t.id(), t.name_off())?;
        if t.kflag() {
            self.put(b" __attribute__((");
            self.put(name);
            self.put(b"))");
        } else {
            self.put(b" __attribute__((btf_type_tag(\"");
            self.put(name);
            self.put(b"\")))");
        }
        Ok(())
    }

    fn emit_array(
        &mut self,
        t: &Type<'a>,
        frame: &mut Frame,
        fname: &[u8],
        lvl: usize,
        last_was_ptr: bool,
    ) -> io::Result<()> {
        let nelems = t.array().expect("kind checked").nelems;
        self.drop_mods(frame)?;
        if frame.len == 0 {
            self.emit_name(fname, last_was_ptr);
        } else {
            // What lies inside the array (pointers, functions) goes in
            // parentheses, except a further dimension: `a[2][3]`.
            let multidim = self.top_kind(frame)? == Some(Kind::Array);
            if !fname.is_empty() && !last_was_ptr {
                self.put(b" ");
            }
            if !multidim {
                self.put(b"(");
            }
            self.emit_type_chain(frame, fname, lvl)?;
            if !multidim {
                self.put(b")");
            }
        }
        self.put(b"[");
        self.put_num(nelems);
        self.put(b"]");
        Ok(())
    }

    fn emit_func_proto(
        &mut self,
        t: &Type<'a>,
        frame: &mut Frame,
        fname: &[u8],
        lvl: usize,
        last_was_ptr: bool,
    ) -> io::Result<()> {
        // GCC marks noreturn function pointers volatile; C has no use for it.
        self.drop_mods(frame)?;
        if frame.len > 0 {
            self.put(b" (");
            self.emit_type_chain(frame, fname, lvl)?;
            self.put(b")");
        } else {
            self.emit_name(fname, last_was_ptr);
        }
        self.put(b"(");
        let vlen = t.vlen() as usize;
        // No parameters, or clang's single void parameter: `(void)`.
        if vlen == 0 || (vlen == 1 && t.params().next().map(|p| p.type_id) == Some(0)) {
            self.put(b"void)");
            return Ok(());
        }
        for (i, p) in t.params().enumerate() {
            if i > 0 {
                self.put(b", ");
            }
            // A trailing void parameter marks varargs.
            if i == vlen - 1 && p.type_id == 0 {
                self.put(b"...");
                break;
            }
            let pname = self.name_of(t.id(), p.name_off)?;
            self.emit_type_decl(p.type_id, pname, lvl)?;
        }
        self.put(b")");
        Ok(())
    }
}
