//! Building and encoding BTF in either byte order. (In progress.)
