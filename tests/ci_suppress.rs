//! Suppression comments and FL100 `unused-suppression`, over `fixtures/ci/suppress` (read it first):
//!
//! Fastfile
//! - line 3 (alone) suppresses FL008 on line 4, the trailing comment on line 4 FL001 (by name): both used;
//! - line 9: `pilot` has a key, so its `ignore FL008` is unused (FL100);
//! - line 13 `pem` (FL004) is suppressed by `ignore-file FL004` on line 22;
//! - line 17: the text is in a string, not a comment: nothing;
//! - line 18 `ignroe` is not a suppression (FL100); line 19 names FL999 (FL100);
//! - line 23 `ignore-file FL005`: no FL005 in the file (FL100).
//!
//! .env: line 1 suppresses FL006 on line 2, line 3 FL002 on itself; line 4 FL002 stays.

mod ci_common;

use ci_common::*;

#[test]
fn used_suppressions_hide_findings_and_unused_ones_are_reported() {
    let dir = fixture("suppress");
    let r = run(&dir, &["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let report = r.json();
    assert_eq!(
        findings(&report),
        [
            f("fastlane/.env", 4, "FL002"),
            f("fastlane/Fastfile", 9, "FL100"),
            f("fastlane/Fastfile", 18, "FL100"),
            f("fastlane/Fastfile", 19, "FL100"),
            f("fastlane/Fastfile", 23, "FL100"),
        ]
    );
    let messages: Vec<(&str, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "FL100")
        .map(|d| {
            (
                d["message"].as_str().unwrap(),
                d["column"].as_u64().unwrap(),
                d["end_column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (
                "unused suppression: `FL008` is not reported on the line it covers",
                11,
                76
            ),
            (
                "`# fastlint:` comment that is not a suppression: expected `ignore CODE` or `ignore-file CODE`",
                19,
                43
            ),
            (
                "suppression names unknown rule `FL999` (`fastlint rules` lists them)",
                9,
                33
            ),
            (
                "unused suppression: `FL005` is not reported in this file",
                1,
                30
            ),
        ]
    );
    // The lane table still judges every lane: suppressions hide findings, not facts.
    let verdicts: Vec<(&str, &str)> = report["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("beta", "migratable"),
            ("keyed", "api-key"),
            ("push", "blocked"),
            ("notes", "no-apple-auth")
        ]
    );
}

#[test]
fn sarif_keeps_suppressed_findings_marked_in_source() {
    let dir = fixture("suppress");
    let log = run(&dir, &["check", "--format", "sarif"]).json();
    let results: Vec<(String, u64, Option<serde_json::Value>)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                r.get("suppressions").cloned(),
            )
        })
        .collect();
    let suppressed: Vec<(&str, u64, String)> = results
        .iter()
        .filter_map(|(code, line, s)| {
            let s = s.as_ref()?;
            assert_eq!(s[0]["kind"], "inSource");
            let why = s[0]["justification"].as_str().unwrap_or("").to_string();
            Some((code.as_str(), *line, why))
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            ("FL006", 2, "rotated daily by the release job".to_string()),
            ("FL002", 3, String::new()),
            (
                "FL008",
                4,
                "the team account still uploads; tracked in OPS-12".to_string()
            ),
            ("FL001", 4, "same account".to_string()),
            (
                "FL004",
                13,
                "push certificates are renewed by hand".to_string()
            ),
        ]
    );
    // And the reported ones are there unmarked.
    assert_eq!(results.iter().filter(|r| r.2.is_none()).count(), 5);
}

#[test]
fn codes_switched_off_are_not_judged() {
    let dir = fixture("suppress");
    // With FL008 ignored, the stale `ignore FL008` on line 9 is not reported.
    let r = run(&dir, &["check", "--format", "json", "--ignore", "FL008"]);
    let lines: Vec<u64> = findings(&r.json())
        .into_iter()
        .filter(|(_, _, c)| c == "FL100")
        .map(|(_, l, _)| l)
        .collect();
    assert_eq!(lines, [18, 19, 23]);
    // FL100 itself can be switched off.
    let r = run(&dir, &["check", "--format", "json", "--ignore", "FL100"]);
    assert_eq!(findings(&r.json()), [f("fastlane/.env", 4, "FL002")]);
}

#[test]
fn all_suppressed_means_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "fastlane/Fastfile",
        "lane :beta do\n  pilot # fastlint: ignore FL008 -- moving next sprint\nend\n",
    );
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("0 diagnostics"), "{}", r.stdout);
    // Not on another line: the comment covers only its own line.
    write(
        dir.path(),
        "fastlane/Fastfile",
        "lane :beta do # fastlint: ignore FL008\n  pilot\nend\n",
    );
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        findings(&r.json()),
        [
            f("fastlane/Fastfile", 1, "FL100"),
            f("fastlane/Fastfile", 2, "FL008")
        ]
    );
}

const BEFORE_FIX: &str = r#"lane :beta do
  app_store_connect_api_key(key_id: "K", issuer_id: "I", key_filepath: "key.p8")
  pilot # fastlint: ignore FL008, FL001 -- old account
end

lane :push do
  pem # fastlint: ignore FL004 FL008 -- renewed by hand
end

lane :upload do
  # fastlint: ignore FL002 -- stale
  pilot # fastlint: ignore FL999
end
# fastlint: ignroe FL001
"#;

/// After the migration of `upload` (with the key source from fastlint.toml), the unused suppressions are
/// gone: whole comments, the unused FL008 of `pem`'s, the comment line above `pilot`. The comment that is
/// not a suppression stays (FL100, not fixable).
const AFTER_FIX: &str = r#"lane :beta do
  app_store_connect_api_key(key_id: "K", issuer_id: "I", key_filepath: "key.p8")
  pilot
end

lane :push do
  pem # fastlint: ignore FL004 -- renewed by hand
end

lane :upload do
  api_key = app_store_connect_api_key(
    key_id: ENV["APP_STORE_CONNECT_API_KEY_KEY_ID"],
    issuer_id: ENV["APP_STORE_CONNECT_API_KEY_ISSUER_ID"],
    key_content: ENV["APP_STORE_CONNECT_API_KEY_KEY"],
    is_key_content_base64: true
  )
  pilot(api_key: api_key)
end
# fastlint: ignroe FL001
"#;

#[test]
fn fix_deletes_unused_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "fastlane/Fastfile", BEFORE_FIX);
    write(d, "fastlint.toml", "[fix]\nkey-source = \"content\"\n");
    // CI writes key.p8 (FL017 leaves an ignored key path alone).
    write(d, ".gitignore", "*.p8\n");

    let diff = run(d, &["check", "--diff", "--color", "never"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff
        .stdout
        .starts_with("--- a/fastlane/Fastfile\n+++ b/fastlane/Fastfile\n"));
    assert!(diff
        .stdout
        .contains("-  pilot # fastlint: ignore FL008, FL001 -- old account\n+  pilot\n"));
    assert!(
        diff.stderr.contains("; 4 unused suppressions removed"),
        "{}",
        diff.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.join("fastlane/Fastfile")).unwrap(),
        BEFORE_FIX
    );

    let fixed = run(d, &["check", "--fix", "--format", "json"]);
    assert_eq!(fixed.code, 1, "{}", fixed.stderr);
    assert_eq!(
        std::fs::read_to_string(d.join("fastlane/Fastfile")).unwrap(),
        AFTER_FIX
    );
    assert_eq!(
        findings(&fixed.json()),
        [f("fastlane/Fastfile", 19, "FL100")]
    );
    // A second run changes nothing.
    let again = run(d, &["check", "--fix", "--format", "json"]);
    assert_eq!(again.code, 1);
    assert_eq!(
        std::fs::read_to_string(d.join("fastlane/Fastfile")).unwrap(),
        AFTER_FIX
    );
    // --key-source on the command line wins over the file.
    write(d, "fastlane/Fastfile", BEFORE_FIX);
    let r = run(d, &["check", "--diff", "--key-source", "file"]);
    assert!(
        r.stdout
            .contains("+    key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]\n"),
        "{}",
        r.stdout
    );
}

/// A lane where a comment keeps a finding, a call in a lane with a key whose `username:` a comment
/// keeps, a lane with nothing kept, and a hook whose key would reach a kept call.
const HELD_BEFORE: &str = r#"lane :beta do
  # fastlint: ignore FL008 -- the team account still uploads; tracked in OPS-12
  pilot(username: "ci@example.com") # fastlint: ignore username-option -- same account
  deliver
end

lane :keyed do
  app_store_connect_api_key(key_id: "K", issuer_id: "I", key_filepath: "key.p8")
  pilot(username: "ci@example.com") # fastlint: ignore FL001 -- checked by hand
  sigh(username: "ci@example.com")
end

lane :release do
  deliver
end
"#;

const HELD_AFTER: &str = r#"lane :beta do
  # fastlint: ignore FL008 -- the team account still uploads; tracked in OPS-12
  pilot(username: "ci@example.com") # fastlint: ignore username-option -- same account
  deliver
end

lane :keyed do
  app_store_connect_api_key(key_id: "K", issuer_id: "I", key_filepath: "key.p8")
  pilot(username: "ci@example.com") # fastlint: ignore FL001 -- checked by hand
  sigh()
end

lane :release do
  api_key = app_store_connect_api_key(
    key_id: ENV["APP_STORE_CONNECT_API_KEY_KEY_ID"],
    issuer_id: ENV["APP_STORE_CONNECT_API_KEY_ISSUER_ID"],
    key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]
  )
  deliver(api_key: api_key, precheck_include_in_app_purchases: false)
end
"#;

#[test]
fn fix_leaves_what_a_comment_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "fastlane/Fastfile", HELD_BEFORE);
    write(d, ".gitignore", "*.p8\n");
    // Before: beta is migratable but not fixable (a comment keeps its pilot); release is both.
    let before = run(d, &["check", "--format", "json"]).json();
    let fixable = |report: &serde_json::Value, name: &str| {
        report["lanes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .map(|l| {
                (
                    l["verdict"].as_str().unwrap().to_string(),
                    l["fixable"] == true,
                )
            })
            .unwrap()
    };
    assert_eq!(fixable(&before, "beta"), ("migratable".to_string(), false));
    assert_eq!(
        fixable(&before, "release"),
        ("migratable".to_string(), true)
    );

    let fixed = run(d, &["check", "--fix"]);
    assert_eq!(
        std::fs::read_to_string(d.join("fastlane/Fastfile")).unwrap(),
        HELD_AFTER,
        "{}",
        fixed.stderr
    );
    assert!(
        fixed.stdout.contains("lane left as it is:\n  beta kept by a `# fastlint: ignore` comment on one of its Apple-ID findings (remove the comment to migrate it) (fastlane/Fastfile:1)"),
        "{}",
        fixed.stdout
    );
    // The suppressions are still used, so none is removed, and a second run changes nothing.
    assert!(
        !fixed.stdout.contains("unused suppression"),
        "{}",
        fixed.stdout
    );
    let again = run(d, &["check", "--diff"]);
    assert_eq!(again.code, 0, "{}", again.stdout);

    // A before_all key would reach the kept pilot too: the hook is left, with its lanes.
    write(
        d,
        "fastlane/Fastfile",
        &format!("before_all do\n  match(type: \"appstore\")\nend\n\n{HELD_BEFORE}"),
    );
    let diff = run(d, &["check", "--diff"]);
    // No hunk at the top: before_all (lines 1-3) gets no key block.
    assert!(
        diff.stdout
            .starts_with("--- a/fastlane/Fastfile\n+++ b/fastlane/Fastfile\n@@ -11,"),
        "{}",
        diff.stdout
    );
    // With --diff the summary goes to standard error.
    assert!(
        diff.stderr
            .contains("  beta kept by a `# fastlint: ignore` comment"),
        "{}",
        diff.stderr
    );
    assert!(
        diff.stderr.contains(
            "  keyed runs the `before_all` hook, left as it is: kept by a `# fastlint: ignore` comment"
        ),
        "{}",
        diff.stderr
    );
}
