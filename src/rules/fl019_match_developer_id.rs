//! FL019 `match-developer-id`: match manages Developer ID certificates with an App Store Connect API
//! key, which cannot renew them (nor create Developer ID Installer ones).

use super::{keyed_calls, match_type, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::model::{Call, Span};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL019",
    name: "match-developer-id",
    severity: Severity::Warning,
    summary: "match manages Developer ID certificates with an API key, which cannot renew them",
    explanation: "\
**What it finds.** `match`/`sync_code_signing` that is not `readonly` and runs with an App Store Connect API
key, for Developer ID certificates: `type: \"developer_id\"` or `\"developer_id_installer\"` in the call (or
`type(...)` in the Matchfile when the call sets no type and `MATCH_TYPE` is not set), or `additional_cert_types` naming
`developer_id_installer`. It stays quiet when it cannot read the type (`ENV[...]`, an options hash it cannot
see).

**Why it matters.** With an API key, match renews an expired certificate only for the types the App Store
Connect API allows (development, distribution, enterprise and Mac installer distribution). A Developer ID
certificate needs the Account Holder's Apple ID: fastlane's own comment reads \"Can't renew developer_id certs
with Connect API token. Account holder access is required.\" And a Developer ID Installer certificate cannot be
created with a key at all. The lane works while the stored certificate is valid, then fails on the day it
expires (or on the first run when there is none yet).

**The way out.** Keep the key for this lane, and fetch with `readonly: true` in CI. When a Developer ID
certificate is missing or expired, create or renew it once by hand with the Account Holder's Apple ID
(`fastlane match developer_id` with `username:`), which stores it for every later `readonly` run.

**Example.**
```ruby
lane :notarized_build do
  app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\")
  match(type: \"developer_id\", platform: \"macos\")   # FL019
end
```
becomes
```ruby
  match(type: \"developer_id\", platform: \"macos\", readonly: true)
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// The match types whose certificates only an Apple ID can renew.
const DEVELOPER_ID_TYPES: &[&str] = &["developer_id", "developer_id_installer"];

/// The Developer ID type a call manages and where it is written (the call's name when the type
/// comes from the Matchfile), when fastlint can read it.
fn developer_id_type(cx: &Context, f: usize, call: &Call) -> Option<(String, Span)> {
    if let Some((kind, span)) = match_type(cx, f, call) {
        if DEVELOPER_ID_TYPES.contains(&kind.as_str()) {
            return Some((kind, span));
        }
    }
    // `additional_cert_types: ["developer_id_installer"]` (an array, read from its text).
    let opt = call.option("additional_cert_types")?;
    let text = cx.ws.files[f]
        .source
        .text
        .get(opt.value_span.start..opt.value_span.end)?;
    text.contains("developer_id_installer")
        .then(|| ("developer_id_installer".to_string(), opt.span))
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, site, call) in keyed_calls(cx) {
        if site.action.name != "sync_code_signing" {
            continue;
        }
        let Some((kind, span)) = developer_id_type(cx, f, call) else {
            continue;
        };
        let (what, when) = if kind == "developer_id_installer" {
            ("can neither create nor renew one", "is missing or expires")
        } else {
            ("cannot renew an expired one", "expires")
        };
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                span,
                format!(
                    "`{}` manages `{kind}` certificates with an App Store Connect API key, which {what} (that takes the Account Holder's Apple ID): the lane fails once the certificate {when}",
                    call.name
                ),
            )
            .help("fetch with `readonly: true` in CI, and create or renew Developer ID certificates by hand with the Account Holder's Apple ID (`fastlane match developer_id`)"),
        );
    }
}
