//! Code shaped to make work grow faster than the file: nested thousands deep (hashes in hashes,
//! calls in calls, blocks in blocks), or thousands of calls passing one hash variable. `check`
//! and `--fix` give the same findings as for the same code a few levels deep or a few calls
//! long, without overflowing the stack, and in time that does not grow with the square of the
//! depth or of the calls (each run is stopped after 60 seconds).

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;

const DEEP: usize = 10_000;

/// One lane per shape, its nesting written `depth` levels deep on one line, so that the
/// findings' lines do not depend on the depth.
fn shapes(depth: usize) -> Vec<(&'static str, String)> {
    let r = |s: &str| s.repeat(depth);
    vec![
        (
            "option_hash",
            format!("  pilot(username: \"u\", o: {}1{})", r("{a: "), r("}")),
        ),
        (
            "hash_variable",
            format!("  h = {}1{}\n  pilot(h)", r("{a: "), r("}")),
        ),
        (
            "api_key_hash",
            format!(
                "  pilot(api_key: {{key_id: \"K\", key_filepath: {}1{}}})",
                r("{a: "),
                r("}")
            ),
        ),
        (
            "brackets",
            format!("  pilot(username: {}\"u\"{})", r("("), r(")")),
        ),
        (
            "calls",
            format!("  {}username: \"u\"{}", r("pilot("), r(")")),
        ),
        (
            "blocks",
            format!("  {}pilot(username: \"u\"){}", r("foo { "), r(" }")),
        ),
        (
            "lambdas",
            format!("  x = {}pilot(username: \"u\"){}", r("-> { "), r(" }")),
        ),
        (
            "env",
            format!("  pilot(username: {}\"X\"{})", r("ENV["), r("]")),
        ),
        (
            "shell",
            format!("  {}\"fastlane pilot -u u\"{}", r("sh("), r(")")),
        ),
        (
            "ternary",
            format!("  pilot(username: {}\"v\")", r("a ? \"u\" : ")),
        ),
    ]
}

/// A repository of one fastlane folder per shape, nested `depth` deep.
fn repo(depth: usize) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for (name, body) in shapes(depth) {
        let dir = root.path().join(name).join("fastlane");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Fastfile"), format!("lane :a do\n{body}\nend\n")).unwrap();
    }
    root
}

/// A repository of one fastlane folder whose Fastfile is `text`.
fn one_fastfile(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fastlane = dir.path().join("fastlane");
    std::fs::create_dir_all(&fastlane).unwrap();
    std::fs::write(fastlane.join("Fastfile"), text).unwrap();
    dir
}

/// (path, code, line) of every diagnostic.
fn findings(json: &serde_json::Value) -> BTreeSet<(String, String, u64)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn findings_do_not_depend_on_the_depth() {
    let (shallow, deep) = (repo(3), repo(DEEP));
    let expected = findings(&check_json(shallow.path(), &[], &["."]).json);
    let got = check_json(deep.path(), &[], &["."]);
    assert_eq!(findings(&got.json), expected);
    // Every shape is found and parses clean.
    for (name, _) in shapes(1) {
        assert!(
            expected.iter().any(|(path, _, _)| path.starts_with(name)),
            "no finding for {name}: {expected:?}"
        );
    }
    assert!(
        !expected.iter().any(|(_, code, _)| code == "FL000"),
        "{expected:?}"
    );
}

#[test]
fn fix_of_deep_nesting_settles() {
    let (shallow, deep) = (repo(3), repo(DEEP));
    // The same files change, and a second run has nothing left to do.
    let changed = |root: &Path| {
        let run = run_in(root, &["check", "--diff", "."]);
        run.assert_no_panic();
        assert!(matches!(run.code, 0 | 1), "{}", run.describe());
        run.stdout
            .lines()
            .filter_map(|l| l.strip_prefix("+++ b/"))
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
    };
    let expected = changed(shallow.path());
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(changed(deep.path()), expected);
    let run = run_in(deep.path(), &["check", "--fix", "."]);
    run.assert_no_panic();
    assert!(matches!(run.code, 0 | 1), "{}", run.describe());
    assert_eq!(changed(deep.path()), BTreeSet::new());
    let after = check_json(deep.path(), &[], &["."]);
    assert!(
        !findings(&after.json)
            .iter()
            .any(|(_, code, _)| code == "FL000"),
        "{}",
        after.run.describe()
    );
}

#[test]
fn blocks_nested_over_many_lines() {
    let dir = one_fastfile(&format!(
        "lane :a do\n{}  pilot(username: \"u\")\n{}end\n",
        "foo do\n".repeat(DEEP),
        "end\n".repeat(DEEP)
    ));
    let report = check_json(dir.path(), &[], &["."]);
    let line = DEEP as u64 + 2;
    assert!(
        findings(&report.json).contains(&("fastlane/Fastfile".into(), "FL001".into(), line)),
        "{}",
        report.run.describe()
    );
}

/// tree-sitter-ruby's scanner keeps the strings it is inside of in a fixed buffer, so strings
/// interpolated in strings more than about 250 deep are a syntax error to it (Ruby takes them):
/// the file is reported as such, and the rest of it is still checked.
#[test]
fn interpolation_too_deep_for_the_parser_is_reported_as_a_syntax_error() {
    for (depth, parses) in [(200, true), (DEEP, false)] {
        let dir = one_fastfile(&format!(
            "lane :a do\n  pilot(username: {}x{})\nend\n",
            "\"#{".repeat(depth),
            "}\"".repeat(depth)
        ));
        let report = check_json(dir.path(), &[], &["."]);
        let found = findings(&report.json);
        let at =
            |code: &str, line| found.contains(&("fastlane/Fastfile".into(), code.into(), line));
        assert_eq!(at("FL000", 1), !parses, "{}", report.run.describe());
        assert!(at("FL008", 2), "{}", report.run.describe());
    }
}

/// Thousands of calls passing one hash variable, at the top of the lane and inside blocks: each
/// call's variable is followed to its literal from what its scope holds, worked out once.
#[test]
fn many_calls_passing_one_hash_variable() {
    let repo = |calls: usize| {
        one_fastfile(&format!(
            "lane :a do\n  opts = {{username: \"u\"}}\n{}{}pilot(opts){}\nend\n\
             lane :b do\n  o = {{username: \"u\"}}\n{}  puts(o)\nend\n",
            "  pilot(opts)\n".repeat(calls),
            "  foo { ".repeat(calls),
            " }".repeat(calls),
            "  deliver(o)\n  o[:x] = 1\n".repeat(calls),
        ))
    };
    let (few, many) = (repo(3), repo(5_000));
    let diff = |root: &Path| {
        let run = run_in(root, &["check", "--diff", "."]);
        run.assert_no_panic();
        assert!(matches!(run.code, 0 | 1), "{}", run.describe());
        run.all_output()
    };
    // Each literal loses its `username:`; deliver's is also printed, so its in-app purchase
    // option is left for a hand edit, once per call.
    let (few, many) = (diff(few.path()), diff(many.path()));
    for out in [&few, &many] {
        for line in [
            "-  opts = {username: \"u\"}\n",
            "+  opts = {}\n",
            "-  o = {username: \"u\"}\n",
            "+  o = {}\n",
        ] {
            assert!(out.contains(line), "{line:?} in\n{out}");
        }
    }
    let by_hand = |out: &str| out.matches("(`o` is also used for something else)").count();
    assert_eq!((by_hand(&few), by_hand(&many)), (3, 5_000));
}

/// Thousands of suppression comments: every finding is held, and every comment counts as used
/// (FL100 reports none of them), each whole-file comment for its code included; the one comment
/// that holds nothing is reported.
#[test]
fn thousands_of_suppression_comments() {
    let n = 5_000;
    let dir = one_fastfile(&format!(
        "{}# fastlint: ignore-file FL004\nlane :a do\n{}end\n",
        "# fastlint: ignore-file FL008\n".repeat(n),
        "  pilot(username: \"u\") # fastlint: ignore FL001\n".repeat(n)
    ));
    // (Not `check_json`: its invariants take a migratable lane for fixable, and `--fix` leaves
    // a lane whose findings comments hold.)
    let run = run_in(dir.path(), &["check", "--format", "json", "."]);
    run.assert_exit(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let unused = BTreeSet::from([(
        "fastlane/Fastfile".to_string(),
        "FL100".to_string(),
        n as u64 + 1,
    )]);
    assert_eq!(findings(&json), unused, "{}", run.describe());
}
