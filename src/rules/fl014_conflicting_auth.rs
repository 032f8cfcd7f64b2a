//! FL014 `conflicting-auth`: options that fastlane refuses together (`username:` with a key on pilot,
//! precheck and notarize; `api_key:` with `api_key_path:` anywhere).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::USERNAME_KEY_CONFLICT;
use crate::model::Value;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL014",
    name: "conflicting-auth",
    severity: Severity::Error,
    summary: "Options that fastlane refuses together",
    explanation: "\
**What it finds.**
- `username:` passed together with `api_key:` or `api_key_path:` to `pilot`/`upload_to_testflight`/
  `testflight`, `precheck`/`check_app_store_metadata` or `notarize` (directly or through an options hash),
  and `username(...)` next to `api_key_path(...)`/`api_key(...)` in a Precheckfile;
- `api_key:` passed together with `api_key_path:` to any action that takes a key.

A `nil` value does not count: fastlane ignores conflicts with options that are `nil`.

**Why it matters.** These options declare each other as conflicting, so fastlane stops with \"Unresolved
conflict between options: 'api_key' and 'username'\" while reading the options, before the action does
anything. Other actions accept `username:` next to a key and ignore it (the key wins).

**The way out.** Drop `username:` (the key is enough); pass either `api_key:` or `api_key_path:`, not
both. `fastlint check --fix` removes `username:` from such calls in lanes it may rewrite (not blocked, no
syntax errors); the Precheckfile and the `api_key:`/`api_key_path:` pair are left for you.

**Example.**
```ruby
pilot(api_key_path: \"fastlane/api_key.json\", username: \"ci@example.com\")   # FL014
```
becomes
```ruby
pilot(api_key_path: \"fastlane/api_key.json\")
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, c), site) in &cx.analysis.sites {
        let Some(call) = cx.ws.files[f].ruby().map(|m| &m.calls[c]) else {
            continue;
        };
        // fastlane ignores a conflict when either value is nil.
        let given = |key: &str| call.option(key).filter(|o| o.value != Value::Nil);
        let api_key = given("api_key");
        let api_key_path = given("api_key_path");
        if USERNAME_KEY_CONFLICT.contains(&site.action.name) {
            if let (Some(user), Some(key)) = (given("username"), api_key.or(api_key_path)) {
                out.push(
                    Diagnostic::new(
                        &INFO,
                        f,
                        user.span,
                        format!(
                            "`{}` is given both `username:` and `{}:`: fastlane stops with \"Unresolved conflict between options\"",
                            call.name, key.key
                        ),
                    )
                    .help("remove `username:`; the API key is enough (`fastlint check --fix` does this)"),
                );
            }
        }
        if let (Some(_), Some(path)) = (api_key, api_key_path) {
            out.push(
                Diagnostic::new(
                    &INFO,
                    f,
                    path.span,
                    format!(
                        "`{}` is given both `api_key:` and `api_key_path:`: fastlane stops with \"Unresolved conflict between options\"",
                        call.name
                    ),
                )
                .help("pass one of them: the `api_key:` hash from `app_store_connect_api_key`, or the JSON file in `api_key_path:`"),
            );
        }
    }
    for (f, file) in cx.ws.files.iter().enumerate() {
        let (FileKind::Config("Precheckfile"), Some(model)) = (file.source.kind, file.ruby())
        else {
            continue;
        };
        let has = |name: &str| {
            model
                .calls
                .iter()
                .find(|c| c.name == name && c.first_arg.is_some())
        };
        if let (Some(user), Some(key)) = (has("username"), has("api_key_path").or(has("api_key"))) {
            out.push(
                Diagnostic::new(
                    &INFO,
                    f,
                    user.span,
                    format!("the Precheckfile sets both `username` and `{}`: precheck stops with \"Unresolved conflict between options\"", key.name),
                )
                .help("remove `username(...)` from the Precheckfile"),
            );
        }
    }
}
