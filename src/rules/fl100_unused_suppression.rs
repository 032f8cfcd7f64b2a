//! FL100 `unused-suppression`: a `# fastlint: ignore` comment that suppresses nothing.
//!
//! Unlike the other rules it does not read the model: which suppressions are used is known only after
//! every other rule ran and the configuration was applied, so [`crate::suppress`] reports it. The
//! registry entry carries its documentation and lets `select`/`ignore` name it.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL100",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "A `# fastlint: ignore` comment suppresses nothing",
    explanation: "\
**What it finds.** A suppression comment that no longer suppresses anything: `# fastlint: ignore FL001` on a
line (or alone on the line before it) where FL001 is not reported, `# fastlint: ignore-file FL004` in a file
without FL004, a code that does not exist, or a `# fastlint:` comment that is not a suppression. Codes that
are switched off by the configuration (`ignore`, `per-file-ignores`, `--select`) are not judged.

**Why it matters.** A stale suppression hides the next real finding on that line, and tells readers that
something is wrong where nothing is.

**The way out.** Delete the comment, or the codes in it that are not used: `fastlint check --fix` does this
(after migrating lanes, so suppressions the migration made stale go too). Comments that are not suppressions
are left for you to correct.

**Example.**
```ruby
lane :beta do
  app_store_connect_api_key(key_id: \"X\", issuer_id: \"Y\", key_filepath: \"key.p8\")
  pilot   # fastlint: ignore FL008 -- still on the Apple ID
end
```
reports FL100 on the comment: `pilot` has a key now, so FL008 is not reported there.",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// Reported by [`crate::suppress::apply`] after the other rules; nothing to do here.
fn check(_: &Context, _: &mut Vec<Diagnostic>) {}
