//! Writing an object to disk without ever leaving a half-written file: the
//! bytes go to a temporary file in the target's directory (same file
//! system, so the rename is atomic), are synced, and then renamed over the
//! target. On any error the temporary file is removed.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::WriteError;

/// Distinguishes temporary names of concurrent writes in one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` atomically with `bytes`: readers see the old file or the
/// new one, never a part.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| WriteError::Io { path: p, source }
    };
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
