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

/// Where a walk may go from a lane.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Its body and the `def` methods it calls (transitively through methods).
    Methods,
    /// Everything it runs: methods, lanes it calls, and its hooks.
    All,
}

/// Name resolution over the model: which lane or method a bare call runs.
struct Graph<'a> {
    report: &'a Report,
    /// (project, platform, name) → lane.
    lanes: HashMap<(usize, Option<&'a str>, &'a str), LaneId>,
    /// (project, name) → (file, method index).
    methods: HashMap<(usize, &'a str), (usize, usize)>,
    /// Calls per (file, scope), in source order.
    calls: HashMap<(usize, Scope), Vec<usize>>,
    /// The project whose lanes a file's calls see.
    project_of: HashMap<usize, usize>,
}

impl<'a> Graph<'a> {
    fn new(report: &'a Report) -> Self {
        let ws = &report.ws;
        let mut g = Graph {
            report,
            lanes: HashMap::new(),
            methods: HashMap::new(),
            calls: HashMap::new(),
            project_of: HashMap::new(),
        };
        for (p, project) in ws.projects.iter().enumerate() {
            for &f in &project.fastfiles {
                g.project_of.entry(f).or_insert(p);
                let Some(m) = ws.files[f].ruby() else {
                    continue;
                };
                for (i, lane) in m.lanes.iter().enumerate() {
                    g.lanes
                        .insert((p, lane.platform.as_deref(), lane.name.as_str()), (f, i));
                }
                for (i, def) in m.methods.iter().enumerate() {
                    g.methods.insert((p, def.name.as_str()), (f, i));
                }
            }
        }
        for (f, file) in ws.files.iter().enumerate() {
            if let Some(m) = file.ruby() {
                for (i, call) in m.calls.iter().enumerate() {
                    g.calls.entry((f, call.scope)).or_default().push(i);
                }
            }
        }
        g
    }

    /// The call sites a lane runs: its own body's, and (per `reach`) those further away.
    fn walk(&self, lane: LaneId, reach: Reach) -> (Vec<CallId>, BTreeSet<CallId>) {
        let ws = &self.report.ws;
        let Some(model) = ws.files[lane.0].ruby() else {
            return (Vec::new(), BTreeSet::new());
        };
        let platform = model.lanes[lane.1].platform.as_deref();
        let project = self.project_of.get(&lane.0).copied();
        let own: Vec<CallId> = self
            .calls
            .get(&(lane.0, Scope::Lane(lane.1)))
            .map(|v| v.iter().map(|&c| (lane.0, c)).collect())
            .unwrap_or_default();
        let mut seen: HashSet<(usize, Scope)> = HashSet::new();
        let mut further: BTreeSet<CallId> = BTreeSet::new();
        let mut queue: Vec<(usize, Scope)> = vec![(lane.0, Scope::Lane(lane.1))];
        seen.insert((lane.0, Scope::Lane(lane.1)));
        if reach == Reach::All {
            for (f, file) in ws.files.iter().enumerate() {
                if self.project_of.get(&f).copied() != project {
                    continue;
                }
                for (i, hook) in file
                    .ruby()
                    .map(|m| &m.hooks[..])
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    if hook.platform.is_none() || hook.platform.as_deref() == platform {
                        seen.insert((f, Scope::Hook(i)));
                        queue.push((f, Scope::Hook(i)));
                    }
                }
            }
        }
        while let Some((f, scope)) = queue.pop() {
            let Some(m) = ws.files[f].ruby() else {
                continue;
            };
            for &c in self
                .calls
                .get(&(f, scope))
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if scope != Scope::Lane(lane.1) || f != lane.0 {
                    further.insert((f, c));
                }
                let Some(p) = project else {
                    continue;
                };
                let name = m.calls[c].name.as_str();
                let target = self
                    .lanes
                    .get(&(p, platform, name))
                    .or_else(|| self.lanes.get(&(p, None, name)))
                    .map(|&(lf, l)| (lf, Scope::Lane(l)));
                let target = match target {
                    Some(t) if reach == Reach::All => Some(t),
                    Some(_) => None,
                    None => self
                        .methods
                        .get(&(p, name))
                        .map(|&(mf, i)| (mf, Scope::Method(i))),
                };
                if let Some(t) = target {
                    if seen.insert(t) {
                        queue.push(t);
                    }
                }
            }
        }
        (own, further)
    }
}

/// Computes the edits of one round over the current state of the report.
pub fn plan(report: &Report, key_source: KeySource) -> Plan {
    let ws = &report.ws;
    let analysis = &report.analysis;
    let mut plan = Plan::default();
    let graph = Graph::new(report);

    // Call sites that a blocked lane runs are left as they are.
    let mut blocked_sites: HashSet<CallId> = HashSet::new();
    for lv in report
        .lanes
        .iter()
        .filter(|l| l.verdict == Verdict::Blocked)
    {
        let (own, further) = graph.walk((lv.file, lv.lane), Reach::All);
        blocked_sites.extend(own);
        blocked_sites.extend(further);
    }

    let rewritable = |file: usize| {
        ws.files[file]
            .ruby()
            .is_some_and(|m| m.syntax_errors.is_empty())
    };
    // A key-capable Apple action that logs in: `Some(keyless)`.
    let needs_login = |(file, call): CallId| -> Option<bool> {
        let site = analysis.site(file, call)?;
        if site.readonly || site.apple_id_only || !site.action.takes_key_at(site.version) {
            return None;
        }
        Some(site.reached_without_key)
    };
    let has_username = |(file, call): CallId| {
        ws.files[file]
            .ruby()
            .is_some_and(|m| m.calls[call].option("username").is_some())
    };

    let mut trees: HashMap<usize, Option<tree_sitter::Tree>> = HashMap::new();
    let mut works: Vec<LaneWork> = Vec::new();
    for lv in &report.lanes {
        if !matches!(lv.verdict, Verdict::Migratable | Verdict::ApiKey) || !rewritable(lv.file) {
            continue;
        }
        let Some(model) = ws.files[lv.file].ruby() else {
            continue;
        };
        let lane = &model.lanes[lv.lane];
        let (own_calls, method_calls) = graph.walk((lv.file, lv.lane), Reach::Methods);

        let mut own: Vec<CallId> = Vec::new();
        let mut in_methods: Vec<CallId> = Vec::new();
        let mut username_only: Vec<CallId> = Vec::new();
        for &id in &own_calls {
            match needs_login(id) {
                Some(true) => own.push(id),
                Some(false) if has_username(id) => username_only.push(id),
                _ => {}
            }
        }
        for &id in &method_calls {
            match needs_login(id) {
                Some(true) => in_methods.push(id),
                Some(false) if has_username(id) => username_only.push(id),
                _ => {}
            }
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
