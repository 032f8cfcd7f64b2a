//! `check` and `--fix` one project at a time: load, analyse and run the rules (and rewrite) for
//! each fastlane folder on its own, keep what the printers need, and drop the rest before the
//! next folders are read.
//!
//! Projects are independent in fastlane except through `import`: a Fastfile may import another
//! folder's Fastfile, whose lanes are then analysed where they are imported (see [`crate::load`]).
//! Each folder is first checked alone; when one imports a Fastfile of another checked folder, the
//! two are checked again together, so the result is the one a single load of everything gives.
//!
//! What is kept of each file: its source (for positions, snippets and fingerprints), its lanes,
//! platforms, hooks, methods and comments, and where its secrets are (for redaction). Calls,
//! options and ENV accesses, which make up most of a model, are dropped once the folder's rules
//! have run. Each file's syntax tree, which `--fix` reuses to place its edits and to re-parse its
//! rewrites, lives only while its folder is worked on, and only for the files `--fix` may rewrite
//! ([`load::Trees::Rewritable`]); `check` reads none after the file's model is built, so it frees
//! each tree then ([`load::Trees::Drop`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::ci_env::CiEnv;
use crate::config::Config;
use crate::discover::Found;
use crate::fix::{self, KeySource, Outcome};
use crate::load::{self, Workspace};
use crate::model::{Contents, FileModel};
use crate::report::{sort_diagnostics, sort_lanes, sort_notes, CheckOptions, Report};
use crate::suppress;
use crate::version::Version;

/// A group of fastlane folders checked together.
struct Group {
    /// Canonical fastlane folders of the group.
    dirs: BTreeSet<PathBuf>,
    found: Vec<Found>,
    /// The canonical paths of every Fastfile found, in any group.
    fastfiles: Arc<foldhash::HashSet<PathBuf>>,
    /// What every CI file found sets, in any group.
    ci: Arc<CiEnv>,
    /// The CI files, read once before the groups, for their own group to take.
    ci_models: Arc<HashMap<PathBuf, Mutex<Option<FileModel>>>>,
}

impl Group {
    /// Loads the group's files. A Fastfile it imports from another group's folder is left to
    /// that group (which reads it, and what it imports, itself): the two are joined and loaded
    /// again together anyway, so a chain of folders each importing the next costs each file once
    /// before the join rather than once per folder above it.
    fn load(&self, version: Option<Version>, trees: load::Trees) -> Workspace {
        let elsewhere = |file: &std::path::Path| {
            self.fastfiles.contains(file)
                && !file.parent().is_some_and(|dir| self.dirs.contains(dir))
        };
        let read_before = |path: &std::path::Path| {
            let model = self.ci_models.get(path)?;
            model.lock().ok()?.take()
        };
        let mut ws = load::load_in_run(
            self.found.clone(),
            version,
            None,
            &elsewhere,
            &read_before,
            trees,
        );
        ws.ci = self.ci.clone();
        ws
    }
}

/// What was made of one group, and the fastlane folders outside it whose Fastfiles it imports.
struct Piece<T> {
    part: T,
    imports_from: BTreeSet<PathBuf>,
}

/// A group's report, with the canonical path of each of its files (found on the group's thread,
/// so that joining the reports makes no file system calls).
struct Part {
    report: Report,
    /// Each file's canonical path, as bytes (hashing a `Path` parses its components).
    keys: Vec<std::ffi::OsString>,
}

impl Part {
    fn new(report: Report) -> Self {
        let keys = report
            .ws
            .files
            .iter()
            .map(|f| load::canonical_file(&f.source.path).into_os_string())
            .collect();
        Part { report, keys }
    }
}

/// Loads, analyses and runs every rule, a group of folders at a time.
pub fn check(found: Vec<Found>, version: Option<Version>, options: &CheckOptions) -> Report {
    crate::memo::begin_run();
    let reports = by_group(found, |group| {
        let ws = group.load(version, load::Trees::Drop);
        let imports_from = imports_from(&ws, &group.dirs);
        let mut report = Report::build(ws, options);
        keep_for_printing(&mut report);
        Piece {
            part: Part::new(report),
            imports_from,
        }
    });
    crate::memo::end_run();
    merge(reports).0
}

/// `--fix` (or `--diff`), a group of folders at a time: each group is loaded, rewritten in memory
/// until it settles, rid of the suppressions the rewrite made unused, and slimmed like a checked
/// one; each file's tree lives only while its group is worked on. Nothing is written. Returns the
/// outcome over every file and how many unused suppressions were removed.
pub fn fix(
    found: Vec<Found>,
    version: Option<Version>,
    options: &CheckOptions,
    key_source: KeySource,
    config: &Config,
) -> (Outcome, usize) {
    crate::memo::begin_run();
    let parts = by_group(found, |group| {
        let ws = group.load(version, load::Trees::Rewritable);
        let imports_from = imports_from(&ws, &group.dirs);
        let outcome = fix::fix(Report::build(ws, options), key_source, options);
        let (mut outcome, removed) = suppress::fix_unused(outcome, config, options);
        keep_for_printing(&mut outcome.report);
        let part = Part::new(std::mem::take(&mut outcome.report));
        Piece {
            part: (part, outcome, removed),
            imports_from,
        }
    });
    let mut removed = 0;
    let mut reports = Vec::with_capacity(parts.len());
    let mut outcomes = Vec::with_capacity(parts.len());
    for (part, outcome, n) in parts {
        removed += n;
        reports.push(part);
        outcomes.push(outcome);
    }
    crate::memo::end_run();
    let (report, index) = merge(reports);
    let mut outcome = Outcome {
        report,
        changes: Vec::new(),
        calls: BTreeSet::new(),
        lanes: BTreeSet::new(),
        hooks: BTreeSet::new(),
        left: Vec::new(),
        by_hand: Vec::new(),
        problems: Vec::new(),
        rounds: 0,
        taken_back: false,
    };
    for (part, index) in outcomes.into_iter().zip(index) {
        outcome
            .changes
            .extend(part.changes.into_iter().map(|mut c| {
                c.file = index[c.file];
                c
            }));
        outcome
            .calls
            .extend(part.calls.iter().map(|&(f, at)| (index[f], at)));
        outcome
            .lanes
            .extend(part.lanes.iter().map(|&(f, l)| (index[f], l)));
        outcome
            .hooks
            .extend(part.hooks.iter().map(|&(f, h)| (index[f], h)));
        outcome.left.extend(part.left.into_iter().map(|mut l| {
            l.lane.0 = index[l.lane.0];
            l
        }));
        outcome
            .by_hand
            .extend(part.by_hand.into_iter().map(|mut n| {
                n.file = index[n.file];
                n
            }));
        outcome.problems.extend(part.problems);
        outcome.rounds = outcome.rounds.max(part.rounds);
    }
    one_change_per_file(&mut outcome);
    // In the orders a single load of every file gives.
    fix::sort_changes(&mut outcome.changes);
    let order: HashMap<(usize, usize), usize> = outcome
        .report
        .lanes
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.file, l.lane), i))
        .collect();
    let files = &outcome.report.ws.files;
    for l in &mut outcome.left {
        l.path.clone_from(&files[l.lane.0].source.display);
    }
    outcome
        .left
        .sort_by_key(|l| (order.get(&l.lane).copied(), l.lane));
    // A lane of a file two groups loaded is listed by each.
    outcome.left.dedup_by_key(|l| l.lane);
    for n in &mut outcome.by_hand {
        n.path.clone_from(&files[n.file].source.display);
    }
    outcome.by_hand.sort();
    outcome.by_hand.dedup();
    outcome.problems.sort();
    (outcome, removed)
}

/// One file reached from two fastlane folders (a Fastfile both link to) is rewritten by each of
/// their groups: it is written once, and what was done to it counted once. Should the two
/// rewrites differ (each folder's other files can change what the rewrite needs), neither is
/// written, and a problem says why.
fn one_change_per_file(outcome: &mut Outcome) {
    let mut first: HashMap<usize, usize> = HashMap::new();
    // File → the other path it was reached by.
    let mut differ: BTreeMap<usize, String> = BTreeMap::new();
    let mut kept: Vec<fix::FileChange> = Vec::with_capacity(outcome.changes.len());
    for change in std::mem::take(&mut outcome.changes) {
        match first.get(&change.file) {
            Some(&i) if kept[i].after != change.after => {
                differ.entry(change.file).or_insert(change.display);
            }
            Some(_) => {}
            None => {
                first.insert(change.file, kept.len());
                kept.push(change);
            }
        }
    }
    outcome.changes = kept;
    for (&file, other) in &differ {
        outcome.problems.push(format!(
            "{}: the same file as {other}, which its two fastlane folders would rewrite differently; it is kept as it is",
            outcome.report.ws.files[file].source.display
        ));
    }
    outcome.take_back(&differ.into_keys().collect());
}

/// Runs `run` on each fastlane folder's files, on the thread pool; then, until no group imports
/// a Fastfile of another, runs it again on the groups joined: folders one of which imports the
/// other's Fastfile, or that import the same Fastfile from a folder outside them all. In the order
/// of the groups' first folders.
fn by_group<T: Send>(found: Vec<Found>, run: impl Fn(&Group) -> Piece<T> + Sync) -> Vec<T> {
    // Each file's fastlane folder is found on the thread pool (a file system lookup per folder).
    let keyed: Vec<(PathBuf, Found)> = found
        .into_par_iter()
        .map(|f| (load::canonical_dir(&load::project_dir(&f.path, f.kind)), f))
        .collect();
    let mut groups: BTreeMap<PathBuf, Vec<Found>> = BTreeMap::new();
    let mut fastfiles = foldhash::HashSet::default();
    for (dir, f) in keyed {
        if f.kind == crate::source::FileKind::Fastfile {
            if let Some(name) = f.path.file_name() {
                fastfiles.insert(dir.join(name));
            }
        }
        groups.entry(dir).or_default().push(f);
    }
    let fastfiles = Arc::new(fastfiles);
    let (ci, ci_models) = ci_env(&groups);
    let (ci, ci_models) = (Arc::new(ci), Arc::new(ci_models));
    let mut groups: Vec<Group> = groups
        .into_iter()
        .map(|(dir, found)| Group {
            dirs: BTreeSet::from([dir]),
            found,
            fastfiles: fastfiles.clone(),
            ci: ci.clone(),
            ci_models: ci_models.clone(),
        })
        .collect();
    let mut pieces: Vec<Piece<T>> = groups.par_iter().map(&run).collect();

    loop {
        let owner: HashMap<&PathBuf, usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.dirs.iter().map(move |d| (d, i)))
            .collect();
        let mut joined: Vec<usize> = (0..groups.len()).collect();
        fn root(joined: &mut [usize], mut i: usize) -> usize {
            while joined[i] != i {
                joined[i] = joined[joined[i]];
                i = joined[i];
            }
            i
        }
        // Folders outside every group, by the first group that imports from them.
        let mut outside: HashMap<&PathBuf, usize> = HashMap::new();
        let mut any = false;
        for (i, piece) in pieces.iter().enumerate() {
            for dir in &piece.imports_from {
                let j = match owner.get(dir) {
                    Some(&j) => j,
                    None => *outside.entry(dir).or_insert(i),
                };
                let (a, b) = (root(&mut joined, i), root(&mut joined, j));
                if a != b {
                    joined[a.max(b)] = a.min(b);
                    any = true;
                }
            }
        }
        if !any {
            break;
        }
        let mut merged: BTreeMap<usize, Group> = BTreeMap::new();
        let mut rerun = BTreeSet::new();
        for (i, group) in std::mem::take(&mut groups).into_iter().enumerate() {
            let r = root(&mut joined, i);
            if r != i {
                rerun.insert(r);
            }
            let into = merged.entry(r).or_insert_with(|| Group {
                dirs: BTreeSet::new(),
                found: Vec::new(),
                fastfiles: fastfiles.clone(),
                ci: ci.clone(),
                ci_models: ci_models.clone(),
            });
            into.dirs.extend(group.dirs);
            into.found.extend(group.found);
        }
        let mut old: Vec<Option<Piece<T>>> =
            std::mem::take(&mut pieces).into_iter().map(Some).collect();
        for (r, mut group) in merged {
            group.found.sort();
            let piece = match old[r].take() {
                Some(piece) if !rerun.contains(&r) => piece,
                _ => run(&group),
            };
            groups.push(group);
            pieces.push(piece);
        }
    }
    pieces.into_iter().map(|p| p.part).collect()
}

/// What the CI files found set, and the lanes their steps start: they are read here, before the
/// groups, as each group's analysis and rules may ask about a CI file of another group (one sits
/// outside every fastlane folder). Returns their models too, by path, for their own group to
/// take rather than read them again. A file that cannot be read is left to its group to report.
fn ci_env(
    groups: &BTreeMap<PathBuf, Vec<Found>>,
) -> (CiEnv, HashMap<PathBuf, Mutex<Option<FileModel>>>) {
    let models: Vec<FileModel> = groups
        .values()
        .flatten()
        .filter(|f| matches!(f.kind, crate::source::FileKind::Ci(_)))
        .filter_map(|f| load::load_file(&f.path, &f.display, f.kind).ok())
        .collect();
    let ci = CiEnv::of(&models);
    let models = models
        .into_iter()
        .map(|m| (m.source.path.clone(), Mutex::new(Some(m))))
        .collect();
    (ci, models)
}

/// The fastlane folders outside `dirs` whose Fastfiles the group imports: those loaded with it,
/// and those left to the groups that found them.
fn imports_from(ws: &Workspace, dirs: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let mut out: BTreeSet<PathBuf> = ws.imports_elsewhere.iter().cloned().collect();
    for project in &ws.projects {
        for &f in &project.fastfiles {
            let source = &ws.files[f].source;
            let dir = load::canonical_dir(&load::project_dir(&source.path, source.kind));
            if !dirs.contains(&dir) {
                out.insert(dir);
            }
        }
    }
    out
}

/// Keeps of an analysed group what the printers need: the lane-call edges, and the slimmed models.
fn keep_for_printing(report: &mut Report) {
    report.lane_calls = Some(crate::analysis::lane_calls(&report.ws));
    slim(&mut report.ws);
    report.analysis = Default::default();
}

/// Drops what only the analysis and the rules read: calls, options, ENV and Spaceship uses.
fn slim(ws: &mut Workspace) {
    for file in &mut ws.files {
        file.tree = None;
        if file.ruby().is_none() {
            continue;
        }
        // Found from the calls about to go: kept so printed source stays blanked out.
        let redactions = crate::secrets::spans(file);
        if let Contents::Ruby(model) = &mut file.contents {
            model.redactions = redactions;
            model.calls = Vec::new();
            model.env = Vec::new();
            model.spaceship = Vec::new();
            model.shell = Vec::new();
            model.context_keys = Vec::new();
            model.imports = Vec::new();
            model.bare_names = Vec::new();
            // Where to insert the key block: `--fix` only.
            for lane in &mut model.lanes {
                lane.indent = String::new();
            }
            // What is kept, sized to what it holds: the room each list grew into is otherwise held
            // until the end of the run (1.6 MB of the many-lanes benchmark's peak of 61 MB).
            model.lanes.shrink_to_fit();
            model.hooks.shrink_to_fit();
            model.methods.shrink_to_fit();
            model.platforms.shrink_to_fit();
            model.comments.shrink_to_fit();
        }
    }
}

/// Joins the groups' reports into one, as a single load of every file would have given it, with
/// where each group's files went in it.
fn merge(reports: Vec<Part>) -> (Report, Vec<Vec<usize>>) {
    // Sized once: growing by doubling would hold two copies of each list for a moment.
    let mut ws = Workspace {
        files: Vec::with_capacity(reports.iter().map(|r| r.report.ws.files.len()).sum()),
        ..Default::default()
    };
    let mut diagnostics =
        Vec::with_capacity(reports.iter().map(|r| r.report.diagnostics.len()).sum());
    let mut lanes = Vec::with_capacity(reports.iter().map(|r| r.report.lanes.len()).sum());
    let mut lane_calls = Vec::new();
    // A file read by two groups (a JSON key file both use) is kept once.
    let mut seen: HashMap<std::ffi::OsString, usize> = HashMap::new();
    let mut indexes = Vec::with_capacity(reports.len());
    for Part { report, keys } in reports {
        let Report {
            ws: part,
            diagnostics: part_diagnostics,
            lanes: part_lanes,
            lane_calls: part_lane_calls,
            ..
        } = report;
        let mut index = Vec::with_capacity(part.files.len());
        for (file, key) in part.files.into_iter().zip(keys) {
            match seen.get(&key) {
                Some(&i) => {
                    // Read as context by one group and found by another: it was found.
                    ws.files[i].context &= file.context;
                    index.push(i);
                }
                None => {
                    seen.insert(key, ws.files.len());
                    index.push(ws.files.len());
                    ws.files.push(file);
                }
            }
        }
        ws.projects.extend(part.projects.into_iter().map(|mut p| {
            p.files.iter_mut().for_each(|f| *f = index[*f]);
            p.fastfiles.iter_mut().for_each(|f| *f = index[*f]);
            p
        }));
        ws.errors.extend(part.errors);
        ws.notes.extend(part.notes.into_iter().map(|mut n| {
            n.file = index[n.file];
            n
        }));
        ws.key_paths.extend(part.key_paths.into_iter().map(|mut k| {
            k.file = index[k.file];
            k.loaded = k.loaded.map(|f| index[f]);
            k
        }));
        diagnostics.extend(part_diagnostics.into_iter().map(|mut d| {
            d.file = index[d.file];
            d
        }));
        lane_calls.extend(
            part_lane_calls
                .unwrap_or_default()
                .into_iter()
                .map(|((f, l), (tf, tl))| ((index[f], l), (index[tf], tl))),
        );
        lanes.extend(part_lanes.into_iter().map(|mut l| {
            l.file = index[l.file];
            l.reasons.iter_mut().for_each(|r| r.file = index[r.file]);
            l
        }));
        indexes.push(index);
    }
    ws.errors.sort();
    ws.errors.dedup();
    sort_notes(&mut ws);
    sort_diagnostics(&ws, &mut diagnostics);
    sort_lanes(&ws, &mut lanes);
    lanes.dedup_by(|a, b| (a.file, a.lane) == (b.file, b.lane));
    let report = Report {
        ws,
        analysis: Default::default(),
        diagnostics,
        lanes,
        suppressed: Vec::new(),
        baseline: None,
        lane_calls: Some({
            lane_calls.sort_unstable();
            lane_calls.dedup();
            lane_calls
        }),
    };
    (report, indexes)
}
