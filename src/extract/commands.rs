//! Shell commands written in Ruby: the text of `sh(...)` and `system(...)` calls and of backticks
//! (`` `...` ``, `%x(...)`), decoded as the shell receives it and read with [`super::shell`] for the
//! fastlane tools they start. A command may be a string literal, a heredoc (`sh <<~SH`), or a local
//! variable assigned one of those earlier in the same lane, hook or method (`cmd = "..."; sh(cmd)`),
//! with the strings and heredocs added to it with `+=` or `<<` after that. A variable assigned
//! under a condition (in a branch, a loop or block body, a rescue clause, a modifier) is read along
//! each way it may hold at the run: the string assigned under the condition, and the one before;
//! so is each branch of a ternary (`ci ? "..." : "..."`).

use foldhash::{HashMap, HashSet};
use tree_sitter::Node;

use super::nesting::Nesting;
use super::ruby::text;
use super::shell::{self, Char, FastlaneRun, Word, OPAQUE};
use crate::model::{Scope, ShellRun, Span};
use crate::query::{Kind, FIELDS};

/// Methods that hand their argument to a shell (fastlane's `sh`, Ruby's `system`).
pub const SHELL_METHODS: &[&str] = &["sh", "system"];

/// The most pieces (a string and what `+=` adds to it) a command held in a variable is read from:
/// each run of it reads them all, so a file that adds to a variable thousands of times and runs it
/// after each stays linear.
const MAX_PARTS: usize = 64;

/// What an assignment to a local variable does to its text.
#[derive(Clone, Copy, Debug)]
pub enum Assigned<'t> {
    /// `cmd = value`: the text is the value's, when that is a string or heredoc.
    Whole(Node<'t>),
    /// `cmd += value`, `cmd << value`: the value's text is added at the end, when that is a string
    /// or heredoc.
    Appended(Node<'t>),
    /// Anything else (`cmd ||= ...`, `cmd, other = ...`): the text is not known.
    Other,
}

/// An assignment to a variable: where it is, what it does, and where the innermost code around it
/// that may not run (a branch, a loop or block body, ...) ends, if there is such code.
type Assignment<'t> = (usize, Assigned<'t>, Option<usize>);

/// Where the text of a command can be found besides a string literal at the call: the bodies of
/// heredocs, and the strings and heredocs assigned to local variables.
#[derive(Default)]
pub struct Literals<'t, 's> {
    /// Where each `<<~WORD` starts → its body.
    bodies: HashMap<usize, Node<'t>>,
    /// The assignments to each local variable (by scope and name), in file order.
    assigned: HashMap<(Scope, &'s str), Vec<Assignment<'t>>>,
}

impl<'t, 's> Literals<'t, 's> {
    /// From the heredoc openings and bodies of a file (any order), the code in it that may not
    /// run (any order), and its assignments to local variables as `(scope, name, where, what)`.
    pub fn new(
        heredocs: &[Node<'t>],
        branches: &[Node<'t>],
        assigned: impl IntoIterator<Item = (Scope, &'s str, usize, Assigned<'t>)>,
    ) -> Self {
        let mut heredocs = heredocs.to_vec();
        heredocs.sort_by_key(|n| n.start_byte());
        let (openings, bodies): (Vec<Node>, Vec<Node>) = heredocs
            .into_iter()
            .partition(|n| Kind::of(*n) == Kind::HeredocBeginning);
        // Bodies follow their line in the order of the openings on it: each opening takes the
        // first body not taken that starts after it.
        let mut paired = HashMap::default();
        let mut next = bodies.iter().peekable();
        for opening in openings {
            while next
                .next_if(|b| b.start_byte() < opening.end_byte())
                .is_some()
            {}
            if let Some(body) = next.next() {
                paired.insert(opening.start_byte(), *body);
            }
        }
        // Each branch's span, with where it ends as what the lookup gives.
        let branches = Nesting::new(
            branches
                .iter()
                .map(|n| (Span::new(n.start_byte(), n.end_byte()), n.end_byte()))
                .collect(),
        );
        let mut by_name: HashMap<(Scope, &'s str), Vec<Assignment<'t>>> = HashMap::default();
        for (scope, name, at, value) in assigned {
            let end = branches.innermost(Span::new(at, at + 1));
            by_name
                .entry((scope, name))
                .or_default()
                .push((at, value, end));
        }
        for list in by_name.values_mut() {
            list.sort_by_key(|(at, _, _)| *at);
        }
        Literals {
            bodies: paired,
            assigned: by_name,
        }
    }

    /// The ways an argument's text may reach a run at `at`, each as the nodes holding it in order
    /// (a string, or a heredoc's body) and whether it was reached through a variable.
    ///
    /// A string or heredoc is its own one way. A local is followed back in `scope` to the last
    /// string or heredoc assigned to it for certain before `at`, and to each one assigned after
    /// that under a condition; each way holds what `+=` and `<<` added after its string, but not
    /// what they added in the code of a later way's condition. A way through anything else
    /// assigned or added is not read. The latest way comes first.
    fn text_of(
        &self,
        arg: Node<'t>,
        src: &'s str,
        scope: Scope,
        at: usize,
    ) -> Vec<(Vec<Node<'t>>, bool)> {
        let arg = trimmed(arg, src);
        if Kind::of(arg) != Kind::Identifier {
            return self
                .choices(arg, src)
                .into_iter()
                .flatten()
                .map(|n| (vec![n], false))
                .collect();
        }
        let Some(list) = self.assigned.get(&(scope, text(arg, src))) else {
            return Vec::new();
        };
        let list = &list[..list.partition_point(|(assigned_at, _, _)| *assigned_at < at)];
        // Only the last pieces are looked at: more than that is not read.
        let list = &list[list.len().saturating_sub(MAX_PARTS)..];
        // Where each way starts, latest first, back to the first assignment made for certain:
        // one whose code that may not run also holds the run (or that has no such code).
        let mut starts = Vec::new();
        for (i, (_, assigned, end)) in list.iter().enumerate().rev() {
            if matches!(assigned, Assigned::Appended(_)) {
                continue;
            }
            starts.push(i);
            if end.is_none_or(|end| end > at) {
                break;
            }
        }
        // Each way's pieces: its string, and what was added after it outside the code of every
        // later way's condition (all the later assignments that are not additions start ways).
        // The ways of one run read at most `MAX_PARTS` pieces in all.
        let mut budget = MAX_PARTS;
        let mut ways = Vec::new();
        for &start in &starts {
            let mut fenced_until = 0;
            let mut pieces = Vec::new();
            for (k, (where_, assigned, end)) in list.iter().enumerate().skip(start) {
                match assigned {
                    _ if k == start => pieces.push(*assigned),
                    Assigned::Appended(_) if *where_ >= fenced_until => pieces.push(*assigned),
                    Assigned::Appended(_) => {}
                    _ => fenced_until = fenced_until.max(end.unwrap_or(0)),
                }
            }
            // A string chosen by a ternary starts a way for each of its branches.
            let firsts = match pieces[0] {
                Assigned::Whole(value) => self.choices(value, src),
                _ => vec![None],
            };
            if firsts.len() * pieces.len() > budget {
                break;
            }
            budget -= firsts.len() * pieces.len();
            let added = pieces[1..]
                .iter()
                .map(|assigned| match assigned {
                    Assigned::Appended(value) => self.literal(trimmed(*value, src)),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>();
            let Some(added) = added else {
                continue;
            };
            for first in firsts.into_iter().flatten() {
                let mut nodes = Vec::with_capacity(1 + added.len());
                nodes.push(first);
                nodes.extend_from_slice(&added);
                ways.push((nodes, true));
            }
        }
        ways
    }

    /// The strings or heredocs a value may be: itself, or each branch of a ternary (`ci ? "a" :
    /// "b"`), each `None` where it is something else.
    fn choices(&self, value: Node<'t>, src: &str) -> Vec<Option<Node<'t>>> {
        let value = trimmed(value, src);
        if Kind::of(value) != Kind::Conditional {
            return vec![self.literal(value)];
        }
        [FIELDS.consequence, FIELDS.alternative]
            .into_iter()
            .map(|field| {
                let branch = value.child_by_field_id(field)?;
                self.literal(trimmed(branch, src))
            })
            .collect()
    }

    /// The node holding the text of a string or heredoc: the string itself, or the heredoc's body.
    fn literal(&self, node: Node<'t>) -> Option<Node<'t>> {
        match Kind::of(node) {
            Kind::String => Some(node),
            Kind::HeredocBeginning => self.bodies.get(&node.start_byte()).copied(),
            _ => None,
        }
    }
}

/// Methods of a string that leave the words of a command as they are.
const TRIMS: &[&str] = &[
    "strip", "chomp", "lstrip", "rstrip", "squish", "freeze", "dup",
];

/// The string or heredoc under `"...".strip`, `<<~SH.chomp` and the like; else `node`.
fn trimmed<'t>(node: Node<'t>, src: &str) -> Node<'t> {
    if Kind::of(node) != Kind::Call || node.child_by_field_id(FIELDS.arguments).is_some() {
        return node;
    }
    let receiver = node.child_by_field_id(FIELDS.receiver);
    let method = node.child_by_field_id(FIELDS.method);
    match (receiver, method) {
        (Some(receiver), Some(method))
            if matches!(Kind::of(receiver), Kind::String | Kind::HeredocBeginning)
                && TRIMS.contains(&text(method, src)) =>
        {
            receiver
        }
        _ => node,
    }
}

/// The ways through variables that the runs of a file have read, each as where its first and last
/// pieces start and how many it has. A later run that reaches the same way gives the same
/// commands, so it is not read again: runs one after another of a variable assigned under as many
/// conditions stay linear.
pub type ReadWays = HashSet<(usize, usize, usize)>;

/// The fastlane runs of a `sh`/`system` call: one string is a command line; several arguments are
/// the words of one command (`sh("fastlane", "pilot", "upload")`); `sh(command: "...")` too.
pub fn of_call<'t, 's>(
    call: Node<'t>,
    src: &'s str,
    scope: Scope,
    literals: &Literals<'t, 's>,
    read: &mut ReadWays,
    out: &mut Vec<ShellRun>,
) {
    let Some(args) = call.child_by_field_id(FIELDS.arguments) else {
        return;
    };
    let mut positional: Vec<Node<'t>> = Vec::new();
    let mut command: Option<Node<'t>> = None;
    let mut cursor = args.walk();
    for arg in args.named_children(&mut cursor) {
        match Kind::of(arg) {
            Kind::Pair => {
                let is_command = arg
                    .child_by_field_id(FIELDS.key)
                    .is_some_and(|k| matches!(text(k, src), "command" | "command:" | ":command"));
                if is_command {
                    command = arg.child_by_field_id(FIELDS.value);
                }
            }
            Kind::Hash | Kind::HashSplatArgument => {}
            _ => positional.push(arg),
        }
    }
    let single = match (positional.as_slice(), command) {
        ([one], _) => Some(*one),
        ([], command) => command,
        _ => None,
    };
    // Only string arguments are read, each once: a call nested in the arguments is not (it is a
    // call of its own).
    let text_of = |n: Node<'t>| literals.text_of(n, src, scope, call.start_byte());
    let mentions = |parts: &[Node]| parts.iter().any(|n| text(*n, src).contains("fastlane"));
    if let Some(single) = single {
        // Each way the command may hold at the run is read.
        for (parts, variable) in text_of(single) {
            let way = (
                parts.first().map_or(0, |n| n.start_byte()),
                parts.last().map_or(0, |n| n.start_byte()),
                parts.len(),
            );
            if !mentions(&parts) || variable && !read.insert(way) {
                continue;
            }
            let via = variable.then(|| Span::new(call.start_byte(), call.end_byte()));
            let (chars, seams) = decode_all(&parts, src);
            let end = seams.last().map_or(0, |seam| seam.end);
            for mut run in shell::fastlane_runs(&chars, end) {
                run.span = within_parts(run.span, &seams);
                run.apple_id = run.apple_id.map(|s| within_parts(s, &seams));
                out.push(ShellRun {
                    via,
                    ..shell_run(run, scope)
                });
            }
        }
    } else if positional.len() > 1 {
        let words: Vec<Word> = positional
            .iter()
            .map(|n| word_of(*n, src, &text_of))
            .collect();
        if words.iter().any(|w| w.text.contains("fastlane")) {
            out.extend(
                shell::fastlane_run(&words)
                    .into_iter()
                    .map(|r| shell_run(r, scope)),
            );
        }
    }
}

/// The fastlane runs of a backtick command.
pub fn of_subshell(node: Node, src: &str, scope: Scope, out: &mut Vec<ShellRun>) {
    if !text(node, src).contains("fastlane") {
        return;
    }
    let (chars, end) = decode(node, src);
    out.extend(
        shell::fastlane_runs(&chars, end)
            .into_iter()
            .map(|r| shell_run(r, scope)),
    );
}

fn shell_run(r: FastlaneRun, scope: Scope) -> ShellRun {
    ShellRun {
        action: r.action.name,
        text: r.text,
        span: r.span,
        scope,
        apple_id: r.apple_id,
        key: r.key,
        readonly: r.readonly,
        via: None,
    }
}

/// One argument of `sh("fastlane", "pilot", ...)` as a word: the text of a string or heredoc (or
/// of a variable holding one: the latest way it may hold one), else unknown.
fn word_of<'t>(
    node: Node<'t>,
    src: &str,
    text_of: &impl Fn(Node<'t>) -> Vec<(Vec<Node<'t>>, bool)>,
) -> Word {
    let text = match text_of(node).first() {
        Some((parts, _)) => decode_all(parts, src).0.iter().map(|(c, _)| *c).collect(),
        None => OPAQUE.to_string(),
    };
    Word {
        text,
        span: Span::new(node.start_byte(), node.end_byte()),
    }
}

/// Where one piece of a command's text starts and ends in the source.
struct Seam {
    /// Where its first character is (none when it is empty).
    first: Option<usize>,
    /// Where its text ends.
    end: usize,
}

/// The text of strings and heredoc bodies one after the other (a variable's string and what `+=`
/// or `<<` added to it), and where each one's text starts and ends.
fn decode_all(parts: &[Node], src: &str) -> (Vec<Char>, Vec<Seam>) {
    let mut out = Vec::new();
    let mut seams = Vec::with_capacity(parts.len());
    for part in parts {
        let (chars, end) = decode(*part, src);
        seams.push(Seam {
            first: chars.first().map(|(_, at)| *at),
            end,
        });
        out.extend(chars);
    }
    (out, seams)
}

/// A span found in the text of several pieces, that ends with the last character of one: a
/// character ends where the next one starts, which for that one is in the next piece, so the span
/// is cut back to where its piece's text ends.
fn within_parts(span: Span, seams: &[Seam]) -> Span {
    for pair in seams.windows(2) {
        if pair[1].first == Some(span.end) && span.start < pair[0].end {
            return Span::new(span.start, pair[0].end);
        }
    }
    span
}

/// The part of a heredoc's content that is the string's text, and where it starts: the body's
/// first content starts with the end of the line that opens the heredoc, and its last one ends
/// with the indentation of the closing word, neither of which the string holds.
fn heredoc_text<'s>(content: Node, src: &'s str) -> (usize, &'s str) {
    let mut from = content.start_byte();
    let mut text = text(content, src);
    if content.prev_named_sibling().is_none() {
        let rest = text
            .strip_prefix("\r\n")
            .or_else(|| text.strip_prefix('\n'))
            .unwrap_or(text);
        from += text.len() - rest.len();
        text = rest;
    }
    if content
        .next_named_sibling()
        .is_none_or(|n| n.kind() == "heredoc_end")
    {
        if let Some(newline) = text.rfind('\n') {
            if text[newline + 1..].chars().all(|c| c == ' ' || c == '\t') {
                text = &text[..=newline];
            }
        }
    }
    (from, text)
}

/// The text of a string, heredoc body or backtick node: its runs of text, escape sequences decoded
/// as Ruby does, and each interpolation as one [`OPAQUE`] character; and where that text ends.
fn decode(node: Node, src: &str) -> (Vec<Char>, usize) {
    let mut out = Vec::new();
    let mut end = node.start_byte();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let at = child.start_byte();
        match Kind::of(child) {
            Kind::StringContent => {
                out.extend(text(child, src).char_indices().map(|(i, c)| (c, at + i)))
            }
            Kind::HeredocContent => {
                let (from, content) = heredoc_text(child, src);
                out.extend(content.char_indices().map(|(i, c)| (c, from + i)))
            }
            Kind::EscapeSequence => {
                let escaped = text(child, src).chars().nth(1).and_then(|c| match c {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    's' => Some(' '),
                    'r' => Some('\r'),
                    // A backslash at the end of a line joins the lines.
                    '\n' => None,
                    other => Some(other),
                });
                out.extend(escaped.map(|c| (c, at)));
            }
            Kind::Interpolation => out.push((OPAQUE, at)),
            _ => continue,
        }
        end = child.end_byte();
    }
    (out, end)
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_ruby;

    fn runs(src: &str) -> Vec<(String, Option<String>, bool)> {
        crate::extract::ruby::extract(&parse_ruby(src).unwrap(), src)
            .shell
            .iter()
            .map(|r| {
                (
                    src[r.span.start..r.span.end].to_string(),
                    r.apple_id.map(|s| src[s.start..s.end].to_string()),
                    r.key,
                )
            })
            .collect()
    }

    #[test]
    fn reads_sh_system_and_backticks() {
        let src = r#"lane :a do
  sh("bundle exec fastlane pilot upload -u '#{ENV["ME"]}' --skip_waiting_for_build_processing")
  sh "cd .. && fastlane deliver --api_key_path k.json"
  system("fastlane", "match", "appstore", "--username", user)
  sh(command: "FASTLANE_USER=me fastlane sigh", log: false)
  out = `fastlane pem -u me`
  x = %x(fastlane run download_dsyms username:"me")
  sh("echo \"fastlane pilot -u me\"")
  sh(cmd)
  puts("fastlane pilot -u me")
end
"#;
        assert_eq!(
            runs(src),
            vec![
                (
                    "fastlane pilot".into(),
                    Some(r#"-u '#{ENV["ME"]}'"#.into()),
                    false
                ),
                ("fastlane deliver".into(), None, true),
                (
                    r#""fastlane", "match""#.into(),
                    Some(r#""--username", user"#.into()),
                    false
                ),
                (
                    "fastlane sigh".into(),
                    Some("FASTLANE_USER=me".into()),
                    false
                ),
                ("fastlane pem".into(), Some("-u me".into()), false),
                (
                    "fastlane run download_dsyms".into(),
                    Some(r#"username:"me""#.into()),
                    false
                ),
            ]
        );
    }

    /// Each heredoc body belongs to the opening it follows, in order along the line; a heredoc
    /// that is not run is not read.
    #[test]
    fn heredocs_are_read_from_their_own_bodies() {
        let src = r#"lane :a do
  notes = <<~NOTES
    fastlane pilot -u someone
  NOTES
  puts(<<~A); sh(<<~B)
    fastlane deliver -u first
  A
    fastlane pilot -u second
  B
  sh <<~'RAW'
    fastlane pem -u third
  RAW
end
"#;
        assert_eq!(
            runs(src),
            vec![
                ("fastlane pilot".into(), Some("-u second".into()), false),
                ("fastlane pem".into(), Some("-u third".into()), false),
            ]
        );
    }

    /// A variable is followed to its last plain assignment before the call, in the same lane.
    #[test]
    fn variables_are_followed_to_their_last_string() {
        let src = r#"cmd = "fastlane deliver -u top"
lane :a do
  sh(cmd)
  cmd = "fastlane pilot -u first"
  cmd = "fastlane pilot -u second".strip
  sh(cmd, log: false)
  cmd = make_command
  sh(cmd)
  other = "fastlane sigh"
  other << " -u later"
  sh(command: other)
end
"#;
        assert_eq!(
            runs(src),
            vec![
                ("fastlane pilot".into(), Some("-u second".into()), false),
                // What `<<` adds is part of it.
                ("fastlane sigh".into(), Some("-u later".into()), false),
            ]
        );
        let model = crate::extract::ruby::extract(&parse_ruby(src).unwrap(), src);
        let via: Vec<&str> = model
            .shell
            .iter()
            .map(|r| r.via.map_or("", |s| &src[s.start..s.end]))
            .collect();
        assert_eq!(via, ["sh(cmd, log: false)", "sh(command: other)"]);
    }

    /// `+=` and `<<` add strings and heredocs to a variable's text; anything else added leaves it
    /// unknown, and a new `=` starts it again.
    #[test]
    fn strings_added_with_plus_equals_are_read_after_the_first() {
        let src = r#"lane :a do
  cmd = "fastlane pilot"
  cmd += " upload"
  cmd += <<~FLAGS.chomp
     -u second
  FLAGS
  sh(cmd)
  unknown = "fastlane deliver -u me"
  unknown += flags
  sh(unknown)
  again = "echo"
  again += " x"
  again = "fastlane sigh"
  again += " --username=third"
  system(again)
  shifted = "fastlane match".dup
  shifted << " appstore" << " --username fourth"
  sh(shifted)
end
"#;
        // Each span is cut at the end of its string, not run on to the next one.
        assert_eq!(
            runs(src),
            vec![
                ("fastlane pilot".into(), Some("-u second".into()), false),
                (
                    "fastlane sigh".into(),
                    Some("--username=third".into()),
                    false
                ),
                (
                    "fastlane match".into(),
                    Some("--username fourth".into()),
                    false
                ),
            ]
        );
    }

    /// A variable assigned under a condition is read along each way it may hold at the run: from
    /// the string assigned under the condition, and from the one assigned before it for certain,
    /// with what was added outside the condition's code.
    #[test]
    fn a_variable_assigned_under_a_condition_is_read_both_ways() {
        let src = r#"lane :a do
  cmd = "fastlane pilot upload -u first"
  if ENV["CI"]
    cmd = "echo skipped"
  end
  sh(cmd)
  keyed = "fastlane deliver -u second"
  keyed = "fastlane deliver --api_key_path k.json" if ENV["KEY"]
  sh(keyed)
  both = "fastlane sigh"
  if ENV["KEY"]
    both = "fastlane sigh --api_key_path k.json"
  else
    both = "fastlane sigh -u third"
  end
  sh(both)
  added = "fastlane cert"
  unless ENV["KEY"]
    added = "fastlane cert --development"
    added += " -u inside"
  end
  added += " -u outside"
  sh(added)
  each = "echo"
  %w[a].each { |x| each = "fastlane cert -u fourth" }
  sh(each)
  unknown = "fastlane produce -u fifth"
  unknown = make_command if ENV["X"]
  sh(unknown)
  sure = "fastlane pem -u sixth"
  sure = "echo"
  sh(sure)
  begin
    inner = "fastlane pem"
    inner += " -u seventh"
    sh(inner)
  rescue
    inner = "fastlane pem -u eighth"
  end
end
"#;
        assert_eq!(
            runs(src),
            vec![
                ("fastlane pilot".into(), Some("-u first".into()), false),
                ("fastlane deliver".into(), Some("-u second".into()), false),
                ("fastlane deliver".into(), None, true),
                ("fastlane sigh".into(), None, false),
                ("fastlane sigh".into(), None, true),
                ("fastlane sigh".into(), Some("-u third".into()), false),
                // Without the branch: no `-u inside`, but what is added after it.
                ("fastlane cert".into(), Some("-u outside".into()), false),
                ("fastlane cert".into(), Some("-u inside".into()), false),
                ("fastlane cert".into(), Some("-u fourth".into()), false),
                ("fastlane produce".into(), Some("-u fifth".into()), false),
                ("fastlane pem".into(), Some("-u seventh".into()), false),
            ]
        );
    }

    /// A string chosen by a ternary is read both ways, held in a variable or given to `sh` itself.
    #[test]
    fn a_ternary_is_read_both_ways() {
        let src = r#"lane :a do
  cmd = ENV["KEY"] ? "fastlane pilot upload --api_key_path k.json" : "fastlane pilot upload -u first"
  cmd += " --verbose"
  sh(cmd)
  sh(ENV["CI"] ? "echo skipped" : "fastlane deliver -u second")
  unknown = ENV["KEY"] ? make_command : "fastlane sigh -u third".strip
  sh(unknown)
end
"#;
        assert_eq!(
            runs(src),
            vec![
                ("fastlane pilot".into(), None, true),
                ("fastlane pilot".into(), Some("-u first".into()), false),
                ("fastlane deliver".into(), Some("-u second".into()), false),
                // A branch that is not a string is not read; the other is.
                ("fastlane sigh".into(), Some("-u third".into()), false),
            ]
        );
    }

    /// One command run twice, the second time with an Apple ID added: it is one command, and the
    /// run kept is the one that logs in with the Apple ID.
    #[test]
    fn a_command_run_twice_keeps_the_run_that_names_an_apple_id() {
        let src = r#"lane :a do
  cmd = "bundle exec fastlane pilot upload"
  sh(cmd)
  cmd += " -u ci@example.com"
  sh(cmd)
end
"#;
        assert_eq!(
            runs(src),
            vec![(
                "fastlane pilot".into(),
                Some("-u ci@example.com".into()),
                false
            )]
        );
    }

    /// Runs one after another of a variable assigned under as many conditions: each string is
    /// read, once, and a run reads at most `MAX_PARTS` pieces over all its ways.
    #[test]
    fn many_conditional_assignments_are_each_read_once() {
        let mut src = String::from("lane :a do\n  cmd = \"echo\"\n");
        for i in 0..300 {
            src.push_str(&format!(
                "  cmd = \"fastlane pilot upload -u me{i}\" if ENV[\"X{i}\"]\n  sh(cmd)\n"
            ));
        }
        src.push_str("end\n");
        let found = runs(&src);
        assert_eq!(found.len(), 300);
        for (i, (_, apple_id, _)) in found.iter().enumerate() {
            assert_eq!(apple_id.as_deref(), Some(format!("-u me{i}").as_str()));
        }
        let model = crate::extract::ruby::extract(&parse_ruby(&src).unwrap(), &src);
        // Each string is reported at the first run that reads it: the one just after it.
        for (i, run) in model.shell.iter().enumerate() {
            let via = run.via.expect("held in a variable");
            assert_eq!(src[..via.start].matches('\n').count(), 2 + 2 * i + 1);
        }
        // One run after four conditions, each followed by 12 pieces added: the ways are read
        // latest first, 13 and then 25 pieces; the third, of 37, would pass the limit of 64.
        let mut src = String::from("lane :a do\n  cmd = \"fastlane deliver -u first\"\n");
        for j in 1..=4 {
            src.push_str(&format!(
                "  cmd = \"fastlane pilot upload -u s{j}\" if ENV[\"X\"]\n"
            ));
            src.push_str(&"  cmd += \" --verbose\"\n".repeat(12));
        }
        src.push_str("  sh(cmd)\nend\n");
        assert_eq!(
            runs(&src),
            vec![
                ("fastlane pilot".into(), Some("-u s3".into()), false),
                ("fastlane pilot".into(), Some("-u s4".into()), false),
            ]
        );
    }

    /// A command put together from more pieces than are read is not read.
    #[test]
    fn a_command_of_too_many_pieces_is_not_read() {
        let pieces = |n: usize| {
            let mut src = String::from("lane :a do\n  cmd = \"fastlane pilot upload\"\n");
            for _ in 1..n {
                src.push_str("  cmd += \" -u me\"\n");
            }
            src + "  sh(cmd)\nend\n"
        };
        assert_eq!(runs(&pieces(super::MAX_PARTS)).len(), 1);
        assert!(runs(&pieces(super::MAX_PARTS + 1)).is_empty());
    }

    /// Shell quotes, Ruby escapes and interpolations in every order, next to multi-byte text: no
    /// panic, and every span lies on character boundaries of the file.
    #[test]
    fn odd_text_gives_sound_spans() {
        let parts = [
            "fastlane pilot -u ",
            "é",
            "\\\\",
            "\\\"",
            "'",
            "#{x}",
            "\\n",
            "`",
            "#",
            "&&",
            " ",
            "fastlane pem",
            "--username=",
            "ü",
            ";",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    for shape in [
                        "sh(\"{}\")",
                        "`{}`",
                        "system(\"fastlane\", \"{}\")",
                        "sh '{}'",
                    ] {
                        let src = shape.replace("{}", &format!("{a}{b}{c}"));
                        let Some(tree) = parse_ruby(&src) else {
                            continue;
                        };
                        for r in &crate::extract::ruby::extract(&tree, &src).shell {
                            for s in std::iter::once(r.span).chain(r.apple_id) {
                                assert!(
                                    s.start <= s.end && src.get(s.start..s.end).is_some(),
                                    "{src:?}: {s:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_backslash_at_the_end_of_a_line_joins_it_to_the_next() {
        let src = "sh(\"bundle exec fastlane pilot upload \\\n  -u me\")\n";
        assert_eq!(
            runs(src),
            vec![("fastlane pilot".into(), Some("-u me".into()), false)]
        );
    }

    #[test]
    fn an_escaped_quote_is_a_shell_quote() {
        let src = "sh(\"fastlane pilot -u \\\"me x\\\" --x\")\n";
        assert_eq!(
            runs(src),
            vec![(
                "fastlane pilot".into(),
                Some("-u \\\"me x\\\"".into()),
                false
            )]
        );
    }
}
