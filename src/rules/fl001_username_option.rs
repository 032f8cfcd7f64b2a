//! FL001 `username-option`: an Apple action is given an Apple ID with `username:`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::knowledge;
use crate::model::ShellRun;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL001",
    name: "username-option",
    severity: Severity::Warning,
    summary: "An Apple action is given an Apple ID with `username:`",
    explanation: "\
**What it finds.** An action that talks to Apple (any alias: `pilot`, `upload_to_testflight`, `deliver`,
`match`, `cert`, `sigh`, `precheck`, `produce`, `pem`, `download_dsyms`, ...) given `username:`, directly or
through an options hash built in the same lane, and `username(\"...\")` in a Matchfile, Deliverfile or
Precheckfile. Other services' `username:` (slack, jira, ...) and pilot's `apple_id:` option (the app's
numeric id) are not Apple logins and are not reported. `match` with `readonly: true` does not log in.

**Why it matters.** The action logs in with that Apple ID: two-factor authentication stalls CI, and session
cookies expire within hours.

A key wins over a username wherever both are given, so once every lane that runs an action reading the
config file (deliver for the Deliverfile; precheck and deliver's precheck step for the Precheckfile; match
for the Matchfile, where read-only runs need no login) has a key, and no shell command or CI step starts
that tool, the message says the `username(...)` is not used by the lanes. It is still reported: a
`fastlane deliver` run from a terminal reads it.

**The way out.** Remove `username:` and give the action an App Store Connect API key:
`app_store_connect_api_key(...)` earlier in the lane (or in `before_all`), or `api_key:`. `fastlint check
--fix` does this for lanes that can move. In a config file, replace `username(...)` with `api_key_path(...)`,
or remove it once the lanes no longer use it.

**Example.**
```ruby
lane :beta do
  pilot(username: \"ci@example.com\")   # FL001
end
```
becomes
```ruby
lane :beta do
  api_key = app_store_connect_api_key(
    key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],
    issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],
    key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]
  )
  pilot(api_key: api_key)
end
```",
    fixable: true,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (&(f, c), site) in &cx.analysis.sites {
        if site.readonly {
            continue;
        }
        let Some(call) = cx.ws.files[f].ruby().map(|m| &m.calls[c]) else {
            continue;
        };
        if let Some(opt) = call.option("username") {
            let how = if opt.via_variable {
                " (through an options hash)"
            } else {
                ""
            };
            out.push(
                Diagnostic::new(
                    &INFO,
                    f,
                    opt.span,
                    format!("`{}` is given an Apple ID with `username:`{how}, so it logs in with that account", call.name),
                )
                .help(if site.action.takes_key_at(site.version) {
                    "remove `username:` and use an App Store Connect API key (`app_store_connect_api_key` earlier in the lane, or `api_key:`); `fastlint check --fix` does this"
                } else {
                    "this action cannot take an API key at this fastlane version (see FL004); keep the Apple ID for it, or move it to a separate job"
                }),
            );
        }
    }
    for (f, file) in cx.ws.files.iter().enumerate() {
        let (FileKind::Config(name), Some(model)) = (file.source.kind, file.ruby()) else {
            continue;
        };
        let tool = match name {
            "Matchfile" => "match",
            "Deliverfile" => "deliver",
            _ => "precheck",
        };
        debug_assert!(knowledge::action(tool).is_some());
        let mut usernames = model
            .calls
            .iter()
            .filter(|c| c.name == "username" && c.first_arg.is_some())
            .peekable();
        if usernames.peek().is_none() {
            continue;
        }
        let unused = keyed_wherever_read(cx, f, readers(name));
        for call in usernames {
            out.push(if unused {
                Diagnostic::new(&INFO, f, call.span, format!("`username(...)` in the {name} is not used by the lanes: every {tool} they run has an App Store Connect API key, which wins over it"))
                    .help(format!("remove it: it still makes `fastlane {tool}` run from a terminal log in with an Apple ID; this file is not rewritten by --fix"))
            } else {
                Diagnostic::new(&INFO, f, call.span, format!("`username(...)` in the {name} makes {tool} log in with an Apple ID"))
                    .help(format!("remove it and set `api_key_path(\"...\")` in the {name}, or call `app_store_connect_api_key` before {tool}; this file is not rewritten by --fix"))
            });
        }
    }
}

/// The actions whose options config file `name` sets: the Precheckfile is read by deliver's
/// precheck step too.
fn readers(name: &str) -> &'static [&'static str] {
    match name {
        "Matchfile" => &["sync_code_signing", "match_nuke"],
        "Deliverfile" => &["upload_to_app_store"],
        _ => &["check_app_store_metadata", "upload_to_app_store"],
    }
}

/// Whether the lanes of the fastlane folder holding config file `f` run some action that reads
/// it, and each with a key (or, for `match` in read-only mode, with no login at all), and no
/// shell command of its Fastfiles or step of its repository's CI files starts one of those tools
/// (which reads the file with no lane around it, and with a key only when the command gives one).
fn keyed_wherever_read(cx: &Context, f: usize, readers: &[&str]) -> bool {
    let projects: Vec<usize> = (0..cx.ws.projects.len())
        .filter(|&p| cx.ws.projects[p].files.contains(&f))
        .collect();
    if projects.is_empty() {
        return false;
    }
    let mut read = false;
    for site in cx.analysis.sites.values() {
        if !projects.contains(&site.project) || !readers.contains(&site.action.name) {
            continue;
        }
        if site.reached_without_key && !site.readonly {
            return false;
        }
        read |= site.reached_with_key || site.readonly;
    }
    let started = |runs: &[ShellRun]| {
        runs.iter()
            .any(|r| readers.contains(&r.action) && !r.key && !r.readonly)
    };
    read && projects.iter().all(|&p| {
        let project = &cx.ws.projects[p];
        !project
            .fastfiles
            .iter()
            .any(|&file| cx.ws.files[file].ruby().is_some_and(|m| started(&m.shell)))
            && !cx.ws.ci.starts_keyless(&project.dir, readers)
    })
}
