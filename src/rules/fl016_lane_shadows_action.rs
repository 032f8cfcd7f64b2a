//! FL016 `lane-shadows-action`: a lane has the name of a fastlane action, so calls by that name run the
//! lane.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge;
use crate::model::Scope;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL016",
    name: "lane-shadows-action",
    severity: Severity::Warning,
    summary: "A lane is named like a fastlane action",
    explanation: "\
**What it finds.** A lane (`lane`, `private_lane`, `override_lane`) whose name is a built-in fastlane action:
an Apple action or one of its aliases (`pem`, `match`, `deliver`, `pilot`, ...) or another common built-in
(`gym`, `scan`, `snapshot`, `slack`, `cocoapods`, ...). The message says so when the lane calls its own
name.

**Why it matters.** fastlane resolves a bare name to a lane before an action (the current platform's lanes,
then global ones). Every `pem` call in the Fastfile, including one inside `lane :pem` itself, runs the lane
instead of the action: inside the lane it recurses until Ruby's stack runs out, elsewhere it silently skips
what the action would have done. fastlint follows the same rule, so its verdicts for such lanes describe the
lane, not the action.

**The way out.** Rename the lane (`lane :push_certificates`), or call the action by its canonical name
where there is one (`get_push_certificate` for `pem`).

**Example.**
```ruby
lane :pem do           # FL016
  pem(app_identifier: \"com.example.app\")
end
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        let (FileKind::Fastfile, Some(model)) = (file.source.kind, file.ruby()) else {
            continue;
        };
        for (i, lane) in model.lanes.iter().enumerate() {
            if !knowledge::is_builtin_action(&lane.name) {
                continue;
            }
            let canonical = knowledge::action(&lane.name)
                .map(|a| a.name)
                .filter(|n| *n != lane.name);
            let calls_itself = model
                .calls
                .iter()
                .any(|c| c.scope == Scope::Lane(i) && c.name == lane.name);
            let mut message = format!(
                "lane `{}` has the name of a fastlane action: calls to `{}` run this lane, not the action",
                lane.qualified_name(),
                lane.name
            );
            if calls_itself {
                message.push_str(&format!(
                    "; the `{}` call inside it calls the lane itself, over and over",
                    lane.name
                ));
            }
            let help = match canonical {
                Some(c) => {
                    format!("rename the lane, or call the action by its canonical name `{c}`")
                }
                None => "rename the lane (for example with a verb: `run_`, `update_`, `build_`)"
                    .to_string(),
            };
            out.push(Diagnostic::new(&INFO, f, lane.name_span, message).help(help));
        }
    }
}
