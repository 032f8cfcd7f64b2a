//! `--stdin-filename NAME`: the file's text comes from standard input, the fastlane files beside it from
//! disk, and only NAME is reported on.

mod ci_common;

use ci_common::*;

#[test]
fn stdin_text_replaces_the_file_on_disk() {
    let dir = copy_fixture("project");
    let d = dir.path();
    let input = "lane :upload do\n  deliver(username: \"me@example.com\")\nend\n";
    let r = run_stdin(
        d,
        &[
            "check",
            "--stdin-filename",
            "fastlane/Fastfile",
            "--format",
            "json",
        ],
        input,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    // Only the Fastfile is reported on (the Appfile's and .env's findings are not), and it is the text
    // from standard input, not the file on disk.
    assert_eq!(
        findings(&report),
        [
            f("fastlane/Fastfile", 2, "FL008"),
            f("fastlane/Fastfile", 2, "FL001")
        ]
    );
    let lanes = report["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0]["name"], "upload");
    assert_eq!(lanes[0]["verdict"], "migratable");
}

#[test]
fn files_beside_it_are_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A key path in the .env beside the Fastfile gives pilot its key.
    write(
        d,
        "fastlane/.env",
        "APP_STORE_CONNECT_API_KEY_PATH=key.json\n",
    );
    let r = run_stdin(
        d,
        &[
            "check",
            "--stdin-filename",
            "fastlane/Fastfile",
            "--format",
            "json",
        ],
        "lane :beta do\n  pilot\nend\n",
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["lanes"][0]["verdict"], "api-key");
    // Suppressions and the configuration apply to the text read.
    write(d, "fastlint.toml", "[severity]\nFL008 = \"error\"\n");
    std::fs::remove_file(d.join("fastlane/.env")).unwrap();
    let r = run_stdin(
        d,
        &[
            "check",
            "--stdin-filename",
            "fastlane/Fastfile",
            "--format",
            "json",
        ],
        "lane :beta do\n  pilot\n  pilot # fastlint: ignore FL008\nend\n",
    );
    let report = r.json();
    assert_eq!(findings(&report), [f("fastlane/Fastfile", 2, "FL008")]);
    assert_eq!(report["diagnostics"][0]["severity"], "error");
}

#[test]
fn a_name_that_does_not_exist_yet() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "new/fastlane/Fastfile",
            "--format",
            "sarif",
        ],
        "lane :push do\n  pem\nend\n",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let log = r.json();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "FL004");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "new/fastlane/Fastfile"
    );
}
