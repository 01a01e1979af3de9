//! Only the types some declarations need: the definitions reachable from a
//! set of root type ids, in dependency order, each as its own piece of text
//! (so a caller can wrap each in a guard), plus how to spell each root in a
//! declaration. Used by `bpfc gen header` for map key and value types.

use std::io;

use super::state::Dumper;
use crate::btf::{Btf, Kind};

/// One top-level definition of a [`CTypeSubset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CDefinition {
    /// Type id of the defined type.
    pub id: u32,
    /// Its kind: `Struct`, `Union`, `Enum`/`Enum64`, `Typedef`, `Fwd`, or
    /// `Int` for the aliases of GCC's ARM SIMD types.
    pub kind: Kind,
    /// The name as printed (with a `___N` suffix when two reachable types
    /// share a name; empty for an anonymous enum printed on its own).
    pub name: String,
    /// The C text: forward declarations it needs first, then the
    /// definition, each ending in `;\n\n` as in [`super::dump_c`].
    pub text: String,
}

/// The types reachable from some roots, printed as C (see [`dump_c_types`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CTypeSubset {
    /// Definitions in an order C accepts: each after what it embeds.
    pub definitions: Vec<CDefinition>,
    /// For each root, in the order given, the type as written in a
    /// declaration without a name: `struct flow_key`, `__u32`, `int[4]`,
    /// `const volatile __u64`; an anonymous struct is spelled out inline,
    /// its members indented as if the name stood one level deep (inside a
    /// map definition's braces).
    pub type_names: Vec<String>,
}

/// Prints the definitions of every type reachable from `roots` (and nothing
/// else), in the same style and order rules as [`super::dump_c`]: a type
/// reached only through a pointer gets a forward declaration, embedded ones
/// a full definition before their user. No header guard or pragmas; names
/// clash-suffixed (`___2`) only among the printed types. Root id 0 (void)
/// is allowed and spelled `void`.
pub fn dump_c_types(btf: &Btf<'_>, roots: &[u32]) -> io::Result<CTypeSubset> {
    let mut d = Dumper::new(btf)?;
    d.mark_referenced()?;
    let mut out = CTypeSubset::default();
    for &root in roots {
        if root > btf.last_id() {
            return Err(super::state::type_err(
                root,
                format!("does not exist (last id is {})", btf.last_id()),
            ));
        }
        d.emit_queue.clear();
        d.order_type(root, false)?;
        let queue = std::mem::take(&mut d.emit_queue);
        for &q in &queue {
            d.buf.clear();
            d.emit_type(q, 0)?;
            if d.buf.is_empty() {
                continue;
            }
            let t = d.ty(q)?;
            let name = match t.kind() {
                Kind::Typedef => d.ident_name(q)?,
                _ => d.tag_name(q)?,
            };
            out.definitions.push(CDefinition {
                id: q,
                kind: t.kind(),
                name: String::from_utf8_lossy(&name).into_owned(),
                text: String::from_utf8_lossy(&d.buf).into_owned(),
            });
        }
        d.emit_queue = queue;
    }
    for &root in roots {
        d.buf.clear();
        // At one level of indentation, as inside a map definition.
        d.emit_type_decl(root, b"", 1)?;
        out.type_names
            .push(String::from_utf8_lossy(&d.buf).into_owned());
    }
    Ok(out)
}
