//! FL020: fastlane tools started from shell commands in Ruby code, run through the binary over
//! `fixtures/rules/FL020-shell-fastlane`. Each expectation was read off the fixture.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod ci_common;
use ci_common::{copy_dir, run, write};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BASE: &str = "fixtures/rules/FL020-shell-fastlane";

fn json(dir: &Path, path: &str) -> Value {
    let out = run(dir, &["check", path, "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.json()
}

fn rel(path: &str) -> String {
    path.split("FL020-shell-fastlane/")
        .nth(1)
        .unwrap_or(path)
        .to_string()
}

/// (code, path under the fixture, line) of every diagnostic with one of the codes.
fn found(report: &Value, codes: &[&str]) -> BTreeSet<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| codes.contains(&d["code"].as_str().unwrap_or("")))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                rel(d["path"].as_str().unwrap()),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn message_at(report: &Value, path: &str, line: u64) -> String {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| {
            d["code"] == "FL020" && rel(d["path"].as_str().unwrap()) == path && d["line"] == line
        })
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn set(items: &[(&str, &str, u64)]) -> BTreeSet<(String, String, u64)> {
    items
        .iter()
        .map(|(c, p, l)| (c.to_string(), p.to_string(), *l))
        .collect()
}

#[test]
fn finds_fastlane_started_from_a_shell() {
    let report = json(Path::new(ROOT), BASE);
    let in_ruby: BTreeSet<(String, String, u64)> = found(&report, &["FL020", "FL008"])
        .into_iter()
        .filter(|(_, path, _)| !path.starts_with("ci/") && !path.starts_with("held/"))
        .collect();
    assert_eq!(
        in_ruby,
        set(&[
            // FASTLANE_USER= before the command; the .env key does not help a named Apple ID.
            ("FL020", "dotenv/fastlane/Fastfile", 6),
            // -u, though the lane has a key: a new process does not see it.
            ("FL020", "main/fastlane/Fastfile", 3),
            // After `cd .. &&`, with no key at all.
            ("FL020", "main/fastlane/Fastfile", 7),
            // pem in backticks: no key support.
            ("FL020", "main/fastlane/Fastfile", 16),
            // `fastlane run download_dsyms username:...`, given as words.
            ("FL020", "main/fastlane/Fastfile", 20),
            // The action call in `release` is the usual finding.
            ("FL008", "main/fastlane/Fastfile", 35),
            // sigh has no config file giving it a key; match's Matchfile gives match one.
            ("FL020", "matchfile/fastlane/Fastfile", 3),
            // Quiet: --api_key_path, match --readonly, scan, echo, a key variable set in Ruby
            // before the command or in .env, and match with the Matchfile's api_key_path.
        ])
    );
    for (path, line, parts) in [
        (
            "main/fastlane/Fastfile",
            3,
            &[
                "`fastlane pilot` started from a shell",
                "the Apple ID given by `-u`",
            ][..],
        ),
        (
            "main/fastlane/Fastfile",
            7,
            &["`fastlane deliver` started from a shell gets no App Store Connect API key"],
        ),
        (
            "main/fastlane/Fastfile",
            16,
            &["`fastlane pem` started from a shell needs an Apple ID"],
        ),
        (
            "main/fastlane/Fastfile",
            20,
            &["`fastlane run download_dsyms`", "given by `username:`"],
        ),
        ("dotenv/fastlane/Fastfile", 6, &["given by `FASTLANE_USER`"]),
    ] {
        let message = message_at(&report, path, line);
        for part in parts {
            assert!(message.contains(part), "{path}:{line}: {message}");
        }
        // The flag is named, never the Apple ID itself.
        assert!(!message.contains("ci@example.com"), "{message}");
    }

    let lanes: BTreeSet<(String, String, String, bool)> = report["lanes"]
        .as_array()
        .expect("lanes")
        .iter()
        .filter(|l| !rel(l["path"].as_str().unwrap()).starts_with("held/"))
        .map(|l| {
            (
                rel(l["path"].as_str().unwrap()),
                l["name"].as_str().unwrap().to_string(),
                l["verdict"].as_str().unwrap().to_string(),
                l["fixable"].as_bool().unwrap(),
            )
        })
        .collect();
    let lane = |p: &str, n: &str, v: &str, fixable: bool| {
        (p.to_string(), n.to_string(), v.to_string(), fixable)
    };
    let m = "main/fastlane/Fastfile";
    assert_eq!(
        lanes,
        BTreeSet::from([
            lane("dotenv/fastlane/Fastfile", "beta", "api-key", false),
            lane(
                "dotenv/fastlane/Fastfile",
                "beta_as_someone",
                "migratable",
                false
            ),
            lane(m, "upload_with_apple_id", "migratable", false),
            lane(m, "upload_keyless", "migratable", false),
            lane(m, "upload_with_key_file", "api-key", false),
            lane(m, "certificates", "blocked", false),
            lane(m, "dsyms", "migratable", false),
            lane(m, "tests", "no-apple-auth", false),
            lane(m, "env_key", "api-key", false),
            // It reaches upload_keyless's command: --fix moves its pilot, not the command.
            lane(m, "release", "migratable", false),
            lane(
                "matchfile/fastlane/Fastfile",
                "certificates",
                "migratable",
                false
            ),
        ])
    );
}

#[test]
fn reads_commands_held_in_heredocs_and_variables() {
    let report = json(Path::new(ROOT), &format!("{BASE}/held"));
    let h = "held/fastlane/Fastfile";
    assert_eq!(
        found(&report, &["FL020", "FL008"]),
        set(&[
            // `sh <<~SH`: the second line of the heredoc.
            ("FL020", h, 6),
            // `upload = "fastlane deliver --username ..."` then `sh(upload)`: at the string.
            ("FL020", h, 17),
            // `certificates = <<~CMD.chomp` then `system(certificates, ...)`: pem.
            ("FL020", h, 23),
            // One string run twice is one finding.
            ("FL020", h, 29),
            // Words: a variable holding `pilot` and a heredoc holding `upload`.
            ("FL020", h, 53),
            // Built up with `+=`: at the first string, the Apple ID in what a later line adds.
            ("FL020", h, 60),
            // Built up with `<<`, in a chain.
            ("FL020", h, 75),
            // Assigned again under a condition: the first string still runs when it does not
            // hold.
            ("FL020", h, 82),
            // Quiet: a heredoc with --api_key_path, `echo` built up with `+=`, a variable
            // assigned after the call, one assigned in another lane, one that has something
            // other than a string added to it, and one assigned again for certain.
        ])
    );
    for (line, parts) in [
        (6, &["`fastlane pilot` started from a shell", "given by `-u`"][..]),
        (
            17,
            &[
                "`fastlane deliver` started from a shell logs in with the Apple ID given by `--username`",
                "(the command is held in a variable, run by `sh(upload)` on line 18)",
            ][..],
        ),
        (
            23,
            &[
                "`fastlane pem` started from a shell needs an Apple ID",
                "run by `system(certificates, exception: true)` on line 25",
            ][..],
        ),
        (29, &["run by `sh(cmd)` on line 30"][..]),
        (53, &["`fastlane pilot` started from a shell gets no App Store Connect API key"][..]),
        (
            60,
            &[
                "`fastlane pilot` started from a shell logs in with the Apple ID given by `-u`",
                "run by `sh(cmd)` on line 63",
            ][..],
        ),
        (
            75,
            &[
                "`fastlane deliver` started from a shell logs in with the Apple ID given by `--username`",
                "run by `sh(cmd)` on line 77",
            ][..],
        ),
        (
            82,
            &[
                "`fastlane pilot` started from a shell logs in with the Apple ID given by `-u`",
                "run by `sh(cmd)` on line 84",
            ][..],
        ),
    ] {
        let message = message_at(&report, h, line);
        for part in parts {
            assert!(message.contains(part), "{h}:{line}: {message}");
        }
    }
    let verdicts: BTreeSet<(String, String)> = report["lanes"]
        .as_array()
        .expect("lanes")
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lane = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        verdicts,
        BTreeSet::from([
            lane("heredoc", "migratable"),
            lane("heredoc_with_key", "api-key"),
            lane("variable", "migratable"),
            lane("variable_heredoc", "blocked"),
            lane("run_twice", "migratable"),
            lane("built_up", "no-apple-auth"),
            lane("assigned_later", "no-apple-auth"),
            lane("elsewhere", "no-apple-auth"),
            lane("words", "migratable"),
            lane("appended", "migratable"),
            lane("appended_unknown", "no-apple-auth"),
            lane("shifted", "migratable"),
            lane("branched", "migratable"),
            lane("reassigned", "api-key"),
        ])
    );
}

#[test]
fn finds_fastlane_run_by_ci_steps() {
    let report = json(Path::new(ROOT), &format!("{BASE}/ci"));
    let mut found: Vec<(String, u64, u64, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "FL020")
        .map(|d| {
            (
                rel(d["path"].as_str().unwrap()),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let by = |flag: &str, tool: &str| {
        format!("`fastlane {tool}` run by a CI step logs in with the Apple ID given by `{flag}`")
    };
    assert_eq!(
        found,
        vec![
            // A folded `command: >` whose options go on the next line.
            ("ci/.circleci/config.yml".into(), 11, 25, by("--username", "deliver")),
            // The second line of a literal `run: |` block.
            ("ci/.github/workflows/release.yml".into(), 13, 23, by("-u", "pilot")),
            // A quoted `run:`; pem has no key support at any version.
            (
                "ci/.github/workflows/release.yml".into(),
                19,
                15,
                "`fastlane pem` run by a CI step needs an Apple ID: fastlane has no API-key support for it".into()
            ),
            // An assignment before the command, in GitLab's `script:` list.
            ("ci/.gitlab-ci.yml".into(), 5, 48, by("FASTLANE_USER", "deliver")),
            ("ci/Jenkinsfile".into(), 6, 25, by("--username", "sigh")),
            // Quiet: match --readonly, lanes (`fastlane ios beta`), echo, and deliver with
            // --api_key_path.
        ]
    );
}

#[test]
fn fix_rewrites_the_calls_and_lists_the_commands() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let copy = dir.path().join("fixture");
    copy_dir(&Path::new(ROOT).join(BASE), &copy);
    let fastfile = copy.join("main/fastlane/Fastfile");
    let before = std::fs::read_to_string(&fastfile).unwrap();

    let out = run(&copy, &["check", ".", "--fix"]);
    let after = std::fs::read_to_string(&fastfile).unwrap();
    // Only `release` changes: its pilot gets the key; no shell command is touched.
    let release = "lane :release do\n  upload_keyless\n  pilot\nend\n";
    assert!(before.ends_with(release));
    let expected = before.replace(
        release,
        "lane :release do
  api_key = app_store_connect_api_key(
    key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],
    issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],
    key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]
  )
  upload_keyless
  pilot(api_key: api_key)
end
",
    );
    assert_eq!(after, expected);
    for other in [
        "dotenv/fastlane/Fastfile",
        "matchfile/fastlane/Fastfile",
        "held/fastlane/Fastfile",
    ] {
        assert_eq!(
            std::fs::read_to_string(copy.join(other)).unwrap(),
            std::fs::read_to_string(Path::new(ROOT).join(BASE).join(other)).unwrap()
        );
    }
    let summary = format!("{}{}", out.stdout, out.stderr);
    assert!(
        // 7 lanes of main, dotenv and matchfile, and 8 of held.
        summary.contains("1 file changed, 1 call migrated in 1 lane; 15 lanes left as they are"),
        "{summary}"
    );
    for line in [
        "  upload_with_apple_id starts `fastlane pilot` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (main/fastlane/Fastfile:3)",
        "  certificates blocked by `fastlane pem`, started from a shell (main/fastlane/Fastfile:16)",
        "  release starts `fastlane deliver` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (main/fastlane/Fastfile:7)",
        "  dsyms starts `fastlane run download_dsyms` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (main/fastlane/Fastfile:20)",
        "  variable starts `fastlane deliver` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (held/fastlane/Fastfile:17)",
        "  variable_heredoc blocked by `fastlane pem`, started from a shell (held/fastlane/Fastfile:23)",
        "  appended starts `fastlane pilot` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (held/fastlane/Fastfile:60)",
        "  branched starts `fastlane pilot` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane (held/fastlane/Fastfile:82)",
    ] {
        assert!(summary.lines().any(|l| l == line), "{line}\n{summary}");
    }
    // A second run changes nothing and reports the same commands.
    let again = run(&copy, &["check", ".", "--fix", "--format", "json"]);
    assert_eq!(std::fs::read_to_string(&fastfile).unwrap(), after);
    let report: Value = serde_json::from_str(&again.stdout).unwrap();
    let in_ruby = found(&report, &["FL020"])
        .into_iter()
        .filter(|(_, path, _)| !path.starts_with("ci/"))
        .count();
    assert_eq!(in_ruby, 6 + 8);
    assert!(found(&report, &["FL008"]).is_empty());
}

#[test]
fn a_comment_suppresses_it_and_keeps_the_lane() {
    let dir = tempfile::tempdir().expect("temporary folder");
    write(
        dir.path(),
        "fastlane/Fastfile",
        "lane :beta do\n  pilot\n  sh(\"fastlane deliver -u me\") # fastlint: ignore FL020 -- run by hand\nend\n",
    );
    let report = json(dir.path(), ".");
    assert_eq!(found(&report, &["FL020", "FL100"]), BTreeSet::new());
    assert_eq!(found(&report, &["FL008"]).len(), 1);
    let lane = &report["lanes"][0];
    assert_eq!(lane["verdict"], "migratable");
    // A suppressed finding keeps the lane as it is under --fix, as for any other code.
    assert_eq!(lane["fixable"], false);
    let out = run(dir.path(), &["check", ".", "--diff"]);
    let summary = format!("{}{}", out.stdout, out.stderr);
    assert!(
        summary.contains("beta kept by a `# fastlint: ignore` comment"),
        "{summary}"
    );
}

/// A lane's reasons are capped; whether `--fix` can move all of it does not depend on the shell
/// command being among the ones kept.
#[test]
fn a_shell_command_after_many_keyless_calls_still_makes_the_lane_unfixable() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let calls = "  pilot\n".repeat(20);
    write(
        dir.path(),
        "fastlane/Fastfile",
        &format!("lane :beta do\n{calls}  sh(\"fastlane deliver -u me\")\nend\n"),
    );
    let report = json(dir.path(), ".");
    assert_eq!(found(&report, &["FL020"]).len(), 1);
    assert_eq!(found(&report, &["FL008"]).len(), 20);
    let lane = &report["lanes"][0];
    assert_eq!(lane["verdict"], "migratable");
    assert_eq!(lane["fixable"], false, "{lane}");
}
