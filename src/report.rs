//! The results of a run, sorted and ready for any printer: diagnostics, lane verdicts, errors, notes.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use crate::analysis::{analyse, Analysis};
use crate::baseline::BaselineOutcome;
use crate::diagnostic::Diagnostic;
use crate::discover::FileError;
use crate::extract::nesting::Nesting;
use crate::load::{Note, Workspace};
use crate::model::Span;
use crate::rules::{self, Context};
use crate::suppress::Suppressed;
use crate::verdict::{verdicts, LaneVerdict, Verdict};

/// Everything a run found.
#[derive(Default)]
pub struct Report {
    pub ws: Workspace,
    pub analysis: Analysis,
    /// What is reported.
    pub diagnostics: Vec<Diagnostic>,
    pub lanes: Vec<LaneVerdict>,
    /// Found, then suppressed by a comment or the baseline (shown only in SARIF).
    pub suppressed: Vec<Suppressed>,
    /// What `--baseline` matched and what it lists as fixed.
    pub baseline: Option<BaselineOutcome>,
    /// Which lanes call which, kept when the calls themselves were dropped ([`crate::pipeline`]);
    /// `None` while the models still hold them.
    pub lane_calls: Option<Vec<LaneCall>>,
}

/// A lane calling another, each as (file, lane).
pub type LaneCall = ((usize, usize), (usize, usize));

/// Options that change what is found.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub key_from_env: bool,
    /// The environments (`fastlane --env`) whose `.env.<name>` files count as loaded.
    pub env: crate::environments::Selection,
}

/// Finds the lane whose block holds a span, file by file.
pub struct LaneFinder<'a> {
    ws: &'a Workspace,
    index: HashMap<usize, Nesting>,
}

impl<'a> LaneFinder<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        Self {
            ws,
            index: HashMap::new(),
        }
    }

    /// The qualified name of the innermost lane around `span` in `file`.
    pub fn lane_at(&mut self, file: usize, span: Span) -> Option<crate::diagnostic::Text> {
        let model = self.ws.files[file].ruby()?;
        let nesting = self.index.entry(file).or_insert_with(|| {
            Nesting::new(
                model
                    .lanes
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.block, i))
                    .collect(),
            )
        });
        nesting
            .innermost(span)
            .map(|i| crate::diagnostic::intern(model.lanes[i].qualified_name()))
    }
}

/// Each file's place in the order of the paths shown: files shown alike share a place. Sorting by
/// it orders as comparing the paths would, without comparing strings each time.
fn path_ranks(ws: &Workspace) -> Vec<u32> {
    let files = &ws.files;
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].source.display.cmp(&files[b].source.display));
    let mut ranks = vec![0; files.len()];
    let mut rank = 0;
    for (i, &f) in order.iter().enumerate() {
        if i > 0 && files[f].source.display != files[order[i - 1]].source.display {
            rank += 1;
        }
        ranks[f] = rank;
    }
    ranks
}

/// Sorts diagnostics by path, position and code, and drops duplicates.
pub fn sort_diagnostics(ws: &Workspace, diagnostics: &mut Vec<Diagnostic>) {
    let ranks = path_ranks(ws);
    let key = |d: &Diagnostic| (d.file, d.span.start, d.span.end, d.rule.code);
    // Of the findings one rule makes at one place (FL001 on the `username:` of a hash that two
    // calls pass, one finding per call), the one kept is the first by its text, whatever order
    // the rule found them in.
    diagnostics.sort_by(|a, b| {
        ranks[a.file]
            .cmp(&ranks[b.file])
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| (&a.message, &a.help).cmp(&(&b.message, &b.help)))
    });
    diagnostics.dedup_by(|a, b| key(a) == key(b));
}

/// A note on each variable that a CI file sets to give fastlane actions an API key, when no step
/// it is set for starts a lane fastlint follows ([`crate::extract::ci_lanes`]): the lanes those
/// steps run are judged without it.
fn ci_key_notes(ws: &Workspace) -> Vec<Note> {
    let mut notes = Vec::new();
    for (file, f) in ws.files.iter().enumerate() {
        let crate::model::Contents::Ci(ci) = &f.contents else {
            continue;
        };
        // A variable some followed lane run of the file has in scope gives that lane its key.
        let followed: foldhash::HashSet<&str> = ci
            .lane_runs
            .iter()
            .filter(|r| r.folder.is_some())
            .flat_map(|r| r.env.iter().map(|(name, _)| name.as_str()))
            .collect();
        for e in ci.env.iter().filter(|e| {
            !e.value.trim().is_empty()
                && crate::knowledge::is_key_var(&e.name)
                && !followed.contains(e.name.as_str())
        }) {
            notes.push(Note {
                file,
                span: e.name_span,
                message: format!(
                    "`{}` gives the fastlane actions run here an API key, but no step it is set for starts a lane fastlint can follow (`fastlane <lane>` run in a fastlane folder it can tell), so it judges the lanes without it: pass `--key-from-env` if they all run with it",
                    e.name
                ),
            });
        }
    }
    notes
}

/// Sorts notes by path, position and message, and drops duplicates.
pub fn sort_notes(ws: &mut Workspace) {
    let ranks = path_ranks(ws);
    ws.notes.sort_by(|a, b| {
        (ranks[a.file], a.span, &a.message).cmp(&(ranks[b.file], b.span, &b.message))
    });
    ws.notes
        .dedup_by(|a, b| (a.file, a.span, &a.message) == (b.file, b.span, &b.message));
}

/// Sorts lane verdicts by path, then by where the lane starts.
pub fn sort_lanes(ws: &Workspace, lanes: &mut [LaneVerdict]) {
    let ranks = path_ranks(ws);
    let start = |l: &LaneVerdict| {
        ws.files[l.file]
            .ruby()
            .map_or(0, |m| m.lanes[l.lane].span.start)
    };
    lanes.sort_by(|a, b| {
        ranks[a.file]
            .cmp(&ranks[b.file])
            .then(start(a).cmp(&start(b)))
            .then(a.lane.cmp(&b.lane))
    });
}

impl Report {
    /// Analyses a loaded workspace and runs every rule.
    pub fn build(mut ws: Workspace, options: &CheckOptions) -> Self {
        // Files rewritten by --fix come back with their bare names unresolved.
        crate::load::resolve_bare_names(&mut ws.files);
        let analysis = analyse(&ws, options);
        let mut diagnostics = rules::run_all(&Context::new(&ws, &analysis, &options.env));
        let mut finder = LaneFinder::new(&ws);
        for d in &mut diagnostics {
            d.lane = finder.lane_at(d.file, d.span);
        }
        sort_diagnostics(&ws, &mut diagnostics);
        let mut lanes = verdicts(&ws, &analysis);
        sort_lanes(&ws, &mut lanes);
        if !options.key_from_env {
            let notes = ci_key_notes(&ws);
            ws.notes.extend(notes);
        }
        sort_notes(&mut ws);
        Report {
            ws,
            analysis,
            diagnostics,
            lanes,
            suppressed: Vec::new(),
            baseline: None,
            lane_calls: None,
        }
    }

    /// Which lanes call which.
    pub fn lane_calls(&self) -> std::borrow::Cow<'_, [LaneCall]> {
        match &self.lane_calls {
            Some(edges) => std::borrow::Cow::Borrowed(edges),
            None => std::borrow::Cow::Owned(crate::analysis::lane_calls(&self.ws)),
        }
    }

    pub fn errors(&self) -> &[FileError] {
        &self.ws.errors
    }

    pub fn notes(&self) -> &[Note] {
        &self.ws.notes
    }

    /// How many files were checked (context files read for the analysis only are not counted).
    pub fn files_checked(&self) -> usize {
        self.ws.files.iter().filter(|f| !f.context).count()
    }

    /// Counts per code, in code order.
    pub fn by_code(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for d in &self.diagnostics {
            *m.entry(d.rule.code).or_insert(0) += 1;
        }
        m
    }

    /// Counts per verdict (all four, zero included).
    pub fn by_verdict(&self) -> BTreeMap<&'static str, usize> {
        let mut m: BTreeMap<&'static str, usize> =
            Verdict::ALL.iter().map(|v| (v.as_str(), 0)).collect();
        for l in &self.lanes {
            *m.entry(l.verdict.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// The verdicts that occur, with their counts: `2 api-key, 1 migratable`.
    pub fn verdict_summary(&self) -> String {
        self.by_verdict()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(v, n)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The process exit status: 2 if anything errored, else 1 if findings remain, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.ws.errors.is_empty() {
            2
        } else if !self.diagnostics.is_empty() {
            1
        } else {
            0
        }
    }
}
