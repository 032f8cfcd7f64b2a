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

/// Where fastlane is the program of a simple command: the index of its word, and the
/// `NAME=value` assignments before it (after `env`, `bundle exec` and the other wrappers).
fn fastlane_program(words: &[Word]) -> Option<(usize, Vec<(&str, &Word)>)> {
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
    (program.text == "fastlane" || program.text.ends_with("/fastlane")).then_some((i, env))
}

/// fastlane's own commands, which start no lane (`fastlane run`, `fastlane lanes`, ...).
const FASTLANE_COMMANDS: &[&str] = &[
    "action",
    "actions",
    "add_plugin",
    "docs",
    "enable_auto_complete",
    "env",
    "help",
    "init",
    "install_plugins",
    "lanes",
    "list",
    "new_action",
    "new_plugin",
    "run",
    "search_plugins",
    "socket_server",
    "spaceauth",
    "update_fastlane",
    "update_plugins",
];

/// The platforms fastlane knows, which may come before a lane's name on its command line.
const PLATFORMS: &[&str] = &["ios", "android", "mac"];

/// A lane a simple command starts: `fastlane ios beta`, `bundle exec fastlane beta key:value`,
/// `fastlane trigger beta`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneStart {
    pub platform: Option<String>,
    pub lane: String,
    /// From `fastlane` to the lane's name.
    pub span: Span,
    /// `NAME=value` before the program, with a value.
    pub env: Vec<(String, Span)>,
}

/// The lane a simple command starts, if it starts one by a name that can be read. A tool's name
/// (`fastlane pilot`) is one too: fastlane runs a lane of that name when the Fastfile has one.
pub fn lane_start(words: &[Word]) -> Option<LaneStart> {
    let (i, env) = fastlane_program(words)?;
    let mut rest = &words[i + 1..];
    if rest.first().is_some_and(|w| w.text == "trigger") {
        rest = &rest[1..];
    }
    let first = rest.first()?;
    if FASTLANE_COMMANDS.contains(&first.text.as_str()) {
        return None;
    }
    let (platform, lane) = match rest.get(1) {
        Some(second) if PLATFORMS.contains(&first.text.as_str()) => {
            (Some(first.text.clone()), second)
        }
        _ => (None, first),
    };
    if !is_lane_name(&lane.text) {
        return None;
    }
    Some(LaneStart {
        platform,
        lane: lane.text.clone(),
        span: Span::new(words[i].span.start, lane.span.end),
        env: env
            .into_iter()
            .filter(|(_, w)| w.text.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
            .map(|(name, w)| (name.to_string(), w.span))
            .collect(),
    })
}

/// The platform and lane a CI step's `lane:` input names (`ios beta`, `beta key:value`), as
/// fastlane reads them after `fastlane`.
pub fn named_lane(text: &str) -> Option<(Option<String>, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (platform, lane) = match words[..] {
        [p, lane, ..] if PLATFORMS.contains(&p) => (Some(p.to_string()), lane),
        [lane, ..] => (None, lane),
        [] => return None,
    };
    is_lane_name(lane).then(|| (platform, lane.to_string()))
}

/// A lane's name as a command line gives it: a Ruby identifier (`beta`, `release_2`, `ok?`).
fn is_lane_name(word: &str) -> bool {
    let bare = word
        .strip_suffix('?')
        .or_else(|| word.strip_suffix('!'))
        .unwrap_or(word);
    is_variable_name(bare) && !PLATFORMS.contains(&word)
}

/// The folder `cd DIR` (or `pushd DIR`) moves to, as written: `Some(None)` for a move fastlint
/// cannot follow (`cd`, `cd -`, `popd`, more than one argument).
pub fn cd_target(words: &[Word]) -> Option<Option<&str>> {
    let program = words.first()?.text.as_str();
    if program == "popd" {
        return Some(None);
    }
    if program != "cd" && program != "pushd" {
        return None;
    }
    let args: Vec<&str> = words[1..]
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| *a != "-P" && *a != "-L")
        .collect();
    Some(match args[..] {
        [dir] if dir != "-" => Some(dir),
        _ => None,
    })
}

/// The variables `export NAME=value ...` sets to something.
pub fn exported(words: &[Word]) -> Vec<(String, Span)> {
    if words.first().is_none_or(|w| w.text != "export") {
        return Vec::new();
    }
    assigned(&words[1..])
}

/// The variables `echo "NAME=value" >> $GITHUB_ENV` gives the job's later steps.
pub fn written_to_github_env(words: &[Word]) -> Vec<(String, Span)> {
    let target = |t: &str| {
        let t = t.trim_start_matches(">>");
        matches!(t, "$GITHUB_ENV" | "${GITHUB_ENV}")
    };
    let appends = words
        .windows(2)
        .any(|p| p[0].text == ">>" && target(&p[1].text))
        || words
            .iter()
            .any(|w| w.text.starts_with(">>") && target(&w.text));
    if !appends || words.first().is_none_or(|w| w.text != "echo") {
        return Vec::new();
    }
    assigned(&words[1..])
}

/// `NAME=value` words with a value.
fn assigned(words: &[Word]) -> Vec<(String, Span)> {
    words
        .iter()
        .filter_map(|w| {
            let (name, value) = w.text.split_once('=')?;
            (is_variable_name(name) && !value.is_empty()).then(|| (name.to_string(), w.span))
        })
        .collect()
}

/// The fastlane tool or action a simple command starts, if it starts one that talks to Apple.
pub fn fastlane_run(words: &[Word]) -> Option<FastlaneRun> {
    let (i, env) = fastlane_program(words)?;
    let program = &words[i];
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

    fn lane(s: &str) -> Option<(Option<String>, String, String, Vec<String>)> {
        let cmds = commands(&chars(s), s.len());
        assert_eq!(cmds.len(), 1, "{s}");
        lane_start(&cmds[0]).map(|l| {
            (
                l.platform,
                l.lane,
                s[l.span.start..l.span.end].to_string(),
                l.env.into_iter().map(|(n, _)| n).collect(),
            )
        })
    }

    #[test]
    fn reads_the_lane_a_command_starts() {
        let some = |p: Option<&str>, l: &str, text: &str, env: &[&str]| {
            Some((
                p.map(String::from),
                l.to_string(),
                text.to_string(),
                env.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            ))
        };
        assert_eq!(
            lane("bundle exec fastlane ios beta --env ci"),
            some(Some("ios"), "beta", "fastlane ios beta", &[])
        );
        assert_eq!(
            lane("APP_STORE_CONNECT_API_KEY_PATH=k.json EMPTY= fastlane release version:1.2"),
            some(
                None,
                "release",
                "fastlane release",
                &["APP_STORE_CONNECT_API_KEY_PATH"]
            )
        );
        assert_eq!(
            lane("./bin/fastlane trigger android deploy"),
            some(
                Some("android"),
                "deploy",
                "./bin/fastlane trigger android deploy",
                &[]
            )
        );
        assert_eq!(lane("fastlane ios"), None);
        assert_eq!(
            lane("fastlane pilot upload"),
            some(None, "pilot", "fastlane pilot", &[])
        );
        for s in [
            "fastlane",
            "fastlane run upload_to_testflight",
            "fastlane lanes",
            "fastlane --version",
            "fastlane $LANE",
            "fastlane \u{1a}",
            "echo fastlane beta",
            "fastlane ios $LANE",
        ] {
            assert_eq!(lane(s), None, "{s}");
        }
    }

    #[test]
    fn reads_moves_exports_and_job_env_writes() {
        let first = |s: &str| commands(&chars(s), s.len()).remove(0);
        assert_eq!(cd_target(&first("cd ios/App")), Some(Some("ios/App")));
        assert_eq!(cd_target(&first("pushd -P ios")), Some(Some("ios")));
        assert_eq!(cd_target(&first("cd")), Some(None));
        assert_eq!(cd_target(&first("cd -")), Some(None));
        assert_eq!(cd_target(&first("popd")), Some(None));
        assert_eq!(cd_target(&first("echo cd ios")), None);
        let names = |v: Vec<(String, Span)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(exported(&first("export A=1 B= C=\"x y\" D"))),
            vec!["A", "C"]
        );
        assert!(exported(&first("A=1 fastlane beta")).is_empty());
        assert_eq!(
            names(written_to_github_env(&first(
                "echo \"APP_STORE_CONNECT_API_KEY_PATH=$RUNNER_TEMP/k.json\" >> \"$GITHUB_ENV\""
            ))),
            vec!["APP_STORE_CONNECT_API_KEY_PATH"]
        );
        assert_eq!(
            names(written_to_github_env(&first("echo X=1 >>$GITHUB_ENV"))),
            vec!["X"]
        );
        assert!(written_to_github_env(&first("echo X=1 >> out.txt")).is_empty());
        assert!(written_to_github_env(&first("printf X=1 >> $GITHUB_ENV")).is_empty());
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
