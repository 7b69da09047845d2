//! Atomic file writes: a crash or error mid-save leaves the previous file
//! intact. The data goes to a temporary file in the same directory, is
//! flushed to disk (`fsync`), and only then renamed over the target — a
//! rename within one directory is atomic on POSIX file systems and on NTFS.
//!
//! ```
//! let path = std::env::temp_dir().join("nn-atomic-doc.bin");
//! nn_core::io::atomic::write(&path, b"weights")?;
//! assert_eq!(std::fs::read(&path)?, b"weights");
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), std::io::Error>(())
//! ```
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// Any I/O error; the file at `path` is then as it was.
///
/// ```no_run
/// nn_core::io::atomic::write("model.nnw", &[0u8; 16])?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write(path: impl AsRef<Path>, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |file| file.write_all(bytes))
}

/// Writes whatever `fill` writes to the file at `path`, atomically: if
/// `fill` (or anything after it) fails, the temporary file is removed and
/// `path` is untouched.
///
/// # Errors
/// The first I/O error, from `fill` or from syncing and renaming.
///
/// ```
/// use std::io::Write;
/// let path = std::env::temp_dir().join("nn-atomic-doc-fail.bin");
/// nn_core::io::atomic::write(&path, b"old")?;
/// let failed = nn_core::io::atomic::write_with(&path, |f| {
///     f.write_all(b"ne")?;
///     Err(std::io::Error::other("disk full"))
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read(&path)?, b"old");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_with(
    path: impl AsRef<Path>,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let path = path.as_ref();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(std::format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Persist the rename itself (directories can be synced on Unix).
        #[cfg(unix)]
        File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(std::format!("nn-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.nnw");
        write(&path, b"version 1").unwrap();
        let err = write_with(&path, |f| {
            f.write_all(b"version 2, half written")?;
            Err(io::Error::other("simulated crash"))
        })
        .unwrap_err();
        assert_eq!(std::format!("{err}"), "simulated crash");
        assert_eq!(std::fs::read(&path).unwrap(), b"version 1");
        let leftovers: std::vec::Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [std::ffi::OsString::from("model.nnw")]);
        write(&path, b"version 2").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"version 2");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        assert!(write("/nonexistent-nn-dir/model.nnw", b"x").is_err());
    }
}
