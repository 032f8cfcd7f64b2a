//! From everything the rules found to what is reported: the configuration's rule selection and
//! per-file ignores, severity overrides, suppression comments (and FL100 for unused ones).
//! The baseline comes last ([`crate::baseline::apply`]).

use std::cell::RefCell;

use foldhash::HashMap;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::FileModel;
use crate::report::{sort_diagnostics, LaneFinder, Report};
use crate::rules::fl100_unused_suppression;
use crate::suppress::{self, Suppressed, SuppressionKind};

/// Applies the configuration and the suppression comments to a report. Applying it again gives the same
/// result: findings suppressed by a comment are judged again, FL100 is found again.
pub fn apply(report: &mut Report, config: &Config) {
    let ws = &report.ws;
    let enabled = Enabled::new(config, &ws.files);
    let keep = |d: &Diagnostic| enabled.keeps(d);
    let (in_source, baseline): (Vec<Suppressed>, Vec<Suppressed>) =
        std::mem::take(&mut report.suppressed)
            .into_iter()
            .partition(|s| s.kind == SuppressionKind::InSource);
    report.suppressed = baseline;
    let found: Vec<Diagnostic> = std::mem::take(&mut report.diagnostics)
        .into_iter()
        .chain(in_source.into_iter().map(|s| s.diagnostic))
        .filter(|d| d.rule.code != fl100_unused_suppression::INFO.code)
        .filter(keep)
        .collect();
    let outcome = suppress::apply(ws, found, config);
    let mut diagnostics = outcome.active;
    let mut lanes = LaneFinder::new(ws);
    diagnostics.extend(outcome.unused.into_iter().filter(keep).map(|mut d| {
        d.lane = lanes.lane_at(d.file, d.span);
        d
    }));
    let mut suppressed = outcome.suppressed;
    for d in diagnostics
        .iter_mut()
        .chain(suppressed.iter_mut().map(|s| &mut s.diagnostic))
    {
        d.severity = config.severity_of(d.rule.code, d.rule.severity);
    }
    sort_diagnostics(ws, &mut diagnostics);
    report.diagnostics = diagnostics;
    report.suppressed.extend(suppressed);
}

/// [`Config::is_enabled`] for the findings of one workspace, remembered per file and rule: the
/// configuration's globs are matched once per file and rule, not once per finding.
pub(crate) struct Enabled<'a> {
    config: &'a Config,
    files: &'a [FileModel],
    seen: RefCell<HashMap<(usize, &'static str), bool>>,
}

impl<'a> Enabled<'a> {
    pub(crate) fn new(config: &'a Config, files: &'a [FileModel]) -> Self {
        Enabled {
            config,
            files,
            seen: RefCell::default(),
        }
    }

    /// Whether the configuration keeps `d`: its rule runs on its file.
    pub(crate) fn keeps(&self, d: &Diagnostic) -> bool {
        *self
            .seen
            .borrow_mut()
            .entry((d.file, d.rule.code))
            .or_insert_with(|| {
                self.config
                    .is_enabled(d.rule.code, &self.files[d.file].source.path)
            })
    }
}
