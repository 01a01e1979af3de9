//! BTF as a C header, like `bpftool btf dump file FILE format c`.
//!
//! The output is meant to be byte-identical to bpftool v7.1.0 (libbpf 1.1
//! with the Linux 6.1-stable fixes to padding and packed-struct detection):
//! the `__VMLINUX_H__` guard, the `preserve_access_index` pragma block, and
//! a definition of every type, visited in id order, each preceded by the
//! definitions and forward declarations it needs. The algorithm follows
//! libbpf's `btf_dump.c`:
//!
//! - `order`: a topological sort in which embedding a type is
//!   a strong dependency and pointing to a named one a weak one, so cycles
//!   through pointers get forward declarations (`struct A;`);
//! - `emit`: definitions; anonymous structs, unions and enums
//!   are defined inline where used (top-level only when an anonymous enum is
//!   used nowhere); gaps between members become `long: 64;`-style padding
//!   where natural alignment would not reproduce the offsets (this is also
//!   how over-aligned members come back: BTF records offsets, not
//!   `aligned(N)`, and libbpf never prints `aligned`); structs whose layout
//!   cannot be natural get `__attribute__((packed))`;
//! - `decl`: C declarators (pointers, arrays of arrays,
//!   function pointers with varargs, const/volatile/restrict placement, type
//!   tags as `__attribute__((btf_type_tag("x")))`);
//! - `names`: clashing names get `___2`, `___3`, ...
//!
//! FUNC, VAR, DATASEC and DECL_TAG are not printed (bpftool prints no
//! functions or variables either); FLOAT and INT are used by name.
//! `__builtin_va_list` is never redefined. Names are printed byte for byte.
//!
//! # Split BTF
//!
//! For split BTF (a module's types on top of vmlinux) bpftool prints the
//! base's types too, making one self-contained header. By default we print
//! only the split types, meant to be included after the base's header: base
//! types are used by name, and every name (including the `___N` suffixes
//! of clashing base names) is the one the base's own dump uses, because the
//! base is dumped first with its output discarded. Such a header gets the
//! guard `__VMLINUX_SPLIT_H__` so that it is not skipped after `vmlinux.h`.
//! [`CDumpOptions::emit_base_types`] gives bpftool's output instead.
//!
//! # Deliberate differences from bpftool v7.1.0
//!
//! - Old-style bitfields (a struct without kind_flag whose member type is an
//!   INT narrower than its storage or with a bit offset, as old pahole
//!   wrote them) print as bitfields, `int x: 3;`, the way the kernel reads
//!   them; libbpf ignores the INT's bit size and prints `int x;`, which
//!   changes the layout. Modern compilers and pahole never produce these.
//! - A TYPE_TAG with kind_flag set (newer kernels, for clang's
//!   `address_space(1)`) prints as `__attribute__((address_space(1)))` like
//!   newer libbpf; libbpf 1.1 would wrap it in `btf_type_tag("...")`.
//! - Malformed BTF is an error naming the type id (missing ids, reference
//!   loops, types that embed themselves, bad string offsets, a gap between
//!   members wider than 16 MiB), where bpftool refuses to load the file,
//!   crashes (loops, a member without alignment) or prints millions of
//!   padding lines. Types that cannot appear in a declaration (a member of
//!   FUNC type, say) are skipped silently, as libbpf does with a warning.
//!
//! # Inherited limits (same output as bpftool, layout not reproduced)
//!
//! - libbpf 1.1 does not mark enums with `__attribute__((mode(byte)))` or
//!   `mode(word)`, so 1- and 2-byte enums, and 8-byte ones whose values fit
//!   in 32 bits, come out 4 bytes wide in the header.
//! - Only structs are checked for packing; a packed union prints unpacked.
//!
//! The tests compile every header with clang and, for the fixtures, compare
//! the layouts clang gets back with the original BTF; those are the only
//! losses they find.

mod decl;
mod emit;
mod layout;
mod names;
mod order;
mod state;
mod subset;

use std::io::{self, Write};

use crate::btf::Btf;
use state::Dumper;
pub use subset::{dump_c_types, CDefinition, CTypeSubset};

/// Flush the output buffer to the writer once it holds this much.
const FLUSH_THRESHOLD: usize = 1 << 16;

/// How to dump. `Default` gives [`dump_c`]'s behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CDumpOptions {
    /// For split BTF: also print the base's types, giving one
    /// self-contained header exactly as bpftool does. No effect on base BTF.
    pub emit_base_types: bool,
    /// Header guard macro; `None` for `__VMLINUX_H__` (or
    /// `__VMLINUX_SPLIT_H__` for split types printed without their base).
    pub header_guard: Option<String>,
}

/// Guard of a header holding only split types, distinct from the base's.
const SPLIT_GUARD: &str = "__VMLINUX_SPLIT_H__";
const GUARD: &str = "__VMLINUX_H__";

/// Prints `btf` as a C header (see the module docs). For split BTF only the
/// split types are printed; use [`dump_c_with`] for bpftool's base+split.
pub fn dump_c(btf: &Btf<'_>, out: &mut dyn Write) -> io::Result<()> {
    dump_c_with(btf, &CDumpOptions::default(), out)
}

/// [`dump_c`] with options.
pub fn dump_c_with(btf: &Btf<'_>, opts: &CDumpOptions, out: &mut dyn Write) -> io::Result<()> {
    let split_only = btf.base().is_some() && !opts.emit_base_types;
    let guard = match (&opts.header_guard, split_only) {
        (Some(g), _) => g.as_str(),
        (None, true) => SPLIT_GUARD,
        (None, false) => GUARD,
    };
    let mut d = Dumper::new(btf)?;
    d.mark_referenced()?;

    out.write_all(format!("#ifndef {guard}\n#define {guard}\n\n").as_bytes())?;
    out.write_all(b"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n")?;
    out.write_all(b"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n")?;
    out.write_all(b"#endif\n\n")?;

    // The base's types are walked even when not printed, so that they are
    // known as defined and their names are claimed exactly as in the base's
    // own header.
    let first_printed = if split_only { btf.first_id() } else { 1 };
    for id in 1..first_printed {
        d.dump_root(id)?;
        d.buf.clear();
    }
    for id in first_printed..=btf.last_id() {
        d.dump_root(id)?;
        if d.buf.len() >= FLUSH_THRESHOLD {
            out.write_all(&d.buf)?;
            d.buf.clear();
        }
    }

    d.put(b"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
    d.put(format!("#endif /* {guard} */\n").as_bytes());
    out.write_all(&d.buf)?;
    out.flush()
}

impl<'b, 'a> Dumper<'b, 'a> {
    /// libbpf's `btf_dump__dump_type`: everything `id` needs that is not
    /// out yet, then `id` itself.
    fn dump_root(&mut self, id: u32) -> io::Result<()> {
        self.emit_queue.clear();
        self.order_type(id, false)?;
        let queue = std::mem::take(&mut self.emit_queue);
        for &q in &queue {
            self.emit_type(q, 0)?;
        }
        self.emit_queue = queue;
        Ok(())
    }
}
