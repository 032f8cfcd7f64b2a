//! A Jenkinsfile's `sh` steps followed to the lanes they start, with the folder each runs in and the
//! key variables set around it, as [`super::ci_lanes`] does for YAML CI files.
//!
//! A Jenkinsfile is Groovy (declarative `pipeline { }` or scripted `node { }`). It is read as
//! blocks: strings and comments are skipped, `{` and `}` open and close a block, and the words
//! before a `{` say what the block does to the steps inside it:
//!
//! - `environment { NAME = value }` sets `NAME` for the block that holds it (the whole pipeline,
//!   or one stage), from that point on;
//! - `withEnv(["NAME=value"]) { }` sets `NAME` inside;
//! - `withCredentials([file(credentialsId: 'asc-key', variable: 'NAME')]) { }` sets `NAME` (and
//!   every other `variable:`, `keyFileVariable:`, `usernameVariable:` and `passwordVariable:` of
//!   the list) inside;
//! - `dir('ios') { }` moves the steps inside to that folder of the workspace (the repository's
//!   root); `ws(...)` moves them somewhere fastlint cannot tell.
//!
//! `env.NAME = value` (in a `script { }` block, or anywhere in a scripted pipeline) sets `NAME` for
//! every later step. An `sh` step (`sh 'cmd'`, `sh "cmd"`, `sh '''...'''`, `sh(script: "cmd",
//! returnStatus: true)`) runs its script in a shell of its own: its `cd`s and `export`s count for
//! its own commands only.

use super::ci_commands::{closing, groovy_chars};
use super::ci_lanes::{join, lane_runs_of_script, Around};
use super::shell::is_variable_name;
use crate::model::{CiLaneRun, EnvAssignment, Span};

/// The longest folder a `dir(...)` block is followed to: every open block keeps its own copy, so
/// blocks nested without end would otherwise hold copies that grow with the nesting.
const MAX_DIR: usize = 512;

/// What a Jenkinsfile's steps start, and the variables its `withCredentials` blocks bind.
#[derive(Debug, Default)]
pub struct Steps {
    pub lane_runs: Vec<CiLaneRun>,
    /// Each `variable: 'NAME'` of a `withCredentials` list, with the binding (`file(...)`) as
    /// its value: a credential from Jenkins's store, never a literal.
    pub bindings: Vec<EnvAssignment>,
}

/// What a block does to the steps inside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    /// `environment { }`: its assignments set variables for the block around it.
    Environment,
    Other,
}

/// An open block.
struct Frame {
    kind: Block,
    around: Around,
    /// The `(`/`[` depth of the statement the block was opened in, restored when it closes.
    outer_depth: u32,
}

/// Reads a Jenkinsfile's steps.
pub fn steps(text: &str) -> Steps {
    let mut out = Steps::default();
    let bytes = text.as_bytes();
    let mut stack = vec![Frame {
        kind: Block::Other,
        around: Around::root(),
        outer_depth: 0,
    }];
    // `(` and `[` open in the current statement: a line break inside them does not end it.
    let mut depth: u32 = 0;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' | b'\'' | b'"' if let Some(end) = skipped(text, i) => {
                i = end;
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'{' => {
                let head = if depth == 0 { &text[start..i] } else { "" };
                if let Some(frame) = stack.last() {
                    sh_steps(head, start, &frame.around, &mut out.lane_runs);
                }
                let frame = open(
                    head,
                    start,
                    stack.last().map(|f| &f.around),
                    depth,
                    &mut out,
                );
                stack.push(frame);
                depth = 0;
                start = i + 1;
            }
            b'}' => {
                statement(text, start, i, &mut stack, &mut out);
                if stack.len() > 1 {
                    let frame = stack.pop().expect("more than the root");
                    depth = frame.outer_depth;
                    // What follows a closure passed as an argument is read on from here, so
                    // that the closure's own steps are not read again with the statement.
                    start = i + 1;
                } else {
                    start = i + 1;
                }
                i += 1;
                continue;
            }
            b';' | b'\n' if depth == 0 => {
                statement(text, start, i, &mut stack, &mut out);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    statement(text, start, bytes.len(), &mut stack, &mut out);
    out
}

/// Where the string or comment that starts at `at` ends (the next byte to read), if one does: a
/// `// comment` ends before its line break, so that the break still ends the statement.
fn skipped(text: &str, at: usize) -> Option<usize> {
    let rest = &text.as_bytes()[at..];
    match rest {
        [b'\'' | b'"', ..] => Some(string_end(text, at)),
        [b'/', b'/', ..] => Some(text[at..].find('\n').map_or(text.len(), |n| at + n)),
        [b'/', b'*', ..] => Some(text[at + 2..].find("*/").map_or(text.len(), |n| at + n + 4)),
        _ => None,
    }
}

/// The end of the string that opens at `at` (one past its closing quote), or of the text.
fn string_end(text: &str, at: usize) -> usize {
    string_at(text, at).1
}

/// The string that opens at `at`: the byte range of its contents, and its end (one past its
/// closing quote). A one-quote string left open ends with its line, as Groovy requires; a
/// three-quote one with the text.
fn string_at(text: &str, at: usize) -> (std::ops::Range<usize>, usize) {
    let rest = &text[at..];
    let quote = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|q| rest.starts_with(q))
        .unwrap_or("'");
    let from = (at + quote.len()).min(text.len());
    match closing(&text[from..], quote) {
        Some(len) if quote.len() == 3 || !text[from..from + len].contains('\n') => {
            (from..from + len, from + len + quote.len())
        }
        _ if quote.len() == 1 => {
            let end = text[from..].find('\n').map_or(text.len(), |n| from + n);
            (from..end, end)
        }
        _ => (from..text.len(), text.len()),
    }
}

/// The block a `{` opens after `head` (the words before it in its statement, which starts at byte
/// `at`).
fn open(head: &str, at: usize, around: Option<&Around>, depth: u32, out: &mut Steps) -> Frame {
    let mut around = around.cloned().unwrap_or_else(Around::root);
    let trimmed = head.trim_start();
    let head_at = at + (head.len() - trimmed.len());
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let mut kind = Block::Other;
    match &trimmed[..word_len] {
        "environment" if trimmed[word_len..].trim().is_empty() => kind = Block::Environment,
        "withEnv" => {
            for (s, s_at) in strings(trimmed, head_at) {
                if let Some((name, value)) = s.split_once('=') {
                    if is_variable_name(name) && !value.is_empty() {
                        around.set(name.to_string(), Span::new(s_at, s_at + name.len()));
                    }
                }
            }
        }
        "withCredentials" => {
            for binding in bindings(trimmed, head_at) {
                around.set(binding.name.clone(), binding.name_span);
                out.bindings.push(binding);
            }
        }
        "dir" => {
            let to = strings(trimmed, head_at)
                .into_iter()
                .next()
                .filter(|(s, _)| !s.contains('$'));
            around.dir = to
                .and_then(|(to, _)| join(around.dir.as_deref(), &to))
                .filter(|dir| dir.len() <= MAX_DIR);
        }
        "ws" => around.dir = None,
        _ => {}
    }
    Frame {
        kind,
        around,
        outer_depth: depth,
    }
}

/// Handles the statement from `start` to `end`: an `sh` step, `env.NAME = value`, or in an
/// `environment { }` block `NAME = value`.
fn statement(text: &str, start: usize, end: usize, stack: &mut [Frame], out: &mut Steps) {
    let code = &text[start..end];
    let trimmed = code.trim_start();
    let at = start + (code.len() - trimmed.len());
    let Some(top) = stack.last() else { return };
    if top.kind == Block::Environment {
        if let Some((name, span, set)) = assignment(trimmed, at) {
            // The block that holds `environment { }`.
            let n = stack.len();
            if set && n >= 2 {
                stack[n - 2].around.set(name, span);
            }
        }
        return;
    }
    if let Some(rest) = trimmed.strip_prefix("env.") {
        if let Some((name, span, set)) = assignment(rest, at + 4) {
            // For every later step: set in each open block, which the blocks opened later copy.
            if set {
                for frame in stack.iter_mut() {
                    frame.around.set(name.clone(), span);
                }
            }
        }
        return;
    }
    let around = &stack.last().expect("checked above").around;
    sh_steps(trimmed, at, around, &mut out.lane_runs);
}

/// The lanes the `sh` steps in `code` (at byte `at`) start, run with `around`: a statement of
/// its own (`sh 'fastlane beta'`), or a value (`def rc = sh(script: '...', returnStatus: true)`,
/// `if (sh(...) != 0) {`).
fn sh_steps(code: &str, at: usize, around: &Around, out: &mut Vec<CiLaneRun>) {
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' | b'\'' | b'"' if let Some(end) = skipped(code, i) => {
                i = end;
                continue;
            }
            b's' if bytes.get(i + 1) == Some(&b'h') && !word_before(bytes, i) => {
                if let Some((content, content_at, double_quoted)) = sh_script(&code[i..], at + i) {
                    let chars = groovy_chars(content, content_at, double_quoted);
                    lane_runs_of_script(&chars, content_at + content.len(), around, out);
                    // On after the script's string and its closing quote.
                    i = content_at + content.len() - at;
                    let triple =
                        bytes[i..].starts_with(b"'''") || bytes[i..].starts_with(b"\"\"\"");
                    i += if triple { 3 } else { 1 };
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// `NAME = value` at the start of `s` (at byte `at`): the name, where it is, and whether the
/// value is something (not `''`, `""` or `null`).
fn assignment(s: &str, at: usize) -> Option<(String, Span, bool)> {
    let a = super::ci::assignment(s, at)?;
    let set = !a.value.is_empty() && a.value != "null";
    Some((a.name, a.name_span, set))
}

/// The script of an `sh` step at the start of `s` (at byte `at`): its text, where it starts, and
/// whether it is double-quoted (its escapes then read as Groovy's).
fn sh_script(s: &str, at: usize) -> Option<(&str, usize, bool)> {
    let rest = s.strip_prefix("sh")?;
    if !rest.starts_with([' ', '\t', '(', '\'', '"']) {
        return None;
    }
    let args = rest.trim_start();
    let args = args.strip_prefix('(').unwrap_or(args).trim_start();
    let args_at = at + (s.len() - args.len());
    // `sh(script: "...", returnStdout: true)`, else the first argument.
    let script_at = match find_key(args, "script:") {
        Some(i) => i + "script:".len(),
        None => 0,
    };
    let value = args[script_at..].trim_start();
    let value_at = args_at + (args.len() - value.len());
    let quote = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|q| value.starts_with(q))?;
    let len = closing(&value[quote.len()..], quote)?;
    let content = &value[quote.len()..quote.len() + len];
    Some((content, value_at + quote.len(), quote.starts_with('"')))
}

/// Where `key` (a named argument, `script:`) starts in `args`, outside strings.
fn find_key(args: &str, key: &str) -> Option<usize> {
    let bytes = args.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = string_end(args, i);
                continue;
            }
            _ if bytes[i..].starts_with(key.as_bytes()) && !word_before(bytes, i) => {
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a word character (a letter, a digit or `_`) comes right before byte `i`.
fn word_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

/// The contents of the strings of `s` (at byte `at`), each with where it starts.
fn strings(s: &str, at: usize) -> Vec<(String, usize)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' || bytes[i] == b'"' {
            let (content, end) = string_at(s, i);
            out.push((s[content.clone()].to_string(), at + content.start));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Keys of a credential binding that name the variable it sets.
const BINDING_KEYS: &[&str] = &[
    "variable",
    "keyFileVariable",
    "usernameVariable",
    "passwordVariable",
    "passphraseVariable",
];

/// The variables the bindings of a `withCredentials([...])` head set, each with the binding it
/// comes from (`file(credentialsId: 'asc-key', variable: 'NAME')`) as its value.
fn bindings(head: &str, at: usize) -> Vec<EnvAssignment> {
    let mut out = Vec::new();
    let bytes = head.as_bytes();
    let mut i = 0;
    // The binding call the scan is in starts after the last `[` or `,` outside parentheses, at
    // `base` parentheses deep. Its variables, from `waiting` on, get the call as their value when
    // its parenthesis closes (or the next call starts, or the head ends).
    let mut call_start = 0;
    let mut base = 0u32;
    let mut waiting = 0;
    let mut parens = 0u32;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = string_end(head, i);
                continue;
            }
            b'(' => parens += 1,
            b')' => {
                if parens.saturating_sub(base) <= 1 {
                    give_call(head, at, call_start..i + 1, &mut out[waiting..]);
                    waiting = out.len();
                }
                parens = parens.saturating_sub(1);
            }
            b'[' | b',' if parens <= 1 => {
                give_call(head, at, call_start..i, &mut out[waiting..]);
                waiting = out.len();
                call_start = i + 1;
                base = parens;
            }
            _ => {
                let key = BINDING_KEYS.iter().find(|k| {
                    bytes[i..].starts_with(k.as_bytes())
                        && !word_before(bytes, i)
                        && head[i + k.len()..].trim_start().starts_with(':')
                });
                if let Some(key) = key {
                    let after = &head[i + key.len()..];
                    let value = after.trim_start()[1..].trim_start();
                    let value_at = i + key.len() + (after.len() - value.len());
                    // The variable's name: the string right after the key, and only it.
                    let quoted = value.starts_with(['\'', '"']);
                    let name = quoted
                        .then(|| string_at(value, 0).0)
                        .map(|r| (value[r.clone()].to_string(), at + value_at + r.start));
                    if let Some((name, name_at)) = name.filter(|(n, _)| is_variable_name(n)) {
                        out.push(EnvAssignment {
                            name_span: Span::new(name_at, name_at + name.len()),
                            name,
                            value: String::new(),
                            value_span: Span::new(at + call_start, at + call_start),
                        });
                    }
                    i += key.len();
                    continue;
                }
            }
        }
        i += 1;
    }
    give_call(head, at, call_start..head.len(), &mut out[waiting..]);
    out
}

/// The longest value a binding keeps: its call's first bytes (`usernamePassword(credentialsId: ...`),
/// which are enough to tell it is no literal; a call holding thousands of variables is not copied
/// whole to each of them.
const MAX_BINDING_VALUE: usize = 256;

/// Gives each of `bindings` the binding call at `call` of `head` (which starts at byte `at`),
/// without the blanks around it, as its value.
fn give_call(head: &str, at: usize, call: std::ops::Range<usize>, bindings: &mut [EnvAssignment]) {
    if bindings.is_empty() {
        return;
    }
    let raw = &head[call.clone()];
    let text = raw.trim();
    let start = at + call.start + (raw.len() - raw.trim_start().len());
    let mut kept = text.len().min(MAX_BINDING_VALUE);
    while !text.is_char_boundary(kept) {
        kept -= 1;
    }
    for b in bindings {
        b.value = text[..kept].to_string();
        b.value_span = Span::new(start, start + text.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::extract::ci_lanes::tests::run;
    use crate::source::CiKind;

    /// Each lane run as `platform lane @ /dir` (`?` for a folder not told), with its key
    /// variables sorted, as the CI file's model has them; each run's span starts at `fastlane`.
    fn runs(text: &str) -> Vec<(String, Vec<String>)> {
        for r in &steps(text).lane_runs {
            assert!(text[r.span.start..r.span.end].starts_with("fastlane"));
        }
        crate::extract::ci_lanes::tests::runs(CiKind::Jenkins, text)
    }

    #[test]
    fn declarative_steps_run_with_the_blocks_around_them() {
        let text = r#"pipeline {
  agent { label 'mac' }
  environment {
    APP_STORE_CONNECT_API_KEY_PATH = credentials('asc-key-json')
    LANG = 'en_US.UTF-8'
  }
  stages {
    stage('Beta') {
      environment {
        PILOT_API_KEY_PATH = ''
      }
      steps {
        dir('ios') {
          withCredentials([string(credentialsId: 'team', variable: 'FASTLANE_TEAM_ID'), file(credentialsId: 'asc-key', variable: 'PILOT_API_KEY_PATH')]) {
            sh 'bundle exec fastlane ios beta'   // a comment with { a brace
          }
          sh "bundle exec fastlane ios tests"
        }
      }
    }
    stage('Release') {
      steps {
        withEnv(["DELIVER_API_KEY_PATH=${WORKSPACE}/key.json", "MATCH_API_KEY_PATH="]) {
          sh '''
            cd ios
            bundle exec fastlane release
          '''
        }
        sh(script: 'cd "$APP" && fastlane deploy', returnStatus: true)
        script {
          env.DELIVER_API_KEY = "{}"
        }
        sh label: 'metadata', script: "cd ios && bundle exec fastlane metadata"
      }
    }
    /* stage('Old') { steps { sh 'fastlane old' } } */
  }
}
"#;
        assert_eq!(
            runs(text),
            vec![
                run(
                    "ios beta @ /ios",
                    &["APP_STORE_CONNECT_API_KEY_PATH", "PILOT_API_KEY_PATH"]
                ),
                run("ios tests @ /ios", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run(
                    "release @ /ios",
                    &["APP_STORE_CONNECT_API_KEY_PATH", "DELIVER_API_KEY_PATH"]
                ),
                run("deploy @ ?", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run(
                    "metadata @ /ios",
                    &["APP_STORE_CONNECT_API_KEY_PATH", "DELIVER_API_KEY"]
                ),
            ]
        );
        let bindings: Vec<(String, String, String)> = steps(text)
            .bindings
            .iter()
            .map(|b| {
                (
                    b.name.clone(),
                    text[b.name_span.start..b.name_span.end].to_string(),
                    text[b.value_span.start..b.value_span.end].to_string(),
                )
            })
            .collect();
        assert_eq!(
            bindings,
            vec![
                (
                    "FASTLANE_TEAM_ID".to_string(),
                    "FASTLANE_TEAM_ID".to_string(),
                    "string(credentialsId: 'team', variable: 'FASTLANE_TEAM_ID')".to_string()
                ),
                (
                    "PILOT_API_KEY_PATH".to_string(),
                    "PILOT_API_KEY_PATH".to_string(),
                    "file(credentialsId: 'asc-key', variable: 'PILOT_API_KEY_PATH')".to_string()
                ),
            ]
        );
    }

    #[test]
    fn scripted_steps_closures_and_workspaces() {
        let text = r#"node('mac') {
  checkout scm
  withCredentials([usernamePassword(credentialsId: 'apple', usernameVariable: 'FASTLANE_USER', passwordVariable: 'FASTLANE_PASSWORD')]) {
    sh "cd app && bundle exec fastlane android deploy"
  }
  env.APP_STORE_CONNECT_API_KEY_PATH = "${env.WORKSPACE}/k.json"
  parallel(
    ios: { sh 'fastlane ios beta' },
    mac: { ws('/tmp/x') { sh 'fastlane mac beta' } }
  )
  sh 'echo "fastlane ios never"; fastlane "$LANE"'
  def rc = sh(script: 'fastlane ios status', returnStatus: true) // sh 'fastlane no'
  if (sh(returnStatus: true, script: "fastlane ios check") != 0) { error 'sh "fastlane no"' }
}
"#;
        assert_eq!(
            runs(text),
            vec![
                run("android deploy @ /app", &[]),
                run("ios beta @ /", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run("mac beta @ ?", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run("ios status @ /", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run("ios check @ /", &["APP_STORE_CONNECT_API_KEY_PATH"]),
            ]
        );
        let names: Vec<String> = steps(text)
            .bindings
            .iter()
            .map(|b| b.name.clone())
            .collect();
        assert_eq!(names, ["FASTLANE_USER", "FASTLANE_PASSWORD"]);
        let value = &steps(text).bindings[0].value;
        assert!(value.starts_with("usernamePassword(") && value.ends_with("'FASTLANE_PASSWORD')"));
    }

    #[test]
    fn odd_text_gives_sound_spans() {
        let parts = [
            "sh '",
            "sh(script: \"",
            "fastlane ios beta",
            "é",
            "\\",
            "'",
            "\"\"\"",
            "\n",
            "{",
            "}",
            "(",
            "]",
            "withCredentials([file(credentialsId: 'k', variable: '",
            "PILOT_API_KEY_PATH",
            "withEnv([\"DELIVER_API_KEY=",
            "dir('ü",
            "environment {",
            "env.",
            " = ",
            "//",
            "/*",
        ];
        let sound = |text: &str, span: Span| {
            span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
        };
        let (mut texts, mut runs, mut bindings) = (0, 0, 0);
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in ["", "')]) {", "') {\nsh 'fastlane beta'\n}", "é'"] {
                        let text = format!("{a}{b}{c}{d}");
                        let found = steps(&text);
                        texts += 1;
                        runs += found.lane_runs.len();
                        bindings += found.bindings.len();
                        for r in &found.lane_runs {
                            assert!(sound(&text, r.span), "{text:?}");
                            assert!(r.env.iter().all(|(_, at)| sound(&text, *at)), "{text:?}");
                        }
                        for b in &found.bindings {
                            assert!(sound(&text, b.name_span), "{text:?}");
                            assert!(sound(&text, b.value_span), "{text:?}");
                            assert_eq!(&text[b.name_span.start..b.name_span.end], b.name);
                        }
                    }
                }
            }
        }
        // The parts make runs and bindings too, not only text that reads as nothing.
        assert_eq!(texts, 21 * 21 * 21 * 4);
        assert!(
            runs > 1_000 && bindings > 0,
            "{runs} runs, {bindings} bindings"
        );
    }

    #[test]
    fn blocks_nested_without_end_stay_small() {
        let depth = 100_000;
        let mut text = "dir('a') {\n".repeat(depth);
        text.push_str("sh 'fastlane beta'\n");
        text.push_str(&"}\n".repeat(depth));
        // Past the longest folder followed, the folder is not told.
        assert_eq!(runs(&text), vec![run("beta @ ?", &[])]);
        let shallow = format!(
            "{}sh 'fastlane beta'\n{}",
            "dir('a') {\n".repeat(3),
            "}\n".repeat(3)
        );
        assert_eq!(runs(&shallow), vec![run("beta @ /a/a/a", &[])]);
    }

    #[test]
    fn a_binding_call_with_many_variables_is_read_once() {
        let n = 20_000;
        let keys: Vec<String> = (0..n)
            .map(|i| format!("usernameVariable: 'U{i}'"))
            .collect();
        let text = format!(
            "node {{\n withCredentials([usernamePassword(credentialsId: 'c', {})]) {{\n  sh 'fastlane beta'\n }}\n}}\n",
            keys.join(", ")
        );
        let found = steps(&text);
        assert_eq!(found.bindings.len(), n);
        // Each keeps the start of the call, not a copy of all of it.
        let call = &found.bindings[0];
        assert!(call
            .value
            .starts_with("usernamePassword(credentialsId: 'c'"));
        assert!(call.value.len() <= MAX_BINDING_VALUE);
        assert!(text[call.value_span.start..call.value_span.end].ends_with("'U19999')"));
        assert_eq!(runs(&text), vec![run("beta @ /", &[])]);
    }

    #[test]
    fn broken_groovy_ends_without_a_panic() {
        for text in [
            "pipeline { stages { stage('a') { steps { sh 'fastlane beta",
            "}}}} sh 'fastlane beta' {{{",
            "withCredentials([file(credentialsId: 'k', variable: ",
            "sh(script: \"\"\"fastlane ios beta",
            "environment { = 'x' }\nenv. = 1\ndir(",
            "'",
            "/*",
        ] {
            let _ = steps(text);
        }
        // Closing braces too many leave the steps at the top, still read.
        assert_eq!(
            runs("}}}}\nsh 'fastlane beta'\n{{{"),
            vec![run("beta @ /", &[])]
        );
    }
}
