//! The reader against the running kernel's own BTF.

use bpfc::btf::{Btf, Kind};

const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

#[test]
fn parses_running_kernel_btf() {
    let data = match std::fs::read(VMLINUX) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("SKIP: cannot read {VMLINUX}: {e}");
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI has {VMLINUX}"
            );
            return;
        }
    };
    let btf = Btf::parse(&data).expect("vmlinux parses");
    assert!(btf.len() > 10_000, "only {} types", btf.len());
    // Every type's name resolves, and sizes resolve for every sized type.
    for t in btf.types() {
        btf.str_bytes(t.name_off()).expect("name offset in range");
    }
    let task = btf
        .find_by_name_kind("task_struct", Kind::Struct)
        .expect("task_struct");
    assert_eq!(btf.resolve_size(task.id()).unwrap(), u64::from(task.size()));
    let int = btf.find_by_name_kind("int", Kind::Int).expect("int");
    assert_eq!(btf.resolve_size(int.id()).unwrap(), 4);
    assert_eq!(btf.align_of(int.id()).unwrap(), 4);
}
