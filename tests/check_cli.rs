//! Specification tests for `fastlint check` / `fastlint lanes`: each test runs
//! the binary on one hand-written fixture under `fixtures/check/` (or on a
//! temporary directory) and compares the JSON report with tables worked out
//! from the fixture and the spec, line by line.

mod common;

use common::*;

const F: &str = "fastlane/Fastfile";

// ---------------------------------------------------------------------------
// FL001: every alias of every Apple action with `username:`
// ---------------------------------------------------------------------------

#[test]
fn aliases_with_username() {
    let r = check_fixture("aliases", &[]);
    r.run.assert_exit(1);
    #[rustfmt::skip]
    r.assert_diagnostics(&[
        // lane :uploads
        ("FL001", F, 7, "uploads"), ("FL008", F, 7, "uploads"),      // pilot(username:)
        ("FL001", F, 8, "uploads"), ("FL008", F, 8, "uploads"),      // upload_to_testflight
        ("FL001", F, 9, "uploads"), ("FL008", F, 9, "uploads"),      // testflight username: (no parens)
        ("FL008", F, 10, "uploads"),                                 // deliver( over several lines
        ("FL001", F, 12, "uploads"),                                 //   username: on its own line
        ("FL001", F, 14, "uploads"), ("FL002", F, 14, "uploads"),    // upload_to_app_store(username: ENV[..])
        ("FL008", F, 14, "uploads"),
        ("FL001", F, 15, "uploads"), ("FL008", F, 15, "uploads"),    // appstore
        ("FL001", F, 16, "uploads"), ("FL008", F, 16, "uploads"),    // precheck
        ("FL001", F, 17, "uploads"), ("FL008", F, 17, "uploads"),    // check_app_store_metadata
        // lane :signing
        ("FL001", F, 21, "signing"), ("FL008", F, 21, "signing"),    // match
        ("FL001", F, 22, "signing"), ("FL008", F, 22, "signing"),    // sync_code_signing
        ("FL001", F, 23, "signing"), ("FL008", F, 23, "signing"),    // match_nuke
        ("FL001", F, 24, "signing"), ("FL008", F, 24, "signing"),    // cert
        ("FL001", F, 25, "signing"), ("FL008", F, 25, "signing"),    // get_certificates
        ("FL001", F, 26, "signing"), ("FL008", F, 26, "signing"),    // sigh
        ("FL001", F, 27, "signing"), ("FL008", F, 27, "signing"),    // get_provisioning_profile
        ("FL001", F, 28, "signing"), ("FL008", F, 28, "signing"),    // register_device
        ("FL001", F, 29, "signing"), ("FL008", F, 29, "signing"),    // register_devices
        // lane :numbers
        ("FL001", F, 33, "numbers"), ("FL008", F, 33, "numbers"),    // app_store_build_number
        ("FL001", F, 34, "numbers"), ("FL008", F, 34, "numbers"),    // latest_testflight_build_number
        ("FL001", F, 35, "numbers"), ("FL008", F, 35, "numbers"),    // download_dsyms
        ("FL001", F, 36, "numbers"), ("FL008", F, 36, "numbers"),    // set_changelog
        ("FL001", F, 37, "numbers"), ("FL008", F, 37, "numbers"),    // update_app_age_rating
        // lane :notarize_mac
        ("FL001", F, 41, "notarize_mac"), ("FL008", F, 41, "notarize_mac"),
        // lane :apple_id_only: FL004 instead of FL008
        ("FL001", F, 45, "apple_id_only"), ("FL004", F, 45, "apple_id_only"), // pem
        ("FL001", F, 46, "apple_id_only"), ("FL004", F, 46, "apple_id_only"), // get_push_certificate
        ("FL001", F, 47, "apple_id_only"), ("FL004", F, 47, "apple_id_only"), // produce
        ("FL001", F, 48, "apple_id_only"), ("FL004", F, 48, "apple_id_only"), // create_app_online
        ("FL001", F, 49, "apple_id_only"), ("FL004", F, 49, "apple_id_only"), // modify_services
        ("FL001", F, 50, "apple_id_only"), ("FL004", F, 50, "apple_id_only"), // download_app_privacy_details_from_app_store
        ("FL001", F, 51, "apple_id_only"), ("FL004", F, 51, "apple_id_only"), // upload_app_privacy_details_to_app_store
        ("FL001", F, 52, "apple_id_only"), ("FL004", F, 52, "apple_id_only"), // xcode_install
        // lane :no_username: bare calls, no key
        ("FL008", F, 56, "no_username"),
        ("FL008", F, 57, "no_username"),
    ]);
    r.assert_lanes(&[
        (F, 6, "uploads", PUB, "migratable"),
        (F, 20, "signing", PUB, "migratable"),
        (F, 32, "numbers", PUB, "migratable"),
        (F, 40, "notarize_mac", PUB, "migratable"),
        (F, 44, "apple_id_only", PUB, "blocked"),
        (F, 55, "no_username", PUB, "migratable"),
    ]);
    r.assert_reasons_include("no_username", &[("FL008", F, 56), ("FL008", F, 57)]);
    r.assert_reasons_include("apple_id_only", &[("FL004", F, 45)]);
}

#[test]
fn key_from_env_flag_puts_a_key_in_scope_everywhere() {
    // Same fixture: FL008 disappears, FL001/FL002/FL004 stay, and the lanes
    // that were migratable now have a key.
    let r = check_fixture("aliases", &["--key-from-env"]);
    r.run.assert_exit(1);
    let codes: Vec<&str> = r
        .diagnostics()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert!(
        !codes.contains(&"FL008"),
        "FL008 with --key-from-env\n{}",
        r.run.describe()
    );
    assert_eq!(
        codes.iter().filter(|c| **c == "FL001").count(),
        31,
        "{}",
        r.run.describe()
    );
    assert_eq!(
        codes.iter().filter(|c| **c == "FL004").count(),
        8,
        "{}",
        r.run.describe()
    );
    assert_eq!(
        codes.iter().filter(|c| **c == "FL002").count(),
        1,
        "{}",
        r.run.describe()
    );
    r.assert_lanes(&[
        (F, 6, "uploads", PUB, "api-key"),
        (F, 20, "signing", PUB, "api-key"),
        (F, 32, "numbers", PUB, "api-key"),
        (F, 40, "notarize_mac", PUB, "api-key"),
        (F, 44, "apple_id_only", PUB, "blocked"),
        (F, 55, "no_username", PUB, "api-key"),
    ]);
}

#[test]
fn tool_config_files_username() {
    let r = check_fixture("config_files", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL001", "fastlane/Matchfile", 7, NO_LANE), // username("me@example.com")
        ("FL001", "fastlane/Matchfile", 10, NO_LANE), // username inside for_lane
        ("FL001", "fastlane/Deliverfile", 2, NO_LANE), // username "x" without parentheses
        ("FL001", "fastlane/Precheckfile", 2, NO_LANE), // username(ENV["PRECHECK_USERNAME"])
        ("FL002", "fastlane/Precheckfile", 2, NO_LANE),
    ]);
    r.assert_lanes(&[
        (F, 5, "certificates", PUB, "api-key"),
        (F, 9, "release", PUB, "api-key"),
    ]);
}

#[test]
fn other_services_username_and_pilot_apple_id_are_not_findings() {
    let r = check_fixture("other_services", &[]);
    r.run.assert_exit(1);
    // `notify` is also the name of a (deprecated) fastlane action.
    r.assert_diagnostics(&[("FL016", F, 14, NO_LANE)]);
    r.assert_lanes(&[
        (F, 14, "notify", PUB, "no-apple-auth"),
        (F, 20, "objects", PUB, "no-apple-auth"),
        (F, 27, "beta", PUB, "api-key"),
    ]);
}

// ---------------------------------------------------------------------------
// FL002 / FL006 / FL007: credential variables in Ruby and .env files
// ---------------------------------------------------------------------------

#[test]
fn env_variables_in_ruby_and_dotenv_files() {
    let r = check_fixture("env_vars", &[]);
    r.run.assert_exit(1);
    const E: &str = "fastlane/.env";
    const ED: &str = "fastlane/.env.default";
    const ES: &str = "fastlane/.env.secret";
    #[rustfmt::skip]
    r.assert_diagnostics(&[
        ("FL002", F, 8, NO_LANE),            // before_all: ENV["FASTLANE_USER"] = ...
        ("FL002", F, 13, "credentials"),     // ENV["FASTLANE_USER"]
        ("FL002", F, 14, "credentials"),     // ENV['FASTLANE_PASSWORD']
        ("FL002", F, 15, "credentials"),     // ENV.fetch("DELIVER_USER")
        ("FL002", F, 16, "credentials"),     // ENV.fetch("DELIVER_PASSWORD", nil)
        ("FL002", F, 17, "credentials"),     // ENV["PILOT_USERNAME"] = user
        ("FL002", F, 18, "credentials"),     // ENV["MATCH_USERNAME"] = user; ...
        ("FL002", F, 18, "credentials"),     // ... ENV["CERT_USERNAME"] = user
        ("FL002", F, 19, "credentials"),     // "#{ENV["ITUNESCONNECT_USER"]}" is code, not text
        ("FL006", F, 26, "session"),         // ENV["FASTLANE_SESSION"] = ...
        ("FL006", F, 27, "session"),         // ENV["SPACESHIP_SESSION"]
        ("FL007", F, 28, "session"),         // ENV["FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD"] = ...
        ("FL002", E, 2, NO_LANE),            // FASTLANE_USER=
        ("FL002", E, 3, NO_LANE),            // FASTLANE_PASSWORD=
        ("FL006", E, 6, NO_LANE),            // FASTLANE_SESSION= (line 5 is a comment)
        ("FL002", ED, 1, NO_LANE),           // DELIVER_USERNAME
        ("FL002", ED, 2, NO_LANE),           // SIGH_USERNAME
        ("FL007", ED, 3, NO_LANE),           // FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD
        ("FL006", ES, 1, NO_LANE),           // SPACESHIP_SESSION
        ("FL002", ES, 2, NO_LANE),           // PRODUCE_USERNAME
        ("FL002", ES, 3, NO_LANE),           // PEM_USERNAME
        ("FL002", ES, 4, NO_LANE),           // PRECHECK_USERNAME
        ("FL002", ES, 5, NO_LANE),           // DOWNLOAD_DSYMS_USERNAME
        ("FL002", ES, 6, NO_LANE),           // FASTLANE_USERNAME
        ("FL002", ES, 7, NO_LANE),           // FL_NOTARIZE_USERNAME
        ("FL002", ES, 8, NO_LANE),           // XCODE_INSTALL_USER
        ("FL002", ES, 9, NO_LANE),           // DELIVER_USER
        ("FL002", ES, 10, NO_LANE),          // DELIVER_PASSWORD
        ("FL002", ES, 11, NO_LANE),          // ITUNESCONNECT_USER
    ]);
    r.assert_lanes(&[
        (F, 12, "credentials", PUB, "no-apple-auth"),
        (F, 25, "session", PUB, "no-apple-auth"),
    ]);
}

#[test]
fn dotenv_export_prefix_is_a_setting_too() {
    // dotenv accepts `export KEY=value`; the key is still the Apple ID.
    let dir = tempfile::tempdir().expect("tempdir");
    let fl = dir.path().join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    std::fs::write(fl.join("Fastfile"), "lane :build do\n  gym\nend\n").expect("write");
    std::fs::write(
        fl.join(".env"),
        "# CI\nexport FASTLANE_USER=ci@example.com\n",
    )
    .expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    r.assert_diagnostics(&[("FL002", "fastlane/.env", 2, NO_LANE)]);
}

#[test]
fn a_config_file_username_the_lanes_never_use_is_told_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fl = dir.path().join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    let write = |name: &str, text: &str| std::fs::write(fl.join(name), text).expect("write");
    let keyed = "lane :release do\n  app_store_connect_api_key(key_id: ENV[\"K\"], issuer_id: ENV[\"I\"], key_content: ENV[\"C\"])\n  deliver(precheck_include_in_app_purchases: false)\nend\n\nlane :certs do\n  match(type: \"appstore\", readonly: true)\nend\n";
    write("Fastfile", keyed);
    for file in ["Deliverfile", "Precheckfile", "Matchfile"] {
        write(file, "username(\"ci@example.com\")\n");
    }
    let messages = |r: &Report| -> Vec<(String, String)> {
        r.json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"] == "FL001")
            .map(|d| {
                let path = d["path"].as_str().unwrap();
                let message = d["message"].as_str().unwrap();
                (path.to_string(), message.to_string())
            })
            .collect()
    };
    let unused = |file: &str, tool: &str| {
        (
            format!("fastlane/{file}"),
            format!("`username(...)` in the {file} is not used by the lanes: every {tool} they run has an App Store Connect API key, which wins over it"),
        )
    };
    let used = |file: &str, tool: &str| {
        (
            format!("fastlane/{file}"),
            format!("`username(...)` in the {file} makes {tool} log in with an Apple ID"),
        )
    };
    // deliver runs with a key; its precheck step reads the Precheckfile; match is read-only.
    let r = check_json(dir.path(), &[], &["."]);
    assert_eq!(
        messages(&r),
        [
            unused("Deliverfile", "deliver"),
            unused("Matchfile", "match"),
            unused("Precheckfile", "precheck"),
        ],
        "{}",
        r.run.describe()
    );
    // A lane that runs deliver without a key logs in with the Deliverfile's and the
    // Precheckfile's Apple ID; a `fastlane match` command started from a lane reads the
    // Matchfile with no key.
    write(
        "Fastfile",
        &format!("{keyed}\nlane :metadata do\n  deliver(skip_binary_upload: true)\n  sh(\"fastlane match development\")\nend\n"),
    );
    let r = check_json(dir.path(), &[], &["."]);
    assert_eq!(
        messages(&r),
        [
            used("Deliverfile", "deliver"),
            used("Matchfile", "match"),
            used("Precheckfile", "precheck"),
        ],
        "{}",
        r.run.describe()
    );
    // A CI step of the repository that runs `fastlane deliver` reads the Deliverfile and the
    // Precheckfile with no key; the CI file is loaded apart from the fastlane folder.
    write("Fastfile", keyed);
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("mkdir");
    std::fs::write(
        workflows.join("release.yml"),
        "on: push\njobs:\n  release:\n    runs-on: macos-latest\n    steps:\n      - run: bundle exec fastlane deliver --skip_binary_upload\n",
    )
    .expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    assert_eq!(
        messages(&r),
        [
            used("Deliverfile", "deliver"),
            unused("Matchfile", "match"),
            used("Precheckfile", "precheck"),
        ],
        "{}",
        r.run.describe()
    );
    std::fs::remove_dir_all(dir.path().join(".github")).expect("rm");
    // With no lane running the tool, nothing tells that the file is unused.
    write("Fastfile", "lane :build do\n  gym\nend\n");
    let r = check_json(dir.path(), &[], &["."]);
    assert_eq!(
        messages(&r),
        [
            used("Deliverfile", "deliver"),
            used("Matchfile", "match"),
            used("Precheckfile", "precheck"),
        ]
    );
}

#[test]
fn session_cookie_and_app_specific_password_do_not_change_verdicts() {
    let r = check_fixture("session_password", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL006", F, 6, "push_certs"),
        ("FL004", F, 7, "push_certs"),
        ("FL007", F, 11, "upload_only"),
        ("FL008", F, 12, "upload_only"),
        ("FL006", "fastlane/.env.ci", 1, NO_LANE),
        ("FL007", "fastlane/.env.ci", 2, NO_LANE),
    ]);
    r.assert_lanes(&[
        (F, 5, "push_certs", PUB, "blocked"),
        (F, 10, "upload_only", PUB, "migratable"),
    ]);
}

// ---------------------------------------------------------------------------
// FL003: Appfile
// ---------------------------------------------------------------------------

#[test]
fn appfile_apple_id_in_all_blocks() {
    let r = check_fixture("appfile", &[]);
    r.run.assert_exit(1);
    const A: &str = "fastlane/Appfile";
    r.assert_diagnostics(&[
        ("FL003", A, 3, NO_LANE),  // apple_id("...")
        ("FL003", A, 9, NO_LANE),  // for_platform :ios { itunes_connect_id(...) }
        ("FL003", A, 12, NO_LANE), // for_lane :beta { apple_dev_portal_id "..." }
        ("FL003", A, 18, NO_LANE), // for_lane :release { apple_id ENV["FASTLANE_USER"] }
        ("FL002", A, 18, NO_LANE),
    ]);
    r.assert_lanes(&[
        (F, 6, "ios beta", PUB, "no-apple-auth"),
        (F, 10, "ios release", PUB, "no-apple-auth"),
    ]);
}

// ---------------------------------------------------------------------------
// FL004: Apple-ID-only actions, fastlane versions
// ---------------------------------------------------------------------------

#[test]
fn apple_id_only_actions_block_lanes() {
    let r = check_fixture("apple_id_only", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL004", F, 7, "push_certs"),    // pem
        ("FL004", F, 8, "push_certs"),    // get_push_certificate
        ("FL004", F, 12, "services"),     // modify_services
        ("FL004", F, 16, "privacy"),      // download_app_privacy_details_from_app_store
        ("FL004", F, 17, "privacy"),      // upload_app_privacy_details_to_app_store
        ("FL004", F, 21, "new_app"),      // produce
        ("FL004", F, 22, "new_app"),      // create_app_online
        ("FL004", F, 26, "xcode"),        // xcode_install
        ("FL004", F, 41, "refresh_push"), // pem in a private lane
    ]);
    r.assert_lanes(&[
        (F, 6, "push_certs", PUB, "blocked"),
        (F, 11, "services", PUB, "blocked"),
        (F, 15, "privacy", PUB, "blocked"),
        (F, 20, "new_app", PUB, "blocked"),
        (F, 25, "xcode", PUB, "blocked"),
        (F, 29, "release", PUB, "blocked"), // has a key, but calls push_certs
        (F, 35, "nightly", PUB, "blocked"), // through the private lane
        (F, 40, "refresh_push", PRIV, "blocked"),
    ]);
    r.assert_reasons_include("release", &[("FL004", F, 7)]);
    r.assert_reasons_include("nightly", &[("FL004", F, 41)]);
}

#[test]
fn pem_message_names_the_apns_key_way_out() {
    let r = check_fixture("apple_id_only", &[]);
    let d = r
        .diagnostics()
        .iter()
        .find(|d| d["code"] == "FL004" && d["line"] == 7)
        .expect("FL004 on pem");
    let text = format!("{} {}", d["message"], d["help"]).to_lowercase();
    assert!(
        text.contains("p8") || text.contains("apns"),
        "pem way out: {d}"
    );
}

/// `app_store_connect_api_key` puts its key in the lane context and, unless `set_spaceship_token:
/// false`, sets the Spaceship token; `Spaceship::ConnectAPI.auth` sets only the token. Each action
/// reads what its source reads: latest_testflight_build_number only the token, notarize and
/// update_app_age_rating only the lane context. produce logs in with an Apple ID, replacing the token.
#[test]
fn lane_context_key_and_spaceship_token_reach_different_actions() {
    let r = check_fixture("key_token_context", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 9, "no_token"),
        ("FL008", F, 15, "token_only"),
        ("FL004", F, 27, "token_replaced"),
        ("FL008", F, 28, "token_replaced"),
    ]);
    r.assert_lanes(&[
        (F, 6, "no_token", PUB, "migratable"),
        (F, 12, "token_only", PUB, "migratable"),
        (F, 18, "both", PUB, "api-key"),
        (F, 25, "token_replaced", PUB, "blocked"),
    ]);
    // The message says which hand-over the action lacks.
    let message = |line: u64| {
        r.diagnostics()
            .iter()
            .find(|d| d["code"] == "FL008" && d["line"] == line)
            .and_then(|d| d["message"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(message(9).ends_with("it takes a key only from the Spaceship token, which `set_spaceship_token: false`, a key put into the lane context by hand, or an Apple ID login before it leaves unset"), "{}", message(9));
    assert!(message(15).ends_with("it takes a key only from the lane context, which `Spaceship::ConnectAPI.auth` does not fill"), "{}", message(15));
    assert!(
        message(28).contains("only from the Spaceship token"),
        "{}",
        message(28)
    );
}

/// cert refuses `type: :developer_id_installer` under an API key: that call blocks its lane, with or
/// without a key in scope, and `--fix` leaves the lane alone.
#[test]
fn developer_id_installer_certificates_need_an_apple_id() {
    let r = check_fixture("cert_installer", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL004", F, 7, "installer_cert"),
        ("FL004", F, 11, "installer_cert_apple_id"),
        ("FL001", F, 11, "installer_cert_apple_id"),
        ("FL008", F, 15, "application_cert"),
    ]);
    r.assert_lanes(&[
        (F, 5, "installer_cert", PUB, "blocked"),
        (F, 10, "installer_cert_apple_id", PUB, "blocked"),
        (F, 14, "application_cert", PUB, "migratable"),
        (F, 18, "installer_fetch", PUB, "no-apple-auth"),
    ]);
    let d = r
        .diagnostics()
        .iter()
        .find(|d| d["code"] == "FL004" && d["line"] == 7)
        .expect("FL004 on cert");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("`cert` with `type: developer_id_installer` needs an Apple ID"),
        "{d}"
    );
    assert!(
        d["help"].as_str().unwrap().contains("readonly: true"),
        "{d}"
    );
    r.assert_reasons_include("installer_cert", &[("FL004", F, 7)]);

    let diff = run_in(&fixture("cert_installer"), &["check", ".", "--diff"]);
    // Only application_cert gets a key; the blocked lanes' calls are not touched.
    assert_eq!(
        diff.stdout
            .matches("+  api_key = app_store_connect_api_key(")
            .count(),
        1,
        "{}",
        diff.describe()
    );
    assert!(
        !diff.stdout.contains("\n-  get_certificates(")
            && !diff
                .stdout
                .contains("\n-  cert(type: :developer_id_installer)"),
        "{}",
        diff.describe()
    );
    assert!(
        diff.stderr.contains("installer_cert blocked by cert"),
        "{}",
        diff.describe()
    );
}

#[test]
fn produce_takes_a_key_after_2_237_0() {
    let r = check_fixture("apple_id_only", &["--fastlane-version", "2.238.0"]);
    let fl004: Vec<u64> = r
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "FL004")
        .map(|d| d["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(
        fl004,
        vec![7, 8, 12, 16, 17, 26, 41],
        "{}",
        r.run.describe()
    );
    assert_ne!(
        r.lane("new_app")["verdict"],
        "blocked",
        "{}",
        r.run.describe()
    );
}

#[test]
fn gemfile_lock_2_190_0_makes_download_dsyms_apple_id_only() {
    let r = check_fixture("gemlock_2190", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL004", F, 7, "refresh_dsyms"), // download_dsyms: key support since 2.197.0
        ("FL004", F, 19, "age_rating"),   // update_app_age_rating: since 2.236.0
    ]);
    r.assert_lanes(&[
        (F, 6, "refresh_dsyms", PUB, "blocked"),
        (F, 11, "beta", PUB, "api-key"),
        (F, 18, "age_rating", PUB, "blocked"),
    ]);
    let d = &r.diagnostics()[0];
    let text = format!("{} {}", d["message"], d["help"]);
    assert!(
        text.contains("2.197.0"),
        "the way out names the version to upgrade to: {d}"
    );
}

#[test]
fn fastlane_version_flag_overrides_gemfile_lock() {
    let r = check_fixture("gemlock_2190", &["--fastlane-version", "2.200.0"]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL004", F, 19, "age_rating")]);
    r.assert_lanes(&[
        (F, 6, "refresh_dsyms", PUB, "api-key"),
        (F, 11, "beta", PUB, "api-key"),
        (F, 18, "age_rating", PUB, "blocked"),
    ]);

    let r = check_fixture("gemlock_2190", &["--fastlane-version", "2.236.0"]);
    r.run.assert_exit(0);
    r.assert_diagnostics(&[]);
}

#[test]
fn gemfile_lock_2_150_0_makes_pilot_apple_id_only() {
    let r = check_fixture("gemlock_2150", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL004", F, 7, "beta")]);
    r.assert_lanes(&[
        (F, 5, "beta", PUB, "blocked"),
        (F, 10, "build_only", PUB, "no-apple-auth"),
    ]);
}

#[test]
fn nearest_gemfile_lock_is_found_above_the_project() {
    // Monorepo: the lock file sits two levels above ios/fastlane.
    let dir = tempfile::tempdir().expect("tempdir");
    let fl = dir.path().join("ios").join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    std::fs::write(
        dir.path().join("Gemfile.lock"),
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    fastlane (2.150.0)\n      rexml\n    rexml (3.2.4)\n\nDEPENDENCIES\n  fastlane\n",
    )
    .expect("write");
    std::fs::write(
        fl.join("Fastfile"),
        "lane :beta do\n  pilot(api_key_path: \"k.json\")\nend\n",
    )
    .expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    r.assert_diagnostics(&[("FL004", "ios/fastlane/Fastfile", 2, "beta")]);
    r.assert_lanes(&[("ios/fastlane/Fastfile", 1, "beta", PUB, "blocked")]);
}

// ---------------------------------------------------------------------------
// FL005: Spaceship
// ---------------------------------------------------------------------------

#[test]
fn spaceship_logins_block_and_token_auth_gives_a_key() {
    let r = check_fixture("spaceship", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL005", F, 7, "legacy_login"),  // Spaceship::Tunes.login
        ("FL005", F, 11, "portal_login"), // Spaceship::Portal.login
        ("FL005", F, 12, "portal_login"), // Spaceship.login(ENV[..], ENV[..])
        ("FL002", F, 12, "portal_login"),
        ("FL002", F, 12, "portal_login"),
        ("FL005", F, 16, "connect_login"), // Spaceship::ConnectAPI.login
        ("FL005", F, 20, "tunes_api"),     // Spaceship::Tunes::Application (once)
    ]);
    r.assert_lanes(&[
        (F, 6, "legacy_login", PUB, "blocked"),
        (F, 10, "portal_login", PUB, "blocked"),
        (F, 15, "connect_login", PUB, "blocked"),
        (F, 19, "tunes_api", PUB, "blocked"),
        (F, 24, "token_auth", PUB, "api-key"),
        (F, 30, "token_assign", PUB, "api-key"),
    ]);
}

// ---------------------------------------------------------------------------
// FL008 and key scope
// ---------------------------------------------------------------------------

#[test]
fn key_scope_follows_source_order_in_a_lane() {
    let r = check_fixture("key_order", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 15, "key_after"), // pilot before the key
        ("FL008", F, 23, "options"),   // sigh: the options gave only pilot/deliver a key
    ]);
    r.assert_lanes(&[
        (F, 5, "key_first", PUB, "api-key"),
        (F, 14, "key_after", PUB, "migratable"),
        (F, 20, "options", PUB, "migratable"),
        (F, 26, "conditional", PUB, "api-key"),
        (F, 33, "returned_key", PUB, "api-key"),
        (F, 38, "build_only", PUB, "no-apple-auth"),
    ]);
    r.assert_reasons_include("key_after", &[("FL008", F, 15)]);
}

#[test]
fn key_in_global_before_all() {
    let r = check_fixture("key_before_all", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 24, "orphan")]);
    r.assert_lanes(&[
        (F, 13, "beta", PUB, "api-key"),
        (F, 18, "ios release", PUB, "api-key"),
        (F, 23, "orphan", PRIV, "migratable"),
    ]);
}

#[test]
fn key_in_platform_before_all_covers_that_platform_only() {
    let r = check_fixture("key_platform_before_all", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 22, "mac notarize_app"),
        ("FL008", F, 27, "release"),
    ]);
    r.assert_lanes(&[
        (F, 9, "ios beta", PUB, "api-key"),
        (F, 15, "android beta", PUB, "no-apple-auth"),
        (F, 21, "mac notarize_app", PUB, "migratable"),
        (F, 26, "release", PUB, "migratable"),
    ]);
}

#[test]
fn key_in_before_each() {
    let r = check_fixture("key_before_each", &[]);
    r.run.assert_exit(0);
    r.assert_diagnostics(&[]);
    r.assert_lanes(&[
        (F, 8, "beta", PUB, "api-key"),
        (F, 12, "build_and_upload", PRIV, "api-key"),
        (F, 22, "ios certificates", PUB, "api-key"),
    ]);
}

#[test]
fn key_through_calling_lanes() {
    let r = check_fixture("key_via_caller", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 21, "upload_nightly"), // deliver, reached from nightly without a key
        ("FL008", F, 34, "shared_signing"), // match, once although two lanes reach it
        ("FL008", F, 47, "profiles"),       // public lane run on its own has no key
    ]);
    r.assert_lanes(&[
        (F, 7, "release", PUB, "api-key"),
        (F, 12, "upload_build", PRIV, "api-key"),
        (F, 16, "nightly", PUB, "migratable"),
        (F, 20, "upload_nightly", PRIV, "migratable"),
        // From mixed_a's own run the call has a key; the spec's wording also
        // allows judging the shared call site as a whole.
        (F, 24, "mixed_a", PUB, "api-key|migratable"),
        (F, 29, "mixed_b", PUB, "migratable"),
        (F, 33, "shared_signing", PRIV, "migratable"),
        // Only loads a key: whether that counts as an Apple action is open.
        (F, 37, "load_key", PUB, "no-apple-auth|api-key"),
        (F, 41, "after_load_key", PUB, "api-key"),
        (F, 46, "profiles", PUB, "migratable"),
        (F, 50, "keyed_profiles", PUB, "api-key|migratable"),
    ]);
    r.assert_reasons_include("nightly", &[("FL008", F, 21)]);
    r.assert_reasons_include("mixed_b", &[("FL008", F, 34)]);
}

#[test]
fn key_from_dotenv_covers_everything() {
    let r = check_fixture("key_dotenv", &[]);
    r.run.assert_exit(1);
    // deliver runs with the key and the in-app purchase precheck on.
    r.assert_diagnostics(&[("FL010", F, 10, "release")]);
    r.assert_lanes(&[
        (F, 4, "beta", PUB, "api-key"),
        (F, 9, "release", PUB, "api-key"),
        (F, 13, "certificates", PUB, "api-key"),
        (F, 18, "dsyms", PRIV, "api-key"),
    ]);
}

/// `.env` and `.env.default` always load; `.env.<name>` files count unless they are templates, or,
/// with `--env` (or `env` in fastlint.toml), only those named, later names overriding earlier ones.
#[test]
fn env_files_count_as_fastlane_loads_them() {
    let cases: &[(&[&str], [&str; 3], &[u64])] = &[
        // Not knowing the runs' `--env`: .env.ci and .env.nodeliver may load, the template not; a
        // key path some run sets stays in scope.
        (&[], ["api-key", "api-key", "migratable"], &[15]),
        (
            &["--env", "ci"],
            ["api-key", "api-key", "migratable"],
            &[15],
        ),
        (
            &["--env", "release"],
            ["migratable", "api-key", "migratable"],
            &[6, 15],
        ),
        // .env.nodeliver blanks the deliver key path that .env sets.
        (
            &["--env", "ci,nodeliver"],
            ["api-key", "migratable", "migratable"],
            &[11, 15],
        ),
        (
            &["--env", "nodeliver,ci"],
            ["api-key", "migratable", "migratable"],
            &[11, 15],
        ),
        // A template loads when it is named.
        (
            &["--env", "example"],
            ["migratable", "api-key", "api-key"],
            &[6],
        ),
        (
            &["--config", "ci-nodeliver.toml"],
            ["api-key", "migratable", "migratable"],
            &[11, 15],
        ),
        // The command line wins over the configuration file.
        (
            &["--config", "ci-nodeliver.toml", "--env", "ci"],
            ["api-key", "api-key", "migratable"],
            &[15],
        ),
    ];
    for (args, [beta, release, profiles], fl008) in cases {
        let r = check_fixture("env_selection", args);
        r.run.assert_exit(1);
        r.assert_lanes(&[
            (F, 5, "beta", PUB, beta),
            (F, 9, "release", PUB, release),
            (F, 14, "profiles", PUB, profiles),
        ]);
        let lane = |line: u64| match line {
            6 => "beta",
            11 => "release",
            _ => "profiles",
        };
        // What a `.env` file holds is reported whether or not it is loaded.
        let mut expected: Vec<(&str, &str, u64, &str)> =
            vec![("FL002", "fastlane/.env.staging", 2, NO_LANE)];
        expected.extend(fl008.iter().map(|&l| ("FL008", F, l, lane(l))));
        r.assert_diagnostics(&expected);
    }
}

#[test]
fn env_names_are_checked() {
    let dir = fixture("env_selection");
    for bad in ["", " , ", "../ci"] {
        let run = run_in(&dir, &["check", ".", "--env", bad]);
        run.assert_exit(2);
        assert!(run.stderr.contains("--env"), "{}", run.stderr);
    }
}

#[test]
fn tool_key_variables_in_dotenv_cover_their_tool_only() {
    let r = check_fixture("key_dotenv_tool_vars", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 10, "release"), // deliver: PILOT_API_KEY_PATH is not its variable
        ("FL008", F, 14, "certificates"), // match has no MATCH_API_KEY_PATH
    ]);
    r.assert_lanes(&[
        (F, 5, "beta", PUB, "api-key"),
        (F, 9, "release", PUB, "migratable"),
        (F, 13, "certificates", PUB, "migratable"),
    ]);

    let r = check_fixture("key_dotenv_sigh", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 13, "developer_cert")]);
    r.assert_lanes(&[
        (F, 4, "certificates", PUB, "api-key"),
        (F, 8, "profiles", PUB, "api-key"),
        (F, 12, "developer_cert", PUB, "migratable"),
    ]);
}

#[test]
fn key_in_tool_config_files() {
    let r = check_fixture("key_config_files", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 12, "profiles"), // sigh: the Matchfile key is match's only
        ("FL008", F, 20, "beta"),     // pilot: the Deliverfile key is deliver's only
    ]);
    r.assert_lanes(&[
        (F, 6, "certificates", PUB, "api-key"),
        (F, 11, "profiles", PUB, "migratable"),
        (F, 15, "release", PUB, "api-key"),
        (F, 19, "beta", PUB, "migratable"),
        (F, 23, "metadata", PUB, "api-key"),
    ]);
}

#[test]
fn key_variable_assigned_in_ruby() {
    let r = check_fixture("key_env_assign", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 11, "release")]);
    r.assert_lanes(&[
        (F, 5, "beta", PUB, "api-key"),
        (F, 10, "release", PUB, "migratable"),
        (F, 16, "certificates", PUB, "api-key"),
        (F, 21, "json_key", PUB, "api-key"),
    ]);
}

#[test]
fn match_readonly_needs_no_login() {
    let r = check_fixture("match_readonly", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 11, "renew"),       // readonly: false
        ("FL008", F, 15, "maybe_renew"), // readonly: is_ci (not the literal true)
    ]);
    r.assert_lanes(&[
        (F, 5, "ci_signing", PUB, "no-apple-auth"),
        (F, 10, "renew", PUB, "migratable"),
        (F, 14, "maybe_renew", PUB, "migratable"),
    ]);
}

// ---------------------------------------------------------------------------
// Lane graph: imports, shadowing, methods, cycles, platforms, hooks
// ---------------------------------------------------------------------------

#[test]
fn lanes_called_across_imported_files() {
    let r = check_fixture("imports", &[]);
    r.run.assert_exit(1);
    const S: &str = "Shared/Fastfile";
    r.assert_diagnostics(&[
        ("FL008", S, 4, "upload_testflight"), // reached from beta without a key
        ("FL001", S, 12, "shared_certificates"),
        ("FL008", S, 12, "shared_certificates"),
    ]);
    r.assert_lanes(&[
        (S, 3, "upload_testflight", PRIV, "migratable"),
        (S, 7, "submit_review", PRIV, "api-key"), // only called from release, after its key
        (S, 11, "shared_certificates", PUB, "migratable"),
        (F, 7, "beta", PUB, "migratable"),
        (F, 12, "release", PUB, "api-key"),
    ]);
    r.assert_reasons_include("beta", &[("FL008", S, 4)]);
}

#[test]
fn imported_file_is_read_when_only_the_importer_is_given() {
    let r = check_json(&fixture("imports"), &[], &["fastlane"]);
    r.run.assert_exit(1);
    let mut got: Vec<(String, u64, bool)> = r
        .diagnostics()
        .iter()
        // The key hygiene rules have their own tests (tests/rules_key_hygiene.rs).
        .filter(|d| d["code"].as_str().unwrap_or("") < "FL009")
        .map(|d| {
            let path = d["path"].as_str().unwrap_or("");
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                path.ends_with("Shared/Fastfile"),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("FL001".into(), 12, true),
            ("FL008".into(), 4, true),
            ("FL008".into(), 12, true)
        ],
        "{}",
        r.run.describe()
    );
    assert_eq!(
        r.lane("submit_review")["verdict"],
        "api-key",
        "{}",
        r.run.describe()
    );
    assert_eq!(
        r.lane("beta")["verdict"],
        "migratable",
        "{}",
        r.run.describe()
    );
}

#[test]
fn import_from_git_is_reported_as_not_analysed() {
    let r = check_fixture("import_from_git", &[]);
    assert!(r.run.code == 1 || r.run.code == 2, "{}", r.run.describe());
    assert!(
        r.run.stdout.contains("import_from_git"),
        "the report does not mention import_from_git\n{}",
        r.run.describe()
    );
    // Apart from that note, the file is analysed as usual.
    let rest: Vec<(String, u64)> = r
        .diagnostics()
        .iter()
        .filter(|d| {
            !d["message"]
                .as_str()
                .unwrap_or("")
                .contains("import_from_git")
        })
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(rest, vec![("FL008".to_string(), 8)], "{}", r.run.describe());
    r.assert_lanes(&[
        (F, 7, "beta", PUB, "migratable"),
        (F, 11, "lint", PUB, "no-apple-auth"),
    ]);
}

#[test]
fn a_lane_shadows_an_action_of_the_same_name() {
    let r = check_fixture("shadowing", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL004", F, 12, "push"), // get_push_certificate: the alias is not shadowed
        ("FL008", F, 30, "global_certificates"), // ios lane :match is not visible here
    ]);
    r.assert_lanes(&[
        (F, 6, "pem", PUB, "no-apple-auth"),
        (F, 10, "push", PUB, "blocked"),
        (F, 16, "ios match", PUB, "no-apple-auth"),
        (F, 20, "ios certificates", PUB, "no-apple-auth"),
        (F, 24, "ios push_setup", PUB, "no-apple-auth"),
        (F, 29, "global_certificates", PUB, "migratable"),
    ]);
}

#[test]
fn def_methods_and_option_hashes() {
    let r = check_fixture("def_methods", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 8, NO_LANE),          // pilot in def upload (called by beta)
        ("FL008", F, 21, NO_LANE),         // sigh in def unused_helper (an entry of its own)
        ("FL001", F, 39, "opts_variable"), // username: in the hash literal
        ("FL008", F, 42, "opts_variable"), // pilot(opts)
        ("FL001", F, 46, "opts_splat"),
        ("FL008", F, 47, "opts_splat"), // deliver(**opts)
    ]);
    r.assert_lanes(&[
        (F, 24, "beta", PUB, "migratable"),
        (F, 28, "release", PUB, "api-key"),
        (F, 32, "keyed_via_method", PUB, "api-key"),
        (F, 37, "opts_variable", PUB, "migratable"),
        (F, 45, "opts_splat", PUB, "migratable"),
    ]);
    r.assert_reasons_include("beta", &[("FL008", F, 8)]);
}

#[test]
fn cycles_terminate() {
    let r = check_fixture("cycles", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 10, "pong")]);
    r.assert_lanes(&[
        (F, 4, "ping", PUB, "migratable"),
        (F, 8, "pong", PUB, "migratable"),
        (F, 13, "again", PUB, "no-apple-auth"),
        (F, 17, "left", PRIV, "api-key"),
        (F, 21, "right", PRIV, "api-key"),
        (F, 35, "clock", PUB, "no-apple-auth"),
    ]);
}

#[test]
fn same_lane_name_in_several_platforms() {
    let r = check_fixture("platforms", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 8, "ios beta")]);
    r.assert_lanes(&[
        (F, 6, "ios beta", PUB, "migratable"),
        (F, 11, "ios release", PUB, "migratable"),
        (F, 17, "android beta", PUB, "no-apple-auth"),
        (F, 22, "android release", PUB, "no-apple-auth"),
        (F, 27, "beta", PUB, "no-apple-auth"),
        (F, 31, "release_all", PUB, "no-apple-auth"),
    ]);
    let ios = r.lane("ios beta");
    assert_eq!(ios["platform"], "ios");
    assert_eq!(ios["name"], "beta");
    assert!(r.lane("beta")["platform"].is_null(), "{}", r.run.describe());
}

#[test]
fn hooks_count_for_the_lanes_they_run_with() {
    let r = check_fixture("hooks", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 13, NO_LANE)]);
    r.assert_lanes(&[
        (F, 16, "ios tests", PUB, "migratable"),
        (F, 21, "lint", PUB, "no-apple-auth"),
    ]);
    r.assert_reasons_include("ios tests", &[("FL008", F, 13)]);
}

// ---------------------------------------------------------------------------
// False positives, parse errors, spans
// ---------------------------------------------------------------------------

#[test]
fn comments_strings_shell_and_heredocs_are_not_findings() {
    let r = check_fixture("traps", &[]);
    r.run.assert_exit(0);
    r.assert_diagnostics(&[]);
    r.assert_lanes(&[(F, 16, "notes", PUB, "no-apple-auth")]);
}

#[test]
fn syntax_error_is_reported_and_the_rest_still_analysed() {
    let r = check_fixture("syntax_error", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL001", F, 6, "beta"),
        ("FL008", F, 6, "beta"),
        ("FL000", F, 10, "broken"), // missing comma between the gym options
        ("FL008", F, 11, "broken"),
        ("FL008", F, 15, "release"),
    ]);
    r.assert_lanes(&[
        (F, 5, "beta", PUB, "migratable"),
        (F, 9, "broken", PUB, "migratable"),
        (F, 14, "release", PUB, "migratable"),
    ]);
    for l in r.lanes() {
        assert_eq!(
            l["fixable"], false,
            "a lane in a file with a parse error: {l}"
        );
    }
    r.assert_span("FL000", F, 10, 25, 10, 39);
}

/// tree-sitter reads an `end` too many as a bare name, without an error; Ruby refuses the file.
#[test]
fn a_stray_end_is_a_parse_error() {
    let r = check_fixture("stray_end", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 5, "beta"),
        ("FL001", F, 5, "beta"),
        ("FL008", F, 9, "release"),
        ("FL000", F, 11, NO_LANE),
    ]);
    r.assert_span("FL000", F, 11, 1, 11, 4);
    let d = r
        .diagnostics()
        .iter()
        .find(|d| d["code"] == "FL000")
        .unwrap();
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("syntax error: unexpected `end`"),
        "{d}"
    );
    for l in r.lanes() {
        assert_eq!(l["fixable"], false, "{l}");
    }
    // --fix leaves the file as it is.
    let run = run_in(&fixture("stray_end"), &["check", ".", "--diff"]);
    run.assert_exit(0);
    assert!(run.stdout.is_empty(), "{}", run.describe());
}

#[test]
fn spans_count_unicode_characters() {
    let r = check_fixture("spans", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL001", F, 5, "beta"),
        ("FL008", F, 5, "beta"),
        ("FL004", F, 6, "beta"),
        ("FL002", F, 7, "beta"),
        ("FL005", F, 8, "beta"),
        ("FL003", "fastlane/Appfile", 2, NO_LANE),
        ("FL006", "fastlane/.env", 1, NO_LANE),
    ]);
    // `  UI.message("Größe ✓"); pilot(username: "me@example.com")`
    r.assert_span("FL008", F, 5, 26, 5, 31); // `pilot`
    r.assert_span("FL001", F, 5, 32, 5, 58); // `username: "me@example.com"`
    r.assert_span("FL004", F, 6, 3, 6, 6); // `pem`
    r.assert_span("FL002", F, 7, 10, 7, 30); // `ENV["FASTLANE_USER"]`
    r.assert_span("FL005", F, 8, 3, 8, 31); // `Spaceship::Tunes.login(user)`
    r.assert_span("FL003", "fastlane/Appfile", 2, 3, 2, 30); // `apple_id("ios@example.com")`
    r.assert_span("FL006", "fastlane/.env", 1, 1, 1, 17); // `FASTLANE_SESSION`
                                                          // The multi-line deliver( call of the aliases fixture: the pair is on line 12.
    let a = check_fixture("aliases", &[]);
    a.assert_span("FL001", F, 12, 5, 12, 31);
    a.assert_span("FL008", F, 10, 3, 10, 10);
    r.assert_lanes(&[(F, 4, "beta", PUB, "blocked")]);
}

// ---------------------------------------------------------------------------
// Discovery and paths
// ---------------------------------------------------------------------------

#[test]
fn discovery_prunes_vendored_and_generated_folders() {
    let r = check_fixture("discovery", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", "ios/fastlane/Fastfile", 8, "beta")]);
    r.assert_lanes(&[
        (
            "android/fastlane/Fastfile",
            3,
            "internal",
            PUB,
            "no-apple-auth",
        ),
        ("ios/fastlane/Fastfile", 7, "beta", PUB, "migratable"),
    ]);
    assert_eq!(r.summary_files(), 2, "{}", r.run.describe());
}

#[test]
fn explicit_paths_into_pruned_folders_are_read() {
    let dir = fixture("discovery");
    for (arg, file, lane) in [
        (
            "node_modules/react-native-tool/fastlane/Fastfile",
            "node_modules/react-native-tool/fastlane/Fastfile",
            "vendored_node_modules_react_native_tool",
        ),
        (
            "node_modules/react-native-tool",
            "node_modules/react-native-tool/fastlane/Fastfile",
            "vendored_node_modules_react_native_tool",
        ),
        (
            "node_modules",
            "node_modules/react-native-tool/fastlane/Fastfile",
            "vendored_node_modules_react_native_tool",
        ),
        (
            "ios/Pods/SomePod",
            "ios/Pods/SomePod/fastlane/Fastfile",
            "vendored_pods_somepod",
        ),
        ("build", "build/fastlane/Fastfile", "vendored_build"),
        (
            "vendor/bundle/fastlane",
            "vendor/bundle/fastlane/Fastfile",
            "vendored_vendor_bundle",
        ),
    ] {
        let r = check_json(&dir, &[], &[arg]);
        r.run.assert_exit(1);
        r.assert_diagnostics(&[("FL004", file, 5, lane)]);
        r.assert_lanes(&[(file, 4, lane, PUB, "blocked")]);
    }
}

#[test]
fn git_folder_is_pruned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for sub in ["fastlane", ".git/fastlane", ".git/modules/x/fastlane"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    std::fs::write(
        root.join("fastlane/Fastfile"),
        "lane :build do\n  gym\nend\n",
    )
    .expect("write");
    std::fs::write(
        root.join(".git/fastlane/Fastfile"),
        "lane :old do\n  pem\nend\n",
    )
    .expect("write");
    std::fs::write(
        root.join(".git/modules/x/fastlane/Fastfile"),
        "lane :old2 do\n  pem\nend\n",
    )
    .expect("write");
    let r = check_json(root, &[], &["."]);
    r.run.assert_exit(0);
    r.assert_diagnostics(&[]);
    r.assert_lanes(&[(F, 1, "build", PUB, "no-apple-auth")]);
}

#[test]
fn fastlane_output_folders_are_pruned_and_like_named_projects_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let lane = |name: &str| format!("lane :{name} do\n  gym\nend\n");
    for (path, text) in [
        ("fastlane/Fastfile", lane("build")),
        // What snapshot, deliver, supply and scan write: never configuration.
        ("fastlane/screenshots/en-US/Fastfile", lane("shot")),
        ("fastlane/metadata/android/Fastfile", lane("meta")),
        ("fastlane/test_output/Fastfile", lane("tests")),
        // Projects that happen to be named so.
        ("screenshots/fastlane/Fastfile", lane("screens")),
        ("metadata/fastlane/Fastfile", lane("metas")),
    ] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let r = check_json(root, &[], &["."]);
    r.run.assert_exit(0);
    r.assert_lanes(&[
        (F, 1, "build", PUB, "no-apple-auth"),
        (
            "metadata/fastlane/Fastfile",
            1,
            "metas",
            PUB,
            "no-apple-auth",
        ),
        (
            "screenshots/fastlane/Fastfile",
            1,
            "screens",
            PUB,
            "no-apple-auth",
        ),
    ]);
    // Given explicitly, an output folder is read.
    let r = check_json(root, &[], &["fastlane/screenshots"]);
    r.assert_lanes(&[(
        "fastlane/screenshots/en-US/Fastfile",
        1,
        "shot",
        PUB,
        "no-apple-auth",
    )]);
}

#[test]
fn paths_are_relative_to_the_current_directory_as_given() {
    let root = repo_root();
    for arg in [
        "fixtures/check/key_env_assign",
        "./fixtures/check/key_env_assign",
    ] {
        let r = check_json(&root, &[], &[arg]);
        r.assert_diagnostics(&[(
            "FL008",
            "fixtures/check/key_env_assign/fastlane/Fastfile",
            11,
            "release",
        )]);
    }
    // Two paths in one run, from the fixtures folder.
    let r = check_json(
        &root.join("fixtures/check"),
        &[],
        &["key_env_assign", "./key_dotenv_sigh"],
    );
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        (
            "FL008",
            "key_dotenv_sigh/fastlane/Fastfile",
            13,
            "developer_cert",
        ),
        ("FL008", "key_env_assign/fastlane/Fastfile", 11, "release"),
    ]);
    assert_eq!(r.lanes().len(), 7, "{}", r.run.describe());
}

#[test]
fn default_path_is_the_current_directory() {
    let r = run_in(&fixture("key_env_assign"), &["check", "--format", "json"]);
    r.assert_no_panic();
    let json = r.json();
    check_invariants(&r, &json);
    let report = Report { run: r, json };
    report.assert_diagnostics(&[("FL008", F, 11, "release")]);
}

// ---------------------------------------------------------------------------
// The bundled example
// ---------------------------------------------------------------------------

#[test]
fn bundled_example_shows_every_verdict() {
    let r = check_json(&repo_root(), &[], &["fixtures/example"]);
    r.run.assert_exit(1);
    const EF: &str = "fixtures/example/fastlane/Fastfile";
    r.assert_diagnostics(&[
        ("FL003", "fixtures/example/fastlane/Appfile", 2, NO_LANE),
        ("FL001", "fixtures/example/fastlane/Matchfile", 5, NO_LANE),
        ("FL001", EF, 38, "ios certificates"),
        ("FL008", EF, 38, "ios certificates"),
        ("FL008", EF, 44, "ios release"),
        ("FL004", EF, 49, "ios push_certs"),
    ]);
    r.assert_lanes(&[
        (EF, 19, "ios tests", PUB, "no-apple-auth"),
        (EF, 24, "ios beta", PUB, "api-key"),
        (EF, 36, "ios certificates", PUB, "migratable"),
        (EF, 42, "ios release", PUB, "migratable"),
        (EF, 48, "ios push_certs", PUB, "blocked"),
        (EF, 52, "ios build", PRIV, "no-apple-auth"),
    ]);
    let fixable: Vec<String> = r
        .lanes()
        .iter()
        .filter(|l| l["fixable"] == true)
        .map(qualified_name)
        .collect();
    assert_eq!(fixable, vec!["ios certificates", "ios release"]);
}

#[test]
fn bundled_example_at_an_old_fastlane_version() {
    // At 2.150.0 pilot cannot take the key yet, so beta is blocked too.
    let r = check_json(
        &repo_root(),
        &["--fastlane-version", "2.150.0"],
        &["fixtures/example"],
    );
    assert_eq!(
        r.lane("ios beta")["verdict"],
        "blocked",
        "{}",
        r.run.describe()
    );
    r.assert_reasons_include(
        "ios beta",
        &[("FL004", "fixtures/example/fastlane/Fastfile", 32)],
    );
}

// ---------------------------------------------------------------------------
// Text output and the lanes command
// ---------------------------------------------------------------------------

#[test]
fn text_output_shows_codes_help_and_the_lane_table() {
    let r = run_in(&fixture("key_order"), &["check"]);
    r.assert_no_panic();
    r.assert_exit(1);
    let out = r.all_output();
    assert!(
        out.contains("FL008"),
        "no rule code in the text output\n{}",
        r.describe()
    );
    assert!(
        out.contains("help"),
        "no help line in the text output\n{}",
        r.describe()
    );
    assert_table(
        &out,
        &[
            ("key_first", "fastlane/Fastfile:5", "api-key"),
            ("key_after", "fastlane/Fastfile:14", "migratable"),
            ("options", "fastlane/Fastfile:20", "migratable"),
            ("build_only", "fastlane/Fastfile:38", "no-apple-auth"),
        ],
        &r,
    );
}

#[test]
fn lanes_command_prints_the_table() {
    let r = run_in(&fixture("platforms"), &["lanes"]);
    r.assert_no_panic();
    let out = r.all_output();
    assert_table(
        &out,
        &[
            ("ios beta", "fastlane/Fastfile:6", "migratable"),
            ("ios release", "fastlane/Fastfile:11", "migratable"),
            ("android beta", "fastlane/Fastfile:17", "no-apple-auth"),
            ("android release", "fastlane/Fastfile:22", "no-apple-auth"),
            ("release_all", "fastlane/Fastfile:31", "no-apple-auth"),
        ],
        &r,
    );
    assert!(
        r.stdout.contains("fastlane/Fastfile:27"),
        "the global beta lane is missing\n{}",
        r.describe()
    );
}

#[test]
fn lanes_command_json_has_the_same_lanes() {
    let dir = fixture("key_via_caller");
    let check = check_json(&dir, &[], &["."]);
    let lanes = run_in(&dir, &["lanes", "--format", "json", "."]);
    lanes.assert_no_panic();
    assert_eq!(
        lanes.json()["lanes"],
        check.json["lanes"],
        "{}",
        lanes.describe()
    );
}

/// Each row (lane, file:line, verdict) appears on one line of `out`.
fn assert_table(out: &str, rows: &[(&str, &str, &str)], run: &Run) {
    for (lane, location, verdict) in rows {
        let found = out.lines().any(|line| {
            line.contains(location)
                && line.contains(verdict)
                && lane.split(' ').all(|word| line.contains(word))
        });
        assert!(
            found,
            "no table line with {lane}, {location} and {verdict}\n{}",
            run.describe()
        );
    }
}

// ---------------------------------------------------------------------------
// Exit codes and bad input
// ---------------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    let dir = fixture("key_dotenv");
    for args in [
        &["check", "--format", "xml", "."][..],
        &["check", "--fastlane-version", "banana", "."][..],
        &["check", "--no-such-flag", "."][..],
        &["frobnicate"][..],
    ] {
        let r = run_in(&dir, args);
        r.assert_no_panic();
        r.assert_exit(2);
        assert!(
            !r.stderr.trim().is_empty(),
            "no message for a usage error\n{}",
            r.describe()
        );
    }
}

/// A small project with one known finding, next to the bad input.
fn good_project(root: &std::path::Path) {
    let fl = root.join("good").join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    std::fs::write(fl.join("Fastfile"), "lane :beta do\n  pilot\nend\n").expect("write");
}

fn assert_good_project_reported(r: &Report) {
    assert!(
        r.diagnostics().iter().any(|d| d["code"] == "FL008"
            && d["path"] == "good/fastlane/Fastfile"
            && d["line"] == 2),
        "the readable project was not reported\n{}",
        r.run.describe()
    );
    assert_eq!(
        r.lane("beta")["verdict"],
        "migratable",
        "{}",
        r.run.describe()
    );
}

fn assert_error_names(r: &Report, needle: &str) {
    assert!(
        r.errors().iter().any(|e| {
            e["path"].as_str().unwrap_or("").contains(needle)
                || e["message"].as_str().unwrap_or("").contains(needle)
        }),
        "no error naming {needle}\n{}",
        r.run.describe()
    );
}

/// A Fastfile with one lane and a generated comment block that makes it `bytes` long or a
/// little more.
fn generated_fastfile(bytes: usize) -> String {
    let mut text = String::from("lane :generated do\n  pilot(username: \"a@example.com\")\nend\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "# build {i}: 0123456789abcdef0123456789abcdef0123456789abcdef\n"
        ));
        i += 1;
    }
    text
}

#[test]
fn a_file_over_the_size_limit_is_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let huge = dir.path().join("huge").join("fastlane");
    std::fs::create_dir_all(&huge).expect("mkdir");
    std::fs::write(huge.join("Fastfile"), generated_fastfile(1_200_000)).expect("write");

    let r = check_json(dir.path(), &["--max-file-size", "1MB"], &["."]);
    r.run.assert_exit(2);
    assert_error_names(&r, "huge/fastlane/Fastfile");
    assert_error_names(&r, "larger than the 1 MB fastlint reads");
    assert_good_project_reported(&r);
    assert!(
        r.lanes()
            .iter()
            .all(|l| l["path"] != "huge/fastlane/Fastfile"),
        "{}",
        r.run.describe()
    );

    // Under the default limit (10 MB) it is read, as it is with no limit at all.
    for extra in [&[][..], &["--max-file-size", "0"][..]] {
        let r = check_json(dir.path(), extra, &["."]);
        r.run.assert_exit(1);
        assert!(r.errors().is_empty(), "{}", r.run.describe());
        assert_eq!(
            r.lane("generated")["verdict"],
            "migratable",
            "{}",
            r.run.describe()
        );
    }
}

#[test]
fn a_size_that_is_not_one_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let run = run_in(dir.path(), &["check", "--max-file-size", "ten", "."]);
    run.assert_exit(2);
    assert!(run.stderr.contains("is not a size"), "{}", run.describe());
}

#[test]
fn binary_fastfile_is_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let bad = dir.path().join("bin").join("fastlane");
    std::fs::create_dir_all(&bad).expect("mkdir");
    let mut bytes = vec![0x7f, b'E', b'L', b'F', 0x02, 0x01, 0x01, 0x00];
    bytes.extend((0..2048u32).map(|i| (i * 37 % 256) as u8));
    std::fs::write(bad.join("Fastfile"), bytes).expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    r.run.assert_exit(2);
    assert_error_names(&r, "bin/fastlane/Fastfile");
    assert_good_project_reported(&r);
}

#[test]
fn non_utf8_fastfile_is_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let bad = dir.path().join("latin1").join("fastlane");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::write(
        bad.join("Fastfile"),
        b"# Caf\xe9 app\nlane :build do\n  gym\nend\n",
    )
    .expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    r.run.assert_exit(2);
    assert_error_names(&r, "latin1/fastlane/Fastfile");
    assert_good_project_reported(&r);
}

#[test]
fn empty_fastfile_does_not_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fl = dir.path().join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    std::fs::write(fl.join("Fastfile"), b"").expect("write");
    let r = check_json(dir.path(), &[], &["."]);
    // The issue lists an empty file with the bad inputs; an empty Fastfile is
    // also valid Ruby. Either way: no lanes, no findings, no crash, and an
    // error (if any) names the file.
    assert!(r.run.code == 0 || r.run.code == 2, "{}", r.run.describe());
    assert!(
        r.lanes().is_empty() && r.diagnostics().is_empty(),
        "{}",
        r.run.describe()
    );
    if r.run.code == 2 {
        assert_error_names(&r, "fastlane/Fastfile");
    }
}

#[test]
fn missing_path_is_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let r = check_json(dir.path(), &[], &["does-not-exist", "good"]);
    r.run.assert_exit(2);
    assert_error_names(&r, "does-not-exist");
    assert_good_project_reported(&r);
}

#[cfg(unix)]
#[test]
fn symlink_loop_fastfile_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let fl = dir.path().join("loop").join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    std::os::unix::fs::symlink("Fastfile", fl.join("Fastfile")).expect("symlink");
    let r = check_json(dir.path(), &[], &["."]);
    r.run.assert_exit(2);
    assert_error_names(&r, "loop/fastlane/Fastfile");
    assert_good_project_reported(&r);

    // Given explicitly, too.
    let r = check_json(dir.path(), &[], &["loop/fastlane/Fastfile", "good"]);
    r.run.assert_exit(2);
    assert_error_names(&r, "loop/fastlane/Fastfile");
    assert_good_project_reported(&r);
}

/// Nothing ever writes to these pipes and `/dev/zero` never ends: read as files, each would stop
/// the run for ever (the harness would kill it after a minute).
#[cfg(unix)]
#[test]
fn named_pipes_and_devices_named_like_fastlane_files_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let fl = dir.path().join("odd").join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    for name in ["Fastfile", "Appfile", ".env", "Matchfile"] {
        let path = std::ffi::CString::new(fl.join(name).into_os_string().into_encoded_bytes())
            .expect("path");
        // SAFETY: a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0, "mkfifo");
    }
    std::os::unix::fs::symlink("/dev/zero", fl.join("Deliverfile")).expect("symlink");
    let started = std::time::Instant::now();
    let r = check_json(dir.path(), &[], &["."]);
    r.run.assert_exit(2);
    for (name, what) in [
        ("Fastfile", "a named pipe"),
        ("Appfile", "a named pipe"),
        (".env", "a named pipe"),
        ("Matchfile", "a named pipe"),
        ("Deliverfile", "a device"),
    ] {
        let path = format!("odd/fastlane/{name}");
        assert!(
            r.errors().iter().any(|e| e["path"] == path.as_str()
                && e["message"] == format!("not a plain file ({what}), so it is not read")),
            "no error for {path}\n{}",
            r.run.describe()
        );
    }
    assert_good_project_reported(&r);
    // `--fix` goes on the same way.
    let fixed = common::run_in(dir.path(), &["check", ".", "--fix"]);
    fixed.assert_exit(2);
    assert!(
        std::fs::read_to_string(dir.path().join("good/fastlane/Fastfile"))
            .expect("read")
            .contains("app_store_connect_api_key"),
        "{}",
        fixed.describe()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[cfg(unix)]
#[test]
fn symlinked_directory_loop_terminates() {
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    std::os::unix::fs::symlink("..", dir.path().join("good").join("fastlane").join("up"))
        .expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("self")).expect("symlink");
    let r = check_json(dir.path(), &[], &["."]);
    assert!(r.run.code == 1 || r.run.code == 2, "{}", r.run.describe());
    assert_good_project_reported(&r);
    // However the walk treats the links, the one Fastfile is analysed once.
    assert_eq!(r.lanes().len(), 1, "{}", r.run.describe());
}

#[cfg(unix)]
#[test]
fn unreadable_fastfile_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    good_project(dir.path());
    let fl = dir.path().join("locked").join("fastlane");
    std::fs::create_dir_all(&fl).expect("mkdir");
    let file = fl.join("Fastfile");
    std::fs::write(&file, "lane :secret do\n  pem\nend\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&file).is_ok() {
        eprintln!("skipped: running as a user who can read a mode-000 file (root)");
        return;
    }
    let r = check_json(dir.path(), &[], &["."]);
    r.run.assert_exit(2);
    assert_error_names(&r, "locked/fastlane/Fastfile");
    assert_good_project_reported(&r);
}

#[test]
fn thread_count_does_not_change_the_report() {
    let root = repo_root();
    let one = run_in(
        &root,
        &[
            "check",
            "--format",
            "json",
            "--threads",
            "1",
            "fixtures/check",
        ],
    );
    let four = run_in(
        &root,
        &[
            "check",
            "--format",
            "json",
            "--threads",
            "4",
            "fixtures/check",
        ],
    );
    one.assert_no_panic();
    four.assert_no_panic();
    assert_eq!(one.code, four.code);
    assert_eq!(
        one.stdout, four.stdout,
        "reports differ between --threads 1 and 4"
    );
    check_invariants(&one, &one.json());
}

// ---------------------------------------------------------------------------
// More shapes of the same rules
// ---------------------------------------------------------------------------

#[test]
fn opaque_options_do_not_carry_a_key() {
    let r = check_fixture("opaque_options", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 13, "beta"),          // pilot(options)
        ("FL008", F, 17, "release"),       // deliver(**options)
        ("FL008", F, 21, "method_result"), // upload_to_testflight(upload_options(...))
        ("FL008", F, 25, "constant"),      // pilot(UPLOAD_OPTIONS)
        ("FL008", F, 30, "merged"),        // pilot(base.merge(...))
    ]);
    r.assert_lanes(&[
        (F, 12, "beta", PUB, "migratable"),
        (F, 16, "release", PUB, "migratable"),
        (F, 20, "method_result", PUB, "migratable"),
        (F, 24, "constant", PUB, "migratable"),
        (F, 28, "merged", PUB, "migratable"),
        (F, 33, "with_key", PUB, "api-key"),
    ]);
}

#[test]
fn appfile_block_setters() {
    let r = check_fixture("appfile_block", &[]);
    r.run.assert_exit(1);
    const A: &str = "fastlane/Appfile";
    r.assert_diagnostics(&[
        ("FL003", A, 3, NO_LANE),  // apple_id { ENV["APPLE_ACCOUNT"] }
        ("FL003", A, 6, NO_LANE),  // itunes_connect_id do ... end
        ("FL003", A, 11, NO_LANE), // apple_dev_portal_id(...) if ENV["CI"]
    ]);
    r.assert_lanes(&[(F, 4, "build", PUB, "no-apple-auth")]);
}

#[test]
fn statement_shapes_in_lane_bodies() {
    let r = check_fixture("flow_shapes", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", F, 7, "modifiers"),     // pilot if ...
        ("FL008", F, 8, "modifiers"),     // deliver unless ...
        ("FL008", F, 13, "blocks"),       // match inside Dir.chdir do ... end
        ("FL008", F, 15, "blocks"),       // sigh inside { ... }
        ("FL008", F, 17, "blocks"),       // cert inside begin/rescue
        ("FL008", F, 21, "blocks"),       // precheck in a ternary
        ("FL008", F, 21, "blocks"),       // download_dsyms in a ternary
        ("FL008", F, 23, "blocks"),       // set_changelog in case/when
        ("FL008", F, 27, "braces"),       // lane(:braces) { pilot }
        ("FL004", F, 30, "command_call"), // pem app_identifier: ...
        ("FL008", F, 34, "nested"),       // latest_testflight_build_number in an argument
        ("FL008", F, 35, "nested"),       // app_store_build_number in interpolation
    ]);
    r.assert_lanes(&[
        (F, 6, "modifiers", PUB, "migratable"),
        (F, 11, "blocks", PUB, "migratable"),
        (F, 27, "braces", PUB, "migratable"),
        (F, 29, "command_call", PUB, "blocked"),
        (F, 33, "nested", PUB, "migratable"),
        (F, 38, "key_in_argument", PUB, "api-key"),
    ]);
}

#[test]
fn more_env_spellings() {
    let r = check_fixture("env_more", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL002", F, 7, "spellings"),  // ENV.fetch("FASTLANE_USER") { ... }
        ("FL002", F, 8, "spellings"),  // ENV["FASTLANE_PASSWORD"] ||= ...
        ("FL002", F, 9, "spellings"),  // ::ENV["DELIVER_USER"]
        ("FL002", F, 10, "spellings"), // ENV["FASTLANE_USER"].to_s.strip
        ("FL002", F, 11, "spellings"), // ENV[ "PILOT_USERNAME" ]
        ("FL002", F, 12, "spellings"), // ENV.fetch(\n "MATCH_USERNAME"\n)
    ]);
    r.assert_lanes(&[(F, 6, "spellings", PUB, "no-apple-auth")]);
}

#[test]
fn spaceship_constants_and_methods() {
    let r = check_fixture("spaceship_more", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL005", F, 7, "constant_only"), // Spaceship::Tunes::Application without a call
        ("FL005", F, 16, NO_LANE),        // Spaceship::Portal.login in def
    ]);
    r.assert_lanes(&[
        (F, 6, "constant_only", PUB, "blocked"),
        (F, 11, "login_in_method", PUB, "blocked"),
        (F, 19, "connect_api_resources", PUB, "api-key"),
    ]);
}

#[test]
fn hooks_after_the_lanes_and_keys_from_hook_called_lanes() {
    let r = check_fixture("hooks_late", &[]);
    r.run.assert_exit(1);
    // deliver runs with the key and the in-app purchase precheck on.
    r.assert_diagnostics(&[("FL010", F, 11, "ios release")]);
    r.assert_lanes(&[
        (F, 5, "beta", PUB, "api-key"),
        (F, 10, "ios release", PUB, "api-key"),
        (F, 15, "load_key", PRIV, "no-apple-auth|api-key"),
    ]);
}

#[test]
fn after_all_runs_with_every_lane() {
    let r = check_fixture("after_all", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 10, NO_LANE)]);
    r.assert_lanes(&[(F, 5, "build", PUB, "migratable")]);
}

#[test]
fn projects_in_one_run_do_not_share_keys_lanes_or_versions() {
    let r = check_fixture("project_isolation", &[]);
    r.run.assert_exit(1);
    const W: &str = "app_with_key/fastlane/Fastfile";
    const O: &str = "app_without_key/fastlane/Fastfile";
    r.assert_diagnostics(&[
        ("FL008", O, 6, "beta"),          // no load_key lane in this project
        ("FL008", O, 10, "certificates"), // the other project's Matchfile and .env
        ("FL008", O, 15, "release"),      // not FL004: the other project's Gemfile.lock
    ]);
    r.assert_lanes(&[
        (W, 10, "load_key", PUB, "no-apple-auth|api-key"),
        (W, 14, "build", PUB, "no-apple-auth"),
        (O, 4, "beta", PUB, "migratable"),
        (O, 9, "certificates", PUB, "migratable"),
        (O, 13, "release", PUB, "migratable"),
    ]);
}

#[test]
fn missing_import_is_reported() {
    let r = check_fixture("import_missing", &[]);
    assert!(r.run.code == 1 || r.run.code == 2, "{}", r.run.describe());
    assert!(
        r.run.stdout.contains("SharedLanes/Fastfile"),
        "the missing imported file is not named in the report\n{}",
        r.run.describe()
    );
    let fl008: Vec<u64> = r
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "FL008")
        .map(|d| d["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(fl008, vec![9], "{}", r.run.describe());
    r.assert_lanes(&[(F, 7, "beta", PUB, "migratable")]);
}

#[test]
fn a_fastfile_given_by_name_still_sees_its_folder() {
    // `fastlint check fastlane/Fastfile` (as a pre-commit hook would run it)
    // must judge the lanes as fastlane runs them: with the key from the
    // folder's .env and config files.
    let r = check_json(&fixture("key_dotenv"), &[], &["fastlane/Fastfile"]);
    r.run.assert_exit(1);
    // deliver runs with the key and the in-app purchase precheck on.
    r.assert_diagnostics(&[("FL010", F, 10, "release")]);
    r.assert_lanes(&[
        (F, 4, "beta", PUB, "api-key"),
        (F, 9, "release", PUB, "api-key"),
        (F, 13, "certificates", PUB, "api-key"),
        (F, 18, "dsyms", PRIV, "api-key"),
    ]);

    let r = check_json(&fixture("key_config_files"), &[], &["fastlane/Fastfile"]);
    let fl008: Vec<u64> = r
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "FL008")
        .map(|d| d["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(fl008, vec![12, 20], "{}", r.run.describe());

    let r = check_json(&fixture("gemlock_2190"), &[], &["fastlane/Fastfile"]);
    r.assert_diagnostics(&[
        ("FL004", F, 7, "refresh_dsyms"),
        ("FL004", F, 19, "age_rating"),
    ]);
}

// ---------------------------------------------------------------------------
// Text encodings and path spellings
// ---------------------------------------------------------------------------

fn temp_project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, bytes) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, bytes).expect("write");
    }
    dir
}

#[test]
fn crlf_line_endings() {
    let dir = temp_project(&[
        (
            "fastlane/Fastfile",
            b"# CRLF file\r\nlane :beta do\r\n  pilot(username: \"me@example.com\")\r\nend\r\n",
        ),
        (
            "fastlane/.env",
            b"FASTLANE_USER=me@example.com\r\nFASTLANE_SESSION=abc\r\n",
        ),
    ]);
    let r = check_json(dir.path(), &[], &["."]);
    r.assert_diagnostics(&[
        ("FL001", F, 3, "beta"),
        ("FL008", F, 3, "beta"),
        ("FL002", "fastlane/.env", 1, NO_LANE),
        ("FL006", "fastlane/.env", 2, NO_LANE),
    ]);
    r.assert_span("FL001", F, 3, 9, 3, 35);
    r.assert_span("FL006", "fastlane/.env", 2, 1, 2, 17);
}

#[test]
fn utf8_bom_and_tabs() {
    let dir = temp_project(&[(
        "fastlane/Fastfile",
        "\u{feff}lane :beta do\n\tpilot(username: \"x\")\nend\n".as_bytes(),
    )]);
    let r = check_json(dir.path(), &[], &["."]);
    r.assert_diagnostics(&[("FL001", F, 2, "beta"), ("FL008", F, 2, "beta")]);
    r.assert_span("FL008", F, 2, 2, 2, 7); // a tab is one character
    r.assert_lanes(&[(F, 1, "beta", PUB, "migratable")]);
}

#[test]
fn path_spellings() {
    let dir = temp_project(&[
        ("My App/fastlane/Fastfile", b"lane :beta do\n  pilot\nend\n"),
        ("other/fastlane/Fastfile", b"lane :build do\n  sigh\nend\n"),
    ]);
    // Spaces, a trailing slash, and overlapping paths: each file once.
    let r = check_json(
        dir.path(),
        &[],
        &["My App/", "My App/fastlane", "My App/fastlane/Fastfile"],
    );
    r.assert_diagnostics(&[("FL008", "My App/fastlane/Fastfile", 2, "beta")]);
    r.assert_lanes(&[("My App/fastlane/Fastfile", 1, "beta", PUB, "migratable")]);

    // `.` already contains `other`: its file is still analysed once.
    let r = check_json(dir.path(), &[], &[".", "other"]);
    r.assert_diagnostics(&[
        ("FL008", "My App/fastlane/Fastfile", 2, "beta"),
        ("FL008", "other/fastlane/Fastfile", 2, "build"),
    ]);
    r.assert_lanes(&[
        ("My App/fastlane/Fastfile", 1, "beta", PUB, "migratable"),
        ("other/fastlane/Fastfile", 1, "build", PUB, "migratable"),
    ]);

    // An absolute path stays absolute.
    let abs = dir.path().join("My App");
    let abs = abs.to_str().expect("utf-8 temp path");
    let r = check_json(&repo_root(), &[], &[abs]);
    let expected = format!("{abs}/fastlane/Fastfile");
    r.assert_diagnostics(&[("FL008", expected.as_str(), 2, "beta")]);
}

#[test]
fn dotenv_files_come_from_one_folder() {
    let r = check_fixture("dotenv_parent", &[]);
    r.run.assert_exit(0);
    r.assert_lanes(&[(F, 4, "beta", PUB, "api-key")]);

    let r = check_fixture("dotenv_folder_choice", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 6, "beta")]);
    r.assert_lanes(&[(F, 5, "beta", PUB, "migratable")]);
}

#[test]
fn matchfile_readonly_needs_no_login() {
    let r = check_fixture("match_readonly_matchfile", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 9, "renew")]);
    r.assert_lanes(&[
        (F, 4, "certificates", PUB, "no-apple-auth"),
        (F, 8, "renew", PUB, "migratable"),
    ]);
}

#[test]
fn a_swift_fastfile_is_a_note_not_a_silent_pass() {
    // Alone: nothing is analysed, and the report says so instead of passing quietly.
    let r = check_fixture("swift_fastfile/alone", &[]);
    r.run.assert_exit(0);
    assert!(r.diagnostics().is_empty() && r.lanes().is_empty());
    let notes = r.json["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{}", r.run.describe());
    assert_eq!(notes[0]["path"], "fastlane/Fastfile.swift");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("not analysed: a Swift Fastfile")
            && message.contains("its lanes are not checked"),
        "{message}"
    );
    // Its text is not read: the Apple ID in it is no finding.
    assert!(!r.run.stdout.contains("release@example.com"));

    // Beside a Ruby Fastfile: that one is analysed as usual, and the note says which fastlane runs.
    let r = check_fixture("swift_fastfile/beside", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[("FL008", F, 3, "beta")]);
    let notes = r.json["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{}", r.run.describe());
    let message = notes[0]["message"].as_str().unwrap();
    assert!(
        message.contains("fastlane looks for `Fastfile.swift` before `Fastfile`"),
        "{message}"
    );
    let text = run_in(&fixture("swift_fastfile/beside"), &["check", "."]);
    assert!(
        text.stdout
            .contains("note: fastlane/Fastfile.swift:1: not analysed: a Swift Fastfile"),
        "{}",
        text.describe()
    );
    // `fastlint lanes` keeps its standard output to the table, and gives the note on standard error.
    let lanes = run_in(&fixture("swift_fastfile/beside"), &["lanes"]);
    lanes.assert_exit(0);
    assert!(
        lanes.stdout.contains("fastlane/Fastfile:2") && !lanes.stdout.contains("note:"),
        "{}",
        lanes.describe()
    );
    assert!(
        lanes
            .stderr
            .contains("note: fastlane/Fastfile.swift:1: not analysed: a Swift Fastfile"),
        "{}",
        lanes.describe()
    );
    // In CI: a GitHub notice on the file, a line in the pull-request summary.
    let github = run_in(
        &fixture("swift_fastfile/beside"),
        &["check", ".", "--format", "github"],
    );
    assert!(
        github.stdout.contains(
            "::notice file=fastlane/Fastfile.swift,line=1,title=fastlint::not analysed: a Swift Fastfile"
        ),
        "{}",
        github.describe()
    );
    // Formats with no place for notes give them on standard error.
    for format in ["gitlab", "junit", "json-lines"] {
        let run = run_in(
            &fixture("swift_fastfile/beside"),
            &["check", ".", "--format", format],
        );
        assert!(
            run.stderr
                .contains("note: fastlane/Fastfile.swift:1: not analysed: a Swift Fastfile"),
            "{}",
            run.describe()
        );
    }
    let markdown = run_in(
        &fixture("swift_fastfile/beside"),
        &["check", ".", "--format", "markdown"],
    );
    assert!(
        markdown
            .stdout
            .contains("\nNotes:\n\n- `fastlane/Fastfile.swift:1`: not analysed: a Swift Fastfile"),
        "{}",
        markdown.describe()
    );
}

#[test]
fn github_notices_for_notes_stay_within_what_github_shows() {
    // Twelve Swift Fastfiles: nine notices (one of GitHub's ten is kept for the count of findings not
    // annotated), then plain lines.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        let folder = dir.path().join(format!("app{i:02}/fastlane"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("Fastfile.swift"),
            "class Fastfile: LaneFile {}\n",
        )
        .unwrap();
    }
    let run = run_in(dir.path(), &["check", ".", "--format", "github"]);
    run.assert_exit(0);
    let notices: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::notice"))
        .collect();
    assert_eq!(notices.len(), 9, "{}", run.describe());
    assert!(notices[0].starts_with("::notice file=app00/fastlane/Fastfile.swift,line=1,"));
    let plain: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(
        plain,
        [9, 10, 11]
            .iter()
            .map(|i| format!("note: app{i:02}/fastlane/Fastfile.swift:1: not analysed: a Swift Fastfile (fastlint reads Ruby Fastfiles only), so its lanes are not checked"))
            .collect::<Vec<_>>(),
        "{}",
        run.describe()
    );
}

#[test]
fn debug_parse_counts_what_each_mode_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fastlane")).unwrap();
    std::fs::write(
        dir.path().join("fastlane/Fastfile"),
        "lane :a do\n  pilot(skip: true)\n  upload_to_testflight\nend\n",
    )
    .unwrap();
    // One bare name: a program node and an identifier node.
    std::fs::write(dir.path().join("fastlane/Appfile"), "x\n").unwrap();
    std::fs::write(dir.path().join("fastlane/Matchfile"), "type(\n").unwrap();
    let out = |extra: &[&str]| {
        let mut args = vec!["debug", "parse", "."];
        args.extend_from_slice(extra);
        let run = run_in(dir.path(), &args);
        run.assert_exit(0);
        run.stdout.trim().to_string()
    };
    // The Matchfile does not parse.
    assert_eq!(out(&[]), "files=3 errors=1");
    // The calls of the models: `lane`, `pilot` and the bare action name.
    assert_eq!(out(&["--extract"]), "files=3 errors=1 calls=3");
    let appfile_only = run_in(
        dir.path(),
        &["debug", "parse", "fastlane/Appfile", "--walk"],
    );
    assert_eq!(appfile_only.stdout.trim(), "files=1 errors=0 nodes=2");
}

#[test]
fn a_key_put_into_the_lane_context_by_hand_is_a_key() {
    let r = check_fixture("key_lane_context_by_hand", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        // Reads only the Spaceship token, which a key in the lane context does not set.
        ("FL008", F, 13, "by_hand"),
        // `= nil` takes the key out; another entry of the lane context is no key; a key put
        // there after the call comes too late.
        ("FL008", F, 23, "cleared"),
        ("FL008", F, 28, "other_entry"),
        ("FL008", F, 32, "too_late"),
    ]);
    r.assert_lanes(&[
        (F, 5, "by_hand", PUB, "migratable"),
        (F, 16, "actions_prefix", PUB, "api-key"),
        (F, 21, "cleared", PUB, "migratable"),
        (F, 26, "other_entry", PUB, "migratable"),
        (F, 31, "too_late", PUB, "migratable"),
    ]);
    let message = r
        .diagnostics()
        .iter()
        .find(|d| d["line"] == 13)
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("a key put into the lane context by hand"),
        "{message}"
    );
}

#[test]
fn a_folder_without_fastlane_files_is_said_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/app.rb"), "puts 1\n").unwrap();
    for format in ["text", "json", "sarif"] {
        let run = run_in(dir.path(), &["check", ".", "--format", format]);
        run.assert_exit(0);
        assert_eq!(
            run.stderr,
            "fastlint: no fastlane files found in .\n",
            "{}",
            run.describe()
        );
    }
    // Where files are found, nothing is said.
    let run = run_in(&fixture("swift_fastfile/beside"), &["check", "."]);
    assert!(
        !run.stderr.contains("no fastlane files"),
        "{}",
        run.describe()
    );
}

#[test]
fn a_finding_on_a_long_line_is_shown_in_an_excerpt_of_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Line 2: 11 characters, 500 `a`, then `"; pilot(` and the finding, which starts at column
    // 11 + 500 + 9 + 1 = 521.
    let long = format!(
        "  notes = \"{}\"; pilot(username: \"me@example.com\")",
        "a".repeat(500)
    );
    std::fs::create_dir_all(dir.path().join("fastlane")).expect("mkdir");
    std::fs::write(
        dir.path().join(F),
        format!("lane :a do\n{long}\n  gym\nend\n"),
    )
    .expect("write");
    let r = run_in(dir.path(), &["check"]);
    r.assert_no_panic();
    r.assert_exit(1);
    let out = &r.stdout;
    // The header keeps the finding's true position; the line is cut 60 characters before it.
    let block = out
        .split("FL001 username-option")
        .nth(1)
        .unwrap_or_else(|| panic!("no FL001\n{}", r.describe()));
    assert!(
        block.contains("[fastlane/Fastfile:2:521]"),
        "{}",
        r.describe()
    );
    let shown = format!(
        " 2 │ …{}\"; pilot(username: \"me@example.com\")\n",
        "a".repeat(51)
    );
    assert!(block.contains(&shown), "{}", r.describe());
    // The underline starts under `username:`: after the 5-character gutter, `…` and 60 more.
    let underline = block
        .lines()
        .find(|l| l.starts_with("   · ") && l.contains('─'))
        .expect("an underline");
    assert_eq!(
        underline.chars().position(|c| c == '─'),
        Some(66),
        "{underline}"
    );
    assert!(
        out.lines().all(|l| l.chars().count() < 200),
        "no line is printed whole\n{}",
        r.describe()
    );
}

/// One `username:` in a hash that two actions are given is one finding for the place, whichever
/// order the rule came upon the two calls in (it walks a hash map): the first by its text.
#[test]
fn one_finding_per_place_is_chosen_the_same_way_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let fastlane = dir.path().join("fastlane");
    std::fs::create_dir_all(&fastlane).unwrap();
    let lanes: String = (0..20)
        .map(|i| {
            format!(
                "lane :l{i} do\n  o = {{username: \"me@example.com\"}}\n  upload_to_app_store(o)\n  deliver(o)\nend\n"
            )
        })
        .collect();
    std::fs::write(fastlane.join("Fastfile"), lanes).unwrap();
    let first = check_json(dir.path(), &[], &["."]);
    let username: Vec<String> = first
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "FL001")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(username.len(), 20, "{}", first.run.describe());
    for message in &username {
        assert!(message.starts_with("`deliver` is given"), "{message}");
    }
    for _ in 0..3 {
        assert_eq!(
            check_json(dir.path(), &[], &["."]).run.stdout,
            first.run.stdout
        );
    }
}

#[test]
fn a_key_variable_set_in_ci_gives_the_lane_its_step_starts_a_key() {
    // The workflow's job gives every action a key path, and its step starts `fastlane beta` at the
    // repository's root, in `fastlane/`: the lane runs with the key. `_KEY_ID` (read by
    // `app_store_connect_api_key` only) and an empty variable give none.
    let r = check_fixture("key_ci_env", &[]);
    r.run.assert_exit(0);
    r.assert_diagnostics(&[]);
    r.assert_lanes(&[(F, 2, "beta", PUB, "api-key")]);
    assert!(
        r.json["notes"].as_array().is_none_or(|n| n.is_empty()),
        "{}",
        r.run.describe()
    );
    // Checked without the workflow, the lane has no key.
    let r = check_json(&fixture("key_ci_env"), &[], &["fastlane"]);
    r.assert_diagnostics(&[("FL008", F, 3, "beta")]);
}

#[test]
fn lanes_started_by_ci_steps_run_with_the_variables_set_around_them() {
    const IOS: &str = "ios/fastlane/Fastfile";
    let r = check_fixture("ci_lane_runs", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", IOS, 12, "ios metadata"),
        ("FL010", IOS, 17, "ios release"),
        ("FL008", IOS, 23, "ios certificates"),
    ]);
    r.assert_lanes(&[
        (IOS, 6, "ios beta", PUB, "api-key"),
        (IOS, 11, "ios metadata", PUB, "migratable"),
        (IOS, 16, "ios release", PUB, "api-key"),
        (IOS, 22, "ios certificates", PUB, "migratable"),
    ]);
    // The key path of the job whose step runs in a folder fastlint cannot tell gives no lane its
    // key: a note says so. The other job's key path gave lanes theirs.
    let notes = r.json["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{}", r.run.describe());
    assert_eq!(notes[0]["path"], ".github/workflows/release.yml");
    assert_eq!(notes[0]["line"], 34);
    let message = notes[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("`SIGH_API_KEY_PATH` gives the fastlane actions run here an API key")
            && message.contains("pass `--key-from-env`"),
        "{message}"
    );
    // `--fix` gives a key block to the lanes CI does not give a key, and to no other.
    let diff = run_in(&fixture("ci_lane_runs"), &["check", ".", "--diff"]);
    let text = &diff.stdout;
    assert_eq!(
        text.matches("+    api_key = app_store_connect_api_key(")
            .count(),
        2,
        "{text}"
    );
    for lane in ["metadata", "certificates"] {
        let after = text
            .split_once(&format!("   lane :{lane} do\n"))
            .expect(lane)
            .1;
        assert!(
            after.contains("\n+    api_key = app_store_connect_api_key("),
            "{text}"
        );
    }
    // beta (pilot) and release (deliver, which gains only FL010's option) keep their keyless calls.
    assert!(!text.contains("pilot(api_key"), "{text}");
    assert!(
        text.contains(
            "+    deliver(precheck_include_in_app_purchases: false, submit_for_review: true)"
        ),
        "{text}"
    );
    // With `--key-from-env` every lane has its key, and the note has nothing left to say.
    let r = check_fixture("ci_lane_runs", &["--key-from-env"]);
    r.assert_diagnostics(&[
        ("FL010", IOS, 12, "ios metadata"),
        ("FL010", IOS, 17, "ios release"),
    ]);
    assert!(
        r.json["notes"].as_array().is_none_or(|n| n.is_empty()),
        "{}",
        r.run.describe()
    );
}

#[test]
fn lanes_started_by_jenkinsfile_steps_run_with_the_blocks_around_them() {
    // The Jenkinsfile's stages start the same lanes as the workflow of `ci_lane_runs`: a key
    // bound by `withCredentials`, one set by a stage's `environment`, and a step in a folder
    // fastlint cannot tell.
    const IOS: &str = "ios/fastlane/Fastfile";
    let r = check_fixture("jenkins_lane_runs", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL008", IOS, 12, "ios metadata"),
        ("FL010", IOS, 17, "ios release"),
        ("FL008", IOS, 23, "ios certificates"),
    ]);
    r.assert_lanes(&[
        (IOS, 6, "ios beta", PUB, "api-key"),
        (IOS, 11, "ios metadata", PUB, "migratable"),
        (IOS, 16, "ios release", PUB, "api-key"),
        (IOS, 22, "ios certificates", PUB, "migratable"),
    ]);
    // Only the key path set around the step fastlint cannot follow gets a note.
    let notes = r.json["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{}", r.run.describe());
    assert_eq!(notes[0]["path"], "Jenkinsfile");
    assert_eq!(notes[0]["line"], 37);
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`SIGH_API_KEY_PATH` gives the fastlane actions run here an API key"),
        "{}",
        r.run.describe()
    );
    // `--fix` gives a key block to the two lanes no step gives a key.
    let diff = run_in(&fixture("jenkins_lane_runs"), &["check", ".", "--diff"]);
    let text = &diff.stdout;
    assert_eq!(
        text.matches("+    api_key = app_store_connect_api_key(")
            .count(),
        2,
        "{text}"
    );
    for lane in ["metadata", "certificates"] {
        let after = text
            .split_once(&format!("   lane :{lane} do\n"))
            .expect(lane)
            .1;
        assert!(
            after.contains("\n+    api_key = app_store_connect_api_key("),
            "{text}"
        );
    }
    // Without the Jenkinsfile no lane has a key.
    let r = check_json(&fixture("jenkins_lane_runs"), &[], &["ios"]);
    r.assert_lanes(&[
        (IOS, 6, "ios beta", PUB, "migratable"),
        (IOS, 11, "ios metadata", PUB, "migratable"),
        (IOS, 16, "ios release", PUB, "migratable"),
        (IOS, 22, "ios certificates", PUB, "migratable"),
    ]);
}

#[test]
fn a_variable_set_in_ci_counts_for_every_fastlane_folder_of_its_repository() {
    // The workflow of app/ sets the issuer id and the team id (and sets the storage mode to
    // nothing); the same lane in tool/, a repository of its own, gets neither. The workflow sits
    // outside every fastlane folder, which `check` loads one at a time.
    let r = check_fixture("ci_env_repositories", &[]);
    r.run.assert_exit(1);
    r.assert_diagnostics(&[
        ("FL015", "tool/fastlane/Fastfile", 5, "certificates"),
        ("FL018", "tool/fastlane/Fastfile", 6, "certificates"),
    ]);
    r.assert_lanes(&[
        (
            "app/ios/fastlane/Fastfile",
            3,
            "certificates",
            PUB,
            "api-key",
        ),
        ("tool/fastlane/Fastfile", 4, "certificates", PUB, "api-key"),
    ]);
    // A folder checked on its own sees the workflow only when it is among the paths.
    let app = fixture("ci_env_repositories").join("app");
    let r = check_json(&app, &[], &["ios"]);
    r.assert_diagnostics(&[
        ("FL015", "ios/fastlane/Fastfile", 4, "certificates"),
        ("FL018", "ios/fastlane/Fastfile", 5, "certificates"),
    ]);
    let r = check_json(&app, &[], &["ios", ".github"]);
    r.assert_diagnostics(&[]);
}
