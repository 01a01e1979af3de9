//! How much bpfc reads from one input, and reading with that bound.
//!
//! A path can name something without an end (`/dev/zero`, a FIFO whose
//! writer never stops) or a file far larger than any BPF object. Each
//! input is read whole into memory, so each kind has a ceiling: past it
//! the read stops with [`io::ErrorKind::FileTooLarge`] and a message that
//! names the limit, instead of memory running out.

use std::io::{self, Read};

/// The most bytes read from one object file. BPF objects are rarely over a
/// few MiB (a program holds at most a million 8-byte instructions, the
/// kernel takes at most 16 MiB of BTF); this leaves room for many such
/// programs and their debug info.
pub const MAX_OBJECT_BYTES: usize = 256 << 20;

/// The most bytes read from one BTF input file: raw BTF, or any ELF file
/// with a `.BTF` section, vmlinux with its DWARF included (distribution
/// kernels' run to about a GiB). Only a regular file is read this far; see
/// [`read_file_limited`].
pub const MAX_BTF_INPUT_BYTES: usize = 4 << 30;

/// The most bytes read from a path that is not a regular file (a pipe, a
/// FIFO, a device), whatever the kind of input: its length is not on disk
/// and may have no end, and no raw BTF or BPF object comes near it.
pub const MAX_STREAM_BYTES: usize = 256 << 20;

/// The most bytes read from a text input: a `--files-from` list (a million
/// paths fit) or a map ABI snapshot.
pub const MAX_TEXT_BYTES: usize = 256 << 20;

/// The error for an input found to be longer than `limit` bytes.
pub fn too_large(limit: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "longer than {}, the most bpfc reads from one input of this kind",
            size_text(limit)
        ),
    )
}

/// `limit` as a person would say it: whole MiB or GiB when it is one.
fn size_text(limit: usize) -> String {
    const MIB: usize = 1 << 20;
    const GIB: usize = 1 << 30;
    if limit >= GIB && limit % GIB == 0 {
        format!("{} GiB", limit / GIB)
    } else if limit >= MIB && limit % MIB == 0 {
        format!("{} MiB", limit / MIB)
    } else {
        format!("{limit} bytes")
    }
}

/// Reads all of `reader`, or fails with [`too_large`] as soon as it has
/// given more than `limit` bytes (having read at most one byte more).
pub fn read_limited(reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    reader
        .take((limit as u64).saturating_add(1))
        .read_to_end(&mut data)?;
    if data.len() > limit {
        return Err(too_large(limit));
    }
    Ok(data)
}

/// [`read_limited`] for text: the same bound, then the same check as
/// `read_to_string` (an input that is not UTF-8 is an `InvalidData` error).
pub fn read_text_limited(reader: impl Read, limit: usize) -> io::Result<String> {
    String::from_utf8(read_limited(reader, limit)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// [`read_limited`] of the file at `path`; past [`MAX_STREAM_BYTES`] when
/// it is not a regular file, whatever `limit` says.
pub fn read_file_limited(path: &std::path::Path, limit: usize) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let limit = if file.metadata()?.is_file() {
        limit
    } else {
        limit.min(MAX_STREAM_BYTES)
    };
    read_limited(file, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_up_to_the_limit_are_read_whole() {
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        assert_eq!(read_limited(&data[..], 1000).unwrap(), data);
        assert_eq!(read_limited(&data[..], 5000).unwrap(), data);
        assert_eq!(read_limited(&[][..], 0).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn an_endless_input_stops_one_byte_past_the_limit() {
        // io::repeat never ends, as /dev/zero does not.
        let e = read_limited(io::repeat(0), 4096).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "longer than 4096 bytes, the most bpfc reads from one input of this kind"
        );
        let e = read_limited(&[1u8; 1001][..], 1000).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn limits_are_named_in_the_unit_they_were_chosen_in() {
        assert!(too_large(MAX_OBJECT_BYTES).to_string().contains("256 MiB"));
        assert!(too_large(MAX_BTF_INPUT_BYTES).to_string().contains("4 GiB"));
        assert!(too_large(1 << 20).to_string().contains("1 MiB"));
        assert!(too_large(1500).to_string().contains("1500 bytes"));
    }

    #[test]
    fn paths_that_are_not_regular_files_stop_at_the_stream_limit() {
        let e =
            read_file_limited(std::path::Path::new("/dev/zero"), MAX_BTF_INPUT_BYTES).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("256 MiB"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, [7u8; 100]).unwrap();
        assert_eq!(read_file_limited(&file, 100).unwrap(), [7u8; 100]);
        let e = read_file_limited(&file, 99).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn text_inputs_must_be_utf8() {
        assert_eq!(read_text_limited(&b"a\nb\n"[..], 10).unwrap(), "a\nb\n");
        let e = read_text_limited(&[0xffu8, 0xfe][..], 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let e = read_text_limited(io::repeat(b'a'), 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
    }
}
