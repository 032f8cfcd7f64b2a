//! Following a hash variable to its literal: `opts = { username: "x" }` … `pilot(opts)`.
//!
//! A call's local variable belongs to the lane, hook or method around it (or to a block that
//! declares it as a parameter). What that scope holds is worked out once per scope and variable
//! and kept in [`Lookups`] for every call of the file: a lane of thousands of `pilot(opts)` calls
//! would otherwise walk its whole body once per call. The calls' nodes, and the nodes above
//! them, are found in one walk of the tree for all the calls ([`Spanning`]).

use foldhash::{HashMap, HashMapExt};

use tree_sitter::{Node, Tree};

use super::rewrite::{text, Family};
use crate::parse::Spanning;

/// DSL words whose block is a lane or hook body: the scope of the locals in it.
const BODY_WORDS: &[&str] = &[
    "lane",
    "private_lane",
    "override_lane",
    "before_all",
    "before_each",
    "after_each",
    "after_all",
    "error",
];

/// Node kinds that start a new local-variable scope.
pub(super) const SCOPE_KINDS: &[&str] =
    &["method", "singleton_method", "class", "module", "program"];

/// Hash methods that read or change the hash in place without passing it on.
const IN_PLACE: &[&str] = &[
    "[]=",
    "store",
    "merge!",
    "update",
    "delete",
    "key?",
    "has_key?",
    "include?",
    "fetch",
    "dig",
    "empty?",
    "any?",
    "each",
    "each_pair",
];

const NOT_LOCAL: &str = "is not a hash literal assigned in the same lane or method";

/// What the rewrites of one file's calls look up in its tree, each worked out once.
pub struct Lookups<'t> {
    spanning: Spanning<'t>,
    /// (scope node id, variable) → what the scope holds of the variable.
    vars: HashMap<(usize, String), VarFacts<'t>>,
}

/// The nodes of one scope that name one variable, in source order.
struct VarFacts<'t> {
    /// Assignments of a hash literal to it (`var = { ... }`): (assignment start, the literal).
    /// A later assignment's literal starts later too (one inside another's literal included).
    hash_literals: Vec<(usize, Node<'t>)>,
    /// Every assignment naming it (`var = `, `var ||= `, `var, x = `), by start.
    assignments: Vec<Node<'t>>,
    /// Each identifier naming it, with its parent.
    names: Vec<(Node<'t>, Node<'t>)>,
    /// Whether the literal of an assignment can take options, by (assignment id, the family
    /// of the call that passes the variable).
    followable: HashMap<(usize, Family), Followed<'t>>,
}

/// The literal options can go into, or why they cannot.
type Followed<'t> = Result<Node<'t>, &'static str>;

impl<'t> Lookups<'t> {
    /// The lookups for the calls whose names span `names`.
    pub fn new(tree: &'t Tree, names: &[std::ops::Range<usize>]) -> Self {
        Lookups {
            spanning: Spanning::find(tree, names),
            vars: HashMap::new(),
        }
    }

    /// The name node of a call (the deepest named node spanning `name`) and its parent.
    pub fn name(&self, name: &std::ops::Range<usize>) -> Option<(Node<'t>, Option<Node<'t>>)> {
        let node = self.spanning.node(name)?;
        Some((node, self.spanning.parent(node)))
    }

    /// The nodes above `node`, its parent first.
    fn ancestors(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut path = Vec::new();
        let mut up = self.spanning.parent(node);
        while let Some(n) = up {
            path.push(n);
            up = self.spanning.parent(n);
        }
        path
    }

    /// The hash literal last assigned to `var` before `at` in the enclosing lane or method.
    pub fn hash_literal_for(&mut self, src: &str, at: Node<'t>, var: &str) -> Option<Node<'t>> {
        let key = self.facts(src, at, var)?;
        let facts = &self.vars[&key];
        let before = facts
            .hash_literals
            .partition_point(|&(start, _)| start < at.start_byte());
        Some(facts.hash_literals[before.checked_sub(1)?].1)
    }

    /// The hash literal assigned to `var` that the `call` passes, when options can safely be
    /// added to it: `var` is assigned once before the call in the same lane or method, a hash
    /// literal, and afterwards only passed to actions of the call's family or read and changed
    /// in place.
    pub fn followable_hash(
        &mut self,
        src: &str,
        call: Node<'t>,
        var: &str,
    ) -> Result<Node<'t>, &'static str> {
        let key = self.facts(src, call, var).ok_or(NOT_LOCAL)?;
        let facts = &self.vars[&key];
        let family = call
            .child_by_field_name("method")
            .map(|m| Family::of_action(text(src, m)))
            .unwrap_or(Family::Other);
        let before = facts
            .assignments
            .partition_point(|n| n.start_byte() < call.start_byte());
        let assignment = match before {
            0 => return Err(NOT_LOCAL),
            1 => facts.assignments[0],
            _ => return Err("is assigned more than once"),
        };
        let followed = (assignment.id(), family);
        if let Some(known) = facts.followable.get(&followed) {
            return *known;
        }
        let result = uses_allow_options(src, facts, assignment, family);
        if let Some(facts) = self.vars.get_mut(&key) {
            facts.followable.insert(followed, result);
        }
        result
    }

    /// Works out what the scope that `at` sees `var` in holds of it, once per scope and
    /// variable, and gives its key in `vars`; `None` when a block on the way declares `var` as a
    /// parameter.
    fn facts(&mut self, src: &str, at: Node<'t>, var: &str) -> Option<(usize, String)> {
        let scope = enclosing_scope(src, &self.ancestors(at), var)?;
        let key = (scope.id(), var.to_string());
        if !self.vars.contains_key(&key) {
            self.vars.insert(key.clone(), var_facts(src, scope, var));
        }
        Some(key)
    }
}

/// The lane, hook or method body (or the top level) whose local `var` the code below `above`
/// (its ancestors, nearest first) sees. `None` when a block on the way declares `var` as a
/// parameter.
fn enclosing_scope<'t>(src: &str, above: &[Node<'t>], var: &str) -> Option<Node<'t>> {
    for (i, &n) in above.iter().enumerate() {
        if SCOPE_KINDS.contains(&n.kind()) {
            return Some(n);
        }
        if matches!(n.kind(), "do_block" | "block") {
            let owner = above
                .get(i + 1)
                .filter(|p| p.kind() == "call" && p.child_by_field_name("receiver").is_none())
                .and_then(|p| p.child_by_field_name("method"))
                .map(|m| text(src, m));
            if owner.is_some_and(|o| BODY_WORDS.contains(&o)) {
                return Some(n);
            }
            if n.child_by_field_name("parameters")
                .is_some_and(|p| declares(src, p, var))
            {
                return None;
            }
        }
    }
    None
}

/// Whether a parameter list names `var`.
fn declares(src: &str, params: Node, var: &str) -> bool {
    let mut stack = vec![params];
    while let Some(n) = stack.pop() {
        if n.kind() == "identifier" && text(src, n) == var {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    false
}

/// The named nodes under `scope` that belong to it (not to methods, classes or modules inside
/// it), each with its parent, in source order.
fn scope_nodes<'t>(scope: Node<'t>) -> Vec<(Node<'t>, Option<Node<'t>>)> {
    let mut out = Vec::new();
    let mut stack = vec![(scope, None)];
    while let Some((node, parent)) = stack.pop() {
        out.push((node, parent));
        let mut cursor = node.walk();
        let first = stack.len();
        for child in node.named_children(&mut cursor) {
            if !SCOPE_KINDS.contains(&child.kind()) {
                stack.push((child, Some(node)));
            }
        }
        // Children are taken first to last.
        stack[first..].reverse();
    }
    out
}

fn var_facts<'t>(src: &str, scope: Node<'t>, var: &str) -> VarFacts<'t> {
    let named =
        |n: Option<Node>| n.is_some_and(|n| n.kind() == "identifier" && text(src, n) == var);
    let mut facts = VarFacts {
        hash_literals: Vec::new(),
        assignments: Vec::new(),
        names: Vec::new(),
        followable: HashMap::new(),
    };
    for (n, parent) in scope_nodes(scope) {
        let assigns = match n.kind() {
            "assignment" | "operator_assignment" => named(n.child_by_field_name("left")),
            "left_assignment_list" => {
                let mut cursor = n.walk();
                let hit = n
                    .named_children(&mut cursor)
                    .any(|c| named(Some(c)) || named(c.named_child(0)));
                hit
            }
            _ => false,
        };
        if assigns {
            facts.assignments.push(n);
        }
        if n.kind() == "assignment" {
            let left = n.child_by_field_name("left");
            let right = n.child_by_field_name("right");
            if let (Some(l), Some(r)) = (left, right) {
                if l.kind() == "identifier" && text(src, l) == var && r.kind() == "hash" {
                    facts.hash_literals.push((n.start_byte(), r));
                }
            }
        }
        if let Some(parent) = parent.filter(|_| named(Some(n))) {
            facts.names.push((n, parent));
        }
    }
    facts.assignments.sort_by_key(|n| n.start_byte());
    facts.hash_literals.sort_by_key(|&(start, _)| start);
    facts
}

/// Whether, after `assignment` gives `var` its literal, `var` is only passed to actions of
/// `family` or read and changed in place: the literal, or why options cannot go into it.
fn uses_allow_options<'t>(
    src: &str,
    facts: &VarFacts<'t>,
    assignment: Node<'t>,
    family: Family,
) -> Result<Node<'t>, &'static str> {
    let hash = assignment
        .child_by_field_name("right")
        .filter(|r| assignment.kind() == "assignment" && r.kind() == "hash")
        .ok_or(NOT_LOCAL)?;
    let passed_to_family = |list: Node| {
        list.kind() == "argument_list"
            && list.parent().is_some_and(|c| {
                c.kind() == "call"
                    && c.child_by_field_name("receiver").is_none()
                    && c.child_by_field_name("method")
                        .is_some_and(|m| Family::of_action(text(src, m)) == family)
            })
    };
    for &(node, parent) in &facts.names {
        if node.start_byte() < assignment.end_byte() {
            continue;
        }
        let field_is = |field: &str| parent.child_by_field_name(field) == Some(node);
        let fine = match parent.kind() {
            // A method name (`x.opts`), or a later assignment of something else to it.
            "call" if field_is("method") => true,
            "assignment" | "operator_assignment" if field_is("left") => true,
            "argument_list" => passed_to_family(parent),
            "hash_splat_argument" => parent.parent().is_some_and(passed_to_family),
            "element_reference" => field_is("object"),
            "call" if field_is("receiver") => parent
                .child_by_field_name("method")
                .is_some_and(|m| IN_PLACE.contains(&text(src, m))),
            _ => false,
        };
        if !fine {
            return Err("is also used for something else");
        }
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "lane :a do |opts|\n  o = {a: 1}\n  foo { |x| deliver(o, **x) }\n  def m\n    o = 2\n  end\n  o[:k] = 1\nend\nx = [1, {b: -> { y }}]\n";

    #[test]
    fn scope_nodes_know_their_parents_and_ancestors_are_the_climb() {
        let tree = crate::parse::parse_ruby(SRC).unwrap();
        let nodes = scope_nodes(tree.root_node());
        let ranges: Vec<_> = nodes.iter().map(|(n, _)| n.byte_range()).collect();
        let lookups = Lookups::new(&tree, &ranges);
        assert!(nodes.len() > 20);
        // Source order, and the nodes of the method body are left out.
        assert!(nodes
            .windows(2)
            .all(|w| w[0].0.start_byte() <= w[1].0.start_byte()));
        assert!(!nodes.iter().any(|(n, _)| &SRC[n.byte_range()] == "2"));
        for (node, parent) in nodes {
            assert_eq!(parent, node.parent());
            let mut climbed = Vec::new();
            let mut up = node.parent();
            while let Some(n) = up {
                climbed.push(n);
                up = n.parent();
            }
            assert_eq!(lookups.ancestors(node), climbed);
        }
    }

    #[test]
    fn a_block_parameter_hides_the_variable() {
        let tree = crate::parse::parse_ruby(SRC).unwrap();
        let mut lookups = Lookups::new(&tree, &[]);
        let call = |name: &str| {
            let at = SRC.find(name).unwrap();
            let name = tree
                .root_node()
                .named_descendant_for_byte_range(at, at + name.len())
                .unwrap();
            name.parent().unwrap()
        };
        let deliver = call("deliver");
        let literal = lookups.hash_literal_for(SRC, deliver, "o").unwrap();
        assert_eq!(&SRC[literal.byte_range()], "{a: 1}");
        // `o[:k] = 1` changes it in place: options can go into it.
        assert_eq!(lookups.followable_hash(SRC, deliver, "o"), Ok(literal));
        // `x` is the block's parameter; `opts` is never assigned a literal.
        assert_eq!(lookups.hash_literal_for(SRC, deliver, "x"), None);
        assert_eq!(
            lookups.followable_hash(SRC, deliver, "opts"),
            Err(NOT_LOCAL)
        );
    }
}
