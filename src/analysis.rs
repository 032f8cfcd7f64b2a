//! The lane graph and key flow of each project.
//!
//! For every lane that can be started (and every lane, method or hook that nothing calls) this walks
//! what runs, in order: hooks, its body, the lanes and methods it calls, and records each Apple action
//! and Spaceship login it reaches, with whether an App Store Connect API key is in scope there.
//! Works over the small model only; callee summaries are memoised, so shared lanes are walked once
//! per key state and cycles end.

use std::rc::Rc;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::environments::Loaded;
use crate::knowledge::{self, Action, Auth};
use crate::load::Workspace;
use crate::model::{Call, FileModel, HookKind, Scope, SpaceshipKind, Value};
use crate::report::CheckOptions;
use crate::source::FileKind;
use crate::version::Version;

/// A key variable's bit in [`KeyState::vars`].
fn key_var_bit(name: &str) -> Option<u64> {
    knowledge::KEY_VARS
        .iter()
        .position(|v| *v == name)
        .map(|i| 1u64 << (i % 64))
}

/// Which keys are in scope at a point of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyState {
    /// `app_store_connect_api_key` ran: its key is in the lane context.
    pub context: bool,
    /// The process-wide Spaceship token is set (`app_store_connect_api_key` without
    /// `set_spaceship_token: false`, `Spaceship::ConnectAPI.auth`/`.token =`).
    pub token: bool,
    /// Key variables that are set.
    pub vars: u64,
}

impl KeyState {
    /// Whether `action` has a key here without being passed one.
    pub fn covers(&self, action: &Action) -> bool {
        (self.context && action.reads_lane_context())
            || (self.token && action.reads_global_token())
            || action
                .key_env
                .iter()
                .filter_map(|v| key_var_bit(v))
                .any(|bit| self.vars & bit != 0)
    }

    /// Whether some key was set up: in the lane context or as the Spaceship token.
    pub fn any(&self) -> bool {
        self.context || self.token
    }
}

/// A place where Apple is talked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Site {
    /// `files[file].calls[call]`, resolved to an Apple action.
    Call { file: usize, call: usize },
    /// `files[file].spaceship[index]`, an Apple-ID login or legacy API.
    Spaceship { file: usize, index: usize },
    /// `files[file].shell[index]`, a fastlane tool started from a shell command.
    Shell { file: usize, index: usize },
}

/// A site reached by a run, and whether a key was in scope there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reach {
    pub site: Site,
    pub has_key: bool,
}

/// What is known of a call site that resolved to an Apple action.
#[derive(Clone, Copy, Debug)]
pub struct CallSite {
    pub action: &'static Action,
    /// The fastlane version of the project it was analysed in.
    pub version: Version,
    /// That project (index into `Workspace::projects`).
    pub project: usize,
    /// Needs an Apple ID at that version (FL004).
    pub apple_id_only: bool,
    /// `match` in read-only mode: no Apple login.
    pub readonly: bool,
    /// Some run reaches it with no key in scope.
    pub reached_without_key: bool,
    /// Some run reaches it with a key set up that it does not read (a lane-context key for
    /// `latest_testflight_build_number`, the Spaceship token alone for `notarize`).
    pub key_unread: bool,
    /// Every run that reaches it with no key it reads has a key in the lane context there (set
    /// up with `set_spaceship_token: false`, or put there by hand), which it can be handed as
    /// `api_key:`.
    pub context_when_keyless: bool,
    /// Some run reaches it with a key in scope (its options may be unknown, which counts as a key).
    pub reached_with_key: bool,
    /// It passes `api_key:` / `api_key_path:` itself.
    pub passes_key: bool,
}

/// What is known of a fastlane tool started from a shell command (FL020).
#[derive(Clone, Copy, Debug)]
pub struct ShellSite {
    pub action: &'static Action,
    /// The fastlane version of the project it was analysed in.
    pub version: Version,
    /// Needs an Apple ID at that version.
    pub apple_id_only: bool,
}

/// What a run reaches: flags for the verdict, and the sites behind them (blocking and keyless ones,
/// capped so that long lane chains stay linear in memory).
#[derive(Clone, Debug, Default)]
pub struct Reaches {
    /// A step that needs an Apple ID (an Apple-ID-only action, a Spaceship login).
    pub blocked: bool,
    /// A key-capable Apple action with no key in scope (a call, or a fastlane started from a shell).
    pub keyless: bool,
    /// A call among those: what a key block in the lane could reach.
    pub keyless_call: bool,
    /// A fastlane started from a shell among those: what no key block reaches.
    pub keyless_shell: bool,
    /// A direct App Store Connect API call with no Spaceship token among those.
    pub keyless_api: bool,
    /// Such a call in the body itself or the `def` methods it calls: what a key block at the top
    /// of the body reaches.
    pub keyless_api_near: bool,
    /// Such a call elsewhere (a hook, a lane it calls, top-level code) that a key block there does
    /// not give the token either: `--fix` leaves it.
    pub keyless_api_far: bool,
    /// The body or the `def` methods it calls set up a key themselves (`app_store_connect_api_key`,
    /// `Spaceship::ConnectAPI.auth` or `.token =`, a key put in the lane context by hand).
    pub sets_up_key: bool,
    /// Any Apple action at all.
    pub apple: bool,
    /// Blocking and keyless sites, sorted, at most [`Reaches::CAP`].
    pub sites: Vec<Reach>,
}

impl Reaches {
    pub const CAP: usize = 16;

    fn push(&mut self, reach: Reach, blocking: bool) {
        self.apple = true;
        if blocking {
            self.blocked = true;
        } else if !reach.has_key {
            self.keyless = true;
            self.keyless_call |= matches!(reach.site, Site::Call { .. });
            self.keyless_shell |= matches!(reach.site, Site::Shell { .. });
            let api = matches!(reach.site, Site::Spaceship { .. });
            self.keyless_api |= api;
            self.keyless_api_near |= api;
        } else {
            return;
        }
        self.sites.push(reach);
        if self.sites.len() > 4 * Self::CAP {
            self.normalize();
        }
    }

    fn extend(&mut self, other: &Reaches) {
        self.blocked |= other.blocked;
        self.keyless |= other.keyless;
        self.keyless_call |= other.keyless_call;
        self.keyless_shell |= other.keyless_shell;
        self.keyless_api |= other.keyless_api;
        self.keyless_api_near |= other.keyless_api_near;
        self.keyless_api_far |= other.keyless_api_far;
        self.sets_up_key |= other.sets_up_key;
        self.apple |= other.apple;
        self.sites.extend(other.sites.iter().copied());
        if self.sites.len() > 4 * Self::CAP {
            self.normalize();
        }
    }

    /// [`Reaches::extend`] with what another body (a hook, a lane) reaches: what is near it is
    /// not near this one, and is far unless `keyable` (a key block of that body's own gives it the
    /// token).
    fn extend_afar(&mut self, other: &Reaches, keyable: bool) {
        let (near, sets_up_key) = (self.keyless_api_near, self.sets_up_key);
        self.extend(other);
        self.keyless_api_near = near;
        self.sets_up_key = sets_up_key;
        self.keyless_api_far |= other.keyless_api_near && !keyable;
    }

    fn normalize(&mut self) {
        self.sites.sort_unstable();
        self.sites.dedup();
        self.sites.truncate(Self::CAP);
    }
}

/// A lane and what it reaches.
#[derive(Clone, Debug)]
pub struct LaneRun {
    pub file: usize,
    pub lane: usize,
    pub reaches: Reaches,
}

/// The result of the analysis, over all projects.
#[derive(Debug, Default)]
pub struct Analysis {
    pub sites: HashMap<(usize, usize), CallSite>,
    /// fastlane tools started from shell commands that some run reaches and that talk to Apple
    /// without a key, by (file, index into `shell`).
    pub shell: HashMap<(usize, usize), ShellSite>,
    /// Direct App Store Connect API calls (`Spaceship::ConnectAPI::App.find`) that some run reaches
    /// with no Spaceship token set, by (file, index into `spaceship`).
    pub api_without_token: HashSet<(usize, usize)>,
    /// Each lane, with what it reaches.
    pub lanes: Vec<LaneRun>,
    /// Lanes whose key was in scope at the top of their body on every run (used by --fix).
    pub keyed_at_start: HashSet<(usize, usize)>,
    /// Hooks (file, index) whose body, or the `def` methods it calls, makes direct App Store
    /// Connect API calls with no Spaceship token, that set up no key themselves and have none in
    /// scope at their top on any run: a key block there gives the calls the token (used by --fix).
    pub keyable_hooks: HashSet<(usize, usize)>,
}

impl Analysis {
    pub fn site(&self, file: usize, call: usize) -> Option<&CallSite> {
        self.sites.get(&(file, call))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    Lane(usize, usize),
    Method(usize, usize),
    Hook(usize, usize),
    TopLevel(usize),
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Call(usize),
    /// A key put into the lane context by hand.
    ContextKey,
    KeyVar(u64),
    Spaceship(usize, SpaceshipKind),
    Shell(usize),
}

type Summary = Rc<(KeyState, Reaches)>;

/// Hooks, as (file, hook index).
type Hooks = Vec<(usize, usize)>;

/// Lookup tables for one project.
struct Index<'a> {
    files: &'a [FileModel],
    version: Version,
    project: usize,
    lanes: HashMap<(Option<&'a str>, &'a str), (usize, usize)>,
    methods: HashMap<&'a str, (usize, usize)>,
    /// Hooks, as (file, hook index), by kind and platform block (`None`: outside one), in file
    /// order.
    hooks: HashMap<(HookKind, Option<&'a str>), Hooks>,
    events: HashMap<(usize, Scope), Vec<(usize, Event)>>,
    /// Config files that give their tool a key (`api_key_path(...)` in a Matchfile).
    keyed_config: HashSet<&'static str>,
    /// A Matchfile with `readonly(true)`.
    readonly_match: bool,
    /// `--key-from-env`: the environment gives every process a key.
    key_from_env: bool,
}

impl<'a> Index<'a> {
    /// Whether `files[file].spaceship[i]` is `Spaceship::ConnectAPI.login`.
    fn connect_api_login(&self, file: usize, i: usize) -> bool {
        self.files[file].ruby().is_some_and(|m| {
            m.spaceship[i]
                .text
                .trim_start_matches("::")
                .starts_with("Spaceship::ConnectAPI.login")
        })
    }

    fn new(ws: &'a Workspace, project_index: usize, key_from_env: bool) -> Self {
        let project = &ws.projects[project_index];
        let files = &ws.files[..];
        let mut index = Index {
            files,
            version: project.version,
            project: project_index,
            lanes: HashMap::new(),
            methods: HashMap::new(),
            hooks: HashMap::new(),
            events: HashMap::new(),
            keyed_config: HashSet::new(),
            readonly_match: false,
            key_from_env,
        };
        for &f in &project.fastfiles {
            let Some(model) = files[f].ruby() else {
                continue;
            };
            for (i, lane) in model.lanes.iter().enumerate() {
                index
                    .lanes
                    .insert((lane.platform.as_deref(), lane.name.as_str()), (f, i));
            }
            for (i, def) in model.methods.iter().enumerate() {
                index.methods.insert(def.name.as_str(), (f, i));
            }
            for (i, hook) in model.hooks.iter().enumerate() {
                index
                    .hooks
                    .entry((hook.kind, hook.platform.as_deref()))
                    .or_default()
                    .push((f, i));
            }
            for (i, call) in model.calls.iter().enumerate() {
                index
                    .events
                    .entry((f, call.scope))
                    .or_default()
                    .push((call.span.start, Event::Call(i)));
            }
            for env in model
                .env
                .iter()
                .filter(|e| e.write && e.value != Some(Value::Nil))
            {
                if let Some(bit) = key_var_bit(&env.name) {
                    index
                        .events
                        .entry((f, env.scope))
                        .or_default()
                        .push((env.span.start, Event::KeyVar(bit)));
                }
            }
            for (at, scope) in &model.context_keys {
                index
                    .events
                    .entry((f, *scope))
                    .or_default()
                    .push((at.start, Event::ContextKey));
            }
            for (i, s) in model.spaceship.iter().enumerate() {
                index
                    .events
                    .entry((f, s.scope))
                    .or_default()
                    .push((s.span.start, Event::Spaceship(i, s.kind)));
            }
            for (i, r) in model.shell.iter().enumerate() {
                index
                    .events
                    .entry((f, r.scope))
                    .or_default()
                    .push((r.span.start, Event::Shell(i)));
            }
        }
        for list in index.events.values_mut() {
            list.sort_by_key(|(at, _)| *at);
        }
        for &f in &project.files {
            let file = &files[f];
            if let (FileKind::Config(name), Some(model)) = (file.source.kind, file.ruby()) {
                for call in &model.calls {
                    match call.name.as_str() {
                        "api_key_path" | "api_key" if call.first_arg.is_some() => {
                            index.keyed_config.insert(name);
                        }
                        "readonly" if name == "Matchfile" => {
                            index.readonly_match |= first_value_is_true(call, &file.source.text);
                        }
                        _ => {}
                    }
                }
            }
        }
        index
    }

    fn resolve(&self, name: &str, platform: Option<&str>) -> Option<Target> {
        if let Some(&(f, l)) = self
            .lanes
            .get(&(platform, name))
            .or_else(|| self.lanes.get(&(None, name)))
        {
            return Some(Target::Lane(f, l));
        }
        self.methods.get(name).map(|&(f, m)| Target::Method(f, m))
    }

    /// The hooks of `kind` that run for a lane of `platform`: those of its platform block, then
    /// those outside any.
    fn hooks_of(&self, kind: HookKind, platform: Option<&str>) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let keys = platform.into_iter().map(Some).chain([None]);
        for key in keys {
            if let Some(hooks) = self.hooks.get(&(kind, key)) {
                out.extend_from_slice(hooks);
            }
        }
        out
    }
}

fn first_value_is_true(call: &Call, text: &str) -> bool {
    call.first_arg
        .and_then(|s| text.get(s.start..s.end))
        .is_some_and(|t| t.trim() == "true")
}

/// Whether a call passes its own key (`api_key: nil` passes none).
fn passes_key(call: &Call) -> bool {
    ["api_key", "api_key_path"]
        .iter()
        .any(|k| call.option(k).is_some_and(|o| o.value != Value::Nil))
}

struct Walker<'a, 'i> {
    index: &'i Index<'a>,
    platform: Option<&'a str>,
    memo: &'i mut HashMap<(Target, Option<&'a str>, KeyState), Summary>,
    stack: Vec<Target>,
    visited: &'i mut HashSet<Target>,
    sites: &'i mut HashMap<(usize, usize), CallSite>,
    shell: &'i mut HashMap<(usize, usize), ShellSite>,
    api_without_token: &'i mut HashSet<(usize, usize)>,
}

const MAX_DEPTH: usize = 200;

impl<'a> Walker<'a, '_> {
    fn run(&mut self, target: Target, state: KeyState) -> Summary {
        let key = (target, self.platform, state);
        if let Some(s) = self.memo.get(&key) {
            return s.clone();
        }
        if self.stack.contains(&target) || self.stack.len() >= MAX_DEPTH {
            return Rc::new((state, Reaches::default()));
        }
        self.visited.insert(target);
        self.stack.push(target);
        let (file, scope) = match target {
            Target::Lane(f, l) => (f, Scope::Lane(l)),
            Target::Method(f, m) => (f, Scope::Method(m)),
            Target::Hook(f, h) => (f, Scope::Hook(h)),
            Target::TopLevel(f) => (f, Scope::TopLevel),
        };
        let mut state = state;
        let mut reaches = Reaches::default();
        let events = self
            .index
            .events
            .get(&(file, scope))
            .cloned()
            .unwrap_or_default();
        for (_, event) in events {
            match event {
                Event::KeyVar(bit) => state.vars |= bit,
                Event::ContextKey => {
                    state.context = true;
                    reaches.sets_up_key = true;
                }
                Event::Spaceship(i, kind) => match kind {
                    SpaceshipKind::KeyAuth => {
                        state.token = true;
                        reaches.sets_up_key = true;
                    }
                    SpaceshipKind::Api => {
                        if !state.token {
                            self.api_without_token.insert((file, i));
                        }
                        reaches.push(
                            Reach {
                                site: Site::Spaceship { file, index: i },
                                has_key: state.token,
                            },
                            false,
                        );
                    }
                    SpaceshipKind::Login | SpaceshipKind::Legacy => {
                        reaches.push(
                            Reach {
                                site: Site::Spaceship { file, index: i },
                                has_key: state.any(),
                            },
                            true,
                        );
                        // `Spaceship::ConnectAPI.login` replaces the client, token and all.
                        if kind == SpaceshipKind::Login && self.index.connect_api_login(file, i) {
                            state.token = false;
                        }
                    }
                },
                Event::Call(i) => state = self.call(file, i, state, &mut reaches),
                Event::Shell(i) => self.shell(file, i, state, &mut reaches),
            }
        }
        self.stack.pop();
        reaches.normalize();
        let summary = Rc::new((state, reaches));
        self.memo.insert(key, summary.clone());
        summary
    }

    /// A fastlane tool started from a shell: a new process, which the lane context and the
    /// Spaceship token do not reach. It gets a key only from the command, the environment it
    /// inherits (key variables set so far, `.env` files, `--key-from-env`) or its config file.
    fn shell(&mut self, file: usize, i: usize, state: KeyState, reaches: &mut Reaches) {
        let index = self.index;
        let Some(run) = index.files[file].ruby().map(|m| &m.shell[i]) else {
            return;
        };
        let Some(action) = knowledge::action(run.action) else {
            return;
        };
        if run.readonly || (action.has_readonly_mode() && index.readonly_match) {
            return;
        }
        let inherited = KeyState {
            context: false,
            token: false,
            vars: state.vars,
        };
        let has_key = run.key
            || index.key_from_env
            || inherited.covers(action)
            || action
                .config_file
                .is_some_and(|c| index.keyed_config.contains(c));
        let apple_id_only = action.apple_id_only_at(index.version);
        let keyless = !has_key || run.apple_id.is_some();
        if apple_id_only || keyless {
            self.shell.entry((file, i)).or_insert(ShellSite {
                action,
                version: index.version,
                apple_id_only,
            });
        }
        reaches.push(
            Reach {
                site: Site::Shell { file, index: i },
                has_key: !keyless,
            },
            apple_id_only,
        );
    }

    /// Runs a lane as fastlane does on a lane switch: before_each hooks, the body, after_each hooks.
    /// `own`: the lane is the one started, so what its body reaches is near (see [`Reaches`]).
    fn switch_to_lane(
        &mut self,
        (f, l): (usize, usize),
        mut state: KeyState,
        reaches: &mut Reaches,
        own: bool,
    ) -> KeyState {
        for hook in self.index.hooks_of(HookKind::BeforeEach, self.platform) {
            state = self.merge(Target::Hook(hook.0, hook.1), state, reaches);
        }
        state = self.merge_as(Target::Lane(f, l), state, reaches, own);
        for hook in self.index.hooks_of(HookKind::AfterEach, self.platform) {
            state = self.merge(Target::Hook(hook.0, hook.1), state, reaches);
        }
        state
    }

    /// Runs `target` from `state` and adds what it reaches: a `def` method's as near, any other
    /// body's as far.
    fn merge(&mut self, target: Target, state: KeyState, reaches: &mut Reaches) -> KeyState {
        self.merge_as(target, state, reaches, matches!(target, Target::Method(..)))
    }

    fn merge_as(
        &mut self,
        target: Target,
        state: KeyState,
        reaches: &mut Reaches,
        near: bool,
    ) -> KeyState {
        let summary = self.run(target, state);
        if near {
            reaches.extend(&summary.1);
        } else {
            // A hook's or lane's requests get the token from a key block at its top when it has
            // no key there and sets up none itself (what `--fix` does: see `keyable_hooks` and
            // `LaneVerdict::keyable_requests`).
            let keyable = matches!(target, Target::Hook(..) | Target::Lane(..))
                && !state.any()
                && !summary.1.sets_up_key;
            reaches.extend_afar(&summary.1, keyable);
        }
        summary.0
    }

    fn call(&mut self, file: usize, i: usize, state: KeyState, reaches: &mut Reaches) -> KeyState {
        let index = self.index;
        let Some(model) = index.files[file].ruby() else {
            return state;
        };
        let call = &model.calls[i];
        match index.resolve(&call.name, self.platform) {
            Some(Target::Lane(f, l)) => return self.switch_to_lane((f, l), state, reaches, false),
            Some(target @ Target::Method(..)) => return self.merge(target, state, reaches),
            _ => {}
        }
        let Some(action) = knowledge::action(&call.name) else {
            return state;
        };
        if action.auth == Auth::KeyProvider {
            reaches.sets_up_key = true;
            // `set_spaceship_token: false` leaves the Spaceship token as it was.
            let token = state.token
                || !matches!(
                    call.option("set_spaceship_token").map(|o| &o.value),
                    Some(Value::False)
                );
            return KeyState {
                context: true,
                token,
                ..state
            };
        }
        let readonly = action.has_readonly_mode()
            && match call.option("readonly").map(|o| &o.value) {
                Some(Value::True) => true,
                Some(_) => false,
                None => index.readonly_match,
            };
        let has_key = passes_key(call)
            || state.covers(action)
            || action
                .config_file
                .is_some_and(|c| index.keyed_config.contains(c));
        let apple_id_only =
            action.apple_id_only_at(index.version) || apple_id_option(action, call).is_some();
        let site = self.sites.entry((file, i)).or_insert(CallSite {
            action,
            version: index.version,
            project: index.project,
            apple_id_only,
            readonly,
            reached_without_key: false,
            key_unread: false,
            context_when_keyless: true,
            reached_with_key: false,
            passes_key: passes_key(call),
        });
        site.apple_id_only |= apple_id_only;
        site.readonly &= readonly;
        if readonly {
            return state;
        }
        if !has_key && !apple_id_only {
            site.reached_without_key = true;
            site.key_unread |= state.any();
            site.context_when_keyless &= state.context;
        }
        site.reached_with_key |= has_key;
        reaches.push(
            Reach {
                site: Site::Call { file, call: i },
                has_key,
            },
            apple_id_only,
        );
        if knowledge::REPLACES_TOKEN.contains(&action.name) {
            // Its Apple ID login replaces the Spaceship client, token and all.
            return KeyState {
                token: false,
                ..state
            };
        }
        state
    }
}

/// The option value (`type: :developer_id_installer`) with which a call of a key-capable action
/// still needs an Apple ID, if it passes one.
pub fn apple_id_option(action: &Action, call: &Call) -> Option<&'static knowledge::AppleIdOption> {
    action.apple_id_only_with.iter().find(|o| {
        call.option(o.option).is_some_and(|opt| match &opt.value {
            Value::Str(s) | Value::Symbol(s) => s == o.value,
            _ => false,
        })
    })
}

/// Analyses every project of the workspace.
pub fn analyse(ws: &Workspace, options: &CheckOptions) -> Analysis {
    use rayon::prelude::*;
    // Projects are independent: analyse them in parallel, then merge in project order so the
    // result does not depend on scheduling.
    let parts: Vec<(Analysis, LaneRuns)> = (0..ws.projects.len())
        .into_par_iter()
        .map(|i| analyse_project(ws, i, options))
        .collect();
    let mut analysis = Analysis::default();
    let mut lane_runs: LaneRuns = HashMap::new();
    for (part, runs) in parts {
        for (key, site) in part.sites {
            match analysis.sites.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(site);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let merged = o.get_mut();
                    merged.apple_id_only |= site.apple_id_only;
                    merged.readonly &= site.readonly;
                    merged.reached_without_key |= site.reached_without_key;
                }
            }
        }
        for (key, site) in part.shell {
            let merged = analysis.shell.entry(key).or_insert(site);
            merged.apple_id_only |= site.apple_id_only;
        }
        analysis.api_without_token.extend(part.api_without_token);
        analysis.keyed_at_start.extend(part.keyed_at_start);
        analysis.keyable_hooks.extend(part.keyable_hooks);
        for (key, (home, reaches)) in runs {
            match lane_runs.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((home, reaches));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    if home && !o.get().0 {
                        o.insert((true, reaches));
                    }
                }
            }
        }
    }
    let mut runs: Vec<LaneRun> = lane_runs
        .into_iter()
        .map(|((file, lane), (_, reaches))| LaneRun {
            file,
            lane,
            reaches,
        })
        .collect();
    runs.sort_by_key(|r| (r.file, r.lane));
    analysis.lanes = runs;
    analysis
}

/// Lane-to-lane calls: `((file, lane), (file, lane))` for each lane and each lane it calls from its body,
/// directly or through the `def` methods it calls, resolved as fastlane resolves names. Sorted, no
/// duplicates.
pub fn lane_calls(ws: &Workspace) -> Vec<((usize, usize), (usize, usize))> {
    let mut edges = Vec::new();
    for (p, project) in ws.projects.iter().enumerate() {
        let index = Index::new(ws, p, false);
        for &f in &project.fastfiles {
            let Some(model) = ws.files[f].ruby() else {
                continue;
            };
            for (l, lane) in model.lanes.iter().enumerate() {
                let platform = lane.platform.as_deref();
                let mut seen = HashSet::new();
                let mut todo = vec![(f, Scope::Lane(l))];
                while let Some(scope) = todo.pop() {
                    if !seen.insert(scope) {
                        continue;
                    }
                    let calls = index.events.get(&scope).into_iter().flatten();
                    for (_, event) in calls {
                        let Event::Call(i) = *event else { continue };
                        let Some(call) = ws.files[scope.0].ruby().map(|m| &m.calls[i]) else {
                            continue;
                        };
                        match index.resolve(&call.name, platform) {
                            Some(Target::Lane(tf, tl)) => edges.push(((f, l), (tf, tl))),
                            Some(Target::Method(mf, m)) => todo.push((mf, Scope::Method(m))),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges
}

/// The key variables CI gives the public lanes its steps start in `project`'s folder: for each
/// lane, those every run of it sets (a lane one step starts with a key and another without has
/// none). A run names its lane as fastlane's command line does: `fastlane ios beta` is the `ios`
/// lane `beta`, else the lane `beta` outside every platform; `fastlane beta` is the lane outside
/// every platform, else the one platform's lane of that name (the platform `default_platform`
/// must then name).
fn ci_keys(
    ws: &Workspace,
    project: &crate::load::Project,
    index: &Index,
) -> HashMap<(usize, usize), u64> {
    let mut keys: HashMap<(usize, usize), u64> = HashMap::new();
    if !ws.ci.has_runs() {
        return keys;
    }
    let folder = crate::load::canonical_dir(&project.dir);
    for run in ws.ci.runs_in(&folder) {
        let lane = run.lane.as_str();
        let target = match run.platform.as_deref() {
            Some(p) => index
                .lanes
                .get(&(Some(p), lane))
                .or_else(|| index.lanes.get(&(None, lane))),
            None => index.lanes.get(&(None, lane)).or_else(|| {
                let mut named = index
                    .lanes
                    .iter()
                    .filter(|((p, name), _)| p.is_some() && *name == lane);
                match (named.next(), named.next()) {
                    (Some((_, at)), None) => Some(at),
                    _ => None,
                }
            }),
        };
        let Some(&(f, l)) = target else { continue };
        if ws.files[f].ruby().is_none_or(|m| m.lanes[l].private) {
            continue;
        }
        let vars = run
            .env
            .iter()
            .filter_map(|name| key_var_bit(name))
            .fold(0, |all, bit| all | bit);
        *keys.entry((f, l)).or_insert(vars) &= vars;
    }
    keys
}

/// Lane runs by (file, lane), with whether the lane's file lives in the project that ran it.
type LaneRuns = HashMap<(usize, usize), (bool, Reaches)>;

/// The analysis of one project.
fn analyse_project(
    ws: &Workspace,
    project_index: usize,
    options: &CheckOptions,
) -> (Analysis, LaneRuns) {
    let mut analysis = Analysis::default();
    let mut lane_runs: LaneRuns = HashMap::new();
    let project = &ws.projects[project_index];
    let index = Index::new(ws, project_index, options.key_from_env);
    let mut base = KeyState {
        context: options.key_from_env,
        token: options.key_from_env,
        vars: 0,
    };
    for a in Loaded::of_project(ws, project, &options.env).set() {
        if let Some(bit) = key_var_bit(&a.name) {
            base.vars |= bit;
        }
    }
    let ci_keys = ci_keys(ws, project, &index);
    let mut memo = HashMap::new();
    let mut visited = HashSet::new();
    let mut top_reaches = Reaches::default();
    // Top-level code runs once, when the Fastfile is loaded.
    {
        let mut walker = Walker {
            index: &index,
            platform: None,
            memo: &mut memo,
            stack: Vec::new(),
            visited: &mut visited,
            sites: &mut analysis.sites,
            shell: &mut analysis.shell,
            api_without_token: &mut analysis.api_without_token,
        };
        for &f in &project.fastfiles {
            base = walker.merge(Target::TopLevel(f), base, &mut top_reaches);
        }
    }

    let home: HashSet<usize> = project.files.iter().copied().collect();
    let mut record = |f: usize, l: usize, reaches: Reaches, keyed: bool| {
        let entry = lane_runs.entry((f, l));
        use std::collections::hash_map::Entry;
        match entry {
            Entry::Vacant(v) => {
                v.insert((home.contains(&f), reaches));
            }
            Entry::Occupied(mut o) => {
                if home.contains(&f) && !o.get().0 {
                    o.insert((true, reaches));
                }
            }
        }
        if keyed {
            analysis.keyed_at_start.insert((f, l));
        }
    };

    // Every public lane, started from the command line.
    let mut lanes: Vec<(usize, usize)> = Vec::new();
    for &f in &project.fastfiles {
        if let Some(m) = ws.files[f].ruby() {
            lanes.extend((0..m.lanes.len()).map(|l| (f, l)));
        }
    }
    let mut private_runs: HashMap<(usize, usize), Reaches> = HashMap::new();
    let mut private_keyed: HashMap<(usize, usize), bool> = HashMap::new();
    for &(f, l) in &lanes {
        let lane = &ws.files[f]
            .ruby()
            .map(|m| &m.lanes[l])
            .expect("lane of a Ruby file");
        if lane.private {
            continue;
        }
        let platform = lane.platform.as_deref();
        let mut walker = Walker {
            index: &index,
            platform,
            memo: &mut memo,
            stack: Vec::new(),
            visited: &mut visited,
            sites: &mut analysis.sites,
            shell: &mut analysis.shell,
            api_without_token: &mut analysis.api_without_token,
        };
        let mut reaches = Reaches::default();
        let mut state = base;
        if let Some(&vars) = ci_keys.get(&(f, l)) {
            state.vars |= vars;
        }
        for hook in index.hooks_of(HookKind::BeforeAll, platform) {
            state = walker.merge(Target::Hook(hook.0, hook.1), state, &mut reaches);
        }
        let mut before_each_state = state;
        for hook in index.hooks_of(HookKind::BeforeEach, platform) {
            before_each_state = walker
                .run(Target::Hook(hook.0, hook.1), before_each_state)
                .0;
        }
        state = walker.switch_to_lane((f, l), state, &mut reaches, true);
        for hook in index.hooks_of(HookKind::AfterAll, platform) {
            state = walker.merge(Target::Hook(hook.0, hook.1), state, &mut reaches);
        }
        reaches.normalize();
        record(f, l, reaches, before_each_state.any());
    }

    // Hooks whose requests a key block at their top gives the token: on some run a request lacks
    // it, and on none does the hook have a key at its top or set one up itself.
    let mut hooks: HashMap<(usize, usize), (bool, bool)> = HashMap::new();
    for ((target, _, state), summary) in memo.iter() {
        if let Target::Hook(f, i) = *target {
            let (requests, keyable) = hooks.entry((f, i)).or_insert((false, true));
            *requests |= summary.1.keyless_api_near;
            *keyable &= !state.any() && !summary.1.sets_up_key;
        }
    }
    analysis.keyable_hooks.extend(
        hooks
            .into_iter()
            .filter(|&(_, (requests, keyable))| requests && keyable)
            .map(|(hook, _)| hook),
    );

    // Private lanes take the union of the runs that called them; uncalled code runs on its own.
    for ((target, _, state), summary) in memo.iter() {
        if let Target::Lane(f, l) = *target {
            private_runs.entry((f, l)).or_default().extend(&summary.1);
            let keyed = private_keyed.entry((f, l)).or_insert(true);
            *keyed &= state.any();
        }
    }
    let mut leftovers: Vec<(Target, Option<&str>)> = Vec::new();
    for &(f, l) in &lanes {
        let lane = &ws.files[f].ruby().expect("Ruby file").lanes[l];
        if lane.private && !visited.contains(&Target::Lane(f, l)) {
            leftovers.push((Target::Lane(f, l), lane.platform.as_deref()));
        }
    }
    for &f in &project.fastfiles {
        let Some(m) = ws.files[f].ruby() else {
            continue;
        };
        for i in 0..m.methods.len() {
            if !visited.contains(&Target::Method(f, i)) {
                leftovers.push((Target::Method(f, i), None));
            }
        }
        for (i, hook) in m.hooks.iter().enumerate() {
            if !visited.contains(&Target::Hook(f, i)) {
                leftovers.push((Target::Hook(f, i), hook.platform.as_deref()));
            }
        }
    }
    for (target, platform) in leftovers {
        let mut walker = Walker {
            index: &index,
            platform,
            memo: &mut memo,
            stack: Vec::new(),
            visited: &mut visited,
            sites: &mut analysis.sites,
            shell: &mut analysis.shell,
            api_without_token: &mut analysis.api_without_token,
        };
        let summary = walker.run(target, base);
        if let Target::Lane(f, l) = target {
            private_runs.insert((f, l), summary.1.clone());
            private_keyed.insert((f, l), base.any());
        }
    }
    for &(f, l) in &lanes {
        let lane = &ws.files[f].ruby().expect("Ruby file").lanes[l];
        if lane.private {
            let mut reaches = private_runs.remove(&(f, l)).unwrap_or_default();
            reaches.normalize();
            let keyed = private_keyed.get(&(f, l)).copied().unwrap_or(false);
            record(f, l, reaches, keyed);
        }
    }
    (analysis, lane_runs)
}
