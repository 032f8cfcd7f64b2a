//! `--write-baseline` / `--baseline`: findings matched by path, code, lane and line text survive lines
//! inserted above them; new findings are reported; entries that match nothing are listed as fixed.
//! Uses a copy of `fixtures/ci/project` (five findings, see `ci_formats.rs`).

mod ci_common;

use ci_common::*;

fn fastfile(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("fastlane/Fastfile")
}

fn edit(dir: &std::path::Path, from: &str, to: &str) {
    let path = fastfile(dir);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} in the Fastfile");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn baseline_hides_known_findings_even_when_lines_move() {
    let dir = copy_fixture("project");
    let d = dir.path();
    let w = run(d, &["check", "--write-baseline", "fastlint-baseline.json"]);
    assert_eq!(w.code, 0, "{}", w.stderr);
    assert_eq!(w.stdout, "");
    assert!(
        w.stderr
            .contains("wrote 5 findings to fastlint-baseline.json"),
        "{}",
        w.stderr
    );

    let text = std::fs::read_to_string(d.join("fastlint-baseline.json")).unwrap();
    let baseline: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(baseline["fastlint_baseline"], 1);
    let entries = baseline["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[3]["code"], "FL001");
    assert_eq!(entries[3]["lane"], "ios beta");
    assert_eq!(entries[3]["path"], "fastlane/Fastfile");
    // Hashes only: no line text (a .env line may hold a secret).
    assert!(!text.contains("FASTLANE_SESSION=abc") && !text.contains("ci@example.com"));

    let r = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains(", 0 diagnostics"), "{}", r.stdout);
    assert!(
        r.stdout.contains("baseline fastlint-baseline.json: 5 findings matched, 0 entries fixed since it was written"),
        "{}",
        r.stdout
    );

    // Lines inserted above and inside the lanes, and re-indentation, change nothing.
    let text = std::fs::read_to_string(fastfile(d)).unwrap();
    let shifted = format!(
        "# Shop's lanes\n\n\n{}",
        text.replace(
            "    build_app(scheme: \"Shop\")\n",
            "    build_app(scheme: \"Shop\")\n    increment_build_number\n\n"
        )
        .replace("    pem\n", "      pem\n")
    );
    std::fs::write(fastfile(d), shifted).unwrap();
    let r = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let report = r.json();
    assert_eq!(findings(&report), []);
    assert_eq!(report["baseline"]["matched"], 5);
    assert_eq!(report["baseline"]["fixed"].as_array().unwrap().len(), 0);

    // A new finding in another lane is reported; the known ones stay hidden.
    edit(
        d,
        "    run_tests(scheme: \"Shop\")\n",
        "    run_tests(scheme: \"Shop\")\n    pilot(username: \"ci@example.com\")\n",
    );
    let r = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1);
    let report = r.json();
    assert_eq!(
        findings(&report),
        [
            f("fastlane/Fastfile", 28, "FL008"),
            f("fastlane/Fastfile", 28, "FL001")
        ]
    );
    assert_eq!(report["diagnostics"][0]["lane"], "ios test");

    // Removing `pem` fixes the FL004 entry: it is listed as fixed.
    edit(d, "      pem\n", "");
    let r = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--format",
            "json",
        ],
    );
    let report = r.json();
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["code"], "FL004");
    assert_eq!(fixed[0]["line"], 13);
    assert_eq!(report["baseline"]["matched"], 4);
    let text = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--color",
            "never",
        ],
    );
    assert!(
        text.stdout.contains("4 findings matched, 1 entry fixed since it was written\n  fixed: fastlane/Fastfile:13: FL004 (lane `ios release`) `pem` needs an Apple ID"),
        "{}",
        text.stdout
    );
    // Other formats tell it on standard error.
    let sarif = run(
        d,
        &[
            "check",
            "--baseline",
            "fastlint-baseline.json",
            "--format",
            "sarif",
        ],
    );
    assert!(sarif.stderr.contains("1 entry fixed"), "{}", sarif.stderr);
}

#[test]
fn each_entry_matches_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "fastlane/Fastfile",
        "lane :beta do\n  pilot\n  pilot\nend\n",
    );
    assert_eq!(run(d, &["check", "--write-baseline", "b.json"]).code, 0);
    // A third identical line is one new finding.
    write(
        d,
        "fastlane/Fastfile",
        "lane :beta do\n  pilot\n  pilot\n  pilot\nend\n",
    );
    let r = run(d, &["check", "--baseline", "b.json", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r.json()).len(), 1);
    // The same line in another lane is new too: the lane is part of the match.
    write(
        d,
        "fastlane/Fastfile",
        "lane :beta do\n  pilot\n  pilot\nend\nlane :other do\n  pilot\nend\n",
    );
    let r = run(d, &["check", "--baseline", "b.json", "--format", "json"]);
    assert_eq!(findings(&r.json()), [f("fastlane/Fastfile", 6, "FL008")]);
}

#[test]
fn sarif_marks_baselined_findings_as_external_suppressions() {
    let dir = copy_fixture("project");
    let d = dir.path();
    assert_eq!(run(d, &["check", "--write-baseline", "b.json"]).code, 0);
    let r = run(d, &["check", "--baseline", "b.json", "--format", "sarif"]);
    assert_eq!(r.code, 0);
    let log = r.json();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        assert_eq!(result["suppressions"][0]["kind"], "external");
    }
}

#[test]
fn a_bad_baseline_is_an_error() {
    let dir = copy_fixture("project");
    let d = dir.path();
    write(d, "b.json", "{\"findings\": 3}");
    let r = run(d, &["check", "--baseline", "b.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("b.json: not a fastlint baseline"),
        "{}",
        r.stderr
    );
    let r = run(d, &["check", "--baseline", "missing.json"]);
    assert_eq!(r.code, 2);
}
