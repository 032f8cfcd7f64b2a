//! FL021: App Store Connect API calls made through Spaceship with no Spaceship token set, run
//! through the binary over `fixtures/rules/FL021-connect-api-no-token`. Each expectation was read
//! off the fixture.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod ci_common;
use ci_common::{copy_dir, run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BASE: &str = "fixtures/rules/FL021-connect-api-no-token";

fn json(dir: &Path) -> Value {
    let out = run(dir, &["check", ".", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.json()
}

/// (code, line) of every diagnostic.
fn found(report: &Value) -> BTreeSet<(String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (lane, verdict, fixable) of every lane.
fn verdicts(report: &Value) -> Vec<(String, String, bool)> {
    report["lanes"]
        .as_array()
        .expect("lanes")
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["verdict"].as_str().unwrap().to_string(),
                l["fixable"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn owned(items: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    items
        .iter()
        .map(|(n, v, f)| (n.to_string(), v.to_string(), *f))
        .collect()
}

#[test]
fn finds_requests_made_with_no_token_and_judges_their_lanes() {
    let report = json(&Path::new(ROOT).join(BASE).join("main"));
    let expected: BTreeSet<(String, u64)> = [
        ("FL021", 19),  // bare
        ("FL021", 30),  // context_only: set_spaceship_token: false
        ("FL021", 41),  // too_early: before the key block
        ("FL021", 58),  // after_produce: produce's login replaced the token
        ("FL021", 81),  // with_pilot
        ("FL021", 96),  // lookup, a private lane that calls_lookup calls
        ("FL021", 101), // app_name, a method that through_method calls
        ("FL021", 108), // the mac before_all hook
        ("FL021", 125), // the tvos before_all hook, which sets up its key without the token
        ("FL004", 57),
        ("FL008", 82),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), *l))
    .collect();
    assert_eq!(found(&report), expected);

    let message = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["line"] == 30)
        .and_then(|d| d["message"].as_str())
        .unwrap()
        .to_string();
    assert_eq!(
        message,
        "`::Spaceship::ConnectAPI::Certificate.all` runs with no Spaceship token set, so it uses the web session of an Apple-ID login made before it (and fails without one)"
    );

    assert_eq!(
        verdicts(&report),
        owned(&[
            ("keyed", "api-key", false),
            // A key block at the top of the body gives the request the token.
            ("bare", "migratable", true),
            // The lane sets up its key itself, without the token or after the request.
            ("context_only", "migratable", false),
            ("by_hand", "api-key", false),
            ("too_early", "migratable", false),
            ("after_produce", "blocked", false),
            ("calls_helper", "api-key", false),
            ("renew", "api-key", false),
            ("no_request", "no-apple-auth", false),
            ("with_pilot", "migratable", true),
            ("through_method", "migratable", true),
            // Its request is in another lane's body, which gets a key block of its own.
            ("calls_lookup", "migratable", true),
            ("lookup", "migratable", true),
            // Its request is in a hook, which gets a key block of its own.
            ("release", "migratable", true),
            // Its request is in a hook that sets up its key without the token.
            ("tv_release", "migratable", false),
        ])
    );
}

#[test]
fn fix_gives_the_token_to_the_lanes_whose_body_makes_the_requests() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let copy = dir.path().join("fixture");
    copy_dir(&Path::new(ROOT).join(BASE), &copy);
    let fastfile = copy.join("main/fastlane/Fastfile");
    let before = std::fs::read_to_string(&fastfile).unwrap();

    let out = run(&copy.join("main"), &["check", ".", "--fix"]);
    let after = std::fs::read_to_string(&fastfile).unwrap();
    let block = |indent: &str, variable: bool| {
        format!(
            "{indent}{}app_store_connect_api_key(
{indent}  key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],
{indent}  issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],
{indent}  key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]
{indent})
",
            if variable { "api_key = " } else { "" }
        )
    };
    // Four lanes get the block: three for their requests alone (no call takes the key, so no
    // variable), and `with_pilot`, whose pilot is handed it; so does the mac `before_all` hook.
    let mut expected = before.clone();
    for (lane, first, variable) in [
        ("bare", "Spaceship::ConnectAPI::BundleId.find", false),
        ("with_pilot", "Spaceship::ConnectAPI::App.find", true),
        ("through_method", "UI.message(app_name", false),
        ("lookup", "Spaceship::ConnectAPI::App.find", false),
    ] {
        let opening = format!("lane :{lane} do\n    {first}");
        assert_eq!(expected.matches(&opening).count(), 1, "{opening}");
        expected = expected.replace(
            &opening,
            &format!("lane :{lane} do\n{}    {first}", block("    ", variable)),
        );
    }
    let hook = "  before_all do\n    Spaceship::ConnectAPI::App.find(\"com.example.mac\")";
    assert_eq!(expected.matches(hook).count(), 1);
    expected = expected.replace(
        hook,
        &format!(
            "  before_all do\n{}    Spaceship::ConnectAPI::App.find(\"com.example.mac\")",
            block("    ", false)
        ),
    );
    expected = expected.replace(
        "    pilot(skip_waiting_for_build_processing: true)",
        "    pilot(api_key: api_key, skip_waiting_for_build_processing: true)",
    );
    assert_eq!(after, expected);

    let summary = format!("{}{}", out.stdout, out.stderr);
    assert!(
        summary.contains(
            "1 file changed, 1 call migrated in 5 lanes and 1 hook; 4 lanes left as they are"
        ),
        "{summary}"
    );
    let by_hand = "with no Spaceship token set: set one before it by hand (`app_store_connect_api_key` without `set_spaceship_token: false`, or `Spaceship::ConnectAPI.auth`)";
    for line in [
        format!("  ios context_only calls `::Spaceship::ConnectAPI::Certificate.all` {by_hand} (fastlane/Fastfile:35)"),
        format!("  ios too_early calls `Spaceship::ConnectAPI::Profile.all` {by_hand} (fastlane/Fastfile:46)"),
        "  ios after_produce blocked by produce (fastlane/Fastfile:62)".to_string(),
        format!("  tvos tv_release calls `Spaceship::ConnectAPI::App.find` {by_hand} (fastlane/Fastfile:150)"),
    ] {
        assert!(summary.contains(&line), "missing {line:?} in\n{summary}");
    }

    // The lanes given the block are api-key, and so are the lane that calls `lookup` and the
    // lane the hook runs for; the requests left are those of the lanes left; a second run
    // changes nothing.
    let report = json(&copy.join("main"));
    for (name, verdict, _) in verdicts(&report) {
        if [
            "bare",
            "with_pilot",
            "through_method",
            "calls_lookup",
            "lookup",
            "release",
        ]
        .contains(&name.as_str())
        {
            assert_eq!(verdict, "api-key", "{name}");
        }
    }
    let lines: Vec<u64> = found(&report)
        .into_iter()
        .filter(|(code, _)| code == "FL021")
        .map(|(_, line)| line)
        .collect();
    assert_eq!(lines, [35, 46, 63, 150]);
    let again = run(&copy.join("main"), &["check", ".", "--diff"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(!again.stdout.contains("+++"), "{}", again.stdout);
}

#[test]
fn a_rewrite_of_key_blocks_alone_says_so() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let fastlane = dir.path().join("fastlane");
    std::fs::create_dir_all(&fastlane).unwrap();
    std::fs::write(
        fastlane.join("Fastfile"),
        "lane :apps do\n  Spaceship::ConnectAPI::App.all\nend\n\nlane :devices do\n  Spaceship::ConnectAPI::Device.all\nend\n",
    )
    .unwrap();
    let diff = run(dir.path(), &["check", ".", "--diff"]);
    assert!(
        diff.stderr
            .contains("1 file would change, 2 lanes to migrate with key blocks alone"),
        "{}{}",
        diff.stdout,
        diff.stderr
    );
    let fixed = run(dir.path(), &["check", ".", "--fix"]);
    let all = format!("{}{}", fixed.stdout, fixed.stderr);
    assert!(
        all.contains("1 file changed, 2 lanes migrated with key blocks alone"),
        "{all}"
    );
    assert_eq!(fixed.code, 0, "{all}");
}
