//! FL004 `apple-id-only-action`: an action that needs an Apple ID at the project's fastlane version.

use super::{Context, Rule};
use crate::analysis::apple_id_option;
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::Auth;
use crate::load::VersionSource;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL004",
    name: "apple-id-only-action",
    severity: Severity::Error,
    summary: "An action needs an Apple ID at this fastlane version",
    explanation: "\
**What it finds.** Actions that cannot use an App Store Connect API key at the project's fastlane version
(from `Gemfile.lock`, `--fastlane-version`, else 2.237.0): `pem`/`get_push_certificate`, `modify_services`,
`download_app_privacy_details_from_app_store`, `upload_app_privacy_details_to_app_store`, `xcode_install`,
`produce`/`create_app_online` up to 2.237.0, any key-capable action below the version that added key
support (for example `download_dsyms` below 2.197.0), and `cert`/`get_certificates` with `type:
:developer_id_installer`, which fastlane refuses under an API key (the App Store Connect API gives no access
to Developer ID Installer certificates).

**Why it matters.** The lane that runs it cannot move to a key: it stays `blocked` until the step changes.

**The way out.** Upgrade fastlane where a later version takes a key; for push certificates, switch to an APNs
.p8 auth key (it needs no yearly certificate); for a Developer ID Installer certificate, create it once with
an Apple ID, store it with `match`, and fetch it in CI with `readonly: true`; otherwise run the step by hand,
or in a separate scheduled job with `FASTLANE_SESSION`.

**Example.**
```ruby
lane :push_certs do
  pem(app_identifier: \"com.example.app\")   # FL004
end
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, c), site) in &cx.analysis.sites {
        if !site.apple_id_only {
            continue;
        }
        let Some(call) = cx.ws.files[f].ruby().map(|m| &m.calls[c]) else {
            continue;
        };
        let action = site.action;
        let source = match &cx.ws.projects[site.project].version_source {
            VersionSource::Flag => "given with --fastlane-version".to_string(),
            VersionSource::GemfileLock(path) => format!("from {path}"),
            VersionSource::Assumed => {
                "assumed: no Gemfile.lock locks fastlane; pass --fastlane-version".to_string()
            }
        };
        let (message, help) = match (action.auth, action.key_since()) {
            (Auth::KeyCapable { since }, _) if since <= site.version => {
                let Some(o) = apple_id_option(action, call) else {
                    continue;
                };
                (
                    format!("`{}` with `{}: {}` needs an Apple ID: {}", call.name, o.option, o.value, o.why),
                    o.way_out.to_string(),
                )
            }
            (Auth::KeyCapable { since }, _) => (
                format!("`{}` takes an App Store Connect API key only from fastlane {since}; this project uses {} ({source})", call.name, site.version),
                format!("upgrade fastlane to {since} or later (`bundle update fastlane`), then use an API key"),
            ),
            (Auth::AppleIdUntil { until }, _) => (
                format!("`{}` needs an Apple ID up to fastlane {until}; this project uses {} ({source})", call.name, site.version),
                action.way_out.to_string(),
            ),
            _ => (
                format!("`{}` needs an Apple ID: fastlane has no API-key support for it", call.name),
                action.way_out.to_string(),
            ),
        };
        out.push(Diagnostic::new(&INFO, f, call.name_span, message).help(help));
    }
}
