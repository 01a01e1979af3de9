//! `bpfc gen header`: stdout and `-o FILE` (written whole or not at all),
//! exit codes and messages for missing, unreadable and map-less objects,
//! `--define`, determinism, and the help text. What the header says is
//! tested against clang, bpftool and libbpf in core/tests/header_gen.rs.

mod inspect_support;

use inspect_support::*;
use std::path::Path;

/// Files in `dir`, sorted (to see that no temporary file is left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn stdout_and_output_file_hold_the_same_bytes_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if compile_fixture(d, "map_fields.bpf.c", &[], "maps.bpf.o").is_none() {
        return;
    }
    let a = bpfc(d, &["gen", "header", "maps.bpf.o"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert!(stderr(&a).is_empty(), "{}", stderr(&a));
    let b = bpfc(d, &["gen", "header", "maps.bpf.o"]);
    assert_eq!(a.stdout, b.stdout, "two runs differ");
    let text = stdout(&a);
    assert!(text.contains("#ifndef BPFC_MAPS_H\n#define BPFC_MAPS_H\n"));
    assert!(text.contains("extern struct {"));
    assert!(text.contains("} flows SEC(\".maps\");"));

    // An older file is replaced whole.
    std::fs::write(d.join("maps.h"), "old contents\n").unwrap();
    let o = bpfc(d, &["gen", "header", "maps.bpf.o", "-o", "maps.h"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(d.join("maps.h")).unwrap(), a.stdout);
    assert_eq!(listing(d), ["maps.bpf.o", "maps.h"]);

    let def = bpfc(d, &["gen", "header", "--define", "maps.bpf.o"]);
    assert_eq!(def.status.code(), Some(0), "{}", stderr(&def));
    let def = stdout(&def);
    assert!(!def.contains("extern struct"), "{def}");
    assert!(def.contains("\nstruct {\n"), "{def}");
}

#[test]
fn failures_leave_the_output_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if compile_fixture(d, "map_fields.bpf.c", &[], "maps.bpf.o").is_none() {
        return;
    }
    std::fs::write(d.join("maps.h"), "old contents\n").unwrap();
    std::fs::write(d.join("junk.o"), "not an object\n").unwrap();

    // Unreadable object: exit 2, the old file untouched.
    let o = bpfc(d, &["gen", "header", "junk.o", "-o", "maps.h"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error[BPFC-F001]: junk.o is not a readable BPF object"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("maps.h")).unwrap(),
        "old contents\n"
    );

    // The rename cannot happen (the target is a directory): exit 2 with
    // the reason, and the temporary file is removed again.
    std::fs::create_dir(d.join("adir")).unwrap();
    let o = bpfc(d, &["gen", "header", "maps.bpf.o", "-o", "adir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot write adir: "),
        "{}",
        stderr(&o)
    );
    // A directory that does not exist.
    let o = bpfc(d, &["gen", "header", "maps.bpf.o", "-o", "nodir/maps.h"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot write nodir/maps.h: "),
        "{}",
        stderr(&o)
    );
    assert_eq!(listing(d), ["adir", "junk.o", "maps.bpf.o", "maps.h"]);
    assert!(listing(&d.join("adir")).is_empty());
}

#[test]
fn missing_object_is_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let o = bpfc(dir.path(), &["gen", "header", "nothere.bpf.o"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "error: cannot read nothere.bpf.o: No such file or directory (os error 2)\n  --> nothere.bpf.o\n"
    );
}

#[test]
fn object_without_btf_maps_is_exit_1_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if compile_fixture(d, "program_names.bpf.c", &[], "progs.bpf.o").is_none() {
        return;
    }
    let o = bpfc(d, &["gen", "header", "progs.bpf.o", "-o", "progs.h"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "error: object 'progs' has no BTF-defined maps (section .maps) to declare\n  --> progs.bpf.o\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("= help: pass the object that defines the maps"),
        "{err}"
    );
    assert!(!d.join("progs.h").exists());

    // Legacy maps only: said so.
    if compile_fixture(d, "legacy_maps.bpf.c", &[], "legacy.bpf.o").is_none() {
        return;
    }
    let o = bpfc(d, &["gen", "header", "legacy.bpf.o"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("its 2 legacy map definition(s) (section maps) are not declared"),
        "{err}"
    );
}

#[test]
fn help_has_an_example_and_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let o = bpfc(dir.path(), &["gen", "header", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for needle in [
        "Example:",
        "bpfc gen header maps.bpf.o -o maps.bpf.h",
        "bpftool gen object app.bpf.o maps.bpf.o prog.bpf.o",
        "Exit status:",
        "  0  header written",
        "  1  the object defines no BTF maps",
        "  2  OBJ is missing or not a readable BPF object",
        "--define",
        "BPFC_NO_TYPES",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
    let o = bpfc(dir.path(), &["gen", "--help"]);
    assert!(stdout(&o).contains("header"), "{}", stdout(&o));
}

/// A hostile object whose key type's name carries a newline (the kernel
/// would refuse the name): no header, which would be C with a forged line,
/// but exit 2 naming the type, the map and the escaped name.
#[test]
fn a_type_name_that_is_no_identifier_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(obj) = compile_fixture(d, "extern_maps_defs.bpf.c", &[], "defs.bpf.o") else {
        return;
    };
    let mut data = std::fs::read(&obj).unwrap();
    let (from, to) = (b"pkt_key\0", b"pk\nt_ey\0");
    let mut patched = 0;
    for i in 0..data.len() - from.len() {
        if &data[i..i + from.len()] == from {
            data[i..i + to.len()].copy_from_slice(to);
            patched += 1;
        }
    }
    assert!(patched >= 1);
    std::fs::write(d.join("hostile.bpf.o"), &data).unwrap();
    let o = bpfc(d, &["gen", "header", "hostile.bpf.o", "-o", "hostile.h"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.contains(
            "used by map 'counts' has the name \"pk\\nt_ey\", which is not a C identifier"
        ),
        "{err}"
    );
    assert!(!d.join("hostile.h").exists());
}
