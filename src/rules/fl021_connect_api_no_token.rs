//! FL021 `connect-api-no-token`: Ruby code calls the App Store Connect API through Spaceship with no
//! Spaceship token set.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL021",
    name: "connect-api-no-token",
    severity: Severity::Warning,
    summary: "A direct App Store Connect API call runs with no Spaceship token",
    explanation: "\
**What it finds.** A request to the App Store Connect API made in Ruby code through Spaceship's models
(`Spaceship::ConnectAPI::App.find(...)`, `Spaceship::ConnectAPI::Certificate.all`,
`Spaceship::ConnectAPI::BundleId.create(...)`) or its client (`Spaceship::ConnectAPI.get_builds(...)`),
reached on some run with no Spaceship token set. The token is set by `app_store_connect_api_key` (unless
it is given `set_spaceship_token: false`), `Spaceship::ConnectAPI.auth(...)` and
`Spaceship::ConnectAPI.token = ...`, earlier in the lane, in a hook that runs before it, in a lane that
calls it, or at the top of the Fastfile. `Spaceship::ConnectAPI.login` and the actions that log in with an
Apple ID afresh (produce, the app privacy details actions) replace it. Helpers that make no request
(`Spaceship::ConnectAPI::Token.create`, `Spaceship::ConnectAPI::Platform.map`) and constants
(`Spaceship::ConnectAPI::BundleIdCapability::Type::APP_GROUPS`) are not requests.

A lane whose requests all run with the token set is `api-key`; one with a request that runs without it is
`migratable`.

**Why it matters.** These calls have no key of their own: they run on the Spaceship token, and without
one on the web session of an Apple-ID login made earlier in the same run (by an action given
`username:`, the Appfile's `apple_id` or `FASTLANE_USER`, or `Spaceship::Tunes.login`). With neither they
fail. So the lane depends on an Apple-ID login, which two-factor authentication stalls on CI, or does not
work at all.

**The way out.** Call `app_store_connect_api_key(...)` before the request (at the top of the lane or in
`before_all`), without `set_spaceship_token: false`; or `Spaceship::ConnectAPI.auth(key_id:, issuer_id:,
filepath:)`.

`fastlint check --fix` adds the key block at the top of the lane or hook whose own body, or a `def`
method it calls, makes the request: the block sets the token, and has no `api_key =` when no call there
is handed the key. It leaves, with the reason in its summary, a body that sets up a key itself (given
`set_spaceship_token: false`, or set up after the request: changing or moving that setup is for a
person), and one with a key already in scope at its top that did not set the token.

**Example.**
```ruby
lane :bundle_ids do
  Spaceship::ConnectAPI::BundleId.find(\"com.example.app\")   # FL021
end
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for &(f, i) in &cx.analysis.api_without_token {
        let Some(s) = cx.ws.files[f].ruby().and_then(|m| m.spaceship.get(i)) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                s.span,
                format!(
                    "`{}` runs with no Spaceship token set, so it uses the web session of an Apple-ID login made before it (and fails without one)",
                    s.text
                ),
            )
            .help("call `app_store_connect_api_key(...)` before it (without `set_spaceship_token: false`), or `Spaceship::ConnectAPI.auth(...)`; `fastlint check --fix` adds the call at the top of a lane or hook that sets up no key itself"),
        );
    }
}
