//! fastlane started from a shell command in Ruby code: `sh("bundle exec fastlane pilot upload -u me")`,
//! `system(...)`, backticks.
//!
//! A command line is split into simple commands and words the way a POSIX shell does for the parts
//! that matter here: quotes, backslashes, comments, and the operators that end a command (`;`, `&&`,
//! `||`, `|`, `&`, newlines, parentheses). Expansions are not performed: `$(...)` and `$VAR` are read
//! as word text, and a Ruby interpolation is one opaque character of word text. A command that starts
//! fastlane (after `VAR=value` assignments, `env`, `bundle exec` and the like) is read for the tool or
//! action it runs and for the options that decide how that logs in to Apple.
//!
//! (`shlex` splits one command into words, but not a command line into commands, which is what
//! tells where a fastlane command's options end.)

use crate::knowledge::{self, Action};
use crate::model::Span;

/// A character of the command as the shell sees it, with the byte offset in the source where it was
/// written (escape sequences and interpolations are decoded before the shell reads the text). A
/// character ends where the next one starts; the last one where the command's text ends.
pub type Char = (char, usize);

/// Stands for a Ruby interpolation (`#{user}`): word text of unknown value.
pub const OPAQUE: char = '\u{1a}';

/// A word of a simple command, with its span in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// What a command line starts of fastlane: the tool or action, and how the command logs it in.
#[derive(Clone, Debug)]
pub struct FastlaneRun {
    pub action: &'static Action,
    /// The command's words up to the tool (`fastlane pilot`, `fastlane run download_dsyms`).
    pub text: String,
    pub span: Span,
    /// Where the command names an Apple ID (`-u`, `--username`, `username:`, `FASTLANE_USER=`): the
    /// flag with its value.
    pub apple_id: Option<Span>,
    /// The command gives it a key (`--api_key_path`, `api_key_path:`, `APP_STORE_CONNECT_API_KEY_PATH=`).
    pub key: bool,
    /// `match --readonly` (or `readonly:true`): no login.
    pub readonly: bool,
}

/// Splits a command line into simple commands, each a list of words. `end` is where its text ends
/// in the source.
pub fn commands(chars: &[Char], end: usize) -> Vec<Vec<Word>> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut word: Option<(String, usize, usize)> = None;
    let end_word = |word: &mut Option<(String, usize, usize)>, words: &mut Vec<Word>| {
        if let Some((text, start, end)) = word.take() {
            words.push(Word {
                text,
                span: Span { start, end },
            });
        }
    };
    let end_command = |words: &mut Vec<Word>, out: &mut Vec<Vec<Word>>| {
        if !words.is_empty() {
            out.push(std::mem::take(words));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let (c, at) = chars[i];
        // Where the character at `j` ends: where the next one starts.
        let next_end = |j: usize| chars.get(j + 1).map_or(end, |&(_, o)| o);
        match c {
            ' ' | '\t' | '\r' => end_word(&mut word, &mut words),
            '\n' | ';' | '&' | '|' | '(' | ')' => {
                end_word(&mut word, &mut words);
                end_command(&mut words, &mut out);
            }
            '#' if word.is_none() => {
                // A comment, to the end of the line.
                while i + 1 < chars.len() && chars[i + 1].0 != '\n' {
                    i += 1;
                }
            }
            '\\' => {
                if let Some(&(escaped, _)) = chars.get(i + 1) {
                    i += 1;
                    if escaped != '\n' {
                        push(&mut word, escaped, at, next_end(i));
                    } else {
                        end_word(&mut word, &mut words);
                    }
                }
            }
            '\'' | '"' => {
                // A quoted part of the word: everything up to the closing quote is word text.
                let quote = c;
                let start = word.as_ref().map_or(at, |w| w.1);
                let text = word.take().map(|w| w.0).unwrap_or_default();
                let mut w = (text, start, next_end(i));
                i += 1;
                while i < chars.len() && chars[i].0 != quote {
                    let (q, _) = chars[i];
                    if quote == '"' && q == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    w.0.push(chars[i].0);
                    i += 1;
                }
                // Unclosed, it runs to the end.
                w.2 = if i < chars.len() { next_end(i) } else { end };
                word = Some(w);
            }
            _ => push(&mut word, c, at, next_end(i)),
        }
        i += 1;
    }
    end_word(&mut word, &mut words);
    end_command(&mut words, &mut out);
    out
}

fn push(word: &mut Option<(String, usize, usize)>, c: char, at: usize, end: usize) {
    match word {
        Some((text, _, e)) => {
            text.push(c);
            *e = end;
        }
        None => *word = Some((c.to_string(), at, end)),
    }
}

/// Words that run the command after them (`bundle exec fastlane ...`, `env X=1 fastlane ...`).
const WRAPPERS: &[&str] = &["env", "time", "exec", "command", "nohup", "caffeinate"];

/// The fastlane tool or action a simple command starts, if it starts one that talks to Apple.
pub fn fastlane_run(words: &[Word]) -> Option<FastlaneRun> {
    let mut env: Vec<(&str, &Word)> = Vec::new();
    let mut i = 0;
    // Assignments and wrappers before the program.
    while let Some(w) = words.get(i) {
        if let Some((name, _)) = w.text.split_once('=').filter(|(n, _)| is_variable_name(n)) {
            env.push((name, w));
        } else if WRAPPERS.contains(&w.text.as_str()) || w.text.starts_with('-') && i > 0 {
            // `env -i`, `time -p`: a wrapper's own flags.
        } else if w.text == "bundle" && words.get(i + 1).is_some_and(|n| n.text == "exec") {
            i += 1;
        } else {
            break;
        }
        i += 1;
    }
    let program = words.get(i)?;
    if program.text != "fastlane" && !program.text.ends_with("/fastlane") {
        return None;
    }
    let tool_word = words.get(i + 1)?;
    let (action_word, rest) = if tool_word.text == "run" {
        (words.get(i + 2)?, &words[i + 3..])
    } else {
        (tool_word, &words[i + 2..])
    };
    let action = knowledge::action(&action_word.text)?;
    if action.auth == knowledge::Auth::KeyProvider {
        return None;
    }
    let run_form = tool_word.text == "run";
    let mut apple_id = None;
    let mut key = false;
    let mut readonly = false;
    for (name, w) in &env {
        if knowledge::APPLE_ID_ENV.contains(name) && apple_id.is_none() {
            apple_id = Some(w.span);
        }
        key |= action.key_env.contains(name);
    }
    let mut k = 0;
    while let Some(w) = rest.get(k) {
        let (option, value) = option_of(&w.text, run_form);
        // The option with its value, and whether the value is the next word.
        let with_value = |value: Option<&str>| match (value, rest.get(k + 1)) {
            (None, Some(v)) => (Span::new(w.span.start, v.span.end), 1),
            _ => (w.span, 0),
        };
        match option.as_deref() {
            Some("u" | "username") => {
                let (span, skip) = with_value(value.as_deref());
                apple_id = apple_id.or(Some(span));
                k += skip;
            }
            Some("api_key_path" | "api_key") => {
                key = true;
                k += with_value(value.as_deref()).1;
            }
            Some("readonly") => readonly = !matches!(value.as_deref(), Some("false")),
            Some("r") if !run_form => readonly = true,
            _ => {}
        }
        k += 1;
    }
    let end = action_word.span.end;
    Some(FastlaneRun {
        action,
        text: words[i..]
            .iter()
            .take_while(|w| w.span.end <= end)
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        span: Span {
            start: program.span.start,
            end,
        },
        apple_id,
        key,
        readonly: readonly && action.has_readonly_mode(),
    })
}

/// An option word's name and value, if it is one: `--name value` / `--name=value` / `-u value`
/// for a tool, `name:value` for `fastlane run`.
fn option_of(word: &str, run_form: bool) -> (Option<String>, Option<String>) {
    if run_form {
        return match word.split_once(':') {
            Some((name, value)) if is_variable_name(name) => {
                (Some(name.to_string()), Some(value.to_string()))
            }
            _ => (None, None),
        };
    }
    if let Some(long) = word.strip_prefix("--") {
        return match long.split_once('=') {
            Some((name, value)) => (Some(name.to_string()), Some(value.to_string())),
            None => (Some(long.to_string()), None),
        };
    }
    match word.strip_prefix('-') {
        Some(short) if !short.is_empty() => {
            let mut chars = short.chars();
            let name = chars.next().map(String::from);
            let value = chars.as_str();
            (name, (!value.is_empty()).then(|| value.to_string()))
        }
        _ => (None, None),
    }
}

/// A shell variable's name: a letter or `_`, then letters, digits and `_`.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every fastlane run a command line starts.
pub fn fastlane_runs(chars: &[Char], end: usize) -> Vec<FastlaneRun> {
    commands(chars, end)
        .iter()
        .filter_map(|words| fastlane_run(words))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<Char> {
        s.char_indices().map(|(i, c)| (c, i)).collect()
    }

    fn words(s: &str) -> Vec<Vec<String>> {
        commands(&chars(s), s.len())
            .into_iter()
            .map(|ws| ws.into_iter().map(|w| w.text).collect())
            .collect()
    }

    fn run(s: &str) -> FastlaneRun {
        let mut runs = fastlane_runs(&chars(s), s.len());
        assert_eq!(runs.len(), 1, "{s}");
        runs.remove(0)
    }

    #[test]
    fn splits_commands_and_words() {
        assert_eq!(
            words("cd ios && bundle exec fastlane pilot upload -u 'me@x.com'; echo \"a b\"|wc"),
            vec![
                vec!["cd", "ios"],
                vec!["bundle", "exec", "fastlane", "pilot", "upload", "-u", "me@x.com"],
                vec!["echo", "a b"],
                vec!["wc"],
            ]
        );
        assert_eq!(words("a\\ b c # d e\nf"), vec![vec!["a b", "c"], vec!["f"]]);
        assert_eq!(words("x=\"1 2\"y z"), vec![vec!["x=1 2y", "z"]]);
        assert_eq!(words("a \\\n b"), vec![vec!["a", "b"]]);
        assert_eq!(words("unclosed 'quote"), vec![vec!["unclosed", "quote"]]);
        assert!(words("  ").is_empty());
    }

    #[test]
    fn word_spans_are_source_spans() {
        let src = "fastlane pilot -u \"me\"";
        let cmds = commands(&chars(src), src.len());
        let u = &cmds[0][3];
        assert_eq!(&src[u.span.start..u.span.end], "\"me\"");
    }

    /// The source text of a run's Apple ID flag.
    fn apple_id(s: &str) -> Option<String> {
        run(s).apple_id.map(|a| s[a.start..a.end].to_string())
    }

    #[test]
    fn reads_the_apple_id_key_and_readonly() {
        let s = "bundle exec fastlane pilot upload -u me@x.com --skip_waiting";
        let r = run(s);
        assert_eq!(r.action.name, "upload_to_testflight");
        assert_eq!(r.text, "fastlane pilot");
        assert_eq!(&s[r.span.start..r.span.end], "fastlane pilot");
        assert_eq!(apple_id(s).unwrap(), "-u me@x.com");
        assert!(!r.key);

        let s = "fastlane deliver --username=me --api_key_path key.json";
        assert_eq!(apple_id(s).unwrap(), "--username=me");
        assert!(run(s).key);

        let s = "FASTLANE_USER=me fastlane match appstore";
        assert_eq!(apple_id(s).unwrap(), "FASTLANE_USER=me");
        assert!(!run(s).readonly);

        let r = run("APP_STORE_CONNECT_API_KEY_PATH=k.json fastlane match appstore --readonly");
        assert!(r.key && r.readonly && r.apple_id.is_none());

        let s = "fastlane run download_dsyms username:me version:latest";
        let r = run(s);
        assert_eq!(r.action.name, "download_dsyms");
        assert_eq!(r.text, "fastlane run download_dsyms");
        assert_eq!(apple_id(s).unwrap(), "username:me");

        assert_eq!(apple_id("fastlane pem -u\u{1a}").unwrap(), "-u\u{1a}");
        assert_eq!(apple_id("fastlane sigh -u").unwrap(), "-u");
        // `-r` is read-only only for match.
        assert!(!run("fastlane pilot -r x").readonly);
    }

    #[test]
    fn skips_what_is_not_an_apple_tool() {
        for s in [
            "fastlane beta",
            "fastlane ios beta -u me",
            "fastlane gym",
            "fastlane",
            "echo fastlane pilot -u me",
            "fastlane run app_store_connect_api_key key_id:x",
            "# fastlane pilot -u me",
        ] {
            assert!(fastlane_runs(&chars(s), s.len()).is_empty(), "{s}");
        }
    }
}
