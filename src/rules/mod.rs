//! The rules. Each lives in its own file with its documentation and a stable code; each reads the
//! model and the analysis and returns diagnostics. Rules never print and never write.

use crate::analysis::{Analysis, CallSite};
use crate::diagnostic::{Diagnostic, RuleInfo};
use crate::environments::{load_of_file, Loaded, Selection};
use crate::load::{Project, Workspace};
use crate::model::{ArgShape, Call, FileModel, Span, Value};
use crate::source::FileKind;
use foldhash::HashSet;

mod fl000_parse_error;
mod fl001_username_option;
mod fl002_apple_id_env;
mod fl003_appfile_apple_id;
mod fl004_apple_id_only_action;
mod fl005_spaceship_login;
mod fl006_fastlane_session;
mod fl007_app_specific_password;
mod fl008_no_api_key;
mod fl009_hardcoded_credential;
mod fl010_deliver_precheck_iap;
mod fl011_api_key_shape;
mod fl012_api_key_duration;
mod fl013_enterprise_in_house;
mod fl014_conflicting_auth;
mod fl015_individual_key;
mod fl016_lane_shadows_action;
mod fl017_key_filepath_relative;
pub(crate) mod fl018_match_storage_team_id;
mod fl019_match_developer_id;
pub(crate) mod fl020_shell_fastlane;
pub(crate) mod fl021_connect_api_no_token;
pub(crate) mod fl100_unused_suppression;

/// What every rule reads.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub analysis: &'a Analysis,
    /// Which `.env.<name>` files count as loaded.
    pub env: &'a Selection,
    /// For each file, the variables it sets ([`env_set_for`]), made on first use.
    env_sets: std::sync::OnceLock<Vec<HashSet<&'a str>>>,
}

impl<'a> Context<'a> {
    pub fn new(ws: &'a Workspace, analysis: &'a Analysis, env: &'a Selection) -> Self {
        Context {
            ws,
            analysis,
            env,
            env_sets: Default::default(),
        }
    }

    /// For each file, the variables it sets where the code that sees it would have them: a `.env`
    /// file the runs load, and a CI file, with a value that is not empty; Ruby with an
    /// `ENV[...] =` write of anything but `nil`. Made once, for every call a rule asks about.
    fn env_sets(&self) -> &[HashSet<&'a str>] {
        self.env_sets.get_or_init(|| {
            let ws: &'a Workspace = self.ws;
            ws.files
                .iter()
                .map(|file| {
                    let dotenv = |file: &'a FileModel| {
                        file.dotenv()
                            .iter()
                            .filter(|a| !a.value.is_empty())
                            .map(|a| a.name.as_str())
                            .collect()
                    };
                    match file.source.kind {
                        FileKind::DotEnv if load_of_file(file, self.env).loaded() => dotenv(file),
                        FileKind::DotEnv => HashSet::default(),
                        FileKind::Ci(_) => dotenv(file),
                        _ => file.ruby().map_or_else(HashSet::default, |m| {
                            m.env
                                .iter()
                                .filter(|e| e.write && e.value != Some(Value::Nil))
                                .map(|e| e.name.as_str())
                                .collect()
                        }),
                    }
                })
                .collect()
        })
    }
}

/// A rule: its documentation and its check.
pub struct Rule {
    pub info: &'static RuleInfo,
    pub check: fn(&Context, &mut Vec<Diagnostic>),
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    fl000_parse_error::RULE,
    fl001_username_option::RULE,
    fl002_apple_id_env::RULE,
    fl003_appfile_apple_id::RULE,
    fl004_apple_id_only_action::RULE,
    fl005_spaceship_login::RULE,
    fl006_fastlane_session::RULE,
    fl007_app_specific_password::RULE,
    fl008_no_api_key::RULE,
    fl009_hardcoded_credential::RULE,
    fl010_deliver_precheck_iap::RULE,
    fl011_api_key_shape::RULE,
    fl012_api_key_duration::RULE,
    fl013_enterprise_in_house::RULE,
    fl014_conflicting_auth::RULE,
    fl015_individual_key::RULE,
    fl016_lane_shadows_action::RULE,
    fl017_key_filepath_relative::RULE,
    fl018_match_storage_team_id::RULE,
    fl019_match_developer_id::RULE,
    fl020_shell_fastlane::RULE,
    fl021_connect_api_no_token::RULE,
    fl100_unused_suppression::RULE,
];

/// Looks a rule up by code (`FL001`) or name (`username-option`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.info.code.eq_ignore_ascii_case(code_or_name) || r.info.name == code_or_name)
}

/// Runs every rule.
pub fn run_all(cx: &Context) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    // Rules only read the model: run them side by side (the result keeps rule order).
    RULES
        .par_iter()
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            (rule.check)(cx, &mut out);
            out
        })
        .collect()
}

/// Diagnostics for every access of the given variables, in Ruby and in `.env` files.
pub(crate) fn env_var_diagnostics(
    cx: &Context,
    info: &'static RuleInfo,
    names: &[&str],
    out: &mut Vec<Diagnostic>,
    describe: impl Fn(&str, EnvUse) -> (String, String),
) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        if let Some(model) = file.ruby() {
            for e in model
                .env
                .iter()
                .filter(|e| names.contains(&e.name.as_str()))
            {
                let how = if e.write {
                    EnvUse::RubyWrite
                } else {
                    EnvUse::RubyRead
                };
                let (message, help) = describe(&e.name, how);
                out.push(Diagnostic::new(info, f, e.span, message).help(help));
            }
        }
        let how = match file.source.kind {
            FileKind::Ci(_) => EnvUse::Ci,
            _ => EnvUse::DotEnv,
        };
        for a in file
            .dotenv()
            .iter()
            .filter(|a| names.contains(&a.name.as_str()))
        {
            let (message, help) = describe(&a.name, how);
            out.push(Diagnostic::new(info, f, a.name_span, message).help(help));
        }
    }
}

/// How a variable is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnvUse {
    RubyRead,
    RubyWrite,
    DotEnv,
    /// Set in a CI configuration file (`env:` of a GitHub workflow, a Jenkinsfile `environment`, ...).
    Ci,
}

impl EnvUse {
    pub(crate) fn verb(self) -> &'static str {
        match self {
            EnvUse::RubyRead => "is read",
            EnvUse::RubyWrite => "is set",
            EnvUse::DotEnv => "is set in a fastlane .env file",
            EnvUse::Ci => "is set in a CI configuration file",
        }
    }
}

/// Whether any of the variables is set where the code of file `f` would see it: a `.env` file the
/// runs load ([`crate::environments`]) or an `ENV[...] =` write of a project that runs the file, or
/// a CI file of the repository that holds the project (CI sets the environment of every fastlane
/// run there; [`crate::ci_env`]). A file outside any project sees every `.env` and CI file. Rules
/// use it to stay quiet when a setting may come from there.
pub(crate) fn env_set_for(cx: &Context, f: usize, names: &[&str]) -> bool {
    let env_sets = cx.env_sets();
    let sets = |g: usize| names.iter().any(|n| env_sets[g].contains(n));
    let mut in_project = false;
    for project in projects_of(cx, f) {
        in_project = true;
        let loaded = Loaded::of_project(cx.ws, project, cx.env);
        if names.iter().any(|n| loaded.is_set(n))
            || project
                .files
                .iter()
                .chain(&project.fastfiles)
                .any(|&g| cx.ws.files[g].source.kind != FileKind::DotEnv && sets(g))
            || cx.ws.ci.sets(Some(&project.dir), names)
        {
            return true;
        }
    }
    !in_project
        && (cx.ws.ci.sets(None, names)
            || cx
                .ws
                .files
                .iter()
                .enumerate()
                .any(|(g, file)| !matches!(file.source.kind, FileKind::Ci(_)) && sets(g)))
}

/// The projects whose lanes can run code of file `f` (its own folder's, and those importing it).
pub(crate) fn projects_of<'a>(cx: &'a Context, f: usize) -> impl Iterator<Item = &'a Project> + 'a {
    cx.ws
        .projects
        .iter()
        .filter(move |p| p.fastfiles.contains(&f) || p.files.contains(&f))
}

/// The first argument of a config-file call (`type("enterprise")`, `type :enterprise`) as written,
/// without quotes or the symbol colon.
pub(crate) fn config_literal(file: &FileModel, call: &Call) -> Option<String> {
    let arg = call.first_arg?;
    let t = file.source.text.get(arg.start..arg.end)?.trim();
    if let Some(sym) = t.strip_prefix(':') {
        return Some(sym.to_string());
    }
    for q in ['"', '\x27'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) && !t.contains("#{") {
            return Some(t[1..t.len() - 1].to_string());
        }
    }
    Some(t.to_string())
}

/// What a tool config file (`Matchfile`, `Deliverfile`, `Precheckfile`) of the projects running
/// file `f` gives an option, as written (see [`config_literal`]).
pub(crate) fn config_value(
    cx: &Context,
    f: usize,
    config_file: &str,
    option: &str,
) -> Option<String> {
    for project in projects_of(cx, f) {
        for &g in &project.files {
            let file = &cx.ws.files[g];
            if !matches!(file.source.kind, FileKind::Config(name) if name == config_file) {
                continue;
            }
            if let Some(call) = file.ruby().and_then(|m| {
                m.calls
                    .iter()
                    .find(|c| c.name == option && c.first_arg.is_some())
            }) {
                return config_literal(file, call);
            }
        }
    }
    None
}

/// The certificate type a match call manages and where it is written: its `type:` (when a
/// literal), else the Matchfile's `type(...)` at the call's name, unless `MATCH_TYPE` (which
/// comes before the Matchfile) is set where the call runs or fastlint cannot see its options.
pub(crate) fn match_type(cx: &Context, f: usize, call: &Call) -> Option<(String, Span)> {
    if let Some(opt) = call.option("type") {
        return value_text(&opt.value).map(|t| (t, opt.span));
    }
    if options_unknown(call) || env_set_for(cx, f, &["MATCH_TYPE"]) {
        return None;
    }
    config_value(cx, f, "Matchfile", "type").map(|t| (t, call.name_span))
}

/// The calls of Apple actions that run with an App Store Connect API key on some run (neither
/// read-only nor needing an Apple ID anyway), each with its file and site.
pub(crate) fn keyed_calls<'a>(
    cx: &'a Context,
) -> impl Iterator<Item = (usize, &'a CallSite, &'a Call)> + 'a {
    cx.analysis
        .sites
        .iter()
        .filter(|(_, site)| site.reached_with_key && !site.readonly && !site.apple_id_only)
        .filter_map(|(&(f, c), site)| Some((f, site, &cx.ws.files[f].ruby()?.calls[c])))
}

/// Whether fastlint cannot see all of a call's options: they come from an expression, or from a
/// hash variable it could not follow.
pub(crate) fn options_unknown(call: &Call) -> bool {
    matches!(
        call.shape,
        ArgShape::Other
            | ArgShape::Variable {
                resolved: false,
                ..
            }
    )
}

/// The text of a literal value (`"x"`, `:x`, `12`), for messages and comparisons.
pub(crate) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Str(s) | Value::Symbol(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::True => Some("true".into()),
        Value::False => Some("false".into()),
        _ => None,
    }
}
