//! FL017 `key-filepath-relative`: a relative key file path that does not exist from the project root,
//! where fastlane's actions resolve it.

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
    summary: "A relative key file path that does not exist from the project root",
    explanation: "\
**What it finds.** A relative path written as a literal for an App Store Connect API key file —
`key_filepath:` of `app_store_connect_api_key`, `filepath:` of an `api_key:` hash, `api_key_path:` of any
action, `api_key_path(...)` in a Matchfile/Deliverfile/Precheckfile, `APP_STORE_CONNECT_API_KEY_PATH` /
`*_API_KEY_PATH` / `APP_STORE_CONNECT_API_KEY_KEY_FILEPATH` in a fastlane `.env` file or an `ENV[...] =` write
— when no file exists at that path from the project root (the folder that holds the `fastlane` folder).
Absolute paths, `~` paths and paths with variables or interpolation are not checked, and neither are
paths a `.gitignore` (from the file's folder up to the top of the repository) ignores: those files are
meant to be provided at run time.

**Why it matters.** fastlane evaluates the Fastfile in the `fastlane` folder (so `sh` and `File.read` start
there) but runs every action from the project root. `key_filepath: \"./AuthKey.p8\"` next to the Fastfile
therefore fails with \"Couldn't find key p8 file\"; the lane works on nobody's machine but the one where the
file happens to sit at the root.

**The way out.** Write the path from the project root (`fastlane/AuthKey.p8`), or build an absolute one
(`File.expand_path(\"AuthKey.p8\", __dir__)`). When CI writes the file before fastlane runs, this finding
is expected on a fresh checkout: suppress it there, or point the path at where CI writes it.

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
        if refs.iter().any(|r| r.exists || r.ignored) {
            continue;
        }
        let r = refs[0];
        let what = if r.json { "key file" } else { ".p8 key file" };
        let beside = r.fastlane_dir.join(&r.literal);
        let (message, help) = if r.fastlane_dir != r.project_root && beside.exists() {
            let from_root = r
                .fastlane_dir
                .strip_prefix(&r.project_root)
                .unwrap_or(&r.fastlane_dir)
                .join(&r.literal);
            let suggestion = display_path(&normalize(&from_root));
            (
                format!(
                    "the {what} `{}` is resolved from the project root (`{}`), where it does not exist; it exists relative to the fastlane folder",
                    r.literal,
                    display_path(&r.project_root)
                ),
                format!("actions run from the project root: write `{suggestion}`"),
            )
        } else {
            (
                format!(
                    "no {what} at `{}`: actions resolve `{}` from the project root (`{}`)",
                    display_path(&r.resolved),
                    r.literal,
                    display_path(&r.project_root)
                ),
                "write the path from the project root (the folder above `fastlane`), or an absolute one (`File.expand_path(\"...\", __dir__)`); if CI creates the file before fastlane runs, suppress this finding".to_string(),
            )
        };
        out.push(Diagnostic::new(&INFO, f, span, message).help(help));
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
