//! Kernel rules for BTF (`btf_parse`/`btf_check_*` in kernel/bpf/btf.c) as findings. (In progress.)
