//! What `--fix` writes, and what it leaves as it is:
//! - a Fastfile kept once and linked from several fastlane folders: the links are kept and the
//!   file they lead to is rewritten in place, once; when the folders would rewrite it
//!   differently, it is left as it is and the run says why;
//! - a read-only Fastfile is left as it is, and not counted as changed;
//! - so is a hard-linked one: a rename would give the new text to one of its names alone;
//! - after a rewrite left undone, the report shows the files as they are on disk.
//!
//! A file changed on disk while `--fix` runs is left as it is too: `src/fix/atomic.rs` tests it,
//! as a run cannot be paused at that moment from here.

#![cfg(unix)]

mod common;

use common::{repo_root, run_in};
use std::os::unix::fs::symlink;
use std::path::Path;

/// `shared/Fastfile` holding `text`, linked from `a/fastlane` and `b/fastlane`.
fn linked_twice(root: &Path, text: &str) {
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(root.join("shared/Fastfile"), text).unwrap();
    for folder in ["a", "b"] {
        let fastlane = root.join(folder).join("fastlane");
        std::fs::create_dir_all(&fastlane).unwrap();
        symlink("../../shared/Fastfile", fastlane.join("Fastfile")).unwrap();
    }
}

/// `--diff` over `text` as the one Fastfile of `a/fastlane`: the measure of what one rewrite of
/// a linked file is.
fn diff_of_one_copy(text: &str) -> common::Run {
    let single = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(single.path().join("a/fastlane")).unwrap();
    std::fs::write(single.path().join("a/fastlane/Fastfile"), text).unwrap();
    run_in(single.path(), &["check", ".", "--diff"])
}

fn assert_links_kept(root: &Path) {
    for folder in ["a", "b"] {
        let link = root.join(folder).join("fastlane/Fastfile");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "{} is no longer a link",
            link.display()
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("../../shared/Fastfile")
        );
    }
}

/// The headline of `--diff` / `--fix`'s summary (`N files would change, …`).
fn headline(output: &str) -> String {
    output
        .lines()
        .find(|l| l.contains(" would change,") || l.contains(" changed,"))
        .unwrap_or_else(|| panic!("no summary in:\n{output}"))
        .to_string()
}

#[test]
fn a_fastfile_two_folders_link_to_is_rewritten_once_through_the_links() {
    let case = repo_root().join("fixtures/fix/aliases");
    let before = std::fs::read_to_string(case.join("before/fastlane/Fastfile")).unwrap();
    let after = std::fs::read_to_string(case.join("after/fastlane/Fastfile")).unwrap();

    let one = diff_of_one_copy(&before);
    one.assert_exit(1);

    let dir = tempfile::tempdir().unwrap();
    linked_twice(dir.path(), &before);
    let diff = run_in(dir.path(), &["check", ".", "--diff"]);
    diff.assert_exit(1);
    assert_eq!(
        diff.stdout.matches("\n+++ ").count() + usize::from(diff.stdout.starts_with("+++ ")),
        1,
        "one diff for the one file\n{}",
        diff.describe()
    );
    assert_eq!(diff.stdout, one.stdout, "the diff of a single copy");
    assert_eq!(headline(&diff.stderr), headline(&one.stderr));

    let fixed = run_in(dir.path(), &["check", ".", "--fix"]);
    fixed.assert_no_panic();
    // Counted once: what one copy would change, applied.
    assert_eq!(
        headline(&fixed.all_output()),
        headline(&one.stderr)
            .replace("would change", "changed")
            .replace("to migrate", "migrated"),
        "{}",
        fixed.describe()
    );
    assert_links_kept(dir.path());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shared/Fastfile")).unwrap(),
        after
    );
    let names: Vec<_> = std::fs::read_dir(dir.path().join("shared"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["Fastfile"], "no temporary file left");

    let again = run_in(dir.path(), &["check", ".", "--diff"]);
    assert!(again.stdout.is_empty(), "{}", again.describe());
}

#[test]
fn what_is_left_of_a_linked_fastfile_is_listed_once() {
    let text = "lane :push_certs do\n  pem(username: \"me@example.com\")\nend\n\n\
        lane :release do\n  deliver(submit_for_review: true)\nend\n\n\
        lane :certs do\n  match(type: \"appstore\", storage_mode: \"google_cloud\", google_cloud_bucket_name: \"certs\")\nend\n";
    let one = diff_of_one_copy(text);
    one.assert_exit(1);
    // The summary, a lane left as it is and an option to add by hand, each once.
    assert!(
        one.stderr.starts_with(
            "1 file would change, 2 calls to migrate in 2 lanes; 1 lane left as it is; 1 option to add by hand\n"
        ),
        "{}",
        one.describe()
    );
    assert_eq!(one.stderr.matches("push_certs blocked by pem").count(), 1);
    assert_eq!(
        one.stderr.matches("`team_id: \"...\"` in `match`").count(),
        1
    );

    let dir = tempfile::tempdir().unwrap();
    linked_twice(dir.path(), text);
    let two = run_in(dir.path(), &["check", ".", "--diff"]);
    two.assert_exit(1);
    assert_eq!(two.stderr, one.stderr, "{}", two.describe());
    assert_eq!(two.stdout, one.stdout);
}

#[test]
fn a_linked_fastfile_its_folders_would_rewrite_differently_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = "lane :certs do\n  match(type: \"appstore\", username: \"me@example.com\")\nend\n";
    linked_twice(dir.path(), text);
    // Folder `a` gives `match` its key in the Matchfile; folder `b` does not.
    std::fs::write(
        dir.path().join("a/fastlane/Matchfile"),
        "api_key_path(\"fastlane/key.json\")\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a/fastlane/key.json"),
        r#"{"key_id":"ABC123","issuer_id":"69a6de70-0000-0000-0000-000000000000","key":"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----"}"#,
    )
    .unwrap();

    for flag in ["--diff", "--fix"] {
        let run = run_in(dir.path(), &["check", ".", flag]);
        run.assert_exit(2);
        assert!(
            run.stderr.contains(
                "a/fastlane/Fastfile: the same file as b/fastlane/Fastfile, which its two fastlane folders would rewrite differently; it is kept as it is"
            ),
            "{}",
            run.describe()
        );
        assert!(!run.stdout.contains("+++ "), "{}", run.describe());
        if flag == "--fix" {
            // The report shows the file as it is, `username:` and all.
            assert!(
                run.stdout.contains("2 diagnostics (FL001 1, FL008 1)"),
                "{}",
                run.describe()
            );
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("shared/Fastfile")).unwrap(),
            text
        );
        assert_links_kept(dir.path());
    }
}

/// The one-lane Fastfile of [`beside_an_open_one`].
const PILOT_LANE: &str = "lane :beta do\n  pilot\nend\n";

/// `<folder>/fastlane/Fastfile` and `open/fastlane/Fastfile`, each [`PILOT_LANE`]; the path of
/// the first.
fn beside_an_open_one(root: &Path, folder: &str) -> std::path::PathBuf {
    for folder in [folder, "open"] {
        std::fs::create_dir_all(root.join(folder).join("fastlane")).unwrap();
        std::fs::write(root.join(folder).join("fastlane/Fastfile"), PILOT_LANE).unwrap();
    }
    root.join(folder).join("fastlane/Fastfile")
}

/// Runs `--fix` over `root`, and checks that it left `path` as it is, saying `why`, and wrote
/// the other Fastfile alone (exit 2).
fn fix_leaves(root: &Path, path: &str, why: &str) -> common::Run {
    let fixed = run_in(root, &["check", ".", "--fix"]);
    fixed.assert_exit(2);
    let error = format!("error: {path}: cannot write: {why}");
    assert!(fixed.stderr.contains(&error), "{}", fixed.describe());
    assert_eq!(
        headline(&fixed.all_output()),
        "1 file changed, 1 call migrated in 1 lane",
        "{}",
        fixed.describe()
    );
    assert!(std::fs::read_to_string(root.join("open/fastlane/Fastfile"))
        .unwrap()
        .contains("pilot(api_key: api_key)"));
    fixed
}

#[test]
fn a_read_only_fastfile_is_left_as_it_is_and_not_counted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = PILOT_LANE;
    let locked = beside_an_open_one(dir.path(), "locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();

    let diff = run_in(dir.path(), &["check", ".", "--diff"]);
    diff.assert_exit(1);
    assert_eq!(
        headline(&diff.stderr),
        "2 files would change, 2 calls to migrate in 2 lanes"
    );

    let fixed = fix_leaves(
        dir.path(),
        "locked/fastlane/Fastfile",
        "it is read-only, so it was left as it is",
    );
    // The report below shows the files as they are: the locked one not migrated.
    let row = |path: &str| {
        fixed
            .stdout
            .lines()
            .find(|l| l.starts_with("beta ") && l.contains(path))
            .unwrap_or_else(|| panic!("no lane row for {path}\n{}", fixed.describe()))
            .to_string()
    };
    assert!(row("locked/fastlane/Fastfile:1").contains(" migratable "));
    assert!(row("open/fastlane/Fastfile:1").ends_with(" api-key"));
    assert!(
        fixed.stdout.contains("[locked/fastlane/Fastfile:2:3]"),
        "its FL008 is still reported\n{}",
        fixed.describe()
    );
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), text);
    let mode = std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[test]
fn a_hard_linked_fastfile_is_left_as_it_is_and_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let linked = beside_an_open_one(dir.path(), "linked");
    // Its other name is outside any fastlane folder: nothing else would rewrite it.
    let other = dir.path().join("Fastfile.backup");
    std::fs::hard_link(&linked, &other).unwrap();

    fix_leaves(
        dir.path(),
        "linked/fastlane/Fastfile",
        "it has 2 hard links, and replacing it would change this one alone, so it was left as it is",
    );
    // Both names still hold the old text, and are still one file.
    for p in [&linked, &other] {
        assert_eq!(std::fs::read_to_string(p).unwrap(), PILOT_LANE);
    }
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&linked).unwrap().nlink(), 2);
}
