//! FL002 `apple-id-env`: an Apple-ID credential variable is read or set.

use super::{env_var_diagnostics, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::APPLE_ID_ENV;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL002",
    name: "apple-id-env",
    severity: Severity::Warning,
    summary: "An Apple-ID credential variable is read or set",
    explanation: "\
**What it finds.** `FASTLANE_USER`, `FASTLANE_PASSWORD`, `DELIVER_USER`, `DELIVER_USERNAME`,
`DELIVER_PASSWORD` and the tools' own username variables (`PILOT_USERNAME`, `MATCH_USERNAME`, ...) read or
written in Ruby (`ENV[\"X\"]`, `ENV['X']`, `ENV.fetch(\"X\")`, assignments) or set in a fastlane `.env` file.

**Why it matters.** `FASTLANE_USER` feeds the Appfile `apple_id` and so every action's `username` default:
any action without a key then logs in with that Apple ID, and two-factor authentication stalls CI.

**The way out.** Give the lanes an App Store Connect API key, then remove these variables from the Fastfile,
the `.env` files and the CI settings.

**Example.**
```sh
# fastlane/.env
FASTLANE_USER=ci@example.com      # FL002
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    env_var_diagnostics(cx, &INFO, APPLE_ID_ENV, out, |name, how| {
        (
            format!("Apple-ID credential `{name}` {}", how.verb()),
            "actions without an App Store Connect API key log in with this Apple ID; move the lanes to a key, then remove the variable".to_string(),
        )
    });
}
