//! Map types, flags and the plain-data description of a map.

mod flags;
mod map_type;

pub use flags::MapFlags;
pub use map_type::MapType;
