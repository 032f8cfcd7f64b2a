//! `check` one project at a time: load, analyse and run the rules for each fastlane folder on its
//! own, keep what the printers need, and drop the rest before the next folders are read.
//!
//! Projects are independent in fastlane except through `import`: a Fastfile may import another
//! folder's Fastfile, whose lanes are then analysed where they are imported (see [`crate::load`]).
//! Each folder is first checked alone; when one imports a Fastfile of another checked folder, the
//! two are checked again together, so the result is the one a single load of everything gives.
//!
//! What is kept of each file: its source (for positions, snippets and fingerprints), its lanes,
//! platforms, hooks, methods and comments, and where its secrets are (for redaction). Calls,
//! options and ENV accesses, which make up most of a model, are dropped once the folder's rules
//! have run. `--fix` needs them all and keeps the single load.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::Found;
use crate::load::{self, Workspace};
use crate::model::Contents;
use crate::report::{sort_diagnostics, sort_lanes, sort_notes, CheckOptions, Report};
use crate::version::Version;

/// A group of fastlane folders checked together.
struct Group {
    /// Canonical fastlane folders of the group.
    dirs: BTreeSet<PathBuf>,
    found: Vec<Found>,
}

/// The report of one group, slimmed, and the checked folders outside it whose Fastfiles it imports.
struct Piece {
    report: Report,
    imports_from: BTreeSet<PathBuf>,
}

/// Loads, analyses and runs every rule, a group of folders at a time.
pub fn check(found: Vec<Found>, version: Option<Version>, options: &CheckOptions) -> Report {
    let mut groups: BTreeMap<PathBuf, Vec<Found>> = BTreeMap::new();
    for f in found {
        let dir = load::canonical_dir(&load::project_dir(&f.path, f.kind));
        groups.entry(dir).or_default().push(f);
    }
    let mut groups: Vec<Group> = groups
        .into_iter()
        .map(|(dir, found)| Group {
            dirs: BTreeSet::from([dir]),
            found,
        })
        .collect();
    let mut pieces: Vec<Piece> = groups
        .par_iter()
        .map(|g| run(g, version, options))
        .collect();

    // Folders that import each other's Fastfiles are checked again together, until none do.
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
        let mut any = false;
        for (i, piece) in pieces.iter().enumerate() {
            for dir in &piece.imports_from {
                if let Some(&j) = owner.get(dir) {
                    let (a, b) = (root(&mut joined, i), root(&mut joined, j));
                    if a != b {
                        joined[a.max(b)] = a.min(b);
                        any = true;
                    }
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
            });
            into.dirs.extend(group.dirs);
            into.found.extend(group.found);
        }
        let mut old: Vec<Option<Piece>> =
            std::mem::take(&mut pieces).into_iter().map(Some).collect();
        for (r, mut group) in merged {
            group.found.sort();
            let piece = match old[r].take() {
                Some(piece) if !rerun.contains(&r) => piece,
                _ => run(&group, version, options),
            };
            groups.push(group);
            pieces.push(piece);
        }
    }
    merge(pieces.into_iter().map(|p| p.report).collect())
}

/// Checks one group and slims its report.
fn run(group: &Group, version: Option<Version>, options: &CheckOptions) -> Piece {
    let ws = load::load(group.found.clone(), version);
    let mut imports_from = BTreeSet::new();
    for project in &ws.projects {
        for &f in &project.fastfiles {
            let source = &ws.files[f].source;
            let dir = load::canonical_dir(&load::project_dir(&source.path, source.kind));
            if !group.dirs.contains(&dir) {
                imports_from.insert(dir);
            }
        }
    }
    let mut report = Report::build(ws, options);
    report.lane_calls = Some(crate::analysis::lane_calls(&report.ws));
    slim(&mut report.ws);
    report.analysis = Default::default();
    Piece {
        report,
        imports_from,
    }
}

/// Drops what only the analysis and the rules read: calls, options, ENV and Spaceship uses.
fn slim(ws: &mut Workspace) {
    for file in &mut ws.files {
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
            model.imports = Vec::new();
            model.bare_names = Vec::new();
            // Where to insert the key block: `--fix` only.
            for lane in &mut model.lanes {
                lane.indent = String::new();
            }
        }
    }
}

/// Joins the groups' reports into one, as a single load of every file would have given it.
fn merge(reports: Vec<Report>) -> Report {
    // Sized once: growing by doubling would hold two copies of each list for a moment.
    let mut ws = Workspace {
        files: Vec::with_capacity(reports.iter().map(|r| r.ws.files.len()).sum()),
        ..Default::default()
    };
    let mut diagnostics = Vec::with_capacity(reports.iter().map(|r| r.diagnostics.len()).sum());
    let mut lanes = Vec::with_capacity(reports.iter().map(|r| r.lanes.len()).sum());
    let mut lane_calls = Vec::new();
    // A file read by two groups (a JSON key file both use) is kept once.
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    for report in reports {
        let Report {
            ws: part,
            diagnostics: part_diagnostics,
            lanes: part_lanes,
            lane_calls: part_lane_calls,
            ..
        } = report;
        let mut index = Vec::with_capacity(part.files.len());
        for file in part.files {
            let key = load::canonical_file(&file.source.path);
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
    }
    ws.errors.sort();
    ws.errors.dedup();
    sort_notes(&mut ws);
    sort_diagnostics(&ws, &mut diagnostics);
    sort_lanes(&ws, &mut lanes);
    lanes.dedup_by(|a, b| (a.file, a.lane) == (b.file, b.lane));
    Report {
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
    }
}
