//! FL007 `app-specific-password`: an app-specific password stands in for a login.

use super::{env_var_diagnostics, Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::APP_SPECIFIC_PASSWORD_ENV;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL007",
    name: "app-specific-password",
    severity: Severity::Warning,
    summary: "An app-specific password is used",
    explanation: "\
**What it finds.** `FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD` read or set in Ruby or in a fastlane `.env`
file.

**Why it matters.** The password covers binary uploads only: iTMSTransporter/altool (pilot uploading with the
app's `apple_id:` and `skip_waiting_for_build_processing: true`, no changelog) and notarytool. Waiting for
build processing, changelogs, testers, and all of deliver still need a full Apple-ID login, so lanes that
rely on it break as soon as they do more than upload.

**The way out.** Use an App Store Connect API key: it covers uploads and everything after them.

**Example.**
```sh
# fastlane/.env
FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD=abcd-efgh-ijkl-mnop   # FL007
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    env_var_diagnostics(cx, &INFO, APP_SPECIFIC_PASSWORD_ENV, out, |name, how| {
        (
            format!("app-specific password `{name}` {}: it covers binary uploads only", how.verb()),
            "waiting for processing, changelogs, testers and deliver still need an Apple-ID login; use an App Store Connect API key instead".to_string(),
        )
    });
}
