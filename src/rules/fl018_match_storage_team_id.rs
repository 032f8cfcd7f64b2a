//! FL018 `match-storage-team-id`: match writes to S3, Google Cloud or GitLab storage with an App Store
//! Connect API key and no team id.

use super::{
    config_value, env_set_for, keyed_calls, options_unknown, projects_of, value_text, Context, Rule,
};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::model::Call;
use crate::source::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL018",
    name: "match-storage-team-id",
    severity: Severity::Warning,
    summary: "match with S3, Google Cloud or GitLab storage and an API key has no `team_id`",
    explanation: "\
**What it finds.** `match`/`sync_code_signing` that is not `readonly`, keeps its certificates in S3, Google
Cloud or GitLab storage (`storage_mode: \"s3\"`, `\"google_cloud\"` or `\"gitlab_secure_files\"`, in the call or
the Matchfile), and runs with an App Store Connect API key, while no team id is set: no `team_id:` in the
call, no `team_id` in the Matchfile or the Appfile, no `team_id(...)` action in the Fastfile, and no
`FASTLANE_TEAM_ID` where the run sees it. It stays quiet when it cannot read the storage mode (`ENV[...]`,
`MATCH_STORAGE_MODE`, an options hash it cannot see).

**Why it matters.** These storages keep each team's files under the team id. With an Apple ID, match asks the
Developer Portal for it; with an API key it cannot (the App Store Connect API does not give the portal team
id), so match stops with \"The `team_id` option is required\". This typically shows up right after a lane is
moved to a key. Git storage and `readonly: true` are not affected.

**The way out.** Set the Developer Portal team id: `team_id: \"ABCDE12345\"` in the call, `team_id(\"ABCDE12345\")`
in the Matchfile or Appfile, or `FASTLANE_TEAM_ID` in the environment (the `team_id` action sets it too).

**Example.**
```ruby
lane :certificates do
  app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"], key_filepath: \"keys/AuthKey.p8\")
  match(type: \"appstore\", storage_mode: \"s3\", s3_bucket: \"example-certs\")   # FL018
end
```
becomes
```ruby
  match(type: \"appstore\", storage_mode: \"s3\", s3_bucket: \"example-certs\", team_id: \"ABCDE12345\")
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

/// The storage modes that file certificates under the team id, with how to name them.
const TEAM_STORAGES: &[(&str, &str)] = &[
    ("s3", "S3"),
    ("google_cloud", "Google Cloud"),
    ("gitlab_secure_files", "GitLab"),
];

/// Whether the projects running file `f` set a Developer Portal team id anywhere match reads it:
/// `team_id` in the Matchfile or the Appfile, or the `team_id` action in a Fastfile (it sets
/// `FASTLANE_TEAM_ID`), whatever the value.
fn team_id_set(cx: &Context, f: usize) -> bool {
    projects_of(cx, f).any(|project| {
        project.files.iter().chain(&project.fastfiles).any(|&g| {
            let file = &cx.ws.files[g];
            matches!(
                file.source.kind,
                FileKind::Config("Matchfile") | FileKind::Appfile | FileKind::Fastfile
            ) && file
                .ruby()
                .is_some_and(|m| m.calls.iter().any(|c| c.name == "team_id"))
        })
    })
}

/// The storage mode of a call and where it is written (the call's name when it comes from the
/// Matchfile), when fastlint can read it.
fn storage_mode(cx: &Context, f: usize, call: &Call) -> Option<(String, crate::model::Span)> {
    if let Some(opt) = call.option("storage_mode") {
        return value_text(&opt.value).map(|mode| (mode, opt.span));
    }
    if options_unknown(call) || env_set_for(cx, f, &["MATCH_STORAGE_MODE"]) {
        return None;
    }
    config_value(cx, f, "Matchfile", "storage_mode").map(|mode| (mode, call.name_span))
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, site, call) in keyed_calls(cx) {
        if site.action.name != "sync_code_signing" {
            continue;
        }
        let Some((mode, span)) = storage_mode(cx, f, call) else {
            continue;
        };
        let Some((_, storage)) = TEAM_STORAGES.iter().find(|(m, _)| *m == mode) else {
            continue;
        };
        if call.option("team_id").is_some()
            || options_unknown(call)
            || team_id_set(cx, f)
            || env_set_for(cx, f, &["FASTLANE_TEAM_ID"])
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                span,
                format!("`{}` keeps its certificates in {storage} storage and runs with an App Store Connect API key, but no `team_id` is set: match cannot get the team id from an API key, so it stops", call.name),
            )
            .help("set the Developer Portal team id: `team_id: \"ABCDE12345\"` here, `team_id(\"ABCDE12345\")` in the Matchfile or Appfile, or `FASTLANE_TEAM_ID`"),
        );
    }
}
