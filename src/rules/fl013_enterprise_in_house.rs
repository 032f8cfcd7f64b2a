//! FL013 `enterprise-in-house`: match fetches enterprise profiles with an API key that is not marked
//! `in_house`.

use super::{env_set_for, keyed_calls, match_type, options_unknown, projects_of, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::environments::loaded_files;
use crate::knowledge::IN_HOUSE_ENV;
use crate::model::{Call, SpaceshipKind, Value};
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL013",
    name: "enterprise-in-house",
    severity: Severity::Warning,
    summary: "Enterprise profiles with an API key not marked `in_house: true`",
    explanation: "\
**What it finds.** `match`/`sync_code_signing`/`match_nuke` for enterprise (in-house) profiles — `type:
\"enterprise\"` in the call, or `type(\"enterprise\")` in the Matchfile when the call sets no type and
`MATCH_TYPE` is not set — reached
with an App Store Connect API key whose `in_house` is not `true`. The key is the `api_key:` hash or the JSON
file of `api_key_path:` when the call passes one; otherwise every `app_store_connect_api_key(...)` call of the
project and the JSON key files named in its Matchfile and the `.env` files its runs load. It stays quiet when any of them sets
`in_house: true` or a value it cannot read (a key put into the lane context by hand counts as one), when `APP_STORE_CONNECT_API_KEY_IN_HOUSE` is set somewhere, or
when it sees no key at all (`--key-from-env`). `readonly: true` does not log in and is not reported.

**Why it matters.** The App Store Connect API cannot tell an enterprise team from an App Store team; the key
has to say so. Without `in_house: true` the token is for the wrong audience and match fails with errors like
\"undefined method `in_house?` for nil\" (fastlane #21782, #17782).

**The way out.** Add `in_house: true` to `app_store_connect_api_key(...)`, to the `api_key:` hash, or
`\"in_house\": true` to the JSON key file.

**Example.**
```ruby
lane :enterprise do
  app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\")
  match(type: \"enterprise\")   # FL013
end
```
becomes
```ruby
  app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\",
                            in_house: true)
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

#[derive(Clone, Copy, PartialEq, Eq)]
enum InHouse {
    Yes,
    No,
    Unknown,
}

fn in_house(value: Option<&Value>) -> InHouse {
    match value {
        None | Some(Value::Nil) | Some(Value::False) => InHouse::No,
        Some(Value::True) => InHouse::Yes,
        Some(Value::Str(s)) if s == "false" || s.is_empty() => InHouse::No,
        Some(Value::Str(s)) if s == "true" => InHouse::Yes,
        _ => InHouse::Unknown,
    }
}

/// The `in_house` of the key a call passes itself, if it passes one.
fn passed_key(cx: &Context, f: usize, call: &Call) -> Option<InHouse> {
    if let Some(opt) = call.option("api_key") {
        return Some(if opt.entries.is_empty() {
            InHouse::Unknown
        } else {
            in_house(opt.entry("in_house").map(|e| &e.value))
        });
    }
    let opt = call.option("api_key_path")?;
    let loaded = cx
        .ws
        .key_paths
        .iter()
        .find(|r| r.file == f && r.span == opt.value_span)
        .and_then(|r| r.loaded);
    Some(match loaded.and_then(|i| cx.ws.files[i].key_json()) {
        Some(json) => in_house(json.field("in_house").map(|o| &o.value)),
        None => InHouse::Unknown,
    })
}

/// The `in_house` of every key the projects running file `f` set up for the whole lane.
fn project_keys(cx: &Context, f: usize) -> Vec<InHouse> {
    let mut out = Vec::new();
    for project in projects_of(cx, f) {
        for &g in &project.fastfiles {
            let Some(model) = cx.ws.files[g].ruby() else {
                continue;
            };
            for call in model
                .calls
                .iter()
                .filter(|c| c.name == "app_store_connect_api_key")
            {
                out.push(if options_unknown(call) {
                    InHouse::Unknown
                } else {
                    in_house(call.option("in_house").map(|o| &o.value))
                });
            }
            if !model.context_keys.is_empty()
                || model
                    .spaceship
                    .iter()
                    .any(|s| s.kind == SpaceshipKind::KeyAuth)
            {
                out.push(InHouse::Unknown);
            }
        }
        let dotenv = loaded_files(cx.ws, project, cx.env);
        for r in cx.ws.key_paths.iter().filter(|r| {
            r.json
                && (dotenv.contains(&r.file)
                    || (project.files.contains(&r.file)
                        && cx.ws.files[r.file].source.kind == FileKind::Config("Matchfile")))
        }) {
            out.push(match r.loaded.and_then(|i| cx.ws.files[i].key_json()) {
                Some(json) => in_house(json.field("in_house").map(|o| &o.value)),
                None => InHouse::Unknown,
            });
        }
    }
    out
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, site, call) in keyed_calls(cx) {
        if !matches!(site.action.name, "sync_code_signing" | "match_nuke") {
            continue;
        }
        let span = match match_type(cx, f, call) {
            Some((kind, span)) if kind == "enterprise" => span,
            _ => continue,
        };
        let keys = match passed_key(cx, f, call) {
            Some(k) => vec![k],
            None => {
                if env_set_for(cx, f, IN_HOUSE_ENV) {
                    continue;
                }
                project_keys(cx, f)
            }
        };
        if keys.is_empty() || keys.iter().any(|k| *k != InHouse::No) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                span,
                format!("`{}` fetches enterprise (in-house) profiles with an App Store Connect API key that does not set `in_house: true`; it fails (fastlane #21782)", call.name),
            )
            .help("add `in_house: true` to `app_store_connect_api_key(...)` (or to the `api_key:` hash, or `\"in_house\": true` to the JSON key file)"),
        );
    }
}
