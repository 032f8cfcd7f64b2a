//! `check --fix` / `--diff`: rewrite migratable lanes to use an App Store Connect API key.
//!
//! A fix is data: [`plan`] turns the analysed project into byte-range [`edit::Edit`]s, [`edit`]
//! applies them (sorted, non-overlapping), and this module re-parses the result (incrementally,
//! from the tree each model keeps), refuses any new syntax error, re-analyses and repeats until
//! nothing changes (at most [`MAX_ROUNDS`] rounds). Only then are files written, each atomically
//! ([`atomic`]); [`diff`] renders what changed. [`crate::pipeline::fix`] runs this a fastlane
//! folder at a time.

pub mod atomic;
pub mod diff;
pub mod edit;
pub mod plan;
pub mod rewrite;
pub mod variables;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::load::{model_of_tree, Workspace};
use crate::model::{FileModel, Span};
use crate::parse::{parse_ruby, reparse_ruby, syntax_errors};
use crate::report::{CheckOptions, Report};
use crate::rules::fl021_connect_api_no_token::INFO as CONNECT_API;
use crate::source::SourceFile;
use crate::verdict::Verdict;

use edit::Edit;
pub use rewrite::KeySource;

/// Rounds of plan → apply → re-analyse before giving up on reaching a fixed point.
pub const MAX_ROUNDS: usize = 8;

/// How many rewritten files are re-modelled together on the thread pool.
const REMODEL_CHUNK: usize = 128;

/// A file `--fix` rewrites.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub file: usize,
    pub display: String,
    pub path: std::path::PathBuf,
    pub before: String,
    pub after: String,
}

/// Sorts changes in path order, as files are found.
pub fn sort_changes(changes: &mut [FileChange]) {
    changes.sort_by(|a, b| a.display.cmp(&b.display).then(a.file.cmp(&b.file)));
}

/// A lane `--fix` did not migrate, and why.
#[derive(Debug, Clone)]
pub struct LeftLane {
    /// The lane, as (file, lane).
    pub lane: plan::LaneId,
    pub name: String,
    pub why: String,
    /// Where the reason is: the file as shown, its line in the rewritten text and in the
    /// text as it was.
    pub path: String,
    pub line: usize,
    pub line_before: usize,
}

/// Why a rewritten call still needs an option added by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ByHandWhy {
    /// deliver and precheck fail under a key with the in-app purchase check on.
    InAppPurchases,
    /// match with S3, Google Cloud or GitLab storage needs the team id under a key (FL018).
    TeamId,
}

impl ByHandWhy {
    /// The heading of its list in the summary.
    fn heading(self) -> &'static str {
        match self {
            ByHandWhy::InAppPurchases => {
                "to add by hand (deliver and precheck fail under an API key without it, fastlane #18250):"
            }
            ByHandWhy::TeamId => {
                "to add by hand (with S3, Google Cloud or GitLab storage, match cannot get the team id from an API key; FL018):"
            }
        }
    }
}

/// Something a rewritten call still needs, to be added by hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByHandNote {
    pub why: ByHandWhy,
    pub path: String,
    /// The call's line once rewritten.
    pub line: usize,
    /// Its line in the file as it was.
    pub line_before: usize,
    pub what: String,
    /// The file, as an index into the report's files.
    pub file: usize,
}

/// What `--fix` did (or, for `--diff`, would do).
pub struct Outcome {
    /// The report over the rewritten files.
    pub report: Report,
    pub changes: Vec<FileChange>,
    /// Call sites rewritten, as (file, byte offset in the rewritten text).
    pub calls: BTreeSet<(usize, usize)>,
    /// Lanes that got the key block, had calls rewritten, or run a hook that was.
    pub lanes: BTreeSet<plan::LaneId>,
    /// Hooks that got the key block or had calls rewritten.
    pub hooks: BTreeSet<plan::HookId>,
    pub left: Vec<LeftLane>,
    /// What is left to do by hand.
    pub by_hand: Vec<ByHandNote>,
    /// Edits that were refused (a bug in fastlint: reported, the file kept as it was).
    pub problems: Vec<String>,
    pub rounds: usize,
    /// Whether rewrites the report shows were taken back ([`Outcome::take_back`]): it then no
    /// longer shows the files as they are.
    pub taken_back: bool,
}

/// Runs the fix loop in memory over an analysed report. Nothing is written.
pub fn fix(report: Report, key_source: KeySource, options: &CheckOptions) -> Outcome {
    let mut report = report;
    let mut originals: BTreeMap<usize, String> = BTreeMap::new();
    // Call sites and notes as (file, byte offset), moved along with each round's edits.
    let mut calls: BTreeSet<(usize, usize)> = BTreeSet::new();
    // Notes also keep their offset in the original text, for `--diff`.
    let mut notes: Vec<(usize, usize, usize, ByHandWhy, String)> = Vec::new();
    let mut history: BTreeMap<usize, Vec<OffsetMap>> = BTreeMap::new();
    let mut lanes: BTreeSet<plan::LaneId> = BTreeSet::new();
    let mut hooks: BTreeSet<plan::HookId> = BTreeSet::new();
    let mut left: BTreeMap<plan::LaneId, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rounds = 0;
    loop {
        let plan = plan::plan(&report, key_source);
        left.extend(plan.left_alone);
        problems.extend(plan.problems);
        // Whether or not anything else changes: what is left to do by hand does not depend on
        // the other files of the run.
        for (file, note) in &plan.by_hand {
            let original = offset_before_rounds(&history, *file, note.at);
            let what = note.what.clone();
            notes.push((*file, note.at, original, ByHandWhy::InAppPurchases, what));
        }
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
        calls.extend(plan.call_offsets.iter().copied());
        let Report { mut ws, .. } = report;
        let mut edits = plan.edits;
        // The edits applied this round, per file.
        let mut moved: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
        // A chunk at a time, so that the old and new models of every file are not all held at once.
        let mut texts = plan.texts.into_iter();
        loop {
            let chunk: Vec<(usize, String)> = texts.by_ref().take(REMODEL_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            for (file, model) in remodel(&ws, chunk, &edits) {
                let old = &ws.files[file].source;
                let Some(model) = model else {
                    problems.push(format!(
                    "{}: the rewrite would introduce a syntax error; the file is kept as it is (please report this)",
                    old.display
                ));
                    continue;
                };
                originals.entry(file).or_insert_with(|| old.text.clone());
                moved.insert(file, edits.remove(&file).unwrap_or_default());
                ws.files[file] = model;
            }
        }
        let changed = !moved.is_empty();
        let maps: BTreeMap<usize, OffsetMap> = moved
            .iter()
            .map(|(&file, edits)| (file, OffsetMap::new(edits)))
            .collect();
        let follow = |(file, at): (usize, usize)| match maps.get(&file) {
            Some(map) => map.moved(at),
            None => at,
        };
        calls = calls.into_iter().map(|c| (c.0, follow(c))).collect();
        for note in &mut notes {
            note.1 = follow((note.0, note.1));
        }
        for (file, map) in maps {
            history.entry(file).or_default().push(map);
        }
        lanes.extend(plan.lanes);
        hooks.extend(plan.hooks);
        report = Report::build(ws, options);
        if !changed {
            break;
        }
    }

    let mut changes: Vec<FileChange> = originals
        .iter()
        .map(|(f, b)| (*f, b.clone()))
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
    sort_changes(&mut changes);
    problems.sort();

    let mut lines_before = LinesBefore::new(&originals);
    // Lanes left as they are: blocked ones, and migratable ones the rewrite could not move.
    let mut left_lanes = Vec::new();
    for lv in &report.lanes {
        let Some(model) = report.ws.files[lv.file].ruby() else {
            continue;
        };
        let name = model.lanes[lv.lane].qualified_name();
        // Why, and where: the reason's file and offset (in the rewritten text).
        let lane_at = (lv.file, model.lanes[lv.lane].span.start);
        let (why, (file, at)) = match lv.verdict {
            Verdict::Blocked => match lv.reasons.first() {
                Some(r) if r.code == crate::rules::fl020_shell_fastlane::INFO.code => (
                    format!(
                        "blocked by `{}`, started from a shell",
                        shell_text(&report, r)
                    ),
                    (r.file, r.span.start),
                ),
                Some(r) => (
                    format!("blocked by {}", reason_name(&report, r)),
                    (r.file, r.span.start),
                ),
                None => ("blocked".to_string(), lane_at),
            },
            Verdict::Migratable => {
                let shell = lv
                    .reasons
                    .iter()
                    .find(|r| r.code == crate::rules::fl020_shell_fastlane::INFO.code);
                match left.get(&(lv.file, lv.lane)) {
                    Some(why) => (why.clone(), lane_at),
                    None if report.ws.files[lv.file].has_syntax_errors() => {
                        ("its file has syntax errors".to_string(), lane_at)
                    }
                    None if shell.is_some() => {
                        let r = shell.expect("a shell reason");
                        (
                            format!("starts `{}` from a shell without an API key: give the command `--api_key_path` by hand, or call the action in the lane", shell_text(&report, r)),
                            (r.file, r.span.start),
                        )
                    }
                    None => match lv.reasons.iter().find(|r| r.code == CONNECT_API.code) {
                        Some(r) => (
                            format!("calls `{}` with no Spaceship token set: set one before it by hand (`app_store_connect_api_key` without `set_spaceship_token: false`, or `Spaceship::ConnectAPI.auth`)", reason_name(&report, r)),
                            (r.file, r.span.start),
                        ),
                        None => (
                            "still reaches actions without a key, outside its own body (hooks or other lanes)"
                                .to_string(),
                            lane_at,
                        ),
                    },
                }
            }
            _ => continue,
        };
        let src = &report.ws.files[file].source;
        let original = offset_before_rounds(&history, file, at);
        left_lanes.push(LeftLane {
            lane: (lv.file, lv.lane),
            name,
            why,
            path: src.display.clone(),
            line: src.line_of(at),
            line_before: lines_before.line(src, file, original),
        });
    }

    // A match whose storage needs the team id under a key (FL018 on the rewritten text): like the
    // in-app purchase option, listed while it is missing, whether or not this run moved the call.
    let team_id = &crate::rules::fl018_match_storage_team_id::INFO;
    let found: Vec<&crate::diagnostic::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == team_id.code)
        .collect();
    for (d, around) in found.iter().zip(calls_around(&report, &found)) {
        let Some(call) = report.ws.files[d.file]
            .ruby()
            .and_then(|m| m.calls.get(around?))
        else {
            continue;
        };
        let at = call.name_span.start;
        let original = offset_before_rounds(&history, d.file, at);
        let what = format!(
            "`team_id: \"...\"` in `{}` (your Developer Portal team id)",
            call.name
        );
        notes.push((d.file, at, original, ByHandWhy::TeamId, what));
    }

    let by_hand: Vec<ByHandNote> = notes
        .into_iter()
        .map(|(file, at, original, why, what)| {
            let src = &report.ws.files[file].source;
            let line_before = lines_before.line(src, file, original);
            ByHandNote {
                why,
                path: src.display.clone(),
                line: src.line_of(at),
                line_before,
                what,
                file,
            }
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    Outcome {
        report,
        changes,
        calls,
        lanes,
        hooks,
        left: left_lanes,
        by_hand,
        problems,
        rounds,
        taken_back: false,
    }
}

/// The model of each rewritten text, or `None` where the text has a syntax error; each text is
/// parsed once, on the thread pool, incrementally from the old tree where the model kept it. In
/// the order given.
fn remodel(
    ws: &Workspace,
    texts: Vec<(usize, String)>,
    edits: &BTreeMap<usize, Vec<Edit>>,
) -> Vec<(usize, Option<FileModel>)> {
    texts
        .into_par_iter()
        .map(|(file, text)| {
            let old = &ws.files[file];
            let tree = match (&old.tree, edits.get(&file)) {
                (Some(tree), Some(edits)) => {
                    let mut tree = tree.clone();
                    edit::edit_tree(&mut tree, &old.source, edits);
                    reparse_ruby(&text, &tree)
                }
                _ => parse_ruby(&text),
            };
            // Refused on any syntax error, a stray keyword included.
            let model = tree
                .filter(|t| syntax_errors(t).is_empty())
                .map(|tree| {
                    let old = &old.source;
                    let source =
                        SourceFile::new(old.path.clone(), old.display.clone(), old.kind, text);
                    model_of_tree(source, tree)
                })
                .filter(|model| !model.has_syntax_errors());
            (file, model)
        })
        .collect()
}

/// Lines of byte offsets in the files' texts as they were before the rounds (`originals` holds
/// the texts the rounds changed; the others are as the report has them). Each original text gets
/// its line table once, so that thousands of notes on one file do not each count its lines.
struct LinesBefore<'a> {
    originals: &'a BTreeMap<usize, String>,
    sources: std::collections::HashMap<usize, SourceFile>,
}

impl<'a> LinesBefore<'a> {
    fn new(originals: &'a BTreeMap<usize, String>) -> Self {
        LinesBefore {
            originals,
            sources: Default::default(),
        }
    }

    /// The 1-based line of byte offset `original` of file `file` (`src` its source now).
    fn line(&mut self, src: &SourceFile, file: usize, original: usize) -> usize {
        let Some(before) = self.originals.get(&file) else {
            return src.line_of(original);
        };
        self.sources
            .entry(file)
            .or_insert_with(|| {
                SourceFile::new(
                    src.path.clone(),
                    src.display.clone(),
                    src.kind,
                    before.clone(),
                )
            })
            .line_of(original)
    }
}

/// Where byte offset `at` of file `file`'s current text was before any round rewrote it (`history`:
/// each round's edits of each file).
/// The command a shell reason is about, as the shell reads it (`fastlane pilot`).
fn shell_text<'r>(report: &'r Report, r: &crate::verdict::Reason) -> &'r str {
    report.ws.files[r.file]
        .ruby()
        .and_then(|m| m.shell.iter().find(|s| s.span == r.span))
        .map_or("fastlane", |s| s.text.as_str())
}

/// What a reason points at, up to its arguments: `produce`, `Spaceship::ConnectAPI::App.find`.
fn reason_name<'r>(report: &'r Report, r: &crate::verdict::Reason) -> &'r str {
    let src = &report.ws.files[r.file].source;
    let what = src.text.get(r.span.start..r.span.end).unwrap_or(r.code);
    what.split(['(', ' ', '\n']).next().unwrap_or(what)
}

fn offset_before_rounds(
    history: &BTreeMap<usize, Vec<OffsetMap>>,
    file: usize,
    at: usize,
) -> usize {
    history.get(&file).map_or(at, |rounds| {
        rounds.iter().rev().fold(at, |at, map| map.original(at))
    })
}

/// Offsets of a text and of the text a set of non-overlapping edits made of it, mapped either
/// way with a binary search (a round of `--fix` can hold an edit per lane, and every call and
/// note of the file is mapped through it).
struct OffsetMap {
    /// `(start, end)` of each edit, by start.
    starts: Vec<(usize, usize)>,
    /// Each edit's end, by end, and the change in length of the edits that end there or before.
    ends: Vec<usize>,
    grown_by_end: Vec<isize>,
    /// By start: where each edit's text is in the new text, and the change in length of the
    /// edits up to it.
    new_ranges: Vec<(usize, usize)>,
    grown_up_to: Vec<isize>,
}

impl OffsetMap {
    fn new(edits: &[Edit]) -> Self {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let change = |e: &Edit| e.replacement.len() as isize - e.range.len() as isize;
        let mut new_ranges = Vec::with_capacity(sorted.len());
        let mut grown_up_to = Vec::with_capacity(sorted.len());
        let mut delta: isize = 0;
        for e in &sorted {
            let new_start = (e.range.start as isize + delta) as usize;
            new_ranges.push((new_start, new_start + e.replacement.len()));
            delta += change(e);
            grown_up_to.push(delta);
        }
        let mut by_end: Vec<&Edit> = edits.iter().collect();
        by_end.sort_by_key(|e| e.range.end);
        let mut grown_by_end = vec![0];
        for e in &by_end {
            grown_by_end.push(grown_by_end.last().copied().unwrap_or(0) + change(e));
        }
        OffsetMap {
            starts: sorted
                .iter()
                .map(|e| (e.range.start, e.range.end))
                .collect(),
            ends: by_end.iter().map(|e| e.range.end).collect(),
            grown_by_end,
            new_ranges,
            grown_up_to,
        }
    }

    /// Where byte offset `at` of the rewritten text came from (text that an edit inserted maps to
    /// the start of that edit).
    fn original(&self, at: usize) -> usize {
        let k = self.new_ranges.partition_point(|&(start, _)| start <= at);
        if k == 0 {
            return at;
        }
        if at < self.new_ranges[k - 1].1 {
            return self.starts[k - 1].0;
        }
        (at as isize - self.grown_up_to[k - 1]) as usize
    }

    /// Where byte offset `at` of the text lands once the edits are applied (inside a replaced
    /// range: where the replacement starts).
    fn moved(&self, at: usize) -> usize {
        let mut at = at;
        let k = self.starts.partition_point(|&(start, _)| start < at);
        if k > 0 {
            let (start, end) = self.starts[k - 1];
            if start < at && at < end {
                at = start;
            }
        }
        let n = self.ends.partition_point(|&end| end <= at);
        (at as isize + self.grown_by_end[n]) as usize
    }
}

impl Outcome {
    /// Takes back the rewrites of `files`, which were not written (refused, or failed to
    /// write): they are no longer counted as changed, nor their calls, lanes and hooks as
    /// migrated.
    pub fn take_back(&mut self, files: &BTreeSet<usize>) {
        self.taken_back |= !files.is_empty();
        self.changes.retain(|c| !files.contains(&c.file));
        self.calls.retain(|(f, _)| !files.contains(f));
        self.lanes.retain(|(f, _)| !files.contains(f));
        self.hooks.retain(|(f, _)| !files.contains(f));
    }

    /// The headline: `3 files changed, 7 calls migrated in 4 lanes; 2 lanes left as they are;
    /// 1 option to add by hand` (`1 file changed, 2 lanes migrated with key blocks alone` when
    /// no call changed). What is left and what to add by hand are listed by [`Outcome::details`].
    pub fn summary(&self, applied: bool) -> String {
        let files = self.changes.len();
        let verb = if applied { "changed" } else { "would change" };
        let migrated = if applied { "migrated" } else { "to migrate" };
        let hooks = match self.hooks.len() {
            0 => String::new(),
            n => format!(" and {n} hook{}", plural(n)),
        };
        let lanes = self.lanes.len();
        let mut s = if self.calls.is_empty() && lanes > 0 {
            // Only key blocks: for Spaceship requests, which take the token they set.
            format!(
                "{files} file{} {verb}, {lanes} lane{}{hooks} {migrated} with key blocks alone",
                plural(files),
                plural(lanes)
            )
        } else {
            format!(
                "{files} file{} {verb}, {} call{} {migrated} in {lanes} lane{}{hooks}",
                plural(files),
                self.calls.len(),
                plural(self.calls.len()),
                plural(lanes)
            )
        };
        if !self.left.is_empty() {
            let n = self.left.len();
            s.push_str(&format!("; {n} lane{} {}", plural(n), left_as(n)));
        }
        if !self.by_hand.is_empty() {
            let n = self.by_hand.len();
            s.push_str(&format!("; {n} option{} to add by hand", plural(n)));
        }
        s
    }

    /// One line per lane left as it is, and per option to add by hand, under a heading each;
    /// empty when there is neither. With `applied`, lines of the rewritten files; else those of
    /// the files as they are.
    pub fn details(&self, applied: bool) -> String {
        let mut s = String::new();
        if !self.left.is_empty() {
            let n = self.left.len();
            s.push_str(&format!("lane{} {}:\n", plural(n), left_as(n)));
            for l in &self.left {
                let line = if applied { l.line } else { l.line_before };
                s.push_str(&format!("  {} {} ({}:{line})\n", l.name, l.why, l.path));
            }
        }
        let mut why = None;
        for n in &self.by_hand {
            if why != Some(n.why) {
                why = Some(n.why);
                s.push_str(n.why.heading());
                s.push('\n');
            }
            let line = if applied { n.line } else { n.line_before };
            s.push_str(&format!("  {}:{line}: {}\n", n.path, n.what));
        }
        s
    }
}

fn left_as(n: usize) -> &'static str {
    if n == 1 {
        "left as it is"
    } else {
        "left as they are"
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The innermost call around each diagnostic, in their order, found a file at a time
/// ([`crate::model::RubyModel::calls_around`]).
pub(crate) fn calls_around(
    report: &Report,
    diagnostics: &[&crate::diagnostic::Diagnostic],
) -> Vec<Option<usize>> {
    let mut by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, d) in diagnostics.iter().enumerate() {
        by_file.entry(d.file).or_default().push(k);
    }
    let mut around = vec![None; diagnostics.len()];
    for (file, ks) in by_file {
        let Some(model) = report.ws.files[file].ruby() else {
            continue;
        };
        let spans: Vec<Span> = ks.iter().map(|&k| diagnostics[k].span).collect();
        for (k, call) in ks.into_iter().zip(model.calls_around(&spans)) {
            around[k] = call;
        }
    }
    around
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved_offset(edits: &[Edit], at: usize) -> usize {
        OffsetMap::new(edits).moved(at)
    }

    fn original_offset(edits: &[Edit], at: usize) -> usize {
        OffsetMap::new(edits).original(at)
    }

    #[test]
    fn offsets_follow_the_edits_both_ways() {
        let edits = vec![Edit::replace(5..7, "x"), Edit::insert(0, "abc")];
        assert_eq!(moved_offset(&edits, 4), 7);
        assert_eq!(moved_offset(&edits, 8), 10);
        assert_eq!(moved_offset(&edits, 6), 8);
        assert_eq!(original_offset(&edits, 7), 4);
        assert_eq!(original_offset(&edits, 10), 8);
        assert_eq!(original_offset(&edits, 1), 0);
        for at in [0, 3, 4, 7, 9] {
            assert_eq!(original_offset(&edits, moved_offset(&edits, at)), at);
        }
    }

    /// The definitions, one edit at a time.
    fn moved_by_definition(edits: &[Edit], at: usize) -> usize {
        let mut at = at;
        for e in edits {
            if e.range.start < at && at < e.range.end {
                at = e.range.start;
            }
        }
        let grown: isize = edits
            .iter()
            .filter(|e| e.range.end <= at)
            .map(|e| e.replacement.len() as isize - e.range.len() as isize)
            .sum();
        (at as isize + grown) as usize
    }

    fn original_by_definition(edits: &[Edit], at: usize) -> usize {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let mut delta: isize = 0;
        for e in sorted {
            let new_start = (e.range.start as isize + delta) as usize;
            if at < new_start {
                break;
            }
            if at < new_start + e.replacement.len() {
                return e.range.start;
            }
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        (at as isize - delta) as usize
    }

    #[test]
    fn offset_maps_give_what_the_edits_give_one_at_a_time() {
        // Sets of edits that `apply_edits` accepts over a 30-byte text, from a fixed generator.
        let text = "a".repeat(30);
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % n) as usize
        };
        let mut sets = 0;
        for _ in 0..3_000 {
            let edits: Vec<Edit> = (0..1 + next(6))
                .map(|_| {
                    let start = next(31);
                    let end = (start + next(4)).min(30);
                    Edit::replace(start..end, "b".repeat(next(4)))
                })
                .collect();
            if crate::fix::edit::apply_edits(&text, &edits).is_err() {
                continue;
            }
            sets += 1;
            let map = OffsetMap::new(&edits);
            let grown: isize = edits
                .iter()
                .map(|e| e.replacement.len() as isize - e.range.len() as isize)
                .sum();
            for at in 0..=30 {
                assert_eq!(
                    map.moved(at),
                    moved_by_definition(&edits, at),
                    "{edits:?} {at}"
                );
            }
            for at in 0..=(30 + grown) as usize {
                assert_eq!(
                    map.original(at),
                    original_by_definition(&edits, at),
                    "{edits:?} {at}"
                );
            }
        }
        assert!(sets > 500, "{sets}");
    }
}
