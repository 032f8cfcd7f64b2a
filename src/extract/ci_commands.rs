//! The commands CI steps run, read with [`super::shell`] for fastlane tools started with an Apple
//! ID: `run:` (GitHub Actions, CircleCI), `script:`/`before_script:`/`after_script:` (GitLab, Azure,
//! Travis), `command:` (CircleCI), `content:` (Bitrise's script step), `bash:`/`sh:` (Azure), and
//! `sh '...'` steps of a Jenkinsfile.
//!
//! A YAML scalar's characters are taken from the file as written, each with its own offset: a block
//! scalar (`|`, `>`) without its indentation, a quoted one without its quotes and escapes, so that a
//! finding points at the flag in the file.

use saphyr::{MarkedYaml, YamlData};

use super::shell::{self, Char};
use crate::model::{Scope, ShellRun, Span};

/// Keys whose value is a shell script, or a list of command lines.
pub const COMMAND_KEYS: &[&str] = &[
    "run",
    "script",
    "before_script",
    "after_script",
    "command",
    "content",
    "bash",
    "sh",
];

/// The fastlane runs of a step's script, or of its list of command lines. `span` gives a node's
/// byte span in `text`.
pub fn commands_in(
    node: &MarkedYaml,
    text: &str,
    span: &dyn Fn(&MarkedYaml) -> Span,
    out: &mut Vec<ShellRun>,
) {
    let mut scripts = Vec::new();
    scripts_of(node, span, &mut scripts);
    for s in scripts {
        if text[s.start..s.end].contains("fastlane") {
            let (chars, end) = scalar_chars(text, s);
            push_runs(&chars, end, out);
        }
    }
}

/// The spans of a step's scripts, in the order a shell runs them: the node's own scalar, or each
/// of its list of command lines.
pub(super) fn scripts_of(
    node: &MarkedYaml,
    span: &dyn Fn(&MarkedYaml) -> Span,
    out: &mut Vec<Span>,
) {
    match &node.data {
        YamlData::Value(saphyr::Scalar::String(_)) | YamlData::Representation(..) => {
            out.push(span(node));
        }
        YamlData::Sequence(items) => {
            for item in items {
                scripts_of(item, span, out);
            }
        }
        YamlData::Tagged(_, inner) => scripts_of(inner, span, out),
        _ => {}
    }
}

fn push_runs(chars: &[Char], end: usize, out: &mut Vec<ShellRun>) {
    out.extend(
        shell::fastlane_runs(chars, end)
            .into_iter()
            .map(|r| ShellRun {
                action: r.action.name,
                text: r.text,
                span: r.span,
                scope: Scope::TopLevel,
                apple_id: r.apple_id,
                key: r.key,
                readonly: r.readonly,
                via: None,
            }),
    );
}

/// The characters of the YAML scalar at `span` as written, what the shell receives, and where they
/// end. The span of a quoted scalar holds its quotes; that of a block scalar starts at its text,
/// after the header line.
pub(super) fn scalar_chars(text: &str, span: Span) -> (Vec<Char>, usize) {
    let raw = &text[span.start..span.end];
    let mut out = Vec::new();
    match raw.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = raw[1..].strip_suffix(q).unwrap_or(&raw[1..]);
            let mut chars = inner.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let at = span.start + 1 + i;
                match (q, c) {
                    ('"', '\\') => {
                        if let Some((_, e)) = chars.next() {
                            out.push((
                                match e {
                                    'n' => '\n',
                                    't' => '\t',
                                    other => other,
                                },
                                at,
                            ));
                        }
                    }
                    ('\'', '\'') if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                        chars.next();
                        out.push(('\'', at));
                    }
                    // A line break inside a quoted scalar folds to a space.
                    (_, '\n') => out.push((' ', at)),
                    _ => out.push((c, at)),
                }
            }
            return (out, span.start + 1 + inner.len());
        }
        _ => {
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let header = text[..line_start.saturating_sub(1)]
                .rsplit('\n')
                .next()
                .unwrap_or("");
            let literal =
                text[line_start..span.start].trim().is_empty() && is_literal_header(header);
            // A literal block keeps its line breaks, without the indentation of its first line; a
            // plain or folded scalar folds them to spaces.
            let indent = span.start - line_start;
            let mut offset = span.start;
            for (n, line) in raw.split_inclusive('\n').enumerate() {
                let strip = if literal && n > 0 {
                    (line.len() - line.trim_start_matches(' ').len()).min(indent)
                } else {
                    0
                };
                for (i, c) in line[strip..].char_indices() {
                    let c = if c == '\n' && !literal { ' ' } else { c };
                    out.push((c, offset + strip + i));
                }
                offset += line.len();
            }
        }
    }
    (out, span.end)
}

/// Whether a line ends with a literal block scalar's header (`run: |`, `- |-`, `script: |2 # x`).
fn is_literal_header(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let last = code.rsplit([' ', '\t']).next().unwrap_or(code);
    last.strip_prefix('|')
        .is_some_and(|rest| rest.chars().all(|c| matches!(c, '+' | '-' | '0'..='9')))
}

/// The fastlane runs of a Jenkinsfile's `sh` steps: `sh 'cmd'`, `sh "cmd"`, `sh '''...'''`,
/// `sh """..."""`, `sh(script: "cmd", ...)`.
pub fn jenkins(text: &str, out: &mut Vec<ShellRun>) {
    let mut search = 0;
    while let Some(i) = text[search..].find("sh") {
        let at = search + i;
        search = at + 2;
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        if !before_ok {
            continue;
        }
        let mut rest = text[at + 2..].trim_start_matches([' ', '\t']);
        if let Some(r) = rest.strip_prefix('(') {
            rest = r.trim_start();
            if let Some(r) = rest.strip_prefix("script:") {
                rest = r.trim_start();
            }
        }
        let open = text.len() - rest.len();
        let quote = ["'''", "\"\"\"", "'", "\""]
            .into_iter()
            .find(|q| rest.starts_with(q));
        let Some(quote) = quote else { continue };
        let content_start = open + quote.len();
        let Some(len) = closing(&text[content_start..], quote) else {
            continue;
        };
        let content = &text[content_start..content_start + len];
        search = content_start + len + quote.len();
        if !content.contains("fastlane") {
            continue;
        }
        let chars = groovy_chars(content, content_start, quote.starts_with('"'));
        push_runs(&chars, content_start + len, out);
    }
}

/// The characters of a Groovy string's `content` (which starts at byte `at` of the file), each
/// with its offset: in a double-quoted string, without the backslashes of its escapes (`\"`,
/// `\$`, `\\`).
pub fn groovy_chars(content: &str, at: usize, double_quoted: bool) -> Vec<Char> {
    let mut chars = Vec::new();
    let mut it = content.char_indices();
    while let Some((j, c)) = it.next() {
        if c == '\\' && double_quoted {
            if let Some((_, e)) = it.next() {
                chars.push((e, at + j));
            }
        } else {
            chars.push((c, at + j));
        }
    }
    chars
}

/// Where a Groovy string that opened with `quote` closes: a backslash escapes the next character.
pub fn closing(rest: &str, quote: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let quote = quote.as_bytes();
    let first = *quote.first()?;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == first && bytes[i..].starts_with(quote) {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_runs(src: &str) -> Vec<(String, Option<String>)> {
        crate::extract::ci::extract(crate::source::CiKind::GitHub, src)
            .fastlane
            .iter()
            .map(|r| {
                (
                    src[r.span.start..r.span.end].to_string(),
                    r.apple_id.map(|s| src[s.start..s.end].to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn yaml_scalars_keep_their_offsets() {
        let src = "steps:\n  - run: |\n      cd ios\n      bundle exec fastlane pilot upload -u ci@example.com\n  - run: \"fastlane match appstore --username \\\"me\\\"\"\n  - script: 'FASTLANE_USER=''me'' fastlane sigh'\n  - command: >\n      fastlane deliver\n      --username me\n  - run: |-\n      echo fastlane pem\n      fastlane pem -a x\n  - run: fastlane cert\n      -u me\n";
        assert_eq!(
            yaml_runs(src),
            vec![
                ("fastlane pilot".into(), Some("-u ci@example.com".into())),
                (
                    "fastlane match".into(),
                    Some("--username \\\"me\\\"".into())
                ),
                ("fastlane sigh".into(), Some("FASTLANE_USER=''me''".into())),
                // A folded scalar, and a plain one, join their lines into one command.
                ("fastlane deliver".into(), Some("--username me".into())),
                ("fastlane pem".into(), None),
                ("fastlane cert".into(), Some("-u me".into())),
            ]
        );
        assert!(is_literal_header("    run: |"));
        assert!(is_literal_header("  - |-2 # keep"));
        assert!(!is_literal_header("    run: >"));
        assert!(!is_literal_header("    name: a|b"));
    }

    /// Every way of ending, quoting or escaping a command next to multi-byte text: no panic, and
    /// every span lies on character boundaries of the file.
    #[test]
    fn odd_text_gives_sound_spans() {
        let parts = [
            "fastlane pilot -u ",
            "é",
            "\\",
            "\"",
            "'",
            "'''",
            "\"\"\"",
            "\n",
            "|",
            ">",
            "#",
            "sh ",
            "run: ",
            "- ",
            "  ",
            "fastlane pem",
            "--username=",
            "ü\\\"",
            ";",
            "(",
            "script:",
        ];
        let mut n = 0u64;
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in ["", "fastlane match -u x", "é'", "\\"] {
                        let text = format!("{a}{b}{c}{d}");
                        for kind in [
                            crate::source::CiKind::GitHub,
                            crate::source::CiKind::Jenkins,
                        ] {
                            let model = crate::extract::ci::extract(kind, &text);
                            for r in &model.fastlane {
                                for s in std::iter::once(r.span).chain(r.apple_id) {
                                    assert!(
                                        s.start <= s.end && text.get(s.start..s.end).is_some(),
                                        "{text:?}: {s:?}"
                                    );
                                }
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 0);
    }

    #[test]
    fn jenkins_sh_steps() {
        let src = "stage('x') {\n  steps {\n    sh 'bundle exec fastlane pilot upload -u me'\n    sh(script: \"fastlane deliver --username \\\"${ME}\\\"\", returnStdout: true)\n    sh '''\n      fastlane match appstore --readonly\n    '''\n    fish 'fastlane pem -u x'\n  }\n}\n";
        let mut out = Vec::new();
        jenkins(src, &mut out);
        let got: Vec<(String, Option<String>)> = out
            .iter()
            .map(|r| {
                (
                    src[r.span.start..r.span.end].to_string(),
                    r.apple_id.map(|s| src[s.start..s.end].to_string()),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("fastlane pilot".into(), Some("-u me".into())),
                (
                    "fastlane deliver".into(),
                    Some("--username \\\"${ME}\\\"".into())
                ),
                ("fastlane match".into(), None),
            ]
        );
    }
}
