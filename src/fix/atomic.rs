//! Atomic file replacement: a reader sees either the old file or the new one.
//!
//! A path that is a symbolic link is written through: the file it leads to is replaced, and the
//! link kept. A file replaced with what it held when it was read ([`Replacement::before`]) is
//! checked just before the rename, and left as it is if it changed on disk meanwhile (an editor
//! saved it while `--fix` ran), rather than that change being lost.

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
    /// The file replaced: the path given, or the file its symbolic links lead to.
    path: PathBuf,
}

/// The file a write to `path` replaces: `path`, or, when it is a symbolic link, the file the link
/// leads to (renaming over the link would replace the link with a copy).
fn target_of(path: &Path) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path),
        Ok(_) => Ok(path.to_path_buf()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(e),
    }
}

/// The first half of [`write_atomic`]: the temporary file, written, flushed to disk and given
/// the replaced file's permissions.
pub fn stage(path: &Path, contents: &[u8]) -> std::io::Result<Staged> {
    let path = target_of(path)?;
    let old = match std::fs::metadata(&path) {
        Ok(meta) if !writable(&path, &meta) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                READ_ONLY,
            ))
        }
        Ok(meta) => {
            if let Some(why) = hard_linked(&meta) {
                return Err(std::io::Error::other(why));
            }
            Some(meta)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut tmp = temp_beside(&path, None)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(old) = old {
        keep_owner(tmp.as_file(), &old);
        tmp.as_file().set_permissions(old.permissions())?;
    }
    Ok(Staged {
        temp: tmp.into_temp_path(),
        path,
    })
}

/// Gives the new file the replaced one's owner and group, where this user may: always as root
/// (`--fix` run as root in a container over a mounted checkout would otherwise leave the files
/// owned by root), the group alone when the user belongs to it; otherwise the new file is the
/// user's, as with any write by rename. Before the permissions are set: changing the owner
/// clears the set-user-id and set-group-id bits.
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, old);
}

/// Why [`stage`] refuses to replace a file.
pub const READ_ONLY: &str =
    "it is read-only, so it was left as it is (make it writable, or open it for editing, and run fastlint again)";

/// Whether the file at `path` may be written: it has a write permission (version control systems
/// such as Perforce clear them all on files not opened for editing), and this user may write it.
/// Renaming over a file needs only its folder to be writable, so without this `--fix` would
/// replace files an editor refuses to save.
fn writable(path: &Path, meta: &std::fs::Metadata) -> bool {
    if meta.permissions().readonly() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: a valid, NUL-terminated path.
        unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Why a file with more than one name (hard links) is not replaced: a rename gives the new text
/// to this name only, and the other names would keep the old one, unseen. Writing the file in
/// place would reach them all, but an interrupted write would leave half of it.
fn hard_linked(meta: &std::fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let names = meta.nlink();
        (names > 1).then(|| {
            format!(
                "it has {names} hard links, and replacing it would change this one alone, so it was left as it is (make it a file of its own, or a symbolic link to one, and run fastlint again)"
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Why [`Staged::commit_over`] left a file as it was.
pub const CHANGED_ON_DISK: &str =
    "it changed on disk after it was read, so it was left as it is (run fastlint again)";

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

    /// [`Staged::commit`], only if the file still holds `before`; else an error
    /// ([`CHANGED_ON_DISK`]) and the temporary file removed. Checked just before the rename:
    /// a change made between the check and the rename is still lost, a window of microseconds
    /// rather than the whole run.
    pub fn commit_over(self, before: &[u8]) -> std::io::Result<()> {
        match crate::plain_file::read(&self.path) {
            Ok(now) if now == before => self.commit(),
            Ok(_) => Err(std::io::Error::other(CHANGED_ON_DISK)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(std::io::Error::other(
                "it was removed after it was read, so it was not written again",
            )),
            Err(e) => Err(e),
        }
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

/// A file for [`write_all_atomic`] to replace.
pub struct Replacement<'a> {
    pub path: &'a Path,
    /// What the file held when it was read: it is replaced only if it still does.
    pub before: &'a [u8],
    pub after: &'a [u8],
}

/// Writes each replacement as [`write_atomic`] does, up to [`WRITERS`] at a time, in two passes:
/// every temporary file first, then the renames (each only over a file that still holds what it
/// held when it was read). Creating files while the renames free the old ones' inodes makes the
/// file system look past every freshly freed inode for each new one (ext4 does), which costs more
/// than the writes. The results are in the order given.
pub fn write_all_atomic(files: &[Replacement]) -> Vec<std::io::Result<()>> {
    let staged = in_parallel(files, |file| stage(file.path, file.after));
    let staged: Vec<Mutex<Option<std::io::Result<Staged>>>> =
        staged.into_iter().map(|s| Mutex::new(Some(s))).collect();
    let pairs: Vec<_> = staged.iter().zip(files).collect();
    in_parallel(&pairs, |(slot, file)| {
        let taken = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        match taken {
            Some(Ok(staged)) => staged.commit_over(file.before),
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
    fn a_hard_linked_file_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old").unwrap();
        let other = dir.path().join("Fastfile.other");
        std::fs::hard_link(&path, &other).unwrap();
        let err = write_atomic(&path, b"new").unwrap_err();
        assert!(err.to_string().starts_with("it has 2 hard links"), "{err}");
        for p in [&path, &other] {
            assert_eq!(std::fs::read_to_string(p).unwrap(), "old");
        }
        // No temporary file is left beside it.
        assert_eq!(leftovers(dir.path()), ["Fastfile.other"]);
        // With the other name gone, it is a file of its own again.
        std::fs::remove_file(&other).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
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

    #[cfg(unix)]
    #[test]
    fn keeps_owner_and_group_where_it_may() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old").unwrap();
        // Only root may give a file to someone else.
        if std::os::unix::fs::chown(&path, Some(12_345), Some(23_456)).is_err() {
            eprintln!("skipped: not running as root, so no file can be given to another user");
            return;
        }
        write_atomic(&path, b"new").unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (12_345, 23_456));
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn writes_many_files_and_reports_each_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = (0..40)
            .map(|i| dir.path().join(format!("f{i}")))
            .chain([dir.path().join("nope").join("Fastfile")])
            .collect();
        let olds: Vec<String> = (0..paths.len()).map(|i| format!("old {i}\n")).collect();
        for (path, old) in paths.iter().zip(&olds).take(40) {
            std::fs::write(path, old).unwrap();
        }
        // Changed by someone else after it was read as `old 7`.
        std::fs::write(&paths[7], "edited meanwhile\n").unwrap();
        let texts: Vec<String> = (0..paths.len()).map(|i| format!("text {i}\n")).collect();
        let files: Vec<Replacement> = paths
            .iter()
            .zip(&olds)
            .zip(&texts)
            .map(|((p, old), t)| Replacement {
                path: p.as_path(),
                before: old.as_bytes(),
                after: t.as_bytes(),
            })
            .collect();
        let results = write_all_atomic(&files);
        assert_eq!(results.len(), 41);
        for (i, r) in results.iter().enumerate().take(40).filter(|(i, _)| *i != 7) {
            assert!(r.is_ok(), "{i}: {r:?}");
            assert_eq!(std::fs::read_to_string(&paths[i]).unwrap(), texts[i]);
        }
        let refused = results[7].as_ref().unwrap_err().to_string();
        assert_eq!(refused, CHANGED_ON_DISK);
        assert_eq!(
            std::fs::read_to_string(&paths[7]).unwrap(),
            "edited meanwhile\n"
        );
        assert!(results[40].is_err());
        assert!(
            !std::fs::read_dir(dir.path()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".fastlint-tmp")),
            "no temporary file is left"
        );
        assert!(write_all_atomic(&[]).is_empty());
    }

    #[test]
    fn a_file_changed_or_removed_after_it_was_read_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "old").unwrap();
        let staged = stage(&path, b"new").unwrap();
        std::fs::write(&path, "saved by an editor").unwrap();
        let e = staged.commit_over(b"old").unwrap_err();
        assert_eq!(e.to_string(), CHANGED_ON_DISK);
        assert_eq!(std::fs::read(&path).unwrap(), b"saved by an editor");
        assert!(leftovers(dir.path()).is_empty());

        let staged = stage(&path, b"new").unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(staged.commit_over(b"saved by an editor").is_err());
        assert!(!path.exists(), "not written again");
        assert!(leftovers(dir.path()).is_empty());

        std::fs::write(&path, "old").unwrap();
        stage(&path, b"new").unwrap().commit_over(b"old").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_left_as_it_is() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("Fastfile");
        let open = dir.path().join("Appfile");
        std::fs::write(&locked, "old").unwrap();
        std::fs::write(&open, "old").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
        let results = write_all_atomic(&[
            Replacement {
                path: &locked,
                before: b"old",
                after: b"new",
            },
            Replacement {
                path: &open,
                before: b"old",
                after: b"new",
            },
        ]);
        let e = results[0].as_ref().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(e.to_string(), READ_ONLY);
        assert!(results[1].is_ok());
        assert_eq!(std::fs::read(&locked).unwrap(), b"old");
        assert_eq!(std::fs::read(&open).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("shared")).unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        let target = dir.path().join("shared").join("Fastfile");
        std::fs::write(&target, "old").unwrap();
        // A link to a link, relative, as a repository holds it.
        let first = dir.path().join("app").join("Fastfile.shared");
        std::os::unix::fs::symlink("../shared/Fastfile", &first).unwrap();
        let link = dir.path().join("app").join("Fastfile");
        std::os::unix::fs::symlink("Fastfile.shared", &link).unwrap();
        write_all_atomic(&[Replacement {
            path: &link,
            before: b"old",
            after: b"new",
        }])
        .into_iter()
        .for_each(|r| r.unwrap());
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(std::fs::symlink_metadata(&first).unwrap().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let names = |d: &Path| {
            let mut n: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        assert_eq!(
            names(&dir.path().join("app")),
            ["Fastfile", "Fastfile.shared"]
        );
        assert_eq!(names(&dir.path().join("shared")), ["Fastfile"]);
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
