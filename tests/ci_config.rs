//! `fastlint.toml`: discovery, every key, `--config`, `--isolated`, `--select`/`--ignore`, and errors that
//! name the file and line (exit 2).
//!
//! Uses `fixtures/ci/project` (see `ci_formats.rs`): FL006 in `.env`:1, FL003 in the Appfile:2, FL008 and
//! FL001 in the Fastfile:7, FL004 in the Fastfile:13.

mod ci_common;

use ci_common::*;

fn codes(dir: &std::path::Path, args: &[&str]) -> Vec<(String, u64, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let r = run(dir, &all);
    assert!(r.code < 2, "{}", r.stderr);
    findings(&r.json())
}

const ALL: &[(&str, u64, &str)] = &[
    ("fastlane/.env", 1, "FL006"),
    ("fastlane/Appfile", 2, "FL003"),
    ("fastlane/Fastfile", 7, "FL008"),
    ("fastlane/Fastfile", 7, "FL001"),
    ("fastlane/Fastfile", 13, "FL004"),
];

fn all_but(skip: &[&str]) -> Vec<(String, u64, String)> {
    ALL.iter()
        .filter(|(_, _, c)| !skip.contains(c))
        .map(|(p, l, c)| f(p, *l, c))
        .collect()
}

#[test]
fn select_ignore_and_per_file_ignores() {
    let dir = copy_fixture("project");
    write(
        dir.path(),
        "fastlint.toml",
        "# what CI gates on\nselect = [\"FL00\"]\nignore = [\"fastlane-session\"]\n\n[per-file-ignores]\n\"Appfile\" = [\"FL003\"]\n",
    );
    assert_eq!(codes(dir.path(), &[]), all_but(&["FL006", "FL003"]));
    // --select replaces the file's selection; --ignore removes from it.
    assert_eq!(
        codes(dir.path(), &["--select", "FL001,FL004,FL003"]),
        all_but(&["FL006", "FL008", "FL003"])
    );
    assert_eq!(
        codes(dir.path(), &["--ignore", "FL004", "--ignore", "no-api-key"]),
        all_but(&["FL006", "FL003", "FL004", "FL008"])
    );
    // ALL and extend-select.
    write(
        dir.path(),
        "fastlint.toml",
        "select = [\"FL001\"]\nextend-select = [\"FL004\"]\n",
    );
    assert_eq!(
        codes(dir.path(), &[]),
        all_but(&["FL006", "FL003", "FL008"])
    );
    assert_eq!(codes(dir.path(), &["--select", "ALL"]), all_but(&[]));
}

#[test]
fn exclude_and_fastlane_version() {
    let dir = copy_fixture("project");
    write(
        dir.path(),
        "legacy/fastlane/Fastfile",
        "lane :old do\n  pem\nend\n",
    );
    write(
        dir.path(),
        ".fastlint.toml",
        "exclude = [\"legacy\"]\nfastlane-version = \"2.150.0\"\n",
    );
    // At 2.150.0 pilot (2.157.0) and match (2.162.0) cannot take a key yet: FL004 instead of FL008.
    assert_eq!(
        codes(dir.path(), &[]),
        [
            f("fastlane/.env", 1, "FL006"),
            f("fastlane/Appfile", 2, "FL003"),
            f("fastlane/Fastfile", 7, "FL004"),
            f("fastlane/Fastfile", 7, "FL001"),
            f("fastlane/Fastfile", 13, "FL004"),
            f("fastlane/Fastfile", 18, "FL004"),
        ]
    );
    // The flag wins over the file.
    assert_eq!(
        codes(dir.path(), &["--fastlane-version", "2.237.0"]),
        all_but(&[])
    );
    // A file named on the command line is read even when excluded.
    let named = codes(dir.path(), &["legacy/fastlane/Fastfile"]);
    assert_eq!(named, [f("legacy/fastlane/Fastfile", 2, "FL004")]);
}

#[test]
fn found_from_the_scanned_path_upwards() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("project"), &dir.path().join("apps/shop"));
    write(dir.path(), "fastlint.toml", "select = [\"FL004\"]\n");
    let expect = [f("apps/shop/fastlane/Fastfile", 13, "FL004")];
    assert_eq!(codes(dir.path(), &["apps/shop"]), expect);
    // From inside the project too.
    let inner = dir.path().join("apps/shop");
    assert_eq!(codes(&inner, &[]), [f("fastlane/Fastfile", 13, "FL004")]);
    // The nearest file wins.
    write(&inner, ".fastlint.toml", "select = [\"FL003\"]\n");
    assert_eq!(codes(&inner, &[]), [f("fastlane/Appfile", 2, "FL003")]);
    // --isolated ignores both; --config names one.
    assert_eq!(codes(&inner, &["--isolated"]), all_but(&[]));
    assert_eq!(
        codes(&inner, &["--config", "../../fastlint.toml"]),
        [f("fastlane/Fastfile", 13, "FL004")]
    );
}

/// Runs `check` with `toml` as the configuration; returns stderr (exit 2 expected).
fn config_error(toml: &str) -> String {
    let dir = copy_fixture("project");
    write(dir.path(), "fastlint.toml", toml);
    let r = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    r.stderr
}

#[test]
fn unknown_key_wrong_type_unknown_code_are_errors_with_file_and_line() {
    let e = config_error("select = [\"FL001\"]\n\nselcet = [\"FL004\"]\n");
    assert!(
        e.starts_with("error: fastlint.toml:3:1: unknown field `selcet`"),
        "{e}"
    );
    assert!(e.contains("expected one of `select`"), "{e}");
    // miette shows the line with the span.
    assert!(
        e.contains("[fastlint.toml:3:1]") && e.contains("3 │ selcet"),
        "{e}"
    );

    let e = config_error("select = \"FL001\"\n");
    assert!(e.starts_with("error: fastlint.toml:1:10: "), "{e}");

    let e = config_error("select = [\"FL001\"]\nignore = [\"FL001\", \"FL999\"]\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:20: unknown rule `FL999`"),
        "{e}"
    );

    let e = config_error("[per-file-ignores]\n\"fastlane/*\" = [\"nope\"]\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:17: unknown rule `nope`"),
        "{e}"
    );

    let e = config_error("[severity]\nFL001 = \"fatal\"\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:9: a severity is \"error\" or \"warning\""),
        "{e}"
    );

    let e = config_error("[severity]\nFL123 = \"error\"\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:1: unknown rule `FL123`"),
        "{e}"
    );

    let e = config_error("[fix]\nkey-source = \"env\"\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:14: `key-source` must be"),
        "{e}"
    );

    let e = config_error("[fix]\nkey_source = \"file\"\n");
    assert!(
        e.starts_with("error: fastlint.toml:2:1: unknown field `key_source`"),
        "{e}"
    );

    let e = config_error("exclude = [\"a[\"]\n");
    assert!(
        e.starts_with("error: fastlint.toml:1:12: `a[` is not a valid glob"),
        "{e}"
    );

    let e = config_error("fastlane-version = \"two\"\n");
    assert!(e.starts_with("error: fastlint.toml:1:20: "), "{e}");

    let e = config_error("select = [\n");
    assert!(e.starts_with("error: fastlint.toml:"), "{e}");

    let e = config_error("env = [\"ci\", \"a,b\"]\n");
    assert!(
        e.starts_with("error: fastlint.toml:1:14: `a,b` is not one environment name"),
        "{e}"
    );
    let e = config_error("env = []\n");
    assert!(
        e.starts_with("error: fastlint.toml:1:7: name at least one environment"),
        "{e}"
    );
    let e = config_error("env = \"ci\"\n");
    assert!(e.starts_with("error: fastlint.toml:1:7: "), "{e}");
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--select", "FL999"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule `FL999`"), "{}", r.stderr);
    let r = run(&dir, &["check", "--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
    let r = run(&dir, &["check", "--config", "x.toml", "--isolated"]);
    assert_eq!(r.code, 2);
}
