//! Reading object files whole, for callers that read many.
//!
//! `std::fs::read` asks the kernel for the file's size first (`statx`) to
//! size a fresh buffer; `read_to_end` into an existing buffer asks too
//! (`statx` and `lseek`), or without a size reads in chunks that start at
//! 8 KiB. For the ~10 KB files BPF objects are, those extra calls cost about
//! as much as the read itself. A buffer kept from file to file needs no size:
//! open, read into its room until a read returns 0, or until a short read
//! has brought a whole ELF object (one `read` for an object that fits),
//! close. Mapping the file instead costs more at these sizes
//! (the mapping, its page faults and the unmapping), so there is no mmap.
//! Files that share a directory are opened relative to it (`dir_open`).

use super::dir_open::DirOpener;
use super::elf::contents_end;
use std::io::{self, Read};
use std::path::Path;

/// The room a fresh buffer starts with: larger than most objects, so the
/// first file takes one `read` like the others.
const FIRST_CAPACITY: usize = 64 * 1024;

/// A buffer that holds one file at a time and keeps its room for the next.
///
/// Its bytes are zeroed once when it grows and never again: reading a file
/// only overwrites the part the file fills.
#[derive(Debug, Default)]
pub struct FileBuffer {
    room: Vec<u8>,
    len: usize,
    /// Files from the directory of the last one are opened relative to it.
    opener: DirOpener,
}

impl FileBuffer {
    pub fn new() -> FileBuffer {
        FileBuffer::default()
    }

    /// Replaces the contents with the file at `path` and returns them.
    /// On error the buffer is left empty.
    pub fn read(&mut self, path: &Path) -> io::Result<&[u8]> {
        self.len = 0;
        let mut file = self.opener.open(path)?;
        loop {
            if self.room.is_empty() {
                // Zeroed by the allocator, which knows fresh memory is zero
                // and leaves its pages untouched: only the pages files are
                // read into are ever faulted in.
                self.room = vec![0; FIRST_CAPACITY];
            } else if self.len == self.room.len() {
                // Doubles: a big file costs a few reads, never one per small
                // chunk.
                self.room.resize(self.room.len() * 2, 0);
            }
            match file.read(&mut self.room[self.len..]) {
                Ok(0) => break,
                Ok(n) => {
                    self.len += n;
                    // A read that leaves room unfilled has almost always
                    // reached the end. When what it brought is a whole
                    // object, one more read would only confirm that (a
                    // tenth of the cost of reading a small object); a pipe
                    // or a cut-short file reads on to the real end.
                    if self.len < self.room.len()
                        && contents_end(self.bytes()).is_some_and(|end| end <= self.len as u64)
                    {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.len = 0;
                    return Err(e);
                }
            }
        }
        Ok(self.bytes())
    }

    /// The last file read (empty before the first, or after an error).
    pub fn bytes(&self) -> &[u8] {
        &self.room[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_files_of_any_size_into_one_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let exact = vec![7u8; FIRST_CAPACITY];
        let small = b"\x7fELF small".to_vec();
        let files = [
            ("small", small),
            ("big", big),
            ("exact", exact),
            ("empty", Vec::new()),
            ("small again", b"xy".to_vec()),
        ];
        for (name, bytes) in &files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let mut buf = FileBuffer::new();
        assert!(buf.bytes().is_empty());
        for (name, bytes) in &files {
            assert_eq!(
                buf.read(&dir.path().join(name)).unwrap(),
                &bytes[..],
                "{name}"
            );
            assert_eq!(buf.bytes(), &bytes[..], "{name}");
        }
        let missing = buf.read(&dir.path().join("missing"));
        assert_eq!(missing.unwrap_err().kind(), io::ErrorKind::NotFound);
        assert!(buf.bytes().is_empty());
    }
}
