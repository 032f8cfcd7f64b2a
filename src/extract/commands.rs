//! Shell commands written in Ruby: the text of `sh(...)` and `system(...)` calls and of backticks
//! (`` `...` ``, `%x(...)`), decoded as the shell receives it and read with [`super::shell`] for the
//! fastlane tools they start.

use tree_sitter::Node;

use super::ruby::text;
use super::shell::{self, Char, FastlaneRun, Word, OPAQUE};
use crate::model::{Scope, ShellRun, Span};
use crate::query::{Kind, FIELDS};

/// Methods that hand their argument to a shell (fastlane's `sh`, Ruby's `system`).
pub const SHELL_METHODS: &[&str] = &["sh", "system"];

/// The fastlane runs of a `sh`/`system` call: one string is a command line; several arguments are
/// the words of one command (`sh("fastlane", "pilot", "upload")`); `sh(command: "...")` too.
pub fn of_call(call: Node, src: &str, scope: Scope, out: &mut Vec<ShellRun>) {
    let Some(args) = call.child_by_field_id(FIELDS.arguments) else {
        return;
    };
    let mut positional: Vec<Node> = Vec::new();
    let mut command: Option<Node> = None;
    let mut cursor = args.walk();
    for arg in args.named_children(&mut cursor) {
        match Kind::of(arg) {
            Kind::Pair => {
                let is_command = arg
                    .child_by_field_id(FIELDS.key)
                    .is_some_and(|k| matches!(text(k, src), "command" | "command:" | ":command"));
                if is_command {
                    command = arg.child_by_field_id(FIELDS.value);
                }
            }
            Kind::Hash | Kind::HashSplatArgument => {}
            _ => positional.push(arg),
        }
    }
    let single = match (positional.as_slice(), command) {
        ([one], _) => Some(*one),
        ([], command) => command,
        _ => None,
    };
    // Only string arguments are read, each once: a call nested in the arguments is not (it is a
    // call of its own).
    let mentions = |n: &Node| Kind::of(*n) == Kind::String && text(*n, src).contains("fastlane");
    let runs: Vec<FastlaneRun> = match (single, positional.as_slice()) {
        (Some(one), _) if mentions(&one) => match chars_of(one, src) {
            Some((chars, end)) => shell::fastlane_runs(&chars, end),
            None => Vec::new(),
        },
        (None, many) if many.len() > 1 && many.iter().any(mentions) => {
            let words: Vec<Word> = many.iter().map(|n| word_of(*n, src)).collect();
            shell::fastlane_run(&words).into_iter().collect()
        }
        _ => Vec::new(),
    };
    out.extend(runs.into_iter().map(|r| shell_run(r, scope)));
}

/// The fastlane runs of a backtick command.
pub fn of_subshell(node: Node, src: &str, scope: Scope, out: &mut Vec<ShellRun>) {
    if !text(node, src).contains("fastlane") {
        return;
    }
    let (chars, end) = decode(node, src);
    out.extend(
        shell::fastlane_runs(&chars, end)
            .into_iter()
            .map(|r| shell_run(r, scope)),
    );
}

fn shell_run(r: FastlaneRun, scope: Scope) -> ShellRun {
    ShellRun {
        action: r.action.name,
        text: r.text,
        span: r.span,
        scope,
        apple_id: r.apple_id,
        key: r.key,
        readonly: r.readonly,
    }
}

/// The characters of a string literal as the shell receives them, and where its text ends, if the
/// node is one.
fn chars_of(node: Node, src: &str) -> Option<(Vec<Char>, usize)> {
    (Kind::of(node) == Kind::String).then(|| decode(node, src))
}

/// One argument of `sh("fastlane", "pilot", ...)` as a word: a string's text, else unknown.
fn word_of(node: Node, src: &str) -> Word {
    let text = match chars_of(node, src) {
        Some((chars, _)) => chars.iter().map(|(c, _)| *c).collect(),
        None => OPAQUE.to_string(),
    };
    Word {
        text,
        span: Span::new(node.start_byte(), node.end_byte()),
    }
}

/// The text of a string or backtick node: its runs of text, escape sequences decoded as Ruby does,
/// and each interpolation as one [`OPAQUE`] character; and where that text ends.
fn decode(node: Node, src: &str) -> (Vec<Char>, usize) {
    let mut out = Vec::new();
    let mut end = node.start_byte();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let at = child.start_byte();
        match Kind::of(child) {
            Kind::StringContent => {
                out.extend(text(child, src).char_indices().map(|(i, c)| (c, at + i)))
            }
            Kind::EscapeSequence => {
                let escaped = text(child, src).chars().nth(1).and_then(|c| match c {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    's' => Some(' '),
                    'r' => Some('\r'),
                    // A backslash at the end of a line joins the lines.
                    '\n' => None,
                    other => Some(other),
                });
                out.extend(escaped.map(|c| (c, at)));
            }
            Kind::Interpolation => out.push((OPAQUE, at)),
            _ => continue,
        }
        end = child.end_byte();
    }
    (out, end)
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_ruby;

    fn runs(src: &str) -> Vec<(String, Option<String>, bool)> {
        crate::extract::ruby::extract(&parse_ruby(src).unwrap(), src)
            .shell
            .iter()
            .map(|r| {
                (
                    src[r.span.start..r.span.end].to_string(),
                    r.apple_id.map(|s| src[s.start..s.end].to_string()),
                    r.key,
                )
            })
            .collect()
    }

    #[test]
    fn reads_sh_system_and_backticks() {
        let src = r#"lane :a do
  sh("bundle exec fastlane pilot upload -u '#{ENV["ME"]}' --skip_waiting_for_build_processing")
  sh "cd .. && fastlane deliver --api_key_path k.json"
  system("fastlane", "match", "appstore", "--username", user)
  sh(command: "FASTLANE_USER=me fastlane sigh", log: false)
  out = `fastlane pem -u me`
  x = %x(fastlane run download_dsyms username:"me")
  sh("echo \"fastlane pilot -u me\"")
  sh(cmd)
  puts("fastlane pilot -u me")
end
"#;
        assert_eq!(
            runs(src),
            vec![
                (
                    "fastlane pilot".into(),
                    Some(r#"-u '#{ENV["ME"]}'"#.into()),
                    false
                ),
                ("fastlane deliver".into(), None, true),
                (
                    r#""fastlane", "match""#.into(),
                    Some(r#""--username", user"#.into()),
                    false
                ),
                (
                    "fastlane sigh".into(),
                    Some("FASTLANE_USER=me".into()),
                    false
                ),
                ("fastlane pem".into(), Some("-u me".into()), false),
                (
                    "fastlane run download_dsyms".into(),
                    Some(r#"username:"me""#.into()),
                    false
                ),
            ]
        );
    }

    /// Shell quotes, Ruby escapes and interpolations in every order, next to multi-byte text: no
    /// panic, and every span lies on character boundaries of the file.
    #[test]
    fn odd_text_gives_sound_spans() {
        let parts = [
            "fastlane pilot -u ",
            "é",
            "\\\\",
            "\\\"",
            "'",
            "#{x}",
            "\\n",
            "`",
            "#",
            "&&",
            " ",
            "fastlane pem",
            "--username=",
            "ü",
            ";",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    for shape in [
                        "sh(\"{}\")",
                        "`{}`",
                        "system(\"fastlane\", \"{}\")",
                        "sh '{}'",
                    ] {
                        let src = shape.replace("{}", &format!("{a}{b}{c}"));
                        let Some(tree) = parse_ruby(&src) else {
                            continue;
                        };
                        for r in &crate::extract::ruby::extract(&tree, &src).shell {
                            for s in std::iter::once(r.span).chain(r.apple_id) {
                                assert!(
                                    s.start <= s.end && src.get(s.start..s.end).is_some(),
                                    "{src:?}: {s:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_backslash_at_the_end_of_a_line_joins_it_to_the_next() {
        let src = "sh(\"bundle exec fastlane pilot upload \\\n  -u me\")\n";
        assert_eq!(
            runs(src),
            vec![("fastlane pilot".into(), Some("-u me".into()), false)]
        );
    }

    #[test]
    fn an_escaped_quote_is_a_shell_quote() {
        let src = "sh(\"fastlane pilot -u \\\"me x\\\" --x\")\n";
        assert_eq!(
            runs(src),
            vec![(
                "fastlane pilot".into(),
                Some("-u \\\"me x\\\"".into()),
                false
            )]
        );
    }
}
