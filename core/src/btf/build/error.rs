//! Errors of the BTF builder: types that cannot be encoded, blobs that cannot
//! be imported without losing bits, and fix-ups aimed at the wrong type.

use thiserror::Error;

use crate::btf::Kind;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The imported blob uses bits the owned representation has no field
    /// for; re-encoding would silently drop them. The kernel refuses all of
    /// these, so a well-formed blob never hits this.
    #[error("BTF type [{id}] {kind}: {what}; it cannot be imported without losing bits")]
    Unrepresentable { id: u32, kind: Kind, what: String },

    /// A type cannot be written in the BTF wire format.
    #[error("BTF type [{id}] {kind}: {what}")]
    Unencodable { id: u32, kind: Kind, what: String },

    /// The encoded blob would not fit the header's 32-bit lengths.
    #[error("BTF {section} section would be {len} bytes, more than a u32 header field holds")]
    TooLarge { section: &'static str, len: u64 },

    #[error("BTF type id {id} is not defined by this builder (its types are [{first}, {last}])")]
    NoSuchType { id: u32, first: u32, last: u32 },

    #[error("BTF type [{id}] is {found}, expected {expected}")]
    WrongKind {
        id: u32,
        found: Kind,
        expected: Kind,
    },

    #[error("BTF DATASEC [{id}] has {len} entries, no entry {index}")]
    NoSuchEntry { id: u32, index: usize, len: usize },
}
