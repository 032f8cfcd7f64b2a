//! `queries/ruby.scm`, compiled into a table from node kind to capture.
//!
//! Every pattern of the query names a single node kind (`(call) @call`). A pattern like that needs
//! none of tree-sitter's query engine: extraction walks the tree once with a cursor and looks each
//! node's kind up in this table. That skips the query compile (about 6 ms, paid by every run) and
//! the query cursor's per-node matching (about a fifth of a check's CPU time on many Fastfiles).
//! A pattern that is not a single node kind is refused when the table is built, so the query file
//! cannot silently ask for more than the walk gives.

use std::sync::LazyLock;

use tree_sitter::Language;

/// The captures `queries/ruby.scm` may use, one per thing extraction reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    Call,
    Def,
    Identifier,
    Declares,
    DeclaresName,
    DeclaresLoop,
    NotACall,
    Element,
    Assign,
    ConstantPath,
    Comment,
    Subshell,
    Heredoc,
    Append,
    Branch,
}

impl Capture {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "call" => Capture::Call,
            "def" => Capture::Def,
            "identifier" => Capture::Identifier,
            "declares" => Capture::Declares,
            "declares.name" => Capture::DeclaresName,
            "declares.loop" => Capture::DeclaresLoop,
            "not_a_call" => Capture::NotACall,
            "element" => Capture::Element,
            "assign" => Capture::Assign,
            "constant_path" => Capture::ConstantPath,
            "comment" => Capture::Comment,
            "subshell" => Capture::Subshell,
            "heredoc" => Capture::Heredoc,
            "append" => Capture::Append,
            "branch" => Capture::Branch,
            _ => return None,
        })
    }
}

/// Node kind id → capture, for every named node kind of the grammar.
#[derive(Debug)]
pub struct KindTable {
    by_kind: Vec<Option<Capture>>,
}

impl KindTable {
    /// Compiles query text: one `(kind) @capture` per line, `;` comments, blank lines.
    pub fn compile(language: &'static Language, query: &str) -> Result<Self, String> {
        let mut by_kind = vec![None; language.node_kind_count()];
        for (i, line) in query.lines().enumerate() {
            let line = line.split(';').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let at = |what: &str| format!("queries/ruby.scm line {}: {what}: {line}", i + 1);
            let (pattern, capture) = line
                .split_once('@')
                .ok_or_else(|| at("a pattern without a capture"))?;
            let kind = pattern
                .trim()
                .strip_prefix('(')
                .and_then(|p| p.strip_suffix(')'))
                .filter(|k| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
                .ok_or_else(|| at("not a single node kind"))?;
            let capture =
                Capture::from_name(capture.trim()).ok_or_else(|| at("an unknown capture"))?;
            let mut found = false;
            for (id, slot) in by_kind.iter_mut().enumerate() {
                let id = id as u16;
                if named_kind(language, id) == Some(kind) {
                    if slot.is_some_and(|c| c != capture) {
                        return Err(at("a node kind captured twice"));
                    }
                    *slot = Some(capture);
                    found = true;
                }
            }
            if !found {
                return Err(at("a node kind the Ruby grammar does not have"));
            }
        }
        Ok(KindTable { by_kind })
    }

    /// The capture for a node of this kind, if the query names it.
    #[inline]
    pub fn capture(&self, kind_id: u16) -> Option<Capture> {
        self.by_kind.get(kind_id as usize).copied().flatten()
    }
}

/// `queries/ruby.scm`, compiled once per process.
pub static RUBY_KINDS: LazyLock<KindTable> = LazyLock::new(|| {
    KindTable::compile(
        crate::parse::language(),
        include_str!("../queries/ruby.scm"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

/// The node kinds extraction tells apart by name, as a table from kind id: comparing ids skips the
/// name lookup and string comparison that [`tree_sitter::Node::kind`] costs on every node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Other,
    Assignment,
    Call,
    Comment,
    Conditional,
    Constant,
    DelimitedSymbol,
    ElementReference,
    EscapeSequence,
    False,
    Hash,
    HashKeySymbol,
    HashSplatArgument,
    HeredocBeginning,
    HeredocContent,
    Identifier,
    Integer,
    Interpolation,
    Nil,
    Pair,
    ParenthesizedStatements,
    ScopeResolution,
    SimpleSymbol,
    String,
    StringContent,
    Subshell,
    True,
}

impl Kind {
    const NAMED: [(&'static str, Kind); 26] = [
        ("assignment", Kind::Assignment),
        ("call", Kind::Call),
        ("comment", Kind::Comment),
        ("conditional", Kind::Conditional),
        ("constant", Kind::Constant),
        ("delimited_symbol", Kind::DelimitedSymbol),
        ("element_reference", Kind::ElementReference),
        ("escape_sequence", Kind::EscapeSequence),
        ("false", Kind::False),
        ("hash", Kind::Hash),
        ("hash_key_symbol", Kind::HashKeySymbol),
        ("hash_splat_argument", Kind::HashSplatArgument),
        ("heredoc_beginning", Kind::HeredocBeginning),
        ("heredoc_content", Kind::HeredocContent),
        ("identifier", Kind::Identifier),
        ("integer", Kind::Integer),
        ("interpolation", Kind::Interpolation),
        ("nil", Kind::Nil),
        ("pair", Kind::Pair),
        ("parenthesized_statements", Kind::ParenthesizedStatements),
        ("scope_resolution", Kind::ScopeResolution),
        ("simple_symbol", Kind::SimpleSymbol),
        ("string", Kind::String),
        ("string_content", Kind::StringContent),
        ("subshell", Kind::Subshell),
        ("true", Kind::True),
    ];

    /// The kind of a node of the Ruby grammar.
    #[inline]
    pub fn of(node: tree_sitter::Node) -> Kind {
        KINDS
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Kind::Other)
    }
}

/// Kind id → [`Kind`], for every named node kind of the grammar (every id that has one of the names,
/// so aliases are covered too).
static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    let language = crate::parse::language();
    (0..language.node_kind_count() as u16)
        .map(|id| {
            let name = named_kind(language, id);
            Kind::NAMED
                .iter()
                .find(|(n, _)| Some(*n) == name)
                .map_or(Kind::Other, |(_, kind)| *kind)
        })
        .collect()
});

/// The name of a named node kind of the grammar; `None` for an anonymous token (`nil`, `(`) or an
/// id the grammar does not have. Both tables are keyed by it, so an alias of a kind gets the
/// kind's entry and a token spelled like it does not.
fn named_kind(language: &'static Language, id: u16) -> Option<&'static str> {
    language
        .node_kind_is_named(id)
        .then(|| language.node_kind_for_id(id))
        .flatten()
}

/// Field ids of the Ruby grammar that extraction reads, looked up by name once: a lookup by id
/// skips the name search `child_by_field_name` does on every call.
pub struct Fields {
    pub arguments: u16,
    pub alternative: u16,
    pub block: u16,
    pub body: u16,
    pub consequence: u16,
    pub key: u16,
    pub left: u16,
    pub method: u16,
    pub name: u16,
    pub object: u16,
    pub parameters: u16,
    pub pattern: u16,
    pub receiver: u16,
    pub right: u16,
    pub scope: u16,
    pub value: u16,
}

/// The Ruby grammar's field ids.
pub static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
    let language = crate::parse::language();
    let id = |name: &str| {
        language
            .field_id_for_name(name)
            .unwrap_or_else(|| panic!("the Ruby grammar has a `{name}` field"))
            .get()
    };
    Fields {
        alternative: id("alternative"),
        arguments: id("arguments"),
        block: id("block"),
        body: id("body"),
        consequence: id("consequence"),
        key: id("key"),
        left: id("left"),
        method: id("method"),
        name: id("name"),
        object: id("object"),
        parameters: id("parameters"),
        pattern: id("pattern"),
        receiver: id("receiver"),
        right: id("right"),
        scope: id("scope"),
        value: id("value"),
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Result<KindTable, String> {
        KindTable::compile(crate::parse::language(), text)
    }

    #[test]
    fn the_bundled_query_compiles_and_names_its_kinds() {
        let table = &*RUBY_KINDS;
        let language = crate::parse::language();
        let call = language.id_for_node_kind("call", true);
        assert_eq!(table.capture(call), Some(Capture::Call));
        let string = language.id_for_node_kind("string", true);
        assert_eq!(table.capture(string), None);
        let _ = &*FIELDS;
    }

    #[test]
    fn every_kind_name_is_a_named_kind_of_the_grammar() {
        let language = crate::parse::language();
        for (name, kind) in Kind::NAMED {
            let id = language.id_for_node_kind(name, true);
            assert_ne!(id, 0, "{name}");
            assert_eq!(KINDS[id as usize], kind, "{name}");
        }
        // An anonymous token that shares its name with a named kind (the `nil` keyword inside a
        // `nil` node) is not that kind.
        let anonymous_nil = language.id_for_node_kind("nil", false);
        assert_ne!(anonymous_nil, 0);
        assert_eq!(KINDS[anonymous_nil as usize], Kind::Other);
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(language).unwrap();
        let tree = parser.parse("f(a: 'x', \"y\" => nil)", None).unwrap();
        let mut kinds = Vec::new();
        crate::parse::each_node(&tree, |n| {
            if Kind::of(n) != Kind::Other {
                kinds.push(Kind::of(n));
            }
            assert_eq!(
                Kind::of(n) != Kind::Other,
                n.is_named() && Kind::NAMED.iter().any(|(name, _)| *name == n.kind()),
                "{}",
                n.kind()
            );
        });
        assert!(
            kinds.contains(&Kind::Pair) && kinds.contains(&Kind::Nil),
            "{kinds:?}"
        );
    }

    #[test]
    fn patterns_other_than_one_node_kind_are_refused() {
        assert!(compile("(call) @call\n; note\n\n(comment) @comment").is_ok());
        let field = compile("(call method: (identifier)) @call").unwrap_err();
        assert!(field.contains("line 1: not a single node kind"), "{field}");
        assert!(compile("(call)").unwrap_err().contains("without a capture"));
        assert!(compile("(call) @nope")
            .unwrap_err()
            .contains("unknown capture"));
        assert!(compile("(no_such_kind) @call")
            .unwrap_err()
            .contains("does not have"));
        assert!(compile("(call) @call\n(call) @def")
            .unwrap_err()
            .contains("line 2: a node kind captured twice"));
    }
}
