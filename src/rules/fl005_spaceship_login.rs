//! FL005 `spaceship-login`: Ruby code logs in to Spaceship with an Apple ID or uses its legacy APIs.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::model::SpaceshipKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL005",
    name: "spaceship-login",
    severity: Severity::Error,
    summary: "Spaceship Apple-ID login or legacy Apple-ID API",
    explanation: "\
**What it finds.** `Spaceship::Tunes.login`, `Spaceship::Portal.login`, `Spaceship.login`,
`Spaceship::ConnectAPI.login`, `Spaceship::Client.login`, and the legacy web APIs that need such a login
(`Spaceship::Tunes::...`, `Spaceship::Portal::...`, `Spaceship.select_team`). `Spaceship::ConnectAPI.auth(...)`
and `Spaceship::ConnectAPI.token = ...` are the API-key path and are fine (they put a key in scope).

**Why it matters.** This custom code logs in with an Apple ID; fastlint cannot rewrite it, so the lane is
`blocked`.

**The way out.** Authenticate with the key (`app_store_connect_api_key(...)` earlier in the lane, or
`Spaceship::ConnectAPI.auth(key_id:, issuer_id:, filepath:)`) and use the `Spaceship::ConnectAPI` models
(`Spaceship::ConnectAPI::App.find(bundle_id)`) instead of `Spaceship::Tunes`/`Spaceship::Portal`.

**Example.**
```ruby
lane :metadata do
  Spaceship::Tunes.login(ENV[\"FASTLANE_USER\"])   # FL005
end
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        let Some(model) = file.ruby() else { continue };
        for s in &model.spaceship {
            let message = match s.kind {
                SpaceshipKind::Login => format!("`{}` logs in with an Apple ID", s.text),
                SpaceshipKind::Legacy => format!(
                    "`{}` is a legacy Spaceship API that needs an Apple-ID login",
                    s.text
                ),
                SpaceshipKind::KeyAuth | SpaceshipKind::Api => continue,
            };
            out.push(
                Diagnostic::new(&INFO, f, s.span, message)
                    .help("authenticate with an App Store Connect API key (`app_store_connect_api_key` or `Spaceship::ConnectAPI.auth`) and use the Spaceship::ConnectAPI models instead"),
            );
        }
    }
}
