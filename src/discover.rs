//! Finds fastlane configuration files under the given paths, by name.
//!
//! Folders that never hold a project's own fastlane setup (dependencies, build output, VCS data) are
//! pruned before they are read; a path given explicitly is always read.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use crate::knowledge::CONFIG_FILES;
use crate::source::{CiKind, FileKind};

/// Hidden folders that are read: fastlane's own and the CI configuration folders.
pub const HIDDEN_DIRS_READ: &[&str] = &[".fastlane", ".github", ".circleci"];

/// Folder names that are never descended into (unless given explicitly).
pub const PRUNED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "Pods",
    "Carthage",
    "build",
    "DerivedData",
    "vendor",
    ".bundle",
];

/// Folders of a `fastlane` folder that fastlane writes its output to (screenshots, App Store and
/// Play Store metadata, test results): images and text, never configuration.
pub const PRUNED_IN_FASTLANE: &[&str] = &["screenshots", "metadata", "test_output"];

/// A file found under the given paths.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub display: String,
    pub path: PathBuf,
    pub kind: FileKind,
}

/// A path that could not be walked or read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileError {
    pub display: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<Found>,
    pub errors: Vec<FileError>,
}

/// Shows a path as the user gave it, with `/` separators and no leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

fn is_pruned(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    PRUNED_DIRS.contains(&name)
        || (name.starts_with('.')
            && !HIDDEN_DIRS_READ.contains(&name)
            && name != "."
            && name != "..")
}

fn is_fastlane_dir(dir: &Path) -> bool {
    matches!(
        dir.file_name().and_then(OsStr::to_str),
        Some("fastlane" | ".fastlane")
    )
}

/// Decides what a file is from its name (and, for `.env` files, where it is).
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    classify_in(dir, name)
}

/// [`classify`] for the file `name` in folder `dir`.
fn classify_in(dir: &Path, name: &str) -> Option<FileKind> {
    if name == "Fastfile" || (name.ends_with("Fastfile") && !name.starts_with('.')) {
        return Some(FileKind::Fastfile);
    }
    if name == "Appfile" {
        return Some(FileKind::Appfile);
    }
    if name == "Fastfile.swift" {
        return Some(FileKind::SwiftFastfile);
    }
    if let Some(config) = CONFIG_FILES.iter().find(|c| **c == name) {
        return Some(FileKind::Config(config));
    }
    if let Some(kind) = classify_ci(dir, name) {
        return Some(FileKind::Ci(kind));
    }
    if name.ends_with(".p8") && name.len() > 3 {
        return Some(FileKind::PrivateKey);
    }
    if name == ".env" || name.starts_with(".env.") {
        // dotenv loads from the fastlane folder, or from its parent when the folder has none.
        if is_fastlane_dir(dir) || dir.join("fastlane").is_dir() || dir.join(".fastlane").is_dir() {
            return Some(FileKind::DotEnv);
        }
    }
    None
}

/// CI configuration files, by name and folder.
fn classify_ci(dir: &Path, name: &str) -> Option<CiKind> {
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if !yaml && name != "Jenkinsfile" {
        return None;
    }
    fn name_of(p: &Path) -> Option<&str> {
        p.file_name().and_then(OsStr::to_str)
    }
    let parent_name = name_of(dir);
    Some(match name {
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => CiKind::GitLab,
        "bitrise.yml" | "bitrise.yaml" => CiKind::Bitrise,
        "azure-pipelines.yml" | "azure-pipelines.yaml" => CiKind::Azure,
        "Jenkinsfile" => CiKind::Jenkins,
        "config.yml" | "config.yaml" if parent_name == Some(".circleci") => CiKind::CircleCi,
        _ if parent_name == Some("workflows")
            && dir.parent().and_then(name_of) == Some(".github") =>
        {
            CiKind::GitHub
        }
        _ => return None,
    })
}

/// Walks a folder tree in parallel, a folder per task on the thread pool the rest of the run
/// uses. Links are not followed (a link is classified by its name like a file), and pruned
/// folders are never opened. Every file is kept whatever ignore files say: fastlane reads
/// git-ignored files such as `fastlane/.env` too.
fn walk_tree(root: &Path, out: &mut Discovery) {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let walk = Walk {
        found: &found,
        errors: &errors,
    };
    rayon::scope(|scope| walk.folder(scope, root.to_path_buf()));
    out.files
        .extend(found.into_inner().unwrap_or_else(|p| p.into_inner()));
    out.errors
        .extend(errors.into_inner().unwrap_or_else(|p| p.into_inner()));
}

/// What a walk collects, shared by its tasks.
#[derive(Clone, Copy)]
struct Walk<'a> {
    found: &'a Mutex<Vec<Found>>,
    errors: &'a Mutex<Vec<FileError>>,
}

impl<'a> Walk<'a> {
    /// Lists `dir`: files are classified by name, each folder not pruned becomes a task.
    fn folder<'s>(self, scope: &rayon::Scope<'s>, dir: PathBuf)
    where
        'a: 's,
    {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => return self.error(&dir, &e),
        };
        let mut found = Vec::new();
        let in_fastlane = is_fastlane_dir(&dir);
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.error(&dir, &e);
                    continue;
                }
            };
            let name = entry.file_name();
            let is_dir = match entry.file_type() {
                Ok(t) => t.is_dir(),
                Err(e) => {
                    self.error(&entry.path(), &e);
                    continue;
                }
            };
            if is_dir {
                let output = in_fastlane
                    && name
                        .to_str()
                        .is_some_and(|n| PRUNED_IN_FASTLANE.contains(&n));
                if !is_pruned(&name) && !output {
                    let path = entry.path();
                    scope.spawn(move |scope| self.folder(scope, path));
                }
            } else if let Some(kind) = name.to_str().and_then(|n| classify_in(&dir, n)) {
                let path = entry.path();
                found.push(Found {
                    display: display_path(&path),
                    path,
                    kind,
                });
            }
        }
        if !found.is_empty() {
            self.found
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(found);
        }
    }

    fn error(self, path: &Path, e: &std::io::Error) {
        let error = FileError {
            display: display_path(path),
            message: e.to_string(),
        };
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(error);
    }
}

/// Walks every path and returns the fastlane files in a stable order.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut out = Discovery::default();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                };
                out.errors.push(FileError {
                    display: display_path(root),
                    message,
                });
                continue;
            }
        };
        if meta.is_file() {
            // A file given by name is always read; an unknown name is taken as a Fastfile (a `.json`
            // file as a JSON key file).
            let kind = classify(root).unwrap_or_else(|| {
                if root.extension().is_some_and(|e| e == "json") {
                    FileKind::KeyJson
                } else {
                    FileKind::Fastfile
                }
            });
            out.files.push(Found {
                display: display_path(root),
                path: root.clone(),
                kind,
            });
            continue;
        }
        walk_tree(root, &mut out);
    }
    out.files.sort();
    // The same file reached through two spellings (`check . other`) is read once.
    let mut seen = std::collections::HashSet::new();
    // (One root cannot reach a file twice: links are not followed.)
    if paths.len() > 1 {
        out.files.retain(|f| {
            seen.insert(std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone()))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name() {
        assert_eq!(
            classify(Path::new("fastlane/Fastfile")),
            Some(FileKind::Fastfile)
        );
        assert_eq!(
            classify(Path::new("fastlane/BetaFastfile")),
            Some(FileKind::Fastfile)
        );
        assert_eq!(
            classify(Path::new("fastlane/Appfile")),
            Some(FileKind::Appfile)
        );
        assert_eq!(
            classify(Path::new("fastlane/Matchfile")),
            Some(FileKind::Config("Matchfile"))
        );
        assert_eq!(
            classify(Path::new("fastlane/.env.default")),
            Some(FileKind::DotEnv)
        );
        assert_eq!(classify(Path::new("src/.env")), None);
        assert_eq!(classify(Path::new("fastlane/README.md")), None);
        assert_eq!(
            classify(Path::new(".github/workflows/ios.yml")),
            Some(FileKind::Ci(CiKind::GitHub))
        );
        assert_eq!(
            classify(Path::new("app/.github/workflows/ios.yaml")),
            Some(FileKind::Ci(CiKind::GitHub))
        );
        assert_eq!(classify(Path::new(".github/ios.yml")), None);
        assert_eq!(classify(Path::new("workflows/ios.yml")), None);
        assert_eq!(
            classify(Path::new(".circleci/config.yml")),
            Some(FileKind::Ci(CiKind::CircleCi))
        );
        assert_eq!(classify(Path::new("config.yml")), None);
        assert_eq!(
            classify(Path::new(".gitlab-ci.yml")),
            Some(FileKind::Ci(CiKind::GitLab))
        );
        assert_eq!(
            classify(Path::new("bitrise.yml")),
            Some(FileKind::Ci(CiKind::Bitrise))
        );
        assert_eq!(
            classify(Path::new("azure-pipelines.yml")),
            Some(FileKind::Ci(CiKind::Azure))
        );
        assert_eq!(
            classify(Path::new("Jenkinsfile")),
            Some(FileKind::Ci(CiKind::Jenkins))
        );
        assert_eq!(
            classify(Path::new("keys/AuthKey_ABC123.p8")),
            Some(FileKind::PrivateKey)
        );
        assert_eq!(
            classify(Path::new("fastlane/Fastfile.swift")),
            Some(FileKind::SwiftFastfile)
        );
        assert!(is_pruned(OsStr::new(".git")));
        assert!(is_pruned(OsStr::new(".idea")));
        assert!(!is_pruned(OsStr::new(".github")));
        assert!(!is_pruned(OsStr::new(".circleci")));
    }

    #[test]
    fn display_strips_dot_slash() {
        assert_eq!(
            display_path(Path::new("./fastlane/Fastfile")),
            "fastlane/Fastfile"
        );
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("a/b")), "a/b");
    }
}
