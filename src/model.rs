//! The typed model extracted from each file. Rules and the flow analysis read only this, never trees.

use crate::source::SourceFile;

/// A byte range in a file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// Where a piece of code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// At load time, outside any lane, hook or method.
    TopLevel,
    Lane(usize),
    Hook(usize),
    Method(usize),
}

/// A literal value, as far as fastlint needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Symbol(String),
    Int(i64),
    True,
    False,
    Nil,
    /// `ENV["NAME"]` (or `ENV.fetch("NAME")`).
    Env(String),
    Other,
}

#[derive(Clone, Debug)]
pub struct Platform {
    pub name: String,
    pub span: Span,
    pub block: Span,
}

#[derive(Clone, Debug)]
pub struct Lane {
    pub name: String,
    pub name_span: Span,
    pub platform: Option<String>,
    pub private: bool,
    /// The whole `lane :x do ... end` call.
    pub span: Span,
    /// The block (`do ... end` or `{ ... }`).
    pub block: Span,
    /// The statements inside the block, if any.
    pub body: Option<Span>,
    /// Where the block's first line ends (after `do` / `do |options|` and the line break).
    pub body_line_start: Option<usize>,
    /// The indentation of the line holding `lane`.
    pub indent: String,
}

impl Lane {
    /// `ios beta` inside a platform block, `beta` outside.
    pub fn qualified_name(&self) -> String {
        match &self.platform {
            Some(p) => format!("{p} {}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HookKind {
    BeforeAll,
    BeforeEach,
    AfterEach,
    AfterAll,
    Error,
}

impl HookKind {
    pub fn from_keyword(word: &str) -> Option<Self> {
        Some(match word {
            "before_all" => Self::BeforeAll,
            "before_each" => Self::BeforeEach,
            "after_each" => Self::AfterEach,
            "after_all" => Self::AfterAll,
            "error" => Self::Error,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Hook {
    pub kind: HookKind,
    pub platform: Option<String>,
    pub span: Span,
    pub block: Span,
}

/// `def name(...) ... end` in a Fastfile.
#[derive(Clone, Debug)]
pub struct MethodDef {
    pub name: String,
    pub span: Span,
}

/// One `key: value` option passed to a call.
#[derive(Clone, Debug)]
pub struct Opt {
    pub key: String,
    /// The whole pair.
    pub span: Span,
    pub value: Value,
    pub value_span: Span,
    /// True when the pair sits in a hash literal assigned to a variable that the call passes.
    pub via_variable: bool,
    /// When the value is a hash literal (`api_key: { key_id: "x", ... }`): its pairs.
    pub entries: Vec<Opt>,
}

impl Opt {
    /// A pair of the hash literal this option is given, by key.
    pub fn entry(&self, key: &str) -> Option<&Opt> {
        self.entries.iter().find(|o| o.key == key)
    }
}

/// How a call passes its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgShape {
    /// `pilot` or `pilot()`.
    None,
    /// `pilot(key: value, ...)`, `pilot key: value`.
    Options,
    /// `pilot(opts)` or `pilot(**opts)` with `opts` a hash literal found in the same lane or method.
    Variable { name: String, resolved: bool },
    /// Anything else (positional values, `pilot(opts.merge(x))`).
    Other,
}

/// A call without a receiver: an action, a lane, a method defined in the Fastfile, or a DSL word.
#[derive(Clone, Debug)]
pub struct Call {
    pub name: String,
    pub name_span: Span,
    /// The whole call expression.
    pub span: Span,
    pub scope: Scope,
    pub shape: ArgShape,
    /// The argument list node (with its parentheses when it has them).
    pub args_span: Option<Span>,
    pub parens: bool,
    /// The first argument, if any.
    pub first_arg: Option<Span>,
    /// For `import "../Fastfile"`: the path, when it is a plain string literal (other calls' string
    /// arguments are not kept).
    pub first_string: Option<String>,
    /// It takes a block (`apple_id { ENV["X"] }`).
    pub has_block: bool,
    /// Options passed, directly or through a hash variable.
    pub options: Vec<Opt>,
}

impl Call {
    /// A call written as a bare name, with no arguments or block (`pilot`, `shared_lane`).
    pub fn bare(name: &str, span: Span, scope: Scope) -> Self {
        Call {
            name: name.to_string(),
            name_span: span,
            span,
            scope,
            shape: ArgShape::None,
            args_span: None,
            parens: false,
            first_arg: None,
            first_string: None,
            has_block: false,
            options: Vec::new(),
        }
    }

    pub fn option(&self, key: &str) -> Option<&Opt> {
        self.options.iter().find(|o| o.key == key)
    }
}

/// A read or write of `ENV["NAME"]`.
#[derive(Clone, Debug)]
pub struct EnvAccess {
    pub name: String,
    pub span: Span,
    pub write: bool,
    pub scope: Scope,
    /// The assigned value, for writes.
    pub value: Option<Value>,
    /// Where the assigned value is, for writes.
    pub value_span: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpaceshipKind {
    /// `Spaceship::Tunes.login`, `Spaceship.login`, `Spaceship::ConnectAPI.login`, ...
    Login,
    /// `Spaceship::Tunes::...`, `Spaceship::Portal::...`: the legacy Apple-ID web APIs.
    Legacy,
    /// `Spaceship::ConnectAPI.auth(...)`, `Spaceship::ConnectAPI.token = ...`: the API-key path.
    KeyAuth,
    /// `Spaceship::ConnectAPI::App.find(...)`, `Spaceship::ConnectAPI.get_builds(...)`: the App Store
    /// Connect API, called directly. It runs on the Spaceship token when one is set, else on the web
    /// session of an Apple-ID login earlier in the process, and fails with neither.
    Api,
}

#[derive(Clone, Debug)]
pub struct SpaceshipUse {
    pub kind: SpaceshipKind,
    /// The code as written (`Spaceship::Tunes.login`).
    pub text: String,
    pub span: Span,
    pub scope: Scope,
    /// A non-empty string literal given as the password (the second argument of a `login`).
    pub password: Option<Span>,
}

/// A fastlane tool or action started from a shell command in Ruby code (`sh("fastlane pilot upload
/// -u me")`, `system(...)`, backticks) or by a CI step. It runs in a new fastlane process: the
/// lane's `app_store_connect_api_key` does not reach it, only the command's options, the
/// environment and the tool's config file do.
#[derive(Clone, Debug)]
pub struct ShellRun {
    /// The action it runs (canonical name: `upload_to_testflight` for `fastlane pilot`).
    pub action: &'static str,
    /// The command's words up to the tool, as the shell reads them (`fastlane pilot`).
    pub text: String,
    /// Where those words are.
    pub span: Span,
    /// Where it runs in a Ruby file (`TopLevel` in a CI file).
    pub scope: Scope,
    /// Where the command names an Apple ID (`-u me`, `--username=me`, `username:me`,
    /// `FASTLANE_USER=me`).
    pub apple_id: Option<Span>,
    /// The command gives it a key (`--api_key_path`, `api_key_path:`, `APP_STORE_CONNECT_API_KEY_PATH=`).
    pub key: bool,
    /// `fastlane match --readonly`: no login.
    pub readonly: bool,
    /// The `sh(cmd)` call that runs it, when the command is a string held in a variable and `span`
    /// is in that string.
    pub via: Option<Span>,
}

/// `import "path"` or `import_from_git(...)`.
#[derive(Clone, Debug)]
pub struct Import {
    pub path: Option<String>,
    pub span: Span,
    pub from_git: bool,
}

/// What a Ruby file (Fastfile, Appfile, config file) holds.
#[derive(Clone, Debug, Default)]
pub struct RubyModel {
    pub platforms: Vec<Platform>,
    pub lanes: Vec<Lane>,
    pub hooks: Vec<Hook>,
    pub methods: Vec<MethodDef>,
    /// Receiver-less calls in source order.
    pub calls: Vec<Call>,
    /// Bare names (`build`, `upload`) that are neither an action fastlint knows nor a lane or
    /// method of this file: a local variable read, another tool's action, or a lane or method
    /// of another Fastfile. Kept small until all files are read, then turned into calls where
    /// another file defines the name (`load::resolve_bare_names`).
    pub bare_names: Vec<(Span, Scope)>,
    pub env: Vec<EnvAccess>,
    pub spaceship: Vec<SpaceshipUse>,
    /// fastlane tools and actions started from shell commands, in source order.
    pub shell: Vec<ShellRun>,
    /// `lane_context[SharedValues::APP_STORE_CONNECT_API_KEY] = ...`: a key put in the lane context
    /// by hand (where the assignment is, and the scope it runs in), as `app_store_connect_api_key`
    /// puts it there.
    pub context_keys: Vec<(Span, Scope)>,
    pub imports: Vec<Import>,
    pub syntax_errors: Vec<Span>,
    /// Where tree-sitter found a token missing, and which (`|`, `)`, `end`), for the empty ones of
    /// `syntax_errors`.
    pub syntax_missing: Vec<(usize, &'static str)>,
    /// What most likely broke the file, where it has syntax errors and a cause is recognised
    /// ([`crate::extract::syntax`]), in source order.
    pub syntax_causes: Vec<FoundCause>,
    /// Errors of `syntax_errors` that run over many lines, each with the first error nested in it
    /// (where tree-sitter got stuck inside the wider error it reports).
    pub syntax_focus: Vec<(Span, Span)>,
    /// Comments (`# ...`, `=begin ... =end`), in source order.
    pub comments: Vec<Span>,
    /// Where secrets were found before the calls were dropped (see [`crate::pipeline`]): still
    /// blanked out when the source is printed.
    pub redactions: Vec<Span>,
}

/// The likely cause of a file's syntax errors, found from how its blocks and brackets open and
/// close and how they are indented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxCause {
    /// A block with no `end` of its own. `opener` runs from its line's first word to its keyword
    /// (`lane :beta do`); `taken` is the `end` indented like an outer block that Ruby reads as
    /// this block's, or `None` if the file ends first; `close_at` is where an `end` was put to
    /// check that it mends the file.
    Unclosed {
        opener: Span,
        taken: Option<Span>,
        close_at: usize,
    },
    /// A `(`, `[` or `{` never closed; `met` is the token that came while it was open (an `end`,
    /// another bracket), or `None` if the file ends first; `close_at` is where the closing
    /// bracket was put to check that it mends the file.
    UnclosedBracket {
        open: Span,
        met: Option<Span>,
        close_at: usize,
    },
    /// A closing bracket with nothing open.
    StrayBracket { at: Span },
    /// A typographic quote (`“`, `’`) where code is: Ruby reads only straight quotes.
    TypographicQuote { at: Span },
    /// A straight quote (`open`) that starts a string which runs on over lines to the quote at
    /// `runs_to`, turning the code between into text and the text after into code. `close_at` is
    /// where a closing quote was put on the string's own line to check that it mends the file, or
    /// `None` if removing the quote (one too many, right after a closing bracket) did.
    UnclosedString {
        open: Span,
        runs_to: usize,
        close_at: Option<usize>,
    },
    /// An option (`option`: its key, `force:`) right after the value of the one before it with no
    /// `,` between them; `at` is where the comma was put, just after that value, to check that it
    /// mends the file.
    MissingComma { option: Span, at: usize },
    /// A lane named like a hash key, `lane: release do` (`at` runs from `lane` to the name),
    /// which Ruby reads as a key `lane:` and a call `release`; `colon` and `name` are where the
    /// `:` and the name start. `lane :release` mends it.
    LaneNameAsKey { at: Span, colon: usize, name: usize },
    /// A lane declared with its platform before its name, `lane :ios beta do` (`at` runs from
    /// `lane` to the name), which Ruby reads as `lane :ios` followed by a call `beta`;
    /// `platform` is the `:ios` symbol and `name` where the name starts. `lane :beta` mends it
    /// (inside `platform :ios do ... end`, where the platform belongs).
    LaneAfterPlatform {
        at: Span,
        platform: Span,
        name: usize,
    },
}

/// A cause of syntax errors and the text whose errors it explains: from where it starts to where
/// it showed (an `end` or bracket that came, the end of the file); with the cause mended, that
/// text parses clean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundCause {
    pub cause: SyntaxCause,
    pub reach: Span,
}

impl SyntaxCause {
    /// Where the cause is shown.
    pub fn span(&self) -> Span {
        match *self {
            SyntaxCause::Unclosed { opener, .. } => opener,
            SyntaxCause::UnclosedBracket { open, .. }
            | SyntaxCause::UnclosedString { open, .. } => open,
            SyntaxCause::StrayBracket { at } | SyntaxCause::TypographicQuote { at } => at,
            SyntaxCause::MissingComma { option, .. } => option,
            SyntaxCause::LaneNameAsKey { at, .. } | SyntaxCause::LaneAfterPlatform { at, .. } => at,
        }
    }
}

impl RubyModel {
    /// For each of `spans`, the index of the innermost call around it (the action a finding is on,
    /// not the lane around it): the smallest call that contains it, the first of equal ones.
    ///
    /// One sweep over the calls and the spans, each in order of start, with the calls open at the
    /// current position on a stack: a file's findings cost its calls once, not once each.
    pub fn calls_around(&self, spans: &[Span]) -> Vec<Option<usize>> {
        let mut calls: Vec<usize> = (0..self.calls.len()).collect();
        // Outer before inner; of equal spans, the first one last (on top of the stack).
        calls.sort_by_key(|&i| {
            let s = self.calls[i].span;
            (s.start, std::cmp::Reverse(s.end), std::cmp::Reverse(i))
        });
        let mut queries: Vec<usize> = (0..spans.len()).collect();
        queries.sort_by_key(|&q| spans[q].start);
        let mut out = vec![None; spans.len()];
        let mut open: Vec<usize> = Vec::new();
        let mut next = 0;
        for q in queries {
            let span = spans[q];
            while next < calls.len() && self.calls[calls[next]].span.start <= span.start {
                let start = self.calls[calls[next]].span.start;
                // Calls that ended before this one starts contain nothing from here on.
                open.retain(|&o| self.calls[o].span.end >= start);
                open.push(calls[next]);
                next += 1;
            }
            open.retain(|&o| self.calls[o].span.end >= span.start);
            out[q] = open
                .iter()
                .copied()
                .filter(|&o| span.end <= self.calls[o].span.end)
                .min_by_key(|&o| (self.calls[o].span.end - self.calls[o].span.start, o));
        }
        out
    }
}

/// One `KEY=value` line of a `.env` file.
#[derive(Clone, Debug)]
pub struct EnvAssignment {
    pub name: String,
    pub name_span: Span,
    pub value: String,
    pub value_span: Span,
}

/// The environment a CI configuration file sets.
#[derive(Clone, Debug, Default)]
pub struct CiModel {
    /// `NAME: value` under `env:`/`environment:`/`variables:`/`envs:` (YAML), or `NAME = value` in a
    /// Jenkinsfile `environment { }` block, `withEnv([...])` and `env.NAME = value`. The value is the
    /// text as written (quotes removed); `value_span` covers it as written.
    pub env: Vec<EnvAssignment>,
    /// fastlane tools and actions its steps start (`run: fastlane pilot upload -u me`), in file order.
    pub fastlane: Vec<ShellRun>,
    /// Lanes its steps start (`run: bundle exec fastlane ios beta`), in file order; YAML files only.
    pub lane_runs: Vec<CiLaneRun>,
    /// The file could not be read as YAML: where and why.
    pub error: Option<(Span, String)>,
}

/// A lane a CI step starts: `fastlane ios beta`, with where it runs and the variables it runs with.
#[derive(Clone, Debug)]
pub struct CiLaneRun {
    /// `ios` in `fastlane ios beta`.
    pub platform: Option<String>,
    pub lane: String,
    /// The words `fastlane ios beta`.
    pub span: Span,
    /// The folder the command runs in, relative to the repository's root (`ios`; empty for the
    /// root itself), from the step's working directory and the `cd`s before it in its script;
    /// `None` when it cannot be told (`cd "$APP_DIR"`, an absolute path).
    pub dir: Option<String>,
    /// The key variables ([`crate::knowledge::is_key_var`]) set to something where it runs:
    /// `env:` blocks of the step, its job and the workflow, `export NAME=...` and
    /// `NAME=... fastlane ...` in the script, and what an earlier step of the job wrote to
    /// `$GITHUB_ENV`. Each once, with where it was set last.
    pub env: Vec<(String, Span)>,
    /// The fastlane folder it runs in, once [`crate::load`] has looked for it (canonical).
    pub folder: Option<std::path::PathBuf>,
}

/// A JSON key file (`api_key_path`): its top-level fields.
#[derive(Clone, Debug, Default)]
pub struct KeyJson {
    /// Top-level `"name": value` pairs (`key` is the name; nested objects are not followed).
    pub fields: Vec<Opt>,
    /// The file is not valid JSON (or not an object): where and why.
    pub error: Option<(Span, String)>,
}

impl KeyJson {
    pub fn field(&self, name: &str) -> Option<&Opt> {
        self.fields.iter().find(|o| o.key == name)
    }
}

/// What a file holds, by kind.
// One per file: boxing the Ruby model would only add an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Contents {
    Ruby(RubyModel),
    DotEnv(Vec<EnvAssignment>),
    Ci(CiModel),
    KeyJson(KeyJson),
    /// A `.p8` private key file (its text is the file's text; empty when it is not text).
    PrivateKey,
    /// A file found but not analysed (a Swift Fastfile); its text is not read.
    NotAnalysed,
}

/// A file with its model.
#[derive(Debug)]
pub struct FileModel {
    pub source: SourceFile,
    pub contents: Contents,
    /// Read only as context for the files that were asked for (the Appfile, config and `.env` files
    /// beside a Fastfile given by name): it shapes the analysis but nothing in it is reported.
    pub context: bool,
    /// The syntax tree of a Ruby file, kept while its project is analysed so that `--fix` can
    /// place its edits and re-parse the result incrementally; dropped with the rest of the model
    /// (see [`crate::pipeline`]).
    pub tree: Option<tree_sitter::Tree>,
}

impl FileModel {
    pub fn ruby(&self) -> Option<&RubyModel> {
        match &self.contents {
            Contents::Ruby(m) => Some(m),
            _ => None,
        }
    }

    /// Variables the file sets: the lines of a fastlane `.env` file, or the environment a CI file
    /// sets (tell them apart by `source.kind`).
    pub fn dotenv(&self) -> &[EnvAssignment] {
        match &self.contents {
            Contents::DotEnv(v) => v,
            Contents::Ci(ci) => &ci.env,
            _ => &[],
        }
    }

    pub fn key_json(&self) -> Option<&KeyJson> {
        match &self.contents {
            Contents::KeyJson(k) => Some(k),
            _ => None,
        }
    }

    pub fn has_syntax_errors(&self) -> bool {
        self.ruby().is_some_and(|m| !m.syntax_errors.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: the smallest call that contains the span, the first of equal ones.
    fn naive(model: &RubyModel, span: Span) -> Option<usize> {
        model
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.span.start <= span.start && span.end <= c.span.end)
            .min_by_key(|(_, c)| c.span.end - c.span.start)
            .map(|(i, _)| i)
    }

    #[test]
    fn calls_around_every_span_are_the_innermost_ones() {
        let text = "lane :a do\n  pilot(changelog: changelog_from_git_commits(between: [a, b]), skip: true)\n  deliver\n  x = gym(scheme: s(1))\n  upload(deliver(submit: true)) { |r| sh(\"x\") }\nend\nlane :b do\n  a\nend\n";
        let mut model = match crate::load::model_of(crate::source::SourceFile::new(
            "Fastfile".into(),
            "Fastfile".into(),
            crate::source::FileKind::Fastfile,
            text.to_string(),
        ))
        .contents
        {
            Contents::Ruby(m) => m,
            _ => unreachable!(),
        };
        // Two calls with the same span, and one that only overlaps others: ties and odd shapes.
        let twin = model.calls[3].clone();
        model.calls.push(twin);
        model
            .calls
            .push(Call::bare("odd", Span::new(20, 60), Scope::TopLevel));
        assert!(model.calls.len() > 8);
        let mut spans = Vec::new();
        for start in 0..=text.len() {
            for end in start..=(start + 40).min(text.len()) {
                spans.push(Span::new(start, end));
            }
        }
        // Not in order of start: the sweep sorts them itself.
        spans.reverse();
        let fast = model.calls_around(&spans);
        for (span, got) in spans.iter().zip(fast) {
            assert_eq!(got, naive(&model, *span), "{span:?}");
        }
        assert!(spans.iter().any(|s| naive(&model, *s).is_some()));
    }
}
