//! Turning "migrate this lane / this call" into byte-range [`Edit`]s.
//!
//! This layer only knows Ruby syntax (a tree-sitter tree over the source) and the
//! rules of `--fix`; which lanes and calls to migrate is decided from the project
//! model by [`super::plan`].

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::edit::Edit;
use super::variables::{Lookups, SCOPE_KINDS};
use crate::knowledge;

/// Where the inserted `app_store_connect_api_key(...)` takes the key from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeySource {
    /// `key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]`
    #[default]
    File,
    /// `key_content: ENV["APP_STORE_CONNECT_API_KEY_KEY"], is_key_content_base64: true`
    Content,
}

/// Which extra options an action family needs under an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// deliver / upload_to_app_store / appstore: `precheck_include_in_app_purchases: false`.
    Deliver,
    /// precheck / check_app_store_metadata: `include_in_app_purchases: false`.
    Precheck,
    /// Every other key-capable action.
    Other,
}

impl Family {
    /// The option this family needs under an API key, as written into the code.
    pub fn iap_option(self) -> Option<&'static str> {
        match self {
            Family::Deliver => Some("precheck_include_in_app_purchases: false"),
            Family::Precheck => Some("include_in_app_purchases: false"),
            Family::Other => None,
        }
    }

    /// The family of an action name (`upload_to_app_store` → deliver's).
    pub fn of_action(name: &str) -> Family {
        match knowledge::action(name).and_then(|a| a.iap_option) {
            Some("precheck_include_in_app_purchases") => Family::Deliver,
            Some("include_in_app_purchases") => Family::Precheck,
            _ => Family::Other,
        }
    }
}

/// Something a call needs that `--fix` cannot write, for the user to add by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByHand {
    /// Byte offset of the call's method name.
    pub at: usize,
    /// What to do, without the location.
    pub what: String,
}

/// The edits for one call, and what is left to do by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallEdits {
    pub edits: Vec<Edit>,
    pub by_hand: Option<ByHand>,
}

/// Migrate one action call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFix {
    /// Byte range of the call's method name.
    pub name: Range<usize>,
    pub family: Family,
    /// The `api_key:` to pass, if any.
    pub add_api_key: ApiKeyArg,
}

/// The key a rewritten call is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiKeyArg {
    /// None: the call only loses `username:` (or gets an in-app purchase option).
    None,
    /// `api_key: api_key`: the lane or hook holding the call received the key block.
    Variable,
    /// `api_key: lane_context[SharedValues::APP_STORE_CONNECT_API_KEY]`: a key is already in the
    /// lane context where the call runs, but the call reads only the Spaceship token, which that
    /// key did not set (`set_spaceship_token: false`, a key put there by hand).
    LaneContext,
}

impl ApiKeyArg {
    /// The option added to the call.
    fn option(self) -> Option<&'static str> {
        match self {
            ApiKeyArg::None => None,
            ApiKeyArg::Variable => Some("api_key: api_key"),
            ApiKeyArg::LaneContext => {
                Some("api_key: lane_context[SharedValues::APP_STORE_CONNECT_API_KEY]")
            }
        }
    }
}

/// Why a requested change was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// A body written on the line of its `do` that cannot be spread over lines (`lane :x do
    /// sh(<<~X) end`: a line break would move into the heredoc).
    OneLineLane { at: usize },
    /// The lane's block could not be found at that offset.
    LaneNotFound { at: usize },
    /// No call with that method name range.
    CallNotFound { at: usize },
}

const USERNAME: &str = "username";

/// How the key block hands the key on to the body's calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyBlockForm {
    /// `api_key = app_store_connect_api_key(...)`, and the body's calls get `api_key: api_key`.
    Variable,
    /// `app_store_connect_api_key(...)` alone, where a local `api_key` already means something
    /// else in or around the body: the actions take the key from the lane context (and the
    /// Spaceship token), which the call sets, and lose only `username:`.
    Bare,
}

/// The text of the key block for a lane body indented with `indent`.
pub fn key_block(
    indent: &str,
    unit: &str,
    eol: &str,
    source: KeySource,
    form: KeyBlockForm,
) -> String {
    let inner = format!("{indent}{unit}");
    let key_lines = match source {
        KeySource::File => {
            vec![r#"key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]"#]
        }
        KeySource::Content => vec![
            r#"key_content: ENV["APP_STORE_CONNECT_API_KEY_KEY"],"#,
            "is_key_content_base64: true",
        ],
    };
    let assign = match form {
        KeyBlockForm::Variable => "api_key = ",
        KeyBlockForm::Bare => "",
    };
    let mut out = format!("{indent}{assign}app_store_connect_api_key({eol}");
    for line in [
        r#"key_id: ENV["APP_STORE_CONNECT_API_KEY_KEY_ID"],"#,
        r#"issuer_id: ENV["APP_STORE_CONNECT_API_KEY_ISSUER_ID"],"#,
    ]
    .into_iter()
    .chain(key_lines)
    {
        out.push_str(&inner);
        out.push_str(line);
        out.push_str(eol);
    }
    out.push_str(indent);
    out.push(')');
    out.push_str(eol);
    out
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line holding `at`, after its `\n` (or the end of the source).
fn line_end_incl(src: &str, at: usize) -> usize {
    src[at..].find('\n').map_or(src.len(), |i| at + i + 1)
}

/// The whitespace that starts the line holding `at`.
fn line_indent(src: &str, at: usize) -> &str {
    let start = line_start(src, at);
    let rest = &src[start..];
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..n]
}

/// Whether only spaces/tabs precede `at` on its line.
fn first_on_line(src: &str, at: usize) -> bool {
    src[line_start(src, at)..at]
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// One level of indentation in a file indented with `indent`: a tab, or two spaces.
fn indent_unit(indent: &str) -> &'static str {
    if indent.contains('\t') {
        "\t"
    } else {
        "  "
    }
}

/// The line ending used by the line holding `at`.
fn eol_at(src: &str, at: usize) -> &'static str {
    let end = line_end_incl(src, at);
    if end >= 2 && src.as_bytes()[end - 1] == b'\n' && src.as_bytes()[end - 2] == b'\r' {
        "\r\n"
    } else {
        "\n"
    }
}

pub(super) fn text<'s>(src: &'s str, node: Node) -> &'s str {
    &src[node.byte_range()]
}

/// Named children that are not comments.
fn args_of(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment" && c.kind() != "heredoc_body")
        .collect()
}

/// Whether an assignment node assigns what `app_store_connect_api_key(...)` returns.
fn assigns_key_call(src: &str, node: Node) -> bool {
    node.kind() == "assignment"
        && node.child_by_field_name("right").is_some_and(|r| {
            r.kind() == "call"
                && r.child_by_field_name("receiver").is_none()
                && r.child_by_field_name("method")
                    .is_some_and(|m| text(src, m) == "app_store_connect_api_key")
        })
}

/// The option name of a `pair` (`name: v`, `:name => v`, `"name": v`).
fn pair_key<'s>(src: &'s str, pair: Node) -> Option<&'s str> {
    let key = pair.child_by_field_name("key")?;
    let t = text(src, key);
    match key.kind() {
        "hash_key_symbol" | "identifier" | "constant" => Some(t),
        "simple_symbol" => Some(t.trim_start_matches(':')),
        "string" => Some(t.trim_matches(['"', '\''])),
        _ => None,
    }
}

fn find_pair<'t>(src: &str, args: &[Node<'t>], name: &str) -> Option<Node<'t>> {
    args.iter()
        .copied()
        .find(|a| a.kind() == "pair" && pair_key(src, *a) == Some(name))
}

/// Rewrites the pairs of one option container (an argument list or a hash literal).
struct Container<'t> {
    /// `argument_list` or `hash`.
    node: Node<'t>,
    args: Vec<Node<'t>>,
}

/// The edits for one call (and, for `deliver(opts)`, for the hash literal `opts`).
pub fn call_edits(src: &str, tree: &Tree, fix: &CallFix) -> Result<CallEdits, Skipped> {
    call_edits_at(
        src,
        &mut Lookups::new(tree, std::slice::from_ref(&fix.name)),
        fix,
    )
}

/// [`call_edits`] with the tree's nodes looked up through `lookups`, made for the names of
/// every call of the file to rewrite.
pub fn call_edits_at<'t>(
    src: &str,
    lookups: &mut Lookups<'t>,
    fix: &CallFix,
) -> Result<CallEdits, Skipped> {
    let name = lookups.name(&fix.name);
    let (name, parent) = name.ok_or(Skipped::CallNotFound { at: fix.name.start })?;
    let call =
        parent.filter(|p| p.kind() == "call" && p.child_by_field_name("method") == Some(name));
    let arg_list = call.and_then(|c| c.child_by_field_name("arguments"));

    let Some(arg_list) = arg_list else {
        // `pilot`, `pilot do ... end`, `latest_testflight_build_number + 1`.
        let added = added_options(src, &[], fix);
        if added.is_empty() {
            return Ok(CallEdits::default());
        }
        return Ok(CallEdits {
            edits: vec![Edit::insert(
                name.end_byte(),
                format!("({})", added.join(", ")),
            )],
            by_hand: None,
        });
    };

    let args = args_of(arg_list);
    // `pilot({ username: "x" })`: the options live in the hash literal.
    let container = match args.as_slice() {
        [only] if only.kind() == "hash" => Container {
            node: *only,
            args: args_of(*only),
        },
        _ => Container {
            node: arg_list,
            args,
        },
    };

    if container.node.kind() == "argument_list" {
        if let Some(first) = container.args.first().copied() {
            match first.kind() {
                "pair" => {}
                "identifier" | "hash_splat_argument" | "splat_argument" => {
                    // `pilot(opts)` / `pilot(**opts)`: the key reaches it through lane_context.
                    return Ok(variable_edits(
                        src,
                        lookups,
                        call.unwrap_or(name),
                        name,
                        &container,
                        first,
                        fix,
                    ));
                }
                _ => {
                    // `deliver(base.merge(x))`: fastlane reads only the first argument, so
                    // nothing can be added in front of it; `username:` after it is unused.
                    let mut out = CallEdits::default();
                    if let Some(pair) = find_pair(src, &container.args, USERNAME) {
                        out.edits = remove_pair(src, &container, pair, name);
                    }
                    if let Some(opt) = iap_needed(src, &container.args, fix.family) {
                        out.by_hand = Some(ByHand {
                            at: name.start_byte(),
                            what: format!(
                                "`{opt}` in `{}` (its options come from an expression)",
                                one_line(text(src, call.unwrap_or(name)), 60)
                            ),
                        });
                    }
                    return Ok(out);
                }
            }
        }
    }

    let added = added_options(src, &container.args, fix);
    Ok(CallEdits {
        edits: add_to_container(src, &container, &added, name),
        by_hand: None,
    })
}

/// Puts `added` into an argument list or hash literal: in place of its `username:` pair (or,
/// with nothing to add, removes that pair), else in front of its first element.
fn add_to_container(src: &str, container: &Container, added: &[&str], method: Node) -> Vec<Edit> {
    if let Some(pair) = find_pair(src, &container.args, USERNAME) {
        if added.is_empty() {
            return remove_pair(src, container, pair, method);
        }
        let with = added.join(&separator(src, pair.start_byte()));
        // `username: "x", # the release manager` on a line of its own: the comment is about the
        // Apple ID, so it goes with it, as it goes with the line when the pair is removed.
        return match alone_on_line(src, container, pair).and_then(|l| l.comment) {
            Some(comment) if comment.start > pair.end_byte() => vec![
                Edit::replace(pair.byte_range(), with),
                Edit::delete(comment),
            ],
            Some(comment) => vec![Edit::replace(pair.start_byte()..comment.end, with)],
            None => vec![Edit::replace(pair.byte_range(), with)],
        };
    }
    if added.is_empty() {
        return Vec::new();
    }
    match container.args.first() {
        Some(first) => {
            let sep = separator(src, first.start_byte());
            let mut text = added.join(&sep);
            text.push_str(&sep);
            vec![Edit::insert(first.start_byte(), text)]
        }
        None => {
            // `pilot()` (or `{}`): right after the opening bracket.
            let node_text = &src[container.node.byte_range()];
            let open =
                container.node.start_byte() + node_text.find(['(', '{']).map_or(0, |i| i + 1);
            let mut text = added.join(", ");
            if container.node.kind() == "hash" {
                // `{}` → `{ a: b }`, `{ }` → `{ a: b }`.
                text.insert(0, ' ');
                if src[open..].starts_with('}') {
                    text.push(' ');
                }
            }
            vec![Edit::insert(open, text)]
        }
    }
}

/// `, `, or `,` + line break + indentation when the element at `at` starts its line.
fn separator(src: &str, at: usize) -> String {
    if first_on_line(src, at) {
        format!(",{}{}", eol_at(src, at), line_indent(src, at))
    } else {
        ", ".to_string()
    }
}

/// The first line of `s`, cut to `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or_default();
    if line.chars().count() > max || line.len() < s.trim_end().len() {
        let cut: String = line.chars().take(max).collect();
        format!("{}...", cut.trim_end())
    } else {
        line.to_string()
    }
}

/// `pilot(opts)` / `deliver(**opts)`: nothing goes into the call. `username:` is removed from
/// the hash literal last assigned to `opts` in the same lane or method; deliver and precheck get
/// their in-app purchase option in that literal when it can be followed, else a note.
fn variable_edits<'t>(
    src: &str,
    lookups: &mut Lookups<'t>,
    call: Node<'t>,
    name: Node<'t>,
    list: &Container<'t>,
    first: Node<'t>,
    fix: &CallFix,
) -> CallEdits {
    let var = match first.kind() {
        "identifier" => Some(first),
        _ => first.named_child(0).filter(|n| n.kind() == "identifier"),
    };
    let var_name = var.map(|v| text(src, v));
    let hash = var_name.and_then(|v| lookups.hash_literal_for(src, call, v));
    let mut out = CallEdits::default();
    // `deliver(**opts, username: "x")`: the call's own `username:` goes too.
    let own_username = find_pair(src, &list.args, USERNAME)
        .map(|pair| remove_pair(src, list, pair, name))
        .unwrap_or_default();

    if fix.family.iap_option().is_some() {
        // What the call passes: the hash's pairs and the call's own ones.
        let mut passed: Vec<Node> = list.args[1..].to_vec();
        if let Some(h) = hash {
            passed.extend(args_of(h));
        }
        if let Some(opt) = iap_needed(src, &passed, fix.family) {
            let followed = match (first.kind(), var_name) {
                ("splat_argument", _) | (_, None) => Err("is not a hash variable"),
                (_, Some(v)) => lookups.followable_hash(src, call, v),
            };
            match followed {
                Ok(h) => {
                    let c = Container {
                        node: h,
                        args: args_of(h),
                    };
                    out.edits = add_to_container(src, &c, &[opt], name);
                    out.edits.extend(own_username);
                    return out;
                }
                Err(why) => {
                    out.by_hand = Some(ByHand {
                        at: name.start_byte(),
                        what: format!(
                            "`{opt}` in `{}` (`{}` {why})",
                            one_line(text(src, call), 60),
                            var_name.unwrap_or_else(|| text(src, first))
                        ),
                    });
                }
            }
        }
    }

    if let Some(hash) = hash {
        let c = Container {
            node: hash,
            args: args_of(hash),
        };
        if let Some(pair) = find_pair(src, &c.args, USERNAME) {
            out.edits = remove_pair(src, &c, pair, name);
        }
    }
    out.edits.extend(own_username);
    out
}

/// The in-app purchase option `family` still needs, given the options passed.
fn iap_needed(src: &str, args: &[Node], family: Family) -> Option<&'static str> {
    let opt = family.iap_option()?;
    let present = match family {
        Family::Deliver => {
            let precheck_off = find_pair(src, args, "run_precheck_before_submit")
                .and_then(|p| p.child_by_field_name("value"))
                .is_some_and(|v| v.kind() == "false");
            precheck_off || find_pair(src, args, "precheck_include_in_app_purchases").is_some()
        }
        Family::Precheck => find_pair(src, args, "include_in_app_purchases").is_some(),
        Family::Other => true,
    };
    (!present).then_some(opt)
}

/// The options to add to a call, in order.
fn added_options(src: &str, args: &[Node], fix: &CallFix) -> Vec<&'static str> {
    let mut added = Vec::new();
    added.extend(fix.add_api_key.option());
    added.extend(iap_needed(src, args, fix.family));
    added
}

/// A pair that has its line to itself, but for a `,` after it and a comment.
struct AloneLine {
    /// The whole line, with its line break.
    line: Range<usize>,
    /// The comment after the pair (and its `,`), from the blanks before it to the end of the line
    /// before the line break.
    comment: Option<Range<usize>>,
}

/// Where `pair` stands when nothing else of the container shares its line: no other element, and
/// neither the container's closing bracket nor its opening one.
fn alone_on_line(src: &str, c: &Container, pair: Node) -> Option<AloneLine> {
    let (start, end) = (pair.start_byte(), pair.end_byte());
    if !first_on_line(src, start) {
        return None;
    }
    let ls = line_start(src, start);
    let le = line_end_incl(src, end);
    let text_end = end + src[end..le].trim_end_matches(['\n', '\r']).len();
    let after = &src[end..text_end];
    let after_comma = after
        .trim_start_matches([' ', '\t'])
        .strip_prefix(',')
        .map_or(0, |rest| after.len() - rest.len());
    let rest = after[after_comma..].trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let bracket_after = c.node.end_byte() <= le && c.node.end_byte() > end;
    let bracket_before = c.node.start_byte() >= ls && c.node.start_byte() < start;
    if bracket_after || bracket_before {
        return None;
    }
    Some(AloneLine {
        line: ls..le,
        comment: (!rest.is_empty()).then_some(end + after_comma..text_end),
    })
}

/// Remove `pair` (nothing replaces it) with one separator.
fn remove_pair(src: &str, c: &Container, pair: Node, method: Node) -> Vec<Edit> {
    let idx = c
        .args
        .iter()
        .position(|a| a.id() == pair.id())
        .unwrap_or_default();
    let start = pair.start_byte();
    let end = pair.end_byte();

    // Alone on its line (with an optional `,` and comment): drop the whole line.
    if let Some(line) = alone_on_line(src, c, pair) {
        return vec![Edit::delete(line.line)];
    }

    if let Some(next) = c.args.get(idx + 1) {
        // `pair, next`: the `,` and the spaces after it.
        let between = &src[end..next.start_byte()];
        let comma = between.find(',');
        if let Some(comma) = comma {
            let after = &between[comma + 1..];
            // `pilot username: "x", # me` + a line break: without brackets, the comment would
            // end the call, so it goes with the pair.
            let bare = !src[c.node.byte_range()].starts_with(['(', '{']);
            let comment_only = after.trim_start_matches([' ', '\t']).starts_with('#')
                && after
                    .split_once('\n')
                    .is_some_and(|(_, rest)| rest.trim().is_empty());
            // The next element starts a later line, and the pair shares its own line with what
            // comes before it (alone, it went with its line above).
            let next_line = after.contains('\n') && after.trim().is_empty();
            if idx == 0 && (next_line || (bare && comment_only)) {
                // `pilot(username: "x",\n      b: 2)` → `pilot(b: 2)`; without the brackets,
                // `b: 2` alone on a line would not be an argument any more.
                return vec![Edit::delete(start..next.start_byte())];
            }
            if next_line {
                let prev = c.args[idx - 1];
                let gap = &src[prev.end_byte()..start];
                if !gap.contains(['\n', '#']) {
                    // `a: 1, username: "x",\n  b: 2` → `a: 1,\n  b: 2`
                    return vec![Edit::delete(prev.end_byte()..end + comma)];
                }
            }
            let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
            return vec![Edit::delete(start..end + comma + 1 + spaces)];
        }
        return vec![Edit::delete(start..end)];
    }
    if idx > 0 {
        // Last argument: the `,` and the spaces before it.
        let prev = c.args[idx - 1];
        let between = &src[prev.end_byte()..start];
        if !between.contains('#') {
            return vec![Edit::delete(prev.end_byte()..end)];
        }
        // A comment sits between: drop the comma after `prev` and the pair itself.
        let mut edits = Vec::new();
        if let Some(comma) = between.find(',') {
            let at = prev.end_byte() + comma;
            edits.push(Edit::delete(at..at + 1));
        }
        edits.push(Edit::delete(start..end));
        return edits;
    }
    // The only argument.
    let parenthesised = src[c.node.byte_range()].starts_with(['(', '{']);
    if parenthesised {
        // With a trailing comma, the comma goes too: `pilot(username: "x",)` → `pilot()`, as
        // `pilot(,)` is not Ruby.
        let rest = &src[end..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[spaces..].starts_with(',') {
            return vec![Edit::delete(start..end + spaces + 1)];
        }
        vec![Edit::delete(start..end)]
    } else {
        // `pilot username: "x"` → `pilot`
        vec![Edit::delete(method.end_byte()..end)]
    }
}

/// Whether the lane whose call starts at `at` already uses a variable named `api_key` for
/// something other than `app_store_connect_api_key(...)` (or takes it as a block parameter):
/// inserting the key block there would pass the wrong value.
pub fn lane_reuses_api_key_name(src: &str, tree: &Tree, at: usize) -> bool {
    let Some(block) = lane_block(tree, at) else {
        return false;
    };
    // Every name looked at below lies in the block's text.
    if src
        .get(block.byte_range())
        .is_some_and(|body| !body.contains("api_key"))
    {
        return false;
    }
    let mut stack = vec![block];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "assignment" | "operator_assignment" => {
                let left = node.child_by_field_name("left");
                if left.is_some_and(|l| l.kind() == "identifier" && text(src, l) == "api_key")
                    && !assigns_key_call(src, node)
                {
                    return true;
                }
            }
            "block_parameters" | "lambda_parameters" => {
                let mut cursor = node.walk();
                let named = node.named_children(&mut cursor).any(|p| {
                    let ident = if p.kind() == "identifier" {
                        Some(p)
                    } else {
                        p.child_by_field_name("name")
                    };
                    ident.is_some_and(|i| text(src, i) == "api_key")
                });
                if named {
                    return true;
                }
            }
            "left_assignment_list" => {
                let mut cursor = node.walk();
                if node
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "identifier" && text(src, c) == "api_key")
                {
                    return true;
                }
            }
            // A method defined inside has its own variables.
            "method" | "singleton_method" => continue,
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

/// Whether code around the lane or hook whose call starts at `at` (the top level, or a block it
/// sits in) assigns a local `api_key` before it to something other than
/// `app_store_connect_api_key(...)`: the body closes over that variable, so an inserted
/// `api_key = ...` would change it for everything else that reads it.
pub fn outer_scope_assigns_api_key(src: &str, tree: &Tree, at: usize) -> bool {
    outer_scope_assigns(&api_key_assignments(src, tree), tree, at)
}

/// The assignments to a local `api_key` (other than from `app_store_connect_api_key(...)`) in a
/// file, as (start byte, the node whose locals it belongs to): what
/// [`outer_scope_assigns`] looks through, gathered once per file.
pub fn api_key_assignments<'t>(src: &str, tree: &'t Tree) -> Vec<(usize, Node<'t>)> {
    let mut out = Vec::new();
    if !has_api_key_word(src) {
        return out;
    }
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if let Some(scope) = assigns_api_key(src, node) {
            out.push((node.start_byte(), scope));
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    out
}

/// Whether `api_key` appears in `src` as a word of its own (not inside a longer name, nor as a
/// `api_key:` label): a cheap test that a file has no local of that name, so most files need no
/// walk over their tree.
fn has_api_key_word(src: &str) -> bool {
    let bytes = src.as_bytes();
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    src.match_indices("api_key").any(|(i, m)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + m.len()).copied();
        !before.is_some_and(name_byte) && !after.is_some_and(|b| name_byte(b) || b == b':')
    })
}

/// [`outer_scope_assigns_api_key`], given the file's [`api_key_assignments`]: one of them starts
/// before the lane or hook at `at` and its scope holds the body with no `def` in between.
pub fn outer_scope_assigns(assignments: &[(usize, Node)], tree: &Tree, at: usize) -> bool {
    if assignments.iter().all(|&(start, _)| start >= at) {
        return false;
    }
    let Some(block) = lane_block(tree, at) else {
        return false;
    };
    assignments.iter().any(|&(start, scope)| {
        if start >= at {
            return false;
        }
        let mut up = block.parent();
        while let Some(n) = up {
            if n.id() == scope.id() {
                return true;
            }
            if SCOPE_KINDS.contains(&n.kind()) {
                return false;
            }
            up = n.parent();
        }
        false
    })
}

/// For an assignment to a local `api_key` (other than from `app_store_connect_api_key(...)`),
/// the node whose locals it belongs to: the nearest enclosing block, method or the top level.
fn assigns_api_key<'t>(src: &str, node: Node<'t>) -> Option<Node<'t>> {
    let left = match node.kind() {
        "assignment" | "operator_assignment" => node.child_by_field_name("left")?,
        _ => return None,
    };
    let named = |n: Node| n.kind() == "identifier" && text(src, n) == "api_key";
    let hit = if left.kind() == "left_assignment_list" {
        let mut cursor = left.walk();
        let hit = left.named_children(&mut cursor).any(named);
        hit
    } else {
        named(left)
    };
    if !hit {
        return None;
    }
    if assigns_key_call(src, node) {
        return None;
    }
    let mut up = node.parent();
    while let Some(n) = up {
        if SCOPE_KINDS.contains(&n.kind()) || matches!(n.kind(), "do_block" | "block" | "lambda") {
            return Some(n);
        }
        up = n.parent();
    }
    None
}

/// The block (`do ... end` / `{ ... }`) of the lane whose call starts at `at`.
fn lane_block(tree: &Tree, at: usize) -> Option<Node<'_>> {
    let mut node = tree.root_node().named_descendant_for_byte_range(at, at);
    while let Some(n) = node {
        if n.kind() == "call" && n.start_byte() == at {
            if let Some(block) = n.child_by_field_name("block") {
                return Some(block);
            }
        }
        node = n.parent();
    }
    None
}

/// The key-block insertion for the lane (or hook) whose call starts at `at`. A body written on
/// the line of its `do` or `{` (`lane :beta do pilot end`, `before_each { sigh }`) is first
/// spread over lines: the block and the statements on lines of their own, and the `end` or `}`
/// on its own line when it shared the last statement's.
pub fn lane_edit(
    src: &str,
    tree: &Tree,
    at: usize,
    key_source: KeySource,
    form: KeyBlockForm,
) -> Result<Vec<Edit>, Skipped> {
    let root = tree.root_node();
    let mut node = root.named_descendant_for_byte_range(at, at);
    // Climb to the call that starts at `at` and has a block.
    let call = loop {
        match node {
            Some(n)
                if n.kind() == "call"
                    && n.start_byte() == at
                    && n.child_by_field_name("block").is_some() =>
            {
                break n
            }
            Some(n) => node = n.parent(),
            None => return Err(Skipped::LaneNotFound { at }),
        }
    };
    let block = call
        .child_by_field_name("block")
        .ok_or(Skipped::LaneNotFound { at })?;
    // The `do` / `{` token.
    let opener = block
        .child(0)
        .filter(|c| matches!(c.kind(), "do" | "{"))
        .ok_or(Skipped::LaneNotFound { at })?;
    // After `do`, or after block parameters that may run over several lines (`do |lane,\n options|`).
    let opened = block
        .child_by_field_name("parameters")
        .map_or(opener.end_byte(), |p| p.end_byte().max(opener.end_byte()));
    let insert_at = line_end_incl(src, opened);
    let body = block.child_by_field_name("body");
    let first_stmt = body.and_then(|b| args_of(b).into_iter().next());
    let lane_indent = line_indent(src, call.start_byte());
    // The body starts on the line of `do` (a lone `\r` after `do` is a space to Ruby, so
    // `do\rpilot(...` counts too).
    let on_opener_line = insert_at >= block.end_byte()
        || !src[..insert_at].ends_with('\n')
        || first_stmt.is_some_and(|s| s.start_byte() < insert_at);
    if on_opener_line {
        return spread_body(src, block, opened, lane_indent, key_source, form)
            .ok_or(Skipped::OneLineLane { at });
    }
    let (indent, unit) = match first_stmt {
        Some(stmt) => {
            let indent = line_indent(src, stmt.start_byte()).to_string();
            let unit = indent_unit(&indent);
            (indent, unit)
        }
        None => {
            let unit = indent_unit(lane_indent);
            (format!("{lane_indent}{unit}"), unit)
        }
    };
    let eol = eol_at(src, opened);
    Ok(vec![Edit::insert(
        insert_at,
        key_block(&indent, unit, eol, key_source, form),
    )])
}

/// [`lane_edit`] for a body that starts on the line of its `do` or `{`: the gap after the
/// opener (blanks, a `;`, a lone `\r`) becomes a line break, the key block and the indentation
/// of the first statement; the gap before a closer on the last statement's line becomes a line
/// break. `None` when the gaps hold anything else, or the body holds a heredoc.
fn spread_body(
    src: &str,
    block: Node,
    opened: usize,
    lane_indent: &str,
    key_source: KeySource,
    form: KeyBlockForm,
) -> Option<Vec<Edit>> {
    // A heredoc's body starts on the line after its `<<~X`: a line break put in after it would
    // move into the heredoc. `<<` for anything else is left alone too.
    if src[block.byte_range()].contains("<<") {
        return None;
    }
    let body = block.child_by_field_name("body")?;
    let stmts = args_of(body);
    let (first, last) = (stmts.first()?, stmts.last()?);
    let closer = block.child(block.child_count().checked_sub(1)?)?;
    if !matches!(closer.kind(), "end" | "}") {
        return None;
    }
    let gap = |r: Range<usize>| src[r].chars().all(|c| matches!(c, ' ' | '\t' | '\r' | ';'));
    let before = opened..first.start_byte();
    let after = last.end_byte()..closer.start_byte();
    if !gap(before.clone()) || !(gap(after.clone()) || src[after.clone()].contains('\n')) {
        return None;
    }
    let unit = indent_unit(lane_indent);
    let inner = format!("{lane_indent}{unit}");
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let mut opening = eol.to_string();
    opening.push_str(&key_block(&inner, unit, eol, key_source, form));
    opening.push_str(&inner);
    let mut edits = vec![Edit::replace(before, opening)];
    if !src[after.clone()].contains('\n') {
        edits.push(Edit::replace(after, format!("{eol}{lane_indent}")));
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::edit::apply_edits;

    fn parse(src: &str) -> Tree {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&tree_sitter_ruby::LANGUAGE.into()).unwrap();
        p.parse(src, None).unwrap()
    }

    /// Rewrite the call whose method name is the `nth` occurrence of `name`.
    fn fix_call(src: &str, name: &str, family: Family, add_api_key: bool) -> String {
        let tree = parse(src);
        let start = src.find(name).unwrap();
        let fix = CallFix {
            name: start..start + name.len(),
            family,
            add_api_key: if add_api_key {
                ApiKeyArg::Variable
            } else {
                ApiKeyArg::None
            },
        };
        let edits = call_edits(src, &tree, &fix).unwrap().edits;
        apply_edits(src, &edits).unwrap()
    }

    #[test]
    fn replaces_username_in_place() {
        assert_eq!(
            fix_call(
                "pilot(username: \"x\", a: 1)\n",
                "pilot",
                Family::Other,
                true
            ),
            "pilot(api_key: api_key, a: 1)\n"
        );
        assert_eq!(
            fix_call(
                "deliver username: \"x\", force: true\n",
                "deliver",
                Family::Deliver,
                true
            ),
            "deliver api_key: api_key, precheck_include_in_app_purchases: false, force: true\n"
        );
    }

    #[test]
    fn bare_and_empty_calls() {
        assert_eq!(
            fix_call("pilot\n", "pilot", Family::Other, true),
            "pilot(api_key: api_key)\n"
        );
        assert_eq!(
            fix_call("pilot()\n", "pilot", Family::Other, true),
            "pilot(api_key: api_key)\n"
        );
        assert_eq!(
            fix_call(
                "x = latest_testflight_build_number + 1\n",
                "latest_testflight_build_number",
                Family::Other,
                true
            ),
            "x = latest_testflight_build_number(api_key: api_key) + 1\n"
        );
        assert_eq!(
            fix_call("pilot do\nend\n", "pilot", Family::Other, true),
            "pilot(api_key: api_key) do\nend\n"
        );
    }

    #[test]
    fn removes_username_with_one_separator() {
        let f = |s| fix_call(s, "pilot", Family::Other, false);
        assert_eq!(f("pilot(username: \"x\")\n"), "pilot()\n");
        assert_eq!(f("pilot(username: \"x\" ,)\n"), "pilot()\n");
        assert_eq!(f("pilot(a: 1, username: \"x\",)\n"), "pilot(a: 1,)\n");
        assert_eq!(f("pilot username: \"x\"\n"), "pilot\n");
        assert_eq!(f("pilot(username: \"x\", a: 1)\n"), "pilot(a: 1)\n");
        assert_eq!(
            f("pilot(a: 1, username: \"x\", b: 2)\n"),
            "pilot(a: 1, b: 2)\n"
        );
        assert_eq!(f("pilot(a: 1, username: \"x\")\n"), "pilot(a: 1)\n");
        assert_eq!(
            f("pilot(\n  a: 1,\n  username: \"x\", # me\n  b: 2\n)\n"),
            "pilot(\n  a: 1,\n  b: 2\n)\n"
        );
        assert_eq!(
            f("pilot(a: 1, # c\n  username: \"x\")\n"),
            "pilot(a: 1 # c\n  )\n"
        );
        assert_eq!(f("pilot({ username: \"x\" })\n"), "pilot({  })\n");
    }

    #[test]
    fn removal_keeps_the_next_line_an_argument() {
        let f = |s| fix_call(s, "pilot", Family::Other, false);
        // Without brackets the next option must come up onto the call's line.
        assert_eq!(
            f("pilot username: \"x\",\n      skip: true\n"),
            "pilot skip: true\n"
        );
        assert_eq!(
            f("pilot(username: \"x\",\n      skip: true)\n"),
            "pilot(skip: true)\n"
        );
        assert_eq!(
            f("pilot({ username: \"x\",\n        a: 1 })\n"),
            "pilot({ a: 1 })\n"
        );
        assert_eq!(
            f("pilot(a: 1, username: \"x\",\n      skip: true)\n"),
            "pilot(a: 1,\n      skip: true)\n"
        );
        assert_eq!(
            f("pilot a: 1, username: \"x\",\r\n      skip: true\r\n"),
            "pilot a: 1,\r\n      skip: true\r\n"
        );
        // A comment after the comma stays where it is, but for a call without brackets, which
        // it would end.
        assert_eq!(
            f("pilot(username: \"x\", # me\n      skip: true)\n"),
            "pilot(# me\n      skip: true)\n"
        );
        assert_eq!(
            f("pilot username: \"x\", # me\n      skip: true\n"),
            "pilot skip: true\n"
        );
        assert_eq!(
            f("pilot a: 1, username: \"x\", # me\n      skip: true\n"),
            "pilot a: 1, # me\n      skip: true\n"
        );
    }

    #[test]
    fn a_comment_on_the_username_line_goes_with_it() {
        let key = |s| fix_call(s, "pilot", Family::Other, true);
        // The pair alone on its line: its comment describes the Apple ID.
        assert_eq!(
            key("pilot(\n  username: \"x\", # the release manager\n  a: 1\n)\n"),
            "pilot(\n  api_key: api_key,\n  a: 1\n)\n"
        );
        assert_eq!(
            key("pilot(\n  a: 1,\n  username: \"x\" # the release manager\n)\n"),
            "pilot(\n  a: 1,\n  api_key: api_key\n)\n"
        );
        assert_eq!(
            key("pilot(\r\n  username: \"x\",\t# me\r\n  a: 1\r\n)\r\n"),
            "pilot(\r\n  api_key: api_key,\r\n  a: 1\r\n)\r\n"
        );
        // Sharing its line with other options or a bracket: the comment is about more than it.
        assert_eq!(
            key("pilot(username: \"x\", a: 1) # ship it\n"),
            "pilot(api_key: api_key, a: 1) # ship it\n"
        );
        assert_eq!(
            key("pilot(\n  username: \"x\", a: 1, # both\n  b: 2\n)\n"),
            "pilot(\n  api_key: api_key, a: 1, # both\n  b: 2\n)\n"
        );
        assert_eq!(
            key("pilot(username: \"x\", # me\n  a: 1)\n"),
            "pilot(api_key: api_key, # me\n  a: 1)\n"
        );
        // Without a comment nothing else changes.
        assert_eq!(
            key("pilot(\n  username: \"x\",   \n  a: 1\n)\n"),
            "pilot(\n  api_key: api_key,   \n  a: 1\n)\n"
        );
    }

    #[test]
    fn multi_line_insertions_follow_the_layout() {
        assert_eq!(
            fix_call(
                "match(\n    type: \"appstore\"\n)\n",
                "match",
                Family::Other,
                true
            ),
            "match(\n    api_key: api_key,\n    type: \"appstore\"\n)\n"
        );
        assert_eq!(
            fix_call("deliver(\r\n  username: \"x\",\r\n)\r\n", "deliver", Family::Deliver, true),
            "deliver(\r\n  api_key: api_key,\r\n  precheck_include_in_app_purchases: false,\r\n)\r\n"
        );
    }

    #[test]
    fn hash_variables_lose_username_only() {
        let src = "lane :a do\n  o = { a: 1, username: \"x\" }\n  pilot(o)\nend\n";
        assert_eq!(
            fix_call(src, "pilot", Family::Other, true),
            "lane :a do\n  o = { a: 1 }\n  pilot(o)\nend\n"
        );
        let src = "lane :a do\n  match(**o)\nend\n";
        assert_eq!(fix_call(src, "match", Family::Other, true), src);
    }

    /// The edits and note for the first call named `name`.
    fn fix_deliver(src: &str, name: &str) -> (String, Option<String>) {
        let tree = parse(src);
        let start = src.find(&format!("{name}(")).unwrap();
        let fix = CallFix {
            name: start..start + name.len(),
            family: Family::of_action(name),
            add_api_key: ApiKeyArg::None,
        };
        let out = call_edits(src, &tree, &fix).unwrap();
        (
            apply_edits(src, &out.edits).unwrap(),
            out.by_hand.map(|n| n.what),
        )
    }

    #[test]
    fn hash_variables_get_the_in_app_purchase_option() {
        let (out, note) = fix_deliver(
            "lane :a do\n  o = { force: true }\n  deliver(o)\nend\n",
            "deliver",
        );
        assert_eq!(
            out,
            "lane :a do\n  o = { precheck_include_in_app_purchases: false, force: true }\n  deliver(o)\nend\n"
        );
        assert_eq!(note, None);
        // In place of `username:`, one per line, in an empty hash, through `**`.
        let (out, _) = fix_deliver(
            "lane :a do\n  o = {\n    username: \"x\", # me\n    force: true,\n  }\n  appstore(**o)\nend\n",
            "appstore",
        );
        assert_eq!(
            out,
            "lane :a do\n  o = {\n    precheck_include_in_app_purchases: false,\n    force: true,\n  }\n  appstore(**o)\nend\n"
        );
        let (out, _) = fix_deliver("lane :a do\n  o = {}\n  precheck(o)\nend\n", "precheck");
        assert_eq!(
            out,
            "lane :a do\n  o = { include_in_app_purchases: false }\n  precheck(o)\nend\n"
        );
        // Already there, in the hash or in the call.
        let src = "lane :a do\n  o = { run_precheck_before_submit: false }\n  deliver(o)\nend\n";
        assert_eq!(fix_deliver(src, "deliver"), (src.to_string(), None));
        let src = "lane :a do\n  o = { force: true }\n  deliver(**o, precheck_include_in_app_purchases: true)\nend\n";
        assert_eq!(fix_deliver(src, "deliver"), (src.to_string(), None));
        // Changed in place and used inside a block of the lane: still followed.
        let (out, note) = fix_deliver(
            "lane :a do\n  o = { a: 1 }\n  o[:b] = 2\n  o.merge!(c: 3)\n  [1].each do |i|\n    deliver(o)\n  end\nend\n",
            "deliver",
        );
        assert!(
            out.contains("o = { precheck_include_in_app_purchases: false, a: 1 }"),
            "{out}"
        );
        assert_eq!(note, None);
    }

    #[test]
    fn hashes_that_cannot_be_followed_are_named() {
        let cases = [
            (
                "lane :a do |options|\n  deliver(options)\nend\n",
                "in `deliver(options)` (`options` is not a hash literal assigned in the same lane or method)",
            ),
            ("def up(o)\n  deliver(o)\nend\n", "`o` is not a hash literal"),
            (
                "lane :a do\n  o = { a: 1 }\n  o = { a: 2 } if x\n  deliver(o)\nend\n",
                "`o` is assigned more than once",
            ),
            (
                "lane :a do\n  o = { a: 1 }\n  deliver(o)\n  pilot(o)\nend\n",
                "`o` is also used for something else",
            ),
            (
                "lane :a do\n  o = { a: 1 }\n  [o].each do |o|\n    deliver(o)\n  end\nend\n",
                "`o` is not a hash literal",
            ),
            (
                "lane :a do\n  o = base.merge(a: 1)\n  deliver(o)\nend\n",
                "`o` is not a hash literal",
            ),
            ("lane :a do\n  deliver(*o)\nend\n", "`o` is not a hash variable"),
            (
                "lane :a do\n  deliver(base.merge(a: 1))\nend\n",
                "in `deliver(base.merge(a: 1))` (its options come from an expression)",
            ),
        ];
        for (src, why) in cases {
            let (out, note) = fix_deliver(src, "deliver");
            assert_eq!(out, src);
            let note = note.unwrap_or_default();
            assert!(
                note.contains("precheck_include_in_app_purchases: false"),
                "{note}"
            );
            assert!(note.contains(why), "{src}: {note}");
        }
        // Nothing goes in front of a positional argument, with or without the key.
        let src = "deliver(options, username: \"x\")\n";
        assert_eq!(
            fix_call(src, "deliver", Family::Deliver, true),
            "deliver(options)\n"
        );
        let src = "pilot(OPTIONS)\n";
        assert_eq!(fix_call(src, "pilot", Family::Other, true), src);
    }

    #[test]
    fn outer_api_key_variables_are_seen() {
        let seen = |src: &str| {
            let tree = parse(src);
            let at = src
                .find("lane :b")
                .or_else(|| src.find("before_all"))
                .unwrap();
            outer_scope_assigns_api_key(src, &tree, at)
        };
        assert!(seen("api_key = \"x\"\nlane :b do\n  pilot\nend\n"));
        assert!(seen(
            "platform :ios do\n  api_key = ENV[\"K\"]\n  before_all do\n    pilot\n  end\nend\n"
        ));
        assert!(!seen("lane :b do\n  pilot\nend\napi_key = \"x\"\n"));
        assert!(!seen(
            "lane :a do\n  api_key = \"x\"\nend\nlane :b do\n  pilot\nend\n"
        ));
        assert!(!seen(
            "def k\n  api_key = \"x\"\nend\nlane :b do\n  pilot\nend\n"
        ));
        assert!(!seen(
            "api_key = app_store_connect_api_key(key_id: \"x\")\nlane :b do\n  pilot\nend\n"
        ));
        assert!(seen("a, api_key = 1, 2\nlane :b do\n  pilot\nend\n"));
        assert!(seen("api_key||=1\nlane :b do\n  pilot\nend\n"));
    }

    #[test]
    fn api_key_words_are_told_from_longer_names_and_labels() {
        assert!(has_api_key_word("api_key = 1"));
        assert!(has_api_key_word("x(api_key)"));
        assert!(has_api_key_word("a,api_key=1"));
        assert!(!has_api_key_word("app_store_connect_api_key(key_id: 1)"));
        assert!(!has_api_key_word("pilot(api_key: k, api_key_path: p)"));
        assert!(!has_api_key_word(
            "api_keys = 1; my_api_key = 2; api_keyé = 3"
        ));
    }

    #[test]
    fn deliver_and_precheck_options() {
        assert_eq!(
            fix_call(
                "deliver(run_precheck_before_submit: false)\n",
                "deliver",
                Family::Deliver,
                true
            ),
            "deliver(api_key: api_key, run_precheck_before_submit: false)\n"
        );
        assert_eq!(
            fix_call(
                "precheck(include_in_app_purchases: true)\n",
                "precheck",
                Family::Precheck,
                true
            ),
            "precheck(api_key: api_key, include_in_app_purchases: true)\n"
        );
        assert_eq!(
            fix_call("precheck\n", "precheck", Family::Precheck, false),
            "precheck(include_in_app_purchases: false)\n"
        );
    }

    #[test]
    fn key_block_goes_after_parameters_over_two_lines() {
        let src = "lane :beta do |lane,\n    options|\n  pilot\nend\n";
        let tree = parse(src);
        let edits = lane_edit(src, &tree, 0, KeySource::File, KeyBlockForm::Variable).unwrap();
        let out = apply_edits(src, &edits).unwrap();
        assert!(out.starts_with(
            "lane :beta do |lane,\n    options|\n  api_key = app_store_connect_api_key(\n"
        ));
        assert!(!parse(&out).root_node().has_error());
    }

    #[test]
    fn key_block_goes_after_the_do_line() {
        let src = "platform :ios do\n\tlane :b do |o| # hi\n\t\tpilot\n\tend\nend";
        let tree = parse(src);
        let at = src.find("lane").unwrap();
        let edits = lane_edit(src, &tree, at, KeySource::Content, KeyBlockForm::Variable).unwrap();
        let out = apply_edits(src, &edits).unwrap();
        assert_eq!(
            out,
            "platform :ios do\n\tlane :b do |o| # hi\n\t\tapi_key = app_store_connect_api_key(\n\t\t\tkey_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],\n\t\t\tissuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],\n\t\t\tkey_content: ENV[\"APP_STORE_CONNECT_API_KEY_KEY\"],\n\t\t\tis_key_content_base64: true\n\t\t)\n\t\tpilot\n\tend\nend"
        );
    }

    #[test]
    fn empty_and_one_line_lanes() {
        let src = "  lane :b do\n  end\n";
        let tree = parse(src);
        let edits = lane_edit(src, &tree, 2, KeySource::File, KeyBlockForm::Variable).unwrap();
        assert!(edits[0].replacement.starts_with("    api_key = "));
    }

    #[test]
    fn one_line_bodies_are_spread_over_lines() {
        let block = |indent: &str| {
            format!(
                "{indent}app_store_connect_api_key(\n{indent}  key_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],\n{indent}  issuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],\n{indent}  key_filepath: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH\"]\n{indent})\n"
            )
        };
        let spread = |src: &str, at: usize| {
            let tree = parse(src);
            lane_edit(src, &tree, at, KeySource::File, KeyBlockForm::Bare)
                .map(|edits| apply_edits(src, &edits).unwrap())
        };
        assert_eq!(
            spread("lane :b do pilot end\n", 0).unwrap(),
            format!("lane :b do\n{}  pilot\nend\n", block("  "))
        );
        assert_eq!(
            spread("platform :ios do\n  before_each { |l| gym; sigh(adhoc: true) } # hooks\nend\n", 19)
                .unwrap(),
            format!(
                "platform :ios do\n  before_each {{ |l|\n{}    gym; sigh(adhoc: true)\n  }} # hooks\nend\n",
                block("    ")
            )
        );
        // A body that goes on over more lines keeps its `end` where it is.
        assert_eq!(
            spread("lane :b do\rpilot(\n  a: 1\n)\nend\n", 0).unwrap(),
            format!("lane :b do\n{}  pilot(\n  a: 1\n)\nend\n", block("  "))
        );
        assert_eq!(
            spread("lane :b do pilot end", 0).unwrap(),
            format!("lane :b do\n{}  pilot\nend", block("  "))
        );
        assert_eq!(
            spread(
                "lane :b do\r\n  x = 1\r\nend\r\nlane :c do pilot end\r\n",
                26
            )
            .unwrap(),
            "lane :b do\r\n  x = 1\r\nend\r\nlane :c do\r\n".to_string()
                + &block("  ").replace('\n', "\r\n")
                + "  pilot\r\nend\r\n"
        );
        // A heredoc in a one-line body: left for a hand edit.
        let src = "lane :b do sh(<<~X) end\necho\nX\n";
        let tree = parse(src);
        assert_eq!(
            lane_edit(src, &tree, 0, KeySource::File, KeyBlockForm::Variable),
            Err(Skipped::OneLineLane { at: 0 })
        );
    }
}
