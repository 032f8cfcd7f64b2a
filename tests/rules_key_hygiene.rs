//! Key hygiene rules (FL009-FL019) and CI configuration files, run through the binary over the
//! fixtures in `fixtures/rules/`. Each expectation was read off the fixture: (code, path, line).

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Run {
    json: Value,
    code: i32,
}

fn run(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(args)
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .output()
        .expect("the fastlint binary runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn check(dir: &str) -> Run {
    let (stdout, code) = run(&["check", dir, "--format", "json"]);
    Run {
        json: serde_json::from_str(&stdout).expect("JSON output"),
        code,
    }
}

type Found = BTreeSet<(String, String, u64)>;

/// The (code, path, line) of every diagnostic with one of the codes.
fn found(run: &Run, codes: &[&str]) -> Found {
    run.json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| codes.contains(&d["code"].as_str().unwrap_or("")))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The message of the diagnostic with this code on this line of any file ("" if there is none).
fn message_at(run: &Run, code: &str, line: u64) -> String {
    run.json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == code && d["line"] == line)
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn expected(base: &str, items: &[(&str, &str, u64)]) -> Found {
    items
        .iter()
        .map(|(code, path, line)| (code.to_string(), format!("{base}/{path}"), *line))
        .collect()
}

/// Secret values written in the fixtures; none may appear in any output.
const SECRETS: &[&str] = &[
    "hunter2-not-real",
    "abcd-efgh-ijkl-mnop",
    "abc123-not-a-real-cookie",
    "not-a-real-cookie",
    "ZmFzdGxpbnQgZml4dHVyZ",
    "dGxpbnQgZml4dHVyZ",
    "bnQgZml4dHVyZ",
    "Zml4dHVyZTogdGhpcyBpcyBub3QgYSBwcml2YXRlIGtleS4g",
];

fn assert_no_secret(output: &str, what: &str) {
    for s in SECRETS {
        assert!(
            !output.contains(s),
            "{what} prints the secret `{s}`:\n{output}"
        );
    }
}

#[test]
fn fl009_hardcoded_credential() {
    let base = "fixtures/rules/FL009-hardcoded-credential";
    let run = check(base);
    assert_eq!(run.code, 1);
    assert_eq!(
        found(&run, &["FL009"]),
        expected(
            base,
            &[
                // .env: the password and the app-specific password; not the session reference,
                // not MATCH_PASSWORD, not FASTLANE_USER; .env.example is a template.
                ("FL009", "fastlane/.env", 2),
                ("FL009", "fastlane/.env", 3),
                // Fastfile: ENV write, key_content, heredoc key, Spaceship password, password:
                ("FL009", "fastlane/Fastfile", 7),
                ("FL009", "fastlane/Fastfile", 16),
                ("FL009", "fastlane/Fastfile", 39),
                ("FL009", "fastlane/Fastfile", 54),
                ("FL009", "fastlane/Fastfile", 56),
                // The JSON key file named by api_key_path, and the committed .p8; the encrypted
                // and placeholder .p8 files are not keys.
                ("FL009", "fastlane/api_key.json", 4),
                ("FL009", "keys/AuthKey_ABC123DEFG.p8", 1),
            ]
        )
    );
    // The session cookie read from ENV and the template are still Apple-ID settings.
    assert_eq!(
        found(&run, &["FL006"]),
        expected(
            base,
            &[
                ("FL006", "fastlane/.env", 4),
                ("FL006", "fastlane/Fastfile", 8)
            ]
        )
    );
}

#[test]
fn fl009_output_never_shows_the_secret() {
    for dir in [
        "fixtures/rules/FL009-hardcoded-credential",
        "fixtures/rules/FL009-hardcoded-credential-ci",
    ] {
        let (text, _) = run(&["check", dir]);
        assert!(text.contains("FL009"), "{text}");
        assert!(text.contains("<redacted, 16 chars>"), "{text}");
        assert_no_secret(&text, "the text output");
        let (json, _) = run(&["check", dir, "--format", "json"]);
        assert_no_secret(&json, "the JSON output");
    }
}

#[test]
fn ci_files_set_apple_id_variables() {
    let base = "fixtures/rules/FL009-hardcoded-credential-ci";
    let run = check(base);
    // A CI file that is not valid YAML is a note, not an error of the run.
    assert_eq!(run.code, 1);
    assert_eq!(run.json["errors"], serde_json::json!([]));
    let notes: Vec<&str> = run.json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert_eq!(notes, [format!("{base}/.github/workflows/broken.yml")]);
    assert_eq!(
        found(&run, &["FL002", "FL006", "FL007", "FL009"]),
        expected(
            base,
            &[
                ("FL002", ".github/workflows/release.yml", 4),
                ("FL002", ".github/workflows/release.yml", 9),
                ("FL006", ".github/workflows/release.yml", 10),
                ("FL009", ".github/workflows/release.yml", 10),
                ("FL007", ".github/workflows/release.yml", 15),
                ("FL009", ".github/workflows/release.yml", 15),
                ("FL002", ".gitlab-ci.yml", 2),
                ("FL002", ".gitlab-ci.yml", 3),
                ("FL002", ".gitlab-ci.yml", 9),
                ("FL009", ".gitlab-ci.yml", 10),
                ("FL006", ".circleci/config.yml", 7),
                ("FL002", ".circleci/config.yml", 8),
                ("FL009", ".circleci/config.yml", 8),
                ("FL002", "bitrise.yml", 4),
                ("FL002", "bitrise.yml", 7),
                ("FL007", "azure-pipelines.yml", 2),
                ("FL002", "azure-pipelines.yml", 9),
                ("FL009", "azure-pipelines.yml", 9),
                ("FL002", "Jenkinsfile", 4),
                ("FL002", "Jenkinsfile", 5),
                ("FL006", "Jenkinsfile", 10),
                ("FL009", "Jenkinsfile", 10),
                ("FL007", "Jenkinsfile", 14),
            ]
        )
    );
    let messages: Vec<&str> = run.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "FL002")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages
        .iter()
        .all(|m| m.ends_with("is set in a CI configuration file")));
}

#[test]
fn fl010_deliver_precheck_iap() {
    let base = "fixtures/rules/FL010-deliver-precheck-iap";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL010"]),
        expected(
            base,
            &[
                ("FL010", "main/fastlane/Fastfile", 11),
                ("FL010", "main/fastlane/Fastfile", 14),
                ("FL010", "main/fastlane/Fastfile", 16),
                ("FL010", "main/fastlane/Fastfile", 21),
            ]
        )
    );
}

#[test]
fn fl011_api_key_shape() {
    let base = "fixtures/rules/FL011-api-key-shape";
    let run = check(base);
    let message = |line: u64| message_at(&run, "FL011", line);
    // An uploader's hash needs `key`: `filepath` would not reach the upload either.
    assert!(
        message(8).ends_with("the hash takes `key`"),
        "{}",
        message(8)
    );
    assert!(
        message(28).contains("`upload_to_testflight` hands its `api_key:` hash to the uploader"),
        "{}",
        message(28)
    );
    assert_eq!(
        found(&run, &["FL011"]),
        expected(
            base,
            &[
                ("FL011", "fastlane/Fastfile", 3),
                ("FL011", "fastlane/Fastfile", 8),
                ("FL011", "fastlane/Fastfile", 15),
                ("FL011", "fastlane/Fastfile", 16),
                // `filepath` and no `key` in the hash of a call that uploads a build; quiet with
                // `distribute_only`, `skip_binary_upload`, or a `key`.
                ("FL011", "fastlane/Fastfile", 28),
                ("FL011", "fastlane/Fastfile", 34),
                ("FL011", "fastlane/key_filepath.json", 4),
                ("FL011", "fastlane/no_key_id.json", 1),
                ("FL011", "fastlane/broken.json", 4),
            ]
        )
    );
}

#[test]
fn fl012_api_key_duration() {
    let base = "fixtures/rules/FL012-api-key-duration";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL012"]),
        expected(
            base,
            &[
                ("FL012", "fastlane/Fastfile", 3),
                ("FL012", "fastlane/Fastfile", 5),
                ("FL012", "fastlane/Fastfile", 7),
                ("FL012", "fastlane/Fastfile", 9),
                ("FL012", "fastlane/api_key.json", 5),
                ("FL012", "fastlane/.env", 1),
                ("FL012", ".github/workflows/beta.yml", 6),
            ]
        )
    );
}

#[test]
fn fl013_enterprise_in_house() {
    let base = "fixtures/rules/FL013-enterprise-in-house";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL013"]),
        expected(
            base,
            &[
                ("FL013", "lane_key/fastlane/Fastfile", 8),
                ("FL013", "lane_key/fastlane/Fastfile", 11),
                ("FL013", "matchfile/fastlane/Fastfile", 2),
            ]
        )
    );
}

#[test]
fn fl018_match_storage_team_id() {
    let base = "fixtures/rules/FL018-match-storage-team-id";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL018"]),
        expected(
            base,
            &[
                // S3, Google Cloud and GitLab storage from the call, with the key of before_all.
                ("FL018", "lane_key/fastlane/Fastfile", 7),
                ("FL018", "lane_key/fastlane/Fastfile", 11),
                ("FL018", "lane_key/fastlane/Fastfile", 15),
                // The storage mode from the Matchfile.
                ("FL018", "matchfile/fastlane/Fastfile", 4),
                // Quiet: a team id in the call, the Appfile (appfile_team), FASTLANE_TEAM_ID in
                // .env (env_team) or the team_id action (team_action); readonly; git storage; a
                // storage mode or options fastlint cannot read.
            ]
        )
    );
    // Without a key, match asks the Developer Portal for the team: the lane needs a key first.
    assert_eq!(
        found(&run, &["FL008"]),
        expected(base, &[("FL008", "no_key/fastlane/Fastfile", 3)])
    );
}

#[test]
fn fl014_conflicting_auth() {
    let base = "fixtures/rules/FL014-conflicting-auth";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL014"]),
        expected(
            base,
            &[
                ("FL014", "fastlane/Fastfile", 4),
                ("FL014", "fastlane/Fastfile", 5),
                ("FL014", "fastlane/Fastfile", 6),
                ("FL014", "fastlane/Fastfile", 7),
                ("FL014", "fastlane/Fastfile", 8),
                ("FL014", "fastlane/Fastfile", 10),
                ("FL014", "fastlane/Precheckfile", 1),
            ]
        )
    );
}

#[test]
fn fl015_individual_key() {
    let base = "fixtures/rules/FL015-individual-key";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL015"]),
        expected(
            base,
            &[
                ("FL015", "main/fastlane/Fastfile", 3),
                ("FL015", "main/fastlane/Fastfile", 6),
                ("FL015", "main/fastlane/Fastfile", 8),
                ("FL015", "main/fastlane/individual.json", 2),
            ]
        )
    );
}

#[test]
fn fl016_lane_shadows_action() {
    let base = "fixtures/rules/FL016-lane-shadows-action";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL016"]),
        expected(
            base,
            &[
                ("FL016", "fastlane/Fastfile", 2),
                ("FL016", "fastlane/Fastfile", 6),
                ("FL016", "fastlane/Fastfile", 11),
                ("FL016", "fastlane/Fastfile", 24),
            ]
        )
    );
    let pem = run.json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "FL016" && d["line"] == 2)
        .unwrap();
    assert!(pem["message"]
        .as_str()
        .unwrap()
        .contains("calls the lane itself"));
}

#[test]
fn fl017_key_filepath_relative() {
    let base = "fixtures/rules/FL017-key-filepath-relative";
    let run = check(base);
    // Reported: paths that exist only from the fastlane folder (even one git ignores there), and
    // paths that exist nowhere unless a .gitignore that governs them lists them (`keys/tracked.json`
    // is re-included by `!`, and fastlane/.gitignore does not speak for `ci_api_key.json` at the
    // root). Quiet: paths that exist from the root, ignored ones, absolute and variable paths.
    assert_eq!(
        found(&run, &["FL017"]),
        expected(
            base,
            &[
                ("FL017", "fastlane/.env", 3),
                ("FL017", "fastlane/Fastfile", 5),
                ("FL017", "fastlane/Fastfile", 6),
                ("FL017", "fastlane/Fastfile", 7),
                ("FL017", "fastlane/Fastfile", 10),
                ("FL017", "fastlane/Fastfile", 11),
                ("FL017", "fastlane/Fastfile", 12),
                ("FL017", "fastlane/Fastfile", 13),
            ]
        )
    );
    let diag = |path: &str, line: u64| {
        run.json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["code"] == "FL017"
                    && d["path"] == format!("{base}/{path}").as_str()
                    && d["line"] == line
            })
            .cloned()
            .unwrap()
    };
    let text =
        |path: &str, line: u64, field: &str| diag(path, line)[field].as_str().unwrap().to_string();
    // Written from the fastlane folder: the path to write instead.
    for (path, line, fixed) in [
        ("fastlane/Fastfile", 5, "`fastlane/AuthKey_BESIDE.p8`"),
        ("fastlane/Fastfile", 6, "`AuthKey_UP.p8`"),
        ("fastlane/Fastfile", 7, "`fastlane/api_key.json`"),
        ("fastlane/.env", 3, "`fastlane/api_key.json`"),
    ] {
        assert!(text(path, line, "message").contains("exists from the fastlane folder"));
        let help = text(path, line, "help");
        assert!(
            help.contains("resolves from the project root, not the fastlane folder")
                && help.contains(fixed),
            "{path}:{line}: {help}"
        );
    }
    // Nowhere: where actions look, and the two ways to say CI provides the file.
    for (line, literal) in [
        (10, "keys/missing.p8"),
        (11, "nowhere/api_key.json"),
        (12, "keys/tracked.json"),
        (13, "ci_api_key.json"),
    ] {
        let message = text("fastlane/Fastfile", line, "message");
        assert!(
            message.contains(&format!(
                "`{literal}` does not exist relative to the project root"
            )) && message.contains("where actions resolve it"),
            "line {line}: {message}"
        );
        let help = text("fastlane/Fastfile", line, "help");
        assert!(
            help.contains("write the path from the project root")
                && help.contains(&format!("list `{literal}` in the .gitignore"))
                && help.contains("suppress"),
            "line {line}: {help}"
        );
    }
}

/// FL017 run from inside the project, so that the project root is `.`: the same findings.
#[test]
fn fl017_from_inside_the_project() {
    let out = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(["check", ".", "--format", "json", "--select", "FL017"])
        .current_dir(format!("{ROOT}/fixtures/rules/FL017-key-filepath-relative"))
        .output()
        .expect("the fastlint binary runs");
    let run = Run {
        json: serde_json::from_slice(&out.stdout).expect("JSON output"),
        code: out.status.code().unwrap_or(-1),
    };
    assert_eq!(run.code, 1);
    let lines: Vec<(&str, u64)> = vec![
        ("fastlane/.env", 3),
        ("fastlane/Fastfile", 5),
        ("fastlane/Fastfile", 6),
        ("fastlane/Fastfile", 7),
        ("fastlane/Fastfile", 10),
        ("fastlane/Fastfile", 11),
        ("fastlane/Fastfile", 12),
        ("fastlane/Fastfile", 13),
    ];
    assert_eq!(
        found(&run, &["FL017"]),
        lines
            .into_iter()
            .map(|(p, l)| ("FL017".to_string(), p.to_string(), l))
            .collect::<Found>()
    );
}

#[test]
fn every_new_rule_is_documented() {
    for code in [
        "FL009", "FL010", "FL011", "FL012", "FL013", "FL014", "FL015", "FL016", "FL017",
    ] {
        let rule = fastlint::rules::find(code).unwrap_or_else(|| panic!("{code} is registered"));
        for part in [
            "**What it finds.**",
            "**Why it matters.**",
            "**The way out.**",
            "**Example.**",
        ] {
            assert!(
                rule.info.explanation.contains(part),
                "{code} explains {part}"
            );
        }
        assert_eq!(
            fastlint::rules::find(rule.info.name).unwrap().info.code,
            code
        );
    }
}

#[test]
fn a_json_key_file_given_by_name_is_read_as_one() {
    let run = check("fixtures/rules/FL011-api-key-shape/fastlane/key_filepath.json");
    assert_eq!(
        found(&run, &["FL000", "FL011", "FL015"]),
        expected(
            "fixtures/rules/FL011-api-key-shape/fastlane",
            &[("FL011", "key_filepath.json", 4)]
        )
    );
}

#[test]
fn fl019_match_developer_id() {
    let base = "fixtures/rules/FL019-match-developer-id";
    let run = check(base);
    assert_eq!(
        found(&run, &["FL019"]),
        expected(
            base,
            &[
                // Developer ID, Developer ID Installer (a symbol) and an installer among the
                // additional certificate types, with the key of before_all.
                ("FL019", "lane_key/fastlane/Fastfile", 7),
                ("FL019", "lane_key/fastlane/Fastfile", 11),
                ("FL019", "lane_key/fastlane/Fastfile", 16),
                // The type from the Matchfile.
                ("FL019", "matchfile/fastlane/Fastfile", 4),
                // Quiet: readonly (in the call, or the Matchfile of matchfile_readonly); App Store
                // types; a type or options fastlint cannot read; match_nuke, which renews nothing;
                // MATCH_TYPE set in .env over the Matchfile's type (matchfile_env_type).
            ]
        )
    );
    // Without a key, match renews with the Apple ID: the lane needs a key first.
    assert_eq!(
        found(&run, &["FL008"]),
        expected(base, &[("FL008", "no_key/fastlane/Fastfile", 3)])
    );
    let developer_id = message_at(&run, "FL019", 7);
    assert!(
        developer_id.contains("`developer_id` certificates")
            && developer_id.contains("cannot renew an expired one"),
        "{developer_id}"
    );
    let installer = message_at(&run, "FL019", 11);
    assert!(
        installer.contains("`developer_id_installer` certificates")
            && installer.contains("can neither create nor renew one"),
        "{installer}"
    );
}
