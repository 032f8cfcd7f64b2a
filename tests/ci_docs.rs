//! `fastlint rule`, `fastlint rules`, README's generated rule list and shell completions (the
//! integration files are run in `ci_integrations`).

mod ci_common;

use std::path::Path;

use ci_common::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rule_prints_the_documentation() {
    let r = run(root(), &["rule", "FL001"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with(
        "FL001 username-option (warning, fixable)\nAn Apple action is given an Apple ID with `username:`\n\n**What it finds.**"
    ), "{}", r.stdout);
    for part in [
        "**Why it matters.**",
        "**The way out.**",
        "**Example.**",
        "```ruby",
    ] {
        assert!(r.stdout.contains(part), "{part}");
    }
    // By name, any case of the code.
    assert_eq!(run(root(), &["rule", "username-option"]).stdout, r.stdout);
    assert_eq!(run(root(), &["rule", "fl001"]).stdout, r.stdout);
    let fl100 = run(root(), &["rule", "FL100"]);
    assert!(fl100
        .stdout
        .starts_with("FL100 unused-suppression (warning, fixable)\n"));
    let unknown = run(root(), &["rule", "FL999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown rule `FL999`"));
}

#[test]
fn rules_lists_all_in_three_formats() {
    let text = run(root(), &["rules"]);
    assert_eq!(text.code, 0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(lines.len() >= 10);
    assert!(lines[0].starts_with("FL000  parse-error "));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("FL100  unused-suppression ")));
    let fl001 = lines.iter().find(|l| l.starts_with("FL001")).unwrap();
    assert!(
        fl001.contains(" warning  fix  An Apple action is given an Apple ID"),
        "{fl001}"
    );

    let json = run(root(), &["rules", "--format", "json"]).json();
    let rules = json.as_array().unwrap();
    assert_eq!(rules.len(), lines.len());
    let fl004 = rules.iter().find(|r| r["code"] == "FL004").unwrap();
    assert_eq!(fl004["name"], "apple-id-only-action");
    assert_eq!(fl004["severity"], "error");
    assert_eq!(fl004["fixable"], false);
    assert!(fl004["explanation"]
        .as_str()
        .unwrap()
        .contains("**The way out.**"));

    let md = run(root(), &["rules", "--format", "markdown"]);
    assert_eq!(md.stdout, fastlint::docs::rules_markdown());
    assert!(md.stdout.starts_with("| code | name | severity | fix | finds |\n|---|---|---|---|---|\n| [FL000](#fl000-parse-error) | `parse-error` | error |  |"));
    assert!(md
        .stdout
        .contains("\n### FL001 `username-option`\n\n**What it finds.**"));
}

/// README.md's rule list is `fastlint rules --format markdown`. `FASTLINT_BLESS=1 cargo test --test
/// ci_docs` rewrites it after a rule changes.
#[test]
fn readme_rule_list_is_generated() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let expected = fastlint::docs::readme_with_rules(&readme)
        .expect("README.md has <!-- rules:start --> and <!-- rules:end -->");
    if std::env::var_os("FASTLINT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        readme == expected,
        "README.md's rule list differs from `fastlint rules --format markdown`; run `FASTLINT_BLESS=1 cargo test --test ci_docs` and commit README.md"
    );
}

#[test]
fn completions_for_three_shells() {
    for (shell, marker) in [
        ("bash", "complete -F _fastlint"),
        ("zsh", "#compdef fastlint"),
        ("fish", "complete -c fastlint"),
    ] {
        let r = run(root(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}");
        assert!(
            r.stdout.contains(marker),
            "{shell}: {}",
            &r.stdout[..200.min(r.stdout.len())]
        );
        assert!(r.stdout.contains("stdin-filename"), "{shell}");
    }
    assert_eq!(run(root(), &["completions", "tcsh"]).code, 2);
}
