//! FL017 `key-filepath-relative`: a relative key file path written from the fastlane folder, while
//! fastlane's actions resolve it from the project root.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::discover::display_path;
use crate::load::KeyPathRef;
use crate::model::Span;

pub static INFO: RuleInfo = RuleInfo {
    code: "FL017",
    name: "key-filepath-relative",
    severity: Severity::Warning,
    summary: "A relative key file path that only exists from the fastlane folder",
    explanation: "\
**What it finds.** A relative path written as a literal for an App Store Connect API key file —
`key_filepath:` of `app_store_connect_api_key`, `filepath:` of an `api_key:` hash, `api_key_path:` of any
action, `api_key_path(...)` in a Matchfile/Deliverfile/Precheckfile, `APP_STORE_CONNECT_API_KEY_PATH` /
`*_API_KEY_PATH` / `APP_STORE_CONNECT_API_KEY_KEY_FILEPATH` in a fastlane `.env` file or an `ENV[...] =` write
— that does not exist from the project root (the folder that holds the `fastlane` folder) but does exist
from the `fastlane` folder.

A path that exists nowhere in the tree is not reported: key files are usually kept out of the repository
and written by CI before fastlane runs, so a missing file says nothing about the path. Absolute paths, `~`
paths and paths with variables or interpolation are not checked.

**Why it matters.** fastlane evaluates the Fastfile in the `fastlane` folder (so `sh`, `File.read` and
`Dir.pwd` start there) but runs every action from the project root. `key_filepath: \"./AuthKey.p8\"` for a
key that sits next to the Fastfile therefore fails with \"Couldn't find key p8 file\", and `api_key_path:
\"api_key.json\"` with a missing-file error, although the file is right there.

**The way out.** Write the path from the project root (`fastlane/AuthKey.p8`), or build an absolute one
(`File.expand_path(\"AuthKey.p8\", __dir__)`).

**Example.**
```ruby
# fastlane/Fastfile, with the key at fastlane/AuthKey.p8
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"],
                          key_filepath: \"./AuthKey.p8\")   # FL017
```
becomes
```ruby
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"],
                          key_filepath: \"fastlane/AuthKey.p8\")
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // One finding per place, and none when the path exists from any project that runs the file.
    let mut by_place: BTreeMap<(usize, Span), Vec<&KeyPathRef>> = BTreeMap::new();
    for r in &cx.ws.key_paths {
        by_place.entry((r.file, r.span)).or_default().push(r);
    }
    for ((f, span), refs) in by_place {
        if refs.iter().any(|r| r.exists) {
            continue;
        }
        let Some(r) = refs
            .into_iter()
            .find(|r| r.fastlane_dir != r.project_root && r.fastlane_dir.join(&r.literal).exists())
        else {
            continue;
        };
        let what = if r.json { "key file" } else { ".p8 key file" };
        let from_root = r
            .fastlane_dir
            .strip_prefix(&r.project_root)
            .unwrap_or(&r.fastlane_dir)
            .join(&r.literal);
        let suggestion = display_path(&normalize(&from_root));
        out.push(
            Diagnostic::new(
                &INFO,
                f,
                span,
                format!(
                    "the {what} `{}` exists from the fastlane folder, but actions resolve it from the project root (`{}`), where it does not exist",
                    r.literal,
                    display_path(&r.project_root)
                ),
            )
            .help(format!(
                "actions run from the project root: write `{suggestion}` (or an absolute path)"
            )),
        );
    }
}

/// A relative path with `.` and `name/..` pairs taken out.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}
