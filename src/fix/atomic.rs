//! Atomic file replacement: a reader sees either the old file or the new one.

use std::io::Write;
use std::path::Path;

/// Replace `path` with `contents` atomically: write a temporary file in the same
/// folder, flush it to disk, give it the original file's permissions, then rename
/// it over `path`. On error the original is left as it was and the temporary file
/// is removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".fastlint-tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(perms) = permissions {
        tmp.as_file().set_permissions(perms)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable where the platform allows it.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// How many files [`write_all_atomic`] writes at once: each write mostly waits on the disk
/// (`fsync`), so more writes are in flight than there are cores.
pub const WRITERS: usize = 16;

/// Writes each `(path, contents)` with [`write_atomic`], up to [`WRITERS`] at a time. The results
/// are in the order given.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Vec<std::io::Result<()>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::io::Result<()>>>> =
        Mutex::new(files.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..WRITERS.min(files.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, contents)) = files.get(i) else {
                    break;
                };
                let result = write_atomic(path, contents);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("not written"))))
        .collect()
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
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("Fastfile");
        assert!(write_atomic(&path, b"x").is_err());
        assert!(!path.exists());
    }
}
