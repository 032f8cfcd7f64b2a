//! Runs `action.yml` the way a GitHub runner runs a composite action: its inputs with their
//! defaults, `${{ }}` expressions, each step's `if:` (with the implicit `success()`), `shell: bash`
//! steps through `bash --noprofile --norc -eo pipefail`, `$GITHUB_OUTPUT`, `$GITHUB_PATH` and
//! `$GITHUB_STEP_SUMMARY`. `cargo install` is stood in for by a script that checks its arguments
//! and installs the binary under test; `uses:` steps are recorded with their evaluated `with:`.
//!
//! The pre-commit hook (`.pre-commit-hooks.yaml`) is checked the same way: its `files` pattern,
//! matched as pre-commit does (`re.search` on the path from the repository root), must take every
//! file fastlint reads and leave the rest.

mod ci_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use saphyr::{LoadableYamlNode, Yaml};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One step of the composite action, as written.
struct Step {
    name: String,
    id: Option<String>,
    cond: Option<String>,
    shell: Option<String>,
    env: Vec<(String, String)>,
    run: Option<String>,
    uses: Option<String>,
    with: Vec<(String, String)>,
}

struct Action {
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
    steps: Vec<Step>,
}

fn text(y: &Yaml) -> String {
    if let Some(s) = y.as_str() {
        return s.to_string();
    }
    if let Some(b) = y.as_bool() {
        return b.to_string();
    }
    panic!("not a string in action.yml: {y:?}")
}

fn pairs(y: Option<&Yaml>) -> Vec<(String, String)> {
    let Some(map) = y.and_then(|y| y.as_mapping()) else {
        return Vec::new();
    };
    map.iter().map(|(k, v)| (text(k), text(v))).collect()
}

fn load_action() -> Action {
    let source = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let docs = Yaml::load_from_str(&source).expect("action.yml is YAML");
    let doc = &docs[0];
    let mut inputs = BTreeMap::new();
    for (name, spec) in doc["inputs"].as_mapping().expect("inputs") {
        let default = spec.as_mapping_get("default").map(text).unwrap_or_default();
        inputs.insert(text(name), default);
    }
    let mut outputs = BTreeMap::new();
    for (name, spec) in doc["outputs"].as_mapping().expect("outputs") {
        outputs.insert(text(name), text(&spec["value"]));
    }
    assert_eq!(text(&doc["runs"]["using"]), "composite");
    let steps = doc["runs"]["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(|s| Step {
            name: text(&s["name"]),
            id: s.as_mapping_get("id").map(text),
            cond: s.as_mapping_get("if").map(text),
            shell: s.as_mapping_get("shell").map(text),
            env: pairs(s.as_mapping_get("env")),
            run: s.as_mapping_get("run").map(text),
            uses: s.as_mapping_get("uses").map(text),
            with: pairs(s.as_mapping_get("with")),
        })
        .collect();
    Action {
        inputs,
        outputs,
        steps,
    }
}

/// What an expression can read while the action runs.
struct Contexts {
    inputs: BTreeMap<String, String>,
    /// `steps.<id>.outputs.<name>`.
    step_outputs: BTreeMap<String, BTreeMap<String, String>>,
    action_path: PathBuf,
    temp: PathBuf,
    workspace: PathBuf,
}

impl Contexts {
    fn lookup(&self, name: &str) -> String {
        if let Some(input) = name.strip_prefix("inputs.") {
            return self
                .inputs
                .get(input)
                .unwrap_or_else(|| panic!("action.yml reads an undeclared input `{input}`"))
                .clone();
        }
        if let Some(rest) = name.strip_prefix("steps.") {
            let (id, output) = rest
                .split_once(".outputs.")
                .expect("steps.<id>.outputs.<name>");
            return self
                .step_outputs
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        let path = match name {
            "github.action_path" => &self.action_path,
            "runner.temp" => &self.temp,
            "github.workspace" => &self.workspace,
            _ => panic!("the runner stand-in does not know `{name}`: teach it"),
        };
        path.display().to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Bool(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Bool(b) => *b,
            Val::Str(s) => !s.is_empty(),
        }
    }
    fn string(&self) -> String {
        match self {
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => s.clone(),
        }
    }
}

/// GitHub's expression language, as far as `action.yml` uses it: context names, `'strings'`,
/// `==`, `!=`, `&&`, `||` and parentheses. Anything else fails the test, so a new construct in
/// the action is noticed rather than misread.
struct Expr<'a> {
    toks: Vec<String>,
    at: usize,
    cx: &'a Contexts,
}

impl<'a> Expr<'a> {
    fn eval(src: &str, cx: &'a Contexts) -> Val {
        let mut toks = Vec::new();
        let b = src.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_whitespace() {
                i += 1;
            } else if c == b'\'' {
                let end = src[i + 1..].find('\'').expect("closed string") + i + 1;
                toks.push(src[i..=end].to_string());
                i = end + 1;
            } else if ["==", "!=", "&&", "||"]
                .iter()
                .any(|op| src[i..].starts_with(op))
            {
                toks.push(src[i..i + 2].to_string());
                i += 2;
            } else if c == b'(' || c == b')' {
                toks.push((c as char).to_string());
                i += 1;
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                let end = src[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || "_-.".contains(ch)))
                    .map_or(src.len(), |n| n + i);
                toks.push(src[i..end].to_string());
                i = end;
            } else {
                panic!("unsupported character in expression `{src}`");
            }
        }
        let mut e = Expr { toks, at: 0, cx };
        let v = e.or();
        assert_eq!(e.at, e.toks.len(), "trailing tokens in `{src}`");
        v
    }

    fn peek(&self) -> Option<&str> {
        self.toks.get(self.at).map(String::as_str)
    }

    fn or(&mut self) -> Val {
        let mut v = self.and();
        while self.peek() == Some("||") {
            self.at += 1;
            let r = self.and();
            v = Val::Bool(v.truthy() || r.truthy());
        }
        v
    }

    fn and(&mut self) -> Val {
        let mut v = self.cmp();
        while self.peek() == Some("&&") {
            self.at += 1;
            let r = self.cmp();
            v = Val::Bool(v.truthy() && r.truthy());
        }
        v
    }

    fn cmp(&mut self) -> Val {
        let l = self.atom();
        match self.peek() {
            Some(op @ ("==" | "!=")) => {
                let eq = op == "==";
                self.at += 1;
                let r = self.atom();
                // GitHub compares strings ignoring case.
                let same = l.string().eq_ignore_ascii_case(&r.string());
                Val::Bool(same == eq)
            }
            _ => l,
        }
    }

    fn atom(&mut self) -> Val {
        let t = self.peek().expect("an operand").to_string();
        self.at += 1;
        if t == "(" {
            let v = self.or();
            assert_eq!(self.peek(), Some(")"));
            self.at += 1;
            return v;
        }
        if let Some(s) = t.strip_prefix('\'') {
            return Val::Str(s.trim_end_matches('\'').to_string());
        }
        assert_ne!(
            self.peek(),
            Some("("),
            "status functions such as `{t}()` are not modelled"
        );
        Val::Str(self.cx.lookup(&t))
    }
}

/// Replaces each `${{ expr }}` in `s`.
fn interpolate(s: &str, cx: &Contexts) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed ${{") + start;
        out.push_str(&Expr::eval(&rest[start + 3..end], cx).string());
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A step's condition: an `if:` with or without `${{ }}`, and the implicit `success()`.
fn should_run(step: &Step, cx: &Contexts, failed: bool) -> bool {
    if failed {
        return false;
    }
    match &step.cond {
        None => true,
        Some(c) => {
            let c = c.trim();
            let inner = c
                .strip_prefix("${{")
                .and_then(|c| c.strip_suffix("}}"))
                .unwrap_or(c);
            Expr::eval(inner, cx).truthy()
        }
    }
}

#[derive(Debug)]
enum Ran {
    Skipped,
    Shell {
        code: i32,
        stdout: String,
        stderr: String,
    },
    Uses {
        action: String,
        with: BTreeMap<String, String>,
    },
}

struct Outcome {
    failed: bool,
    steps: Vec<(String, Ran)>,
    outputs: BTreeMap<String, String>,
    summary: String,
    cargo_args: String,
}

impl Outcome {
    fn step(&self, name: &str) -> &Ran {
        &self
            .steps
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no step `{name}`"))
            .1
    }

    fn describe(&self) -> String {
        format!(
            "failed: {}\noutputs: {:?}\n{:#?}",
            self.failed, self.outputs, self.steps
        )
    }
}

/// Reads `name=value` lines and `name<<EOF` blocks from a `$GITHUB_OUTPUT` file.
fn read_outputs(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// Runs the action in `workspace` with the given inputs (the rest keep their defaults).
fn run_action(workspace: &Path, given: &[(&str, &str)]) -> Outcome {
    let action = load_action();
    let tmp = tempfile::tempdir().unwrap();
    let runner_temp = tmp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();

    let fake = tmp.path().join("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let cargo_args = tmp.path().join("cargo-args");
    let script = r#"#!/bin/bash
# Stands in for `cargo install`: records its arguments, then installs the binary under test.
echo "$*" > "$CARGO_ARGS_FILE"
[ "$1" = install ] || { echo "not cargo install: $*" >&2; exit 64; }
path= root=
while [ $# -gt 0 ]; do
  case "$1" in
    --path) path=$2; shift ;;
    --root) root=$2; shift ;;
  esac
  shift
done
[ -f "$path/Cargo.toml" ] || { echo "no Cargo.toml in '$path'" >&2; exit 65; }
[ -n "$root" ] || { echo "no --root" >&2; exit 66; }
mkdir -p "$root/bin" && cp "$FASTLINT_UNDER_TEST" "$root/bin/fastlint"
"#;
    let cargo = fake.join("cargo");
    std::fs::write(&cargo, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    let mut inputs = action.inputs.clone();
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "action.yml has no input `{k}`");
        inputs.insert(k.to_string(), v.to_string());
    }
    let mut cx = Contexts {
        inputs,
        step_outputs: BTreeMap::new(),
        action_path: root().to_path_buf(),
        temp: runner_temp.clone(),
        workspace: workspace.to_path_buf(),
    };
    let github_path = tmp.path().join("github-path");
    let summary = tmp.path().join("step-summary.md");
    std::fs::write(&github_path, "").unwrap();
    // fastlint is not on the runner until the action installs it.
    let base_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    let mut failed = false;
    let mut steps = Vec::new();
    for (n, step) in action.steps.iter().enumerate() {
        if !should_run(step, &cx, failed) {
            steps.push((step.name.clone(), Ran::Skipped));
            continue;
        }
        if let Some(uses) = &step.uses {
            let with = step
                .with
                .iter()
                .map(|(k, v)| (k.clone(), interpolate(v, &cx)))
                .collect();
            steps.push((
                step.name.clone(),
                Ran::Uses {
                    action: uses.clone(),
                    with,
                },
            ));
            continue;
        }
        assert_eq!(step.shell.as_deref(), Some("bash"), "{}", step.name);
        let run = step.run.as_deref().expect("a run step");
        let script = tmp.path().join(format!("step-{n}.sh"));
        std::fs::write(&script, interpolate(run, &cx)).unwrap();
        let output_file = tmp.path().join(format!("output-{n}"));
        std::fs::write(&output_file, "").unwrap();
        // `$GITHUB_PATH` entries come first, the latest first.
        let added: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = added
            .into_iter()
            .chain([fake.display().to_string(), base_path.to_string()])
            .collect::<Vec<_>>()
            .join(":");
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", path)
            .env("HOME", tmp.path())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_WORKSPACE", workspace)
            .env("RUNNER_TEMP", &runner_temp)
            .env("CARGO_ARGS_FILE", &cargo_args)
            .env("FASTLINT_UNDER_TEST", env!("CARGO_BIN_EXE_fastlint"));
        for (k, v) in &step.env {
            cmd.env(k, interpolate(v, &cx));
        }
        let out = cmd.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        failed = code != 0;
        if let Some(id) = &step.id {
            cx.step_outputs
                .insert(id.clone(), read_outputs(&output_file));
        }
        steps.push((
            step.name.clone(),
            Ran::Shell {
                code,
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        ));
    }
    let outputs = action
        .outputs
        .iter()
        .map(|(k, v)| (k.clone(), interpolate(v, &cx)))
        .collect();
    Outcome {
        failed,
        steps,
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        cargo_args: std::fs::read_to_string(&cargo_args).unwrap_or_default(),
    }
}

/// A workspace holding a copy of the bundled example (findings in every verdict).
fn example_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ci_common::copy_dir(&root().join("fixtures/example"), dir.path());
    dir
}

/// A workspace whose one lane is already on a key: nothing to report.
fn clean_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("fastlane")).unwrap();
    std::fs::write(
        dir.path().join("fastlane/Fastfile"),
        "lane :beta do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: ENV[\"KEY_PATH\"])\n  pilot\nend\n",
    )
    .unwrap();
    dir
}

fn sarif_results(path: &Path) -> usize {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no SARIF report at {}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).expect("the SARIF report is JSON");
    assert_eq!(v["version"], "2.1.0");
    v["runs"][0]["results"].as_array().expect("results").len()
}

#[test]
fn findings_are_uploaded_then_fail_the_job() {
    let ws = example_workspace();
    let o = run_action(ws.path(), &[]);
    let d = o.describe();

    // Installed from the action's own folder into the runner's temporary folder.
    let args: Vec<&str> = o.cargo_args.split_whitespace().collect();
    assert_eq!(args[..3], ["install", "--locked", "--path"], "{d}");
    assert_eq!(Path::new(args[3]), root(), "{d}");
    assert!(
        matches!(o.step("Install fastlint"), Ran::Shell { code: 0, .. }),
        "{d}"
    );

    // Findings: the check step succeeds and hands exit code 1 on.
    match o.step("Run fastlint") {
        Ran::Shell { code, stdout, .. } => {
            assert_eq!(*code, 0, "{d}");
            assert!(
                !stdout.contains("::warning"),
                "no annotations by default\n{d}"
            );
        }
        other => panic!("{other:?}\n{d}"),
    }
    assert_eq!(o.outputs["exit-code"], "1", "{d}");
    assert_eq!(o.outputs["sarif-file"], "fastlint.sarif", "{d}");
    assert!(sarif_results(&ws.path().join("fastlint.sarif")) >= 5, "{d}");

    match o.step("Upload SARIF") {
        Ran::Uses { action, with } => {
            assert!(
                action.starts_with("github/codeql-action/upload-sarif@"),
                "{d}"
            );
            assert_eq!(with["sarif_file"], "fastlint.sarif", "{d}");
            assert_eq!(with["category"], "fastlint", "{d}");
        }
        other => panic!("{other:?}\n{d}"),
    }
    match o.step("Fail on findings") {
        Ran::Shell { code, stdout, .. } => {
            assert_eq!(*code, 1, "{d}");
            assert!(stdout.contains("::error title=fastlint::"), "{d}");
        }
        other => panic!("{other:?}\n{d}"),
    }
    assert!(o.failed, "{d}");
}

#[test]
fn annotations_and_no_failure_when_asked() {
    let ws = example_workspace();
    let o = run_action(
        ws.path(),
        &[
            ("annotations", "true"),
            ("fail-on-findings", "false"),
            ("sarif-file", "reports/out.sarif"),
            ("category", "ios"),
        ],
    );
    let d = o.describe();
    match o.step("Run fastlint") {
        Ran::Shell { code, stdout, .. } => {
            assert_eq!(*code, 0, "{d}");
            assert!(
                stdout.contains("::warning file=fastlane/Fastfile,line="),
                "{d}"
            );
            assert!(stdout.contains("::error file=fastlane/Fastfile,"), "{d}");
        }
        other => panic!("{other:?}\n{d}"),
    }
    assert!(o.summary.starts_with("## fastlint"), "{}", o.summary);
    // The report's folder is made.
    assert!(sarif_results(&ws.path().join("reports/out.sarif")) >= 5);
    match o.step("Upload SARIF") {
        Ran::Uses { with, .. } => {
            assert_eq!(with["sarif_file"], "reports/out.sarif", "{d}");
            assert_eq!(with["category"], "ios", "{d}");
        }
        other => panic!("{other:?}\n{d}"),
    }
    assert!(matches!(o.step("Fail on findings"), Ran::Skipped), "{d}");
    assert!(!o.failed, "{d}");
    assert_eq!(o.outputs["exit-code"], "1", "{d}");
}

#[test]
fn a_clean_workspace_passes() {
    let ws = clean_workspace();
    let o = run_action(ws.path(), &[]);
    let d = o.describe();
    assert_eq!(o.outputs["exit-code"], "0", "{d}");
    assert_eq!(sarif_results(&ws.path().join("fastlint.sarif")), 0);
    assert!(matches!(o.step("Upload SARIF"), Ran::Uses { .. }), "{d}");
    assert!(matches!(o.step("Fail on findings"), Ran::Skipped), "{d}");
    assert!(!o.failed, "{d}");
}

#[test]
fn paths_and_args_reach_fastlint_word_by_word() {
    let ws = tempfile::tempdir().unwrap();
    // Two projects; only the one named in `paths` is checked, and `--key-from-env` clears it.
    ci_common::copy_dir(&root().join("fixtures/example"), &ws.path().join("app one"));
    ci_common::copy_dir(&root().join("fixtures/example"), &ws.path().join("other"));
    let o = run_action(
        ws.path(),
        &[
            ("paths", "other"),
            ("args", "--select FL008 --key-from-env"),
        ],
    );
    let d = o.describe();
    assert_eq!(o.outputs["exit-code"], "0", "{d}");
    let o = run_action(ws.path(), &[("paths", "other"), ("args", "--select FL008")]);
    let d = o.describe();
    assert_eq!(o.outputs["exit-code"], "1", "{d}");
    let sarif = std::fs::read_to_string(ws.path().join("fastlint.sarif")).unwrap();
    assert!(sarif.contains("other/fastlane/Fastfile"), "{d}");
    assert!(!sarif.contains("app one"), "{d}");
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let rules: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        !rules.is_empty() && rules.iter().all(|r| *r == "FL008"),
        "{rules:?}"
    );
    // `set -f`: a glob in `paths` is not expanded by the shell, so it is a path that does not exist.
    let o = run_action(ws.path(), &[("paths", "*")]);
    assert_eq!(o.outputs["exit-code"], "2", "{}", o.describe());
}

#[test]
fn an_error_of_the_run_fails_the_step_and_skips_the_upload() {
    let ws = clean_workspace();
    let o = run_action(ws.path(), &[("paths", "no-such-folder")]);
    let d = o.describe();
    match o.step("Run fastlint") {
        Ran::Shell { code, stderr, .. } => {
            assert_eq!(*code, 2, "{d}");
            assert!(stderr.contains("no-such-folder"), "{d}");
        }
        other => panic!("{other:?}\n{d}"),
    }
    assert_eq!(o.outputs["exit-code"], "2", "{d}");
    assert!(matches!(o.step("Upload SARIF"), Ran::Skipped), "{d}");
    assert!(matches!(o.step("Fail on findings"), Ran::Skipped), "{d}");
    assert!(o.failed, "{d}");
}

#[test]
fn upload_can_be_turned_off() {
    let ws = example_workspace();
    let o = run_action(ws.path(), &[("upload-sarif", "false")]);
    let d = o.describe();
    assert!(matches!(o.step("Upload SARIF"), Ran::Skipped), "{d}");
    assert!(
        matches!(o.step("Fail on findings"), Ran::Shell { code: 1, .. }),
        "{d}"
    );
}

/// The hook, as `.pre-commit-hooks.yaml` declares it.
fn hook() -> Yaml<'static> {
    let source = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let source: &'static str = Box::leak(source.into_boxed_str());
    let docs = Yaml::load_from_str(source).expect("the hooks file is YAML");
    let hooks = docs
        .into_iter()
        .next()
        .unwrap()
        .into_vec()
        .expect("a list of hooks");
    assert_eq!(hooks.len(), 1);
    hooks.into_iter().next().unwrap()
}

fn hook_pattern() -> regex::Regex {
    regex::Regex::new(&text(&hook()["files"])).expect("the hook's `files` is a regular expression")
}

#[test]
fn the_hook_runs_fastlint_on_the_whole_repository() {
    let hook = hook();
    assert_eq!(text(&hook["id"]), "fastlint");
    assert_eq!(text(&hook["entry"]), "fastlint check");
    assert_eq!(text(&hook["language"]), "rust");
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    // `language: rust` installs the package from the repository root.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"fastlint\"\npath = \"src/main.rs\""));
}

#[test]
fn the_hook_pattern_takes_every_file_fastlint_reads() {
    let pattern = hook_pattern();
    // Every file of the fixtures that discovery keeps, by its path from the folder of projects.
    let mut seen = 0;
    for project in [
        "fixtures/example",
        "fixtures/check",
        "fixtures/ci",
        "fixtures/rules",
        "fixtures/fix",
    ] {
        let base = root().join(project);
        for rel in ci_common::files(&base) {
            if fastlint::discover::classify(&base.join(&rel)).is_none() {
                continue;
            }
            let rel = rel.to_string_lossy().replace('\\', "/");
            assert!(
                pattern.is_match(&rel),
                "the hook would not run when `{rel}` changes"
            );
            seen += 1;
        }
    }
    assert!(seen > 100, "only {seen} fixture files");
    for read in [
        "Gemfile.lock",
        "ios/Gemfile.lock",
        "fastlint.toml",
        "ios/.fastlint.toml",
        "fastlane/Fastfile",
        "fastlane/Appfile",
        "fastlane/Matchfile",
        "ios/fastlane/Deliverfile",
        "fastlane/Precheckfile",
        "fastlane/.env",
        "fastlane/.env.ci",
        ".env.default",
        ".fastlane/Fastfile",
        "shared/Beta.Fastfile",
        "Fastfile.swift",
        "fastlane/Fastfile.swift",
        "fastlane/keys/asc.json",
        "keys/AuthKey_ABC123.p8",
        ".github/workflows/ios.yml",
        ".github/workflows/release.yaml",
        ".gitlab-ci.yml",
        ".circleci/config.yml",
        "bitrise.yml",
        "azure-pipelines.yml",
        "Jenkinsfile",
    ] {
        assert!(
            pattern.is_match(read),
            "the hook would not run when `{read}` changes"
        );
    }
    for other in [
        "README.md",
        "Gemfile",
        "ios/Podfile",
        "package.json",
        "src/app.rb",
        ".github/dependabot.yml",
        ".github/workflows/README.md",
        "docs/fastlane.md",
        "ios/App/Info.plist",
        "environment.txt",
        "config.yml",
    ] {
        assert!(
            !pattern.is_match(other),
            "the hook would run when `{other}` changes"
        );
    }
}
