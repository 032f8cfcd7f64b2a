//! Lane verdicts: from what each lane reaches, whether it can move to an App Store Connect API key.

use serde::Serialize;

use crate::analysis::{Analysis, Site};
use crate::load::Workspace;
use crate::model::{SpaceshipKind, Span};
use crate::rules;
use crate::rules::fl020_shell_fastlane::INFO as SHELL;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Runs no action that logs in to Apple, and makes no App Store Connect API request.
    NoAppleAuth,
    /// Every Apple action it runs (and every App Store Connect API request it makes) has a key in
    /// scope.
    ApiKey,
    /// Every Apple action it runs can take a key, and at least one would log in with an Apple ID.
    Migratable,
    /// At least one step needs an Apple ID at this fastlane version.
    Blocked,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::NoAppleAuth,
        Verdict::ApiKey,
        Verdict::Migratable,
        Verdict::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoAppleAuth => "no-apple-auth",
            Verdict::ApiKey => "api-key",
            Verdict::Migratable => "migratable",
            Verdict::Blocked => "blocked",
        }
    }
}

/// Why a lane has its verdict: a finding it reaches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reason {
    pub file: usize,
    pub span: Span,
    pub code: &'static str,
    pub message: crate::diagnostic::Text,
}

/// A lane with its verdict.
#[derive(Clone, Debug)]
pub struct LaneVerdict {
    pub file: usize,
    pub lane: usize,
    pub verdict: Verdict,
    /// Migratable, and `--fix` can move all of it: its file may be rewritten, no comment keeps
    /// one of its findings, no fastlane it starts from a shell lacks a key, and each direct App
    /// Store Connect API call that lacks the Spaceship token is one that a key block gives it: in
    /// a lane or hook body that sets up no key itself and has none at its top
    /// ([`LaneVerdict::keyable_requests`], [`crate::analysis::Analysis::keyable_hooks`]).
    pub fixable: bool,
    /// Migratable, and a suppression comment keeps one of its findings: `--fix` leaves it as it is.
    pub held: bool,
    /// It reaches an action call with no key: a key block could reach it (what keeps a lane
    /// migratable may be only fastlane started from a shell, which no key block reaches).
    pub keyless_call: bool,
    /// Migratable, and it makes direct App Store Connect API calls with no Spaceship token in its
    /// own body or the `def` methods it calls, which set up no key themselves, and no key is in
    /// scope at the top of its body: a key block there gives them the token.
    pub keyable_requests: bool,
    pub reasons: Vec<Reason>,
}

/// Gives every analysed lane its verdict.
pub fn verdicts(ws: &Workspace, analysis: &Analysis) -> Vec<LaneVerdict> {
    let code = |c: &str| rules::find(c).map(|r| r.info.code).unwrap_or("FL000");
    let mut held = crate::suppress::Held::default();
    let mut out = Vec::new();
    for run in &analysis.lanes {
        let mut blocking = Vec::new();
        let mut keyless = Vec::new();
        for reach in &run.reaches.sites {
            match reach.site {
                Site::Call { file, call } => {
                    let Some(site) = analysis.site(file, call) else {
                        continue;
                    };
                    if site.readonly {
                        continue;
                    }
                    let Some(c) = ws.files[file].ruby().map(|m| &m.calls[call]) else {
                        continue;
                    };
                    if site.apple_id_only {
                        let message = match crate::analysis::apple_id_option(site.action, c) {
                            Some(o) if site.action.takes_key_at(site.version) => {
                                format!(
                                    "`{}` with `{}: {}` needs an Apple ID",
                                    c.name, o.option, o.value
                                )
                            }
                            _ => format!(
                                "`{}` needs an Apple ID at fastlane {}",
                                c.name, site.version
                            ),
                        };
                        blocking.push(Reason {
                            file,
                            span: c.name_span,
                            code: code("FL004"),
                            message: crate::diagnostic::intern(message),
                        });
                    } else if !reach.has_key {
                        keyless.push(Reason {
                            file,
                            span: c.name_span,
                            code: code("FL008"),
                            message: crate::diagnostic::intern(format!(
                                "`{}` runs with no API key in scope",
                                c.name
                            )),
                        });
                        if let Some(opt) = c.option("username") {
                            keyless.push(Reason {
                                file,
                                span: opt.span,
                                code: code("FL001"),
                                message: crate::diagnostic::intern(format!(
                                    "`{}` is given `username:`",
                                    c.name
                                )),
                            });
                        }
                    }
                }
                Site::Spaceship { file, index } => {
                    let Some(s) = ws.files[file].ruby().map(|m| &m.spaceship[index]) else {
                        continue;
                    };
                    if s.kind == SpaceshipKind::KeyAuth {
                        continue;
                    }
                    if s.kind == SpaceshipKind::Api {
                        keyless.push(Reason {
                            file,
                            span: s.span,
                            code: code("FL021"),
                            message: crate::diagnostic::intern(format!(
                                "`{}` runs with no Spaceship token set",
                                s.text
                            )),
                        });
                        continue;
                    }
                    blocking.push(Reason {
                        file,
                        span: s.span,
                        code: code("FL005"),
                        message: crate::diagnostic::intern(format!(
                            "`{}` logs in with an Apple ID",
                            s.text
                        )),
                    });
                }
                Site::Shell { file, index } => {
                    let (Some(run), Some(site)) = (
                        ws.files[file].ruby().map(|m| &m.shell[index]),
                        analysis.shell.get(&(file, index)),
                    ) else {
                        continue;
                    };
                    let reason = Reason {
                        file,
                        span: run.span,
                        code: SHELL.code,
                        message: crate::diagnostic::intern(
                            crate::rules::fl020_shell_fastlane::message(ws, file, run, site),
                        ),
                    };
                    if site.apple_id_only {
                        blocking.push(reason);
                    } else {
                        keyless.push(reason);
                    }
                }
            }
        }
        let flags = &run.reaches;
        let (verdict, mut reasons) = if flags.blocked {
            (Verdict::Blocked, blocking)
        } else if flags.keyless {
            (Verdict::Migratable, keyless)
        } else if flags.apple {
            (Verdict::ApiKey, Vec::new())
        } else {
            (Verdict::NoAppleAuth, Vec::new())
        };
        reasons.sort();
        reasons.dedup();
        // `--fix` leaves a lane whose Apple-ID finding a comment suppresses as it is, and cannot
        // give a key to a fastlane started from a shell.
        let held = verdict == Verdict::Migratable
            && reasons
                .iter()
                .any(|r| held.holds(ws, r.file, r.span, r.code));
        // A key in scope at the top of the body (from a hook or a calling lane) that left the token
        // unset was set up so on purpose, or replaced: a person decides.
        let keyable_requests = verdict == Verdict::Migratable
            && flags.keyless_api_near
            && !flags.sets_up_key
            && !analysis.keyed_at_start.contains(&(run.file, run.lane));
        let fixable = verdict == Verdict::Migratable
            && !ws.files[run.file].has_syntax_errors()
            && !held
            && !flags.keyless_shell
            && !flags.keyless_api_far
            && (!flags.keyless_api_near || keyable_requests);
        out.push(LaneVerdict {
            file: run.file,
            lane: run.lane,
            verdict,
            fixable,
            held,
            keyless_call: flags.keyless_call,
            keyable_requests,
            reasons,
        });
    }
    out
}
