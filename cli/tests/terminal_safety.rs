//! Names from a hostile object never reach the terminal as control
//! characters: a program renamed to carry an escape sequence (ESC [ J
//! clears the screen) shows as `\x1b[J` in every text output, and as the
//! JSON escape `\u001b` in JSON.

mod inspect_support;

use inspect_support::*;
use std::path::Path;

/// xdp-tools' dispatcher with every `xdp_pass` name (symbol and BTF
/// FUNC) turned into `name`, of the same length (8 bytes).
fn renamed_object(dir: &Path, file: &str, name: &[u8; 8]) -> Option<String> {
    let original = installed(XDP_TOOLS, "xdp-dispatcher.o")?;
    let mut data = std::fs::read(original).unwrap();
    let from = b"xdp_pass\0";
    let mut patched = 0;
    for i in 0..data.len().saturating_sub(from.len()) {
        if &data[i..i + from.len()] == from {
            data[i..i + 8].copy_from_slice(name);
            patched += 1;
        }
    }
    assert!(patched >= 2, "the symbol and the BTF name");
    let path = dir.join(file);
    std::fs::write(&path, data).unwrap();
    Some(path.to_str().unwrap().to_string())
}

/// `xdp_pass` turned into `xdp\x1b[Jss` (ESC [ J clears the screen).
fn hostile_object(dir: &Path) -> Option<String> {
    renamed_object(dir, "hostile.o", b"xdp\x1b[Jss")
}

#[test]
fn control_characters_in_names_are_escaped_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let Some(obj) = hostile_object(dir.path()) else {
        return;
    };
    let text_runs: [&[&str]; 6] = [
        &["inspect", &obj],
        &["check", "--level", "note", &obj],
        &["snapshot", &obj],
        &["btf", "dump", &obj],
        &["btf", "dump", "--format", "c", &obj],
        &["btf", "check", &obj],
    ];
    for args in text_runs {
        let out = bpfc(dir.path(), args);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.contains(&0x1b),
                "{args:?} {stream}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    // Where the name is shown, it is shown escaped.
    let inspect = stdout(&bpfc(dir.path(), &["inspect", &obj]));
    assert!(inspect.contains("  xdp\\x1b[Jss\n"), "{inspect}");
    let dump = stdout(&bpfc(dir.path(), &["btf", "dump", &obj]));
    assert!(dump.contains("FUNC 'xdp\\x1b[Jss'"), "{dump}");
    // The kernel would refuse the name: the check says so.
    let check = bpfc(dir.path(), &["check", &obj]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("error[BPFC-P008]: program 'xdp\\x1b[Jss'"),
        "{}",
        stdout(&check)
    );
    // JSON carries the exact name, escaped the JSON way.
    let json = stdout(&bpfc(dir.path(), &["inspect", "--json", &obj]));
    assert!(!json.contains('\u{1b}'));
    assert!(json.contains(r#""name":"xdp\u001b[Jss""#), "{json}");
}

/// A newline in a name cannot add a line of the object's choosing to a
/// report (a forged finding or summary): each text report of an object
/// whose program is named `x\nerror:` has as many lines as one named
/// `x-error:` (which draws the same findings), with the name shown as
/// `x\x0aerror:`.
#[test]
fn a_newline_in_a_name_cannot_forge_a_report_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some(forged) = renamed_object(dir.path(), "forged.o", b"x\nerror:") else {
        return;
    };
    let Some(plain) = renamed_object(dir.path(), "plain.o", b"x-error:") else {
        return;
    };
    for args in [
        &["inspect"][..],
        &["check", "--level", "note"],
        &["snapshot"],
    ] {
        let run = |obj: &str| {
            let mut all = args.to_vec();
            all.push(obj);
            stdout(&bpfc(dir.path(), &all))
        };
        let (forged_text, plain_text) = (run(&forged), run(&plain));
        assert!(
            !forged_text.lines().any(|l| l.starts_with("error:")),
            "{args:?}: {forged_text}"
        );
        assert_eq!(
            forged_text.lines().count(),
            plain_text.lines().count(),
            "{args:?}: {forged_text}"
        );
    }
    let inspect = stdout(&bpfc(dir.path(), &["inspect", &forged]));
    assert!(inspect.contains("  x\\x0aerror:\n"), "{inspect}");
    let check = stdout(&bpfc(dir.path(), &["check", &forged]));
    assert!(
        check.contains("error[BPFC-P008]: program 'x\\x0aerror:'"),
        "{check}"
    );
}
