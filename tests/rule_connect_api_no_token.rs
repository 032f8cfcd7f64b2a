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
        ("FL021", 19), // bare
        ("FL021", 30), // context_only: set_spaceship_token: false
        ("FL021", 41), // too_early: before the key block
        ("FL021", 58), // after_produce: produce's login replaced the token
        ("FL021", 81), // with_pilot
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
            ("bare", "migratable", false),
            ("context_only", "migratable", false),
            ("by_hand", "api-key", false),
            ("too_early", "migratable", false),
            ("after_produce", "blocked", false),
            ("calls_helper", "api-key", false),
            ("renew", "api-key", false),
            ("no_request", "no-apple-auth", false),
            ("with_pilot", "migratable", false),
        ])
    );
}

#[test]
fn fix_keys_the_lane_it_rewrites_and_lists_the_others() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let copy = dir.path().join("fixture");
    copy_dir(&Path::new(ROOT).join(BASE), &copy);
    let fastfile = copy.join("main/fastlane/Fastfile");
    let before = std::fs::read_to_string(&fastfile).unwrap();

    let out = run(&copy.join("main"), &["check", ".", "--fix"]);
    let after = std::fs::read_to_string(&fastfile).unwrap();
    // Only `with_pilot` changes, for its pilot; the key block it gets sets the token for the
    // request before pilot too.
    let with_pilot = "  lane :with_pilot do\n    Spaceship::ConnectAPI::App.find(\"com.example.app\")\n    pilot(skip_waiting_for_build_processing: true)\n  end\n";
    assert!(before.contains(with_pilot));
    let expected = before.replace(
        with_pilot,
        "  lane :with_pilot do
    api_key = app_store_connect_api_key(
      key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],
      issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],
      key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]
    )
    Spaceship::ConnectAPI::App.find(\"com.example.app\")
    pilot(api_key: api_key, skip_waiting_for_build_processing: true)
  end
",
    );
    assert_eq!(after, expected);

    let summary = format!("{}{}", out.stdout, out.stderr);
    assert!(
        summary.contains("1 file changed, 1 call migrated in 1 lane; 4 lanes left as they are"),
        "{summary}"
    );
    for line in [
        "  ios bare calls `Spaceship::ConnectAPI::BundleId.find` with no Spaceship token set: set one before it by hand (`app_store_connect_api_key` without `set_spaceship_token: false`, or `Spaceship::ConnectAPI.auth`) (fastlane/Fastfile:19)",
        "  ios context_only calls `::Spaceship::ConnectAPI::Certificate.all` with no Spaceship token set: set one before it by hand (`app_store_connect_api_key` without `set_spaceship_token: false`, or `Spaceship::ConnectAPI.auth`) (fastlane/Fastfile:30)",
        "  ios too_early calls `Spaceship::ConnectAPI::Profile.all` with no Spaceship token set: set one before it by hand (`app_store_connect_api_key` without `set_spaceship_token: false`, or `Spaceship::ConnectAPI.auth`) (fastlane/Fastfile:41)",
        "  ios after_produce blocked by produce (fastlane/Fastfile:57)",
    ] {
        assert!(summary.contains(line), "missing {line:?} in\n{summary}");
    }

    // The lane is now api-key, its request included; a second run changes nothing.
    let report = json(&copy.join("main"));
    let with_pilot = verdicts(&report)
        .into_iter()
        .find(|(name, _, _)| name == "with_pilot")
        .unwrap();
    assert_eq!(with_pilot.1, "api-key");
    let lines: Vec<u64> = found(&report)
        .into_iter()
        .filter(|(code, _)| code == "FL021")
        .map(|(_, line)| line)
        .collect();
    assert_eq!(lines, [19, 30, 41, 58]);
    let again = run(&copy.join("main"), &["check", ".", "--diff"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(!again.stdout.contains("+++"), "{}", again.stdout);
}
