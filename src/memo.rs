//! What a run learns of the file system and keeps while it runs: the canonical form of each
//! folder, the `Gemfile.lock` that governs a folder, which folders hold a `.git`, and the canonical
//! form of the files of the folders at hand. A run checks thousands of fastlane folders that share
//! their parents, so each of these is looked up once rather than once per folder.
//!
//! Each thread keeps its own ([`with`]), so the per-folder work takes no lock. [`begin_run`]
//! starts every thread's afresh (each [`crate::load::load`] and each [`crate::pipeline`] run is a
//! run), so a file changed between two runs in one process is read again.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::HashMap;

use crate::version::Version;

static RUN: AtomicU64 = AtomicU64::new(0);

/// What one thread has learnt during the current run.
#[derive(Default)]
pub struct Memo {
    /// Folder → its canonical form.
    pub canonical_dirs: HashMap<PathBuf, PathBuf>,
    /// File → its canonical form, for the folders being loaded (see [`forget_files`]).
    pub canonical_files: HashMap<PathBuf, PathBuf>,
    /// Canonical folder → the fastlane version of the `Gemfile.lock` at or above it, with that
    /// file's path as shown.
    pub gemfile_locks: HashMap<PathBuf, Option<Rc<(Version, String)>>>,
    /// Canonical folder → whether it holds a `.git`.
    pub has_git: HashMap<PathBuf, bool>,
}

thread_local! {
    static MEMO: RefCell<(u64, Memo)> = RefCell::default();
}

/// Starts a new run: what every thread remembers is forgotten before its next use.
pub fn begin_run() {
    RUN.fetch_add(1, Ordering::Relaxed);
}

/// Ends a run: every thread of the pool forgets what it learnt, so that the memory goes to
/// printing the report.
pub fn end_run() {
    begin_run();
    rayon::broadcast(|_| with(|_| ()));
}

/// Forgets the canonical forms of files: each folder's files are looked up while it is loaded
/// and checked, so only the folders at hand are kept.
pub fn forget_files() {
    with(|memo| memo.canonical_files.clear());
}

/// Whether the (canonical) folder `dir` holds a `.git`, looked up once per run and thread.
pub fn has_git(dir: &std::path::Path) -> bool {
    if let Some(&hit) = with(|memo| memo.has_git.get(dir).copied()).as_ref() {
        return hit;
    }
    let found = dir.join(".git").exists();
    with(|memo| memo.has_git.insert(dir.to_path_buf(), found));
    found
}

/// Runs `f` with this thread's memo of the current run. `f` must not call `with` again.
pub fn with<R>(f: impl FnOnce(&mut Memo) -> R) -> R {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let run = RUN.load(Ordering::Relaxed);
        if memo.0 != run {
            *memo = (run, Memo::default());
        }
        f(&mut memo.1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_run_forgets_what_the_last_one_learnt() {
        let key = PathBuf::from("/nowhere/memo-test");
        with(|m| m.canonical_dirs.insert(key.clone(), key.clone()));
        assert!(with(|m| m.canonical_dirs.contains_key(&key)));
        begin_run();
        assert!(!with(|m| m.canonical_dirs.contains_key(&key)));
    }
}
