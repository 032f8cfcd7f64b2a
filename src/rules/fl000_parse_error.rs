//! FL000 `parse-error`: the file has Ruby syntax errors.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::extract::ruby::CLOSING_KEYWORDS;
use crate::extract::syntax::overlaps;
use crate::model::{Span, SyntaxCause};
use crate::source::SourceFile;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL000",
    name: "parse-error",
    severity: Severity::Error,
    summary: "The file has Ruby syntax errors",
    explanation: "\
**What it finds.** Ruby syntax errors in a Fastfile, Appfile or tool config file, as tree-sitter sees them,
and a keyword that cannot start a statement (an `end` too many, a stray `else` or `in`, an `and` or `or`
with nothing before it), which tree-sitter reads as a bare name but Ruby refuses.

**Where it points.** A missing `end` makes tree-sitter (and Ruby) see one error from the unclosed block to
the end of the file. fastlint looks for the cause instead, from how blocks and brackets open and close and
how they are indented: a block whose `end` is indented like an outer block's (so the outer block took it), a
block or bracket still open where the file or an `end` comes, a closing bracket with nothing open, a
typographic quote (`“`, `”`, `’`, as a word processor or chat program writes them) in code or where a string
should end (`\"Shop.ipa”`, which leaves the string open to the next line's quote), or a straight quote askew:
a string whose closing quote is missing (`\"fastlane/api_key.json,`, or `scheme: \"Shop, export_method:
\"app-store\"`, where the quote meant to open the next value closes it), or a quote one too many after a
bracket (`ENV[\"APP_ID\"]\",`), any of which turns the code up to the next quote into text and every quote after
it inside out, or an option that follows the one before it with no comma between them (`message: \"Bump\"
force: true`, or a comma left off the end of a line in a call written over several), or a lane named like a
hash key (`lane: release do`, which Ruby reads as a key `lane:` and a call `release`), or a lane with its
platform before its name (`lane :ios beta do`, as `fastlane ios beta` runs it: Ruby reads the lane `ios` and
a call `beta`; the platform is the `platform :ios do` block around the lane). Each cause is checked by making the repair it names and parsing the result: only a repair that
mends the file there is shown (the message says where, such as an `end` before line 12), and the errors it
explains are not repeated. Where no cause is recognised (a line pasted into a call, say), the errors are shown
as found (a token the parser found missing, by its name: a `|` is missing here), except that an error tree-sitter spreads over many lines (from a platform block's `do` to the end
of the file) is shown where the parser got stuck inside it, which is the line Ruby names.

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
        let source = &file.source;
        let causes = &model.syntax_causes;
        for found in causes {
            let cause = &found.cause;
            out.push(
                Diagnostic::new(&INFO, f, cause.span(), cause_message(cause, source))
                    .help(cause_help(cause)),
            );
        }
        let errors = model
            .syntax_errors
            .iter()
            // The error tree-sitter wrapped around a cause, and those it made up to where it
            // showed, are the same error told worse.
            .filter(|span| {
                !causes
                    .iter()
                    .any(|c| overlaps(**span, c.cause.span()) || overlaps(**span, c.reach))
            });
        for span in errors.take(MAX_PER_FILE.saturating_sub(causes.len())) {
            // An error over many lines is shown where tree-sitter got stuck inside it.
            let span = &model
                .syntax_focus
                .iter()
                .find(|(outer, _)| outer == span)
                .map_or(*span, |(_, inner)| *inner);
            let snippet: String = source.text[span.start..span.end].chars().take(40).collect();
            let text = &source.text[span.start..span.end];
            let missing = model
                .syntax_missing
                .iter()
                .find(|(at, _)| *at == span.start)
                .map(|(_, token)| *token)
                .filter(|token| is_token(token));
            let message = if let (true, Some(token)) = (span.is_empty(), missing) {
                let article = if token.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                format!("syntax error: {article} `{token}` is missing here")
            } else if span.is_empty() {
                "syntax error: something is missing here".to_string()
            } else if matches!(text, "and" | "or") {
                format!("syntax error: unexpected `{text}` (it joins two expressions, and there is none before it)")
            } else if CLOSING_KEYWORDS.contains(&text) {
                format!("syntax error: unexpected `{text}` (nothing open for it to close or continue; an `end` too many above?)")
            } else {
                format!(
                    "syntax error near `{}`",
                    snippet.trim().lines().next().unwrap_or("")
                )
            };
            out.push(Diagnostic::new(&INFO, f, *span, message).help(HELP));
        }
    }
}

/// Whether a missing node's kind is a token written as is (`)`, `|`, `end`), not a kind of
/// node (`identifier`), which would not read as code.
fn is_token(kind: &str) -> bool {
    kind.chars().all(|c| c.is_ascii_punctuation())
        || ["end", "do", "then", "in", "when"].contains(&kind)
}

const HELP: &str = "fix the Ruby syntax (`ruby -c` shows the same); the rest of the file was still analysed, but `--fix` leaves it untouched";

/// What the cause is, with the lines it involves.
fn cause_message(cause: &SyntaxCause, source: &SourceFile) -> String {
    let quoted = |span: Span| {
        let text = &source.text[span.start..span.end];
        cut(text)
    };
    // The opener's line from its first word: `if ENV["CI"]`, `lane :beta do |options|`.
    let opening = |span: Span| {
        let rest = &source.text[span.start..];
        cut(rest[..rest.find('\n').unwrap_or(rest.len())].trim_end())
    };
    fn cut(text: &str) -> String {
        match text.char_indices().nth(40) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text.to_string(),
        }
    }
    let line = |span: Span| source.line_of(span.start);
    // Where the missing `end` was put to check that it mends the file.
    let end_goes = |at: usize| {
        if at >= source.text.trim_end().len() {
            "an `end` at the end of the file mends this".to_string()
        } else {
            format!("an `end` before line {} mends this", source.line_of(at))
        }
    };
    match *cause {
        SyntaxCause::Unclosed {
            opener,
            taken: Some(end),
            close_at,
        } => format!(
            "syntax error: `{}` has no `end` of its own: the `end` on line {} is indented for an outer block, but Ruby reads it as this one's ({})",
            opening(opener),
            line(end),
            end_goes(close_at)
        ),
        SyntaxCause::Unclosed {
            opener,
            taken: None,
            close_at,
        } => format!(
            "syntax error: `{}` is never closed: its `end` is missing ({})",
            opening(opener),
            end_goes(close_at)
        ),
        SyntaxCause::UnclosedBracket { open, close_at, .. } => {
            let what = quoted(open);
            let closing = crate::extract::syntax::closing(&what);
            let rest = &source.text[close_at..];
            let at_line_end = rest.find('\n').is_none_or(|i| rest[..i].trim().is_empty());
            let mends = if at_line_end {
                format!(
                    "a `{closing}` at the end of line {} mends this",
                    source.line_of(close_at)
                )
            } else {
                let next: String = rest.trim_start().chars().take(20).collect();
                format!(
                    "a `{closing}` before `{}` on line {} mends this",
                    next.split_whitespace().next().unwrap_or(""),
                    source.line_of(close_at)
                )
            };
            format!("syntax error: this `{what}` is never closed ({mends})")
        }
        SyntaxCause::StrayBracket { at } => {
            format!("syntax error: `{}` closes nothing", quoted(at))
        }
        SyntaxCause::TypographicQuote { at } => format!(
            "syntax error: `{}` is a typographic quote: Ruby code takes only straight quotes (`\"` or `'`)",
            quoted(at)
        ),
        SyntaxCause::UnclosedString {
            open,
            runs_to,
            close_at: None,
        } => format!(
            "syntax error: this `{}` is one too many: it starts a string that runs on to the `{}` on line {}, so the code between is read as text (removing it mends this)",
            quoted(open),
            quoted(open),
            source.line_of(runs_to)
        ),
        SyntaxCause::UnclosedString {
            open,
            runs_to,
            close_at: Some(at),
        } => {
            let quote = quoted(open);
            let rest = &source.text[at..];
            let at_line_end = rest.find('\n').is_none_or(|i| rest[..i].trim().is_empty());
            let mends = if at_line_end {
                format!("a `{quote}` at the end of line {} mends this", source.line_of(at))
            } else {
                let next: String = rest.chars().take(20).collect();
                format!(
                    "a `{quote}` before `{}` on line {} mends this",
                    next.split_whitespace().next().unwrap_or(""),
                    source.line_of(at)
                )
            };
            if source.line_of(runs_to) == source.line_of(open.start) {
                format!(
                    "syntax error: this string is not closed where it should be: the `{quote}` meant to open the next value closes it, so what follows is read as code ({mends})"
                )
            } else {
                format!(
                    "syntax error: this string is never closed on its line: it runs on to the `{quote}` on line {}, so the code between is read as text ({mends})",
                    source.line_of(runs_to)
                )
            }
        }
        SyntaxCause::MissingComma { option, at } => {
            let key = quoted(option);
            let rest = &source.text[at..];
            let to_line_end = rest[..rest.find('\n').unwrap_or(rest.len())].trim();
            let mends = if to_line_end.is_empty() {
                format!("a `,` at the end of line {} mends this", source.line_of(at))
            } else if to_line_end.starts_with('#') {
                format!(
                    "a `,` before the comment on line {} mends this",
                    source.line_of(at)
                )
            } else {
                format!("a `,` before `{key}` on line {} mends this", source.line_of(at))
            };
            format!(
                "syntax error: a `,` is missing before `{key}`: a call's options are separated by commas ({mends})"
            )
        }
        SyntaxCause::LaneNameAsKey { at, colon, name } => {
            let text = &source.text;
            let word = &text[at.start..colon];
            let name = &text[name..at.end];
            format!(
                "syntax error: `{}` names no lane: Ruby reads `{word}:` as a hash key and `{name}` as a call; a lane's name is a symbol after the word (`{word} :{name}` mends this)",
                quoted(at)
            )
        }
        SyntaxCause::LaneAfterPlatform { at, platform, name } => {
            let text = &source.text;
            let word = text[at.start..platform.start].trim_end();
            let symbol = &text[platform.start..platform.end];
            let name = &text[name..at.end];
            format!(
                "syntax error: `{}` names two things: Ruby reads `{word} {symbol}` as the lane and `{name}` as a call; a lane's name is one symbol, and its platform is the `platform {symbol} do` block around it (`{word} :{name}` mends this)",
                quoted(at)
            )
        }
    }
}

fn cause_help(cause: &SyntaxCause) -> &'static str {
    match cause {
        SyntaxCause::Unclosed { .. } => {
            "add the missing `end`, indented like the line that opens the block; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::UnclosedBracket { .. } => {
            "add the missing closing bracket; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::StrayBracket { .. } => {
            "remove the bracket or add the one it should close; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::UnclosedString {
            close_at: None, ..
        } => "remove the quote; `--fix` leaves the file untouched until it parses",
        SyntaxCause::UnclosedString { .. } => {
            "close the string on its own line; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::TypographicQuote { .. } => {
            "replace typographic quotes in code with straight ones (an editor's \"smart quotes\" setting puts them in); `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::MissingComma { .. } => {
            "add the `,` between the two options; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::LaneNameAsKey { .. } => {
            "put the colon before the name; `--fix` leaves the file untouched until it parses"
        }
        SyntaxCause::LaneAfterPlatform { .. } => {
            "name the lane with one symbol, inside its platform's block (`fastlane ios beta` runs `lane :beta` in `platform :ios do ... end`); `--fix` leaves the file untouched until it parses"
        }
    }
}
