//! FL017 `key-filepath-relative`: a relative key file path that does not exist from the project root,
//! where fastlane's actions resolve it: written from the fastlane folder, or naming a file that is
//! nowhere and that no `.gitignore` marks as kept out of the repository.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::discover::display_path;
use crate::gitignore::GitIgnores;
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
`*_API_KEY_PATH` / `APP_STORE_CONNECT_API_KEY_KEY_FILEPATH` in a fastlane `.env` file (not a template such as
`.env.example`, whose paths are placeholders) or an `ENV[...] =` write — that does not exist from the project root (the folder that holds the `fastlane` folder), where fastlane's
actions resolve it. The message says which of two cases it is:
- the file exists from the `fastlane` folder (`./AuthKey.p8` for `fastlane/AuthKey.p8`): the path was
  written from the wrong folder;
- the file exists nowhere: a typo, a key that moved, or a key that CI writes before fastlane runs.

A path that git ignores is not reported when the file is missing: key files are kept out of the repository
and written by CI, and a `.gitignore` entry is how a repository says so, so fastlint takes such a path as
provided by CI. The `.gitignore` files read are those from the repository's top folder (the nearest folder
with `.git` at or above the project root; without one, the project root) down to the path's folder: the
project root and the folders above it, and the `fastlane` folder for a path inside it. They are matched
with the `gitignore` module of the `ignore` crate, the matcher ripgrep uses, so that negations (`!`),
anchored patterns, `**` and ignored folders mean what they mean to git rather than what a hand-written
matcher would guess. A file that exists from the `fastlane` folder is reported even when git ignores it:
keys kept beside the Fastfile are usually ignored, and that file is the one meant. Absolute paths, `~`
paths and paths with variables or interpolation (`ENV[...]`, `#{...}`, `$VAR`) are not checked.

**Why it matters.** fastlane evaluates the Fastfile in the `fastlane` folder (so `sh`, `File.read` and
`Dir.pwd` start there) but runs every action from the project root. `key_filepath: \"./AuthKey.p8\"` for a
key that sits next to the Fastfile therefore fails with \"Couldn't find key p8 file\", and `api_key_path:
\"api_key.json\"` with a missing-file error, although the file is right there. A path that exists nowhere
fails the same way on every machine that does not create the file first.

**The way out.** Write the path from the project root (`fastlane/AuthKey.p8`), or build an absolute one
(`File.expand_path(\"AuthKey.p8\", __dir__)`). If CI writes the key to that path before fastlane runs,
list the path in `.gitignore` (the key is then not committed by accident, and fastlint takes the path as
provided by CI), or suppress the finding: `# fastlint: ignore FL017 -- written by CI`.

**Example.**
```ruby
# fastlane/Fastfile, with the key at fastlane/AuthKey.p8 and no keys/ folder in the repository
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"],
                          key_filepath: \"./AuthKey.p8\")   # FL017: it is at fastlane/AuthKey.p8
pilot(api_key_path: \"keys/asc_key.json\")                # FL017: keys/asc_key.json is nowhere
```
becomes
```ruby
app_store_connect_api_key(key_id: \"ABC123DEFG\", issuer_id: ENV[\"ASC_ISSUER\"],
                          key_filepath: \"fastlane/AuthKey.p8\")
pilot(api_key_path: \"keys/asc_key.json\")                # CI writes it before fastlane runs
```
with the key that CI writes kept out of the repository:
```
# .gitignore, beside the fastlane folder
keys/asc_key.json
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // One finding per place, and none when the path exists from any project that runs the file.
    let mut by_place: BTreeMap<(usize, Span), Vec<&KeyPathRef>> = BTreeMap::new();
    let mut ignores = GitIgnores::new();
    for r in &cx.ws.key_paths {
        by_place.entry((r.file, r.span)).or_default().push(r);
    }
    for ((f, span), refs) in by_place {
        if refs.iter().any(|r| r.exists) {
            continue;
        }
        if let Some(r) = refs
            .iter()
            .find(|r| r.fastlane_dir != r.project_root && r.fastlane_dir.join(&r.literal).exists())
        {
            out.push(from_fastlane_folder(f, span, r));
            continue;
        }
        if refs
            .iter()
            .any(|r| ignores.is_ignored(&r.project_root, &r.resolved))
        {
            continue;
        }
        out.push(nowhere(f, span, refs[0]));
    }
}

fn what(r: &KeyPathRef) -> &'static str {
    if r.json {
        "key file"
    } else {
        ".p8 key file"
    }
}

/// The path exists from the fastlane folder, not from the project root.
fn from_fastlane_folder(f: usize, span: Span, r: &KeyPathRef) -> Diagnostic {
    let from_root = r
        .fastlane_dir
        .strip_prefix(&r.project_root)
        .unwrap_or(&r.fastlane_dir)
        .join(&r.literal);
    let suggestion = display_path(&normalize(&from_root));
    Diagnostic::new(
        &INFO,
        f,
        span,
        format!(
            "the {} `{}` exists from the fastlane folder, but actions resolve it from the project root (`{}`), where it does not exist",
            what(r),
            r.literal,
            display_path(&r.project_root)
        ),
    )
    .help(format!(
        "the path resolves from the project root, not the fastlane folder: write `{suggestion}` (or an absolute path)"
    ))
}

/// The path exists nowhere, and no `.gitignore` says it is kept out of the repository.
fn nowhere(f: usize, span: Span, r: &KeyPathRef) -> Diagnostic {
    let from_root = normalize(Path::new(&r.literal));
    let inside = !matches!(from_root.components().next(), Some(Component::ParentDir));
    let ci = if inside {
        format!(
            "if CI writes the key there before fastlane runs, list `{}` in the .gitignore of the project root (fastlint then takes it as provided by CI) or suppress this finding",
            display_path(&from_root)
        )
    } else {
        "if CI writes the key there before fastlane runs, suppress this finding".to_string()
    };
    Diagnostic::new(
        &INFO,
        f,
        span,
        format!(
            "the {} `{}` does not exist relative to the project root (`{}`), where actions resolve it",
            what(r),
            r.literal,
            display_path(&r.project_root)
        ),
    )
    .help(format!(
        "write the path from the project root (or an absolute path); {ci}"
    ))
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
