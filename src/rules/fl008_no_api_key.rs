//! FL008 `no-api-key`: a key-capable Apple action runs with no API key in scope.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL008",
    name: "no-api-key",
    severity: Severity::Warning,
    summary: "A key-capable Apple action runs with no API key in scope",
    explanation: "\
**What it finds.** An action that can take an App Store Connect API key (pilot, deliver, match, cert, sigh,
precheck, app_store_build_number, latest_testflight_build_number, download_dsyms, set_changelog,
register_device(s), notarize, ...) reached on some run with no key: no `api_key:`/`api_key_path:` option,
no `app_store_connect_api_key` before it in its lane, in a hook that runs before it, or in a lane that calls
it, no key variable (`APP_STORE_CONNECT_API_KEY_PATH`, `APP_STORE_CONNECT_API_KEY`, the action's own
`*_API_KEY_PATH`) set in a fastlane `.env` file the runs load or in Ruby before it, and no `api_key_path` in
its config file. `match` with `readonly: true` needs no login. `--key-from-env` counts a key as in scope
everywhere (for CI that sets the variables). Of the `.env.<name>` files, templates (`.env.example`, ...)
never count, and with `--env NAMES` only those of the named environments do.

**Why it matters.** Without a key the action falls back to the Apple ID (Appfile `apple_id`,
`FASTLANE_USER`), and two-factor authentication stalls CI.

**The way out.** Call `app_store_connect_api_key(...)` at the top of the lane or in `before_all`, or pass
`api_key:`; `fastlint check --fix` inserts the call for lanes that can move.

**Example.**
```ruby
lane :beta do
  build_app
  pilot        # FL008
end
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, c), site) in &cx.analysis.sites {
        if !site.reached_without_key || site.readonly || site.apple_id_only {
            continue;
        }
        let Some(call) = cx.ws.files[f].ruby().map(|m| &m.calls[c]) else {
            continue;
        };
        let action = site.action;
        let name = &call.name;
        // A key set up on the way that this action does not read: say which hand-over it lacks.
        let (message, help) = if site.key_unread && !action.reads_global_token() {
            (
                format!("`{name}` runs with no App Store Connect API key it reads, so it logs in with an Apple ID: it takes a key only from the lane context, which `Spaceship::ConnectAPI.auth` does not fill"),
                "call `app_store_connect_api_key(...)` before it, or pass `api_key:`; `fastlint check --fix` does this",
            )
        } else if site.key_unread && !action.reads_lane_context() {
            (
                format!("`{name}` runs with no App Store Connect API key it reads, so it logs in with an Apple ID: it takes a key only from the Spaceship token, which `set_spaceship_token: false`, a key put into the lane context by hand, or an Apple ID login before it leaves unset"),
                "pass `api_key:` (`fastlint check --fix` does this); where `set_spaceship_token: false` is the cause, dropping it lets `app_store_connect_api_key` set the token",
            )
        } else {
            (
                format!("`{name}` runs with no App Store Connect API key in scope, so it logs in with an Apple ID"),
                "call `app_store_connect_api_key(...)` at the top of the lane or in `before_all`, or pass `api_key:`; `fastlint check --fix` does this",
            )
        };
        out.push(Diagnostic::new(&INFO, f, call.name_span, message).help(help));
    }
}
