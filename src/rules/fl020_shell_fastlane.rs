//! FL020 `shell-fastlane`: a shell command in Ruby code, or a CI step, starts a fastlane tool that
//! logs in with an Apple ID.

use super::{Context, Rule};
use crate::analysis::ShellSite;
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge::{self, Auth};
use crate::load::Workspace;
use crate::model::{Contents, ShellRun};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL020",
    name: "shell-fastlane",
    severity: Severity::Error,
    summary: "A fastlane tool started from a shell logs in with an Apple ID",
    explanation: "\
**What it finds.** A shell command in Ruby code (`sh(...)`, `system(...)`, backticks, `%x(...)`) that
starts a fastlane tool or action that talks to Apple (`fastlane pilot`, `fastlane match`, `fastlane run
download_dsyms`, also after `bundle exec`, `env` or `VAR=value`), when that tool:
- is given an Apple ID on the command line (`-u`, `--username`, `username:` with `fastlane run`, or a
  `FASTLANE_USER=`/`FASTLANE_PASSWORD=`/`PILOT_USERNAME=`... assignment before it);
- gets no App Store Connect API key: none on the command line (`--api_key_path`, `--api_key`,
  `api_key_path:`), no key variable (`APP_STORE_CONNECT_API_KEY_PATH`, the tool's own `*_API_KEY_PATH`)
  set for it in a fastlane `.env` file or in Ruby before it, and no `api_key_path` in its config file
  (Matchfile, Deliverfile); or
- needs an Apple ID at the project's fastlane version (`fastlane pem`, `fastlane produce` up to 2.237.0).

The command may be a string, a heredoc (`sh <<~SH`, also with `.strip` or `.chomp`), or a local variable
assigned one of those earlier in the same lane, hook or method (`cmd = \"fastlane pilot ...\"` then
`sh(cmd)`); the diagnostic then points at the string and names the call. Strings and heredocs added with
`+=` or `<<` are read as part of the command (every one, also one added under an `if`; up to 64 pieces).
A variable assigned again under a condition (`cmd = \"...\" if ENV[\"CI\"]`, in an `if`, `case`, loop or
block, a `rescue`) may still hold what it held before, so both are read: the string assigned under the
condition, and the one before it, with what was added to it outside the condition's code. A string chosen
by a ternary (`ENV[\"KEY\"] ? \"...\" : \"...\"`) is read both ways too.
A variable with anything else added to it (`cmd += flags`), one assigned something else (a method's
result), and a shell script are not read.
`fastlane match --readonly` needs no login and is not reported.

The steps of CI configuration files are read too (`run:`, `script:`, `command:`, Bitrise's `content:`,
Jenkinsfile `sh '...'` steps): there, a fastlane tool given an Apple ID on the command line, or one with
no key support (`fastlane pem`), is reported. Which fastlane folder, version and environment a step runs
with is not followed, so a step without either is not.

**Why it matters.** The command starts a new fastlane process. `app_store_connect_api_key` in the lane
puts its key in that lane's context and Spaceship token, which a new process never sees, so the tool logs
in with an Apple ID (`-u`, `FASTLANE_USER`, the Appfile's `apple_id`) and two-factor authentication stalls
CI. The lane cannot be migrated by `--fix`, which rewrites action calls, not shell commands.

**The way out.** Call the action in the lane instead (`pilot(...)` for `fastlane pilot upload`), where
the lane's key reaches it; or give the command a key file: drop `-u` and pass `--api_key_path
path/to/key.json` (the JSON form of an App Store Connect API key), or set `APP_STORE_CONNECT_API_KEY_PATH`
for it.

**Example.**
```ruby
lane :beta do
  app_store_connect_api_key(key_id: \"D383SF739\", issuer_id: \"6053b7fe\", key_filepath: \"AuthKey.p8\")
  sh(\"bundle exec fastlane pilot upload -u ci@example.com\")   # FL020
end
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, i), site) in &cx.analysis.shell {
        let Some(run) = cx.ws.files[f].ruby().map(|m| &m.shell[i]) else {
            continue;
        };
        let help = help(run, site);
        out.push(Diagnostic::new(&INFO, f, run.span, message(cx.ws, f, run, site)).help(help));
    }
    for (f, file) in cx.ws.files.iter().enumerate() {
        let Contents::Ci(ci) = &file.contents else {
            continue;
        };
        for run in &ci.fastlane {
            if let Some((message, help)) = ci_step(&file.source.text, run) {
                out.push(Diagnostic::new(&INFO, f, run.span, message).help(help));
            }
        }
    }
}

/// A CI step's fastlane run, when it logs in with an Apple ID whatever the environment holds: an
/// Apple ID on the command line, or a tool with no key support. (Which fastlane folder and version
/// a step runs with, and what its job's environment sets, are not followed.)
fn ci_step(text: &str, run: &ShellRun) -> Option<(String, String)> {
    let action = knowledge::action(run.action)?;
    let what = &run.text;
    if run.readonly {
        return None;
    }
    if action.auth == Auth::AppleIdOnly {
        return Some((
            format!("`{what}` run by a CI step needs an Apple ID: fastlane has no API-key support for it"),
            action.way_out.to_string(),
        ));
    }
    let given = run.apple_id.and_then(|s| text.get(s.start..s.end))?;
    Some((
        format!(
            "`{what}` run by a CI step logs in with the Apple ID given by `{}`",
            flag_of(given)
        ),
        "drop the Apple ID and pass `--api_key_path path/to/key.json` (or set `APP_STORE_CONNECT_API_KEY_PATH` in the job's environment), or run a lane that calls `app_store_connect_api_key` first".to_string(),
    ))
}

/// What is wrong with a fastlane run started from a shell (also a lane's verdict reason).
pub fn message(ws: &Workspace, file: usize, run: &ShellRun, site: &ShellSite) -> String {
    let what = what_happens(ws, file, run, site);
    match run.via {
        // The diagnostic points at the string; say where it runs.
        Some(call) => {
            let source = &ws.files[file].source;
            let shown = source.text[call.start..call.end]
                .lines()
                .next()
                .unwrap_or_default()
                .trim_end();
            format!(
                "{what} (the command is held in a variable, run by `{shown}` on line {})",
                source.line_of(call.start)
            )
        }
        None => what,
    }
}

fn what_happens(ws: &Workspace, file: usize, run: &ShellRun, site: &ShellSite) -> String {
    let text = &ws.files[file].source.text;
    let what = &run.text;
    if site.apple_id_only {
        return match site.action.key_since() {
            Some(since) => format!(
                "`{what}` started from a shell needs an Apple ID: it takes an App Store Connect API key only from fastlane {since}, and this project uses {}",
                site.version
            ),
            None => format!(
                "`{what}` started from a shell needs an Apple ID: fastlane has no API-key support for it"
            ),
        };
    }
    match run.apple_id.and_then(|s| text.get(s.start..s.end)) {
        Some(given) => format!(
            "`{what}` started from a shell logs in with the Apple ID given by `{}`",
            flag_of(given)
        ),
        None => format!(
            "`{what}` started from a shell gets no App Store Connect API key, so it logs in with an Apple ID: a new fastlane process does not see the lane's key"
        ),
    }
}

fn help(run: &ShellRun, site: &ShellSite) -> String {
    let action = site.action;
    if site.apple_id_only {
        return action.way_out.to_string();
    }
    let call = action.aliases.first().copied().unwrap_or(action.name);
    let drop = if run.apple_id.is_some() {
        "drop the Apple ID and "
    } else {
        ""
    };
    format!(
        "call `{call}(...)` in the lane instead, where its key reaches it; or {drop}pass `--api_key_path path/to/key.json` (or set `APP_STORE_CONNECT_API_KEY_PATH`) for the command"
    )
}

/// The flag or variable that gives an Apple ID, without its value: `-u`, `--username`, `username:`,
/// `FASTLANE_USER`.
fn flag_of(given: &str) -> String {
    let first = given
        .split([' ', '\t', '\n', ','])
        .next()
        .unwrap_or(given)
        .trim_matches(['"', '\'']);
    let flag = if first.starts_with('-') {
        first.split('=').next().unwrap_or(first)
    } else if let Some((name, _)) = first.split_once('=') {
        name
    } else if let Some((name, _)) = first.split_once(':') {
        return format!("{name}:");
    } else {
        first
    };
    // A short flag with its value joined (`-ume@x.com`).
    match flag.char_indices().nth(2) {
        Some((end, _)) if flag.starts_with('-') && !flag.starts_with("--") => {
            flag[..end].to_string()
        }
        _ => flag.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::flag_of;

    #[test]
    fn names_the_flag_not_the_apple_id() {
        for (given, flag) in [
            ("-u me@x.com", "-u"),
            ("-ume@x.com", "-u"),
            ("--username=me", "--username"),
            ("--username '#{u}'", "--username"),
            ("username:me", "username:"),
            ("FASTLANE_USER=me", "FASTLANE_USER"),
            ("\"--username\", user", "--username"),
        ] {
            assert_eq!(flag_of(given), flag, "{given}");
        }
    }
}
