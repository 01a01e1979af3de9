//! Reading BPF ELF objects into plain data (`ObjectSpec`). (In progress.)
