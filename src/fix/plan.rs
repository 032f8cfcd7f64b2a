//! Which lanes, hooks and calls `--fix` migrates, decided from the analysed project.
//!
//! - A lane whose verdict is `migratable` and that reaches keyless calls in its own body (or in `def`
//!   methods it calls) gets the key block at the top of its body, unless a key is already in scope there.
//!   So does one whose body (or methods) makes direct App Store Connect API calls with no Spaceship
//!   token and sets up no key itself ([`LaneVerdict::keyable_requests`]): the block sets the token.
//! - A hook (`before_all`, `before_each`, `after_each`, `after_all`, global or in a platform) run by
//!   such lanes is treated like a lane body: the key block at its top when it holds keyless calls,
//!   or such API calls ([`crate::analysis::Analysis::keyable_hooks`]).
//! - Each keyless call in a lane's or hook's own body gets `api_key: api_key` (when that body got the
//!   block), loses `username:`, and deliver/precheck get the in-app-purchase option turned off.
//! - Keyless calls in `def` methods it reaches, and calls given `username:` while a key is already in
//!   scope (a lane whose verdict is `api-key`), only lose `username:` (plus the IAP option); so do
//!   `username:` next to `api_key:` on pilot/precheck/notarize (FL014).
//! - deliver/precheck calls that already have a key but still check in-app purchases (FL010) get the
//!   check turned off.
//! - When a hook gets the block, the lanes and later hooks it runs before are left for the next
//!   round (the key is then in scope there), except that their keyless deliver/precheck calls get
//!   the IAP option now: once the key is in scope they no longer look keyless.
//! - Nothing reached by a `blocked` lane is touched, and files with syntax errors are never rewritten.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use rayon::prelude::*;
use tree_sitter::{Node, Tree};

use crate::knowledge::{self, Auth};
use crate::model::{FileModel, Hook, HookKind, Scope, SpaceshipKind};
use crate::parse::parse_ruby;
use crate::report::Report;
use crate::verdict::{LaneVerdict, Verdict};

use super::edit::{apply_edits, Edit, EditSet};
use super::rewrite::{
    api_key_assignments, call_edits, call_edits_at, lane_edit, lane_reuses_api_key_name,
    outer_scope_assigns, ApiKeyArg, ByHand, CallEdits, CallFix, Family, KeyBlockForm, KeySource,
    Skipped,
};
use super::variables::Lookups;

/// The syntax tree of a file: the one its model kept, else parsed now.
fn tree_of(file: &FileModel) -> Option<Tree> {
    match &file.tree {
        Some(tree) => Some(tree.clone()),
        None => parse_ruby(&file.source.text),
    }
}

/// A lane, as `(file index, lane index)`.
pub type LaneId = (usize, usize);
/// A hook, as `(file index, hook index)`.
pub type HookId = (usize, usize);
/// A call site, as `(file index, call index)`.
pub type CallId = (usize, usize);

/// What one round of `--fix` would change.
#[derive(Debug, Default)]
pub struct Plan {
    /// New text per file index (only files that change).
    pub texts: BTreeMap<usize, String>,
    /// The edits behind each new text, against the round's old text.
    pub edits: BTreeMap<usize, Vec<Edit>>,
    /// Lanes that received the key block, had a call in their body rewritten, or run a hook that was.
    pub lanes: BTreeSet<LaneId>,
    /// Hooks that received the key block or had a call rewritten.
    pub hooks: BTreeSet<HookId>,
    /// Call sites rewritten, as (file, byte offset of the method name) in the round's old text.
    pub call_offsets: BTreeSet<(usize, usize)>,
    /// Lanes left alone, with why (one-line lanes, hooks that cannot be rewritten).
    pub left_alone: BTreeMap<LaneId, String>,
    /// What rewritten calls still need by hand, per file (offsets in the round's old text).
    pub by_hand: Vec<(usize, ByHand)>,
    /// Things that went wrong (edits refused); the files involved are left as they are.
    pub problems: Vec<String>,
    /// Edits that clashed with others in this round; a later round retries them.
    pub set_aside: Vec<String>,
}

/// A body `--fix` may rewrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Lane(LaneId),
    Hook(HookId),
}

/// The work for one lane or hook: its key block and its calls, applied together or not at all.
struct Work {
    unit: Unit,
    block: Option<Vec<Edit>>,
    calls: Vec<(CallId, CallFix)>,
    /// Calls of the body that the key block gives a key whether or not they are edited (a
    /// [`KeyBlockForm::Bare`] block hands it on through the lane context): migrated too. A set:
    /// every call of the body asks whether it is in it.
    keyed: HashSet<CallId>,
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

fn is_before(kind: HookKind) -> bool {
    matches!(kind, HookKind::BeforeAll | HookKind::BeforeEach)
}

fn hook_word(kind: HookKind) -> &'static str {
    match kind {
        HookKind::BeforeAll => "before_all",
        HookKind::BeforeEach => "before_each",
        HookKind::AfterEach => "after_each",
        HookKind::AfterAll => "after_all",
        HookKind::Error => "error",
    }
}

/// The order in which fastlane runs hooks for a lane: the platform's before the global one.
fn hook_rank(hook: &Hook) -> Option<usize> {
    let kind = match hook.kind {
        HookKind::BeforeAll => 0,
        HookKind::BeforeEach => 1,
        HookKind::AfterEach => 2,
        HookKind::AfterAll => 3,
        HookKind::Error => return None,
    };
    Some(2 * kind + usize::from(hook.platform.is_none()))
}

/// Whether code of platforms `a` and `b` can run in the same lane run.
fn platforms_meet(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
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
    /// Every project whose Fastfiles include a file.
    projects_of: HashMap<usize, Vec<usize>>,
    /// Files with hooks, in file order, by the project whose lanes they see (`None`: no project).
    hook_files: HashMap<Option<usize>, Vec<usize>>,
    /// The report's lane verdicts (indices into `report.lanes`) per file.
    verdicts_of: HashMap<usize, Vec<usize>>,
    /// The same per file and platform block.
    verdicts_in: HashMap<(usize, Option<&'a str>), Vec<usize>>,
    /// The bodies that make a key available themselves: see [`Graph::provides_key`].
    key_scopes: HashSet<(usize, Scope)>,
    /// The hooks among those, per file.
    keyed_hooks: HashMap<usize, Vec<usize>>,
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
            projects_of: HashMap::new(),
            hook_files: HashMap::new(),
            verdicts_of: HashMap::new(),
            verdicts_in: HashMap::new(),
            key_scopes: HashSet::new(),
            keyed_hooks: HashMap::new(),
        };
        for (i, lv) in report.lanes.iter().enumerate() {
            g.verdicts_of.entry(lv.file).or_default().push(i);
            let platform = ws.files[lv.file]
                .ruby()
                .and_then(|m| m.lanes[lv.lane].platform.as_deref());
            g.verdicts_in
                .entry((lv.file, platform))
                .or_default()
                .push(i);
        }
        for (p, project) in ws.projects.iter().enumerate() {
            for &f in &project.fastfiles {
                g.project_of.entry(f).or_insert(p);
                g.projects_of.entry(f).or_default().push(p);
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
                    if knowledge::action(&call.name).is_some_and(|a| a.auth == Auth::KeyProvider) {
                        g.key_scopes.insert((f, call.scope));
                    }
                }
                for s in m.spaceship.iter() {
                    if s.kind == SpaceshipKind::KeyAuth {
                        g.key_scopes.insert((f, s.scope));
                    }
                }
                for i in 0..m.hooks.len() {
                    if g.key_scopes.contains(&(f, Scope::Hook(i))) {
                        g.keyed_hooks.entry(f).or_default().push(i);
                    }
                }
                if !m.hooks.is_empty() {
                    let project = g.project_of.get(&f).copied();
                    g.hook_files.entry(project).or_default().push(f);
                }
            }
        }
        g
    }

    /// The files whose code runs in a project with `file`'s (`file` included); a file may come
    /// more than once.
    fn project_mates(&self, file: usize) -> impl Iterator<Item = usize> + '_ {
        self.projects_of
            .get(&file)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .flat_map(|&p| self.report.ws.projects[p].fastfiles.iter().copied())
    }

    fn hook(&self, (f, i): HookId) -> &'a Hook {
        &self.report.ws.files[f]
            .ruby()
            .expect("hook of a Ruby file")
            .hooks[i]
    }

    fn lane_platform(&self, (f, l): LaneId) -> Option<&'a str> {
        self.report.ws.files[f]
            .ruby()
            .and_then(|m| m.lanes.get(l))
            .and_then(|lane| lane.platform.as_deref())
    }

    /// Whether two files' code runs in a common project.
    fn share_project(&self, a: usize, b: usize) -> bool {
        match (self.projects_of.get(&a), self.projects_of.get(&b)) {
            (Some(pa), Some(pb)) => pa.iter().any(|p| pb.contains(p)),
            _ => false,
        }
    }

    /// Whether `hook` runs for runs of `lane`.
    fn runs_hook(&self, lane: LaneId, hook: HookId) -> bool {
        let h = self.hook(hook);
        h.kind != HookKind::Error
            && self.share_project(lane.0, hook.0)
            && (h.platform.is_none() || h.platform.as_deref() == self.lane_platform(lane))
    }

    /// The lanes `hook` runs for, as indices into `report.lanes`, in its order.
    fn runners(&self, hook: HookId) -> Vec<usize> {
        let platform = self.hook(hook).platform.as_deref();
        let mut runners: Vec<usize> = self
            .project_mates(hook.0)
            .flat_map(|f| {
                match platform {
                    Some(p) => self.verdicts_in.get(&(f, Some(p))),
                    None => self.verdicts_of.get(&f),
                }
                .map(Vec::as_slice)
                .unwrap_or_default()
            })
            .copied()
            .filter(|&i| {
                let lv = &self.report.lanes[i];
                self.runs_hook((lv.file, lv.lane), hook)
            })
            .collect();
        runners.sort_unstable();
        runners.dedup();
        runners
    }

    /// Every hook of the workspace, in the order fastlane runs them.
    fn all_hooks(&self) -> Vec<HookId> {
        let mut hooks: Vec<(usize, HookId)> = Vec::new();
        for (f, file) in self.report.ws.files.iter().enumerate() {
            for (i, hook) in file
                .ruby()
                .map(|m| &m.hooks[..])
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(rank) = hook_rank(hook) {
                    hooks.push((rank, (f, i)));
                }
            }
        }
        hooks.sort();
        hooks.into_iter().map(|(_, h)| h).collect()
    }

    /// Whether `(file, scope)` itself makes a key available (`app_store_connect_api_key`, a
    /// Spaceship token).
    fn provides_key(&self, file: usize, scope: Scope) -> bool {
        self.key_scopes.contains(&(file, scope))
    }

    /// The call sites run from `(file, scope)` under `platform`: its own, and (per `reach`) those
    /// further away.
    fn walk_from(
        &self,
        file: usize,
        scope: Scope,
        platform: Option<&str>,
        reach: Reach,
    ) -> (Vec<CallId>, BTreeSet<CallId>) {
        let ws = &self.report.ws;
        let project = self.project_of.get(&file).copied();
        let own: Vec<CallId> = self
            .calls
            .get(&(file, scope))
            .map(|v| v.iter().map(|&c| (file, c)).collect())
            .unwrap_or_default();
        let mut seen: HashSet<(usize, Scope)> = HashSet::new();
        let mut further: BTreeSet<CallId> = BTreeSet::new();
        let mut queue: Vec<(usize, Scope)> = vec![(file, scope)];
        seen.insert((file, scope));
        if reach == Reach::All {
            for &f in self
                .hook_files
                .get(&project)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                for (i, hook) in ws.files[f]
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
        while let Some((f, sc)) = queue.pop() {
            let Some(m) = ws.files[f].ruby() else {
                continue;
            };
            for &c in self
                .calls
                .get(&(f, sc))
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if sc != scope || f != file {
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

    /// The call sites a lane runs: its own body's, and (per `reach`) those further away.
    fn walk(&self, lane: LaneId, reach: Reach) -> (Vec<CallId>, BTreeSet<CallId>) {
        self.walk_from(lane.0, Scope::Lane(lane.1), self.lane_platform(lane), reach)
    }
}

/// What the syntax tree says about putting the key block at the top of a lane or hook.
#[derive(Clone, Debug)]
enum BlockFact {
    /// The key block to insert (with the line breaks a one-line body needs), and its form:
    /// [`KeyBlockForm::Bare`] when the body, or the scope around it, already uses a variable
    /// named `api_key`.
    Edit(Vec<Edit>, KeyBlockForm),
    /// The block has no place there.
    Skipped(Skipped),
}

/// Where the key block goes in the lane or hook whose call starts at `at`, or why it does not.
/// `assignments` are the file's [`api_key_assignments`].
/// With `bare`, the block is [`KeyBlockForm::Bare`] whatever the names around it: no call of the
/// body is to be handed the variable.
fn block_fact(
    text: &str,
    tree: &Tree,
    assignments: &[(usize, Node)],
    at: usize,
    key_source: KeySource,
    bare: bool,
) -> BlockFact {
    let form = if bare
        || lane_reuses_api_key_name(text, tree, at)
        || outer_scope_assigns(assignments, tree, at)
    {
        KeyBlockForm::Bare
    } else {
        KeyBlockForm::Variable
    };
    match lane_edit(text, tree, at, key_source, form) {
        Ok(edit) => BlockFact::Edit(edit, form),
        Err(skipped) => BlockFact::Skipped(skipped),
    }
}

/// The edits `--fix` may want in one file, worked out from its syntax tree up front so that the
/// tree need not be kept while planning.
#[derive(Default)]
struct FileFacts {
    /// Key blocks, by the byte offset of the lane or hook call and whether the block is bare
    /// whatever the names around it (see [`block_fact`]).
    blocks: HashMap<(usize, bool), BlockFact>,
    /// Call rewrites, by (call index, the `api_key:` added).
    calls: HashMap<(usize, ApiKeyArg), (CallFix, Result<CallEdits, Skipped>)>,
}

/// What to work out for a file: key block offsets (bare ones apart) and call rewrites (with their
/// call index).
#[derive(Default)]
struct Wanted {
    blocks: Vec<usize>,
    bare_blocks: Vec<usize>,
    calls: Vec<(usize, CallFix)>,
}

impl Wanted {
    fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.bare_blocks.is_empty()
    }
}

impl FileFacts {
    fn new(text: &str, tree: &Tree, wanted: Wanted, key_source: KeySource) -> Self {
        let assignments = if wanted.blocks.is_empty() {
            Vec::new()
        } else {
            api_key_assignments(text, tree)
        };
        let blocks = (wanted.blocks.into_iter().map(|at| (at, false)))
            .chain(wanted.bare_blocks.into_iter().map(|at| (at, true)))
            .map(|(at, bare)| {
                let fact = block_fact(text, tree, &assignments, at, key_source, bare);
                ((at, bare), fact)
            })
            .collect();
        let names: Vec<_> = wanted
            .calls
            .iter()
            .map(|(_, fix)| fix.name.clone())
            .collect();
        let mut lookups = Lookups::new(tree, &names);
        let calls = wanted
            .calls
            .into_iter()
            .map(|(call, fix)| {
                let edits = call_edits_at(text, &mut lookups, &fix);
                ((call, fix.add_api_key), (fix, edits))
            })
            .collect();
        FileFacts { blocks, calls }
    }
}

/// Keyless calls of a body: its own, those in the methods it calls, and calls that pass
/// `username:` while a key is in scope.
#[derive(Default)]
struct Keyless {
    own: Vec<CallId>,
    in_methods: Vec<CallId>,
    username_only: Vec<CallId>,
}

impl Keyless {
    fn is_empty(&self) -> bool {
        self.own.is_empty() && self.in_methods.is_empty() && self.username_only.is_empty()
    }

    fn any_keyless(&self) -> bool {
        !self.own.is_empty() || !self.in_methods.is_empty()
    }
}

/// The codes whose findings a call's rewrite addresses: suppressed by a comment, they keep the call.
const HELD_CODES: &[&str] = &["FL001", "FL008", "FL010", "FL014"];

/// Why a lane or hook with a suppressed finding is left as it is.
const HELD_WHY: &str =
    "kept by a `# fastlint: ignore` comment on one of its Apple-ID findings (remove the comment to migrate it)";

struct Planner<'a> {
    report: &'a Report,
    graph: Graph<'a>,
    key_source: KeySource,
    /// Call sites that a blocked lane runs: left as they are.
    blocked_sites: HashSet<CallId>,
    /// (file, method name offset) of the calls FL010 reports.
    iap_findings: HashSet<(usize, usize)>,
    /// Calls with a finding their rewrite would address (FL001, FL008, FL010, FL014) that a
    /// `# fastlint: ignore` comment suppresses: left as written.
    held_calls: HashSet<CallId>,
    /// Per file, what its syntax tree says (`None`: it does not parse).
    facts: HashMap<usize, Option<FileFacts>>,
    accepted: BTreeMap<usize, EditSet>,
    done_calls: HashSet<CallId>,
    /// The lanes each hook runs for (indices into `report.lanes`).
    runners: HashMap<HookId, Vec<usize>>,
    /// Lanes run by a before hook that got the key block this round, with the lowest
    /// [`hook_rank`] of such a hook.
    keyed_before: HashMap<LaneId, usize>,
    /// Lanes that got the key block this round.
    keyed_lanes: HashSet<LaneId>,
    plan: Plan,
}

impl<'a> Planner<'a> {
    fn rewritable(&self, file: usize) -> bool {
        self.report.ws.files[file]
            .ruby()
            .is_some_and(|m| m.syntax_errors.is_empty())
    }

    /// A key-capable Apple action that logs in: `Some(keyless)`.
    fn needs_login(&self, (file, call): CallId) -> Option<bool> {
        let site = self.report.analysis.site(file, call)?;
        if site.readonly || site.apple_id_only || !site.action.takes_key_at(site.version) {
            return None;
        }
        Some(site.reached_without_key)
    }

    fn has_username(&self, (file, call): CallId) -> bool {
        self.report.ws.files[file]
            .ruby()
            .is_some_and(|m| m.calls[call].option("username").is_some())
    }

    /// A call FL010 reports: deliver/precheck with a key and the in-app purchase check on; the
    /// call rewrite turns the check off (an explicit `true` is left as written).
    fn iap_on(&self, (file, call): CallId) -> bool {
        self.report.ws.files[file].ruby().is_some_and(|m| {
            self.iap_findings
                .contains(&(file, m.calls[call].name_span.start))
        })
    }

    /// Whether a call can be among a body's [`Keyless`] calls.
    fn may_rewrite(&self, id: CallId) -> bool {
        !self.held_calls.contains(&id)
            && self
                .needs_login(id)
                .is_some_and(|keyless| keyless || self.has_username(id) || self.iap_on(id))
    }

    /// The calls that the lanes and hooks to migrate run (from their bodies and the methods
    /// they call) and that may be keyless.
    fn reached(&self) -> HashSet<CallId> {
        let mut reached = HashSet::new();
        for lv in &self.report.lanes {
            if matches!(lv.verdict, Verdict::Migratable | Verdict::ApiKey)
                && self.rewritable(lv.file)
            {
                let (own, further) = self.graph.walk((lv.file, lv.lane), Reach::Methods);
                reached.extend(own);
                reached.extend(further);
            }
        }
        for &(f, i) in self.runners.keys() {
            if self.rewritable(f) {
                let platform = self.graph.hook((f, i)).platform.as_deref();
                let (own, further) =
                    self.graph
                        .walk_from(f, Scope::Hook(i), platform, Reach::Methods);
                reached.extend(own);
                reached.extend(further);
            }
        }
        reached.retain(|&id| self.may_rewrite(id));
        reached
    }

    /// The key blocks and call rewrites a file may be asked for: the block for each migratable
    /// lane and each hook, and the rewrites of each of its calls in `calls` (with `api_key:` too
    /// for calls in a lane or hook body).
    fn wanted(&self, file: usize, calls: &HashSet<CallId>) -> Wanted {
        let mut wanted = Wanted::default();
        let Some(m) = self.report.ws.files[file].ruby() else {
            return wanted;
        };
        for (c, call) in m.calls.iter().enumerate() {
            if !calls.contains(&(file, c)) {
                continue;
            }
            let in_body = matches!(call.scope, Scope::Lane(_) | Scope::Hook(_));
            for arg in [ApiKeyArg::None, ApiKeyArg::Variable, ApiKeyArg::LaneContext] {
                let fits = match arg {
                    ApiKeyArg::None => true,
                    ApiKeyArg::Variable => in_body,
                    ApiKeyArg::LaneContext => in_body && self.hands_over((file, c)),
                };
                if !fits {
                    continue;
                }
                if let Some((_, fix)) = self.call_fix((file, c), arg) {
                    wanted.calls.push((c, fix));
                }
            }
        }
        let verdicts = self
            .graph
            .verdicts_of
            .get(&file)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Bare blocks for the bodies whose API calls alone may want one.
        for &i in verdicts {
            let lv = &self.report.lanes[i];
            if lv.keyable_requests {
                wanted.bare_blocks.push(m.lanes[lv.lane].span.start);
            }
        }
        wanted.bare_blocks.extend(
            (m.hooks.iter().enumerate())
                .filter(|&(i, _)| self.report.analysis.keyable_hooks.contains(&(file, i)))
                .map(|(_, h)| h.span.start),
        );
        if wanted.calls.is_empty() {
            return wanted;
        }
        for &i in verdicts {
            let lv = &self.report.lanes[i];
            if lv.verdict == Verdict::Migratable {
                wanted.blocks.push(m.lanes[lv.lane].span.start);
            }
        }
        wanted.blocks.extend(m.hooks.iter().map(|h| h.span.start));
        wanted
    }

    /// Parses, on the thread pool, every file with calls that may be rewritten, and keeps what
    /// the trees say instead of the trees.
    fn prepare(&mut self) {
        let reached = self.reached();
        let mut files: Vec<usize> = reached.iter().map(|&(f, _)| f).collect();
        // And those whose bodies may want a key block for their API calls alone.
        let report = self.report;
        files.extend(
            (report.lanes.iter())
                .filter(|lv| lv.keyable_requests)
                .map(|lv| lv.file),
        );
        files.extend(report.analysis.keyable_hooks.iter().map(|&(f, _)| f));
        files.retain(|&f| self.rewritable(f));
        files.sort_unstable();
        files.dedup();
        let files: Vec<(usize, Wanted)> = files
            .into_iter()
            .map(|f| (f, self.wanted(f, &reached)))
            .filter(|(_, w)| !w.is_empty())
            .collect();
        let ws = &self.report.ws;
        let key_source = self.key_source;
        let facts: Vec<(usize, Option<FileFacts>)> = files
            .into_par_iter()
            .map(|(f, wanted)| {
                let text = &ws.files[f].source.text;
                let facts = tree_of(&ws.files[f])
                    .map(|tree| FileFacts::new(text, &tree, wanted, key_source));
                (f, facts)
            })
            .collect();
        self.facts.extend(facts);
    }

    /// What a file's tree says, worked out now if [`Planner::prepare`] did not.
    fn facts_of(&mut self, file: usize) -> Option<&FileFacts> {
        if !self.facts.contains_key(&file) {
            let text = &self.report.ws.files[file].source.text;
            let count = self.report.ws.files[file]
                .ruby()
                .map_or(0, |m| m.calls.len());
            let calls: HashSet<CallId> = (0..count)
                .map(|c| (file, c))
                .filter(|&id| self.may_rewrite(id))
                .collect();
            let facts = tree_of(&self.report.ws.files[file]).map(|tree| {
                FileFacts::new(text, &tree, self.wanted(file, &calls), self.key_source)
            });
            self.facts.insert(file, facts);
        }
        self.facts.get(&file).and_then(Option::as_ref)
    }

    /// The key block for the lane or hook whose call starts at `at` (`bare`: see
    /// [`block_fact`]); `None` if the file does not parse.
    fn block_fact(&mut self, file: usize, at: usize, bare: bool) -> Option<BlockFact> {
        if let Some(fact) = self.facts_of(file)?.blocks.get(&(at, bare)) {
            return Some(fact.clone());
        }
        let text = &self.report.ws.files[file].source.text;
        let tree = tree_of(&self.report.ws.files[file])?;
        // A bare block does not look at the names around it.
        let assignments = if bare {
            Vec::new()
        } else {
            api_key_assignments(text, &tree)
        };
        Some(block_fact(
            text,
            &tree,
            &assignments,
            at,
            self.key_source,
            bare,
        ))
    }

    /// The edits for a call; `None` if its file does not parse.
    fn call_fact(
        &mut self,
        (file, call): CallId,
        fix: &CallFix,
    ) -> Option<Result<CallEdits, Skipped>> {
        match self.facts_of(file)?.calls.get(&(call, fix.add_api_key)) {
            Some((known, edits)) if known == fix => return Some(edits.clone()),
            _ => {}
        }
        let text = &self.report.ws.files[file].source.text;
        let tree = tree_of(&self.report.ws.files[file])?;
        Some(call_edits(text, &tree, fix))
    }

    fn keyless(&self, own_calls: &[CallId], method_calls: &BTreeSet<CallId>) -> Keyless {
        let mut k = Keyless::default();
        for &id in own_calls.iter().filter(|id| !self.held_calls.contains(id)) {
            match self.needs_login(id) {
                Some(true) => k.own.push(id),
                Some(false) if self.has_username(id) || self.iap_on(id) => k.username_only.push(id),
                _ => {}
            }
        }
        for &id in method_calls
            .iter()
            .filter(|id| !self.held_calls.contains(id))
        {
            match self.needs_login(id) {
                Some(true) => k.in_methods.push(id),
                Some(false) if self.has_username(id) || self.iap_on(id) => k.username_only.push(id),
                _ => {}
            }
        }
        k
    }

    /// Whether a keyless call is better handed the key already in the lane context than given
    /// a key block: every run reaching it without a key it reads has one there (the call reads
    /// only the Spaceship token, which that key did not set).
    fn hands_over(&self, (file, call): CallId) -> bool {
        self.report
            .analysis
            .site(file, call)
            .is_some_and(|s| s.reached_without_key && s.context_when_keyless)
    }

    fn call_fix(&self, id: CallId, add_api_key: ApiKeyArg) -> Option<(CallId, CallFix)> {
        let (file, call) = id;
        if self.blocked_sites.contains(&id) || !self.rewritable(file) {
            return None;
        }
        let site = self.report.analysis.site(file, call)?;
        let c = self.report.ws.files[file].ruby().map(|m| &m.calls[call])?;
        Some((
            id,
            CallFix {
                name: c.name_span.start..c.name_span.end,
                family: family(site.action.iap_option),
                add_api_key,
            },
        ))
    }

    /// The work of a body given the key block (or not).
    fn work(&self, unit: Unit, block: Option<(Vec<Edit>, KeyBlockForm)>, k: &Keyless) -> Work {
        let variable = block
            .as_ref()
            .is_some_and(|(_, form)| *form == KeyBlockForm::Variable);
        // Calls handed the lane context's key have a key whether or not the body gets a block.
        let keyed = k
            .own
            .iter()
            .copied()
            .filter(|&id| block.is_some() || self.hands_over(id))
            .collect();
        let block = block.map(|(edit, _)| edit);
        let mut calls = Vec::new();
        for &id in &k.own {
            let arg = if self.hands_over(id) {
                ApiKeyArg::LaneContext
            } else if variable {
                ApiKeyArg::Variable
            } else {
                ApiKeyArg::None
            };
            calls.extend(self.call_fix(id, arg));
        }
        for &id in k.in_methods.iter().chain(&k.username_only) {
            calls.extend(self.call_fix(id, ApiKeyArg::None));
        }
        Work {
            unit,
            block,
            calls,
            keyed,
        }
    }

    /// A body that a hook given the key block this round runs before: only the IAP option for
    /// its keyless deliver/precheck calls now, the rest in the next round.
    fn deferred_work(&self, unit: Unit, k: &Keyless) -> Option<Work> {
        let calls: Vec<(CallId, CallFix)> = k
            .own
            .iter()
            .chain(&k.in_methods)
            .filter_map(|&id| self.call_fix(id, ApiKeyArg::None))
            .filter(|(_, fix)| fix.family != Family::Other)
            .collect();
        (!calls.is_empty()).then_some(Work {
            unit,
            block: None,
            calls,
            keyed: HashSet::new(),
        })
    }

    /// The key block for the lane or hook whose call starts at `at` (`bare`: see
    /// [`block_fact`]); `Err(Some(why))` when the body is left alone, `Err(None)` on a problem
    /// (recorded).
    fn block_edit(
        &mut self,
        file: usize,
        at: usize,
        what: &str,
        bare: bool,
    ) -> Result<(Vec<Edit>, KeyBlockForm), Option<String>> {
        match self.block_fact(file, at, bare).ok_or(None)? {
            BlockFact::Edit(edit, form) => Ok((edit, form)),
            BlockFact::Skipped(Skipped::OneLineLane { .. }) => Err(Some(
                "written on one line around a heredoc (or `<<`); add the key by hand".to_string(),
            )),
            BlockFact::Skipped(other) => {
                self.plan.problems.push(format!(
                    "{}: {what}: cannot find its block ({other:?})",
                    self.report.ws.files[file].source.display
                ));
                Err(None)
            }
        }
    }

    fn lane_deferred(&self, lane: LaneId) -> bool {
        self.keyed_before.contains_key(&lane)
    }

    /// Whether every lane the hook runs for has a key before it from a hook (or, for an after
    /// hook, a lane body) given the key block this round.
    fn hook_deferred(&self, hook: HookId) -> bool {
        let h = self.graph.hook(hook);
        let rank = hook_rank(h);
        let runners = self.runners(hook);
        !runners.is_empty()
            && runners.iter().all(|lv| {
                let lane = (lv.file, lv.lane);
                self.keyed_before
                    .get(&lane)
                    .is_some_and(|&before| Some(before) < rank)
                    || (!is_before(h.kind) && self.keyed_lanes.contains(&lane))
            })
    }

    /// Whether a key is already provided before the hook's body starts, as far as the code shows:
    /// by the hook itself, a hook that runs before it, or the top level.
    fn hook_keyed_before(&self, hook: HookId) -> bool {
        let h = self.graph.hook(hook);
        let ws = &self.report.ws;
        if self.graph.provides_key(hook.0, Scope::Hook(hook.1)) {
            return true;
        }
        for f in self.graph.project_mates(hook.0) {
            if self.graph.provides_key(f, Scope::TopLevel) {
                return true;
            }
            let Some(m) = ws.files[f].ruby() else {
                continue;
            };
            for &i in self
                .graph
                .keyed_hooks
                .get(&f)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let o = &m.hooks[i];
                if is_before(o.kind)
                    && hook_rank(o) < hook_rank(h)
                    && platforms_meet(h.platform.as_deref(), o.platform.as_deref())
                {
                    return true;
                }
            }
        }
        false
    }

    /// The lanes a hook runs for.
    fn runners(&self, hook: HookId) -> Vec<&'a LaneVerdict> {
        let lanes = &self.report.lanes;
        match self.runners.get(&hook) {
            Some(runners) => runners.iter().map(|&i| &lanes[i]).collect(),
            None => self
                .graph
                .runners(hook)
                .into_iter()
                .map(|i| &lanes[i])
                .collect(),
        }
    }

    /// Records why a hook is left as it is on the migratable lanes it runs for.
    fn leave_hook(&mut self, hook: HookId, why: &str) {
        let h = self.graph.hook(hook);
        let which = match &h.platform {
            Some(p) => format!("the {p} `{}` hook", hook_word(h.kind)),
            None => format!("the `{}` hook", hook_word(h.kind)),
        };
        for lv in self.runners(hook) {
            if lv.verdict == Verdict::Migratable {
                self.plan
                    .left_alone
                    .entry((lv.file, lv.lane))
                    .or_insert_with(|| format!("runs {which}, left as it is: {why}"));
            }
        }
    }

    fn hook_work(&mut self, hook: HookId) -> Option<Work> {
        let (f, i) = hook;
        if !self.rewritable(f) {
            return None;
        }
        let h = self.graph.hook(hook);
        let runners = self.runners(hook);
        if !runners
            .iter()
            .any(|lv| matches!(lv.verdict, Verdict::Migratable | Verdict::ApiKey))
        {
            return None;
        }
        let (own_calls, method_calls) =
            self.graph
                .walk_from(f, Scope::Hook(i), h.platform.as_deref(), Reach::Methods);
        let k = self.keyless(&own_calls, &method_calls);
        let requests = self.report.analysis.keyable_hooks.contains(&hook);
        if k.is_empty() && !requests {
            return None;
        }
        let keyless = k.any_keyless() || requests;
        if runners.iter().any(|lv| lv.held && self.rewritable(lv.file)) && keyless {
            // A key here would reach the calls a comment keeps on the Apple ID.
            self.leave_hook(hook, HELD_WHY);
            return None;
        }
        if let Some(blocked) = runners.iter().find(|lv| lv.verdict == Verdict::Blocked) {
            if keyless {
                let name = self.report.ws.files[blocked.file]
                    .ruby()
                    .map(|m| m.lanes[blocked.lane].qualified_name())
                    .unwrap_or_default();
                self.leave_hook(hook, &format!("the blocked lane {name} runs it too"));
            }
            return None;
        }
        if self.hook_deferred(hook) {
            return self.deferred_work(Unit::Hook(hook), &k);
        }
        let for_calls = k.own.iter().any(|&id| !self.hands_over(id))
            || (!k.in_methods.is_empty() && !self.hook_keyed_before(hook));
        let wants_block = for_calls || (requests && !self.hook_keyed_before(hook));
        let mut block = None;
        if wants_block {
            match self.block_edit(f, h.span.start, hook_word(h.kind), !for_calls) {
                Ok(edit) => block = Some(edit),
                Err(why) => {
                    if let Some(why) = why {
                        self.leave_hook(hook, &why);
                    }
                    return None;
                }
            }
        }
        Some(self.work(Unit::Hook(hook), block, &k))
    }

    fn lane_work(&mut self, lv: &LaneVerdict) -> Option<Work> {
        if !matches!(lv.verdict, Verdict::Migratable | Verdict::ApiKey) || !self.rewritable(lv.file)
        {
            return None;
        }
        let lane_id = (lv.file, lv.lane);
        if lv.held {
            // Its file parses (above): a comment suppresses one of its findings.
            self.plan.left_alone.insert(lane_id, HELD_WHY.to_string());
            return None;
        }
        let model = self.report.ws.files[lv.file].ruby()?;
        let lane = &model.lanes[lv.lane];
        let (own_calls, method_calls) = self.graph.walk(lane_id, Reach::Methods);
        let k = self.keyless(&own_calls, &method_calls);
        let requests = lv.keyable_requests;
        if k.is_empty() && !requests {
            return None;
        }
        if self.lane_deferred(lane_id) {
            return self.deferred_work(Unit::Lane(lane_id), &k);
        }
        // A lane whose only Apple-ID logins are fastlane started from a shell (FL020) stays
        // migratable with a key block: another would not reach them.
        let for_calls = lv.keyless_call
            && (k.own.iter().any(|&id| !self.hands_over(id)) || !k.in_methods.is_empty());
        let wants_block = lv.verdict == Verdict::Migratable
            && (for_calls || requests)
            && !self.report.analysis.keyed_at_start.contains(&lane_id);
        let mut block = None;
        if wants_block {
            let what = format!("lane {}", lane.qualified_name());
            // For its requests alone, the block sets the token and no call takes a variable.
            match self.block_edit(lv.file, lane.span.start, &what, !for_calls) {
                Ok(edit) => block = Some(edit),
                Err(why) => {
                    if let Some(why) = why {
                        self.plan.left_alone.insert(lane_id, why);
                    }
                    return None;
                }
            }
        }
        Some(self.work(Unit::Lane(lane_id), block, &k))
    }

    /// Adds a body's edits if they fit with those already accepted (else a later round retries).
    fn accept(&mut self, work: Work) {
        let ws = &self.report.ws;
        let mut group: Vec<(usize, Edit)> = Vec::new();
        if let Some(block) = work.block.clone() {
            let file = match work.unit {
                Unit::Lane((f, _)) | Unit::Hook((f, _)) => f,
            };
            group.extend(block.into_iter().map(|e| (file, e)));
        }
        let mut group_calls = Vec::new();
        let mut notes = Vec::new();
        for (id, fix) in &work.calls {
            if self.done_calls.contains(id) {
                continue;
            }
            let Some(edits) = self.call_fact(*id, fix) else {
                return;
            };
            match edits {
                Ok(out) => {
                    if !out.edits.is_empty() || work.keyed.contains(id) {
                        group_calls.push((*id, fix.name.start));
                    }
                    notes.extend(out.by_hand.map(|n| (id.0, n)));
                    group.extend(out.edits.into_iter().map(|e| (id.0, e)));
                }
                Err(e) => {
                    self.plan.problems.push(format!(
                        "{}: cannot find the call at byte {} ({e:?})",
                        ws.files[id.0].source.display, fix.name.start
                    ));
                    return;
                }
            }
        }
        if group.is_empty() {
            self.plan.by_hand.extend(notes);
            return;
        }
        // Check the group against what is already accepted, file by file (only the files it touches).
        let mut by_file: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
        for (file, edit) in group {
            by_file.entry(file).or_default().push(edit);
        }
        let mut trial: Vec<(usize, Vec<Edit>)> = Vec::new();
        let mut conflict = None;
        for (f, edits) in by_file {
            let set = self.accepted.get(&f);
            let checked = match set {
                Some(set) => set.check(&ws.files[f].source.text, &edits),
                None => EditSet::default().check(&ws.files[f].source.text, &edits),
            };
            match checked {
                Ok(fresh) => trial.push((f, fresh)),
                Err(e) => {
                    conflict = Some((f, e));
                    break;
                }
            }
        }
        if let Some((f, e)) = conflict {
            // Left for a later round, which starts from the rewritten text.
            let what = match work.unit {
                Unit::Lane((lf, l)) => format!(
                    "lane {}",
                    ws.files[lf]
                        .ruby()
                        .map(|m| m.lanes[l].qualified_name())
                        .unwrap_or_default()
                ),
                Unit::Hook(h) => format!("the `{}` hook", hook_word(self.graph.hook(h).kind)),
            };
            self.plan.set_aside.push(format!(
                "{}: edits for {what}: {e}",
                ws.files[f].source.display
            ));
            return;
        }
        for (f, fresh) in trial {
            self.accepted.entry(f).or_default().add(fresh);
        }
        self.plan.by_hand.extend(notes);
        for (id, at) in group_calls {
            self.done_calls.insert(id);
            self.plan.call_offsets.insert((id.0, at));
        }
        match work.unit {
            Unit::Lane(lane) => {
                self.plan.lanes.insert(lane);
                if work.block.is_some() {
                    self.keyed_lanes.insert(lane);
                }
            }
            Unit::Hook(hook) => {
                self.plan.hooks.insert(hook);
                let runners = self.runners(hook);
                let h = self.graph.hook(hook);
                if let (true, true, Some(rank)) =
                    (work.block.is_some(), is_before(h.kind), hook_rank(h))
                {
                    for lv in &runners {
                        let before = self.keyed_before.entry((lv.file, lv.lane)).or_insert(rank);
                        *before = (*before).min(rank);
                    }
                }
                self.plan.lanes.extend(
                    runners
                        .iter()
                        .filter(|lv| lv.verdict == Verdict::Migratable)
                        .map(|lv| (lv.file, lv.lane)),
                );
            }
        }
    }
}

/// Computes the edits of one round over the current state of the report.
pub fn plan(report: &Report, key_source: KeySource) -> Plan {
    let graph = Graph::new(report);

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

    let iap_findings: HashSet<(usize, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "FL010")
        .map(|d| (d.file, d.span.start))
        .collect();

    let mut held = crate::suppress::Held::default();
    let held_findings: Vec<&crate::diagnostic::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| HELD_CODES.contains(&d.rule.code))
        .filter(|d| held.holds(&report.ws, d.file, d.span, d.rule.code))
        .collect();
    let held_calls: HashSet<CallId> = held_findings
        .iter()
        .zip(super::calls_around(report, &held_findings))
        .filter_map(|(d, around)| Some((d.file, around?)))
        .collect();

    let hooks = graph.all_hooks();
    let runners = hooks.iter().map(|&h| (h, graph.runners(h))).collect();
    let mut planner = Planner {
        report,
        graph,
        key_source,
        blocked_sites,
        iap_findings,
        held_calls,
        facts: HashMap::new(),
        accepted: BTreeMap::new(),
        done_calls: HashSet::new(),
        runners,
        keyed_before: HashMap::new(),
        keyed_lanes: HashSet::new(),
        plan: Plan::default(),
    };

    planner.prepare();

    // In the order things run: before hooks, lane bodies, after hooks.
    let (before, after): (Vec<HookId>, Vec<HookId>) = hooks
        .into_iter()
        .partition(|&h| is_before(planner.graph.hook(h).kind));
    for hook in before {
        if let Some(work) = planner.hook_work(hook) {
            planner.accept(work);
        }
    }
    for lv in &report.lanes {
        if let Some(work) = planner.lane_work(lv) {
            planner.accept(work);
        }
    }
    for hook in after {
        if let Some(work) = planner.hook_work(hook) {
            planner.accept(work);
        }
    }

    let mut plan = planner.plan;
    for (file, edits) in planner.accepted {
        let edits = edits.into_edits();
        let text = &report.ws.files[file].source.text;
        match apply_edits(text, &edits) {
            Ok(new) if new != *text => {
                plan.texts.insert(file, new);
                plan.edits.insert(file, edits);
            }
            Ok(_) => {}
            Err(e) => plan.problems.push(format!(
                "{}: edits refused: {e}",
                report.ws.files[file].source.display
            )),
        }
    }
    plan
}
