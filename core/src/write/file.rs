//! Writing an object to disk without ever leaving a half-written file: the
//! bytes go to a temporary file in the target's directory (same file
//! system, so the rename is atomic), are synced, and then renamed over the
//! target. On any error the temporary file is removed.
//!
//! A target that exists and is neither a regular file nor a directory (a
//! character device such as `/dev/null`, a FIFO, a socket, or a symlink to
//! one, like `/dev/stdout`) is written in place instead: renaming a file
//! over it would replace the device node itself, and as root `-o /dev/null`
//! would leave every later user of `/dev/null` reading what was written.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::WriteError;

/// Distinguishes temporary names of concurrent writes in one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Whether `path` (followed through symlinks) exists and is neither a
/// regular file nor a directory: a device, FIFO or socket, which output is
/// written into, never renamed over (see the module docs).
pub fn is_special_target(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        !t.is_file() && !t.is_dir()
    })
}

/// Replaces `path` atomically with `bytes`: readers see the old file or the
/// new one, never a part. A device or FIFO at `path` is written in place.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| WriteError::Io { path: p, source }
    };
    if is_special_target(path) {
        return OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(io(path));
    }
    let file_name = path.file_name().ok_or_else(|| WriteError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = dir.join(tmp_name);
    // create_new: never follow or clobber something already at the
    // temporary name.
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(io(&tmp))?;
    let result = fill(file, bytes)
        .map_err(io(&tmp))
        .and_then(|()| fs::rename(&tmp, path).map_err(io(path)));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable once the directory is synced; the file is in
    // place already, so a directory that cannot be opened for syncing
    // (some file systems) is not an error.
    if let Ok(d) = File::open(&dir) {
        d.sync_all().map_err(io(&dir))?;
    }
    Ok(())
}

fn fill(mut file: File, bytes: &[u8]) -> std::io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-o LINK` where LINK is a symlink to /dev/zero (which discards what
    /// is written, as /dev/null does; /dev/stdout is such a symlink too):
    /// the bytes go to the device and the symlink stays. Renaming over the
    /// symlink would only replace it in a scratch directory, so this test
    /// cannot clobber a device node itself.
    #[test]
    fn devices_are_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        if !fs::metadata("/dev/zero").is_ok_and(|m| m.file_type().is_char_device()) {
            eprintln!("SKIP: /dev/zero is not a character device here");
            return;
        }
        let dir = std::env::temp_dir().join(format!("bpfc-write-file-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let link = dir.join("out");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(is_special_target(&link));
        write_file(&link, b"not for keeping").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("/dev/zero"));
        // No temporary file left next to it.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

        // A regular file is still replaced by a rename.
        let file = dir.join("plain");
        fs::write(&file, b"old").unwrap();
        assert!(!is_special_target(&file));
        write_file(&file, b"new").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"new");
        fs::remove_dir_all(&dir).unwrap();
    }
}
