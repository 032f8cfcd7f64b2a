//! FL006 `fastlane-session`: a `FASTLANE_SESSION` web-session cookie is used.

use super::{env_var_diagnostics, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::SESSION_ENV;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL006",
    name: "fastlane-session",
    severity: Severity::Warning,
    summary: "A FASTLANE_SESSION web-session cookie is used",
    explanation: "\
**What it finds.** `FASTLANE_SESSION` or `SPACESHIP_SESSION` read or set in Ruby or set in a fastlane `.env`
file.

**Why it matters.** The cookie from `fastlane spaceauth` skips two-factor authentication only until it expires,
within hours to days; CI then fails until someone generates a new one by hand.

**The way out.** Use an App Store Connect API key for every action that takes one. Keep a session only for a
separate, manually triggered job that runs the few Apple-ID-only steps (see FL004).

**Example.**
```ruby
ENV[\"FASTLANE_SESSION\"] = File.read(\"session.txt\")   # FL006
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    env_var_diagnostics(cx, &INFO, SESSION_ENV, out, |name, how| {
        (
            format!("web-session cookie `{name}` {}: it expires within hours", how.verb()),
            "use an App Store Connect API key instead; keep a session only for a separate job that runs Apple-ID-only steps".to_string(),
        )
    });
}
