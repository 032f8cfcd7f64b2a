//! FL011 `api-key-shape`: an API key hash, action call or JSON key file uses the wrong field names or
//! misses required fields.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::{self, KEY_OPTION_NAMES};
use crate::model::{Span, Value};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL011",
    name: "api-key-shape",
    severity: Severity::Error,
    summary: "An API key hash or JSON key file has the wrong shape",
    explanation: "\
**What it finds.**
- An `api_key:` hash literal (given to an Apple action, or any hash with a `key_id`) that uses the action's
  option names `key_content:`/`key_filepath:` instead of the hash's `key:`/`filepath:`.
- An `api_key:` hash literal given to pilot or deliver (and their aliases) that has `filepath:` and no `key:`,
  unless the call uploads no build (`distribute_only: true`, `skip_binary_upload: true`).
- `app_store_connect_api_key(...)` given the hash's names `key:`/`filepath:` instead of
  `key_content:`/`key_filepath:`.
- A JSON key file named by a literal `api_key_path` (in a Fastfile, config file or `.env` file) that exists
  in the tree and is not valid JSON, is not an object, or misses `key_id` or `key` (for example because it
  has `key_content`, `key_filepath` or `filepath` instead of `key`).

Hashes built in a variable elsewhere and key files that are not in the tree are not checked.

**Why it matters.** The two shapes look alike and are easy to mix up (fastlane/docs#1079), but each place
accepts only its own names: the action stops with \"Could not find option 'key'\", an `api_key:` hash with
`key_content` makes token creation fail, and a JSON file without `key_id` or `key` raises \"App Store Connect
API key JSON is missing field(s)\". pilot and deliver hand the hash itself to the uploader (iTMSTransporter or
altool), which writes the key out from `key` alone: with only `filepath`, the build upload fails although
the same hash works for match or sigh. The lane fails only when it runs, usually on CI.

**The way out.** Action options: `key_id`, `issuer_id`, `key_content` or `key_filepath`,
`is_key_content_base64`, `duration`, `in_house`. `api_key:` hash and JSON file: `key_id`, `issuer_id`, `key`
(the .p8 content) or, in the hash only, `filepath` (not enough for pilot and deliver, which need `key`), plus
`is_key_content_base64`, `duration`, `in_house`. Simplest: pass the hash `app_store_connect_api_key` returns,
which always holds `key` (`pilot(api_key: app_store_connect_api_key(...))`).

**Example.**
```ruby
match(api_key: { key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"AuthKey.p8\" })   # FL011
pilot(api_key: { key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], filepath: \"AuthKey.p8\" })       # FL011
```
becomes
```ruby
match(api_key: { key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], filepath: \"AuthKey.p8\" })
pilot(api_key: { key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key: ENV[\"ASC_KEY_CONTENT\"] })
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// Actions that hand their `api_key:` hash to the uploader when they upload a build, and the option
/// with which a call uploads none.
const UPLOADERS: &[(&str, &str)] = &[
    ("upload_to_testflight", "distribute_only"),
    ("upload_to_app_store", "skip_binary_upload"),
];

const HELP: &str = "`app_store_connect_api_key` takes `key_content`/`key_filepath`; the `api_key:` hash and the JSON key file take `key` (and the hash also `filepath`)";

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        if let Some(model) = file.ruby() {
            for call in &model.calls {
                if call.name == "app_store_connect_api_key" {
                    for (action_name, hash_name) in KEY_OPTION_NAMES {
                        if let Some(opt) = call.option(hash_name) {
                            out.push(
                                Diagnostic::new(
                                    &INFO,
                                    f,
                                    opt.span,
                                    format!("`app_store_connect_api_key` has no option `{hash_name}`: write `{action_name}:` (fastlane stops with \"Could not find option '{hash_name}'\")"),
                                )
                                .help(HELP),
                            );
                        }
                    }
                }
                let action = knowledge::action(&call.name);
                // Uploads a build through the uploader, which reads the hash's `key` only.
                let uploads = action.is_some_and(|a| {
                    UPLOADERS.iter().any(|(name, no_build)| {
                        a.name == *name
                            && !call
                                .option(no_build)
                                .is_some_and(|o| o.value == Value::True)
                    })
                });
                for opt in call.options.iter().filter(|o| o.key == "api_key") {
                    if action.is_none() && opt.entry("key_id").is_none() {
                        continue;
                    }
                    for (action_name, hash_name) in KEY_OPTION_NAMES {
                        if let Some(e) = opt.entry(action_name) {
                            let takes = if uploads { "key" } else { hash_name };
                            out.push(
                                Diagnostic::new(
                                    &INFO,
                                    f,
                                    e.span,
                                    format!("the `api_key:` hash of `{}` uses the action option `{action_name}`: the hash takes `{takes}`", call.name),
                                )
                                .help(HELP),
                            );
                        }
                    }
                    let named = |n: &str| opt.entry(n).is_some();
                    if uploads && named("filepath") && !named("key") && !named("key_content") {
                        out.push(
                            Diagnostic::new(
                                &INFO,
                                f,
                                opt.span,
                                format!("`{}` hands its `api_key:` hash to the uploader (iTMSTransporter or altool), which writes the key out from `key`, not `filepath`: with no `key`, the build upload fails", call.name),
                            )
                            .help("add `key:` with the .p8 content, or pass the hash `app_store_connect_api_key(...)` returns, which always holds it"),
                        );
                    }
                }
            }
        }

        let Some(json) = file.key_json() else {
            continue;
        };
        if let Some((span, message)) = &json.error {
            out.push(
                Diagnostic::new(
                    &INFO,
                    f,
                    *span,
                    format!("the JSON key file is not readable by fastlane: {message}"),
                )
                .help("the file named by `api_key_path` must be a JSON object with `key_id`, `issuer_id` and `key` (the .p8 content with `\\n` line breaks)"),
            );
            continue;
        }
        let text = &file.source.text;
        let start = text.len() - text.trim_start().len();
        let opening = Span::new(start, (start + 1).min(text.len()));
        let mut missing = Vec::new();
        if !json
            .field("key_id")
            .is_some_and(|o| matches!(&o.value, Value::Str(s) if !s.is_empty()))
        {
            missing.push("`key_id`");
        }
        let key_ok = json
            .field("key")
            .is_some_and(|o| matches!(&o.value, Value::Str(s) if !s.is_empty()));
        if !key_ok {
            missing.push("`key`");
        }
        if missing.is_empty() {
            continue;
        }
        let wrong: Vec<String> = ["key_content", "key_filepath", "filepath"]
            .iter()
            .filter(|n| json.field(n).is_some())
            .map(|n| format!("`{n}`"))
            .collect();
        let mut message = format!(
            "the JSON key file misses {}: fastlane raises \"App Store Connect API key JSON is missing field(s)\"",
            missing.join(" and ")
        );
        if !key_ok && !wrong.is_empty() {
            message.push_str(&format!(
                "; it has {} instead, which the JSON file does not accept",
                wrong.join(", ")
            ));
        }
        let span = wrong
            .first()
            .and_then(|w| json.field(w.trim_matches('`')))
            .map(|o| o.span)
            .unwrap_or(opening);
        out.push(Diagnostic::new(&INFO, f, span, message).help(HELP));
    }
}
