//! `FileBuffer::read` stops reading once a short read has brought a whole
//! ELF object, and never earlier: these tests feed corpus objects through
//! a FIFO in two writes with a pause between, so every read after the
//! first write is short and the reader must decide from the bytes alone.

mod object_support;

use bpfc::object::FileBuffer;
use object_support::corpus;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Reads `path` (a FIFO) while another thread writes `first`, pauses 2 ms
/// (so the reader usually takes `first` alone), then writes `second`;
/// returns what the reader got.
fn read_fed(path: &Path, first: &[u8], second: &[u8]) -> Vec<u8> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut fifo = std::fs::OpenOptions::new().write(true).open(path).unwrap();
            fifo.write_all(first).unwrap();
            std::thread::sleep(Duration::from_millis(2));
            fifo.write_all(second).unwrap();
        });
        FileBuffer::new().read(path).unwrap().to_vec()
    })
}

/// Reads `path` (a FIFO) while another thread writes `whole` and then
/// writes nothing until the reader has returned. A reader that waits for
/// the end of the stream instead gets, after 5 s, `trailing` and the end.
fn read_whole_then_wait(path: &Path, whole: &[u8], trailing: &[u8]) -> Vec<u8> {
    let (returned, waiting) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut fifo = std::fs::OpenOptions::new().write(true).open(path).unwrap();
            fifo.write_all(whole).unwrap();
            if waiting.recv_timeout(Duration::from_secs(5)).is_err() {
                fifo.write_all(trailing).unwrap();
            }
        });
        let got = FileBuffer::new().read(path).unwrap().to_vec();
        returned.send(()).unwrap();
        got
    })
}

fn fifo(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("fifo");
    let made = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    path
}

#[test]
fn a_cut_short_object_is_read_on_to_the_end() {
    let Some(objects) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    for object in &objects {
        let bytes = std::fs::read(object).unwrap();
        let n = bytes.len();
        for cut in [64, n / 3, n / 2, n - 64, n - 1] {
            let got = read_fed(&path, &bytes[..cut], &bytes[cut..]);
            assert!(
                got == bytes,
                "{}: stopped after {} of {n} bytes (cut at {cut})",
                object.display(),
                got.len()
            );
        }
    }
}

#[test]
fn reading_stops_at_the_end_of_a_whole_object() {
    let Some(objects) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    for object in &objects {
        let bytes = std::fs::read(object).unwrap();
        let got = read_whole_then_wait(&path, &bytes, b"trailing bytes");
        assert!(
            got == bytes,
            "{}: read {} bytes of a {}-byte object",
            object.display(),
            got.len(),
            bytes.len()
        );
    }
}

#[test]
fn what_is_not_a_whole_object_is_read_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = fifo(dir.path());
    let header_only = {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // ELFCLASS64
        h[5] = 1; // little-endian
        h
    };
    for first in [&b"not an object"[..], &header_only[..]] {
        let got = read_fed(&path, first, b" and more");
        assert_eq!(got, [first, b" and more"].concat());
    }
}
