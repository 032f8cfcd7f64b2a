//! Generated fastlane configuration: Fastfiles of a realistic size and mix, Appfiles,
//! Matchfiles, Deliverfiles and `.env` files. Everything is drawn from a seeded [`Rng`], so
//! the same seed always writes the same bytes.

use super::rng::Rng;
use std::fmt::Write as _;

/// How the lanes of one Fastfile authenticate with App Store Connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `app_store_connect_api_key(...)` in `before_all`.
    KeyInBeforeAll,
    /// `app_store_connect_api_key(...)` at the top of the lanes that need it.
    KeyInLane,
    /// `api_key_path:` on each Apple action.
    KeyPathOption,
    /// `username:` on the Apple actions.
    Username,
    /// `ENV["FASTLANE_USER"]` written in a hook, read in lanes.
    EnvUser,
    /// Nothing in the Fastfile (the Appfile or an `.env` file decides).
    Implicit,
}

impl Auth {
    fn draw(rng: &mut Rng) -> Auth {
        match rng.below(100) {
            0..=24 => Auth::KeyInBeforeAll,
            25..=36 => Auth::KeyInLane,
            37..=44 => Auth::KeyPathOption,
            45..=69 => Auth::Username,
            70..=82 => Auth::EnvUser,
            _ => Auth::Implicit,
        }
    }
}

/// What one generated fastlane folder holds, so callers can check what fastlint reports.
#[derive(Clone, Debug)]
pub struct FastfileMeta {
    pub lanes: usize,
    pub auth: Auth,
    pub broken: bool,
}

const APPLE_IDS: &[&str] = &[
    "ios-dev@example.com",
    "release@example.org",
    "ci-bot@example.net",
    "mobile@example.com",
];

const SCHEMES: &[&str] = &[
    "App",
    "Production",
    "Staging",
    "Beta",
    "Enterprise",
    "Runner",
];

const LANE_NAMES: &[&str] = &[
    "test",
    "beta",
    "release",
    "build",
    "screenshots",
    "certificates",
    "bump",
    "nightly",
    "staging",
    "internal",
    "upload_metadata",
    "refresh_dsyms",
    "sync_devices",
    "changelog",
    "lint",
    "hotfix",
    "alpha",
    "appstore",
    "firebase",
    "qa",
];

struct Ctx<'a> {
    rng: &'a mut Rng,
    auth: Auth,
    bundle: String,
    scheme: &'static str,
    user: &'static str,
    defs: Vec<String>,
    lanes: Vec<String>,
    private_lanes: Vec<String>,
}

impl Ctx<'_> {
    fn user_opt(&mut self) -> String {
        match self.auth {
            Auth::Username => {
                if self.rng.chance(0.5) {
                    format!("username: \"{}\", ", self.user)
                } else {
                    "username: ENV[\"FASTLANE_USER\"], ".to_string()
                }
            }
            Auth::EnvUser if self.rng.chance(0.3) => {
                "username: ENV[\"DELIVER_USER\"], ".to_string()
            }
            Auth::KeyPathOption => "api_key_path: \"fastlane/asc_api_key.json\", ".to_string(),
            _ => String::new(),
        }
    }

    fn key_call(&mut self, indent: &str) -> String {
        if self.rng.chance(0.5) {
            format!(
                "{indent}app_store_connect_api_key(\n{indent}  key_id: ENV[\"ASC_KEY_ID\"],\n{indent}  issuer_id: ENV[\"ASC_ISSUER_ID\"],\n{indent}  key_content: ENV[\"ASC_KEY_CONTENT\"],\n{indent}  is_key_content_base64: true,\n{indent}  in_house: false\n{indent})\n"
            )
        } else {
            format!(
                "{indent}api_key = app_store_connect_api_key(\n{indent}  key_id: \"{}\",\n{indent}  issuer_id: \"{}-{}-{}-{}-{}\",\n{indent}  key_filepath: \"./AuthKey.p8\"\n{indent})\n",
                self.rng.hex(10).to_uppercase(),
                self.rng.hex(8),
                self.rng.hex(4),
                self.rng.hex(4),
                self.rng.hex(4),
                self.rng.hex(12)
            )
        }
    }

    /// One Apple action call (pilot/deliver/match/...), with this file's auth style.
    fn apple_action(&mut self, indent: &str) -> String {
        let scheme = self.scheme;
        let bundle = self.bundle.clone();
        let user = self.user_opt();
        match self.rng.below(12) {
            0 | 1 => format!(
                "{indent}{}({user}skip_waiting_for_build_processing: true, distribute_external: {}, changelog: {})\n",
                self.rng.pick(&["pilot", "upload_to_testflight", "testflight"]),
                self.rng.chance(0.5),
                if self.defs.iter().any(|d| d == "release_notes") { "release_notes" } else { "\"Bug fixes\"" }
            ),
            2 | 3 => format!(
                "{indent}{}(\n{indent}  {user}submit_for_review: {},\n{indent}  automatic_release: false,\n{indent}  force: true,\n{indent}  skip_screenshots: true,\n{indent}  precheck_include_in_app_purchases: false\n{indent})\n",
                self.rng.pick(&["deliver", "upload_to_app_store", "appstore"]),
                self.rng.chance(0.3)
            ),
            4 | 5 => {
                if self.rng.chance(0.4) {
                    format!("{indent}match(type: \"{}\", readonly: true)\n", self.rng.pick(&["appstore", "development", "adhoc"]))
                } else {
                    format!(
                        "{indent}{}({user}type: \"{}\", app_identifier: [\"{bundle}\", \"{bundle}.widget\"], git_branch: \"{}\")\n",
                        self.rng.pick(&["match", "sync_code_signing"]),
                        self.rng.pick(&["appstore", "development", "adhoc"]),
                        self.rng.pick(&["main", "certs", "master"])
                    )
                }
            }
            6 => format!("{indent}build_num = {}({user}app_identifier: \"{bundle}\")\n{indent}increment_build_number(build_number: build_num + 1, xcodeproj: \"{scheme}.xcodeproj\")\n",
                self.rng.pick(&["latest_testflight_build_number", "app_store_build_number"])),
            7 => format!("{indent}download_dsyms({user}version: \"latest\")\n{indent}upload_symbols_to_crashlytics(gsp_path: \"./{scheme}/GoogleService-Info.plist\")\n{indent}clean_build_artifacts\n"),
            8 => format!("{indent}{}({user}output_path: \"./fastlane/profiles\")\n",
                self.rng.pick(&["cert", "get_certificates", "sigh", "get_provisioning_profile"])),
            9 => format!("{indent}register_devices({user}devices_file: \"./fastlane/devices.txt\")\n"),
            10 => format!("{indent}precheck({user}default_rule_level: :error, include_in_app_purchases: false)\n"),
            _ => format!("{indent}set_changelog({user}app_identifier: \"{bundle}\", changelog: \"Improvements\")\n"),
        }
    }

    /// A call that never touches Apple auth.
    fn other_action(&mut self, indent: &str) -> String {
        let scheme = self.scheme;
        match self.rng.below(14) {
            0 | 1 => format!(
                "{indent}{}(\n{indent}  scheme: \"{scheme}\",\n{indent}  workspace: \"{scheme}.xcworkspace\",\n{indent}  export_method: \"{}\",\n{indent}  clean: true,\n{indent}  output_directory: \"./build\"\n{indent})\n",
                self.rng.pick(&["gym", "build_app", "build_ios_app"]),
                self.rng.pick(&["app-store", "ad-hoc", "development"])
            ),
            2 => format!("{indent}scan(scheme: \"{scheme}\", devices: [\"iPhone 15\"], code_coverage: true)\n"),
            3 => format!(
                "{indent}slack(\n{indent}  message: \"Build #{{lane_context[SharedValues::BUILD_NUMBER]}} is out\",\n{indent}  channel: \"#mobile-releases\",\n{indent}  username: \"fastlane\",\n{indent}  success: true\n{indent})\n"
            ),
            4 => format!("{indent}increment_build_number(xcodeproj: \"{scheme}.xcodeproj\")\n{indent}commit_version_bump(message: \"Bump build\", xcodeproj: \"{scheme}.xcodeproj\")\n"),
            5 => format!("{indent}sh(\"cd .. && yarn install --frozen-lockfile\")\n{indent}cocoapods(podfile: \"./Podfile\", try_repo_update_on_error: true)\n"),
            6 => format!("{indent}ensure_git_status_clean\n{indent}git_pull(only_tags: true)\n"),
            7 => format!("{indent}add_git_tag(tag: \"v#{{get_version_number(xcodeproj: \"{scheme}.xcodeproj\")}}\")\n{indent}push_to_git_remote\n"),
            8 => format!(
                "{indent}if is_ci\n{indent}  setup_ci\n{indent}  create_keychain(name: \"ci\", password: ENV[\"KEYCHAIN_PASSWORD\"], unlock: true, timeout: 3600)\n{indent}end\n"
            ),
            9 => format!(
                "{indent}sh(<<~SCRIPT)\n{indent}  set -euo pipefail\n{indent}  echo \"username: not-a-real-option\"\n{indent}  ./scripts/prepare-release.sh --scheme {scheme}\n{indent}SCRIPT\n"
            ),
            10 => format!("{indent}version = get_version_number(xcodeproj: \"{scheme}.xcodeproj\", target: \"{scheme}\")\n{indent}UI.message(\"Version #{{version}}\")\n"),
            11 => format!("{indent}firebase_app_distribution(app: ENV[\"FIREBASE_APP_ID\"], groups: \"qa\", release_notes: \"Nightly\")\n"),
            12 => format!("{indent}sentry_upload_dif(auth_token: ENV[\"SENTRY_TOKEN\"], org_slug: \"acme\", project_slug: \"{}\")\n", self.rng.word(2)),
            _ => format!("{indent}clear_derived_data\n{indent}xcversion(version: \"~> 15.0\")\n"),
        }
    }

    fn lane_call(&mut self, indent: &str) -> Option<String> {
        let pool: Vec<String> = self
            .lanes
            .iter()
            .chain(self.private_lanes.iter())
            .chain(self.defs.iter())
            .cloned()
            .collect();
        if pool.is_empty() {
            return None;
        }
        let name = pool[self.rng.below(pool.len())].clone();
        Some(if self.rng.chance(0.3) && !self.defs.contains(&name) {
            format!("{indent}{name}(skip_tests: true)\n")
        } else {
            format!("{indent}{name}\n")
        })
    }

    fn lane(&mut self, out: &mut String, name: &str, private: bool, indent: &str) {
        let inner = format!("{indent}  ");
        if !private || self.rng.chance(0.5) {
            let _ = writeln!(
                out,
                "{indent}desc \"{} {}\"",
                self.rng
                    .pick(&["Build and ship", "Run", "Prepare", "Upload", "Refresh"]),
                name.replace('_', " ")
            );
        }
        let kw = if private { "private_lane" } else { "lane" };
        if self.rng.chance(0.4) {
            let _ = writeln!(out, "{indent}{kw} :{name} do |options|");
        } else {
            let _ = writeln!(out, "{indent}{kw} :{name} do");
        }
        if self.auth == Auth::KeyInLane && self.rng.chance(0.8) {
            out.push_str(&self.key_call(&inner));
        }
        let steps = self.rng.range(2, 6);
        for _ in 0..steps {
            let r = self.rng.below(100);
            let piece = if r < 40 {
                self.apple_action(&inner)
            } else if r < 85 {
                self.other_action(&inner)
            } else {
                self.lane_call(&inner)
                    .unwrap_or_else(|| self.other_action(&inner))
            };
            out.push_str(&piece);
        }
        if self.rng.chance(0.2) {
            let _ = writeln!(out, "{inner}if options[:notify]");
            out.push_str(&self.other_action(&format!("{inner}  ")));
            let _ = writeln!(out, "{inner}end");
        }
        let _ = writeln!(out, "{indent}end\n");
        if private {
            self.private_lanes.push(name.to_string());
        } else {
            self.lanes.push(name.to_string());
        }
    }
}

/// A Fastfile of roughly `target_bytes`: comments, `default_platform`, hooks, `def` helpers
/// with heredocs, an `ios` platform block full of lanes and private lanes that call each
/// other, an `android` block and `error`/`after_all` hooks.
pub fn fastfile(rng: &mut Rng, target_bytes: usize) -> (String, FastfileMeta) {
    let auth = Auth::draw(rng);
    let app = rng.word(2);
    let mut c = Ctx {
        bundle: format!("com.{}.{app}", rng.word(2)),
        scheme: rng.pick(SCHEMES),
        user: rng.pick(APPLE_IDS),
        auth,
        rng,
        defs: Vec::new(),
        lanes: Vec::new(),
        private_lanes: Vec::new(),
    };
    let mut out = String::with_capacity(target_bytes + 1024);
    let _ = writeln!(
        out,
        "# This file contains the fastlane.tools configuration for {app}.\n# You can find the documentation at https://docs.fastlane.tools\n#\n# For a list of all available actions, check out\n#     https://docs.fastlane.tools/actions\n"
    );
    if c.rng.chance(0.3) {
        out.push_str("# frozen_string_literal: true\n\nfastlane_version \"2.219.0\"\n");
    }
    out.push_str("default_platform(:ios)\n\n");
    if c.rng.chance(0.5) {
        let _ = writeln!(
            out,
            "XCODEPROJ = \"{}.xcodeproj\"\nAPP_ID = \"{}\"\n",
            c.scheme, c.bundle
        );
    }

    // Hooks.
    out.push_str("before_all do |lane, options|\n");
    if c.rng.chance(0.5) {
        out.push_str("  ensure_git_branch(branch: \"(main|release/.*)\")\n");
    }
    out.push_str("  ENV[\"SLACK_URL\"] ||= \"https://hooks.slack.com/services/T000/B000/XXXX\"\n");
    match c.auth {
        Auth::KeyInBeforeAll => out.push_str(&c.key_call("  ")),
        Auth::EnvUser => {
            let _ = writeln!(out, "  ENV[\"FASTLANE_USER\"] = \"{}\"", c.user);
            out.push_str("  ENV[\"FASTLANE_PASSWORD\"] ||= ENV[\"CI_APPLE_PASSWORD\"]\n");
            if c.rng.chance(0.4) {
                out.push_str(
                    "  ENV[\"FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD\"] = ENV[\"ASP\"]\n",
                );
            }
        }
        _ => {}
    }
    out.push_str("end\n\n");

    // Helpers.
    if c.rng.chance(0.7) {
        out.push_str(
            "def release_notes\n  notes = <<~NOTES\n    What's new:\n    - username: handled in a heredoc, not an option\n    - pilot(username: \"nobody@example.com\") is only text here\n  NOTES\n  changelog = changelog_from_git_commits(commits_count: 10, pretty: \"- %s\")\n  [notes, changelog].compact.join(\"\\n\")\nend\n\n",
        );
        c.defs.push("release_notes".into());
    }
    if c.rng.chance(0.6) {
        let _ = writeln!(
            out,
            "def bump_build(kind = \"patch\")\n  increment_version_number(bump_type: kind, xcodeproj: \"{}.xcodeproj\")\n  increment_build_number(\n    build_number: latest_testflight_build_number({}app_identifier: \"{}\") + 1\n  )\nend\n",
            c.scheme,
            if c.auth == Auth::Username { format!("username: \"{}\", ", c.user) } else { String::new() },
            c.bundle
        );
        c.defs.push("bump_build".into());
    }
    if c.rng.chance(0.4) {
        out.push_str(
            "def notify(text, ok = true)\n  return unless ENV[\"SLACK_URL\"]\n  slack(message: text, success: ok, username: \"release-bot\", default_payloads: [:git_branch])\nend\n\n",
        );
        c.defs.push("notify".into());
    }

    // Lanes, until the file reaches its size.
    out.push_str("platform :ios do\n");
    let android_reserve = 700;
    let mut names: Vec<&str> = LANE_NAMES.to_vec();
    let mut n = 0usize;
    while out.len() + android_reserve < target_bytes || n < 2 {
        let name = if names.is_empty() {
            format!("lane_{n}")
        } else {
            let i = c.rng.below(names.len());
            names.swap_remove(i).to_string()
        };
        let private = n > 0 && c.rng.chance(0.25);
        c.lane(&mut out, &name, private, "  ");
        n += 1;
    }
    if c.rng.chance(0.5) {
        out.push_str(
            "  after_all do |lane|\n    notification(message: \"Finished #{lane}\")\n  end\n",
        );
    }
    out.push_str("end\n\n");

    out.push_str("platform :android do\n  desc \"Deploy to the Play Store internal track\"\n  lane :deploy do\n    gradle(task: \"clean bundleRelease\", project_dir: \"android/\")\n    upload_to_play_store(track: \"internal\", json_key: ENV[\"PLAY_JSON_KEY\"])\n  end\n\n  lane :beta do\n    gradle(task: \"assembleRelease\")\n    firebase_app_distribution(app: ENV[\"FIREBASE_ANDROID_APP\"], groups: \"qa\")\n  end\nend\n\n");
    let lanes = c.lanes.len() + c.private_lanes.len() + 2;

    out.push_str("error do |lane, exception, options|\n  slack(message: \"#{lane} failed: #{exception.message}\", success: false)\nend\n");
    (
        out,
        FastfileMeta {
            lanes,
            auth,
            broken: false,
        },
    )
}

/// Breaks the Ruby syntax of `src` in one of a few realistic ways (a lost `end`, an
/// unclosed call, a stray bracket, a half-written block parameter list).
pub fn break_syntax(rng: &mut Rng, src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mid = lines.len() / 3 + rng.below(lines.len() / 3 + 1);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match rng.below(4) {
        0 => {
            // Drop the first `end` after the middle.
            if let Some(i) = (mid..out.len()).find(|&i| out[i].trim() == "end") {
                out.remove(i);
            }
        }
        1 => out.insert(mid, "    gym(scheme: \"App\", clean: true".to_string()),
        2 => out.insert(mid, "    ]) }".to_string()),
        _ => out.insert(mid, "  lane :half_written do |options".to_string()),
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

pub fn appfile(rng: &mut Rng, auth: Auth) -> String {
    let mut s = format!(
        "app_identifier(\"com.{}.{}\") # The bundle identifier of your app\n",
        rng.word(2),
        rng.word(2)
    );
    if matches!(auth, Auth::Implicit | Auth::Username) || rng.chance(0.3) {
        let _ = writeln!(
            s,
            "apple_id(\"{}\") # Your Apple Developer Portal username",
            rng.pick(APPLE_IDS)
        );
    }
    let _ = writeln!(s, "\nteam_id(\"{}\")", rng.hex(10).to_uppercase());
    if rng.chance(0.5) {
        let _ = writeln!(s, "itc_team_id(\"{}\")", rng.range(100_000, 999_999));
    }
    if rng.chance(0.3) {
        s.push_str("\nfor_platform :android do\n  json_key_file(\"play-store.json\")\n  package_name(\"com.example.android\")\nend\n");
    }
    s
}

pub fn matchfile(rng: &mut Rng) -> String {
    let mut s = format!(
        "git_url(\"git@github.com:{}/certificates.git\")\nstorage_mode(\"git\")\ntype(\"{}\")\n",
        rng.word(2),
        rng.pick(&["appstore", "development", "adhoc"])
    );
    match rng.below(3) {
        0 => {
            let _ = writeln!(s, "username(\"{}\")", rng.pick(APPLE_IDS));
        }
        1 => s.push_str("api_key_path(\"fastlane/asc_api_key.json\")\n"),
        _ => {}
    }
    s.push_str("# readonly(true)\n");
    s
}

pub fn deliverfile(rng: &mut Rng) -> String {
    let mut s = String::from("submit_for_review(false)\nautomatic_release(false)\nforce(true)\n");
    if rng.chance(0.5) {
        let _ = writeln!(s, "username(\"{}\")", rng.pick(APPLE_IDS));
    }
    s
}

pub fn dotenv(rng: &mut Rng, auth: Auth) -> String {
    let mut s = String::from("# Shared settings for fastlane\nSLACK_URL=https://hooks.slack.com/services/T000/B000/XXXX\n");
    let _ = writeln!(s, "SCHEME={}", rng.pick(SCHEMES));
    match auth {
        Auth::Implicit | Auth::EnvUser => {
            let _ = writeln!(s, "FASTLANE_USER={}", rng.pick(APPLE_IDS));
            if rng.chance(0.5) {
                s.push_str("FASTLANE_PASSWORD=\"change me\"\n");
            }
            if rng.chance(0.3) {
                s.push_str("FASTLANE_SESSION=\n");
            }
        }
        Auth::KeyPathOption | Auth::KeyInLane if rng.chance(0.5) => {
            s.push_str("APP_STORE_CONNECT_API_KEY_PATH=fastlane/asc_api_key.json\n");
        }
        _ => {}
    }
    s.push_str("FASTLANE_SKIP_UPDATE_CHECK=1\nFASTLANE_HIDE_CHANGELOG=true\n");
    s
}

pub fn gemfile_lock(version: &str) -> String {
    format!(
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    CFPropertyList (3.0.6)\n    fastlane ({version})\n      CFPropertyList (>= 2.3, < 4.0.0)\n      xcodeproj (>= 1.13.0, < 2.0.0)\n    xcodeproj (1.24.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  fastlane\n\nBUNDLED WITH\n   2.4.10\n"
    )
}
