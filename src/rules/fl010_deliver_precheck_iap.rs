//! FL010 `deliver-precheck-iap`: deliver (or precheck) runs with an API key and the in-app purchase
//! check on, which fastlane refuses.

use super::{config_value, env_set_for, keyed_calls, options_unknown, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::model::Value;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL010",
    name: "deliver-precheck-iap",
    severity: Severity::Warning,
    summary: "deliver/precheck checks in-app purchases with an API key, which fails",
    explanation: "\
**What it finds.** `deliver`/`upload_to_app_store`/`appstore` reached with an App Store Connect API key in
scope while its precheck step would check in-app purchases: `precheck_include_in_app_purchases` is not
`false` (it defaults to `true`) and `run_precheck_before_submit` is not `false` (it defaults to `true`). Also
`precheck`/`check_app_store_metadata` with a key and `include_in_app_purchases` not `false`. A value set in
the Deliverfile/Precheckfile, or `PRECHECK_INCLUDE_IN_APP_PURCHASES` / `DELIVER_RUN_PRECHECK_BEFORE_SUBMIT`
set in a `.env`, CI or Ruby, counts as set; a value fastlint cannot read (`ENV[...]`, an options hash it
cannot follow) is given the benefit of the doubt.

**Why it matters.** With a key, fastlane stops with \"Precheck cannot check In-app purchases with the App
Store Connect API Key (yet)\" (fastlane #18250). deliver runs precheck on every run after the upload, not only
when submitting for review, so the lane fails even for apps without in-app purchases, typically right after
moving it from an Apple ID to a key.

**The way out.** Pass `precheck_include_in_app_purchases: false` to deliver (`include_in_app_purchases: false`
to precheck), or `run_precheck_before_submit: false` to skip precheck. `fastlint check --fix` adds the option
where it is not written (in lanes it may rewrite: not blocked, no syntax errors); an explicit `true` is
left for you to change.

**Example.**
```ruby
lane :release do
  app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\")
  deliver(submit_for_review: true)   # FL010
end
```
becomes
```ruby
  deliver(submit_for_review: true, precheck_include_in_app_purchases: false)
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// What an option's value says: explicitly off, explicitly on, or not known.
enum Setting {
    Off,
    On,
    Unknown,
}

fn setting(value: &Value) -> Setting {
    match value {
        Value::False => Setting::Off,
        Value::Str(s) if s == "false" => Setting::Off,
        Value::True => Setting::On,
        Value::Str(s) if s == "true" => Setting::On,
        _ => Setting::Unknown,
    }
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, site, call) in keyed_calls(cx) {
        let Some(iap) = site.action.iap_option else {
            continue;
        };
        if options_unknown(call) {
            continue;
        }
        let deliver = site.action.name == "upload_to_app_store";
        if deliver {
            if let Some(opt) = call.option("run_precheck_before_submit") {
                if !matches!(setting(&opt.value), Setting::On) {
                    continue;
                }
            }
        }
        let explicit = match call.option(iap) {
            Some(opt) => match setting(&opt.value) {
                Setting::On => Some(opt.span),
                _ => continue,
            },
            None => None,
        };
        if explicit.is_none() {
            let config_option = if deliver {
                "precheck_include_in_app_purchases"
            } else {
                "include_in_app_purchases"
            };
            if let Some(config) = site.action.config_file {
                if config_value(cx, f, config, config_option).is_some_and(|v| v != "true") {
                    continue;
                }
                if deliver
                    && config_value(cx, f, config, "run_precheck_before_submit")
                        .is_some_and(|v| v != "true")
                {
                    continue;
                }
            }
            if env_set_for(cx, f, &["PRECHECK_INCLUDE_IN_APP_PURCHASES"])
                || (deliver && env_set_for(cx, f, &["DELIVER_RUN_PRECHECK_BEFORE_SUBMIT"]))
            {
                continue;
            }
        }
        let (span, how) = match explicit {
            Some(span) => (span, format!("`{iap}: true`")),
            None => (call.name_span, format!("`{iap}` defaults to true")),
        };
        let step = if deliver { "its precheck step" } else { "it" };
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                span,
                format!(
                    "`{}` runs with an App Store Connect API key and {step} checks in-app purchases ({how}): fastlane refuses that with a key (fastlane #18250)",
                    call.name
                ),
            )
            .help(if deliver {
                "pass `precheck_include_in_app_purchases: false` (or `run_precheck_before_submit: false`); precheck cannot check in-app purchases with an API key; `fastlint check --fix` adds the option when it is not written"
            } else {
                "pass `include_in_app_purchases: false`; precheck cannot check in-app purchases with an API key; `fastlint check --fix` adds the option when it is not written"
            }),
        );
    }
}
