//! FL003 `appfile-apple-id`: the Appfile names an Apple ID.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::APPFILE_APPLE_ID;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL003",
    name: "appfile-apple-id",
    severity: Severity::Warning,
    summary: "The Appfile names an Apple ID",
    explanation: "\
**What it finds.** `apple_id`, `itunes_connect_id` or `apple_dev_portal_id` in an Appfile, including inside
`for_platform` and `for_lane` blocks.

**Why it matters.** Every Apple action that runs without a key falls back to this login: a lane that looks
key-based still logs in with an Apple ID wherever a key is missing.

**The way out.** Once every lane uses an App Store Connect API key, remove these settings. Keep
`app_identifier`, `team_id` and `itc_team_id`: they are not logins.

**Example.**
```ruby
# fastlane/Appfile
app_identifier(\"com.example.app\")
apple_id(\"ci@example.com\")   # FL003
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        let (FileKind::Appfile, Some(model)) = (file.source.kind, file.ruby()) else {
            continue;
        };
        for call in model.calls.iter().filter(|c| {
            APPFILE_APPLE_ID.contains(&c.name.as_str()) && (c.first_arg.is_some() || c.has_block)
        }) {
            out.push(
                Diagnostic::new(&INFO, f, call.span, format!("the Appfile sets `{}`: every Apple action without a key logs in with this account", call.name))
                    .help("move the lanes to an App Store Connect API key, then remove this setting (keep app_identifier, team_id and itc_team_id)"),
            );
        }
    }
}
