//! bpftool-compatible raw dump. (In progress.)
