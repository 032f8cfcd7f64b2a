//! `--fix` killed at any moment leaves every file either as it was or as `--fix` writes it, never
//! half-written: each file is written to a temporary file beside it, flushed, and renamed over it.
//! A kill can leave such temporary files (`.NAME.*.fastlint-tmp`) behind, nothing else.

mod ci_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use ci_common::{copy_dir, fix_cases, snapshot};

/// Every file under `dir`, by path relative to it.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(dir).into_iter().collect()
}

/// Many projects: each `fixtures/fix` case's `before/` folder, several times over.
fn make_projects(dir: &Path) {
    let cases = fix_cases();
    for copy in 0..8 {
        for case in &cases {
            let name = case.file_name().unwrap().to_string_lossy();
            copy_dir(&case.join("before"), &dir.join(format!("{name}-{copy}")));
        }
    }
}

fn fix(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", "--fix", "--format", "json", "."])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_kill_at_any_moment_leaves_each_file_old_or_new() {
    let tmp = tempfile::tempdir().unwrap();
    let original_dir = tmp.path().join("original");
    make_projects(&original_dir);
    let original = contents(&original_dir);

    // What a run to the end writes.
    let done_dir = tmp.path().join("done");
    copy_dir(&original_dir, &done_dir);
    let start = Instant::now();
    fix(&done_dir).wait().unwrap();
    let full_run = start.elapsed();
    let done = contents(&done_dir);
    let rewritten = original.iter().filter(|(p, b)| done[*p] != **b).count();
    assert!(rewritten > 100, "only {rewritten} files rewritten");
    assert_eq!(
        done.len(),
        original.len(),
        "a full run leaves no extra file"
    );

    let mut partial = 0;
    let steps = 24;
    for step in 0..steps {
        let dir = tmp.path().join(format!("killed-{step}"));
        copy_dir(&original_dir, &dir);
        let mut child = fix(&dir);
        // Spread over the length of a full run, and a little past it.
        std::thread::sleep(full_run.mul_f64(step as f64 / (steps - 4) as f64));
        let _ = child.kill();
        child.wait().unwrap();
        let after = contents(&dir);
        let mut new = 0;
        for (path, bytes) in &after {
            match original.get(path) {
                Some(old) if bytes == old => {}
                Some(_) => {
                    assert!(
                        *bytes == done[path],
                        "{}: neither the old nor the new file after a kill at step {step}",
                        path.display()
                    );
                    new += 1;
                }
                None => {
                    let name = path.file_name().unwrap().to_string_lossy();
                    assert!(
                        name.starts_with('.') && name.ends_with(".fastlint-tmp"),
                        "{}: an unexpected file after a kill at step {step}",
                        path.display()
                    );
                }
            }
        }
        for path in original.keys() {
            assert!(after.contains_key(path), "{} is gone", path.display());
        }
        if new > 0 && new < rewritten {
            partial += 1;
        }
    }
    // How many kills landed while files were being replaced (timing-dependent, so not asserted).
    eprintln!("{partial} of {steps} kills landed between the first and the last rename");
}
