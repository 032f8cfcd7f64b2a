//! FL015 `individual-key`: an API key without an issuer id, that is an individual key.

use super::{env_set_for, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::{self, ISSUER_ID_ENV};
use crate::model::{ArgShape, Opt, Span, Value};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL015",
    name: "individual-key",
    severity: Severity::Warning,
    summary: "An API key without `issuer_id` (an individual key)",
    explanation: "\
**What it finds.** An App Store Connect API key set up without an issuer id, which is how fastlane spells an
individual key:
- `app_store_connect_api_key(...)` given options but no `issuer_id:` (or `issuer_id: nil`/`\"\"`), while
  `APP_STORE_CONNECT_API_KEY_ISSUER_ID` is set nowhere fastlint reads (Ruby, `.env`, the repository's CI files);
- an `api_key:` hash literal with a `key_id` and no `issuer_id`;
- a JSON key file named by `api_key_path` with no `issuer_id`.

A call with no options at all takes everything from the `APP_STORE_CONNECT_API_KEY_*` variables and is not
reported; neither is a call whose options fastlint cannot see.

**Why it matters.** Individual keys authenticate as one user (`sub: user` in the token). Several actions do
not work with them: match, cert and sigh among others fail with \"Individual API Key not supported\" or
\"Authentication credentials are missing or invalid\" (fastlane #21959, #26949, #21109).

**The way out.** Create a Team key in App Store Connect (Users and Access, Integrations, Team Keys) and pass
its `issuer_id`.

**Example.**
```ruby
app_store_connect_api_key(key_id: \"ABC123DEFG\", key_filepath: \"keys/AuthKey.p8\")   # FL015
```
becomes
```ruby
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER_ID\"], key_filepath: \"keys/AuthKey.p8\")
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// `issuer_id` is missing, `nil` or empty.
fn no_issuer(opt: Option<&Opt>) -> bool {
    match opt.map(|o| &o.value) {
        None | Some(Value::Nil) => true,
        Some(Value::Str(s)) => s.trim().is_empty(),
        _ => false,
    }
}

const HELP: &str = "use a Team key: create one in App Store Connect (Users and Access, Integrations, Team Keys) and pass its `issuer_id`";

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        if let Some(model) = file.ruby() {
            for call in &model.calls {
                if call.name == "app_store_connect_api_key"
                    && call.shape == ArgShape::Options
                    && no_issuer(call.option("issuer_id"))
                    && (call.option("issuer_id").is_some() || !env_set_for(cx, f, ISSUER_ID_ENV))
                {
                    out.push(
                        Diagnostic::new(
                            &INFO,
                            f,
                            call.name_span,
                            "`app_store_connect_api_key` has no `issuer_id`, so it sets up an individual key; match, cert, sigh and other actions fail with individual keys (fastlane #21959, #26949)",
                        )
                        .help(HELP),
                    );
                }
                let apple = knowledge::action(&call.name).is_some();
                for opt in call.options.iter().filter(|o| o.key == "api_key") {
                    if opt.entry("key_id").is_none() || (!apple && opt.entries.is_empty()) {
                        continue;
                    }
                    if no_issuer(opt.entry("issuer_id")) {
                        out.push(
                            Diagnostic::new(
                                &INFO,
                                f,
                                opt.span,
                                format!("the `api_key:` hash of `{}` has no `issuer_id`: an individual key, which several actions do not accept", call.name),
                            )
                            .help(HELP),
                        );
                    }
                }
            }
        }
        if let Some(json) = file.key_json() {
            if json.error.is_some() || json.field("key_id").is_none() {
                continue;
            }
            if no_issuer(json.field("issuer_id")) {
                let span = json
                    .field("issuer_id")
                    .or_else(|| json.field("key_id"))
                    .map(|o| o.span)
                    .unwrap_or(Span::new(0, 0));
                out.push(
                    Diagnostic::new(
                        &INFO,
                        f,
                        span,
                        "the JSON key file has no `issuer_id`: an individual key, which several actions do not accept",
                    )
                    .help(HELP),
                );
            }
        }
    }
}
