//! `bpfc check -j N`: the output bytes and the exit status do not depend on
//! the number of threads. Every run is compared with the one-thread run
//! (`-j 1`, the files checked one after the other as listed) over many
//! files: the whole installed corpus, valid and invalid objects in both
//! byte orders, mixed with files that cannot be read as objects.

mod inspect_support;

use inspect_support::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A list of `rounds` copies of the corpus, with unreadable files (missing,
/// cut short, not ELF, a directory) placed between the objects.
fn mixed_list(dir: &Path, corpus: &[PathBuf], rounds: usize) -> Vec<String> {
    let first = std::fs::read(&corpus[0]).unwrap();
    std::fs::write(dir.join("truncated.o"), &first[..first.len() / 3]).unwrap();
    std::fs::write(dir.join("text.o"), "not an object\n").unwrap();
    std::fs::create_dir_all(dir.join("a_directory.o")).unwrap();
    let unreadable = ["missing.o", "truncated.o", "text.o", "a_directory.o"];
    let mut list = Vec::new();
    for round in 0..rounds {
        for (i, p) in corpus.iter().enumerate() {
            list.push(p.to_str().unwrap().to_string());
            if (i + round) % 7 == 0 {
                list.push(unreadable[(i / 7 + round) % unreadable.len()].to_string());
            }
        }
    }
    list
}

fn run(dir: &Path, jobs: Option<&str>, extra: &[&str]) -> Output {
    let mut args = vec!["check"];
    if let Some(j) = jobs {
        args.extend(["-j", j]);
    }
    args.extend_from_slice(extra);
    args.extend(["--files-from", "list"]);
    bpfc(dir, &args)
}

#[test]
fn output_and_exit_status_are_the_same_for_any_thread_count() {
    let Some(corpus) = corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let list = mixed_list(dir.path(), &corpus, 4);
    std::fs::write(dir.path().join("list"), list.join("\n")).unwrap();
    assert!(list.len() > 200, "{} files", list.len());

    for extra in [&[][..], &["--json"][..], &["--level", "note"][..]] {
        let one = run(dir.path(), Some("1"), extra);
        assert_eq!(one.status.code(), Some(2), "unreadable files: exit 2");
        let text = stdout(&one);
        let n = list.len();
        assert!(
            text.contains(&format!("bpfc check: {n} files"))
                || text.contains(&format!("\"files\":{n},")),
            "every file is counted: {extra:?}"
        );
        for jobs in [None, Some("2"), Some("3"), Some("64")] {
            let many = run(dir.path(), jobs, extra);
            assert_eq!(
                many.status.code(),
                one.status.code(),
                "-j {jobs:?} {extra:?}"
            );
            assert!(
                stdout(&many) == text,
                "-j {jobs:?} {extra:?}: stdout differs from -j 1"
            );
            assert_eq!(stderr(&many), stderr(&one), "-j {jobs:?} {extra:?}");
        }
    }
}

#[test]
fn exit_status_without_unreadable_files_is_the_same_for_any_thread_count() {
    let Some(corpus) = corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The invalid objects make it 1; without them it is 0.
    let valid: Vec<&PathBuf> = corpus
        .iter()
        .filter(|p| !p.to_string_lossy().contains("invalid"))
        .collect();
    for (files, code) in [(corpus.iter().collect::<Vec<_>>(), 1), (valid, 0)] {
        let list: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
        std::fs::write(dir.path().join("list"), list.join("\n")).unwrap();
        let one = run(dir.path(), Some("1"), &[]);
        assert_eq!(one.status.code(), Some(code), "{}", stdout(&one));
        for jobs in ["2", "7"] {
            let many = run(dir.path(), Some(jobs), &[]);
            assert_eq!(many.status.code(), Some(code), "-j {jobs}");
            assert!(stdout(&many) == stdout(&one), "-j {jobs}: stdout differs");
        }
    }
}

#[test]
fn zero_jobs_is_a_usage_error() {
    let out = bpfc(Path::new("."), &["check", "-j", "0", "x.o"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Threads the system will not start (a container's pids limit, here
/// RLIMIT_NPROC for an unprivileged user) cost speed, not the run: `-j 8`
/// with room for one thread or none gives the `-j 1` output and status.
#[test]
fn a_refused_thread_is_one_worker_fewer() {
    let Some(corpus) = corpus() else {
        return;
    };
    // Root is not held to RLIMIT_NPROC: the run drops to `nobody` for it.
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let has_setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !is_root || !has_setpriv {
        skip("dropping to an unprivileged user with a process limit needs root and setpriv");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Readable by `nobody`: the directory, the list and the corpus.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let list: Vec<&str> = (0..8)
        .flat_map(|_| corpus.iter().map(|p| p.to_str().unwrap()))
        .collect();
    assert!(list.len() >= 8 * 64 / 2, "enough files for several threads");
    std::fs::write(dir.path().join("list"), list.join("\n")).unwrap();
    let one = run(dir.path(), Some("1"), &[]);
    for limit in ["1", "2"] {
        let limited = std::process::Command::new("bash")
            .current_dir(dir.path())
            .args(["-c", &format!("ulimit -u {limit} && exec setpriv --reuid=nobody --regid=nogroup --clear-groups \"$0\" check -j 8 --files-from list"), BPFC])
            .output()
            .unwrap();
        assert!(
            !stderr(&limited).contains("panicked"),
            "ulimit -u {limit}: {}",
            stderr(&limited)
        );
        assert_eq!(
            limited.status.code(),
            one.status.code(),
            "ulimit -u {limit}: {}{}",
            stdout(&limited),
            stderr(&limited)
        );
        assert_eq!(stdout(&limited), stdout(&one), "ulimit -u {limit}");
    }
}
