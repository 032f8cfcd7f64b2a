//! Whether git ignores a path: the `.gitignore` files from the repository's top folder down to the
//! path's folder, matched by the `ignore` crate's `gitignore` module (the matcher ripgrep uses).
//!
//! FL017 reads it: a key file path that git ignores is one the user keeps out of the repository on
//! purpose, for CI to write before fastlane runs.

use std::path::{Component, Path, PathBuf};

use foldhash::HashMap;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// The `.gitignore` files read so far, by folder, and the file system lookups already made.
#[derive(Default)]
pub struct GitIgnores {
    /// Folder → its `.gitignore`, `None` where it has none.
    by_dir: HashMap<PathBuf, Option<Gitignore>>,
    /// Project root → the top of its repository (canonical).
    tops: HashMap<PathBuf, Option<PathBuf>>,
    /// Path → its canonical form, or `None` where it does not exist.
    canonical: HashMap<PathBuf, Option<PathBuf>>,
    cwd: Option<Option<PathBuf>>,
}

impl GitIgnores {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether git ignores `path` (relative to the current folder, or absolute), in the repository
    /// that holds `project_root`. Without a repository (no `.git` at or above the project root), the
    /// project root stands for its top. A path outside the top is never ignored.
    pub fn is_ignored(&mut self, project_root: &Path, path: &Path) -> bool {
        let Some(top) = self.top(project_root) else {
            return false;
        };
        let path = if path.is_absolute() {
            normalize(path)
        } else {
            let cwd = self.cwd.get_or_insert_with(|| std::env::current_dir().ok());
            match cwd {
                Some(cwd) => normalize(&cwd.join(path)),
                None => return false,
            }
        };
        // `path` is lexically normal but its folders may be symbolic links: compare from the
        // canonical form of the deepest folder that exists.
        let path = self.canonical_prefix(&path);
        let Ok(rel) = path.strip_prefix(&top) else {
            return false;
        };
        let parts: Vec<&std::ffi::OsStr> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s),
                _ => None,
            })
            .collect();
        // Top-down, as git walks: a folder that is ignored hides everything below it, and within a
        // level the deepest `.gitignore` that has a say decides (so a `!pattern` there re-includes).
        let mut levels = vec![top.clone()];
        let mut at = top;
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            let is_dir = !last || at.is_dir();
            for dir in levels.iter().rev() {
                let Some(gitignore) = self.of(dir) else {
                    continue;
                };
                match gitignore.matched(&at, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => break,
                    Match::None => {}
                }
            }
            if !last {
                levels.push(at.clone());
            }
        }
        false
    }

    /// The top of the repository that holds `project_root`: the nearest folder at or above it with
    /// a `.git`, else the project root itself. `None` when the project root does not exist.
    fn top(&mut self, project_root: &Path) -> Option<PathBuf> {
        if let Some(top) = self.tops.get(project_root) {
            return top.clone();
        }
        let top = std::fs::metadata(project_root).ok().map(|_| {
            let root = crate::load::canonical_dir(project_root);
            root.ancestors()
                .find(|d| crate::memo::has_git(d))
                .unwrap_or(&root)
                .to_path_buf()
        });
        self.tops.insert(project_root.to_path_buf(), top.clone());
        top
    }

    /// `path` with its deepest existing ancestor replaced by that ancestor's canonical form.
    fn canonical_prefix(&mut self, path: &Path) -> PathBuf {
        for base in path.ancestors() {
            let canon = match self.canonical.get(base) {
                Some(hit) => hit.clone(),
                None => {
                    // A missing path is skipped with one `stat`, not a `realpath`.
                    let canon = std::fs::metadata(base)
                        .ok()
                        .map(|_| crate::load::canonical_dir(base));
                    self.canonical.insert(base.to_path_buf(), canon.clone());
                    canon
                }
            };
            if let Some(canon) = canon {
                let rest = path.strip_prefix(base).unwrap_or(Path::new(""));
                return if rest.as_os_str().is_empty() {
                    canon
                } else {
                    canon.join(rest)
                };
            }
        }
        path.to_path_buf()
    }

    /// The `.gitignore` of one folder, if it has one.
    fn of(&mut self, dir: &Path) -> Option<&Gitignore> {
        self.by_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let file = dir.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut builder = GitignoreBuilder::new(dir);
                // A line that is not a valid glob is skipped; the others still count, as in git.
                let _ = builder.add(&file);
                builder.build().ok()
            })
            .as_ref()
    }
}

/// A path with `.` and `name/..` taken out, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::create_dir_all(dir.path().join("app/fastlane")).unwrap();
        dir
    }

    fn ignored(top: &Path, rel: &str) -> bool {
        GitIgnores::new().is_ignored(&top.join("app"), &top.join("app").join(rel))
    }

    #[test]
    fn reads_every_gitignore_from_the_top_down() {
        let dir = repo();
        let top = dir.path();
        assert!(!ignored(top, "AuthKey.p8"));
        fs::write(top.join(".gitignore"), "*.p8\n").unwrap();
        assert!(ignored(top, "AuthKey.p8"));
        assert!(ignored(top, "keys/ci/AuthKey.p8"));
        assert!(!ignored(top, "api_key.json"));
        fs::write(top.join("app/fastlane/.gitignore"), "api_key.json\n").unwrap();
        assert!(ignored(top, "fastlane/api_key.json"));
        // A folder's .gitignore speaks only for what is below it.
        assert!(!ignored(top, "api_key.json"));
    }

    #[test]
    fn a_deeper_negation_reincludes_but_not_under_an_ignored_folder() {
        let dir = repo();
        let top = dir.path();
        fs::write(top.join(".gitignore"), "*.p8\nsecrets/\n").unwrap();
        fs::write(top.join("app/.gitignore"), "!Keep.p8\n").unwrap();
        assert!(!ignored(top, "Keep.p8"));
        assert!(ignored(top, "Other.p8"));
        fs::create_dir_all(top.join("app/secrets")).unwrap();
        fs::write(top.join("app/secrets/.gitignore"), "!*\n").unwrap();
        assert!(ignored(top, "secrets/Keep.json"));
    }

    #[test]
    fn anchored_patterns_and_paths_outside_the_repository() {
        let dir = repo();
        let top = dir.path();
        fs::write(top.join(".gitignore"), "/app/keys/\n").unwrap();
        assert!(ignored(top, "keys/AuthKey.p8"));
        assert!(!ignored(top, "fastlane/keys/AuthKey.p8"));
        assert!(!ignored(top, "../../outside/AuthKey.p8"));
    }

    #[test]
    fn without_a_repository_the_project_root_is_the_top() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        fs::create_dir_all(top.join("app/fastlane")).unwrap();
        fs::write(top.join(".gitignore"), "*.p8\n").unwrap();
        assert!(!ignored(top, "AuthKey.p8"));
        fs::write(top.join("app/.gitignore"), "*.p8\n").unwrap();
        assert!(ignored(top, "AuthKey.p8"));
    }
}
