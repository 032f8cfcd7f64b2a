//! FL001 `username-option`: an Apple action is given an Apple ID with `username:`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL001",
    name: "username-option",
    severity: Severity::Warning,
    summary: "An Apple action is given an Apple ID with `username:`",
    explanation: "\
**What it finds.** An action that talks to Apple (any alias: `pilot`, `upload_to_testflight`, `deliver`,
`match`, `cert`, `sigh`, `precheck`, `produce`, `pem`, `download_dsyms`, ...) given `username:`, directly or
through an options hash built in the same lane, and `username(\"...\")` in a Matchfile, Deliverfile or
Precheckfile. Other services' `username:` (slack, jira, ...) and pilot's `apple_id:` option (the app's
numeric id) are not Apple logins and are not reported. `match` with `readonly: true` does not log in.

**Why it matters.** The action logs in with that Apple ID: two-factor authentication stalls CI, and session
cookies expire within hours.

**The way out.** Remove `username:` and give the action an App Store Connect API key:
`app_store_connect_api_key(...)` earlier in the lane (or in `before_all`), or `api_key:`. `fastlint check
--fix` does this for lanes that can move. In a config file, replace `username(...)` with `api_key_path(...)`.

**Example.**
```ruby
lane :beta do
  pilot(username: \"ci@example.com\")   # FL001
end
```
becomes
```ruby
lane :beta do
  api_key = app_store_connect_api_key(
    key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],
    issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],
    key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]
  )
  pilot(api_key: api_key)
end
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, c), site) in &cx.analysis.sites {
        if site.readonly {
            continue;
        }
        let Some(call) = cx.ws.files[f].ruby().map(|m| &m.calls[c]) else {
            continue;
        };
        if let Some(opt) = call.option("username") {
            let how = if opt.via_variable {
                " (through an options hash)"
            } else {
                ""
            };
            out.push(
                Diagnostic::new(
                    &INFO,
                    f,
                    opt.span,
                    format!("`{}` is given an Apple ID with `username:`{how}, so it logs in with that account", call.name),
                )
                .help(if site.action.takes_key_at(site.version) {
                    "remove `username:` and use an App Store Connect API key (`app_store_connect_api_key` earlier in the lane, or `api_key:`); `fastlint check --fix` does this"
                } else {
                    "this action cannot take an API key at this fastlane version (see FL004); keep the Apple ID for it, or move it to a separate job"
                }),
            );
        }
    }
    for (f, file) in cx.ws.files.iter().enumerate() {
        let (FileKind::Config(name), Some(model)) = (file.source.kind, file.ruby()) else {
            continue;
        };
        let tool = match name {
            "Matchfile" => "match",
            "Deliverfile" => "deliver",
            _ => "precheck",
        };
        debug_assert!(knowledge::action(tool).is_some());
        for call in model
            .calls
            .iter()
            .filter(|c| c.name == "username" && c.first_arg.is_some())
        {
            out.push(
                Diagnostic::new(&INFO, f, call.span, format!("`username(...)` in the {name} makes {tool} log in with an Apple ID"))
                    .help(format!("remove it and set `api_key_path(\"...\")` in the {name}, or call `app_store_connect_api_key` before {tool}; this file is not rewritten by --fix")),
            );
        }
    }
}
