//! From everything the rules found to what is reported: the configuration's rule selection and
//! per-file ignores, severity overrides, suppression comments (and FL100 for unused ones).
//! The baseline comes last ([`crate::baseline::apply`]).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::report::{lane_at, sort_diagnostics, Report};
use crate::suppress;

/// Applies the configuration and the suppression comments to a report.
pub fn apply(report: &mut Report, config: &Config) {
    let ws = &report.ws;
    let keep = |d: &Diagnostic| config.is_enabled(d.rule.code, &ws.files[d.file].source.path);
    let found: Vec<Diagnostic> = std::mem::take(&mut report.diagnostics)
        .into_iter()
        .filter(keep)
        .collect();
    let outcome = suppress::apply(ws, found, config);
    let mut diagnostics = outcome.active;
    diagnostics.extend(outcome.unused.into_iter().filter(keep).map(|mut d| {
        d.lane = lane_at(ws, d.file, d.span);
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
