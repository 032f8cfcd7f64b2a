//! What fastlint knows about fastlane actions: one table, and the only place action names are listed.
//!
//! Every question of the form "is this an Apple action? can it take a key? since when?" is answered
//! here. The facts come from fastlane's own source (2.237.0): option files, action `run` methods and
//! the version that added App Store Connect API key support.

use crate::version::Version;

/// How an action authenticates with Apple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Takes an App Store Connect API key (`api_key:`, `api_key_path:`, or the key in lane_context)
    /// since the given fastlane version; below it, it can only log in with an Apple ID.
    KeyCapable { since: Version },
    /// Logs in with an Apple ID until (and including) `until`; takes a key in later releases.
    AppleIdUntil { until: Version },
    /// Always logs in with an Apple ID.
    AppleIdOnly,
    /// `app_store_connect_api_key`: makes a key available to every later action.
    KeyProvider,
}

/// A fastlane action that talks to Apple.
#[derive(Debug)]
pub struct Action {
    /// Canonical action name (`upload_to_testflight`).
    pub name: &'static str,
    /// Other names that run the same action (`pilot`, `testflight`).
    pub aliases: &'static [&'static str],
    pub auth: Auth,
    /// Environment variables that hold the Apple ID for its `username` option.
    pub username_env: &'static [&'static str],
    /// Environment variables that give it a key (`*_API_KEY_PATH`, `*_API_KEY`), the shared
    /// `APP_STORE_CONNECT_API_KEY(_PATH)` included.
    pub key_env: &'static [&'static str],
    /// The tool config file it loads (`Matchfile`), if any.
    pub config_file: Option<&'static str>,
    /// The way out when it needs an Apple ID.
    pub way_out: &'static str,
    /// An option that must be turned off when it runs with a key (`precheck_include_in_app_purchases`).
    pub iap_option: Option<&'static str>,
    /// Option values with which it needs an Apple ID although it takes a key
    /// (`type: :developer_id_installer` of `cert`).
    pub apple_id_only_with: &'static [AppleIdOption],
}

/// An option value with which a key-capable action still needs an Apple ID.
#[derive(Debug)]
pub struct AppleIdOption {
    pub option: &'static str,
    pub value: &'static str,
    /// Why, after "needs an Apple ID: ".
    pub why: &'static str,
    pub way_out: &'static str,
}

impl Action {
    /// True when this action needs an Apple ID at `version`.
    pub fn apple_id_only_at(&self, version: Version) -> bool {
        match self.auth {
            Auth::KeyCapable { since } => version < since,
            Auth::AppleIdUntil { until } => version <= until,
            Auth::AppleIdOnly => true,
            Auth::KeyProvider => false,
        }
    }

    /// True when this action can run with a key at `version`.
    pub fn takes_key_at(&self, version: Version) -> bool {
        !matches!(self.auth, Auth::KeyProvider) && !self.apple_id_only_at(version)
    }

    /// The version that first takes a key, if any release does.
    pub fn key_since(&self) -> Option<Version> {
        match self.auth {
            Auth::KeyCapable { since } => Some(since),
            Auth::AppleIdUntil { until } => {
                Some(Version::new(until.major, until.minor, until.patch + 1))
            }
            _ => None,
        }
    }

    /// `match` and `sync_code_signing` can run read-only, without logging in to Apple.
    pub fn has_readonly_mode(&self) -> bool {
        self.name == "sync_code_signing"
    }

    /// Whether it picks up the key `app_store_connect_api_key` leaves in the lane context (its
    /// `run` or an option default reads it). Not `latest_testflight_build_number`.
    pub fn reads_lane_context(&self) -> bool {
        !GLOBAL_TOKEN_ONLY.contains(&self.name)
    }

    /// Whether it logs in with the process-wide Spaceship token when it is given no key (the
    /// token `app_store_connect_api_key` sets unless `set_spaceship_token: false`, or
    /// `Spaceship::ConnectAPI.auth`). Not `notarize` or `update_app_age_rating`.
    pub fn reads_global_token(&self) -> bool {
        !LANE_CONTEXT_ONLY.contains(&self.name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

const fn v(major: u32, minor: u32, patch: u32) -> Version {
    Version::new(major, minor, patch)
}

const UPGRADE: &str = "upgrade fastlane";

/// Every key variable any action reads (`APP_STORE_CONNECT_API_KEY_PATH`, `PILOT_API_KEY`, ...),
/// sorted.
pub static KEY_VARS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut vars: Vec<&'static str> = ACTIONS
        .iter()
        .flat_map(|a| a.key_env.iter().copied())
        .collect();
    vars.sort_unstable();
    vars.dedup();
    vars
});

/// Whether an environment variable gives some fastlane action an API key.
pub fn is_key_var(name: &str) -> bool {
    KEY_VARS.binary_search(&name).is_ok()
}

/// The actions that talk to Apple, with their aliases.
pub static ACTIONS: &[Action] = &[
    Action {
        name: "upload_to_testflight",
        aliases: &["pilot", "testflight"],
        auth: Auth::KeyCapable { since: v(2, 157, 0) },
        username_env: &["PILOT_USERNAME"],
        key_env: &["PILOT_API_KEY_PATH", "PILOT_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "upload_to_app_store",
        aliases: &["deliver", "appstore"],
        auth: Auth::KeyCapable { since: v(2, 160, 0) },
        username_env: &["DELIVER_USERNAME", "DELIVER_USER"],
        key_env: &["DELIVER_API_KEY_PATH", "DELIVER_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: Some("Deliverfile"),
        way_out: UPGRADE,
        iap_option: Some("precheck_include_in_app_purchases"),
        apple_id_only_with: &[],
    },
    Action {
        name: "sync_code_signing",
        aliases: &["match"],
        auth: Auth::KeyCapable { since: v(2, 162, 0) },
        username_env: &["MATCH_USERNAME"],
        key_env: &["SIGH_API_KEY_PATH", "SIGH_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: Some("Matchfile"),
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "match_nuke",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 179, 0) },
        username_env: &["MATCH_USERNAME"],
        key_env: &["SIGH_API_KEY_PATH", "SIGH_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: Some("Matchfile"),
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "get_certificates",
        aliases: &["cert"],
        auth: Auth::KeyCapable { since: v(2, 162, 0) },
        username_env: &["CERT_USERNAME"],
        key_env: &[
            "CERT_API_KEY_PATH",
            "CERT_API_KEY",
            "DELIVER_API_KEY_PATH",
            "DELIVER_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[AppleIdOption {
            option: "type",
            value: "developer_id_installer",
            why: "the App Store Connect API gives no access to Developer ID Installer certificates",
            way_out: "create the certificate once with an Apple ID and store it with `match`; in CI fetch it with `match(type: \"developer_id_installer\", readonly: true)`, which needs no login",
        }],
    },
    Action {
        name: "get_provisioning_profile",
        aliases: &["sigh"],
        auth: Auth::KeyCapable { since: v(2, 162, 0) },
        username_env: &["SIGH_USERNAME"],
        key_env: &["SIGH_API_KEY_PATH", "SIGH_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "check_app_store_metadata",
        aliases: &["precheck"],
        auth: Auth::KeyCapable { since: v(2, 160, 0) },
        username_env: &["PRECHECK_USERNAME"],
        key_env: &[
            "PRECHECK_API_KEY_PATH",
            "PRECHECK_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: Some("Precheckfile"),
        way_out: UPGRADE,
        iap_option: Some("include_in_app_purchases"),
        apple_id_only_with: &[],
    },
    Action {
        name: "app_store_build_number",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 163, 0) },
        username_env: &["ITUNESCONNECT_USER"],
        key_env: &[
            "APPSTORE_BUILD_NUMBER_API_KEY_PATH",
            "APPSTORE_BUILD_NUMBER_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "latest_testflight_build_number",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 163, 0) },
        username_env: &["ITUNESCONNECT_USER"],
        key_env: &[
            "APPSTORE_BUILD_NUMBER_API_KEY_PATH",
            "APPSTORE_BUILD_NUMBER_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "download_dsyms",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 197, 0) },
        username_env: &["DOWNLOAD_DSYMS_USERNAME"],
        key_env: &[
            "DOWNLOAD_DSYMS_API_KEY_PATH",
            "DOWNLOAD_DSYMS_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "set_changelog",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 164, 0) },
        username_env: &["FASTLANE_USERNAME"],
        key_env: &[
            "FL_SET_CHANGELOG_API_KEY_PATH",
            "FL_SET_CHANGELOG_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "register_device",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 163, 0) },
        username_env: &["DELIVER_USER"],
        key_env: &[
            "FL_REGISTER_DEVICE_API_KEY_PATH",
            "FL_REGISTER_DEVICE_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "register_devices",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 163, 0) },
        username_env: &["DELIVER_USER"],
        key_env: &[
            "FL_REGISTER_DEVICES_API_KEY_PATH",
            "FL_REGISTER_DEVICES_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "notarize",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 180, 0) },
        username_env: &["FL_NOTARIZE_USERNAME"],
        key_env: &[
            "FL_NOTARIZE_API_KEY_PATH",
            "FL_NOTARIZE_API_KEY",
            "APP_STORE_CONNECT_API_KEY_PATH",
            "APP_STORE_CONNECT_API_KEY",
        ],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "update_app_age_rating",
        aliases: &[],
        auth: Auth::KeyCapable { since: v(2, 236, 0) },
        username_env: &["DELIVER_USER"],
        key_env: &["DELIVER_API_KEY_PATH", "DELIVER_API_KEY", "APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_API_KEY"],
        config_file: None,
        way_out: UPGRADE,
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "create_app_online",
        aliases: &["produce"],
        auth: Auth::AppleIdUntil { until: v(2, 237, 0) },
        username_env: &["PRODUCE_USERNAME"],
        key_env: &[],
        config_file: None,
        way_out: "upgrade to the first fastlane release after 2.237.0, whose produce takes an App Store Connect API key \
                  (pass capabilities with a later `produce enable_services` step, not inline), or create the app once by hand",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "get_push_certificate",
        aliases: &["pem"],
        auth: Auth::AppleIdOnly,
        username_env: &["PEM_USERNAME"],
        key_env: &[],
        config_file: None,
        way_out: "switch push notifications to an APNs .p8 auth key (token-based): it never expires and needs no \
                  push certificate, so this step can go; otherwise run it by hand or in a separate scheduled job \
                  with FASTLANE_SESSION",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "modify_services",
        aliases: &[],
        auth: Auth::AppleIdOnly,
        username_env: &["PRODUCE_USERNAME"],
        key_env: &[],
        config_file: None,
        way_out: "change capabilities once by hand in the Developer Portal, or run this step by hand or in a \
                  separate scheduled job with FASTLANE_SESSION",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "download_app_privacy_details_from_app_store",
        aliases: &[],
        auth: Auth::AppleIdOnly,
        username_env: &["FASTLANE_USER"],
        key_env: &[],
        config_file: None,
        way_out: "run it by hand when privacy details change, or in a separate scheduled job with FASTLANE_SESSION",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "upload_app_privacy_details_to_app_store",
        aliases: &[],
        auth: Auth::AppleIdOnly,
        username_env: &["FASTLANE_USER"],
        key_env: &[],
        config_file: None,
        way_out: "run it by hand when privacy details change, or in a separate scheduled job with FASTLANE_SESSION",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "xcode_install",
        aliases: &[],
        auth: Auth::AppleIdOnly,
        username_env: &["XCODE_INSTALL_USER"],
        key_env: &[],
        config_file: None,
        way_out: "install Xcode on the CI image (or with the `xcodes` tool and its own credentials) instead of \
                  this deprecated action",
        iap_option: None,
        apple_id_only_with: &[],
    },
    Action {
        name: "app_store_connect_api_key",
        aliases: &[],
        auth: Auth::KeyProvider,
        username_env: &[],
        key_env: &[],
        config_file: None,
        way_out: "",
        iap_option: None,
        apple_id_only_with: &[],
    },
];

/// Looks an action up by any of its names.
pub fn action(name: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.names().any(|n| n == name))
}

/// Key-capable actions that take a key only from the Spaceship token, not from the lane context.
pub const GLOBAL_TOKEN_ONLY: &[&str] = &["latest_testflight_build_number"];

/// Key-capable actions that take a key only from the lane context (no branch for an existing token).
pub const LANE_CONTEXT_ONLY: &[&str] = &["notarize", "update_app_age_rating"];

/// Apple-ID actions that log in afresh and so replace the Spaceship token for the rest of the run.
pub const REPLACES_TOKEN: &[&str] = &[
    "create_app_online",
    "download_app_privacy_details_from_app_store",
    "upload_app_privacy_details_to_app_store",
];

/// Tool config files that fastlint reads (Ruby calls named after the action's options).
pub const CONFIG_FILES: &[&str] = &["Matchfile", "Deliverfile", "Precheckfile"];

/// Environment variables that hold an Apple ID or its password (FL002).
pub const APPLE_ID_ENV: &[&str] = &[
    "FASTLANE_USER",
    "FASTLANE_PASSWORD",
    "DELIVER_USER",
    "DELIVER_USERNAME",
    "DELIVER_PASSWORD",
    "PILOT_USERNAME",
    "MATCH_USERNAME",
    "CERT_USERNAME",
    "SIGH_USERNAME",
    "PRODUCE_USERNAME",
    "PEM_USERNAME",
    "PRECHECK_USERNAME",
    "ITUNESCONNECT_USER",
    "DOWNLOAD_DSYMS_USERNAME",
    "FASTLANE_USERNAME",
    "FL_NOTARIZE_USERNAME",
    "XCODE_INSTALL_USER",
];

/// Web-session cookies from `fastlane spaceauth` (FL006).
pub const SESSION_ENV: &[&str] = &["FASTLANE_SESSION", "SPACESHIP_SESSION"];

/// The app-specific password for uploads through iTMSTransporter/altool/notarytool (FL007).
pub const APP_SPECIFIC_PASSWORD_ENV: &[&str] = &["FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD"];

/// Variables that give every key-capable action a key.
pub const SHARED_KEY_ENV: &[&str] = &[
    "APP_STORE_CONNECT_API_KEY_PATH",
    "APP_STORE_CONNECT_API_KEY",
];

/// True when `name` is any action's key variable.
pub fn is_key_env(name: &str) -> bool {
    ACTIONS.iter().any(|a| a.key_env.contains(&name))
}

/// Apple-ID passwords (FL009 when given a literal value).
pub const PASSWORD_ENV: &[&str] = &["FASTLANE_PASSWORD", "DELIVER_PASSWORD"];

/// Variables that hold the content of an App Store Connect API private key (FL009 when literal).
pub const KEY_CONTENT_ENV: &[&str] =
    &["APP_STORE_CONNECT_API_KEY_KEY", "SPACESHIP_CONNECT_API_KEY"];

/// Variables that hold the issuer id of an App Store Connect API key (FL015).
pub const ISSUER_ID_ENV: &[&str] = &[
    "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
    "SPACESHIP_CONNECT_API_ISSUER_ID",
];

/// Variables that set `in_house` of an App Store Connect API key (FL013).
pub const IN_HOUSE_ENV: &[&str] = &[
    "APP_STORE_CONNECT_API_KEY_IN_HOUSE",
    "SPACESHIP_CONNECT_API_IN_HOUSE",
];

/// Variables that set the token duration of an App Store Connect API key (FL012).
pub const DURATION_ENV: &[&str] = &[
    "APP_STORE_CONNECT_API_KEY_DURATION",
    "SPACESHIP_CONNECT_API_TOKEN_DURATION",
];

/// Longest token lifetime, in seconds, that fastlane accepts and Apple honours (FL012).
pub const MAX_TOKEN_DURATION: i64 = 1200;

/// Variables that name a `.p8` private key file of `app_store_connect_api_key` (FL017).
pub const KEY_FILEPATH_ENV: &[&str] = &[
    "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH",
    "SPACESHIP_CONNECT_API_KEY_FILEPATH",
];

/// True when `name` is a variable that names a JSON key file (`*_API_KEY_PATH`).
pub fn is_key_path_env(name: &str) -> bool {
    name.ends_with("_API_KEY_PATH") && is_key_env(name)
}

/// Actions whose options conflict when both `username:` and a key are passed explicitly: fastlane
/// raises "Unresolved conflict between options" before the action runs (FL014).
pub const USERNAME_KEY_CONFLICT: &[&str] = &[
    "upload_to_testflight",
    "check_app_store_metadata",
    "notarize",
];

/// Options of `app_store_connect_api_key` and the names the `api_key:` hash and the JSON key file
/// use for them (FL011): the action takes `key_content`/`key_filepath`, the hash `key`/`filepath`.
pub const KEY_OPTION_NAMES: &[(&str, &str)] =
    &[("key_content", "key"), ("key_filepath", "filepath")];

/// fastlane's built-in actions that are not in [`ACTIONS`] (FL016: a lane with one of these names
/// shadows the action). Together with the names in [`ACTIONS`] this covers fastlane's action folder
/// except rarely used, deprecated integrations.
pub const OTHER_BUILTIN_ACTIONS: &[&str] = &[
    "adb",
    "adb_devices",
    "add_extra_platforms",
    "add_git_tag",
    "appaloosa",
    "appetize",
    "appetize_viewing_url_generator",
    "appium",
    "appledoc",
    "apteligent",
    "artifactory",
    "automatic_code_signing",
    "backup_file",
    "backup_xcarchive",
    "badge",
    "build_and_upload_to_appetize",
    "build_android_app",
    "build_app",
    "build_ios_app",
    "build_mac_app",
    "bundle_install",
    "capture_android_screenshots",
    "capture_ios_screenshots",
    "capture_screenshots",
    "carthage",
    "changelog_from_git_commits",
    "chatwork",
    "clean_build_artifacts",
    "clean_cocoapods_cache",
    "clear_derived_data",
    "clipboard",
    "cloc",
    "cocoapods",
    "commit_github_file",
    "commit_version_bump",
    "copy_artifacts",
    "crashlytics",
    "create_app_on_managed_play_store",
    "create_keychain",
    "create_pull_request",
    "create_xcframework",
    "danger",
    "debug",
    "default_platform",
    "delete_keychain",
    "deploygate",
    "dotgpg_environment",
    "download",
    "download_from_play_store",
    "download_universal_apk_from_google_play",
    "dsym_zip",
    "echo",
    "ensure_bundle_exec",
    "ensure_env_vars",
    "ensure_git_branch",
    "ensure_git_status_clean",
    "ensure_no_debug_code",
    "ensure_xcode_version",
    "environment_variable",
    "erb",
    "fastlane_version",
    "flock",
    "frame_screenshots",
    "frameit",
    "gcovr",
    "get_build_number",
    "get_build_number_repository",
    "get_github_release",
    "get_info_plist_value",
    "get_ipa_info_plist_value",
    "get_managed_play_store_publishing_rights",
    "get_version_number",
    "git_add",
    "git_branch",
    "git_commit",
    "git_pull",
    "git_remote_branch",
    "git_submodule_update",
    "git_tag_exists",
    "github_api",
    "google_play_track_release_names",
    "google_play_track_version_codes",
    "gradle",
    "gym",
    "hg_add_tag",
    "hg_commit_version_bump",
    "hg_ensure_clean_status",
    "hg_push",
    "hipchat",
    "hockey",
    "ifttt",
    "import_certificate",
    "increment_build_number",
    "increment_version_number",
    "install_on_device",
    "install_provisioning_profile",
    "install_xcode_plugin",
    "installr",
    "is_ci",
    "jazzy",
    "jira",
    "last_git_commit",
    "last_git_tag",
    "lcov",
    "mailgun",
    "make_changelog_from_jenkins",
    "min_fastlane_version",
    "nexus_upload",
    "notification",
    "notify",
    "number_of_commits",
    "oclint",
    "onesignal",
    "opt_out_crash_reporting",
    "opt_out_usage",
    "pod_lib_lint",
    "pod_push",
    "podio_item",
    "println",
    "prompt",
    "push_git_tags",
    "push_to_git_remote",
    "puts",
    "read_podspec",
    "recreate_schemes",
    "reset_git_repo",
    "reset_simulator_contents",
    "resign",
    "restore_file",
    "rocket",
    "rsync",
    "ruby_version",
    "run_tests",
    "say",
    "scan",
    "scp",
    "screengrab",
    "set_build_number_repository",
    "set_github_release",
    "set_info_plist_value",
    "set_pod_key",
    "setup_ci",
    "setup_circle_ci",
    "setup_jenkins",
    "setup_travis",
    "sh",
    "skip_docs",
    "slack",
    "slather",
    "snapshot",
    "sonar",
    "sourcedocs",
    "spaceship_logs",
    "spaceship_stats",
    "splunkmint",
    "spm",
    "ssh",
    "supply",
    "swiftlint",
    "team_id",
    "team_name",
    "testfairy",
    "trainer",
    "tryouts",
    "twitter",
    "typetalk",
    "unlock_keychain",
    "update_app_group_identifiers",
    "update_app_identifier",
    "update_code_signing_settings",
    "update_fastlane",
    "update_icloud_container_identifiers",
    "update_info_plist",
    "update_keychain_access_groups",
    "update_plist",
    "update_project_code_signing",
    "update_project_provisioning",
    "update_project_team",
    "update_urban_airship_configuration",
    "update_url_schemes",
    "upload_symbols_to_crashlytics",
    "upload_symbols_to_sentry",
    "upload_to_play_store",
    "upload_to_play_store_internal_app_sharing",
    "validate_play_store_json_key",
    "verify_build",
    "verify_pod_keys",
    "verify_xcode",
    "version_bump_podspec",
    "version_get_podspec",
    "xcarchive",
    "xcbuild",
    "xcclean",
    "xcexport",
    "xcode_select",
    "xcode_server_get_assets",
    "xcodebuild",
    "xcodes",
    "xcov",
    "xctest",
    "xctool",
    "xcversion",
    "zip",
];

/// True when `name` is a built-in fastlane action (Apple or not).
pub fn is_builtin_action(name: &str) -> bool {
    action(name).is_some() || OTHER_BUILTIN_ACTIONS.contains(&name)
}

/// Appfile settings that name the Apple ID every key-less action falls back to (FL003).
pub const APPFILE_APPLE_ID: &[&str] = &["apple_id", "itunes_connect_id", "apple_dev_portal_id"];

/// The fastlane DSL words that structure a Fastfile rather than run an action.
pub const LANE_KEYWORDS: &[&str] = &["lane", "private_lane", "override_lane"];
pub const HOOK_KEYWORDS: &[&str] = &[
    "before_all",
    "before_each",
    "after_each",
    "after_all",
    "error",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_their_action() {
        assert_eq!(action("pilot").unwrap().name, "upload_to_testflight");
        assert_eq!(action("appstore").unwrap().name, "upload_to_app_store");
        assert_eq!(action("match").unwrap().name, "sync_code_signing");
        assert_eq!(action("pem").unwrap().name, "get_push_certificate");
        assert!(action("slack").is_none());
        assert!(action("gym").is_none());
    }

    #[test]
    fn versions_gate_key_support() {
        let dsyms = action("download_dsyms").unwrap();
        assert!(dsyms.apple_id_only_at(v(2, 196, 9)));
        assert!(!dsyms.apple_id_only_at(v(2, 197, 0)));
        let produce = action("produce").unwrap();
        assert!(produce.apple_id_only_at(v(2, 237, 0)));
        assert!(!produce.apple_id_only_at(v(2, 237, 1)));
        assert!(action("pem").unwrap().apple_id_only_at(v(9, 0, 0)));
        assert!(!action("app_store_connect_api_key")
            .unwrap()
            .apple_id_only_at(v(1, 0, 0)));
    }

    #[test]
    fn builtin_list_does_not_repeat_the_apple_table() {
        for name in OTHER_BUILTIN_ACTIONS {
            assert!(action(name).is_none(), "{name} is in ACTIONS");
        }
        let mut names = OTHER_BUILTIN_ACTIONS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OTHER_BUILTIN_ACTIONS.len());
        assert!(is_builtin_action("pem") && is_builtin_action("slack"));
        assert!(!is_builtin_action("beta"));
    }

    #[test]
    fn key_pickup_lists_name_canonical_actions() {
        for name in GLOBAL_TOKEN_ONLY
            .iter()
            .chain(LANE_CONTEXT_ONLY)
            .chain(REPLACES_TOKEN)
        {
            assert_eq!(action(name).map(|a| a.name), Some(*name), "{name}");
        }
        let latest = action("latest_testflight_build_number").unwrap();
        assert!(latest.reads_global_token() && !latest.reads_lane_context());
        let notarize = action("notarize").unwrap();
        assert!(notarize.reads_lane_context() && !notarize.reads_global_token());
        let pilot = action("pilot").unwrap();
        assert!(pilot.reads_lane_context() && pilot.reads_global_token());
    }

    #[test]
    fn no_name_is_listed_twice() {
        let mut names: Vec<_> = ACTIONS.iter().flat_map(|a| a.names()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(n, names.len());
    }
}
