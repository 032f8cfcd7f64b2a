//! Golden tests for `check --fix` / `--diff` over `fixtures/fix/<case>/{before,after}`.
//!
//! For every case, on a temporary copy of `before/`:
//! - `--diff` prints a unified diff, writes nothing, and exits 1 exactly when a change is due;
//! - `--fix` leaves every file byte-identical to `after/`;
//! - the rewritten Fastfile passes `ruby -c` and `tests/ruby/compare.rb` (same actions,
//!   same options, minus `username`, with a key);
//! - a second `--fix` changes nothing and `--diff` is then empty;
//! - every lane that was fixable is `api-key` afterwards.

mod ci_common;

use ci_common::{copy_dir, fix_cases, snapshot};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<PathBuf> {
    let v = fix_cases();
    assert!(
        v.len() >= 15,
        "expected the fix fixtures, found {}",
        v.len()
    );
    v
}

fn fastlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn fix_args(case: &Path, flag: &'static str) -> Vec<&'static str> {
    let mut args = vec!["check", flag];
    let name = case.file_name().unwrap().to_string_lossy();
    if name.starts_with("key-source-content") {
        args.extend(["--key-source", "content"]);
    }
    args.push(".");
    args
}

fn lanes(dir: &Path) -> Vec<serde_json::Value> {
    let out = fastlint(dir, &["check", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    json["lanes"].as_array().cloned().unwrap_or_default()
}

fn lane_name(lane: &serde_json::Value) -> String {
    format!(
        "{}:{}{}",
        lane["path"].as_str().unwrap_or_default(),
        lane["platform"]
            .as_str()
            .map(|p| format!("{p} "))
            .unwrap_or_default(),
        lane["name"].as_str().unwrap_or_default()
    )
}

fn ruby_ok(args: &[&Path]) -> Result<(), String> {
    let out = Command::new("ruby")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ruby (is it installed?): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Migratable lanes `--fix` must leave as they are: (case, lane).
const LEFT_ALONE: &[(&str, &str)] = &[
    ("api-key-variable", "upload_with_slack"),
    ("hooks-left-alone", "beta"),
    ("hooks-left-alone", "release"),
];

fn check_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let before = case.join("before");
    let after = case.join("after");
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&before, &work);
    let expected = snapshot(&after);
    let changes = snapshot(&before) != expected;
    let fixable_before: Vec<String> = lanes(&work)
        .iter()
        .filter(|l| l["fixable"] == true)
        .map(lane_name)
        .collect();

    // --diff: prints, writes nothing.
    let diff = fastlint(&work, &fix_args(case, "--diff"));
    let diff_out = String::from_utf8_lossy(&diff.stdout).into_owned();
    if snapshot(&work) != snapshot(&before) {
        return Err(format!("{name}: --diff wrote to the files"));
    }
    let want_code = if changes { 1 } else { 0 };
    if diff.status.code() != Some(want_code) {
        return Err(format!(
            "{name}: --diff exited {:?}, expected {want_code}\n{diff_out}{}",
            diff.status.code(),
            String::from_utf8_lossy(&diff.stderr)
        ));
    }
    if changes && !diff_out.contains("--- a/fastlane/Fastfile\n+++ b/fastlane/Fastfile\n") {
        return Err(format!(
            "{name}: --diff printed no diff headers:\n{diff_out}"
        ));
    }
    if diff_out.contains('\x1b') {
        return Err(format!("{name}: --diff coloured piped output"));
    }

    // --fix: the expected bytes.
    let fix = fastlint(&work, &fix_args(case, "--fix"));
    if fix.status.code() == Some(2) || fix.status.code().is_none() {
        return Err(format!(
            "{name}: --fix failed ({:?}): {}",
            fix.status.code(),
            String::from_utf8_lossy(&fix.stderr)
        ));
    }
    let got = snapshot(&work);
    if got != expected {
        let mut msg = format!("{name}: --fix output differs from after/\n");
        for ((path, bytes), (_, want)) in got.iter().zip(expected.iter()) {
            if bytes != want {
                msg.push_str(&format!(
                    "--- {}\n{}\n--- expected\n{}\n",
                    path.display(),
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(want)
                ));
            }
        }
        return Err(msg);
    }
    if changes {
        let fix_out = String::from_utf8_lossy(&fix.stdout);
        if !fix_out.contains("+++ b/fastlane/Fastfile") {
            return Err(format!(
                "{name}: --fix did not print the diff it applied:\n{fix_out}"
            ));
        }
    }

    // Ruby agrees.
    let fastfile = work.join("fastlane/Fastfile");
    if name != "parse-error" {
        ruby_ok(&[Path::new("-c"), &fastfile]).map_err(|e| format!("{name}: ruby -c: {e}"))?;
        let compare = root().join("tests/ruby/compare.rb");
        ruby_ok(&[&compare, &before, &work]).map_err(|e| format!("{name}: compare.rb: {e}"))?;
    }

    // A second run changes nothing.
    let again = fastlint(&work, &fix_args(case, "--fix"));
    if snapshot(&work) != expected {
        return Err(format!("{name}: a second --fix changed the files"));
    }
    if String::from_utf8_lossy(&again.stdout).contains("+++ b/") {
        return Err(format!("{name}: a second --fix printed a diff"));
    }
    let diff2 = fastlint(&work, &fix_args(case, "--diff"));
    if diff2.status.code() != Some(0) || !diff2.stdout.is_empty() {
        return Err(format!(
            "{name}: --diff after --fix: exit {:?}, output:\n{}",
            diff2.status.code(),
            String::from_utf8_lossy(&diff2.stdout)
        ));
    }

    // Fixed lanes are api-key (except the ones --fix leaves alone on purpose).
    if name != "one-line-lane" {
        let after_lanes = lanes(&work);
        for lane in &after_lanes {
            let left_alone =
                LEFT_ALONE.contains(&(name.as_str(), lane["name"].as_str().unwrap_or("")));
            if fixable_before.contains(&lane_name(lane))
                && !left_alone
                && lane["verdict"] != "api-key"
            {
                return Err(format!(
                    "{name}: lane {} is {} after --fix",
                    lane_name(lane),
                    lane["verdict"]
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn golden_fixtures() {
    let failures: Vec<String> = cases().iter().filter_map(|c| check_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn expected_outputs_pass_ruby_syntax_check() {
    for case in cases() {
        if case.ends_with("parse-error") {
            continue;
        }
        let after = case.join("after/fastlane/Fastfile");
        ruby_ok(&[Path::new("-c"), &after]).unwrap_or_else(|e| panic!("{}: {e}", after.display()));
    }
}

#[test]
fn expected_outputs_behave_like_the_inputs() {
    let compare = root().join("tests/ruby/compare.rb");
    for case in cases() {
        if case.ends_with("parse-error") {
            continue;
        }
        ruby_ok(&[&compare, &case.join("before"), &case.join("after")])
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    }
}

#[test]
fn fix_with_json_keeps_stdout_valid_json() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/fix/blocked-lane/before"), &work);
    let out = fastlint(&work, &["check", "--fix", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let verdicts: Vec<(String, String)> = json["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (lane_name(l), l["verdict"].as_str().unwrap().to_string()))
        .collect();
    assert!(verdicts.contains(&("fastlane/Fastfile:beta".into(), "api-key".into())));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("+++ b/fastlane/Fastfile"), "{stderr}");
    assert!(
        stderr.contains("1 file changed, 1 call migrated in 1 lane; 2 lanes left as they are\nlanes left as they are:\n  push_certificate blocked by get_push_certificate (fastlane/Fastfile:3)\n"),
        "{stderr}"
    );
}

#[test]
fn summary_names_the_options_to_add_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(
        &root().join("fixtures/fix/hash-variable-deliver/before"),
        &work,
    );
    let head = "to add by hand (deliver and precheck fail under an API key without it, fastlane #18250):\n";
    let iap = "`precheck_include_in_app_purchases: false` in";
    let notes = |line: [usize; 5]| {
        format!(
            "{head}  fastlane/Fastfile:{}: {iap} `deliver(options)` (`options` is not a hash literal assigned in the same lane or method)\n  \
             fastlane/Fastfile:{}: {iap} `upload_to_app_store(metadata_options)` (`metadata_options` is not a hash literal assigned in the same lane or method)\n  \
             fastlane/Fastfile:{}: {iap} `deliver(base.merge(skip_screenshots: true))` (its options come from an expression)\n  \
             fastlane/Fastfile:{}: {iap} `deliver(opts)` (`opts` is also used for something else)\n  \
             fastlane/Fastfile:{}: {iap} `deliver(opts)` (`opts` is assigned more than once)\n",
            line[0], line[1], line[2], line[3], line[4]
        )
    };
    // --diff gives the lines of the file as it is, --fix those of the rewritten file.
    let diff = fastlint(&work, &["check", "--diff", "."]);
    let stderr = String::from_utf8_lossy(&diff.stderr);
    let want = notes([66, 70, 75, 80, 87]);
    assert!(stderr.contains(&want), "{want}\n{stderr}");
    let fix = fastlint(&work, &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&fix.stdout);
    let want = notes([101, 110, 120, 130, 142]);
    assert!(stdout.contains(&want), "{want}\n{stdout}");
    let fixed = std::fs::read_to_string(work.join("fastlane/Fastfile")).unwrap();
    assert_eq!(fixed.lines().nth(100), Some("    deliver(options)"));
    assert_eq!(fixed.lines().nth(141), Some("    deliver(opts)"));
    // Run again, the notes on the calls FL010 still reports stay (the options of the other three
    // are not known, so FL010 does not report them): what is left to do by hand does not depend
    // on there being anything else to change.
    let again = fastlint(&work, &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    let want = format!(
        "0 files changed, 0 calls migrated in 0 lanes; 2 options to add by hand\n{head}  \
         fastlane/Fastfile:130: {iap} `deliver(opts)` (`opts` is also used for something else)\n  \
         fastlane/Fastfile:142: {iap} `deliver(opts)` (`opts` is assigned more than once)\n"
    );
    assert!(stdout.contains(&want), "{want}\n{stdout}");
    assert_eq!(
        std::fs::read_to_string(work.join("fastlane/Fastfile")).unwrap(),
        fixed
    );
}

/// match with S3 storage needs its team id under a key (FL018): the summary lists it to add by hand,
/// at the line of the file as it is with `--diff` and of the rewritten file with `--fix`, and keeps
/// listing it while it is missing.
#[test]
fn summary_names_the_team_id_match_needs_with_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    std::fs::create_dir_all(work.join("fastlane")).unwrap();
    std::fs::write(
        work.join("fastlane/Fastfile"),
        "lane :certificates do\n  match(type: \"appstore\", storage_mode: \"s3\", s3_bucket: \"example-certs\", username: \"ci@example.com\")\nend\n",
    )
    .unwrap();
    let head = "to add by hand (with S3, Google Cloud or GitLab storage, match cannot get the team id from an API key; FL018):\n";
    let note = |line: usize| {
        format!("{head}  fastlane/Fastfile:{line}: `team_id: \"...\"` in `match` (your Developer Portal team id)\n")
    };

    let diff = fastlint(&work, &["check", "--diff", "."]);
    let stderr = String::from_utf8_lossy(&diff.stderr);
    let want = format!(
        "1 file would change, 1 call to migrate in 1 lane; 1 option to add by hand\n{}",
        note(2)
    );
    assert!(stderr.contains(&want), "{want}\n{stderr}");

    let fix = fastlint(&work, &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&fix.stdout);
    let want = format!(
        "1 file changed, 1 call migrated in 1 lane; 1 option to add by hand\n{}",
        note(7)
    );
    assert!(stdout.contains(&want), "{want}\n{stdout}");
    let fixed = std::fs::read_to_string(work.join("fastlane/Fastfile")).unwrap();
    assert_eq!(
        fixed.lines().nth(6),
        Some("  match(type: \"appstore\", storage_mode: \"s3\", s3_bucket: \"example-certs\", api_key: api_key)")
    );

    let again = fastlint(&work, &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    let want = format!(
        "0 files changed, 0 calls migrated in 0 lanes; 1 option to add by hand\n{}",
        note(7)
    );
    assert!(stdout.contains(&want), "{want}\n{stdout}");
}

#[test]
fn summary_says_why_hooks_are_left_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/fix/hooks-left-alone/before"), &work);
    let out = fastlint(&work, &["check", "--fix", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "\n  tvos beta runs the tvos `before_all` hook, left as it is: the blocked lane tvos push runs it too (fastlane/Fastfile:42)\n",
        "\n  tvos push blocked by get_push_certificate (fastlane/Fastfile:47)\n",
    ] {
        assert!(stdout.contains(want), "{want}\n{stdout}");
    }
    // The one-line ios hook is spread over lines; the mac hook's `api_key` means something
    // else, so it gets a bare key block.
    assert!(stdout.starts_with("--- a/fastlane/Fastfile\n"), "{stdout}");
    assert!(
        stdout.contains(
            "\n1 file changed, 2 calls migrated in 2 lanes and 2 hooks; 2 lanes left as they are\n"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("ios beta runs") && !stdout.contains("mac release runs"),
        "{stdout}"
    );

    // `--diff` rewrites nothing: its lines are those of the file as it is.
    let fresh = tmp.path().join("fresh");
    copy_dir(&root().join("fixtures/fix/hooks-left-alone/before"), &fresh);
    let diff = fastlint(&fresh, &["check", "--diff", "."]);
    let stderr = String::from_utf8_lossy(&diff.stderr);
    for want in [
        "\n  tvos beta runs the tvos `before_all` hook, left as it is: the blocked lane tvos push runs it too (fastlane/Fastfile:30)\n",
        "\n  tvos push blocked by get_push_certificate (fastlane/Fastfile:35)\n",
    ] {
        assert!(stderr.contains(want), "{want}\n{stderr}");
    }
}

#[test]
fn a_one_line_lane_around_a_heredoc_is_left_for_a_hand_edit() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("fastlane")).unwrap();
    let fastfile = "lane :notes do pilot(changelog: <<~TEXT) end\nFixes\nTEXT\n";
    std::fs::write(tmp.path().join("fastlane/Fastfile"), fastfile).unwrap();
    let out = fastlint(tmp.path(), &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\n  notes written on one line around a heredoc (or `<<`); add the key by hand (fastlane/Fastfile:1)\n"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("fastlane/Fastfile")).unwrap(),
        fastfile
    );
}

#[test]
fn piped_diff_is_plain_even_without_no_color() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/fix/parenthesised/before"), &work);
    let out = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", "--diff", "."])
        .current_dir(&work)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("--- a/fastlane/Fastfile\n+++ b/fastlane/Fastfile\n@@ "),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'));
}

#[test]
fn diff_comes_before_its_summary_when_both_streams_share_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/fix/parenthesised/before"), &work);
    // One file for both streams, as a terminal is: the order they reach it in is the order shown.
    let shared = tmp.path().join("shown.txt");
    let file = std::fs::File::create(&shared).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", "--diff", "."])
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let shown = std::fs::read_to_string(&shared).unwrap();
    let summary = shown.find("1 file would change").expect(&shown);
    let (diff, after) = shown.split_at(summary);
    assert!(diff.starts_with("--- a/fastlane/Fastfile\n"), "{shown}");
    assert!(
        diff.ends_with('\n'),
        "the summary is inside the diff:\n{shown}"
    );
    assert!(
        !after.contains("\n+") && !after.contains("\n-") && !after.contains("@@"),
        "diff lines after the summary:\n{shown}"
    );
}

#[test]
fn fix_and_diff_together_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fastlint(tmp.path(), &["check", "--fix", "--diff", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_over_paths_given_from_outside_uses_their_display_paths() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("fixtures/fix/bare-calls/before"),
        &tmp.path().join("app"),
    );
    let out = fastlint(tmp.path(), &["check", "--diff", "app"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("--- a/app/fastlane/Fastfile\n+++ b/app/fastlane/Fastfile\n"),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/fix/parenthesised/before"), &work);
    let fastfile = work.join("fastlane/Fastfile");
    std::fs::set_permissions(&fastfile, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = fastlint(&work, &["check", "--fix", "."]);
    // Nothing remains to report once the lane is migrated.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&fastfile).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(work.join("fastlane"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("Fastfile")]);
}

#[test]
fn summary_lists_each_lane_left_as_it_is_on_a_line_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("project");
    copy_dir(&root().join("fixtures/example"), &work);
    let out = fastlint(&work, &["check", "--fix", "."]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The line is that of the rewritten file: two key blocks of five lines went in above `pem`
    // (line 49 before).
    let want = "1 file changed, 2 calls migrated in 2 lanes; 1 lane left as it is\n\
                lane left as it is:\n  \
                ios push_certs blocked by pem (fastlane/Fastfile:59)\n\n";
    assert!(stdout.contains(want), "{want}\n{stdout}");
    let fixed = std::fs::read_to_string(work.join("fastlane/Fastfile")).unwrap();
    assert_eq!(
        fixed.lines().nth(58).map(str::trim_start),
        Some("pem(app_identifier: \"com.example.weather\", output_path: \"certs\")")
    );
}
