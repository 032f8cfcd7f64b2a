//! `check --fix` / `--diff`: rewrite migratable lanes to use an App Store Connect API key.
//!
//! A fix is data: [`plan`] turns the analysed project into byte-range [`edit::Edit`]s, [`edit`]
//! applies them (sorted, non-overlapping), and this module re-parses the result, refuses any new
//! syntax error, re-analyses and repeats until nothing changes (at most [`MAX_ROUNDS`] rounds). Only
//! then are files written, each atomically ([`atomic`]); [`diff`] renders what changed.

pub mod atomic;
pub mod diff;
pub mod edit;
pub mod plan;
pub mod rewrite;

use std::collections::{BTreeMap, BTreeSet};

use crate::load::model_of;
use crate::parse::{parse_ruby, syntax_errors};
use crate::report::{CheckOptions, Report};
use crate::source::SourceFile;
use crate::verdict::Verdict;

pub use rewrite::KeySource;

/// Rounds of plan → apply → re-analyse before giving up on reaching a fixed point.
pub const MAX_ROUNDS: usize = 8;

/// A file `--fix` rewrites.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub file: usize,
    pub display: String,
    pub path: std::path::PathBuf,
    pub before: String,
    pub after: String,
}

/// A lane `--fix` did not migrate, and why.
#[derive(Debug, Clone)]
pub struct LeftLane {
    pub name: String,
    pub why: String,
}

/// What `--fix` did (or, for `--diff`, would do).
pub struct Outcome {
    /// The report over the rewritten files.
    pub report: Report,
    pub changes: Vec<FileChange>,
    /// Call sites rewritten.
    pub calls: usize,
    /// Lanes that got the key block or had calls rewritten.
    pub lanes: usize,
    pub left: Vec<LeftLane>,
    /// Edits that were refused (a bug in fastlint: reported, the file kept as it was).
    pub problems: Vec<String>,
    pub rounds: usize,
}

/// Runs the fix loop in memory over an analysed report. Nothing is written.
pub fn fix(report: Report, key_source: KeySource, options: &CheckOptions) -> Outcome {
    let mut report = report;
    let mut originals: BTreeMap<usize, String> = BTreeMap::new();
    let mut calls: BTreeSet<plan::CallId> = BTreeSet::new();
    let mut lanes: BTreeSet<plan::LaneId> = BTreeSet::new();
    let mut left: BTreeMap<plan::LaneId, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rounds = 0;
    loop {
        let plan = plan::plan(&report, key_source);
        left.extend(plan.left_alone);
        problems.extend(plan.problems);
        if plan.texts.is_empty() {
            break;
        }
        if rounds == MAX_ROUNDS {
            problems.push(format!(
                "the rewrite did not settle after {MAX_ROUNDS} rounds; files still changing: {}",
                plan.texts
                    .keys()
                    .map(|f| report.ws.files[*f].source.display.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            break;
        }
        rounds += 1;
        let Report { mut ws, .. } = report;
        let mut changed = false;
        for (file, text) in plan.texts {
            let ok = parse_ruby(&text).is_some_and(|t| syntax_errors(&t).is_empty());
            let old = &ws.files[file].source;
            if !ok {
                problems.push(format!(
                    "{}: the rewrite would introduce a syntax error; the file is kept as it is (please report this)",
                    old.display
                ));
                continue;
            }
            originals.entry(file).or_insert_with(|| old.text.clone());
            let source = SourceFile::new(old.path.clone(), old.display.clone(), old.kind, text);
            ws.files[file] = model_of(source);
            changed = true;
        }
        calls.extend(plan.calls);
        lanes.extend(plan.lanes);
        report = Report::build(ws, options);
        if !changed {
            break;
        }
    }

    let changes: Vec<FileChange> = originals
        .into_iter()
        .filter_map(|(file, before)| {
            let src = &report.ws.files[file].source;
            (src.text != before).then(|| FileChange {
                file,
                display: src.display.clone(),
                path: src.path.clone(),
                before,
                after: src.text.clone(),
            })
        })
        .collect();

    // Lanes left as they are: blocked ones, and migratable ones the rewrite could not move.
    let mut left_lanes = Vec::new();
    for lv in &report.lanes {
        let Some(model) = report.ws.files[lv.file].ruby() else {
            continue;
        };
        let name = model.lanes[lv.lane].qualified_name();
        let why = match lv.verdict {
            Verdict::Blocked => {
                let reason = lv.reasons.first();
                match reason {
                    Some(r) => {
                        let src = &report.ws.files[r.file].source;
                        let what = src.text.get(r.span.start..r.span.end).unwrap_or(r.code);
                        let what = what.split(['(', ' ', '\n']).next().unwrap_or(what);
                        format!(
                            "blocked by {what} ({}:{})",
                            src.display,
                            src.line_of(r.span.start)
                        )
                    }
                    None => "blocked".to_string(),
                }
            }
            Verdict::Migratable => {
                let src = &report.ws.files[lv.file].source;
                let line = src.line_of(model.lanes[lv.lane].span.start);
                match left.get(&(lv.file, lv.lane)) {
                    Some(why) => format!("{why} ({}:{line})", src.display),
                    None if !lv.fixable => {
                        format!("its file has syntax errors ({}:{line})", src.display)
                    }
                    None => format!(
                        "still reaches actions without a key, outside its own body (hooks or other lanes) ({}:{line})",
                        src.display
                    ),
                }
            }
            _ => continue,
        };
        left_lanes.push(LeftLane { name, why });
    }

    Outcome {
        report,
        changes,
        calls: calls.len(),
        lanes: lanes.len(),
        left: left_lanes,
        problems,
        rounds,
    }
}

impl Outcome {
    /// `3 files changed, 7 calls migrated in 4 lanes; 2 lanes left as they are: ...`
    pub fn summary(&self, applied: bool) -> String {
        let files = self.changes.len();
        let verb = if applied { "changed" } else { "would change" };
        let mut s = format!(
            "{files} file{} {verb}, {} call{} migrated in {} lane{}",
            plural(files),
            self.calls,
            plural(self.calls),
            self.lanes,
            plural(self.lanes)
        );
        if !applied {
            s = format!(
                "{files} file{} would change, {} call{} to migrate in {} lane{}",
                plural(files),
                self.calls,
                plural(self.calls),
                self.lanes,
                plural(self.lanes)
            );
        }
        if !self.left.is_empty() {
            let n = self.left.len();
            s.push_str(&format!(
                "; {n} lane{} left as {}: ",
                plural(n),
                if n == 1 { "it is" } else { "they are" }
            ));
            s.push_str(
                &self
                    .left
                    .iter()
                    .map(|l| format!("{} {}", l.name, l.why))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
