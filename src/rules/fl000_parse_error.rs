//! FL000 `parse-error`: the file has Ruby syntax errors.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::extract::ruby::CLOSING_KEYWORDS;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL000",
    name: "parse-error",
    severity: Severity::Error,
    summary: "The file has Ruby syntax errors",
    explanation: "\
**What it finds.** Ruby syntax errors in a Fastfile, Appfile or tool config file, as tree-sitter sees them,
and a closing keyword with nothing to close (an `end` too many, a stray `else`), which tree-sitter reads as a
bare name but Ruby refuses.

**Why it matters.** fastlane cannot load the file, so no lane in it runs. fastlint still analyses the parts
it could read, but its findings near the error may be incomplete, and `--fix` never rewrites such a file.

**The way out.** Fix the syntax error (`ruby -c fastlane/Fastfile` tells the same).

**Example.**
```ruby
lane :beta do
  pilot(skip_waiting_for_build_processing: true
end
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// At most this many errors are reported per file; the rest are one cascade.
const MAX_PER_FILE: usize = 10;

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        let Some(model) = file.ruby() else { continue };
        for span in model.syntax_errors.iter().take(MAX_PER_FILE) {
            let snippet: String = file.source.text[span.start..span.end]
                .chars()
                .take(40)
                .collect();
            let text = &file.source.text[span.start..span.end];
            let message = if span.is_empty() {
                "syntax error: something is missing here".to_string()
            } else if CLOSING_KEYWORDS.contains(&text) {
                format!("syntax error: unexpected `{text}` (nothing open for it to close or continue; an `end` too many above?)")
            } else {
                format!(
                    "syntax error near `{}`",
                    snippet.trim().lines().next().unwrap_or("")
                )
            };
            out.push(
                Diagnostic::new(&INFO, f, *span, message)
                    .help("fix the Ruby syntax (`ruby -c` shows the same); the rest of the file was still analysed, but `--fix` leaves it untouched"),
            );
        }
    }
}
