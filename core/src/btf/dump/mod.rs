//! Printing BTF: `raw` (bpftool's `btf dump file X`), `c` (a C header) and `json`.

pub mod c;
pub mod json;
pub mod raw;
