//! Opening many files that share a directory without walking its path
//! each time.
//!
//! `open` resolves every component of the path it is given. A CI run over
//! thousands of objects names them by long paths that mostly share their
//! directory (`/usr/share/gocode/src/github.com/cilium/ebpf/testdata/` is
//! eight components), and on this project's VM each component costs ~0.1 µs
//! of a ~2 µs open. So once two files in a row come from one directory, a
//! handle to it (`O_PATH`, which needs no read permission, as a path walk
//! needs none) is kept and the next files of that directory are opened
//! relative to it with `openat`, which resolves the file name alone.
//!
//! Paths that are not plainly `DIR/NAME` (a trailing `/` or `/.`, doubled
//! separators) are opened as given, so the kernel judges them as it would.
//! A directory renamed or replaced during the run is still read through the
//! handle; a checker reading a list of files can live with that.

use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Remembers the directory of the last file opened, and a handle to it once
/// it served two files in a row.
#[derive(Debug, Default)]
pub(crate) struct DirOpener {
    last_dir: PathBuf,
    handle: Option<OwnedFd>,
}

impl DirOpener {
    /// Opens `path` for reading, as `File::open` does.
    pub(crate) fn open(&mut self, path: &Path) -> io::Result<File> {
        let Some((dir, name)) = split_plain(path) else {
            return File::open(path);
        };
        if dir != self.last_dir {
            self.handle = None;
            self.last_dir.as_mut_os_string().clear();
            self.last_dir.push(dir);
            return File::open(path);
        }
        let handle = match &mut self.handle {
            Some(handle) => handle,
            empty => {
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                match rustix::fs::open(dir, flags, Mode::empty()) {
                    Ok(fd) => empty.insert(fd),
                    // Whatever stops the directory opening will stop the
                    // file too, and the error should be the file's.
                    Err(_) => return File::open(path),
                }
            }
        };
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        Ok(File::from(rustix::fs::openat(
            handle,
            name,
            flags,
            Mode::empty(),
        )?))
    }
}

/// `path` as (directory, file name) when it is exactly `DIR/NAME` with a
/// non-empty DIR: then opening NAME relative to DIR is the same as opening
/// `path`.
///
/// Split at the last `/` byte: `Path::parent` and `Path::file_name` parse
/// the path's components, which cost a sixth of the CPU time of opening a
/// file this way. The paths this refuses (no `/`, a root-level name, an
/// empty or `.`/`..` name, a doubled `/` before the name) are opened as
/// given.
fn split_plain(path: &Path) -> Option<(&Path, &Path)> {
    let bytes = path.as_os_str().as_bytes();
    let slash = bytes.iter().rposition(|&b| b == b'/')?;
    let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
    let plain = !dir.is_empty()
        && !dir.ends_with(b"/")
        && !name.is_empty()
        && name != b"."
        && name != b"..";
    plain.then(|| (as_path(dir), as_path(name)))
}

fn as_path(bytes: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn contents(opener: &mut DirOpener, path: &Path) -> io::Result<String> {
        let mut s = String::new();
        opener.open(path)?.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn only_plain_dir_name_paths_are_split() {
        let split = |p: &str| split_plain(Path::new(p)).map(|(d, n)| (d.to_owned(), n.to_owned()));
        assert_eq!(split("/a/b/c.o"), Some(("/a/b".into(), "c.o".into())));
        assert_eq!(split("a/c.o"), Some(("a".into(), "c.o".into())));
        // A `.` or `..` directory component resolves the same either way.
        assert_eq!(split("a/./c.o"), Some(("a/.".into(), "c.o".into())));
        assert_eq!(split("../c.o"), Some(("..".into(), "c.o".into())));
        for p in [
            "c.o", "/c.o", "/a/b/", "/a/b/.", "/a//c.o", "/a/..", "", "/", "//c.o",
        ] {
            assert_eq!(split(p), None, "{p}");
        }
    }

    #[test]
    fn files_read_through_the_handle_are_the_files_named() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        for (dir, tag) in [(&a, "a"), (&b, "b")] {
            for i in 0..4 {
                std::fs::write(dir.join(format!("f{i}")), format!("{tag}{i}")).unwrap();
            }
        }
        let mut opener = DirOpener::default();
        // Runs in one directory, switches, and a return to the first.
        let order = [
            (&a, 0),
            (&a, 1),
            (&a, 2),
            (&b, 0),
            (&b, 1),
            (&a, 3),
            (&b, 3),
        ];
        for (dir, i) in order {
            let tag = if dir == &a { "a" } else { "b" };
            let got = contents(&mut opener, &dir.join(format!("f{i}"))).unwrap();
            assert_eq!(got, format!("{tag}{i}"));
        }
        // Errors are the file's, through the handle too.
        let missing = opener.open(&b.join("missing")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let not_a_file = contents(&mut opener, &root.path().join("a")).unwrap_err();
        assert_eq!(not_a_file.raw_os_error(), Some(libc::EISDIR));
        // A trailing slash on a file is refused, as open(2) refuses it.
        let slash = Path::new(a.to_str().unwrap()).join("f0/");
        assert!(opener.open(&slash).is_err(), "{slash:?}");
    }
}
