//! Atomic file replacement: a reader sees either the old file or the new one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Replace `path` with `contents` atomically: write a temporary file in the same
/// folder, flush it to disk, give it the original file's permissions, then rename
/// it over `path`. On error the original is left as it was and the temporary file
/// is removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    stage(path, contents)?.commit()
}

/// New contents written beside the file they replace, not yet renamed over it. Dropped
/// without [`Staged::commit`], the temporary file is removed.
pub struct Staged {
    temp: tempfile::TempPath,
    path: PathBuf,
}

/// The first half of [`write_atomic`]: the temporary file, written, flushed to disk and given
/// `path`'s permissions.
pub fn stage(path: &Path, contents: &[u8]) -> std::io::Result<Staged> {
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut tmp = temp_beside(path, None)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(perms) = permissions {
        tmp.as_file().set_permissions(perms)?;
    }
    Ok(Staged {
        temp: tmp.into_temp_path(),
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// The second half of [`write_atomic`]: the rename over the file, made durable where the
    /// platform allows it.
    pub fn commit(self) -> std::io::Result<()> {
        self.temp.persist(&self.path).map_err(|e| e.error)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(folder_of(&self.path)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// The folder a file is in (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A new temporary file in `path`'s folder, named after it (`.Fastfile.XXXXXX.fastlint-tmp`),
/// created with `permissions` when given (less the umask), else readable by its owner only.
pub(crate) fn temp_beside(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".fastlint-tmp");
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    builder.tempfile_in(folder_of(path))
}

/// How many files [`write_all_atomic`] writes at once: each write mostly waits on the disk
/// (`fsync`), so more writes are in flight than there are cores.
pub const WRITERS: usize = 16;

/// Writes each `(path, contents)` as [`write_atomic`] does, up to [`WRITERS`] at a time, in two
/// passes: every temporary file first, then the renames. Creating files while the renames free
/// the old ones' inodes makes the file system look past every freshly freed inode for each new
/// one (ext4 does), which costs more than the writes. The results are in the order given.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Vec<std::io::Result<()>> {
    let staged = in_parallel(files, |(path, contents)| stage(path, contents));
    let staged: Vec<Mutex<Option<std::io::Result<Staged>>>> =
        staged.into_iter().map(|s| Mutex::new(Some(s))).collect();
    in_parallel(&staged, |slot| {
        let taken = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        match taken {
            Some(Ok(staged)) => staged.commit(),
            Some(Err(e)) => Err(e),
            None => Err(std::io::Error::other("not written")),
        }
    })
}

/// `f` over every item, on up to [`WRITERS`] threads; the results in the order of the items.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WRITERS.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "Fastfile")
            .collect()
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old\r\n").unwrap();
        write_atomic(&path, b"new\r\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\r\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        write_atomic(&path, b"x").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o754)).unwrap();
        write_atomic(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o754);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn writes_many_files_and_reports_each_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = (0..40)
            .map(|i| dir.path().join(format!("f{i}")))
            .chain([dir.path().join("nope").join("Fastfile")])
            .collect();
        let texts: Vec<String> = (0..paths.len()).map(|i| format!("text {i}\n")).collect();
        let files: Vec<(&Path, &[u8])> = paths
            .iter()
            .zip(&texts)
            .map(|(p, t)| (p.as_path(), t.as_bytes()))
            .collect();
        let results = write_all_atomic(&files);
        assert_eq!(results.len(), 41);
        for (i, r) in results.iter().enumerate().take(40) {
            assert!(r.is_ok(), "{i}: {r:?}");
            assert_eq!(std::fs::read_to_string(&paths[i]).unwrap(), texts[i]);
        }
        assert!(results[40].is_err());
        assert!(write_all_atomic(&[]).is_empty());
    }

    #[test]
    fn a_staged_file_is_invisible_until_committed_and_gone_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old").unwrap();
        let staged = stage(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(leftovers(dir.path()).len(), 1, "the temporary file");
        drop(staged);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(leftovers(dir.path()).is_empty());
        stage(&path, b"new").unwrap().commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("Fastfile");
        assert!(write_atomic(&path, b"x").is_err());
        assert!(!path.exists());
    }
}
