//! Turns a Ruby syntax tree (Fastfile, Appfile, config file) into a [`RubyModel`].
//!
//! The node kinds it reads are named by `queries/ruby.scm` (compiled by [`crate::query`]); this
//! module walks the tree once, assigns each item to the lane, hook or method it runs in, and reads
//! literal values.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use tree_sitter::{Node, Tree};

use super::commands;
use super::nesting::Nesting;
use crate::model::*;
use crate::parse::{each_node, syntax_errors_and_missing};
use crate::query::{Capture, Fields, Kind, FIELDS, RUBY_KINDS};

/// A receiver-less call that structures the Fastfile: `lane`, `platform`, a hook.
fn structure<'t>(call: Node<'t>, method: Node<'t>, src: &str, raw: &mut Raw<'t>) {
    let Some(block) = call.child_by_field_id(FIELDS.block) else {
        return;
    };
    let first_arg = || {
        let args = call.child_by_field_id(FIELDS.arguments)?;
        named_children(args).find(|a| Kind::of(*a) != Kind::Comment)
    };
    match text(method, src) {
        keyword @ ("lane" | "private_lane" | "override_lane") => {
            if let Some(name) = first_arg() {
                raw.lanes
                    .push((call, name, block, keyword == "private_lane"));
            }
        }
        "platform" => {
            if let Some(name) = first_arg() {
                raw.platforms.push((call, name, block));
            }
        }
        keyword => {
            if let Some(kind) = HookKind::from_keyword(keyword) {
                raw.hooks.push((call, kind, block));
            }
        }
    }
}

/// Lists of at most this many named children are read by index.
const FEW_CHILDREN: usize = 8;

/// The named children of a node, in order. A short list is read by index, which needs no tree
/// cursor (making one allocates, and extraction would make one per call and per hash); a long
/// one with a cursor, since reading by index walks the list from its start each time.
enum NamedChildren<'t> {
    Few {
        node: Node<'t>,
        next: usize,
        count: usize,
    },
    Many(std::vec::IntoIter<Node<'t>>),
}

fn named_children(node: Node<'_>) -> NamedChildren<'_> {
    let count = node.named_child_count();
    if count <= FEW_CHILDREN {
        NamedChildren::Few {
            node,
            next: 0,
            count,
        }
    } else {
        let mut cursor = node.walk();
        let all: Vec<Node> = node.named_children(&mut cursor).collect();
        NamedChildren::Many(all.into_iter())
    }
}

impl<'t> Iterator for NamedChildren<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        match self {
            NamedChildren::Few { node, next, count } => {
                while *next < *count {
                    let child = u32::try_from(*next).ok().and_then(|i| node.named_child(i));
                    *next += 1;
                    if child.is_some() {
                        return child;
                    }
                }
                None
            }
            NamedChildren::Many(all) => all.next(),
        }
    }
}

fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// A node's text (empty if its range is not one of `src`).
pub(super) fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The content of a plain string literal (no interpolation), if it is one.
fn string_literal(node: Node, src: &str) -> Option<String> {
    if Kind::of(node) != Kind::String {
        return None;
    }
    // Most strings are empty or one run of text: read those without a cursor (which allocates).
    match node.named_child_count() {
        0 => return Some(String::new()),
        1 => {
            let child = node.named_child(0)?;
            return matches!(Kind::of(child), Kind::StringContent | Kind::EscapeSequence)
                .then(|| text(child, src).to_string());
        }
        _ => {}
    }
    let mut cursor = node.walk();
    let mut out = String::new();
    for child in node.named_children(&mut cursor) {
        match Kind::of(child) {
            Kind::StringContent | Kind::EscapeSequence => out.push_str(text(child, src)),
            _ => return None,
        }
    }
    Some(out)
}

/// A lane, platform or symbol name: `:beta`, `"beta"`, `:"beta"`.
fn name_of(node: Node, src: &str) -> String {
    match Kind::of(node) {
        Kind::SimpleSymbol => text(node, src).trim_start_matches(':').to_string(),
        Kind::DelimitedSymbol => text(node, src)
            .trim_start_matches(':')
            .trim_matches('"')
            .to_string(),
        _ => string_literal(node, src).unwrap_or_else(|| text(node, src).to_string()),
    }
}

fn is_env(constant: &str) -> bool {
    matches!(constant, "ENV" | "::ENV")
}

/// The name read by `ENV["X"]` / `ENV.fetch("X")`.
fn env_name(node: Node, src: &str) -> Option<String> {
    match Kind::of(node) {
        Kind::ElementReference => {
            let object = node.child_by_field_id(FIELDS.object)?;
            if !is_env(text(object, src)) {
                return None;
            }
            let key = node.named_child(1)?;
            string_literal(key, src)
        }
        Kind::Call => {
            let receiver = node.child_by_field_id(FIELDS.receiver)?;
            let method = node.child_by_field_id(FIELDS.method)?;
            if !is_env(text(receiver, src)) || !matches!(text(method, src), "fetch" | "[]") {
                return None;
            }
            let args = node.child_by_field_id(FIELDS.arguments)?;
            string_literal(args.named_child(0)?, src)
        }
        _ => None,
    }
}

/// What fastlint needs to know of a value.
pub fn value_of(mut node: Node, src: &str) -> Value {
    // `((x))` is `x` (a loop, not recursion: the brackets may be nested without limit).
    while Kind::of(node) == Kind::ParenthesizedStatements && node.named_child_count() == 1 {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => return Value::Other,
        }
    }
    match Kind::of(node) {
        Kind::True => Value::True,
        Kind::False => Value::False,
        Kind::Nil => Value::Nil,
        Kind::Integer => text(node, src)
            .replace('_', "")
            .parse()
            .map(Value::Int)
            .unwrap_or(Value::Other),
        Kind::SimpleSymbol => Value::Symbol(name_of(node, src)),
        Kind::String => string_literal(node, src)
            .map(Value::Str)
            .unwrap_or(Value::Other),
        _ => env_name(node, src).map(Value::Env).unwrap_or(Value::Other),
    }
}

/// The option key of a pair: `key:`, `:key =>`, `"key" =>`.
fn pair_key(pair: Node, src: &str) -> Option<String> {
    let key = pair.child_by_field_id(FIELDS.key)?;
    Some(match Kind::of(key) {
        Kind::HashKeySymbol | Kind::Identifier | Kind::Constant => text(key, src).to_string(),
        Kind::SimpleSymbol | Kind::DelimitedSymbol | Kind::String => name_of(key, src),
        _ => return None,
    })
}

/// Adds the option a `pair` node writes (`key: value`, with the pairs of a hash value as its
/// entries) to `out`; other nodes add nothing. Entries are read one level deep (what the rules
/// look at: `api_key: { key_id: ... }`), so hashes nested without limit cost no recursion.
fn push_option(pair: Node, src: &str, via_variable: bool, out: &mut Vec<Opt>) {
    if let Some(opt) = option_of(pair, src, via_variable) {
        let entries = match pair.child_by_field_id(FIELDS.value) {
            Some(v) if Kind::of(v) == Kind::Hash => named_children(v)
                .filter_map(|pair| option_of(pair, src, via_variable))
                .collect(),
            _ => Vec::new(),
        };
        out.push(Opt { entries, ..opt });
    }
}

/// The option a `pair` node writes, without entries.
fn option_of(pair: Node, src: &str, via_variable: bool) -> Option<Opt> {
    if Kind::of(pair) != Kind::Pair {
        return None;
    }
    let key = pair_key(pair, src)?;
    let value_node = pair.child_by_field_id(FIELDS.value);
    Some(Opt {
        key,
        span: span(pair),
        value: value_node.map(|v| value_of(v, src)).unwrap_or(Value::Other),
        value_span: value_node.map(span).unwrap_or_else(|| span(pair)),
        via_variable,
        entries: Vec::new(),
    })
}

/// The options written by the pairs of a `hash` node.
fn options_of_hash(hash: Node, src: &str, via_variable: bool) -> Vec<Opt> {
    let mut out = Vec::new();
    for pair in named_children(hash) {
        push_option(pair, src, via_variable, &mut out);
    }
    out
}

#[derive(Default)]
struct Raw<'t> {
    lanes: Vec<(Node<'t>, Node<'t>, Node<'t>, bool)>,
    platforms: Vec<(Node<'t>, Node<'t>, Node<'t>)>,
    hooks: Vec<(Node<'t>, HookKind, Node<'t>)>,
    defs: Vec<(Node<'t>, Node<'t>)>,
    calls: Vec<(Node<'t>, Node<'t>)>,
    identifiers: Vec<Node<'t>>,
    locals: Vec<Node<'t>>,
    not_calls: Vec<Node<'t>>,
    rcalls: Vec<(Node<'t>, Node<'t>, Node<'t>)>,
    env: Vec<Node<'t>>,
    constant_paths: Vec<Node<'t>>,
    inner_paths: Vec<Node<'t>>,
    assigns: Vec<(Node<'t>, Node<'t>, Node<'t>)>,
    comments: Vec<Node<'t>>,
    subshells: Vec<Node<'t>>,
    heredocs: Vec<Node<'t>>,
    /// Code that may not run (branches, loop and block bodies, rescue clauses, modifiers).
    branches: Vec<Node<'t>>,
    /// `name << value` (and each link of `name << a << b`): (node, name, value).
    appends: Vec<(Node<'t>, Node<'t>, Node<'t>)>,
    /// The `<<` links inside a chain already read from its outermost one.
    chain_links: HashSet<usize>,
}

/// Whether Ruby text parses without a syntax error, stray keywords included (what a rewrite of a
/// file is held to).
pub fn parses_clean(text: &str) -> bool {
    crate::parse::parse_ruby(text).is_some_and(|tree| extract(&tree, text).syntax_errors.is_empty())
}

/// Extracts the model of one Ruby file.
pub fn extract(tree: &Tree, src: &str) -> RubyModel {
    let kinds = &*RUBY_KINDS;
    let f = &*FIELDS;
    let mut raw = Raw::default();
    // One pre-order walk over the whole tree (ERROR nodes included): each node of a kind that
    // `queries/ruby.scm` names is handled as its capture.
    each_node(tree, |n| {
        if let Some(capture) = kinds.capture(n.kind_id()) {
            capture_node(capture, n, f, src, &mut raw);
        }
    });
    build(raw, tree, src)
}

/// Records one node the query captures.
fn capture_node<'t>(capture: Capture, n: Node<'t>, f: &Fields, src: &str, raw: &mut Raw<'t>) {
    let field = |id: u16| n.child_by_field_id(id);
    match capture {
        Capture::Call => match (field(f.receiver), field(f.method)) {
            (None, Some(method)) if Kind::of(method) == Kind::Identifier => {
                structure(n, method, src, raw);
                raw.calls.push((n, method));
            }
            (Some(receiver), Some(method)) => raw.rcalls.push((n, receiver, method)),
            _ => {}
        },
        Capture::Def => {
            if let Some(name) = field(f.name) {
                raw.defs.push((n, name));
            }
        }
        Capture::Identifier => raw.identifiers.push(n),
        Capture::Declares | Capture::NotACall => {
            let names = named_children(n).filter(|child| Kind::of(*child) == Kind::Identifier);
            if capture == Capture::Declares {
                raw.locals.extend(names);
            } else {
                raw.not_calls.extend(names);
            }
        }
        Capture::DeclaresName | Capture::DeclaresLoop => {
            let name = if capture == Capture::DeclaresName {
                field(f.name)
            } else {
                field(f.pattern)
            };
            raw.locals
                .extend(name.filter(|name| Kind::of(*name) == Kind::Identifier));
        }
        Capture::Element => {
            let is_env = field(f.object).is_some_and(|o| is_env(text(o, src)));
            if is_env && n.named_child(1).is_some() {
                raw.env.push(n);
            }
        }
        Capture::Assign => {
            if let (Some(left), Some(right)) = (field(f.left), field(f.right)) {
                if Kind::of(left) == Kind::Identifier {
                    raw.locals.push(left);
                }
                raw.assigns.push((n, left, right));
            }
        }
        Capture::ConstantPath => {
            raw.constant_paths.push(n);
            if let Some(scope) = field(f.scope).filter(|s| Kind::of(*s) == Kind::ScopeResolution) {
                raw.inner_paths.push(scope);
            }
        }
        Capture::Comment => raw.comments.push(n),
        Capture::Subshell => raw.subshells.push(n),
        Capture::Heredoc => raw.heredocs.push(n),
        Capture::Branch => raw.branches.push(n),
        Capture::Append => {
            // `cmd << "a" << "b"` adds to `cmd` twice: follow the chain down to its name.
            let shift = |node: Node<'t>| {
                let (left, right) = (
                    node.child_by_field_id(FIELDS.left)?,
                    node.child_by_field_id(FIELDS.right)?,
                );
                let operator = src.get(left.end_byte()..right.start_byte())?.trim();
                (operator == "<<").then_some((left, right))
            };
            // Each link is read once, from the whole chain: the links inside it are skipped when
            // the walk reaches them, so a chain thousands long costs its length.
            if let Some((mut left, right)) = shift(n).filter(|_| !raw.chain_links.contains(&n.id()))
            {
                let mut added = vec![right];
                while let Some((inner, inner_right)) = shift(left) {
                    raw.chain_links.insert(left.id());
                    added.push(inner_right);
                    left = inner;
                }
                if Kind::of(left) == Kind::Identifier {
                    raw.appends
                        .extend(added.into_iter().map(|right| (n, left, right)));
                }
            }
        }
    }
}

fn line_indent(src: &str, offset: usize) -> String {
    let line_start = src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    src[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Where the first line of a block's body starts, when the block opens on a line of its own.
fn body_line_start(block: Node, src: &str) -> Option<usize> {
    let body = block.child_by_field_id(FIELDS.body);
    let open_end = match block.child_by_field_id(FIELDS.parameters) {
        Some(params) => params.end_byte(),
        None => block.child(0)?.end_byte(),
    };
    let newline = src[open_end..].find('\n')? + open_end;
    let limit = body.map(|b| b.start_byte()).unwrap_or(block.end_byte());
    (newline < limit).then_some(newline + 1)
}

/// Keywords that cannot start an expression: they close or continue a construct (`end`, `in`, ...)
/// or join two expressions (`and`, `or`). tree-sitter-ruby reads one where an expression should be
/// (`end` after the last `end` of a file, `in unless x`) as a bare name, without an error; Ruby
/// rejects it. As a method name (`x.end`, `def end`) or a keyword parameter one is not a bare name.
pub const CLOSING_KEYWORDS: &[&str] = &[
    "end", "else", "elsif", "when", "in", "then", "ensure", "do", "and", "or",
];

fn build(raw: Raw, tree: &Tree, src: &str) -> RubyModel {
    let (syntax_errors, syntax_missing) = syntax_errors_and_missing(tree);
    let mut model = RubyModel {
        syntax_errors: syntax_errors.into_iter().map(Span::from).collect(),
        syntax_missing,
        comments: {
            let mut comments: Vec<Span> = raw.comments.iter().map(|n| span(*n)).collect();
            comments.sort();
            comments
        },
        ..RubyModel::default()
    };

    // Platforms and the innermost one around any position.
    for (node, name, block) in &raw.platforms {
        model.platforms.push(Platform {
            name: name_of(*name, src),
            span: span(*node),
            block: span(*block),
        });
    }
    let platforms = Nesting::new(
        model
            .platforms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.block, i))
            .collect(),
    );
    let platform_at = |s: Span| {
        platforms
            .innermost(s)
            .map(|i| model.platforms[i].name.clone())
    };

    for (node, name, block, private) in &raw.lanes {
        let s = span(*node);
        model.lanes.push(Lane {
            name: name_of(*name, src),
            name_span: span(*name),
            platform: platform_at(s),
            private: *private,
            span: s,
            block: span(*block),
            body: block.child_by_field_id(FIELDS.body).map(span),
            body_line_start: body_line_start(*block, src),
            indent: line_indent(src, s.start),
        });
    }
    for (node, kind, block) in &raw.hooks {
        let s = span(*node);
        model.hooks.push(Hook {
            kind: *kind,
            platform: platform_at(s),
            span: s,
            block: span(*block),
        });
    }
    for (node, name) in &raw.defs {
        model.methods.push(MethodDef {
            name: text(*name, src).to_string(),
            span: span(*node),
        });
    }

    // Which lane, hook or method each position runs in.
    let mut containers: Vec<(Span, usize)> = Vec::new();
    let mut scopes: Vec<Scope> = Vec::new();
    for (i, lane) in model.lanes.iter().enumerate() {
        containers.push((lane.block, scopes.len()));
        scopes.push(Scope::Lane(i));
    }
    for (i, hook) in model.hooks.iter().enumerate() {
        containers.push((hook.block, scopes.len()));
        scopes.push(Scope::Hook(i));
    }
    for (i, def) in model.methods.iter().enumerate() {
        containers.push((def.span, scopes.len()));
        scopes.push(Scope::Method(i));
    }
    let nesting = Nesting::new(containers);
    let scope_at = |s: Span| {
        nesting
            .innermost(s)
            .map(|i| scopes[i])
            .unwrap_or(Scope::TopLevel)
    };

    // Local variables (by scope) and hash literals assigned to them.
    let mut locals: HashMap<(Scope, &str), usize> = HashMap::new();
    let mut hashes: Vec<(Scope, &str, usize, Node)> = Vec::new();
    for node in &raw.locals {
        let key = (scope_at(span(*node)), text(*node, src));
        let entry = locals.entry(key).or_insert(node.start_byte());
        *entry = (*entry).min(node.start_byte());
    }
    // Identifiers that are not references: declarations, method names, aliases.
    let mut not_references: HashSet<usize> = HashSet::new();
    not_references.extend(raw.locals.iter().map(|n| n.start_byte()));
    not_references.extend(raw.not_calls.iter().map(|n| n.start_byte()));
    not_references.extend(raw.calls.iter().map(|(_, name)| name.start_byte()));
    not_references.extend(raw.defs.iter().map(|(_, name)| name.start_byte()));
    not_references.extend(raw.rcalls.iter().map(|(_, _, method)| method.start_byte()));
    // Left-hand sides of assignments (`ENV["X"] = ...`, `Spaceship::ConnectAPI.token = ...`).
    let assigned: HashSet<usize> = raw.assigns.iter().map(|(_, left, _)| left.id()).collect();
    for (node, left, right) in &raw.assigns {
        if sets_context_key(*left, *right, src) {
            model
                .context_keys
                .push((span(*node), scope_at(span(*node))));
        }
        if Kind::of(*left) == Kind::Identifier && Kind::of(*right) == Kind::Hash {
            hashes.push((
                scope_at(span(*node)),
                text(*left, src),
                node.start_byte(),
                *right,
            ));
        }
        if let Some(name) = env_name(*left, src) {
            model.env.push(EnvAccess {
                name,
                span: span(*left),
                write: true,
                scope: scope_at(span(*left)),
                value: Some(value_of(*right, src)),
                value_span: Some(span(*right)),
            });
        }
    }

    // ENV["X"] reads (writes were taken from the assignments above).
    let env_read = |name: String, node: Node| EnvAccess {
        name,
        span: span(node),
        write: false,
        scope: scope_at(span(node)),
        value: None,
        value_span: None,
    };
    for node in &raw.env {
        if assigned.contains(&node.id()) {
            continue;
        }
        if let Some(name) = env_name(*node, src) {
            model.env.push(env_read(name, *node));
        }
    }

    // Calls with a receiver: ENV.fetch and Spaceship.
    for (node, receiver, method) in &raw.rcalls {
        let method_name = text(*method, src);
        if let Some(name) = env_name(*node, src) {
            model.env.push(env_read(name, *node));
            continue;
        }
        if !matches!(Kind::of(*receiver), Kind::Constant | Kind::ScopeResolution) {
            continue;
        }
        let receiver_text = text(*receiver, src);
        let is_setter = assigned.contains(&node.id());
        if let Some(kind) = spaceship_kind(receiver_text, method_name, is_setter) {
            let end = node
                .child_by_field_id(FIELDS.arguments)
                .map(|a| a.start_byte())
                .unwrap_or(node.end_byte());
            let password = if kind == SpaceshipKind::Login {
                literal_password(*node, src)
            } else {
                None
            };
            model.spaceship.push(SpaceshipUse {
                kind,
                text: src[node.start_byte()..end].trim_end().to_string(),
                span: span(*node),
                scope: scope_at(span(*node)),
                password,
            });
        }
    }

    // Legacy Spaceship classes used as values (`klass = Spaceship::Tunes::Application`).
    let receivers: HashSet<usize> = raw
        .rcalls
        .iter()
        .map(|(_, receiver, _)| receiver.id())
        .collect();
    let inner: HashSet<usize> = raw.inner_paths.iter().map(|n| n.id()).collect();
    for node in &raw.constant_paths {
        if receivers.contains(&node.id()) || inner.contains(&node.id()) {
            continue;
        }
        let path = text(*node, src);
        if spaceship_kind(path, "", false) == Some(SpaceshipKind::Legacy) {
            model.spaceship.push(SpaceshipUse {
                kind: SpaceshipKind::Legacy,
                text: path.to_string(),
                span: span(*node),
                scope: scope_at(span(*node)),
                password: None,
            });
        }
    }

    // Receiver-less calls, and bare names that are not local variables.
    let defined_here: HashSet<&str> = model
        .lanes
        .iter()
        .map(|l| l.name.as_str())
        .chain(model.methods.iter().map(|m| m.name.as_str()))
        .collect();
    let defined_here: HashSet<String> = defined_here.into_iter().map(str::to_string).collect();
    let mut calls: Vec<Call> = Vec::with_capacity(raw.calls.len());
    let shell_calls = raw
        .calls
        .iter()
        .any(|(_, name)| commands::SHELL_METHODS.contains(&text(*name, src)));
    // What a shell command may be held in besides a string at its call; built only when there
    // is one.
    let literals = if shell_calls {
        commands::Literals::new(
            &raw.heredocs,
            &raw.branches,
            raw.assigns
                .iter()
                .filter(|(_, left, _)| Kind::of(*left) == Kind::Identifier)
                .map(|(node, left, right)| {
                    let operator = src.get(left.end_byte()..right.start_byte()).map(str::trim);
                    let assigned = if Kind::of(*node) == Kind::Assignment {
                        commands::Assigned::Whole(*right)
                    } else if operator == Some("+=") {
                        commands::Assigned::Appended(*right)
                    } else {
                        commands::Assigned::Other
                    };
                    (
                        scope_at(span(*node)),
                        text(*left, src),
                        node.start_byte(),
                        assigned,
                    )
                })
                .chain(raw.appends.iter().map(|(node, left, right)| {
                    // At what it adds: the links of a chain start where the chain does.
                    (
                        scope_at(span(*node)),
                        text(*left, src),
                        right.start_byte(),
                        commands::Assigned::Appended(*right),
                    )
                })),
        )
    } else {
        commands::Literals::default()
    };
    let mut read_ways = commands::ReadWays::default();
    for (node, name) in &raw.calls {
        let scope = scope_at(span(*node));
        if commands::SHELL_METHODS.contains(&text(*name, src)) {
            commands::of_call(
                *node,
                src,
                scope,
                &literals,
                &mut read_ways,
                &mut model.shell,
            );
        }
        calls.push(call_of(*node, *name, src, scope));
    }
    for node in &raw.subshells {
        commands::of_subshell(*node, src, scope_at(span(*node)), &mut model.shell);
    }
    // A command held in a variable and run twice, or read along two ways to one run, is one
    // command: the way that gives no key and names an Apple ID is kept, as the one that logs in.
    model.shell.sort_by_key(|r| {
        (
            r.span.start,
            r.span.end,
            r.key,
            r.apple_id.is_none(),
            r.readonly,
        )
    });
    model.shell.dedup_by_key(|r| (r.span.start, r.span.end));
    let tree_errors = model.syntax_errors.len();
    for node in &raw.identifiers {
        if not_references.contains(&node.start_byte()) {
            continue;
        }
        let s = span(*node);
        let name = text(*node, src);
        if CLOSING_KEYWORDS.contains(&name) {
            // A keyword that cannot start an expression, read by tree-sitter as a bare name: a
            // stray `end` (one too many) and the like, which Ruby refuses.
            if !model.syntax_errors[..tree_errors]
                .iter()
                .any(|e| e.start <= s.start && s.end <= e.end)
            {
                model.syntax_errors.push(s);
            }
            continue;
        }
        let scope = scope_at(s);
        if locals
            .get(&(scope, name))
            .is_some_and(|&declared| declared < s.start)
        {
            continue;
        }
        if !defined_here.contains(name) && crate::knowledge::action(name).is_none() {
            model.bare_names.push((s, scope));
            continue;
        }
        calls.push(Call::bare(name, s, scope));
    }
    model.syntax_errors.sort();
    // With the stray closing keywords among the errors, as the repairs' results are counted.
    model.syntax_causes = super::syntax::causes(tree, src, &model.syntax_errors);
    model.syntax_focus = super::syntax::focus(tree, src, &model.syntax_errors);
    calls.sort_by_key(|c| (c.span.start, c.span.end));

    // Options passed through a hash variable assigned in the same lane or method.
    for call in &mut calls {
        if let ArgShape::Variable { name, resolved } = &mut call.shape {
            let found = hashes
                .iter()
                .filter(|(scope, var, at, _)| {
                    *scope == call.scope && *var == name.as_str() && *at < call.span.start
                })
                .max_by_key(|(_, _, at, _)| *at);
            if let Some((_, _, _, hash)) = found {
                call.options.extend(options_of_hash(*hash, src, true));
                *resolved = true;
            }
        }
    }

    for call in &calls {
        match call.name.as_str() {
            "import" => model.imports.push(Import {
                path: call.first_string.clone(),
                span: call.span,
                from_git: false,
            }),
            "import_from_git" => model.imports.push(Import {
                path: None,
                span: call.span,
                from_git: true,
            }),
            _ => {}
        }
    }
    // Every file's model is held until the end of the run: no spare capacity.
    for call in &mut calls {
        call.options.shrink_to_fit();
    }
    calls.shrink_to_fit();
    model.bare_names.shrink_to_fit();
    model.calls = calls;
    model.env.sort_by_key(|e| (e.span.start, e.span.end));
    model.spaceship.sort_by_key(|s| (s.span.start, s.span.end));
    model.context_keys.sort_by_key(|(s, _)| (s.start, s.end));
    model
}

/// How a Fastfile names the lane context, and the key's entry in it.
const LANE_CONTEXT: &[&str] = &[
    "lane_context",
    "Actions.lane_context",
    "Fastlane::Actions.lane_context",
];
const CONTEXT_KEY: &[&str] = &[
    "SharedValues::APP_STORE_CONNECT_API_KEY",
    "Actions::SharedValues::APP_STORE_CONNECT_API_KEY",
    "Fastlane::Actions::SharedValues::APP_STORE_CONNECT_API_KEY",
    ":APP_STORE_CONNECT_API_KEY",
];

/// Whether an assignment puts an API key into the lane context by hand
/// (`lane_context[SharedValues::APP_STORE_CONNECT_API_KEY] = { key_id: ..., ... }`); `= nil` takes
/// it out, and is not one.
fn sets_context_key(left: Node, right: Node, src: &str) -> bool {
    if Kind::of(left) != Kind::ElementReference || Kind::of(right) == Kind::Nil {
        return false;
    }
    let squeeze = |n: Node| -> String {
        text(n, src)
            .trim_start_matches("::")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let object = left.child_by_field_id(FIELDS.object).map(squeeze);
    let index = left.named_child(1).map(squeeze);
    object.is_some_and(|o| LANE_CONTEXT.contains(&o.as_str()))
        && index.is_some_and(|i| CONTEXT_KEY.contains(&i.as_str()))
        && left.named_child_count() == 2
}

fn call_of(node: Node, name: Node, src: &str, scope: Scope) -> Call {
    let args = node.child_by_field_id(FIELDS.arguments);
    let mut shape = ArgShape::None;
    let mut options = Vec::new();
    let mut first_arg = None;
    let mut first_string = None;
    let mut parens = false;
    let has_block = node.child_by_field_id(FIELDS.block).is_some();
    if let Some(args) = args {
        parens = text(args, src).starts_with('(');
        let mut children = named_children(args)
            .map(|c| (c, Kind::of(c)))
            .filter(|(_, kind)| *kind != Kind::Comment);
        if let Some((first, kind)) = children.next() {
            first_arg = Some(span(first));
            if text(name, src) == "import" {
                first_string = string_literal(first, src);
            }
            shape = match kind {
                Kind::Pair | Kind::Hash => ArgShape::Options,
                Kind::Identifier => ArgShape::Variable {
                    name: text(first, src).to_string(),
                    resolved: false,
                },
                Kind::HashSplatArgument => match first.named_child(0) {
                    Some(inner) if Kind::of(inner) == Kind::Identifier => ArgShape::Variable {
                        name: text(inner, src).to_string(),
                        resolved: false,
                    },
                    _ => ArgShape::Other,
                },
                _ => ArgShape::Other,
            };
            for (child, kind) in std::iter::once((first, kind)).chain(children) {
                match kind {
                    Kind::Pair => push_option(child, src, false, &mut options),
                    Kind::Hash => options.extend(options_of_hash(child, src, false)),
                    _ => {}
                }
            }
        }
    }
    Call {
        name: text(name, src).to_string(),
        name_span: span(name),
        span: span(node),
        scope,
        shape,
        args_span: args.map(span),
        parens,
        first_arg,
        first_string,
        has_block,
        options,
    }
}

/// The second argument of a `login(user, password)` call, when it is a non-empty string literal.
fn literal_password(call: Node, src: &str) -> Option<Span> {
    let args = call.child_by_field_id(FIELDS.arguments)?;
    let second = named_children(args)
        .filter(|c| Kind::of(*c) != Kind::Comment)
        .nth(1)?;
    let value = string_literal(second, src)?;
    (!value.is_empty()).then(|| span(second))
}

/// Classifies a Spaceship call by its receiver path and method.
fn spaceship_kind(receiver: &str, method: &str, is_setter: bool) -> Option<SpaceshipKind> {
    let path: Vec<&str> = receiver
        .trim_start_matches("::")
        .split("::")
        .map(str::trim)
        .collect();
    if path.first().copied() != Some("Spaceship") {
        return None;
    }
    const LEGACY: &[&str] = &[
        "Tunes",
        "Portal",
        "TunesClient",
        "PortalClient",
        "App",
        "AppGroup",
        "AppService",
        "Certificate",
        "ProvisioningProfile",
        "Device",
        "CloudContainer",
        "Merchant",
        "Passbook",
        "WebsitePush",
    ];
    // Request methods of `Spaceship::ConnectAPI::Client`.
    const API_REQUESTS: &[&str] = &["get_", "post_", "patch_", "delete_", "add_", "create_"];
    // The class methods of the models that make a request (not `type`, nor
    // `Certificate.create_certificate_signing_request`, which makes a key and a CSR on this machine).
    const MODEL_REQUESTS: &[&str] = &["all", "find", "get", "create", "delete!", "find_or_create"];
    // Classes under `Spaceship::ConnectAPI` that are not models of App Store Connect records: their
    // methods make no request of their own.
    const NOT_MODELS: &[&str] = &[
        "Token",
        "Platform",
        "Client",
        "APIClient",
        "Response",
        "Model",
        "Models",
        "Base",
        "FileUploader",
        "TokenRefreshMiddleware",
        "Tunes",
        "TestFlight",
        "Users",
        "Provisioning",
        "IAP",
    ];
    match path.get(1).copied() {
        None | Some("Client") if method == "login" => Some(SpaceshipKind::Login),
        None => match method {
            "select_team" | "client" => Some(SpaceshipKind::Legacy),
            _ => None,
        },
        Some("ConnectAPI") if path.len() == 2 => match method {
            "login" => Some(SpaceshipKind::Login),
            "auth" => Some(SpaceshipKind::KeyAuth),
            "token" if is_setter => Some(SpaceshipKind::KeyAuth),
            // The client's requests, which the class forwards (`Spaceship::ConnectAPI.get_apps`).
            _ if API_REQUESTS.iter().any(|p| method.starts_with(p)) => Some(SpaceshipKind::Api),
            _ => None,
        },
        // A model class's requests (`Spaceship::ConnectAPI::App.find(...)`,
        // `Spaceship::ConnectAPI::Device.find_by_udid(...)`); not a constant under one
        // (`...::Type::APP_GROUPS`).
        Some("ConnectAPI")
            if path.len() == 3
                && path[2].starts_with(|c: char| c.is_ascii_uppercase())
                && !NOT_MODELS.contains(&path[2])
                && (MODEL_REQUESTS.contains(&method) || method.starts_with("find_")) =>
        {
            Some(SpaceshipKind::Api)
        }
        Some(second) if LEGACY.contains(&second) => {
            if method == "login" && path.len() == 2 {
                Some(SpaceshipKind::Login)
            } else {
                Some(SpaceshipKind::Legacy)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_ruby;

    fn model(src: &str) -> RubyModel {
        extract(&parse_ruby(src).unwrap(), src)
    }

    #[test]
    fn lanes_platforms_and_scopes() {
        let m = model("platform :ios do\n  before_all do\n    setup\n  end\n  private_lane :beta do |options|\n    pilot(username: \"a\", skip: true)\n  end\nend\nlane :x do\nend\ndef up\n  deliver\nend\n");
        assert_eq!(m.lanes.len(), 2);
        assert_eq!(m.lanes[0].qualified_name(), "ios beta");
        assert!(m.lanes[0].private);
        assert_eq!(m.lanes[1].qualified_name(), "x");
        assert_eq!(m.hooks.len(), 1);
        assert_eq!(m.hooks[0].platform.as_deref(), Some("ios"));
        let pilot = m.calls.iter().find(|c| c.name == "pilot").unwrap();
        assert_eq!(pilot.scope, Scope::Lane(0));
        assert_eq!(
            pilot.option("username").unwrap().value,
            Value::Str("a".into())
        );
        assert_eq!(pilot.shape, ArgShape::Options);
        let deliver = m.calls.iter().find(|c| c.name == "deliver").unwrap();
        assert_eq!(deliver.scope, Scope::Method(0));
        // `setup` is no action and no lane or method here: kept aside, in the hook's scope.
        assert!(m.calls.iter().all(|c| c.name != "setup"));
        assert_eq!(m.bare_names.len(), 1);
        assert_eq!(m.bare_names[0].1, Scope::Hook(0));
    }

    #[test]
    fn bare_names_and_locals() {
        let m = model("lane :a do\n  api_key = app_store_connect_api_key(key_id: 'x')\n  pilot(api_key: api_key)\n  n = latest_testflight_build_number + 1\n  pem\nend\n");
        let names: Vec<_> = m.calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "lane",
                "app_store_connect_api_key",
                "pilot",
                "latest_testflight_build_number",
                "pem"
            ]
        );
    }

    #[test]
    fn hash_variables_are_followed() {
        let m = model("lane :a do\n  opts = { username: 'x', skip: true }\n  pilot(opts)\n  deliver(**opts)\n  sigh(other)\nend\n");
        let pilot = m.calls.iter().find(|c| c.name == "pilot").unwrap();
        assert!(pilot.option("username").unwrap().via_variable);
        let deliver = m.calls.iter().find(|c| c.name == "deliver").unwrap();
        assert!(deliver.option("username").is_some());
        let sigh = m.calls.iter().find(|c| c.name == "sigh").unwrap();
        assert_eq!(
            sigh.shape,
            ArgShape::Variable {
                name: "other".into(),
                resolved: false
            }
        );
    }

    #[test]
    fn connect_api_requests_are_told_from_its_constants_and_helpers() {
        let src = "app = Spaceship::ConnectAPI::App.find(id)\n\
                   ::Spaceship::ConnectAPI::Certificate.all\n\
                   Spaceship::ConnectAPI.get_builds(filter: f)\n\
                   t = Spaceship::ConnectAPI::Token.create(**k)\n\
                   Spaceship::ConnectAPI::Platform.map(p)\n\
                   csr, key = Spaceship::ConnectAPI::Certificate.create_certificate_signing_request\n\
                   Spaceship::ConnectAPI::Device.find_by_udid(udid)\n\
                   caps = [Spaceship::ConnectAPI::BundleIdCapability::Type::APP_GROUPS]\n\
                   x = Spaceship::ConnectAPI.token\n\
                   Spaceship::ConnectAPI.token = t\n";
        let m = model(src);
        let found: Vec<_> = m
            .spaceship
            .iter()
            .map(|s| (s.kind, s.text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (SpaceshipKind::Api, "Spaceship::ConnectAPI::App.find"),
                (
                    SpaceshipKind::Api,
                    "::Spaceship::ConnectAPI::Certificate.all"
                ),
                (SpaceshipKind::Api, "Spaceship::ConnectAPI.get_builds"),
                (
                    SpaceshipKind::Api,
                    "Spaceship::ConnectAPI::Device.find_by_udid"
                ),
                (SpaceshipKind::KeyAuth, "Spaceship::ConnectAPI.token")
            ]
        );
    }

    #[test]
    fn env_and_spaceship() {
        let m = model("ENV[\"FASTLANE_USER\"] = 'me'\nx = ENV.fetch('FASTLANE_PASSWORD')\ny = ENV['FASTLANE_SESSION']\nSpaceship::Tunes.login(u)\nSpaceship::ConnectAPI.auth(key_id: 1)\nSpaceship::ConnectAPI.token = t\nSpaceship::Tunes::Application.find(1).edit_version\nsh(\"echo #{ENV['FASTLANE_USER']}\")\n");
        let env: Vec<_> = m.env.iter().map(|e| (e.name.as_str(), e.write)).collect();
        assert_eq!(
            env,
            [
                ("FASTLANE_USER", true),
                ("FASTLANE_PASSWORD", false),
                ("FASTLANE_SESSION", false),
                ("FASTLANE_USER", false)
            ]
        );
        let kinds: Vec<_> = m.spaceship.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SpaceshipKind::Login,
                SpaceshipKind::KeyAuth,
                SpaceshipKind::KeyAuth,
                SpaceshipKind::Legacy
            ]
        );
    }

    #[test]
    fn strings_comments_heredocs_are_not_code() {
        let m = model("# pilot(username: 'x')\nsh(\"fastlane pilot --username x\")\ns = <<~EOS\n  pilot(username: 'x') ENV['FASTLANE_USER']\nEOS\n");
        assert!(m.calls.iter().all(|c| c.name != "pilot"));
        assert!(m.env.is_empty());
    }

    #[test]
    fn comments_are_recorded_and_strings_are_not_comments() {
        let src = "# one\npilot(x: \"# not a comment\") # two\ns = <<~EOS\n  # heredoc text\nEOS\n";
        let m = model(src);
        let texts: Vec<&str> = m.comments.iter().map(|c| &src[c.start..c.end]).collect();
        assert_eq!(texts, ["# one", "# two"]);
    }

    #[test]
    fn stray_closing_keywords_are_syntax_errors() {
        let errors = |src: &str| -> Vec<String> {
            model(src)
                .syntax_errors
                .iter()
                .map(|s| src[s.start..s.end].to_string())
                .collect()
        };
        assert_eq!(errors("lane :a do\n  pilot\nend\nend\n"), ["end"]);
        assert_eq!(errors("pilot\nelse\n"), ["else"]);
        assert_eq!(errors("x = [1,\nend]\n"), ["end"]);
        // Where Ruby takes a keyword as a name, or where it belongs.
        let fine = "foo.end\nx&.then\ndef end\nend\ndef self.do\nend\ndef f(end:, when: 1)\nend\n\
                    alias the_end end\ncase x\nwhen 1 then y\nelse z\nend\n\
                    if a then b elsif c then d else e end\nbegin\n  x\nrescue\n  y\nelse\n  z\nensure\n  w\nend\n\
                    foo do |x| x end\nwhile x do y end\n";
        assert_eq!(errors(fine), Vec::<String>::new());
        // Inside an error tree-sitter found, a stray keyword is not reported again.
        let broken = model("lane :a do\n  pilot(\nend\nend\n");
        assert_eq!(
            broken.syntax_errors.len(),
            crate::parse::syntax_errors(&parse_ruby("lane :a do\n  pilot(\nend\nend\n").unwrap())
                .len()
        );
    }

    #[test]
    fn a_singleton_method_name_is_not_a_call() {
        let m = model("def self.pilot\n  1\nend\nlane :a do\n  gym\nend\n");
        assert!(m.calls.iter().all(|c| c.name != "pilot"), "{:?}", m.calls);
        assert!(m.syntax_errors.is_empty());
    }
}
