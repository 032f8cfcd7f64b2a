//! Which lanes and calls `--fix` migrates, decided from the analysed project.
//!
//! - A lane whose verdict is `migratable` and that reaches keyless calls in its own body (or in `def`
//!   methods it calls) gets the key block at the top of its body, unless a key is already in scope there.
//! - Each keyless call in its own body gets `api_key: api_key` (when the lane got the block), loses
//!   `username:`, and deliver/precheck get the in-app-purchase option turned off.
//! - Keyless calls in `def` methods it reaches, and calls given `username:` while a key is already in
//!   scope (a lane whose verdict is `api-key`), only lose `username:` (plus the IAP option).
//! - Nothing reached by a `blocked` lane is touched, and files with syntax errors are never rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::analysis::Site;
use crate::model::Scope;
use crate::parse::parse_ruby;
use crate::report::Report;
use crate::verdict::Verdict;

use super::edit::{apply_edits, Edit};
use super::rewrite::{
    call_edits, lane_edit, lane_reuses_api_key_name, CallFix, Family, KeySource, Skipped,
};

/// A lane, as `(file index, lane index)`.
pub type LaneId = (usize, usize);
/// A call site, as `(file index, call index)`.
pub type CallId = (usize, usize);

/// What one round of `--fix` would change.
#[derive(Debug, Default)]
pub struct Plan {
    /// New text per file index (only files that change).
    pub texts: BTreeMap<usize, String>,
    /// Lanes that received the key block or had a call in their body rewritten.
    pub lanes: BTreeSet<LaneId>,
    /// Call sites rewritten.
    pub calls: BTreeSet<CallId>,
    /// Lanes left alone, with why (one-line lanes).
    pub left_alone: BTreeMap<LaneId, String>,
    /// Things that went wrong (edits refused); the files involved are left as they are.
    pub problems: Vec<String>,
    /// Lane edits that clashed with another lane's in this round; a later round retries them.
    pub set_aside: Vec<String>,
}

/// The work for one lane: its key block and its calls, applied together or not at all.
struct LaneWork {
    lane: LaneId,
    block: Option<Edit>,
    calls: Vec<(CallId, CallFix)>,
}

fn family(iap_option: Option<&str>) -> Family {
    match iap_option {
        Some("precheck_include_in_app_purchases") => Family::Deliver,
        Some("include_in_app_purchases") => Family::Precheck,
        _ => Family::Other,
    }
}

/// Computes the edits of one round over the current state of the report.
pub fn plan(report: &Report, key_source: KeySource) -> Plan {
    let ws = &report.ws;
    let analysis = &report.analysis;
    let mut plan = Plan::default();

    let runs: HashMap<LaneId, &crate::analysis::LaneRun> = analysis
        .lanes
        .iter()
        .map(|r| ((r.file, r.lane), r))
        .collect();

    // Call sites that a blocked lane reaches are left as they are.
    let mut blocked_sites: HashSet<CallId> = HashSet::new();
    for lv in report
        .lanes
        .iter()
        .filter(|l| l.verdict == Verdict::Blocked)
    {
        if let Some(run) = runs.get(&(lv.file, lv.lane)) {
            for reach in &run.reaches {
                if let Site::Call { file, call } = reach.site {
                    blocked_sites.insert((file, call));
                }
            }
        }
    }

    let rewritable = |file: usize| {
        ws.files[file]
            .ruby()
            .is_some_and(|m| m.syntax_errors.is_empty())
    };

    let mut trees: HashMap<usize, Option<tree_sitter::Tree>> = HashMap::new();
    let mut works: Vec<LaneWork> = Vec::new();
    for lv in &report.lanes {
        if !matches!(lv.verdict, Verdict::Migratable | Verdict::ApiKey) || !rewritable(lv.file) {
            continue;
        }
        let Some(run) = runs.get(&(lv.file, lv.lane)) else {
            continue;
        };
        let Some(model) = ws.files[lv.file].ruby() else {
            continue;
        };
        let lane = &model.lanes[lv.lane];

        // Sites reached without a key on some run of this lane.
        let keyless: HashSet<CallId> = run
            .reaches
            .iter()
            .filter(|r| !r.has_key)
            .filter_map(|r| match r.site {
                Site::Call { file, call } => Some((file, call)),
                Site::Spaceship { .. } => None,
            })
            .collect();

        let mut own: Vec<CallId> = Vec::new();
        let mut in_methods: Vec<CallId> = Vec::new();
        let mut username_only: Vec<CallId> = Vec::new();
        for reach in &run.reaches {
            let Site::Call { file, call } = reach.site else {
                continue;
            };
            let Some(site) = analysis.site(file, call) else {
                continue;
            };
            if site.readonly || site.apple_id_only || !site.action.takes_key_at(site.version) {
                continue;
            }
            let Some(c) = ws.files[file].ruby().map(|m| &m.calls[call]) else {
                continue;
            };
            let is_own = file == lv.file && c.scope == Scope::Lane(lv.lane);
            let in_method = matches!(c.scope, Scope::Method(_));
            if keyless.contains(&(file, call)) {
                if is_own {
                    own.push((file, call));
                } else if in_method {
                    in_methods.push((file, call));
                }
            } else if c.option("username").is_some() && (is_own || in_method) {
                username_only.push((file, call));
            }
        }
        for list in [&mut own, &mut in_methods, &mut username_only] {
            list.sort_unstable();
            list.dedup();
        }
        if own.is_empty() && in_methods.is_empty() && username_only.is_empty() {
            continue;
        }

        let wants_block = lv.verdict == Verdict::Migratable
            && (!own.is_empty() || !in_methods.is_empty())
            && !analysis.keyed_at_start.contains(&(lv.file, lv.lane));
        let mut block = None;
        if wants_block {
            let text = &ws.files[lv.file].source.text;
            let Some(tree) = trees.entry(lv.file).or_insert_with(|| parse_ruby(text)) else {
                continue;
            };
            if lane_reuses_api_key_name(text, tree, lane.span.start) {
                plan.left_alone.insert(
                    (lv.file, lv.lane),
                    "already uses a variable named `api_key`; add the key by hand".to_string(),
                );
                continue;
            }
            match lane_edit(text, tree, lane.span.start, key_source) {
                Ok(edit) => block = Some(edit),
                Err(Skipped::OneLineLane { .. }) => {
                    plan.left_alone.insert(
                        (lv.file, lv.lane),
                        "written on one line; add the key by hand".to_string(),
                    );
                    continue;
                }
                Err(other) => {
                    plan.problems.push(format!(
                        "{}: lane {}: cannot find its block ({other:?})",
                        ws.files[lv.file].source.display,
                        lane.qualified_name()
                    ));
                    continue;
                }
            }
        }

        let mut calls = Vec::new();
        let mut push = |id: CallId, add_api_key: bool| {
            let (file, call) = id;
            if blocked_sites.contains(&id) || !rewritable(file) {
                return;
            }
            let Some(site) = analysis.site(file, call) else {
                return;
            };
            let Some(c) = ws.files[file].ruby().map(|m| &m.calls[call]) else {
                return;
            };
            calls.push((
                id,
                CallFix {
                    name: c.name_span.start..c.name_span.end,
                    family: family(site.action.iap_option),
                    add_api_key,
                },
            ));
        };
        for &id in &own {
            push(id, block.is_some());
        }
        for &id in in_methods.iter().chain(&username_only) {
            push(id, false);
        }
        works.push(LaneWork {
            lane: (lv.file, lv.lane),
            block,
            calls,
        });
    }

    // Per file: the edits of each lane's work, a lane's work kept whole or dropped whole.
    let mut accepted: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let mut set_aside: Vec<String> = Vec::new();
    let mut done_calls: HashSet<CallId> = HashSet::new();
    for work in works {
        let mut group: Vec<(usize, Edit)> = Vec::new();
        if let Some(block) = work.block.clone() {
            group.push((work.lane.0, block));
        }
        let mut group_calls = Vec::new();
        let mut failed = false;
        for (id, fix) in &work.calls {
            if done_calls.contains(id) {
                continue;
            }
            let text = &ws.files[id.0].source.text;
            let tree = trees.entry(id.0).or_insert_with(|| parse_ruby(text));
            let Some(tree) = tree.as_ref() else {
                failed = true;
                break;
            };
            match call_edits(text, tree, fix) {
                Ok(edits) => {
                    if !edits.is_empty() {
                        group_calls.push(*id);
                    }
                    group.extend(edits.into_iter().map(|e| (id.0, e)));
                }
                Err(e) => {
                    plan.problems.push(format!(
                        "{}: cannot find the call at byte {} ({e:?})",
                        ws.files[id.0].source.display, fix.name.start
                    ));
                    failed = true;
                    break;
                }
            }
        }
        if failed || group.is_empty() {
            continue;
        }
        // Check the group against what is already accepted, file by file (only the files it touches).
        let mut trial: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
        for (file, edit) in &group {
            let list = trial
                .entry(*file)
                .or_insert_with(|| accepted.get(file).cloned().unwrap_or_default());
            if !list.contains(edit) {
                list.push(edit.clone());
            }
        }
        let conflict = trial.iter().find_map(|(&f, edits)| {
            apply_edits(&ws.files[f].source.text, edits)
                .err()
                .map(|e| (f, e))
        });
        if let Some((f, e)) = conflict {
            // Left for a later round, which starts from the rewritten text.
            set_aside.push(format!(
                "{}: edits for lane {}: {e}",
                ws.files[f].source.display,
                ws.files[work.lane.0]
                    .ruby()
                    .map(|m| m.lanes[work.lane.1].qualified_name())
                    .unwrap_or_default()
            ));
            continue;
        }
        accepted.extend(trial);
        done_calls.extend(group_calls.iter().copied());
        plan.calls.extend(group_calls);
        plan.lanes.insert(work.lane);
    }

    plan.set_aside = set_aside;
    for (file, edits) in accepted {
        let text = &ws.files[file].source.text;
        match apply_edits(text, &edits) {
            Ok(new) if new != *text => {
                plan.texts.insert(file, new);
            }
            Ok(_) => {}
            Err(e) => plan.problems.push(format!(
                "{}: edits refused: {e}",
                ws.files[file].source.display
            )),
        }
    }
    plan
}
