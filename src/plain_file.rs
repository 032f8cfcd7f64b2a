//! Reading files found in a repository: only plain files (after symbolic links) are read.
//!
//! Anything else named like a fastlane file is refused with an error naming what it is. Opening a
//! named pipe waits until something writes to it, and reading a device such as `/dev/zero` never
//! ends; either would stop the whole run. On Unix the file is opened without waiting
//! (`O_NONBLOCK`, which changes nothing for a plain file) and what it is is asked of the open
//! file, so it cannot be swapped for a pipe between the question and the read.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Opens `path` for reading if it is a plain file, with what the open file says of itself; else
/// an error saying what it is.
pub fn open(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    let file = open_without_waiting(path)?;
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok((file, meta));
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a plain file ({}), so it is not read", what(&kind)),
    ))
}

/// The whole of a plain file.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let (mut file, meta) = open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The whole of a plain file, as text.
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a file that is not a plain file is, in words.
fn what(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_plain_file_is_read_and_a_link_to_one_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Fastfile");
        std::fs::write(&path, "lane :x do\nend\n").unwrap();
        std::os::unix::fs::symlink("Fastfile", dir.path().join("link")).unwrap();
        assert_eq!(read_to_string(&path).unwrap(), "lane :x do\nend\n");
        assert_eq!(
            read(&dir.path().join("link")).unwrap(),
            b"lane :x do\nend\n"
        );
    }

    #[test]
    fn a_pipe_a_device_and_a_folder_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("Fastfile");
        let c = std::ffi::CString::new(pipe.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        // Nothing ever writes to it: opened as `File::open` does, this would wait for ever.
        let e = read(&pipe).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a plain file (a named pipe), so it is not read"
        );
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a plain file (a device), so it is not read"
        );
        let e = read(dir.path()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a plain file (a folder), so it is not read"
        );
    }
}
