//! FL012 `api-key-duration`: an API key token is asked to live longer than 20 minutes.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::{DURATION_ENV, MAX_TOKEN_DURATION};
use crate::model::{Span, Value};
use crate::secrets::is_literal;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL012",
    name: "api-key-duration",
    severity: Severity::Error,
    summary: "An API key token duration is above 1200 seconds",
    explanation: "\
**What it finds.** A token `duration` above 1200 seconds, written as a literal: `duration:` of
`app_store_connect_api_key`, `duration:` in an `api_key:` hash, `\"duration\"` in a JSON key file named by
`api_key_path`, and `APP_STORE_CONNECT_API_KEY_DURATION` / `SPACESHIP_CONNECT_API_TOKEN_DURATION` set in Ruby,
a `.env` file or a CI file.

**Why it matters.** App Store Connect accepts tokens that live at most 20 minutes. `app_store_connect_api_key`
rejects a longer `duration` before the lane does anything; in a hash or JSON file the token is created but
Apple answers \"Authentication credentials are missing or invalid\" (fastlane #20270, #19578).

**The way out.** Use 1200 or less; the default (500) is fine, because fastlane creates a new token when the
old one expires. For long waits on build processing, prefer `skip_waiting_for_build_processing: true` on CI.

**Example.**
```ruby
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\",
                          duration: 3600)   # FL012
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn report(out: &mut Vec<Diagnostic>, f: usize, span: Span, n: i64, where_: &str) {
    out.push(
        Diagnostic::new(
            &INFO,
            f,
            span,
            format!("{where_} asks for a token that lives {n} seconds; App Store Connect accepts at most {MAX_TOKEN_DURATION} (20 minutes)"),
        )
        .help("use 1200 or less (the default, 500, is fine: fastlane renews expired tokens)"),
    );
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        if let Some(model) = file.ruby() {
            for call in &model.calls {
                if call.name == "app_store_connect_api_key" {
                    if let Some(opt) = call.option("duration") {
                        if let Some(n) = seconds(&opt.value).filter(|n| *n > MAX_TOKEN_DURATION) {
                            report(out, f, opt.span, n, "`duration:`");
                        }
                    }
                }
                for opt in call.options.iter().filter(|o| o.key == "api_key") {
                    if let Some(e) = opt.entry("duration") {
                        if let Some(n) = seconds(&e.value).filter(|n| *n > MAX_TOKEN_DURATION) {
                            report(out, f, e.span, n, "`duration:` of the `api_key:` hash");
                        }
                    }
                }
            }
            for e in model
                .env
                .iter()
                .filter(|e| e.write && DURATION_ENV.contains(&e.name.as_str()))
            {
                if let Some(n) = e
                    .value
                    .as_ref()
                    .and_then(seconds)
                    .filter(|n| *n > MAX_TOKEN_DURATION)
                {
                    report(out, f, e.span, n, &format!("`{}`", e.name));
                }
            }
        }
        for a in file
            .dotenv()
            .iter()
            .filter(|a| DURATION_ENV.contains(&a.name.as_str()))
        {
            let raw = file
                .source
                .text
                .get(a.value_span.start..a.value_span.end)
                .unwrap_or("");
            if !is_literal(file.source.kind, raw, &a.value) {
                continue;
            }
            if let Some(n) = a
                .value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > MAX_TOKEN_DURATION)
            {
                report(out, f, a.name_span, n, &format!("`{}`", a.name));
            }
        }
        if let Some(json) = file.key_json() {
            if let Some(d) = json.field("duration") {
                if let Some(n) = seconds(&d.value).filter(|n| *n > MAX_TOKEN_DURATION) {
                    report(out, f, d.span, n, "`\"duration\"` in the JSON key file");
                }
            }
        }
    }
}
