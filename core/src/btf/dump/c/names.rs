//! Unique C names: BTF may hold several types with one name (the kernel has
//! two `struct bpf_map_desc`), which one C file cannot. Like libbpf, the
//! n-th type to be *printed* under a name gets `name___n` (n >= 2), tags and
//! ordinary identifiers counted separately; forward declarations and empty
//! enums keep their name because they may be repeated freely.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io;

use super::state::Dumper;
use crate::btf::Kind;

/// libbpf formats renamed identifiers into a 256-byte buffer, so longer
/// ones are cut to 255 bytes; doing the same keeps the names identical.
const MAX_RENAMED_LEN: usize = 255;

/// How often each name has been claimed so far.
#[derive(Default)]
pub(super) struct NameTable<'a> {
    counts: HashMap<&'a [u8], usize>,
}

impl<'a> NameTable<'a> {
    /// Claims `name` once more; returns how many claims it now has.
    pub fn claim(&mut self, name: &'a [u8]) -> usize {
        let n = self.counts.entry(name).or_insert(0);
        *n += 1;
        *n
    }
}

/// Which C namespace a name lives in.
#[derive(Clone, Copy)]
pub(super) enum Namespace {
    /// struct/union/enum tags.
    Tag,
    /// typedef names (and enumerators, which are claimed directly).
    Ident,
}

impl<'b, 'a> Dumper<'b, 'a> {
    /// The name to print for struct/union/enum/fwd `id` (empty if anonymous).
    pub fn tag_name(&mut self, id: u32) -> io::Result<Cow<'a, [u8]>> {
        self.resolve_name(id, Namespace::Tag)
    }

    /// The name to print for typedef `id`.
    pub fn ident_name(&mut self, id: u32) -> io::Result<Cow<'a, [u8]>> {
        self.resolve_name(id, Namespace::Ident)
    }

    fn resolve_name(&mut self, id: u32, ns: Namespace) -> io::Result<Cow<'a, [u8]>> {
        let t = self.ty(id)?;
        if t.name_off() == 0 {
            return Ok(Cow::Borrowed(b""));
        }
        let orig = self.name_of(id, t.name_off())?;
        if self.state(id).name_resolved {
            return Ok(match self.renamed.get(&id) {
                Some(n) => Cow::Owned(n.clone()),
                None => Cow::Borrowed(orig),
            });
        }
        self.state(id).name_resolved = true;
        if t.kind() == Kind::Fwd || (t.kind() == Kind::Enum && t.vlen() == 0) {
            return Ok(Cow::Borrowed(orig));
        }
        let table = match ns {
            Namespace::Tag => &mut self.type_names,
            Namespace::Ident => &mut self.ident_names,
        };
        let claims = table.claim(orig);
        if claims == 1 {
            return Ok(Cow::Borrowed(orig));
        }
        let renamed = suffixed(orig, claims);
        self.renamed.insert(id, renamed.clone());
        Ok(Cow::Owned(renamed))
    }
}

/// `name___n`, cut to libbpf's length limit.
pub(super) fn suffixed(name: &[u8], n: usize) -> Vec<u8> {
    let mut s = Vec::with_capacity(name.len() + 8);
    s.extend_from_slice(name);
    s.extend_from_slice(format!("___{n}").as_bytes());
    s.truncate(MAX_RENAMED_LEN);
    s
}
