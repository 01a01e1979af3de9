//! Map types, flags and the plain-data description of a map.

mod flags;
mod map_type;
pub mod rules;
mod spec;

pub use flags::MapFlags;
pub use map_type::MapType;
pub use spec::{MapSlot, MapSource, MapSpec, PIN_BY_NAME, PIN_NONE};
