//! Reads the environment a CI configuration file sets for the jobs that run fastlane, and the fastlane
//! tools its steps start ([`super::ci_commands`]).
//!
//! YAML files (GitHub Actions, GitLab CI, CircleCI, Bitrise, Azure Pipelines) are parsed with
//! `saphyr`; every mapping under a key named `env`, `environment`, `variables` or `envs` is read as
//! variables, wherever it sits (workflow, job, step, executor image). The list forms are read too:
//! Bitrise's `envs: [{NAME: value, opts: {...}}]`, Azure's `variables: [{name: N, value: V}]`, and
//! `["NAME=value"]` strings. A Jenkinsfile is Groovy; it is scanned line by line for
//! `environment { NAME = value }` blocks, `withEnv(["NAME=value"])` and `env.NAME = value`, and
//! read as blocks ([`super::jenkins`]) for the variables its `withCredentials` bindings set and the
//! lanes its `sh` steps start.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::ci_commands;
use super::ci_lanes::{self, join, Around, WORKING_DIR_KEYS};
use super::shell::{self, is_variable_name as is_env_name};
use crate::model::{CiLaneRun, CiModel, EnvAssignment, ShellRun, Span};
use crate::source::CiKind;

/// Keys whose mapping (or list) holds environment variables.
const ENV_KEYS: &[&str] = &["env", "environment", "variables", "envs"];

/// Extracts the variables a CI file sets.
pub fn extract(kind: CiKind, text: &str) -> CiModel {
    if kind.is_yaml() {
        yaml(text)
    } else {
        let mut fastlane = Vec::new();
        ci_commands::jenkins(text, &mut fastlane);
        let steps = super::jenkins::steps(text);
        let mut env = jenkins(text);
        env.extend(steps.bindings);
        env.sort_by_key(|a| a.name_span.start);
        CiModel {
            env,
            fastlane,
            lane_runs: steps.lane_runs,
            error: None,
        }
    }
}

/// Converts the parser's character positions to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of each character, when the text is not ASCII.
    chars: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let chars = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Offsets { text, chars }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.chars {
            None => char_index.min(self.text.len()),
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    /// The byte span of a node, without trailing blanks and line breaks.
    fn span(&self, node: &MarkedYaml) -> Span {
        let start = self.byte(node.span.start.index());
        let end = self.byte(node.span.end.index()).max(start);
        let trimmed = self.text[start..end].trim_end_matches([' ', '\t', '\r', '\n']);
        Span::new(start, start + trimmed.len())
    }
}

fn yaml(text: &str) -> CiModel {
    let offsets = Offsets::new(text);
    let docs = match MarkedYaml::load_from_str(text) {
        Ok(docs) => docs,
        Err(e) => {
            let at = offsets.byte(e.marker().index());
            return CiModel {
                env: Vec::new(),
                fastlane: Vec::new(),
                lane_runs: Vec::new(),
                error: Some((Span::new(at, at), e.info().to_string())),
            };
        }
    };
    let mut walk = Walk {
        offsets: &offsets,
        env: Vec::new(),
        fastlane: Vec::new(),
        lane_runs: Vec::new(),
    };
    for doc in &docs {
        let mut around = Around::root();
        // Bitrise's `app: envs:` holds the variables of every workflow.
        if let Some(envs) = field(doc, "app").and_then(|app| field(app, "envs")) {
            let mut app = Vec::new();
            env_block(envs, &offsets, &mut app);
            for (name, at) in set_to_something(&app) {
                around.set(name, at);
            }
        }
        walk.node(doc, &around);
    }
    let Walk {
        mut env,
        mut fastlane,
        mut lane_runs,
        ..
    } = walk;
    env.sort_by_key(|a| a.name_span.start);
    fastlane.sort_by_key(|r| (r.span.start, r.span.end));
    lane_runs.sort_by_key(|r| (r.span.start, r.span.end));
    CiModel {
        env,
        fastlane,
        lane_runs,
        error: None,
    }
}

/// The value of `key` in a mapping node.
fn field<'a>(node: &'a MarkedYaml, key: &str) -> Option<&'a MarkedYaml<'a>> {
    match &node.data {
        YamlData::Mapping(map) => map
            .iter()
            .find(|(k, _)| key_str(k) == Some(key))
            .map(|(_, v)| v),
        YamlData::Tagged(_, inner) => field(inner, key),
        _ => None,
    }
}

/// The variables of `assignments` set to something, with where.
fn set_to_something(assignments: &[EnvAssignment]) -> impl Iterator<Item = (String, Span)> + '_ {
    assignments
        .iter()
        .filter(|a| !a.value.is_empty())
        .map(|a| (a.name.clone(), a.name_span))
}

/// The text of a string node, without copying it: what mapping keys are compared by.
fn key_str<'a>(node: &'a MarkedYaml) -> Option<&'a str> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s),
        YamlData::Representation(s, _, _) => Some(s),
        YamlData::Tagged(_, inner) => key_str(inner),
        _ => None,
    }
}

/// The text of a scalar node (a string, number, boolean or null), if it is one.
fn scalar_text(node: &MarkedYaml) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Value(Scalar::Null) => Some(String::new()),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        YamlData::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

/// Every `env:`-like block under a node, the fastlane runs of every step command
/// ([`super::ci_commands`]) and the lanes they start ([`super::ci_lanes`]).
struct Walk<'o, 't> {
    offsets: &'o Offsets<'t>,
    env: Vec<EnvAssignment>,
    fastlane: Vec<ShellRun>,
    lane_runs: Vec<CiLaneRun>,
}

impl Walk<'_, '_> {
    /// Walks `node`, whose steps run `around`; returns what its steps append to `$GITHUB_ENV`.
    fn node(&mut self, node: &MarkedYaml, around: &Around) -> Vec<(String, Span)> {
        let offsets = self.offsets;
        let span = |n: &MarkedYaml| offsets.span(n);
        match &node.data {
            YamlData::Mapping(map) => {
                // The blocks of a mapping set the variables of everything in it, whatever their
                // order: a job's `env:` after its `steps:` still counts.
                let first = self.env.len();
                for (key, value) in map {
                    if key_str(key).is_some_and(|k| ENV_KEYS.contains(&k)) {
                        env_block(value, offsets, &mut self.env);
                    }
                }
                let added: Vec<(String, Span)> = set_to_something(&self.env[first..]).collect();
                let working_dir = WORKING_DIR_KEYS
                    .iter()
                    .find_map(|k| field(node, k))
                    .or_else(|| {
                        field(node, "defaults")
                            .and_then(|d| field(d, "run"))
                            .and_then(|r| field(r, "working-directory"))
                    });
                // Most mappings change nothing: they share what is around them.
                let owned;
                let inner = if added.is_empty() && working_dir.is_none() {
                    around
                } else {
                    let mut a = around.clone();
                    for (name, at) in added {
                        a.set(name, at);
                    }
                    if let Some(dir) = working_dir {
                        a.dir = scalar_text(dir).and_then(|d| join(a.dir.as_deref(), &d));
                    }
                    owned = a;
                    &owned
                };
                self.lane_step(node, map, inner);
                let mut written = Vec::new();
                for (key, value) in map {
                    match key_str(key) {
                        Some(k) if ENV_KEYS.contains(&k) => {}
                        Some(k) if ci_commands::COMMAND_KEYS.contains(&k) => {
                            ci_commands::commands_in(
                                value,
                                offsets.text,
                                &span,
                                &mut self.fastlane,
                            );
                            written.extend(ci_lanes::lane_runs_in(
                                value,
                                offsets.text,
                                &span,
                                inner,
                                &mut self.lane_runs,
                            ));
                            written.extend(self.node(value, inner));
                        }
                        _ => written.extend(self.node(value, inner)),
                    }
                }
                written
            }
            YamlData::Sequence(items) => {
                // Steps in order: what one appends to `$GITHUB_ENV` is set for the ones after it.
                // A list of one-key mappings is one step's inputs (Bitrise): a working directory
                // among them is the step's.
                let inputs_dir = items.iter().find_map(|item| match &item.data {
                    YamlData::Mapping(m) if m.len() == 1 => {
                        WORKING_DIR_KEYS.iter().find_map(|k| field(item, k))
                    }
                    _ => None,
                });
                let mut changed: Option<Around> = inputs_dir.map(|dir| {
                    let mut a = around.clone();
                    a.dir = scalar_text(dir).and_then(|d| join(a.dir.as_deref(), &d));
                    a
                });
                for item in items {
                    let written = self.node(item, changed.as_ref().unwrap_or(around));
                    if !written.is_empty() {
                        let a = changed.get_or_insert_with(|| around.clone());
                        for (name, at) in written {
                            a.set(name, at);
                        }
                    }
                }
                Vec::new()
            }
            YamlData::Tagged(_, inner) => self.node(inner, around),
            _ => Vec::new(),
        }
    }

    /// A step that starts a lane without a command: GitHub's `uses: maierj/fastlane-action` with
    /// `with: {lane: ios beta, subdirectory: ios}`, Bitrise's `fastlane@3:` step with the `lane`
    /// and `work_dir` inputs.
    fn lane_step(
        &mut self,
        node: &MarkedYaml,
        map: &saphyr::AnnotatedMapping<MarkedYaml>,
        around: &Around,
    ) {
        let uses = field(node, "uses").and_then(scalar_text);
        let (inputs, dir_key) = if uses.is_some_and(|u| u.starts_with("maierj/fastlane-action@")) {
            (field(node, "with").map(|w| vec![w]), "subdirectory")
        } else {
            let step = map.iter().find_map(|(k, v)| {
                let k = key_str(k)?;
                (k == "fastlane" || k.starts_with("fastlane@")).then_some(v)
            });
            let inputs = match step.and_then(|s| field(s, "inputs")).map(|i| &i.data) {
                Some(YamlData::Sequence(items)) => Some(items.iter().collect()),
                _ => None,
            };
            (inputs, "work_dir")
        };
        let Some(inputs) = inputs else { return };
        let input = |key: &str| inputs.iter().find_map(|i| field(i, key));
        let Some(lane) = input("lane") else { return };
        let Some((platform, name)) = scalar_text(lane).and_then(|l| shell::named_lane(&l)) else {
            return;
        };
        let dir = match input(dir_key).and_then(scalar_text) {
            Some(d) if !d.trim().is_empty() => join(around.dir.as_deref(), &d),
            _ => around.dir.clone(),
        };
        self.lane_runs.push(CiLaneRun {
            platform,
            lane: name,
            span: self.offsets.span(lane),
            dir,
            env: around.env.clone(),
            folder: None,
        });
    }
}

/// The variables of an `env:`-like block.
fn env_block(node: &MarkedYaml, offsets: &Offsets, out: &mut Vec<EnvAssignment>) {
    match &node.data {
        YamlData::Mapping(map) => {
            // Azure's list item `{name: N, value: V}`.
            let field = |name: &str| {
                map.iter()
                    .find(|(k, _)| key_str(k) == Some(name))
                    .map(|(_, v)| v)
            };
            if let (Some(name), Some(value)) = (field("name"), field("value")) {
                if let Some(n) = scalar_text(name).filter(|n| is_env_name(n)) {
                    push(n, offsets.span(name), value, offsets, out);
                    return;
                }
            }
            for (key, value) in map {
                let Some(name) = scalar_text(key).filter(|n| is_env_name(n)) else {
                    continue;
                };
                // Bitrise's `opts:` beside a variable; Azure's `group:`/`template:` list items.
                if matches!(name.as_str(), "opts" | "group" | "template") {
                    continue;
                }
                push(name, offsets.span(key), value, offsets, out);
            }
        }
        YamlData::Sequence(items) => {
            for item in items {
                if let Some(line) = scalar_text(item) {
                    // `- NAME=value`
                    let Some((name, _)) = line.split_once('=') else {
                        continue;
                    };
                    if !is_env_name(name) {
                        continue;
                    }
                    let span = offsets.span(item);
                    let raw = &offsets.text[span.start..span.end];
                    let quote = usize::from(raw.starts_with(['"', '\'']));
                    let name_start = span.start + quote;
                    let value_start = (name_start + name.len() + 1).min(span.end);
                    let value_end = span.end - quote.min(span.end - value_start);
                    out.push(EnvAssignment {
                        name: name.to_string(),
                        name_span: Span::new(name_start, name_start + name.len()),
                        value: line[name.len() + 1..].to_string(),
                        value_span: Span::new(value_start, value_end),
                    });
                } else {
                    env_block(item, offsets, out);
                }
            }
        }
        YamlData::Tagged(_, inner) => env_block(inner, offsets, out),
        _ => {}
    }
}

fn push(
    name: String,
    name_span: Span,
    value: &MarkedYaml,
    offsets: &Offsets,
    out: &mut Vec<EnvAssignment>,
) {
    // GitLab: `NAME: {value: "...", description: "..."}`.
    let value = match &value.data {
        YamlData::Mapping(map) => match map.iter().find(|(k, _)| key_str(k) == Some("value")) {
            Some((_, v)) => v,
            None => return,
        },
        YamlData::Sequence(_) => return,
        _ => value,
    };
    let text = scalar_text(value).unwrap_or_default();
    let value_span = if matches!(value.data, YamlData::Value(Scalar::Null)) && text.is_empty() {
        Span::new(name_span.end, name_span.end)
    } else {
        offsets.span(value)
    };
    out.push(EnvAssignment {
        name,
        name_span,
        value: text,
        value_span,
    });
}

/// Scans a Jenkinsfile: `environment { NAME = value }`, `withEnv(["NAME=value"])`, `env.NAME = value`.
fn jenkins(text: &str) -> Vec<EnvAssignment> {
    let mut out = Vec::new();
    let mut depth_in_env: Option<i32> = None;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let code = strip_line_comment(line);
        let trimmed = code.trim_start();
        let lead = code.len() - trimmed.len();

        if let Some(depth) = depth_in_env.as_mut() {
            if let Some(a) = assignment(trimmed, line_start + lead) {
                out.push(a);
            }
            *depth += brace_balance(code);
            if *depth <= 0 {
                depth_in_env = None;
            }
        } else if let Some(at) = find_word(code, "environment") {
            let after = code[at + "environment".len()..].trim_start();
            if after.starts_with('{') {
                let rest_at = code.len() - after.len() + 1;
                // `environment { A = 'x' }` on one line.
                let inner = &code[rest_at..];
                let inner_trimmed = inner.trim_start();
                if let Some(a) = assignment(
                    inner_trimmed.trim_end_matches('}').trim_end(),
                    line_start + rest_at + (inner.len() - inner_trimmed.len()),
                ) {
                    out.push(a);
                }
                let depth = brace_balance(&code[at..]);
                if depth > 0 {
                    depth_in_env = Some(depth);
                }
            }
        }

        // env.NAME = value
        let mut search = 0;
        while let Some(i) = code[search..].find("env.") {
            let at = search + i;
            search = at + 4;
            if at > 0 && code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(a) = assignment(&code[at + 4..], line_start + at + 4) {
                out.push(a);
            }
        }
    }

    // withEnv(["NAME=value", 'NAME=value'])
    let mut search = 0;
    while let Some(i) = text[search..].find("withEnv") {
        let at = search + i + "withEnv".len();
        search = at;
        let rest = &text[at..];
        let Some(open) = rest.find('[') else { continue };
        if !rest[..open]
            .trim()
            .trim_start_matches('(')
            .trim()
            .is_empty()
        {
            continue;
        }
        let list_start = at + open + 1;
        let Some(close) = text[list_start..].find(']') else {
            continue;
        };
        let list = &text[list_start..list_start + close];
        let mut j = 0;
        while j < list.len() {
            let c = list.as_bytes()[j];
            if c == b'"' || c == b'\'' {
                let Some(len) = list[j + 1..].find(c as char) else {
                    break;
                };
                let content_start = list_start + j + 1;
                let content = &list[j + 1..j + 1 + len];
                if let Some((name, value)) = content.split_once('=') {
                    if is_env_name(name) {
                        out.push(EnvAssignment {
                            name: name.to_string(),
                            name_span: Span::new(content_start, content_start + name.len()),
                            value: value.to_string(),
                            value_span: Span::new(
                                content_start + name.len() + 1,
                                content_start + content.len(),
                            ),
                        });
                    }
                }
                j += len + 2;
            } else {
                j += 1;
            }
        }
        search = list_start + close;
    }
    out.sort_by_key(|a| a.name_span.start);
    out.dedup_by_key(|a| a.name_span.start);
    out
}

/// `NAME = value` at the start of `s` (which starts at byte `at` of the file).
pub(super) fn assignment(s: &str, at: usize) -> Option<EnvAssignment> {
    let name_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let name = &s[..name_len];
    if !is_env_name(name) {
        return None;
    }
    let rest = &s[name_len..];
    let after_ws = rest.trim_start();
    let eq_rest = after_ws.strip_prefix('=')?;
    if eq_rest.starts_with('=') {
        return None;
    }
    let value_text = eq_rest.trim_start();
    let value_raw = value_extent(value_text);
    let value_start =
        at + name_len + (rest.len() - after_ws.len()) + 1 + (eq_rest.len() - value_text.len());
    Some(EnvAssignment {
        name: name.to_string(),
        name_span: Span::new(at, at + name_len),
        value: unquote(value_raw).to_string(),
        value_span: Span::new(value_start, value_start + value_raw.len()),
    })
}

/// The value at the start of `s`: a quoted string with its quotes, or everything up to `;` or `}`.
fn value_extent(s: &str) -> &str {
    for q in ["\"\"\"", "'''"] {
        if let Some(rest) = s.strip_prefix(q) {
            return match rest.find(q) {
                Some(i) => &s[..q.len() + i + q.len()],
                None => s.trim_end(),
            };
        }
    }
    if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let mut escaped = false;
        for (i, c) in s.char_indices().skip(1) {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                return &s[..i + 1];
            }
        }
        return s.trim_end();
    }
    let end = s.find([';', '}']).unwrap_or(s.len());
    s[..end].trim_end()
}

fn unquote(v: &str) -> &str {
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if v.len() >= 2 * q.len() && v.starts_with(q) && v.ends_with(q) {
            return &v[q.len()..v.len() - q.len()];
        }
    }
    v
}

/// The line without a trailing `// comment` (outside quotes).
fn strip_line_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == b'\\' => {
                let _ = q;
                i += 1;
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'/' && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            None => {}
        }
        i += 1;
    }
    line
}

/// `{` minus `}` outside quotes.
fn brace_balance(code: &str) -> i32 {
    let mut quote: Option<char> = None;
    let mut n = 0;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '{' => n += 1,
            None if c == '}' => n -= 1,
            None => {}
        }
    }
    n
}

/// The byte offset of `word` in `code` as a whole word.
fn find_word(code: &str, word: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(i) = code[search..].find(word) {
        let at = search + i;
        let before_ok = !code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        let after_ok =
            !code[at + word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if before_ok && after_ok {
            return Some(at);
        }
        search = at + word.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(model: &CiModel, text: &str) -> Vec<(String, String, String)> {
        model
            .env
            .iter()
            .map(|a| {
                (
                    text[a.name_span.start..a.name_span.end].to_string(),
                    a.value.clone(),
                    text[a.value_span.start..a.value_span.end].to_string(),
                )
            })
            .collect()
    }

    fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    #[test]
    fn github_env_blocks_at_every_level() {
        let text = "env:\n  FASTLANE_USER: \"ci@example.com\"\njobs:\n  beta:\n    env:\n      FASTLANE_PASSWORD: ${{ secrets.PW }}\n    steps:\n      - run: bundle exec fastlane beta\n        env: { FASTLANE_SESSION: 'abc' }\n      - name: FASTLANE_USER\n        run: echo\n";
        let m = extract(CiKind::GitHub, text);
        assert!(m.error.is_none());
        assert_eq!(
            names(&m, text),
            [
                t("FASTLANE_USER", "ci@example.com", "\"ci@example.com\""),
                t(
                    "FASTLANE_PASSWORD",
                    "${{ secrets.PW }}",
                    "${{ secrets.PW }}"
                ),
                t("FASTLANE_SESSION", "abc", "'abc'"),
            ]
        );
    }

    #[test]
    fn list_forms() {
        let text = "app:\n  envs:\n  - FASTLANE_USER: me@example.com\n    opts:\n      is_expand: false\nvariables:\n- name: FASTLANE_PASSWORD\n  value: $(PW)\n- group: apple\nservices:\n  x:\n    environment:\n      - \"FASTLANE_SESSION=abc\"\n";
        let m = extract(CiKind::Bitrise, text);
        assert_eq!(
            names(&m, text),
            [
                t("FASTLANE_USER", "me@example.com", "me@example.com"),
                t("FASTLANE_PASSWORD", "$(PW)", "$(PW)"),
                t("FASTLANE_SESSION", "abc", "abc"),
            ]
        );
    }

    #[test]
    fn gitlab_value_maps_and_non_ascii_positions() {
        let text = "# é\nvariables:\n  FASTLANE_USER:\n    value: \"ü@example.com\"\n    description: x\n  EMPTY:\n";
        let m = extract(CiKind::GitLab, text);
        assert_eq!(
            names(&m, text),
            [
                t("FASTLANE_USER", "ü@example.com", "\"ü@example.com\""),
                t("EMPTY", "", ""),
            ]
        );
    }

    #[test]
    fn bad_yaml_is_an_error_not_a_panic() {
        let m = extract(CiKind::GitHub, "env: {A: b\n");
        assert!(m.error.is_some());
        assert!(m.env.is_empty());
    }

    #[test]
    fn jenkinsfile_scan() {
        let text = "pipeline {\n  environment {\n    FASTLANE_USER = 'ci@example.com'\n    FASTLANE_PASSWORD = credentials('apple-pw') // from the store\n  }\n  stages {\n    stage('x') {\n      steps {\n        withEnv([\"FASTLANE_SESSION=abc\", 'OTHER=1']) {\n          sh 'fastlane beta'\n        }\n        script { env.FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD = \"abcd-efgh\" }\n      }\n    }\n  }\n}\nFOO = 'not env'\n";
        let m = extract(CiKind::Jenkins, text);
        assert_eq!(
            names(&m, text),
            [
                t("FASTLANE_USER", "ci@example.com", "'ci@example.com'"),
                t(
                    "FASTLANE_PASSWORD",
                    "credentials('apple-pw')",
                    "credentials('apple-pw')"
                ),
                t("FASTLANE_SESSION", "abc", "abc"),
                t("OTHER", "1", "1"),
                t(
                    "FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD",
                    "abcd-efgh",
                    "\"abcd-efgh\""
                ),
            ]
        );
    }
}
