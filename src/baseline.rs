//! Baselines: adopt fastlint on a repository without fixing everything first.
//!
//! `--write-baseline FILE` records the findings of a run; `--baseline FILE` then reports only findings that
//! are not in it. A finding matches an entry with the same path, code, lane and hash of its line's
//! normalised text (whitespace collapsed), so inserting or deleting lines above it keeps it matched; the
//! line number is kept for readers only. Each entry matches one finding. Entries that match nothing are
//! listed as fixed. The file holds hashes, never the text of a line (a `.env` line may hold a secret).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fingerprint::LineHashes;
use crate::output::Output;
use crate::report::Report;
use crate::suppress::{Suppressed, SuppressionKind};

/// The format version written to and expected in the file.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub code: String,
    pub lane: Option<String>,
    /// `line_hash(code, normalised line text)`.
    pub hash: String,
    /// Where it was when the baseline was written (not used for matching).
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub fastlint_baseline: u32,
    pub findings: Vec<Entry>,
}

/// What a `--baseline` did to a run.
#[derive(Clone, Debug, Default)]
pub struct BaselineOutcome {
    /// The baseline file as given.
    pub path: String,
    /// Findings it suppressed.
    pub matched: usize,
    /// Entries that matched nothing: fixed since the baseline was written.
    pub fixed: Vec<Entry>,
}

impl Entry {
    fn key(&self) -> (&str, &str, Option<&str>, &str) {
        (&self.path, &self.code, self.lane.as_deref(), &self.hash)
    }
}

/// The entries for the findings a report still shows.
pub fn entries(report: &Report) -> Vec<Entry> {
    let mut hashes = LineHashes::default();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = &report.ws.files[d.file].source;
            Entry {
                path: source.display.clone(),
                code: d.rule.code.to_string(),
                lane: d.lane.as_deref().map(str::to_string),
                hash: hashes.of(source, d).to_string(),
                line: source.line_of(d.span.start),
                message: d.message.to_string(),
            }
        })
        .collect()
}

/// Writes the baseline of a report.
pub fn write(report: &Report, path: &Path) -> std::io::Result<usize> {
    let baseline = Baseline {
        fastlint_baseline: VERSION,
        findings: entries(report),
    };
    let mut text = serde_json::to_string_pretty(&baseline).map_err(std::io::Error::other)?;
    text.push('\n');
    // Whole or not at all, as a report file is.
    let mut out = Output::open(Some(path))?;
    out.write_all(text.as_bytes())?;
    out.done()?;
    Ok(baseline.findings.len())
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let baseline: Baseline =
        serde_json::from_str(&text).map_err(|e| format!("not a fastlint baseline: {e}"))?;
    if baseline.fastlint_baseline != VERSION {
        return Err(format!(
            "baseline format {} is not supported (expected {VERSION})",
            baseline.fastlint_baseline
        ));
    }
    Ok(baseline)
}

/// Moves the findings the baseline knows out of the report (into `report.suppressed`).
pub fn apply(report: &mut Report, baseline: &Baseline, display: &str) {
    let mut open: HashMap<(&str, &str, Option<&str>, &str), Vec<usize>> = HashMap::new();
    for (i, e) in baseline.findings.iter().enumerate().rev() {
        open.entry(e.key()).or_default().push(i);
    }
    let current = entries(report);
    let mut matched = vec![false; baseline.findings.len()];
    let mut keep = Vec::new();
    let mut count = 0;
    for (d, e) in std::mem::take(&mut report.diagnostics)
        .into_iter()
        .zip(&current)
    {
        match open.get_mut(&e.key()).and_then(Vec::pop) {
            Some(i) => {
                matched[i] = true;
                count += 1;
                report.suppressed.push(Suppressed {
                    diagnostic: d,
                    kind: SuppressionKind::Baseline,
                    justification: Some(format!("in the baseline {display}")),
                });
            }
            None => keep.push(d),
        }
    }
    report.diagnostics = keep;
    report.baseline = Some(BaselineOutcome {
        path: display.to_string(),
        matched: count,
        fixed: baseline
            .findings
            .iter()
            .zip(&matched)
            .filter(|(_, m)| !**m)
            .map(|(e, _)| e.clone())
            .collect(),
    });
}
