//! The rules. Each lives in its own file with its documentation and a stable code; each reads the
//! model and the analysis and returns diagnostics. Rules never print and never write.

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, RuleInfo};
use crate::load::Workspace;

mod fl000_parse_error;
mod fl001_username_option;
mod fl002_apple_id_env;
mod fl003_appfile_apple_id;
mod fl004_apple_id_only_action;
mod fl005_spaceship_login;
mod fl006_fastlane_session;
mod fl007_app_specific_password;
mod fl008_no_api_key;
pub(crate) mod fl100_unused_suppression;

/// What every rule reads.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub analysis: &'a Analysis,
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
    let mut out = Vec::new();
    for rule in RULES {
        (rule.check)(cx, &mut out);
    }
    out
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
        for a in file
            .dotenv()
            .iter()
            .filter(|a| names.contains(&a.name.as_str()))
        {
            let (message, help) = describe(&a.name, EnvUse::DotEnv);
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
}

impl EnvUse {
    pub(crate) fn verb(self) -> &'static str {
        match self {
            EnvUse::RubyRead => "is read",
            EnvUse::RubyWrite => "is set",
            EnvUse::DotEnv => "is set in a fastlane .env file",
        }
    }
}
