//! Unified diffs of rewritten files, coloured on a terminal.

use std::io::IsTerminal;

use similar::TextDiff;

/// A unified diff (`--- a/<path>` / `+++ b/<path>`, 3 lines of context) from `old`
/// to `new`; empty when they are equal.
///
/// Lines are matched with the patience algorithm (`git diff --patience`): lines found once in
/// each text anchor the diff and Myers' algorithm runs only between them. A rewrite changes
/// lines here and there, so nearly every line it leaves is an anchor: on a 5 MB Fastfile with
/// 13,000 rewritten calls it takes a third of the time Myers' algorithm takes over the whole
/// file, with the same diff. Where no line is an anchor (one long run of rewritten lines), the
/// search for a shortest diff is bounded as `git diff` bounds it (`similar` 3), so such a run
/// costs time roughly in proportion to its length rather than to its square.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Whether diffs written to stdout should be coloured: stdout is a terminal and
/// `NO_COLOR` is unset or empty.
pub fn stdout_wants_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// Colour a unified diff with ANSI escapes: headers bold, hunks cyan, removed lines
/// red, added lines green.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let (body, eol) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let code = if body.starts_with("+++") || body.starts_with("---") {
            "1"
        } else if body.starts_with("@@") {
            "36"
        } else if body.starts_with('+') {
            "32"
        } else if body.starts_with('-') {
            "31"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m{eol}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let d = unified_diff("fastlane/Fastfile", old, new);
        assert_eq!(
            d,
            "--- a/fastlane/Fastfile\n+++ b/fastlane/Fastfile\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(unified_diff("x", old, old), "");
    }

    /// Applies a unified diff made by [`unified_diff`] to `old`, checking every context and removed
    /// line against `old`.
    fn apply(old: &str, diff: &str) -> String {
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut at = 0; // next line of `old` not yet copied
        let mut last_added: Option<usize> = None;
        for line in diff.split_inclusive('\n').skip(2) {
            if let Some(header) = line.strip_prefix("@@ -") {
                let start: usize = header
                    .split([',', ' '])
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("hunk start");
                // `-0,0` (nothing before) and `-N,...` (lines from N on) both start after line N-1.
                let first = start.saturating_sub(1).max(at);
                out.extend(old_lines[at..first].iter().copied());
                at = first;
                continue;
            }
            if line.starts_with("\\ No newline") {
                if let Some(i) = last_added {
                    out.truncate(i);
                }
                continue;
            }
            let (tag, text) = line.split_at(1);
            match tag {
                " " | "-" => {
                    assert_eq!(
                        old_lines[at].trim_end_matches('\n'),
                        text.trim_end_matches('\n')
                    );
                    if tag == " " {
                        out.push_str(old_lines[at]);
                    }
                    at += 1;
                    last_added = None;
                }
                "+" => {
                    out.push_str(text);
                    last_added = Some(out.len() - usize::from(text.ends_with('\n')));
                }
                _ => panic!("unexpected line {line:?}"),
            }
        }
        out.extend(old_lines[at..].iter().copied());
        out
    }

    #[test]
    fn every_diff_applies_to_give_the_new_text() {
        let numbered =
            |n: usize, f: &dyn Fn(usize) -> String| -> String { (0..n).map(f).collect() };
        let cases = [
            // One long run of changed lines with no unchanged line among them.
            (
                numbered(3_000, &|i| {
                    format!("  pilot(username: \"a\", app: \"{i}\")\n")
                }),
                numbered(3_000, &|i| format!("  pilot(api_key: k, app: \"{i}\")\n")),
            ),
            // Changes here and there, lines repeated, a block inserted at each.
            (
                numbered(2_000, &|i| format!("lane :l{} do\n  pilot\nend\n", i % 7)),
                numbered(2_000, &|i| {
                    if i % 3 == 0 {
                        format!("lane :l{} do\n  k = key\n  pilot(api_key: k)\nend\n", i % 7)
                    } else {
                        format!("lane :l{} do\n  pilot\nend\n", i % 7)
                    }
                }),
            ),
            // No newline at the end of either text.
            ("a\nb\nc".to_string(), "a\nB\nc\nd".to_string()),
            ("".to_string(), "x\n".to_string()),
            ("x\n".to_string(), "".to_string()),
        ];
        for (old, new) in cases {
            let diff = unified_diff("fastlane/Fastfile", &old, &new);
            assert!(!diff.is_empty());
            assert_eq!(apply(&old, &diff), new);
        }
    }

    #[test]
    fn colours_lines() {
        let d = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n c\n";
        let c = colorize(d);
        assert!(c.contains("\x1b[31m-a\x1b[0m\n"));
        assert!(c.contains("\x1b[32m+b\x1b[0m\n"));
        assert!(c.ends_with(" c\n"));
    }
}
