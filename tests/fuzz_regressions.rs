//! Inputs the fuzz targets under `fuzz/` found, kept as regression tests. The raw fuzz inputs
//! are in `fuzz/regressions/` (replay them with `fuzz_plain replay`, see `fuzz/README.md`).

use std::path::Path;
use std::process::Command;

fn check_json(root: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(root)
        .output()
        .expect("fastlint runs");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// A new folder holding `fastlane/Fastfile` with these bytes.
fn with_fastfile(fastfile: impl AsRef<[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fastlane")).unwrap();
    std::fs::write(dir.path().join("fastlane/Fastfile"), fastfile).unwrap();
    dir
}

/// A broken Fastfile (lone `\r` before each line break, a mangled call) where error recovery
/// nests one lane inside another's match: lanes must still come out sorted by line.
/// Found by `fastfile_mutations` (`fuzz/regressions/fastfile_mutations/lanes-out-of-order`).
#[test]
fn lanes_sorted_by_line_after_error_recovery() {
    let fastfile: &[u8] = b" This file contains the fastlane.tools configuration for crudrea.\r\r\n  lane :bump do |options|\r\r\n\r\r\n  private_lane :beta do\r\r\n    upload_toENV[\"FASTLANE_USER\"]_app_store(\r\r\n      username: \"mobile@example.com\", submit_for_review: false,\r\r\n      precheck_include_in_app_purchases: false\r\r\n    )\r\r\n    download_dsyms(username: ENV[\"FASTLANE_USER\"], version: \"latest\")\r\r\nplatform :android do\r\r\n  lane :deploy do\r\r\n  end\r\r\nend\r\r\nerror do |lane, exception, options|\r\r\nend\r\r";
    let dir = with_fastfile(fastfile);
    let v = check_json(dir.path());
    let lines: Vec<u64> = v["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "lanes out of order");
}

/// tree-sitter-ruby 0.23.1's scanner keeps a heredoc word's length in one byte and asserts on
/// it when it restores its state: a heredoc word over 255 characters used to abort the whole
/// process (SIGABRT) instead of giving an error. Found by `fastfile_mutations`
/// (`fuzz/regressions/fastfile_mutations/heredoc-word-over-255`).
#[test]
fn long_heredoc_word_does_not_abort() {
    let word = "x".repeat(300);
    let dir = with_fastfile(format!("lane :a do\n  notes = <<'{word}'\n  text\nend\n"));
    let out = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("fastlint runs");
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "fastlint ended with {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The standard error of a `--diff` run, after checking that `--fix` did not refuse its own
/// rewrite.
fn accepted_own_rewrite(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("would introduce a syntax error"),
        "{stderr}"
    );
    stderr
}

/// `fastlint check . --diff` over a fastlane folder holding one Fastfile.
fn diff_of(fastfile: &str) -> std::process::Output {
    let dir = with_fastfile(fastfile);
    Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", ".", "--diff"])
        .current_dir(dir.path())
        .output()
        .expect("fastlint runs")
}

/// Block parameters written over two lines (`do |options,` / `extra|`): the key block must go
/// after the parameter list, not after the line holding `do`, where it would split the list and
/// `--fix` refuses its own rewrite. Found by `check_bytes`
/// (`fuzz/regressions/check_bytes/fix-block-params-over-two-lines`).
#[test]
fn fix_key_block_after_multi_line_block_parameters() {
    let out = diff_of("lane :beta do |options,\n               extra|\n  pilot\nend\n");
    accepted_own_rewrite(&out);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+  api_key = app_store_connect_api_key("),
        "{diff}"
    );
}

/// A lone `\r` after `do` is a space to Ruby, so `do\rpilot(` starts the lane's body on the `do`
/// line: the key block cannot go on the next line (inside `pilot(`). Once `--fix` refused its
/// own rewrite there; then it left the lane for a hand edit; now it spreads the body over lines
/// first, the `\r` becoming a line break. Found by `check_bytes`
/// (`fuzz/regressions/check_bytes/fix-lone-cr-after-do`).
#[test]
fn fix_spreads_a_lane_whose_body_starts_on_the_do_line_after_a_lone_cr() {
    let out = diff_of("lane :beta do\rpilot(\n  skip_waiting_for_build_processing: true\n)\nend\n");
    let stderr = accepted_own_rewrite(&out);
    assert!(!stderr.contains("add the key by hand"), "{stderr}");
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+lane :beta do\n+  api_key = app_store_connect_api_key(\n"),
        "{diff}"
    );
    assert!(diff.contains("+  pilot(\n+  api_key: api_key,\n"), "{diff}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

/// `match username: "a@b.c", # me` with the next option on the line below, in a call without
/// brackets: removing the pair and its comma left the comment to end the call and the next
/// option alone on its line, and `--fix` refused its own rewrite. The pair, its comment and the
/// line break go, so the next option comes up onto the call's line. Found by
/// `fastfile_mutations` (`fuzz/regressions/fastfile_mutations/fix-username-first-without-brackets`).
#[test]
fn fix_username_first_in_a_call_without_brackets() {
    let out = diff_of(
        "before_all do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: \"k.p8\")\nend\n\nlane :certs do\n  match username: \"a@b.c\", # me\n        type: \"appstore\"\nend\n",
    );
    accepted_own_rewrite(&out);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains(
            "-  match username: \"a@b.c\", # me\n-        type: \"appstore\"\n+  match type: \"appstore\"\n"
        ),
        "{diff}"
    );
}

/// `latest_testflight_build_number(username: "a@b.c",)` in a method a keyed lane calls: the call
/// only loses `username:`, and removing the pair left `(,)`, so `--fix` refused its own rewrite.
/// The trailing comma goes with the pair. Found by `check_bytes`
/// (`fuzz/regressions/check_bytes/fix-only-username-with-trailing-comma`).
#[test]
fn fix_removes_an_only_username_with_its_trailing_comma() {
    let out = diff_of(
        "def bump\n  x = latest_testflight_build_number(username: \"a@b.c\",) + 1\nend\n\nlane :a do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: \"k.p8\")\n  bump\nend\n",
    );
    accepted_own_rewrite(&out);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+  x = latest_testflight_build_number() + 1\n"),
        "{diff}"
    );
}

/// `in unless y` as a statement: tree-sitter reads `in` as a bare name and finds no error, Ruby
/// refuses the file. With no FL000, `--fix` rewrote the lane, then found the rewrite broken (the
/// `in` was no longer the name it had been) and refused it, saying "please report this". Such a
/// keyword is now a syntax error, so the file is reported and left as it is; `and` and `or` too.
/// Found by `check_bytes` (`fuzz/regressions/check_bytes/keyword-in-read-as-a-name`).
#[test]
fn a_keyword_read_as_a_name_is_a_syntax_error() {
    for (keyword, why) in [
        ("in", "nothing open for it to close or continue"),
        (
            "and",
            "it joins two expressions, and there is none before it",
        ),
        (
            "or",
            "it joins two expressions, and there is none before it",
        ),
    ] {
        let fastfile = format!(
            "platform :ios do\n  lane :sync do\n    {keyword} unless y\nbump(xcodeproj: \"A.xcodeproj\")\n    pilot\n  end\nend\n"
        );
        let out = diff_of(&fastfile);
        let stderr = accepted_own_rewrite(&out);
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        // Nothing to change: the lane is left, as its file has a syntax error.
        assert!(stderr.contains("its file has syntax errors"), "{stderr}");
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let dir = with_fastfile(&fastfile);
        let report = check_json(dir.path());
        let fl000: Vec<(u64, String)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "FL000")
            .map(|d| {
                (
                    d["line"].as_u64().unwrap(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            fl000,
            vec![(
                3,
                format!(
                    "syntax error: unexpected `{keyword}` ({why}{})",
                    if keyword == "in" {
                        "; an `end` too many above?"
                    } else {
                        ""
                    }
                )
            )],
            "{keyword}"
        );
    }
}

/// A lane whose only Apple-ID login left after its key block is a fastlane started from a shell
/// (FL020) stays `migratable`; a method it calls is still reached without a key from top-level
/// code, so the lane was given another key block every round until `--fix` gave up after 8.
/// Found by `check_bytes` (`fuzz/regressions/check_bytes/fix-shell-reason-settles`); this is the
/// same shape, written small.
#[test]
fn a_lane_left_migratable_by_a_shell_command_gets_one_key_block() {
    let out = diff_of(
        "def bump\n  latest_testflight_build_number + 1\nend\n\nBUILD = bump\n\nlane :a do\n  bump\n  sh(\"fastlane pilot upload -u me\")\nend\n",
    );
    let stderr = accepted_own_rewrite(&out);
    assert!(!stderr.contains("did not settle"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("app_store_connect_api_key(").count(),
        1,
        "{stdout}"
    );
    assert!(
        stderr.contains("a starts `fastlane pilot` from a shell without an API key"),
        "{stderr}"
    );
}

/// tree-sitter's incremental re-parse of this file after `--fix`'s edits gives a tree whose shape
/// differs from a fresh parse of the same text (found by `fastfile_mutations`, kept as
/// `fuzz/known/check_bytes/incremental-reparse-differs`; the build before FL020 does the same).
/// The code around `error dailed:` is one tree-sitter-ruby can read two ways. What fastlint
/// reports must not depend on which tree it kept: the report after `--fix` is that of a fresh
/// `check` of the rewritten file, and a second `--fix` changes nothing.
#[test]
fn the_report_after_fix_is_that_of_a_fresh_check() {
    let dir = with_fastfile(
        "def bump_build(kind = \"patch\")\n  increment_build_number(\n  )\nend\nplatform :ios do\n  lane :alpha do |options|\n    match(type: \"development\", app_identifier: [\"com.example.app\", \"com.example.app.widget\"], git_branch: \"certs\")\n  lane :staging do\n  end\n  lane :deploy do\n  end\nend\nerror dailed: #{exception.message}\", success: false)\nend\n",
    );
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fastlint"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("fastlint runs")
    };
    let fixed = run(&["check", ".", "--fix", "--format", "json"]);
    let stderr = accepted_own_rewrite(&fixed);
    assert!(
        stderr.contains("1 file changed, 1 call migrated in 1 lane"),
        "{stderr}"
    );
    let fresh = run(&["check", ".", "--format", "json"]);
    assert_eq!(
        String::from_utf8_lossy(&fixed.stdout),
        String::from_utf8_lossy(&fresh.stdout)
    );
    let again = run(&["check", ".", "--diff"]);
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
