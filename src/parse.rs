//! tree-sitter parsing: one parser per thread and the Ruby language. What extraction reads of the
//! tree is named by `queries/ruby.scm`, compiled once per process by [`crate::query`].

use std::cell::RefCell;

use foldhash::{HashMap, HashSet};
use tree_sitter::{InputEdit, Language, Node, Parser, Point, Tree};

/// The Ruby grammar, loaded once: node kind names borrowed from it live as long as the process.
pub fn language() -> &'static Language {
    static RUBY: std::sync::LazyLock<Language> =
        std::sync::LazyLock::new(|| tree_sitter_ruby::LANGUAGE.into());
    &RUBY
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(language())
            .expect("the Ruby grammar matches the tree-sitter version");
        parser
    });
}

/// A leading UTF-8 byte order mark, which Ruby ignores and tree-sitter would not.
const BOM: &str = "\u{feff}";

/// The longest heredoc word tree-sitter-ruby 0.23 can carry between tokens: its scanner stores the
/// word's length in one byte and aborts the process on a longer one.
const MAX_HEREDOC_WORD: usize = 255;

/// Where `text` has a `<<` from which tree-sitter-ruby's scanner, if it read a heredoc's start
/// there, would take a word too long for it: the offset of the `<<` and the word's length. The
/// scanner takes a quoted word up to its closing quote, across lines.
fn long_heredoc_words(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("<<").map(|i| from + i) {
        let after = text[i + 2..].trim_start_matches(['~', '-']);
        let len = match after.chars().next() {
            Some(q @ ('\'' | '"' | '`')) => after[1..].chars().take_while(|c| *c != q).count(),
            _ => after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .count(),
        };
        if len > MAX_HEREDOC_WORD - 5 {
            found.push((i, len));
        }
        from = i + 1;
    }
    found
}

/// Node kinds whose text the parser reads as plain text: a `<<` in them starts no heredoc.
const TEXT_KINDS: &[&str] = &[
    "comment",
    "string_content",
    "heredoc_content",
    "uninterpreted",
];

/// Parses `text` when its only `<<`s followed by words too long for the parser are in comments
/// and strings. It parses a copy with each such `<<` broken (`< `): that changes the text of a
/// comment or string, not how the file parses, so the tree is the one `text` gives, and the
/// parser never sees the long word. Else the first `<<` in code, with its word's length.
fn parse_around_long_words(text: &str, long: &[(usize, usize)]) -> Result<Tree, (usize, usize)> {
    let mut copy = text.as_bytes().to_vec();
    for &(at, _) in long {
        copy[at + 1] = b' ';
    }
    // Only an ASCII `<` became a space: the copy is as valid UTF-8 as the text.
    let copy = String::from_utf8(copy).map_err(|_| long[0])?;
    let tree = parse_plain(&copy, None).ok_or(long[0])?;
    // Which of the positions lie in a comment or a string: one walk, entering only the nodes
    // that hold one.
    let mut in_text = vec![false; long.len()];
    let first_at = |offset: usize| long.partition_point(|&(at, _)| at < offset);
    walk_where(&tree, |node| {
        let (from, to) = (first_at(node.start_byte()), first_at(node.end_byte()));
        if from == to {
            return false;
        }
        if TEXT_KINDS.contains(&node.kind()) {
            for (i, (at, _)) in long.iter().enumerate().take(to).skip(from) {
                in_text[i] = at + 2 <= node.end_byte();
            }
            return false;
        }
        true
    });
    match in_text.iter().position(|t| !t) {
        Some(i) => Err(long[i]),
        None => Ok(tree),
    }
}

/// Why `text` cannot be given to the Ruby parser safely, if it cannot: a heredoc's word, in the
/// code, too long for tree-sitter-ruby. Parses only when the text has such a word somewhere.
pub fn unsupported(text: &str) -> Option<String> {
    let long = long_heredoc_words(text);
    if long.is_empty() {
        return None;
    }
    let (at, len) = parse_around_long_words(text, &long).err()?;
    Some(refusal(text, at, len))
}

/// Parses Ruby text as [`parse_ruby`] does, or says why it cannot be given to the parser (see
/// [`unsupported`]): one parse either way.
pub fn parse_or_refuse(text: &str) -> Result<Tree, String> {
    let long = long_heredoc_words(text);
    if long.is_empty() {
        return parse_plain(text, None)
            .ok_or_else(|| "the Ruby parser gave no tree; the file was not analysed".to_string());
    }
    parse_around_long_words(text, &long).map_err(|(at, len)| refusal(text, at, len))
}

/// What a heredoc word of `len` characters at `at` in the code makes of the file.
fn refusal(text: &str, at: usize, len: usize) -> String {
    let line = text[..at].matches('\n').count() + 1;
    format!(
        "line {line}: a heredoc delimiter of {len} characters is longer than the Ruby parser supports ({} at most); the file was not analysed",
        MAX_HEREDOC_WORD - 5
    )
}

/// Parses Ruby text. A leading byte order mark is read as blanks, so byte offsets stay those of `text`.
/// Returns `None` for text the parser cannot take (see [`unsupported`]).
pub fn parse_ruby(text: &str) -> Option<Tree> {
    parse_with(text, None)
}

/// Parses Ruby text that was edited since `old` was parsed from it, reusing what the edits did
/// not touch. `old` must have been told of every edit ([`Tree::edit`]); the result is the tree
/// [`parse_ruby`] gives.
pub fn reparse_ruby(text: &str, old: &Tree) -> Option<Tree> {
    parse_with(text, Some(old))
}

fn parse_with(text: &str, old: Option<&Tree>) -> Option<Tree> {
    let long = long_heredoc_words(text);
    if !long.is_empty() {
        return parse_around_long_words(text, &long).ok();
    }
    parse_plain(text, old)
}

/// Parses text that has no heredoc word too long for the parser.
fn parse_plain(text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        if let Some(rest) = text.strip_prefix(BOM) {
            let mut blanked = String::with_capacity(text.len());
            blanked.push_str("   ");
            blanked.push_str(rest);
            parser.parse(&blanked, old)
        } else {
            parser.parse(text, old)
        }
    })
}

/// The edit that replaces bytes `start..old_end` (at rows and columns `start_at` and `old_end_at`)
/// with `inserted`, as [`Tree::edit`] takes it before an incremental re-parse.
pub fn input_edit(
    start: usize,
    old_end: usize,
    start_at: Point,
    old_end_at: Point,
    inserted: &str,
) -> InputEdit {
    let new_end_at = match inserted.rfind('\n') {
        Some(last) => Point {
            row: start_at.row + inserted.matches('\n').count(),
            column: inserted.len() - last - 1,
        },
        None => Point {
            row: start_at.row,
            column: start_at.column + inserted.len(),
        },
    };
    InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: start + inserted.len(),
        start_position: start_at,
        old_end_position: old_end_at,
        new_end_position: new_end_at,
    }
}

/// Calls `visit` on every node of `tree` (ERROR and MISSING nodes included), once each, in tree
/// order, walking with one cursor.
pub fn each_node<'t>(tree: &'t Tree, mut visit: impl FnMut(Node<'t>)) {
    walk_where(tree, |node| {
        visit(node);
        true
    });
}

/// Calls `visit` on the nodes of `tree` in tree order, walking with one cursor, and descends into
/// a node's children only when `visit` returns `true` for it.
pub fn walk_where<'t>(tree: &'t Tree, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = tree.walk();
    loop {
        if visit(cursor.node()) && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Nodes of a tree looked up by byte range, all in one walk: for each range, the deepest named
/// node spanning exactly it (what `named_descendant_for_byte_range` finds, when that node spans
/// the range exactly), and the parent of every node on the way down to one. Looking each up from
/// the root instead, and climbing with [`Node::parent`] (which walks down from the root again at
/// each step), costs time in proportion to the depth and to the siblings on the way, per range
/// and per step: calls nested thousands deep, or thousands of calls in one lane, make that
/// quadratic.
pub struct Spanning<'t> {
    found: HashMap<std::ops::Range<usize>, Node<'t>>,
    /// Node id → parent, for the nodes the walk entered or found.
    parents: HashMap<usize, Node<'t>>,
}

impl<'t> Spanning<'t> {
    /// Walks `tree` once, entering only the nodes some range starts in.
    pub fn find(tree: &'t Tree, ranges: &[std::ops::Range<usize>]) -> Self {
        let mut starts: Vec<usize> = ranges.iter().map(|r| r.start).collect();
        starts.sort_unstable();
        let wanted: HashSet<&std::ops::Range<usize>> = ranges.iter().collect();
        let mut out = Spanning {
            found: HashMap::default(),
            parents: HashMap::default(),
        };
        if ranges.is_empty() {
            return out;
        }
        // Whether some range starts inside `node` (the only nodes that can hold one).
        let holds_one = |node: Node| {
            let i = starts.partition_point(|&s| s < node.start_byte());
            starts.get(i).is_some_and(|&s| s <= node.end_byte())
        };
        let mut cursor = tree.walk();
        // The nodes above the cursor's, nearest last.
        let mut above: Vec<Node<'t>> = Vec::new();
        loop {
            let node = cursor.node();
            let found = node.is_named() && wanted.contains(&node.byte_range());
            if found {
                // A deeper node of the same range comes later and takes its place.
                out.found.insert(node.byte_range(), node);
            }
            let enter = holds_one(node);
            if let Some(&parent) = above.last().filter(|_| found || enter) {
                out.parents.insert(node.id(), parent);
            }
            if enter && cursor.goto_first_child() {
                above.push(node);
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return out;
                }
                above.pop();
            }
        }
    }

    /// The deepest named node spanning exactly `range`, if one of the ranges looked for.
    pub fn node(&self, range: &std::ops::Range<usize>) -> Option<Node<'t>> {
        self.found.get(range).copied()
    }

    /// The parent of `node`: from the walk when it passed through `node`, else
    /// [`Node::parent`].
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.parents.get(&node.id()) {
            Some(&parent) => Some(parent),
            None => node.parent(),
        }
    }
}

/// Every node of `tree`, as its kind and byte range, in tree order: what two trees of the same
/// text are compared by (fastlint reads byte offsets only, never rows and columns).
pub fn outline(tree: &Tree) -> Vec<(u16, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    each_node(tree, |node| out.push((node.kind_id(), node.byte_range())));
    out
}

/// The name of `node`'s kind, borrowed from the grammar rather than from the tree.
fn kind_name(node: Node) -> &'static str {
    language().node_kind_for_id(node.kind_id()).unwrap_or("")
}

/// Byte ranges of syntax errors: each outermost ERROR node and each MISSING node.
pub fn syntax_errors(tree: &Tree) -> Vec<std::ops::Range<usize>> {
    syntax_errors_and_missing(tree).0
}

/// [`syntax_errors`], and for each MISSING node among them where it is and the token tree-sitter
/// found missing there (`)`, `end`, `|`), in tree order: one walk for both.
pub fn syntax_errors_and_missing(
    tree: &Tree,
) -> (Vec<std::ops::Range<usize>>, Vec<(usize, &'static str)>) {
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    if !tree.root_node().has_error() {
        return (errors, missing);
    }
    // Only subtrees that hold an error are entered.
    walk_where(tree, |node| {
        if node.is_error() || node.is_missing() {
            errors.push(node.start_byte()..node.end_byte());
            if node.is_missing() {
                missing.push((node.start_byte(), kind_name(node)));
            }
            false
        } else {
            node.has_error()
        }
    });
    (errors, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanning_finds_what_a_lookup_from_the_root_finds() {
        let text = concat!(
            include_str!("../fixtures/check/aliases/fastlane/Fastfile"),
            "lane :deep do\n  pilot(pilot(username: ((\"u\")), o: {a: {b: [1, 2]}}))\n",
            "  x = -> { deliver(username: ENV[\"U\"]) }\nend\n",
            "lane :broken do\n  pilot(\nend\n",
        );
        let tree = parse_ruby(text).unwrap();
        // Every node's range (named or not), and ranges no node spans.
        let mut ranges: Vec<std::ops::Range<usize>> =
            outline(&tree).into_iter().map(|o| o.1).collect();
        ranges.extend(
            (0..text.len())
                .step_by(7)
                .map(|i| i..(i + 5).min(text.len())),
        );
        ranges.extend((0..text.len()).step_by(11).map(|i| i..i));
        let found = Spanning::find(&tree, &ranges);
        let mut hits = 0;
        for range in &ranges {
            let expected = tree
                .root_node()
                .named_descendant_for_byte_range(range.start, range.end)
                .filter(|n| n.byte_range() == *range);
            assert_eq!(found.node(range), expected, "{range:?}");
            hits += usize::from(expected.is_some());
            // Climbing from it gives the nodes `Node::parent` gives.
            let mut up = expected;
            while let Some(n) = up {
                assert_eq!(found.parent(n), n.parent(), "{range:?}");
                up = found.parent(n);
            }
        }
        assert!(found.parents.len() > 300, "{}", found.parents.len());
        assert!(hits > 300, "{hits}");
    }

    #[test]
    fn parses_and_finds_syntax_errors() {
        let tree = parse_ruby("lane :a do\n  pilot\nend\n").unwrap();
        assert!(syntax_errors(&tree).is_empty());
        let broken = parse_ruby("lane :a do\n  pilot(\nend\n").unwrap();
        assert!(!syntax_errors(&broken).is_empty());
    }

    #[test]
    fn overlong_heredoc_words_are_refused_not_parsed() {
        let word = "W".repeat(300);
        let text = format!("lane :a do\n  x = <<~{word}\n    hi\n  {word}\nend\n");
        assert!(unsupported(&text).unwrap().starts_with("line 2:"));
        assert!(parse_ruby(&text).is_none());
        // An append of a long string is not a heredoc.
        let append = format!("x << \"{}\"\n", "a".repeat(300));
        assert!(unsupported(&append).is_none());
        assert!(unsupported("s = <<~EOS\n  ok\nEOS\n").is_none());
        // A quoted word runs on to its closing quote, across lines: in code, refused too.
        let across = format!("x = <<~`CMD\n{}\n`\n", "a".repeat(300));
        assert!(unsupported(&across).unwrap().starts_with("line 1:"));
        assert!(parse_ruby(&across).is_none());
    }

    /// A `<<` in a comment or a string starts no heredoc, however far the next quote is: the file
    /// is parsed, to the tree it gives without that `<<`.
    #[test]
    fn a_long_word_after_a_comment_or_string_shift_is_parsed() {
        let long_word = "W".repeat(300);
        let rest = format!(
            "  x = 1 # {}\n  sh(\"fastlane pilot -u me\")\nend\n",
            "y".repeat(300)
        );
        for (with, without) in [
            (
                "# `<<` adds to a command".to_string(),
                "# `< ` adds to a command".to_string(),
            ),
            ("puts \"<<'\" # shown".into(), "puts \"< '\" # shown".into()),
            (
                format!("s = \"a <<{long_word}\""),
                format!("s = \"a < {long_word}\""),
            ),
        ] {
            let long = format!("lane :a do\n  {with}\n{rest}");
            let short = format!("lane :a do\n  {without}\n{rest}");
            assert!(!long_heredoc_words(&long).is_empty(), "{long}");
            assert!(long_heredoc_words(&short).is_empty(), "{short}");
            assert!(unsupported(&long).is_none(), "{long}");
            let (a, b) = (parse_ruby(&long).unwrap(), parse_ruby(&short).unwrap());
            assert_eq!(a.root_node().to_sexp(), b.root_node().to_sexp(), "{long}");
            assert!(syntax_errors(&a).is_empty(), "{long}");
        }
    }

    #[test]
    fn bom_keeps_offsets() {
        let text = "\u{feff}pilot\n";
        let tree = parse_ruby(text).unwrap();
        assert!(syntax_errors(&tree).is_empty());
        assert_eq!(tree.root_node().child(0).unwrap().start_byte(), 3);
    }
}
