//! `fastlint.toml` / `.fastlint.toml`: which rules run where, their severity, excluded paths, the fastlane
//! version and `--fix` settings.
//!
//! The file is found from the first scanned path upwards (`--config FILE` names it, `--isolated` ignores
//! it). Every mistake in it (an unknown key, a wrong type, an unknown rule code, a bad glob) is an error
//! that points at the file, line and span, and stops the run with exit status 2.
//!
//! ```toml
//! select = ["ALL"]                 # codes, names, code prefixes (`FL00`) or ALL (default: ALL)
//! extend-select = []
//! ignore = ["FL006"]
//! exclude = ["legacy/**"]          # globs, relative to this file's folder
//! fastlane-version = "2.230.0"
//! env = ["ci"]                     # the runs' `fastlane --env`: which `.env.<name>` files load
//! [per-file-ignores]
//! "fastlane/.env*" = ["FL002"]
//! [severity]
//! FL008 = "error"
//! [fix]
//! key-source = "content"           # or "file"
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::discover::display_path;
use crate::environments::Selection;
use crate::fix::KeySource;
use crate::rules::RULES;
use crate::version::Version;

/// The names a configuration file may have, in the order they are looked for in each folder.
pub const FILE_NAMES: &[&str] = &[".fastlint.toml", "fastlint.toml"];

/// A glob with the text it was written as.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    glob: Glob,
    matcher: GlobMatcher,
    /// Written without a `/`: matched against every path component, as in `.gitignore`.
    basename: bool,
}

impl Pattern {
    fn new(text: &str) -> Result<Self, String> {
        let trimmed = text.trim_end_matches('/');
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("`{text}` is not a valid glob: {}", e.kind()))?;
        Ok(Self {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
            glob,
            basename: !trimmed.contains('/'),
        })
    }

    /// Whether `rel` (a `/`-separated path relative to the configuration's folder), or a folder above
    /// it, matches.
    pub fn matches(&self, rel: &str) -> bool {
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        (1..=parts.len()).any(|n| {
            if self.basename {
                self.matcher.is_match(parts[n - 1])
            } else {
                self.matcher.is_match(parts[..n].join("/"))
            }
        })
    }
}

/// Patterns matched together: one automaton for those matched against each path component and
/// one for those matched against each leading run of components, so a path costs its
/// components, not its components times the patterns.
#[derive(Clone, Debug)]
pub struct PatternSet {
    basenames: GlobSet,
    paths: GlobSet,
}

impl PatternSet {
    fn new(patterns: &[Pattern]) -> Self {
        let mut basenames = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for p in patterns {
            if p.basename {
                basenames.add(p.glob.clone());
            } else {
                paths.add(p.glob.clone());
            }
        }
        PatternSet {
            basenames: basenames.build().unwrap_or_else(|_| GlobSet::empty()),
            paths: paths.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    /// Whether any of the patterns matches `rel` ([`Pattern::matches`]).
    pub fn matches(&self, rel: &str) -> bool {
        let mut prefix = String::with_capacity(rel.len());
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if self.basenames.is_match(part) || self.paths.is_match(&prefix) {
                return true;
            }
        }
        false
    }
}

/// The settings of a run, from the configuration file and the command line.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file they came from (`None`: defaults).
    pub file: Option<PathBuf>,
    /// The folder globs are relative to: the file's folder, else the current directory.
    pub root: PathBuf,
    /// Codes that run (before per-file ignores).
    pub enabled: BTreeSet<&'static str>,
    pub per_file_ignores: Vec<(Pattern, BTreeSet<&'static str>)>,
    pub exclude: Vec<Pattern>,
    /// `exclude`, matched together (made at the first use).
    exclude_set: std::sync::OnceLock<PatternSet>,
    pub fastlane_version: Option<Version>,
    /// The environments (`fastlane --env`) the runs use.
    pub env: Option<Selection>,
    pub key_source: Option<KeySource>,
    pub severity: HashMap<&'static str, Severity>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            file: None,
            root: PathBuf::from("."),
            enabled: RULES.iter().map(|r| r.info.code).collect(),
            per_file_ignores: Vec::new(),
            exclude: Vec::new(),
            exclude_set: std::sync::OnceLock::new(),
            fastlane_version: None,
            env: None,
            key_source: None,
            severity: HashMap::new(),
        }
    }
}

/// A configuration file that could not be used, with where in it.
#[derive(Debug)]
pub struct ConfigError {
    pub display: String,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The error as miette shows it, with the file's text.
struct Shown<'a> {
    error: &'a ConfigError,
    source: NamedSource<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("fastlint::config"))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.error
            .help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.error.span.as_ref().map(|_| &self.source as _)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.error.span.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_string()),
            SourceSpan::from(span),
        ))))
    }
}

impl ConfigError {
    fn plain(display: &str, message: String) -> Self {
        Self {
            display: display.to_string(),
            text: String::new(),
            span: None,
            message,
            help: None,
        }
    }

    /// The 1-based line of the error, if it has a place.
    pub fn line(&self) -> Option<usize> {
        let span = self.span.as_ref()?;
        let end = span.start.min(self.text.len());
        Some(self.text[..end].matches('\n').count() + 1)
    }

    /// The error as text: `error: FILE:LINE:COL: message`, then miette's view of the place.
    pub fn render(&self, color: bool) -> String {
        let mut out = match &self.span {
            Some(span) => {
                let start = span.start.min(self.text.len());
                let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
                let column = self.text[line_start..start].chars().count() + 1;
                format!(
                    "error: {}:{}:{}: {}\n",
                    self.display,
                    self.line().unwrap_or(1),
                    column,
                    self.message
                )
            }
            None => format!("error: {}: {}\n", self.display, self.message),
        };
        if self.span.is_some() {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let shown = Shown {
                error: self,
                source: NamedSource::new(&self.display, self.text.clone()),
            };
            let mut view = String::new();
            if GraphicalReportHandler::new_themed(theme)
                .with_width(120)
                .render_report(&mut view, &shown)
                .is_ok()
            {
                out.push_str(&view);
            }
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    exclude: Option<Vec<Spanned<String>>>,
    fastlane_version: Option<Spanned<String>>,
    env: Option<Spanned<Vec<Spanned<String>>>>,
    fix: Option<RawFix>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFix {
    key_source: Option<Spanned<String>>,
}

/// The codes a selector names: a code, a rule name, a code prefix (`FL00`) or `ALL`.
pub fn resolve_selector(selector: &str) -> Option<BTreeSet<&'static str>> {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("ALL") {
        return Some(RULES.iter().map(|r| r.info.code).collect());
    }
    if let Some(rule) = crate::rules::find(s) {
        return Some(BTreeSet::from([rule.info.code]));
    }
    let upper = s.to_ascii_uppercase();
    let codes: BTreeSet<&'static str> = RULES
        .iter()
        .map(|r| r.info.code)
        .filter(|c| upper.len() >= 2 && c.starts_with(&upper))
        .collect();
    (!codes.is_empty()).then_some(codes)
}

/// A clap value parser for `--select` / `--ignore`: one selector, checked against the rules.
pub fn parse_selector(s: &str) -> Result<String, String> {
    match resolve_selector(s) {
        Some(_) => Ok(s.trim().to_string()),
        None => Err(unknown_code_message(s)),
    }
}

fn unknown_code_message(s: &str) -> String {
    format!("unknown rule `{s}` (expected a code such as FL001, a rule name, a code prefix or ALL; `fastlint rules` lists them)")
}

/// Looks for a configuration file in `start` (or its folder, for a file) and every folder above it.
/// The path is relative to the current directory when `start` is.
pub fn find(start: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if canonical.is_dir() {
        Some(canonical.as_path())
    } else {
        canonical.parent()
    };
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(if start.is_relative() {
                    relative_to_cwd(&candidate)
                } else {
                    candidate
                });
            }
        }
        dir = d.parent();
    }
    None
}

/// An absolute path as seen from the current directory (`fastlint.toml`, `../../fastlint.toml`).
fn relative_to_cwd(path: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return path.to_path_buf();
    };
    let common = cwd
        .components()
        .zip(path.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel = PathBuf::new();
    for _ in common..cwd.components().count() {
        rel.push("..");
    }
    for part in path.components().skip(common) {
        rel.push(part);
    }
    rel
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let display = display_path(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::plain(&display, format!("cannot read the configuration: {e}")))?;
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut config = parse(&text, &display)?;
    config.file = Some(path.to_path_buf());
    config.root = root;
    Ok(config)
}

/// Parses configuration text (`display` names it in errors).
pub fn parse(text: &str, display: &str) -> Result<Config, ConfigError> {
    let error = |span: Option<Range<usize>>, message: String, help: Option<String>| ConfigError {
        display: display.to_string(),
        text: text.to_string(),
        span,
        message,
        help,
    };
    let raw: RawConfig = toml::from_str(text)
        .map_err(|e| error(e.span(), e.message().trim().replace('\n', " "), None))?;

    let codes = |list: &[Spanned<String>]| -> Result<BTreeSet<&'static str>, ConfigError> {
        let mut out = BTreeSet::new();
        for item in list {
            match resolve_selector(item.get_ref()) {
                Some(c) => out.extend(c),
                None => {
                    return Err(error(
                        Some(item.span()),
                        unknown_code_message(item.get_ref()),
                        None,
                    ))
                }
            }
        }
        Ok(out)
    };

    let mut config = Config::default();
    if let Some(select) = &raw.select {
        config.enabled = codes(select)?;
    }
    if let Some(extend) = &raw.extend_select {
        config.enabled.extend(codes(extend)?);
    }
    if let Some(ignore) = &raw.ignore {
        for code in codes(ignore)? {
            config.enabled.remove(code);
        }
    }
    for (glob, list) in raw.per_file_ignores.iter().flatten() {
        let pattern =
            Pattern::new(glob.get_ref()).map_err(|m| error(Some(glob.span()), m, None))?;
        config.per_file_ignores.push((pattern, codes(list)?));
    }
    for glob in raw.exclude.iter().flatten() {
        config
            .exclude
            .push(Pattern::new(glob.get_ref()).map_err(|m| error(Some(glob.span()), m, None))?);
    }
    if let Some(v) = &raw.fastlane_version {
        config.fastlane_version = Some(
            v.get_ref()
                .parse()
                .map_err(|m: String| error(Some(v.span()), m, None))?,
        );
    }
    if let Some(list) = &raw.env {
        for name in list.get_ref() {
            let text = name.get_ref();
            if text.contains(',') {
                let m = format!(
                    "`{text}` is not one environment name: write each as a string of its own"
                );
                return Err(error(Some(name.span()), m, None));
            }
            crate::environments::check_name(text.trim())
                .map_err(|m| error(Some(name.span()), m, None))?;
        }
        let names = list.get_ref().iter().map(|n| n.get_ref().as_str());
        let selection = Selection::from_names(names).map_err(|_| {
            let m = "name at least one environment, as in `env = [\"ci\"]`, or leave `env` out";
            error(Some(list.span()), m.to_string(), None)
        })?;
        config.env = Some(selection);
    }
    if let Some(source) = raw.fix.as_ref().and_then(|f| f.key_source.as_ref()) {
        config.key_source = Some(match source.get_ref().as_str() {
            "file" => KeySource::File,
            "content" => KeySource::Content,
            other => {
                return Err(error(
                    Some(source.span()),
                    format!("`key-source` must be \"file\" or \"content\", not \"{other}\""),
                    None,
                ))
            }
        });
    }
    for (code, level) in raw.severity.iter().flatten() {
        let Some(rule) = crate::rules::find(code.get_ref()) else {
            return Err(error(
                Some(code.span()),
                unknown_code_message(code.get_ref()),
                None,
            ));
        };
        let severity = match level.get_ref().as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            other => {
                return Err(error(
                    Some(level.span()),
                    format!("a severity is \"error\" or \"warning\", not \"{other}\""),
                    None,
                ))
            }
        };
        config.severity.insert(rule.info.code, severity);
    }
    Ok(config)
}

impl Config {
    /// Applies `--select` (replaces the file's selection) and `--ignore` (removes codes).
    pub fn override_selection(&mut self, select: &[String], ignore: &[String]) {
        if !select.is_empty() {
            self.enabled = select
                .iter()
                .filter_map(|s| resolve_selector(s))
                .flatten()
                .collect();
        }
        for code in ignore.iter().filter_map(|s| resolve_selector(s)).flatten() {
            self.enabled.remove(code);
        }
    }

    /// A file's path relative to the configuration's folder, with `/` separators.
    pub fn relative(&self, path: &Path) -> String {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (file, root) = (canonical(path), canonical(&self.root));
        match file.strip_prefix(&root) {
            Ok(rel) => display_path(rel),
            Err(_) => display_path(path),
        }
    }

    /// Whether a discovered file is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let rel = self.relative(path);
        self.exclude_set
            .get_or_init(|| PatternSet::new(&self.exclude))
            .matches(&rel)
    }

    /// Whether `code` runs on the file at `path`.
    pub fn is_enabled(&self, code: &str, path: &Path) -> bool {
        if !self.enabled.contains(code) {
            return false;
        }
        if self.per_file_ignores.is_empty() {
            return true;
        }
        let rel = self.relative(path);
        !self
            .per_file_ignores
            .iter()
            .any(|(p, codes)| codes.contains(code) && p.matches(&rel))
    }

    /// The severity `code` is shown with.
    pub fn severity_of(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_matched_together_match_as_each_one_alone() {
        let texts = [
            "legacy",
            "legacy/",
            "vendor-*",
            "**/build/**",
            "apps/*/fastlane",
            ".env*",
            "fastlane/.env.default",
            "a/**/Fastfile",
            "*.rb",
            "x/y/",
        ];
        let patterns: Vec<Pattern> = texts.iter().map(|t| Pattern::new(t).unwrap()).collect();
        let paths = [
            "legacy/fastlane/Fastfile",
            "apps/one/fastlane/Fastfile",
            "apps/one/two/fastlane/x",
            "vendor-fastlane/Fastfile",
            "fastlane/.env.default",
            "fastlane/.env",
            "a/b/c/Fastfile",
            "a/Fastfile",
            "src/build/fastlane/Fastfile",
            "lib/x.rb",
            "x/y/z",
            "x/yz",
            "ok/Fastfile",
            "",
            "/",
            "legacyish/Fastfile",
        ];
        for k in 0..=patterns.len() {
            let some = &patterns[..k];
            let set = PatternSet::new(some);
            for path in paths {
                assert_eq!(
                    set.matches(path),
                    some.iter().any(|p| p.matches(path)),
                    "{path} against {:?}",
                    &texts[..k]
                );
            }
        }
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "select = [\"FL00\"]\nextend-select = [\"unused-suppression\"]\nignore = [\"FL006\"]\nexclude = [\"legacy\"]\nfastlane-version = \"2.200.0\"\n[per-file-ignores]\n\"fastlane/.env*\" = [\"FL002\"]\n[severity]\nno-api-key = \"error\"\n[fix]\nkey-source = \"content\"\n",
            "fastlint.toml",
        )
        .unwrap();
        assert!(c.enabled.contains("FL001"));
        assert!(c.enabled.contains("FL100"));
        assert!(!c.enabled.contains("FL006"));
        assert_eq!(c.fastlane_version, Some(Version::new(2, 200, 0)));
        assert_eq!(c.key_source, Some(KeySource::Content));
        assert_eq!(c.severity.get("FL008"), Some(&Severity::Error));
        assert!(c.exclude[0].matches("legacy/fastlane/Fastfile"));
        assert!(!c.exclude[0].matches("fastlane/Fastfile"));
        assert!(c.per_file_ignores[0].0.matches("fastlane/.env.default"));
        assert!(!c.per_file_ignores[0].0.matches("other/.env"));
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = parse(
            "select = [\"FL001\"]\nignore = [\"FL999\"]\n",
            "fastlint.toml",
        )
        .unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(e.message.contains("FL999"), "{}", e.message);
        let text = "[fix]\nkey-sauce = \"file\"\n";
        let e = parse(text, "fastlint.toml").unwrap_err();
        assert_eq!(e.line(), Some(2), "{e:?}");
        assert!(e.message.contains("key-sauce"), "{}", e.message);
        let e = parse("select = \"FL001\"\n", "fastlint.toml").unwrap_err();
        assert_eq!(e.line(), Some(1));
        let e = parse("[severity]\nFL001 = \"fatal\"\n", "fastlint.toml").unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(
            e.render(false).contains("fastlint.toml:2:9"),
            "{}",
            e.render(false)
        );
    }
}
