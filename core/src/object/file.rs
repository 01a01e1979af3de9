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
use crate::input::{too_large, MAX_OBJECT_BYTES};
use std::io::{self, Read};
use std::path::Path;

/// The room a fresh buffer starts with: larger than most objects, so the
/// first file takes one `read` like the others.
const FIRST_CAPACITY: usize = 64 * 1024;

/// A buffer that holds one file at a time and keeps its room for the next.
///
/// Its bytes are zeroed once when it grows and never again: reading a file
/// only overwrites the part the file fills. A file longer than the limit
/// ([`MAX_OBJECT_BYTES`] unless set with [`FileBuffer::with_limit`]) is an
/// error once one byte past it has been read, so an endless input such as
/// `/dev/zero` costs at most that much memory.
#[derive(Debug)]
pub struct FileBuffer {
    room: Vec<u8>,
    len: usize,
    limit: usize,
    /// Files from the directory of the last one are opened relative to it.
    opener: DirOpener,
}

impl Default for FileBuffer {
    fn default() -> Self {
        FileBuffer::with_limit(MAX_OBJECT_BYTES)
    }
}

impl FileBuffer {
    pub fn new() -> FileBuffer {
        FileBuffer::default()
    }

    /// A buffer that refuses files longer than `limit` bytes.
    pub fn with_limit(limit: usize) -> FileBuffer {
        FileBuffer {
            room: Vec::new(),
            len: 0,
            limit,
            opener: DirOpener::default(),
        }
    }

    /// Replaces the contents with the file at `path` and returns them.
    /// On error the buffer is left empty.
    pub fn read(&mut self, path: &Path) -> io::Result<&[u8]> {
        self.len = 0;
        let mut file = self.opener.open(path)?;
        // One byte past the limit tells a file longer than it from one of
        // exactly its length.
        let most = self.limit.saturating_add(1);
        loop {
            if self.room.is_empty() {
                // Zeroed by the allocator, which knows fresh memory is zero
                // and leaves its pages untouched: only the pages files are
                // read into are ever faulted in.
                self.room = vec![0; FIRST_CAPACITY.min(most)];
            } else if self.len == self.room.len() {
                // Doubles: a big file costs a few reads, never one per small
                // chunk.
                self.room
                    .resize(self.room.len().saturating_mul(2).min(most), 0);
            }
            match file.read(&mut self.room[self.len..]) {
                Ok(0) => break,
                Ok(n) => {
                    self.len += n;
                    if self.len > self.limit {
                        self.len = 0;
                        return Err(too_large(self.limit));
                    }
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

    #[test]
    fn files_past_the_limit_are_refused_and_leave_the_buffer_usable() {
        let dir = tempfile::tempdir().unwrap();
        let limit = FIRST_CAPACITY * 3;
        for (name, len) in [("at", limit), ("past", limit + 1), ("small", 10)] {
            std::fs::write(dir.path().join(name), vec![1u8; len]).unwrap();
        }
        let mut buf = FileBuffer::with_limit(limit);
        assert_eq!(buf.read(&dir.path().join("at")).unwrap().len(), limit);
        let e = buf.read(&dir.path().join("past")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(buf.bytes().is_empty());
        assert_eq!(buf.read(&dir.path().join("small")).unwrap(), &[1u8; 10]);
        // An endless input stops one byte past the limit.
        let e = buf.read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(buf.room.len() <= limit + 1);
        // A limit below the first room: the room is no larger than needed.
        let mut tiny = FileBuffer::with_limit(5);
        let e = tiny.read(&dir.path().join("small")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(tiny.room.len(), 6);
    }
}
