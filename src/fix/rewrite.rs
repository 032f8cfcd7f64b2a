//! Turning "migrate this lane / this call" into byte-range [`Edit`]s.
//!
//! This layer only knows Ruby syntax (a tree-sitter tree over the source) and the
//! rules of `--fix`; which lanes and calls to migrate is decided from the project
//! model by [`super::plan`].

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::edit::Edit;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// deliver / upload_to_app_store / appstore: `precheck_include_in_app_purchases: false`.
    Deliver,
    /// precheck / check_app_store_metadata: `include_in_app_purchases: false`.
    Precheck,
    /// Every other key-capable action.
    Other,
}

/// Migrate one action call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFix {
    /// Byte range of the call's method name.
    pub name: Range<usize>,
    pub family: Family,
    /// Pass `api_key: api_key` (the lane holding the call received the key block).
    pub add_api_key: bool,
}

/// Why a requested change was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// `lane :x do pilot end`: a lane written on one line is left alone.
    OneLineLane { at: usize },
    /// The lane's block could not be found at that offset.
    LaneNotFound { at: usize },
    /// No call with that method name range.
    CallNotFound { at: usize },
}

const USERNAME: &str = "username";

/// The text of the key block for a lane body indented with `indent`.
pub fn key_block(indent: &str, unit: &str, eol: &str, source: KeySource) -> String {
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
    let mut out = format!("{indent}api_key = app_store_connect_api_key({eol}");
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

/// The line ending used by the line holding `at`.
fn eol_at(src: &str, at: usize) -> &'static str {
    let end = line_end_incl(src, at);
    if end >= 2 && src.as_bytes()[end - 1] == b'\n' && src.as_bytes()[end - 2] == b'\r' {
        "\r\n"
    } else {
        "\n"
    }
}

fn text<'s>(src: &'s str, node: Node) -> &'s str {
    &src[node.byte_range()]
}

/// Named children that are not comments.
fn args_of(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment" && c.kind() != "heredoc_body")
        .collect()
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

/// The edits for one call (and, for `pilot(opts)`, for the hash literal `opts`).
pub fn call_edits(src: &str, tree: &Tree, fix: &CallFix) -> Result<Vec<Edit>, Skipped> {
    let root = tree.root_node();
    let not_found = Skipped::CallNotFound { at: fix.name.start };
    let name = root
        .named_descendant_for_byte_range(fix.name.start, fix.name.end)
        .filter(|n| n.byte_range() == fix.name)
        .ok_or(not_found.clone())?;
    let call = name
        .parent()
        .filter(|p| p.kind() == "call" && p.child_by_field_name("method") == Some(name));
    let arg_list = call.and_then(|c| c.child_by_field_name("arguments"));

    let Some(arg_list) = arg_list else {
        // `pilot`, `pilot do ... end`, `latest_testflight_build_number + 1`.
        let added = added_options(src, &[], fix);
        if added.is_empty() {
            return Ok(Vec::new());
        }
        return Ok(vec![Edit::insert(
            name.end_byte(),
            format!("({})", added.join(", ")),
        )]);
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

    if let Some(first) = container.args.first() {
        if container.node.kind() == "argument_list"
            && matches!(
                first.kind(),
                "identifier" | "hash_splat_argument" | "splat_argument"
            )
        {
            // `pilot(opts)` / `pilot(**opts)`: the key reaches it through lane_context;
            // drop `username:` from the literal the variable was assigned, if it is there.
            let var = if first.kind() == "identifier" {
                Some(*first)
            } else {
                first.named_child(0).filter(|n| n.kind() == "identifier")
            };
            return Ok(var
                .and_then(|v| hash_literal_for(src, call.unwrap_or(name), text(src, v)))
                .map(|hash| {
                    let c = Container {
                        node: hash,
                        args: args_of(hash),
                    };
                    match find_pair(src, &c.args, USERNAME) {
                        Some(pair) => remove_pair(src, &c, pair, name),
                        None => Vec::new(),
                    }
                })
                .unwrap_or_default());
        }
    }

    let added = added_options(src, &container.args, fix);
    if let Some(pair) = find_pair(src, &container.args, USERNAME) {
        if added.is_empty() {
            return Ok(remove_pair(src, &container, pair, name));
        }
        let sep = if first_on_line(src, pair.start_byte()) {
            format!(
                ",{}{}",
                eol_at(src, pair.start_byte()),
                line_indent(src, pair.start_byte())
            )
        } else {
            ", ".to_string()
        };
        return Ok(vec![Edit::replace(pair.byte_range(), added.join(&sep))]);
    }
    if added.is_empty() {
        return Ok(Vec::new());
    }
    match container.args.first() {
        Some(first) => {
            let sep = if first_on_line(src, first.start_byte()) {
                format!(
                    ",{}{}",
                    eol_at(src, first.start_byte()),
                    line_indent(src, first.start_byte())
                )
            } else {
                ", ".to_string()
            };
            let mut text = added.join(&sep);
            text.push_str(&sep);
            Ok(vec![Edit::insert(first.start_byte(), text)])
        }
        None => {
            // `pilot()` (or `pilot({})`): right after the opening bracket.
            let open = container.node.start_byte()
                + src[container.node.byte_range()]
                    .find(['(', '{'])
                    .map_or(0, |i| i + 1);
            Ok(vec![Edit::insert(open, added.join(", "))])
        }
    }
}

/// The options to add to a call, in order.
fn added_options(src: &str, args: &[Node], fix: &CallFix) -> Vec<&'static str> {
    let mut added = Vec::new();
    if fix.add_api_key {
        added.push("api_key: api_key");
    }
    match fix.family {
        Family::Deliver => {
            let precheck_off = find_pair(src, args, "run_precheck_before_submit")
                .and_then(|p| p.child_by_field_name("value"))
                .is_some_and(|v| v.kind() == "false");
            if !precheck_off && find_pair(src, args, "precheck_include_in_app_purchases").is_none()
            {
                added.push("precheck_include_in_app_purchases: false");
            }
        }
        Family::Precheck => {
            if find_pair(src, args, "include_in_app_purchases").is_none() {
                added.push("include_in_app_purchases: false");
            }
        }
        Family::Other => {}
    }
    added
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
    let ls = line_start(src, start);
    let le = line_end_incl(src, end);
    let rest = src[end..le].trim_end_matches(['\n', '\r']);
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix(',')
        .unwrap_or(rest)
        .trim_start_matches([' ', '\t']);
    if first_on_line(src, start) && (rest.is_empty() || rest.starts_with('#')) {
        // Keep the line if the container's closing bracket or the first argument's
        // opening bracket shares it (then it is not alone).
        let bracket_after = c.node.end_byte() <= le && c.node.end_byte() > end;
        let bracket_before = c.node.start_byte() >= ls && c.node.start_byte() < start;
        if !bracket_after && !bracket_before {
            return vec![Edit::delete(ls..le)];
        }
    }

    if let Some(next) = c.args.get(idx + 1) {
        // `pair, next`: the `,` and the spaces after it.
        let between = &src[end..next.start_byte()];
        let comma = between.find(',');
        if let Some(comma) = comma {
            let after = &between[comma + 1..];
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
        vec![Edit::delete(start..end)]
    } else {
        // `pilot username: "x"` → `pilot`
        vec![Edit::delete(method.end_byte()..end)]
    }
}

/// The hash literal last assigned to `var` before `at` in the enclosing lane or method.
fn hash_literal_for<'t>(src: &str, at: Node<'t>, var: &str) -> Option<Node<'t>> {
    // The enclosing `do_block`/`block`/`method` body.
    let mut scope = at.parent();
    while let Some(s) = scope {
        if matches!(
            s.kind(),
            "do_block" | "block" | "method" | "singleton_method"
        ) {
            break;
        }
        scope = s.parent();
    }
    let scope = scope?;
    let mut found = None;
    let mut stack = vec![scope];
    while let Some(node) = stack.pop() {
        if node.start_byte() >= at.start_byte() {
            continue;
        }
        if node.kind() == "assignment" {
            let left = node.child_by_field_name("left");
            let right = node.child_by_field_name("right");
            if let (Some(l), Some(r)) = (left, right) {
                if l.kind() == "identifier" && text(src, l) == var && r.kind() == "hash" {
                    let later = found.is_none_or(|f: Node| f.start_byte() < r.start_byte());
                    if later {
                        found = Some(r);
                    }
                }
            }
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            // Do not look into nested methods.
            if child.kind() != "method" {
                stack.push(child);
            }
        }
    }
    found
}

/// Whether the lane whose call starts at `at` already uses a variable named `api_key` for
/// something other than `app_store_connect_api_key(...)` (or takes it as a block parameter):
/// inserting the key block there would pass the wrong value.
pub fn lane_reuses_api_key_name(src: &str, tree: &Tree, at: usize) -> bool {
    let Some(block) = lane_block(tree, at) else {
        return false;
    };
    let mut stack = vec![block];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "assignment" | "operator_assignment" => {
                let left = node.child_by_field_name("left");
                if left.is_some_and(|l| l.kind() == "identifier" && text(src, l) == "api_key") {
                    let right = node.child_by_field_name("right");
                    let is_key_call = node.kind() == "assignment"
                        && right.is_some_and(|r| {
                            r.kind() == "call"
                                && r.child_by_field_name("receiver").is_none()
                                && r.child_by_field_name("method")
                                    .is_some_and(|m| text(src, m) == "app_store_connect_api_key")
                        });
                    if !is_key_call {
                        return true;
                    }
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

/// The key-block insertion for the lane whose `lane`/`private_lane` call starts at `at`.
pub fn lane_edit(
    src: &str,
    tree: &Tree,
    at: usize,
    key_source: KeySource,
) -> Result<Edit, Skipped> {
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
    let insert_at = line_end_incl(src, opener.end_byte());
    let body = block.child_by_field_name("body");
    if insert_at >= block.end_byte() || !src[..insert_at].ends_with('\n') {
        return Err(Skipped::OneLineLane { at });
    }
    let first_stmt = body.and_then(|b| args_of(b).into_iter().next());
    let lane_indent = line_indent(src, call.start_byte());
    let (indent, unit) = match first_stmt {
        Some(stmt) => {
            let indent = line_indent(src, stmt.start_byte()).to_string();
            let unit = if indent.contains('\t') { "\t" } else { "  " };
            (indent, unit)
        }
        None => {
            let unit = if lane_indent.contains('\t') {
                "\t"
            } else {
                "  "
            };
            (format!("{lane_indent}{unit}"), unit)
        }
    };
    let eol = eol_at(src, opener.end_byte());
    Ok(Edit::insert(
        insert_at,
        key_block(&indent, unit, eol, key_source),
    ))
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
            add_api_key,
        };
        let edits = call_edits(src, &tree, &fix).unwrap();
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
    fn key_block_goes_after_the_do_line() {
        let src = "platform :ios do\n\tlane :b do |o| # hi\n\t\tpilot\n\tend\nend";
        let tree = parse(src);
        let at = src.find("lane").unwrap();
        let edit = lane_edit(src, &tree, at, KeySource::Content).unwrap();
        let out = apply_edits(src, &[edit]).unwrap();
        assert_eq!(
            out,
            "platform :ios do\n\tlane :b do |o| # hi\n\t\tapi_key = app_store_connect_api_key(\n\t\t\tkey_id: ENV[\"APP_STORE_CONNECT_API_KEY_KEY_ID\"],\n\t\t\tissuer_id: ENV[\"APP_STORE_CONNECT_API_KEY_ISSUER_ID\"],\n\t\t\tkey_content: ENV[\"APP_STORE_CONNECT_API_KEY_KEY\"],\n\t\t\tis_key_content_base64: true\n\t\t)\n\t\tpilot\n\tend\nend"
        );
    }

    #[test]
    fn empty_and_one_line_lanes() {
        let src = "  lane :b do\n  end\n";
        let tree = parse(src);
        let edit = lane_edit(src, &tree, 2, KeySource::File).unwrap();
        assert!(edit.replacement.starts_with("    api_key = "));
        let src = "lane :b do pilot end\n";
        let tree = parse(src);
        assert_eq!(
            lane_edit(src, &tree, 0, KeySource::File),
            Err(Skipped::OneLineLane { at: 0 })
        );
    }
}
