//! What most likely broke a Ruby file that does not parse: a block whose `end` is missing, a
//! bracket never closed, a string whose closing quote is missing (or a quote one too many), a
//! typographic quote where a straight one belongs.
//!
//! tree-sitter recovers from a missing `end` by wrapping everything from the unclosed block to
//! the end of the file in one error node, so "a syntax error from line 1 to line 40" is all it
//! tells. Ruby's own message is no better (`unexpected end-of-input, expecting 'end'`, at the last
//! line). The cause is found from the tokens that open and close things, with the indentation a
//! person wrote them with, as Ruby's `-w` "mismatched indentations" warning does:
//!
//! - an `end` indented less than the line that opened its block most likely belongs to an outer
//!   block, and the block it closes is the one missing its own `end`;
//! - an `end` (or the end of the file) met while a `(`, `[` or `{` is open means that bracket was
//!   never closed;
//! - with nothing mismatched, the innermost block still open at the end of the file is the one
//!   left unclosed.
//!
//! Each cause is then checked by making the repair it suggests (the `end` or the bracket put
//! where the block's body or the bracket's line stops) and parsing the result: a cause is kept
//! only if that mends the file where it was seen, and the next one is looked for in the mended
//! text, so that the blocks one lost `end` shifts are not blamed too.
//!
//! A quote askew is found from the strings that run on over lines: the first that starts before
//! the first error, and the first next to an error, are tried by closing them on their own line
//! (or, right after a bracket, by removing the quote).
//!
//! Only files whose errors run over lines, start after an odd number of quotes on their line, or
//! that hold a typographic quote are looked at; what is found is told by rule FL000 and changes
//! nothing else.

use tree_sitter::{Node, Point, Tree};

use crate::model::{FoundCause, Span, SyntaxCause};

/// Openers closed by `end`.
const BLOCK_OPENERS: &[&str] = &[
    "do", "def", "class", "module", "begin", "case", "if", "unless", "while", "until", "for",
];
/// Openers that are modifiers when they follow an expression on their line (`x if y`).
const MAYBE_MODIFIERS: &[&str] = &["if", "unless", "while", "until"];
/// Loops whose optional `do` on the same line opens nothing of its own.
const LOOPS: &[&str] = &["while", "until", "for"];
/// A repair tried is a parse of the file: the search ends at the first lead that does not mend
/// it, and after this many causes.
const MAX_CAUSES: usize = 5;
/// Files with more errors than this are not searched for causes.
const MAX_ERRORS: usize = 32;
/// Strings over lines the token walk keeps, as leads for a quote left open.
const MAX_STRINGS: usize = 16;
/// Quotes a text editor or a chat program puts in place of `"` and `'`.
const TYPOGRAPHIC_QUOTES: &[char] = &['“', '”', '„', '‘', '’', '‚', '«', '»'];

/// The most likely causes of `tree`'s syntax errors (`errors`: tree-sitter's, and the closing
/// keywords standing alone that the model adds) that are recognised, in source order; none for a
/// tree without errors.
///
/// Each cause is checked by making its repair (adding the `end` or the bracket, dropping the
/// stray bracket) and parsing the result: one that does not mend the file there is dropped.
pub fn causes(tree: &Tree, src: &str, errors: &[Span]) -> Vec<FoundCause> {
    // An error within one line already shows where it is; a cause is looked for where an error
    // runs over lines (what a missing `end` or bracket does), where a quote may have been left
    // open, or where a typographic quote may be.
    let spread = errors.iter().any(|e| src[e.start..e.end].contains('\n'));
    // A file with errors all over it has no one cause to name, and each repair tried would
    // parse it again at the cost of its errors.
    if !tree.root_node().has_error() || errors.len() > MAX_ERRORS {
        return Vec::new();
    }
    // Where every error sits on one line and no quote is askew, only the mistakes of one line
    // are looked for (a comma left out, a lane's name written as a key): the other causes show
    // as errors over lines.
    let only_on_a_line =
        !(spread || after_odd_quotes(src, errors) || src.contains(TYPOGRAPHIC_QUOTES));
    // The first round's, found once: there they tell whether to look at all.
    let mut first_leads = Some(one_line_leads(tree, src, errors));
    if only_on_a_line && first_leads.as_ref().is_some_and(Vec::is_empty) {
        return Vec::new();
    }
    let mut found = Vec::new();
    // Each repair made so far, in order, in the coordinates of the text it was made to.
    let mut made: Vec<Repair> = Vec::new();
    let mut text: Option<String> = None;
    let mut tree = tree.clone();
    let mut errors = errors.to_vec();
    let mut missed = false;
    loop {
        let now = text.as_deref().unwrap_or(src);
        let lines = Lines::new(now);
        let Scanned {
            quote,
            in_string,
            strings,
            candidates,
        } = scan(&tree, now, &lines);
        if let Some(at) = quote {
            // The line a typographic quote is on is read askew because of it: a string opened
            // before it is not closed by it, say.
            let line_end = now[at.end..].find('\n').map_or(now.len(), |i| at.end + i);
            found.push(FoundCause {
                cause: back(SyntaxCause::TypographicQuote { at }, &made),
                reach: Span::new(
                    back_at(lines.start(at.start), &made),
                    back_at(line_end, &made),
                ),
            });
            break;
        }
        let mut next = None;
        // A string a typographic quote should have closed runs on and turns what follows
        // inside out: the first lead to try.
        if let Some((at, shown_at)) = in_string {
            let ch = &now[at.start..at.end];
            let straight = if ch == "’" { "'" } else { "\"" };
            let cause = SyntaxCause::TypographicQuote { at };
            next = mends(
                now,
                &lines,
                &tree,
                cause,
                shown_at,
                &errors,
                at.start,
                at.end - at.start,
                straight,
            )
            .map(|hit| (hit, shown_at));
        }
        // A quote left open (or one too many) does the same with a straight quote: the leads
        // are the first string over lines that starts before the first error ends (what comes
        // after the quote meant to close it is where the errors start) and the first one next
        // to an error.
        let first_error_end = errors.iter().map(|e| e.end).min().unwrap_or(0);
        let before_error = strings.iter().find(|s| s.0.start <= first_error_end);
        let next_to_error = strings.iter().find(|s| s.3);
        let mut leads: Vec<_> = before_error
            .into_iter()
            .chain(next_to_error)
            .copied()
            .chain(closed_at_an_error(&tree, now, &lines, &errors))
            .collect();
        leads.sort_by_key(|s| s.0.start);
        leads.dedup_by_key(|s| s.0);
        for &(open, runs_to, shown_at, _) in &leads {
            if next.is_some() || only_on_a_line {
                break;
            }
            let cause = SyntaxCause::UnclosedString {
                open,
                runs_to,
                close_at: None,
            };
            next = confirm(now, &lines, &tree, cause, shown_at, &errors).map(|hit| (hit, shown_at));
        }
        // An option that follows the one before it with no comma between them (tree-sitter
        // stops at its key), a lane named like a hash key. Only where no error comes before it:
        // after a quote left open, say, text is read as code and a `#` in a string as a comment,
        // and a comma may seem to mend what is only read askew.
        let leads = first_leads
            .take()
            .unwrap_or_else(|| one_line_leads(&tree, now, &errors));
        for (cause, shown_at) in leads {
            let key = cause.span();
            if next.is_some()
                || errors
                    .iter()
                    .any(|e| e.end <= key.start && !overlaps(*e, key))
            {
                break;
            }
            next = confirm(now, &lines, &tree, cause, shown_at, &errors).map(|hit| (hit, shown_at));
        }
        for (shown_at, candidate) in candidates {
            // An error before a cause that nothing explains makes what follows it unreliable
            // (after a quote left open, code is read as text and text as code).
            let span = candidate.span();
            if next.is_some()
                || only_on_a_line
                || missed
                || errors
                    .iter()
                    .any(|e| e.end <= span.start && !overlaps(*e, span))
            {
                break;
            }
            next = confirm(now, &lines, &tree, candidate, shown_at, &errors)
                .map(|hit| (hit, shown_at));
            missed = next.is_none();
        }
        // Each later cause is looked for in the text mended so far, so that what one missing
        // `end` does to the blocks around it is not taken for more missing `end`s.
        let Some(((cause, repair, mended, mended_tree, left), shown_at)) = next else {
            break;
        };
        let mut reach = Span::new(cause.span().start, shown_at);
        if let SyntaxCause::UnclosedString { open, runs_to, .. } = cause {
            // A quote askew pairs every later quote wrongly, to the end of the file if it must,
            // and the code just before it may already be read askew: the errors from its line on
            // that its repair mended are explained, up to the first one it did not.
            let start = lines.start(open.start);
            let checked = if lines.row(open.start) == lines.row(runs_to) {
                shown_at
            } else {
                shown_at.max(enclosing_end(now, &lines, open.start))
            };
            let left: Vec<Span> = left
                .iter()
                .map(|e| Span::new(back_at(e.start, &[repair]), back_at(e.end, &[repair])))
                .collect();
            // Up to the line of the first error the repair left: a mistake of its own.
            let stop = left
                .iter()
                .filter(|e| e.end >= start)
                .map(|e| lines.start(e.start))
                .min()
                .unwrap_or(usize::MAX)
                .max(checked);
            let still = Overlaps::new(left.into_iter());
            let mut seen = errors.clone();
            seen.sort_by_key(|e| e.start);
            let mut end = checked;
            for e in seen.iter().filter(|e| e.end >= start) {
                if e.start >= stop {
                    break;
                }
                if !still.any(*e) {
                    // An empty error (something missing) counts as the byte it sits on.
                    end = end.max(e.end.max(e.start + 1));
                }
            }
            let end = end.min(stop);
            reach = Span::new(start, end);
        }
        found.push(FoundCause {
            cause: back(cause, &made),
            reach: Span::new(back_at(reach.start, &made), back_at(reach.end, &made)),
        });
        made.push(repair);
        text = Some(mended);
        tree = mended_tree;
        errors = left;
        if errors.is_empty() || found.len() == MAX_CAUSES {
            break;
        }
    }
    found.sort_by_key(|c| c.cause.span().start);
    found
}

/// The mistakes of one line that an error may come from, in order: [`missing_commas`] and
/// [`lane_names_as_keys`].
fn one_line_leads(tree: &Tree, src: &str, errors: &[Span]) -> Vec<(SyntaxCause, usize)> {
    let mut leads = missing_commas(tree, src, errors);
    leads.extend(lane_names_as_keys(src, errors));
    leads.extend(lanes_after_platforms(src, errors));
    leads.sort_by_key(|(cause, _)| cause.span().start);
    leads
}

/// The words a lane is declared with.
const LANE_WORDS: &[&str] = &["lane", "private_lane"];

/// Errors at the `:` of `lane: release do` (the name written as a hash key, where `lane
/// :release` was meant), as [`SyntaxCause::LaneNameAsKey`], with where the error ends.
fn lane_names_as_keys(src: &str, errors: &[Span]) -> Vec<(SyntaxCause, usize)> {
    let mut out = Vec::new();
    for e in errors.iter().take(MAX_ONE_LINE_LEADS) {
        if !src[e.start..].starts_with(':') {
            continue;
        }
        let line_start = src[..e.start].rfind('\n').map_or(0, |i| i + 1);
        let word = src[line_start..e.start].trim_start();
        let after = &src[e.start + 1..];
        let name_at = e.start + 1 + (after.len() - after.trim_start_matches([' ', '\t']).len());
        if !LANE_WORDS.contains(&word) || name_at == e.start + 1 {
            continue;
        }
        if let Some(name_len) = lane_name_len(src, name_at) {
            out.push((
                SyntaxCause::LaneNameAsKey {
                    at: Span::new(e.start - word.len(), name_at + name_len),
                    colon: e.start,
                    name: name_at,
                },
                e.end,
            ));
        }
    }
    out
}

/// The length of the Ruby name (letters, digits, `_`) that `bytes` start with.
fn word_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
}

/// The length of the lane's name at `at` in `text`, if one starts there (a lowercase letter or
/// `_`, as a symbol's name after `:`).
fn lane_name_len(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes
        .get(at)
        .filter(|b| b.is_ascii_lowercase() || **b == b'_')?;
    Some(word_len(&bytes[at..]))
}

/// fastlane's platforms, which a lane may be put under.
const PLATFORMS: &[&str] = &["ios", "android", "mac"];

/// Errors on `lane :ios beta do` (the platform written before the lane's name, as `fastlane ios
/// beta` runs it), at the platform or at the name, as [`SyntaxCause::LaneAfterPlatform`], with
/// where the error ends.
fn lanes_after_platforms(src: &str, errors: &[Span]) -> Vec<(SyntaxCause, usize)> {
    let mut out = Vec::new();
    for e in errors.iter().take(MAX_ONE_LINE_LEADS) {
        let line_start = src[..e.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[e.start..].find('\n').map_or(src.len(), |i| e.start + i);
        let Some(cause) = lane_after_platform(&src[line_start..line_end], line_start) else {
            continue;
        };
        let SyntaxCause::LaneAfterPlatform { platform, at, .. } = cause else {
            continue;
        };
        if (platform.start..=at.end).contains(&e.start) {
            out.push((cause, e.end));
        }
    }
    out
}

/// `lane :ios beta` at the start of `line` (which starts at `offset` in the file), as a
/// [`SyntaxCause::LaneAfterPlatform`].
fn lane_after_platform(line: &str, offset: usize) -> Option<SyntaxCause> {
    let blank = |c: char| c == ' ' || c == '\t';
    let word_at = line.len() - line.trim_start_matches(blank).len();
    let rest = &line[word_at..];
    let word = LANE_WORDS
        .iter()
        .filter(|w| rest.starts_with(*w))
        .max_by_key(|w| w.len())?;
    let after_word = &rest[word.len()..];
    let symbol_at =
        word_at + word.len() + (after_word.len() - after_word.trim_start_matches(blank).len());
    if symbol_at == word_at + word.len() {
        return None;
    }
    let symbol_len = 1 + word_len(line[symbol_at..].strip_prefix(':')?.as_bytes());
    if !PLATFORMS.contains(&&line[symbol_at + 1..symbol_at + symbol_len]) {
        return None;
    }
    let after_symbol = &line[symbol_at + symbol_len..];
    let name_at = symbol_at
        + symbol_len
        + (after_symbol.len() - after_symbol.trim_start_matches(blank).len());
    if name_at == symbol_at + symbol_len {
        return None;
    }
    let name_len = lane_name_len(line, name_at)?;
    Some(SyntaxCause::LaneAfterPlatform {
        at: Span::new(offset + word_at, offset + name_at + name_len),
        platform: Span::new(offset + symbol_at, offset + symbol_at + symbol_len),
        name: offset + name_at,
    })
}

/// At most this many errors are tried as each mistake of one line (a comma left out, a lane
/// named like a hash key, a lane's platform before its name).
const MAX_ONE_LINE_LEADS: usize = 3;

/// Errors that hold an option's key (`force: true`) right after code that can end a value
/// (`message: "Build"`), with only spaces or a line break between: a comma left out between two
/// options, as [`SyntaxCause::MissingComma`] with where the comma goes (before a comment that
/// ends the line of the value), and where the error ends. tree-sitter starts the error at the key
/// or at the value before it. The first key of each error, the first few errors, in order.
fn missing_commas(tree: &Tree, src: &str, errors: &[Span]) -> Vec<(SyntaxCause, usize)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    for e in errors {
        if out.len() == MAX_ONE_LINE_LEADS {
            break;
        }
        let key = (e.start..e.end.min(src.len())).find_map(|i| {
            let word_start = (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_')
                && (i == e.start || bytes[i - 1].is_ascii_whitespace());
            if !word_start {
                return None;
            }
            // `key:`, and not `https://`.
            let len = key_name_len(&bytes[i..])?;
            let colon = bytes.get(i + len + 1) != Some(&b'/');
            // Not in a comment or a string, which an error may span.
            let in_text = || {
                tree.root_node()
                    .descendant_for_byte_range(i, i + len)
                    .is_some_and(|n| {
                        matches!(n.kind(), "comment" | "string_content" | "heredoc_content")
                    })
            };
            (colon && !in_text()).then(|| Span::new(i, i + len + 1))
        });
        let Some(key) = key else { continue };
        let mut at = src[..key.start].trim_end().len();
        let comment = tree
            .root_node()
            .descendant_for_byte_range(at.saturating_sub(1), at)
            .filter(|n| n.kind() == "comment" && n.end_byte() == at);
        if let Some(comment) = comment {
            at = src[..comment.start_byte()].trim_end().len();
        }
        // A value ends in a word, a quote or a closing bracket; after a comma, an opening bracket
        // or an operator nothing is missing.
        let ends_a_value = src[..at].chars().next_back().is_some_and(|c| {
            c.is_alphanumeric() || matches!(c, '"' | '\'' | ')' | ']' | '}' | '?' | '!' | '_')
        });
        if ends_a_value {
            out.push((SyntaxCause::MissingComma { option: key, at }, e.end));
        }
    }
    out
}

/// A string on one line whose closing quote is where an error starts (`"Shop, export_method:
/// "app-store"`: the quote meant to open `app-store` closed the string): the first, as a lead like
/// [`Scanned::strings`].
fn closed_at_an_error(
    tree: &Tree,
    src: &str,
    lines: &Lines,
    errors: &[Span],
) -> Option<(Span, usize, usize, bool)> {
    let bytes = src.as_bytes();
    let at = errors
        .iter()
        .map(|e| e.start)
        .filter(|&at| at > 0 && word_after_quote(bytes, at))
        .min()?;
    let mut node = tree.root_node().descendant_for_byte_range(at - 1, at)?;
    while node.kind() != "string" {
        node = node.parent()?;
    }
    let start = node.start_byte();
    let same_line = lines.row(start) == lines.row(at);
    (node.end_byte() == at && same_line && matches!(bytes[start], b'"' | b'\''))
        .then(|| (Span::new(start, start + 1), at - 1, lines.end(at), true))
}

/// Whether code starts at `at` right after a quote: a word run into a string's closing quote.
fn word_after_quote(bytes: &[u8], at: usize) -> bool {
    matches!(bytes[at - 1], b'"' | b'\'')
        && bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Whether an error starts after an odd number of `"` or `'` on its line: where a string opened
/// on an earlier line closes, and what followed the quote meant to close it is read as code.
fn after_odd_quotes(src: &str, errors: &[Span]) -> bool {
    // One pass over the text, however many errors share a line.
    let mut starts: Vec<usize> = errors.iter().map(|e| e.start).collect();
    starts.sort_unstable();
    let bytes = src.as_bytes();
    let (mut pos, mut double, mut single) = (0, 0usize, 0usize);
    starts.into_iter().any(|at| {
        for &b in &bytes[pos..at.max(pos)] {
            match b {
                b'\n' => (double, single) = (0, 0),
                b'"' => double += 1,
                b'\'' => single += 1,
                _ => {}
            }
        }
        pos = pos.max(at);
        double % 2 == 1 || single % 2 == 1 || (at > 0 && word_after_quote(bytes, at))
    })
}

/// What one token walk found.
struct Scanned {
    /// The first typographic quote in code.
    quote: Option<Span>,
    /// A typographic quote that seems meant to close a string, and where that string ends.
    in_string: Option<(Span, usize)>,
    /// The first strings between straight quotes that run on over lines, in order: the opening
    /// quote, the offset of the quote that closes it, the end of the line it closes on, and
    /// whether it is next to an error (its parent holds one).
    strings: Vec<(Span, usize, usize, bool)>,
    /// Each cause the tokens suggest, with where it showed, in that order.
    candidates: Vec<(usize, SyntaxCause)>,
}

/// Errors over fewer lines than this are shown whole.
const FOCUS_LINES: usize = 5;

/// For each error of `errors` (as [`crate::parse::syntax_errors`] finds them, outermost) that
/// runs over `FOCUS_LINES` lines or more, the first error nested in it, where there is one: tree-sitter wraps the rest
/// of a platform block around a line it could not read, and the line is the lead.
pub fn focus(tree: &Tree, src: &str, errors: &[Span]) -> Vec<(Span, Span)> {
    let mut out = Vec::new();
    for &outer in errors {
        if src[outer.start..outer.end].matches('\n').count() < FOCUS_LINES {
            continue;
        }
        let Some(node) = tree
            .root_node()
            .descendant_for_byte_range(outer.start, outer.end)
            .filter(|n| n.byte_range() == (outer.start..outer.end))
        else {
            continue;
        };
        let mut inner = None;
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            'walk: loop {
                let n = cursor.node();
                if n.is_error() || n.is_missing() {
                    inner = Some(Span::new(n.start_byte(), n.end_byte()));
                    break;
                }
                if n.has_error() && cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() || cursor.node() == node {
                        break 'walk;
                    }
                }
            }
        }
        if let Some(inner) = inner {
            out.push((outer, inner));
        }
    }
    out
}

/// One token walk over `tree`.
fn scan(tree: &Tree, src: &str, lines: &Lines) -> Scanned {
    let mut scan = Scan {
        src,
        lines,
        open: Vec::new(),
        found: Vec::new(),
        quote: None,
        in_string: None,
        strings: Vec::new(),
    };
    walk(tree, |node, parent| {
        scan.visit(node, parent.is_some_and(|p| p.has_error()))
    });
    scan.finish()
}

/// Calls `visit` on each node of `tree` with its parent, in tree order, not entering what
/// [`descend`] keeps out (comments, strings and the like).
fn walk<'t>(tree: &'t Tree, mut visit: impl FnMut(Node<'t>, Option<Node<'t>>)) {
    let mut cursor = tree.walk();
    // The ancestors of the cursor's node, from the root down.
    let mut parents: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        visit(node, parents.last().copied());
        if descend(node) && cursor.goto_first_child() {
            parents.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            parents.pop();
        }
    }
}

/// Whether the walk looks inside `node`: not inside comments, strings and the like, whose
/// tokens open and close nothing (an interpolation inside a string is balanced by construction
/// unless it holds an error).
fn descend(node: Node) -> bool {
    if node.has_error() {
        return true;
    }
    !matches!(
        node.kind(),
        "comment"
            | "string"
            | "heredoc_body"
            | "regex"
            | "subshell"
            | "string_array"
            | "symbol_array"
            | "delimited_symbol"
            | "character"
    )
}

struct Scan<'s> {
    src: &'s str,
    lines: &'s Lines,
    /// Openers met among the tokens of broken nodes and not yet closed: the token and its text.
    open: Vec<(Span, &'s str)>,
    /// Each cause found, with the offset of the token that showed it.
    found: Vec<(usize, SyntaxCause)>,
    /// The first typographic quote in code.
    quote: Option<Span>,
    /// The first closing typographic quote on the first line of a string that runs on over
    /// lines (`"Shop.ipa”)` reads on to the next `"`), with the end of the line that string
    /// ends on.
    in_string: Option<(Span, usize)>,
    /// See [`Scanned::strings`].
    strings: Vec<(Span, usize, usize, bool)>,
}

impl<'s> Scan<'s> {
    fn visit(&mut self, node: Node, parent_broken: bool) {
        if self.strings.len() < MAX_STRINGS && node.kind() == "string" {
            if let Some((open, runs_to, shown_at)) = self.string_over_lines(node) {
                self.strings.push((open, runs_to, shown_at, parent_broken));
            }
        }
        if self.in_string.is_none() && node.kind() == "string" {
            let (start, end) = (node.start_byte(), node.end_byte());
            if self.lines.row(start) != self.lines.row(end) {
                let first_line = &self.src[start..self.lines.starts[self.lines.row(start) + 1] - 1];
                if let Some(i) = first_line.find(['”', '’', '»']) {
                    let len = first_line[i..].chars().next().map_or(1, char::len_utf8);
                    // What follows where the string ends, on that line, is read askew too.
                    let row_after = self.lines.row(end) + 1;
                    let line_end = self
                        .lines
                        .starts
                        .get(row_after)
                        .map_or(self.src.len(), |s| s - 1);
                    self.in_string = Some((Span::new(start + i, start + i + len), line_end));
                }
            }
        }
        let leaf = node.child_count() == 0;
        if leaf && self.quote.is_none() && !node.is_missing() {
            let text = &self.src[node.byte_range()];
            if matches!(node.kind(), "identifier" | "constant" | "ERROR")
                || (parent_broken
                    && !matches!(
                        node.kind(),
                        "comment" | "string_content" | "heredoc_content" | "escape_sequence"
                    ))
            {
                if let Some(i) = text.find(TYPOGRAPHIC_QUOTES) {
                    let len = text[i..].chars().next().map_or(1, char::len_utf8);
                    let at = node.start_byte() + i;
                    self.quote = Some(Span::new(at, at + len));
                }
            }
        }
        if !node.has_error() {
            self.check_indentation(node);
        }
        if parent_broken && leaf && !node.is_missing() {
            self.token(node);
        }
    }

    /// A string between straight quotes that runs on over lines: its opening quote, its closing
    /// quote's offset and the end of the line that quote is on.
    fn string_over_lines(&self, node: Node) -> Option<(Span, usize, usize)> {
        let (start, end) = (node.start_byte(), node.end_byte());
        let quote = self.src.get(start..start + 1)?;
        let closed = end > start + 1 && self.src[..end].ends_with(quote);
        if !matches!(quote, "\"" | "'") || !closed || self.lines.row(start) == self.lines.row(end) {
            return None;
        }
        Some((Span::new(start, start + 1), end - 1, self.lines.end(end)))
    }

    /// A block that parsed whole but whose `end` is indented less than the line that opened it:
    /// the `end` most likely belongs to an outer block, and this one lacks its own.
    fn check_indentation(&mut self, node: Node) {
        let kind = node.kind();
        // A loop's body (`while x do ... end`) is a node of its own, looked at from the loop,
        // whose line opens it.
        if kind == "do" {
            return;
        }
        let Some(mut last) = last_child(node) else {
            return;
        };
        if LOOPS.contains(&kind) && last.kind() == "do" {
            match last_child(last) {
                Some(end) => last = end,
                None => return,
            }
        }
        if last.kind() != "end" || node.child_count() < 2 {
            return;
        }
        let first = node.child(0).unwrap_or(node);
        self.mismatch(Span::new(first.start_byte(), first.end_byte()), last);
    }

    /// Records `end` closing the opener `open` if the `end` starts its line indented less than
    /// the opener's line.
    fn mismatch(&mut self, open: Span, end: Node) {
        let end_at = end.start_byte();
        let Some(end_indent) = self.leading(end_at) else {
            return;
        };
        let open_indent = self.lines.indent(open.start);
        if end_indent < open_indent {
            self.note(
                end_at,
                SyntaxCause::Unclosed {
                    opener: self.opener_span(open),
                    taken: Some(Span::new(end_at, end.end_byte())),
                    close_at: 0,
                },
            );
        }
    }

    /// One token whose parent holds an error.
    fn token(&mut self, node: Node) {
        let text = &self.src[node.byte_range()];
        let at = Span::new(node.start_byte(), node.end_byte());
        match text {
            "(" | "[" | "{" => self.open.push((at, text)),
            ")" | "]" | "}" => self.close_bracket(at, text),
            "end" if matches!(node.kind(), "end" | "identifier") => self.close_block(node),
            _ if BLOCK_OPENERS.contains(&text) && node.kind() == text => {
                if MAYBE_MODIFIERS.contains(&text) && !self.starts_expression(at.start) {
                    return;
                }
                if text == "do"
                    && self.open.last().is_some_and(|(o, t)| {
                        LOOPS.contains(t) && self.same_line(o.start, at.start)
                    })
                {
                    return;
                }
                self.open.push((at, text));
            }
            _ => {}
        }
    }

    fn close_bracket(&mut self, at: Span, text: &str) {
        let wanted = match text {
            ")" => "(",
            "]" => "[",
            _ => "{",
        };
        match self.open.last().copied() {
            Some((_, t)) if t == wanted => {
                self.open.pop();
            }
            Some((o, t)) if is_bracket(t) => {
                self.note(
                    at.start,
                    SyntaxCause::UnclosedBracket {
                        open: o,
                        met: Some(at),
                        close_at: 0,
                    },
                );
                self.open.pop();
            }
            Some((o, _)) if self.open.iter().any(|(_, t)| *t == wanted) => {
                // A block opened inside the brackets is missing its `end`.
                self.note(
                    at.start,
                    SyntaxCause::Unclosed {
                        opener: self.opener_span(o),
                        taken: None,
                        close_at: 0,
                    },
                );
                if let Some(i) = self.open.iter().rposition(|(_, t)| *t == wanted) {
                    self.open.truncate(i);
                }
            }
            _ => self.note(at.start, SyntaxCause::StrayBracket { at }),
        }
    }

    fn close_block(&mut self, end: Node) {
        let at = end.start_byte();
        while let Some(&(o, t)) = self.open.last() {
            if !is_bracket(t) {
                break;
            }
            self.note(
                at,
                SyntaxCause::UnclosedBracket {
                    open: o,
                    met: Some(Span::new(at, end.end_byte())),
                    close_at: 0,
                },
            );
            self.open.pop();
        }
        if let Some((o, _)) = self.open.pop() {
            self.mismatch(o, end);
        }
        // An `end` with nothing open is reported as a stray keyword already.
    }

    fn note(&mut self, at: usize, cause: SyntaxCause) {
        self.found.push((at, cause));
    }

    fn finish(mut self) -> Scanned {
        if let Some(&(o, t)) = self.open.last() {
            let cause = if is_bracket(t) {
                SyntaxCause::UnclosedBracket {
                    open: o,
                    met: None,
                    close_at: 0,
                }
            } else {
                SyntaxCause::Unclosed {
                    opener: self.opener_span(o),
                    taken: None,
                    close_at: 0,
                }
            };
            self.found.push((self.src.len(), cause));
        }
        self.found.sort_by_key(|(at, _)| *at);
        Scanned {
            quote: self.quote,
            in_string: self.in_string,
            strings: self.strings,
            candidates: self.found,
        }
    }

    /// From the first non-blank of the opener's line to the end of its keyword:
    /// `lane :beta do`, `if ENV["CI"]` (up to `if`), `def bump`.
    fn opener_span(&self, keyword: Span) -> Span {
        let (line_start, indent) = (
            self.lines.start(keyword.start),
            self.lines.indent(keyword.start),
        );
        Span::new(line_start + indent, keyword.end)
    }

    /// The indentation of `at`'s line if `at` is its first non-blank, else `None`.
    fn leading(&self, at: usize) -> Option<usize> {
        let indent = self.lines.indent(at);
        (self.lines.start(at) + indent == at).then_some(indent)
    }

    /// Whether a keyword at `at` starts an expression (first on its line, or after `=`, `(`,
    /// `,`, `||`, `&&` or `return`) rather than modifying the one before it.
    fn starts_expression(&self, at: usize) -> bool {
        let bytes = self.src.as_bytes();
        let mut p = at;
        while p > 0 && matches!(bytes[p - 1], b' ' | b'\t') {
            p -= 1;
        }
        p == 0
            || bytes[p - 1] == b'\n'
            || matches!(bytes[p - 1], b'=' | b'(' | b',' | b'|' | b'&' | b';')
            || self.src[..p].ends_with("return")
    }

    fn same_line(&self, a: usize, b: usize) -> bool {
        self.lines.row(a) == self.lines.row(b)
    }
}

/// Where each line of a text starts and how far it is indented, so that no question about a
/// token's line reads the line again (a file may be one long line of tokens).
struct Lines {
    starts: Vec<usize>,
    indents: Vec<usize>,
    /// The text's length.
    len: usize,
}

impl Lines {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(newline_offsets(src).map(|i| i + 1));
        let indents = starts
            .iter()
            .map(|&s| {
                src.as_bytes()[s..]
                    .iter()
                    .take_while(|b| **b == b' ' || **b == b'\t')
                    .count()
            })
            .collect();
        Lines {
            starts,
            indents,
            len: src.len(),
        }
    }

    /// The 0-based line of byte `at`.
    fn row(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at) - 1
    }

    fn start(&self, at: usize) -> usize {
        self.starts[self.row(at)]
    }

    /// Where `at`'s line ends (its newline, or the end of the text).
    fn end(&self, at: usize) -> usize {
        self.starts
            .get(self.row(at) + 1)
            .map_or(self.len, |s| s - 1)
    }

    /// Blanks at the start of `at`'s line.
    fn indent(&self, at: usize) -> usize {
        self.indents[self.row(at)]
    }

    fn point(&self, at: usize) -> Point {
        let row = self.row(at);
        Point {
            row,
            column: at - self.starts[row],
        }
    }
}

fn last_child(n: Node<'_>) -> Option<Node<'_>> {
    n.child(n.child_count().checked_sub(1)?)
}

fn newline_offsets(src: &str) -> impl Iterator<Item = usize> + '_ {
    src.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
}

/// Text replaced to mend a file: `remove` bytes at `at` gave way to `insert` bytes.
#[derive(Clone, Copy)]
struct Repair {
    at: usize,
    remove: usize,
    insert: usize,
}

/// Byte `x` of a text the `made` repairs were made to, in the text before any of them.
fn back_at(mut x: usize, made: &[Repair]) -> usize {
    for r in made.iter().rev() {
        if x >= r.at + r.insert {
            x = x - r.insert + r.remove;
        } else if x > r.at {
            x = r.at;
        }
    }
    x
}

/// `cause`, found in a text the `made` repairs were made to, in the coordinates of the text
/// before any of them.
fn back(cause: SyntaxCause, made: &[Repair]) -> SyntaxCause {
    let at = |x: usize| back_at(x, made);
    let span = |s: Span| Span::new(at(s.start), at(s.end));
    match cause {
        SyntaxCause::Unclosed {
            opener,
            taken,
            close_at,
        } => SyntaxCause::Unclosed {
            opener: span(opener),
            taken: taken.map(span),
            close_at: at(close_at),
        },
        SyntaxCause::UnclosedBracket {
            open,
            met,
            close_at,
        } => SyntaxCause::UnclosedBracket {
            open: span(open),
            met: met.map(span),
            close_at: at(close_at),
        },
        SyntaxCause::StrayBracket { at: s } => SyntaxCause::StrayBracket { at: span(s) },
        SyntaxCause::TypographicQuote { at: s } => SyntaxCause::TypographicQuote { at: span(s) },
        SyntaxCause::UnclosedString {
            open,
            runs_to,
            close_at,
        } => SyntaxCause::UnclosedString {
            open: span(open),
            runs_to: at(runs_to),
            close_at: close_at.map(at),
        },
        SyntaxCause::MissingComma { option, at: comma } => SyntaxCause::MissingComma {
            option: span(option),
            at: at(comma),
        },
        SyntaxCause::LaneNameAsKey { at: s, colon, name } => SyntaxCause::LaneNameAsKey {
            at: span(s),
            colon: at(colon),
            name: at(name),
        },
        SyntaxCause::LaneAfterPlatform {
            at: s,
            platform,
            name,
        } => SyntaxCause::LaneAfterPlatform {
            at: span(s),
            platform: span(platform),
            name: at(name),
        },
    }
}

/// What confirming a cause gives: the cause with where its repair goes, the repair, and the
/// mended text with its tree and errors.
type Confirmed = (SyntaxCause, Repair, String, Tree, Vec<Span>);

/// `cause` with where its repair goes, if making that repair mends the file there: no error is
/// left from where the cause starts to where it showed (`shown_at`), and fewer errors are left
/// in all (the file may hold more than one mistake). A guess that does not mend the file is no
/// lead: a quote left open, say, turns the brackets after it into text, and a bracket then only
/// seems unclosed.
fn confirm(
    src: &str,
    lines: &Lines,
    tree: &Tree,
    cause: SyntaxCause,
    shown_at: usize,
    errors: &[Span],
) -> Option<Confirmed> {
    let mends = |cause, at, remove, insert: &str| {
        mends(
            src, lines, tree, cause, shown_at, errors, at, remove, insert,
        )
    };
    match cause {
        SyntaxCause::Unclosed { opener, taken, .. } => {
            let indent = &src[opener.start - lines.indent(opener.start)..opener.start];
            // Where the block's body stops being indented past it (`upload` after an `if` and
            // its one indented line), else before the `end` an outer block lost to it.
            let body_end = block_end(src, lines, opener.start);
            let mut places = vec![body_end];
            if let Some(end) = taken {
                let before_end = lines.start(end.start);
                places = vec![body_end.min(before_end)];
                if before_end != places[0] {
                    places.push(before_end);
                }
            }
            places.into_iter().find_map(|at| {
                let mut insert = String::new();
                if at > 0 && !src[..at].ends_with('\n') {
                    insert.push('\n');
                }
                insert.push_str(indent);
                insert.push_str("end\n");
                let cause = SyntaxCause::Unclosed {
                    opener,
                    taken,
                    close_at: at,
                };
                mends(cause, at, 0, &insert)
            })
        }
        SyntaxCause::UnclosedBracket { open, met, .. } => {
            let closing = closing(&src[open.start..open.end]);
            // After the last code before the token that came first, else at the end of the
            // bracket's own line.
            let limit = met.map_or(src.len(), |m| m.start);
            let last_code = src[..limit].trim_end().len().max(open.end);
            let line_end = lines.end(open.end).min(limit);
            let own_line = src[..line_end].trim_end().len().max(open.end);
            let mut places = vec![last_code];
            if own_line != last_code {
                places.push(own_line);
            }
            places.into_iter().find_map(|at| {
                let cause = SyntaxCause::UnclosedBracket {
                    open,
                    met,
                    close_at: at,
                };
                mends(cause, at, 0, closing)
            })
        }
        SyntaxCause::StrayBracket { at } => mends(cause, at.start, at.end - at.start, ""),
        SyntaxCause::UnclosedString { open, runs_to, .. } => {
            let quote = &src[open.start..open.end];
            let with = |close_at| SyntaxCause::UnclosedString {
                open,
                runs_to,
                close_at,
            };
            // Right after a closing bracket or a quote no string can start: the quote is one
            // too many (`ENV["APP_ID"]",`).
            if src[..open.start].ends_with([')', ']', '}', '"', '\'']) {
                if let Some(hit) = mends(with(None), open.start, open.end - open.start, "") {
                    return Some(hit);
                }
            }
            // A string closed on its own line by the quote meant to open the next value: the
            // closing quote goes before the first option inside it (`"Shop", export_method:`).
            if lines.row(open.start) == lines.row(runs_to) {
                let at = option_inside(&src[open.end..runs_to])? + open.end;
                return mends(with(Some(at)), at, 0, quote);
            }
            // Else the closing quote goes on the string's own line: before the brackets and
            // commas that end it (`"App)`), else at its end.
            let line_end = lines.end(open.start);
            let own_line = src[..line_end].trim_end().len().max(open.end);
            let before_closers = src[open.end..own_line]
                .trim_end_matches([')', ']', '}', ','])
                .trim_end()
                .len()
                + open.end;
            // An option after the quote on its line (`"App, clean: true)`) was meant to follow
            // the string, not to be part of it: before it first.
            let option = option_inside(&src[open.end..own_line]).map(|i| i + open.end);
            let mut places: Vec<usize> = option.into_iter().collect();
            for at in [before_closers, own_line] {
                if !places.contains(&at) {
                    places.push(at);
                }
            }
            places
                .into_iter()
                .find_map(|at| mends(with(Some(at)), at, 0, quote))
        }
        SyntaxCause::TypographicQuote { .. } => None,
        SyntaxCause::MissingComma { at, .. } => mends(cause, at, 0, ","),
        // `lane: release` → `lane :release`.
        SyntaxCause::LaneNameAsKey { colon, name, .. } => mends(cause, colon, name - colon, " :"),
        // `lane :ios beta` → `lane :beta`.
        SyntaxCause::LaneAfterPlatform { platform, name, .. } => {
            mends(cause, platform.start, name - platform.start, ":")
        }
    }
}

/// `cause`, confirmed, if the text with `remove` bytes at `at` replaced by `insert` mends it.
/// The text is re-parsed from `tree`, told of the change, so that only what it touches is parsed
/// again.
#[allow(clippy::too_many_arguments)]
fn mends(
    src: &str,
    lines: &Lines,
    tree: &Tree,
    cause: SyntaxCause,
    shown_at: usize,
    errors: &[Span],
    at: usize,
    remove: usize,
    insert: &str,
) -> Option<Confirmed> {
    let mut mended = String::with_capacity(src.len() + insert.len());
    mended.push_str(&src[..at]);
    mended.push_str(insert);
    mended.push_str(&src[at + remove..]);
    let mut old = tree.clone();
    old.edit(&crate::parse::input_edit(
        at,
        at + remove,
        lines.point(at),
        lines.point(at + remove),
        insert,
    ));
    let tree = crate::parse::reparse_ruby(&mended, &old)?;
    let shift = |x: usize| {
        if x >= at + remove {
            x + insert.len() - remove
        } else {
            x
        }
    };
    // Up to where the cause showed, and on to the end of the block around it: a repair that
    // leaves that block's own `end` standing alone mends nothing.
    let (from, to) = match cause {
        // A string closed on its own line by the wrong quote: its line must parse, and the
        // errors after it must be fewer (another mistake may follow in the same block).
        SyntaxCause::UnclosedString { open, runs_to, .. }
            if lines.row(open.start) == lines.row(runs_to) =>
        {
            (lines.start(open.start), shown_at)
        }
        // The code before the quote on its line may be read askew too.
        SyntaxCause::UnclosedString { open, .. } => {
            let from = lines.start(open.start);
            (from, shown_at.max(enclosing_end(src, lines, from)))
        }
        _ => {
            let from = cause.span().start;
            (from, shown_at.max(enclosing_end(src, lines, from)))
        }
    };
    let to = shift(to);
    let left = all_errors(&tree, &mended);
    let mended_here = !left.iter().any(|e| e.start <= to && from <= e.end);
    let repair = Repair {
        at,
        remove,
        insert: insert.len(),
    };
    (mended_here && left.len() < errors.len()).then_some((cause, repair, mended, tree, left))
}

/// The errors of `tree` as FL000 counts them: tree-sitter's, and a closing keyword standing as a
/// statement of its own (an `end` too many), which tree-sitter reads as a bare name but Ruby
/// refuses (see [`crate::extract::ruby::CLOSING_KEYWORDS`]).
fn all_errors(tree: &Tree, src: &str) -> Vec<Span> {
    let mut out: Vec<Span> = crate::parse::syntax_errors(tree)
        .into_iter()
        .map(Span::from)
        .collect();
    walk(tree, |node, parent| {
        let stray = node.kind() == "identifier"
            && crate::extract::ruby::CLOSING_KEYWORDS.contains(&&src[node.byte_range()])
            && parent.is_some_and(|p| {
                matches!(
                    p.kind(),
                    "program"
                        | "body_statement"
                        | "then"
                        | "else"
                        | "do"
                        | "begin"
                        | "ERROR"
                        | "if_modifier"
                        | "unless_modifier"
                        | "while_modifier"
                        | "until_modifier"
                        | "rescue_modifier"
                )
            });
        if stray {
            out.push(Span::new(node.start_byte(), node.end_byte()));
        }
    });
    out
}

/// The end of the first line after `at`'s that is indented less than it (the `end` of the block
/// around `at`), or the end of the text.
fn enclosing_end(src: &str, lines: &Lines, at: usize) -> usize {
    let row = lines.row(at);
    let indent = lines.indents[row];
    (row + 1..lines.starts.len())
        .find(|&r| {
            let start = lines.starts[r];
            let end = lines.starts.get(r + 1).map_or(src.len(), |s| s - 1);
            !src[start..end].trim().is_empty() && lines.indents[r] < indent
        })
        .map_or(src.len(), |r| {
            lines.starts.get(r + 1).map_or(src.len(), |s| s - 1)
        })
}

/// Where a block opened on `at`'s line most likely ends: before the first later line that is
/// indented no deeper than it (the next lane, or the comment above it), else at the end of the
/// file.
fn block_end(src: &str, lines: &Lines, at: usize) -> usize {
    let row = lines.row(at);
    let indent = lines.indents[row];
    (row + 1..lines.starts.len())
        .map(|r| lines.starts[r])
        .find(|&start| {
            let end = src[start..].find('\n').map_or(src.len(), |i| start + i);
            !src[start..end].trim().is_empty() && lines.indent(start) <= indent
        })
        .unwrap_or(src.len())
}

/// Where the first `, key:` (an option's start) is in a string's text.
fn option_inside(text: &str) -> Option<usize> {
    text.match_indices(',').map(|(i, _)| i).find(|&i| {
        let rest = text[i + 1..].trim_start();
        key_name_len(rest.as_bytes()).is_some_and(|key| rest[key + 1..].starts_with([' ', '\t']))
    })
}

/// The length of the name of an option's key at the start of `text` (`force` of `force: true`):
/// a name that does not start with a digit, then a `:` that does not start a `::`.
fn key_name_len(text: &[u8]) -> Option<usize> {
    let len = text
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (len > 0
        && !text[0].is_ascii_digit()
        && text.get(len) == Some(&b':')
        && text.get(len + 1) != Some(&b':'))
    .then_some(len)
}

/// Spans sorted by start, with the furthest end among each prefix: whether any of them
/// [`overlaps`] a span is one binary search, nested or not.
struct Overlaps {
    spans: Vec<Span>,
    furthest: Vec<usize>,
}

impl Overlaps {
    fn new(spans: impl Iterator<Item = Span>) -> Self {
        let mut spans: Vec<Span> = spans.collect();
        spans.sort_by_key(|s| s.start);
        let furthest = spans
            .iter()
            .scan(0, |far, s| {
                *far = (*far).max(s.end.max(s.start + 1));
                Some(*far)
            })
            .collect();
        Overlaps { spans, furthest }
    }

    fn any(&self, e: Span) -> bool {
        let before = self
            .spans
            .partition_point(|s| s.start < e.end.max(e.start + 1));
        before > 0 && self.furthest[before - 1] > e.start
    }
}

/// Whether two spans share a byte; an empty span counts as the byte it sits on.
pub fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

fn is_bracket(t: &str) -> bool {
    matches!(t, "(" | "[" | "{")
}

/// What closes an opening bracket.
pub fn closing(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        _ => "}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_ruby;

    /// The cause's kind and the text and 1-based line of its main span.
    fn found(src: &str) -> Option<(&'static str, String, usize)> {
        all(src).into_iter().next()
    }

    fn all(src: &str) -> Vec<(&'static str, String, usize)> {
        let tree = parse_ruby(src).unwrap();
        let line = |at: usize| src[..at].matches('\n').count() + 1;
        // As the model finds them, with the errors it counts.
        crate::extract::ruby::extract(&tree, src)
            .syntax_causes
            .into_iter()
            .map(|c| {
                let kind = match c.cause {
                    SyntaxCause::Unclosed { taken: Some(_), .. } => "unclosed, end taken",
                    SyntaxCause::Unclosed { .. } => "unclosed",
                    SyntaxCause::UnclosedBracket { .. } => "bracket",
                    SyntaxCause::StrayBracket { .. } => "stray",
                    SyntaxCause::TypographicQuote { .. } => "quote",
                    SyntaxCause::UnclosedString {
                        close_at: Some(_), ..
                    } => "string left open",
                    SyntaxCause::UnclosedString { .. } => "quote too many",
                    SyntaxCause::MissingComma { .. } => "comma",
                    SyntaxCause::LaneNameAsKey { .. } => "lane name as key",
                    SyntaxCause::LaneAfterPlatform { .. } => "lane after platform",
                };
                let span = c.cause.span();
                (
                    kind,
                    src[span.start..span.end].to_string(),
                    line(span.start),
                )
            })
            .collect()
    }

    #[test]
    fn a_comma_left_out_and_a_lane_named_like_a_key_are_named() {
        for (src, expected) in [
            // After a string, a number, a name, a closing bracket; on the same line and the next.
            (
                "gym(scheme: \"A\" clean: true)\n",
                Some(("comma", "clean:", 1)),
            ),
            (
                "gym(retries: 3 clean: true)\n",
                Some(("comma", "clean:", 1)),
            ),
            (
                "gym(\n  scheme: ENV[\"S\"]\n  clean: true\n)\n",
                Some(("comma", "clean:", 3)),
            ),
            (
                "lane :a do\n  pilot(ipa: \"a.ipa\" # built above\n    changelog: \"c\")\nend\n",
                Some(("comma", "changelog:", 3)),
            ),
            // A name that is not a key (`A::B`), and a key after a comma, are other mistakes.
            ("gym(scheme: \"A\", clean: true, )) \n", None),
            ("x = A::B ::C(\n", None),
            // A lane's platform before its name; a name after another symbol is another
            // mistake.
            (
                "lane :ios beta do\n  pilot\nend\n",
                Some(("lane after platform", "lane :ios beta", 1)),
            ),
            (
                "platform :android do\n  private_lane :android  deploy_internal do |options|\n    supply\n  end\nend\n",
                Some(("lane after platform", "private_lane :android  deploy_internal", 2)),
            ),
            ("lane :upload beta do\n  pilot\nend\n", None),
            // A lane named like a hash key; a hash key that is one.
            (
                "platform :ios do\n  lane: beta do\n    pilot\n  end\nend\n",
                Some(("lane name as key", "lane: beta", 2)),
            ),
            ("gym(lane: beta x: 1)\n", Some(("comma", "x:", 1))),
        ] {
            let got = found(src);
            let got = got.as_ref().map(|(k, t, l)| (*k, t.as_str(), *l));
            assert_eq!(got, expected, "{src}");
        }
    }

    #[test]
    fn a_file_with_errors_all_over_it_is_not_searched() {
        let lane = |i: usize| {
            format!(
                "lane :l{i} do\n  firebase(\n    app: ENV[\"A\"]\",\n    token: \"t\"\n  )\nend\n"
            )
        };
        let few: String = (0..2).map(lane).collect();
        assert_eq!(all(&few)[0].0, "quote too many");
        let many: String = (0..64).map(lane).collect();
        let errors = crate::extract::ruby::extract(&parse_ruby(&many).unwrap(), &many)
            .syntax_errors
            .len();
        assert!(errors > MAX_ERRORS, "{errors}");
        assert_eq!(all(&many), vec![]);
    }

    #[test]
    fn overlaps_are_found_among_nested_spans() {
        let spans =
            Overlaps::new([Span::new(10, 100), Span::new(20, 30), Span::new(150, 150)].into_iter());
        for (e, expected) in [
            (Span::new(0, 10), false),
            (Span::new(0, 11), true),
            (Span::new(95, 120), true),
            (Span::new(100, 150), false),
            (Span::new(150, 150), true),
            (Span::new(151, 160), false),
        ] {
            assert_eq!(spans.any(e), expected, "{e:?}");
            let slow = spans.spans.iter().any(|s| overlaps(*s, e));
            assert_eq!(slow, expected, "{e:?}");
        }
    }

    #[test]
    fn strings_left_open() {
        for (src, line) in [
            // Mid-call: the string runs on to the next line's quote.
            ("platform :ios do\n  lane :beta do\n    build_app(scheme: \"App)\n    pilot(changelog: \"Fixes\")\n    slack(message: \"done\")\n  end\nend\n", 3),
            // Closed by the quote meant to open the next value, on the same line.
            ("lane :beta do\n  build_app(scheme: \"Shop, export_method: \"app-store\")\n  pilot\nend\n", 2),
        ] {
            assert_eq!(
                all(src),
                vec![("string left open", "\"".to_string(), line)],
                "{src}"
            );
        }
        assert_eq!(option_inside("Shop, export_method: "), Some(4));
        assert_eq!(option_inside("a, b, 1: x, c:d, e: "), Some(15));
        assert_eq!(option_inside("Bug fixes, and more"), None);
    }

    #[test]
    fn a_string_repair_explains_nothing_past_a_mistake_it_leaves() {
        // Two strings closed by the wrong quote: the first is named; what its repair leaves on
        // line 5 is a mistake of its own, outside what the first explains.
        let src = "platform :android do\n  lane :internal do\n    gradle(task: \"clean bundleRelease, project_dir: \"android/\")\n    upload_to_play_store(track: \"internal\", json_key: ENV[\"PLAY_JSON_KEY\"])\n    commit_version_bump(message: \"Bump build, xcodeproj: \"Staging.xcodeproj\")\n  end\nend\n";
        assert_eq!(all(src)[0], ("string left open", "\"".to_string(), 3));
        let model = crate::extract::ruby::extract(&parse_ruby(src).unwrap(), src);
        let line_5 = src.match_indices('\n').nth(3).unwrap().0 + 1;
        assert!(model.syntax_causes[0].reach.end <= line_5);
        assert!(model.syntax_errors.iter().any(|e| e.start >= line_5));
    }

    #[test]
    fn a_string_over_lines_is_no_lead_for_an_error_elsewhere() {
        // The changelog runs over lines on purpose; the `(` after `scan` is what is missing.
        let src = "lane :beta do\n  pilot(changelog: \"Fixes:\n- login\n- crash\")\n  scan scheme: \"App\")\nend\n";
        assert!(
            all(src)
                .iter()
                .all(|(kind, _, _)| !kind.contains("string") && !kind.contains("quote")),
            "{:?}",
            all(src)
        );
    }

    #[test]
    fn a_file_without_errors_has_no_cause() {
        assert_eq!(found("lane :a do\n  pilot if x\nend\n"), None);
    }

    #[test]
    fn a_block_whose_end_an_outer_block_took() {
        let src = "platform :ios do\n  lane :beta do\n    pilot\n  end\n\n  after_all do |lane|\n    clean_build_artifacts\nend\n";
        assert_eq!(
            found(src),
            Some(("unclosed, end taken", "after_all do".into(), 6))
        );
    }

    #[test]
    fn an_if_without_its_end() {
        let src = "platform :ios do\n  lane :beta do\n    if ENV[\"CI\"]\n      setup_ci\n    pilot\n  end\n\n  lane :release do\n    deliver\n  end\nend\n";
        assert_eq!(found(src), Some(("unclosed, end taken", "if".into(), 3)));
    }

    #[test]
    fn a_lane_left_open_before_the_next_one() {
        let src =
            "lane :beta do\n  build_app(scheme: \"App\")\n\nlane :release do\n  deliver\nend\n";
        assert_eq!(found(src), Some(("unclosed", "lane :beta do".into(), 1)));
    }

    #[test]
    fn a_bracket_never_closed() {
        let src = "lane :beta do\n  pilot(skip_waiting_for_build_processing: true\nend\nlane :x do\n  deliver\nend\n";
        assert_eq!(found(src), Some(("bracket", "(".into(), 2)));
    }

    #[test]
    fn a_repair_that_leaves_an_end_standing_alone_is_no_repair() {
        // A `)` before the `end` on line 3 parses for tree-sitter up to there, but leaves the
        // lane's own `end` on line 5 closing nothing, which Ruby refuses.
        let src = "lane :beta do\n  build_app(scheme: \"A\",\n    clean: true end\n  pilot\nend\n\nlane :b do\n  gym\nend\n";
        assert_eq!(found(src), None);
    }

    #[test]
    fn a_typographic_quote_in_code() {
        let src = "lane :beta do\n  gym(scheme: “App”, configuration: \"Release”)\n  pilot\nend\n";
        assert_eq!(found(src), Some(("quote", "“".into(), 2)));
    }

    #[test]
    fn a_typographic_quote_that_lets_a_string_run_on() {
        let src = "lane :release do\n  deliver(ipa: \"./build/Shop.ipa”)\n  slack(message: \"released\")\nend\n";
        assert_eq!(found(src), Some(("quote", "”".into(), 2)));
        // A string over lines with an apostrophe on its first line, in a file broken elsewhere.
        let src = "lane :beta do\n  desc(\"It’s\n  long\")\n  pilot(\nend\n";
        assert_eq!(found(src).map(|f| f.0), Some("bracket"));
    }

    #[test]
    fn typographic_quotes_in_strings_and_comments_are_text() {
        // The file is broken elsewhere (a missing `end`); its quotes are where they belong.
        let src = "# it’s “fine”\nlane :beta do\n  pilot(changelog: \"It’s “new”\")\n";
        assert_eq!(found(src), Some(("unclosed", "lane :beta do".into(), 2)));
    }

    #[test]
    fn modifiers_and_loop_dos_open_nothing() {
        let src = "lane :beta do\n  pilot if x\n  while y do\n    z\n  end\n  deliver unless w\n";
        assert_eq!(found(src), Some(("unclosed", "lane :beta do".into(), 1)));
    }

    #[test]
    fn a_quote_too_many_after_a_bracket() {
        // The `"` after `]` opens a string that ends on the next line's first quote; the
        // brackets after it no longer pair up, and none of them is to blame: the quote is.
        for src in [
            "lane :firebase do\n  firebase_app_distribution(\n    app: ENV[\"id\"]\",\n    token: ENV[\"t\"],\n    apk_path: \"./a.apk\",\n    testers: ENV[\"e\"]\n  )\nend\n",
            "lane :distribute do\n  firebase_app_distribution(\n    app: ENV[\"FIREBASE_APP_ID\"]\",\n    firebase_cli_token: ENV[\"FIREBASE_TOKEN\"],\n    apk_path: \"./app/build/outputs/apk/release/app-release.apk\",\n    testers: ENV[\"TESTERS\"]\n  )\nend\n",
        ] {
            assert_eq!(
                all(src),
                vec![("quote too many", "\"".to_string(), 3)],
                "{src}"
            );
        }
    }

    #[test]
    fn two_mistakes_two_causes() {
        let src = "lane :beta do\n  build_app(scheme: \"Shop\"\n  pilot\nend\n\nlane :release do\n  deliver\n  if x\n    slack\nend\n";
        assert_eq!(
            all(src),
            vec![
                ("bracket", "(".into(), 2),
                ("unclosed, end taken", "if".into(), 8)
            ]
        );
    }

    #[test]
    fn an_error_on_one_line_is_left_as_it_is() {
        // The error shows where it is already: nothing is looked for.
        assert_eq!(found("lane :beta do\n  pilot)\nend\n"), None);
        assert_eq!(
            found("lane :beta do\n  gym(scheme: \"A\")\n    ]) }\n  pilot\nend\n"),
            None
        );
    }
}
