//! Where a report goes: standard output, or the `--output` file.
//!
//! The file is written under a temporary name beside its place and renamed over it only once the
//! whole report is written, so a run that fails or is stopped half-way leaves the file as it was
//! (or absent), never half a report. Missing folders above it are made. A file that is replaced
//! keeps its permissions; a new one gets the usual ones (`0666` less the umask). Anything that is
//! not a plain file (`/dev/stdout`, a pipe, a symbolic link) is written to in place, as it is.

use std::io::{BufWriter, StdoutLock, Write};
use std::path::{Path, PathBuf};

pub enum Output {
    Stdout(BufWriter<StdoutLock<'static>>),
    /// A device, pipe or symbolic link, written through.
    InPlace(BufWriter<std::fs::File>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// Standard output, or a report file at `path`.
    pub fn open(path: Option<&Path>) -> std::io::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(BufWriter::new(std::io::stdout().lock())));
        };
        std::fs::create_dir_all(crate::fix::atomic::folder_of(path))?;
        let permissions = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a folder",
                ))
            }
            Ok(meta) if meta.is_file() => Some(meta.permissions()),
            Ok(_) => {
                let file = std::fs::File::create(path)?;
                return Ok(Output::InPlace(BufWriter::new(file)));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            Err(_) => new_file_permissions(),
        };
        let file = crate::fix::atomic::temp_beside(path, permissions)?;
        Ok(Output::File {
            writer: BufWriter::new(file),
            path: path.to_path_buf(),
        })
    }

    /// Flushes what is left and, for a file, puts it in its place.
    pub fn done(self) -> std::io::Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush(),
            Output::InPlace(mut out) => out.flush(),
            Output::File { writer, path } => {
                let file = writer.into_inner().map_err(|e| e.into_error())?;
                file.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

/// What `File::create` gives a new file: `0666` less the umask.
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::InPlace(w) => w.write(buf),
            Output::File { writer, .. } => writer.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::InPlace(w) => w.write_all(buf),
            Output::File { writer, .. } => writer.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::InPlace(w) => w.flush(),
            Output::File { writer, .. } => writer.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_appears_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/deep/out.json");
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"{\"a\": 1}\n").unwrap();
        out.flush().unwrap();
        assert!(!path.exists(), "visible before it is done");
        out.done().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\": 1}\n");
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["out.json"]);
    }

    #[test]
    fn an_unfinished_report_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::open(Some(&path)).unwrap();
        out.write_all(b"half a rep").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_or_the_usual_ones() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept.json");
        std::fs::write(&kept, "old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        Output::open(Some(&kept)).unwrap().done().unwrap();
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        let new = dir.path().join("new.json");
        let plain = dir.path().join("plain.json");
        Output::open(Some(&new)).unwrap().done().unwrap();
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&new), mode(&plain), "as File::create makes it");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_links_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let mut null = Output::open(Some(Path::new("/dev/null"))).unwrap();
        assert!(matches!(null, Output::InPlace(_)));
        null.write_all(b"report").unwrap();
        null.done().unwrap();

        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut out = Output::open(Some(&link)).unwrap();
        out.write_all(b"new").unwrap();
        out.done().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Output::open(Some(dir.path())).is_err());
    }
}
