//! Finding the `.BTF` and `.BTF.ext` sections of an ELF object. (In progress.)
