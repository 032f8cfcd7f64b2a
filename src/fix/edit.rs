//! Byte-range edits and the one place that applies them.
//!
//! A fix is data: a list of [`Edit`]s over the original source. [`apply_edits`]
//! sorts them, refuses the whole set when any two overlap (or one is out of
//! bounds or splits a UTF-8 character), and otherwise splices them in.

use std::fmt;
use std::ops::Range;

use tree_sitter::{Point, Tree};

use crate::source::SourceFile;

/// Replace the bytes in `range` of the original source with `replacement`.
/// An empty range is an insertion at `range.start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    /// Replace `range` with `text`.
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Self {
        Edit {
            range,
            replacement: text.into(),
        }
    }

    /// Insert `text` at byte offset `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            range: at..at,
            replacement: text.into(),
        }
    }

    /// Delete the bytes in `range`.
    pub fn delete(range: Range<usize>) -> Self {
        Edit {
            range,
            replacement: String::new(),
        }
    }

    /// An edit with an empty range.
    pub fn is_insertion(&self) -> bool {
        self.range.start == self.range.end
    }
}

/// Tells `tree`, parsed from `source`, about `edits` (a set [`apply_edits`] accepted), so that
/// the edited text can be re-parsed incrementally ([`crate::parse::reparse_ruby`]).
pub fn edit_tree(tree: &mut Tree, source: &SourceFile, edits: &[Edit]) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    // From the last edit back, so that each edit's offsets are still those of `source`.
    for e in sorted.into_iter().rev() {
        let point = |(row, column): (usize, usize)| Point { row, column };
        tree.edit(&crate::parse::input_edit(
            e.range.start,
            e.range.end,
            point(source.point(e.range.start)),
            point(source.point(e.range.end)),
            &e.replacement,
        ));
    }
}

/// Why a set of edits was refused. Nothing is applied when any edit is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// `start > end`, or `end` is past the end of the source.
    OutOfBounds { range: Range<usize>, len: usize },
    /// A range boundary falls inside a multi-byte character.
    NotCharBoundary { offset: usize },
    /// Two edits touch the same bytes (or insert at the same offset, or one
    /// inserts strictly inside the range another replaces).
    Overlap {
        first: Range<usize>,
        second: Range<usize>,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::OutOfBounds { range, len } => write!(
                f,
                "edit range {}..{} is outside the source ({len} bytes)",
                range.start, range.end
            ),
            EditError::NotCharBoundary { offset } => {
                write!(f, "edit boundary {offset} is inside a UTF-8 character")
            }
            EditError::Overlap { first, second } => write!(
                f,
                "edits {}..{} and {}..{} overlap",
                first.start, first.end, second.start, second.end
            ),
        }
    }
}

impl std::error::Error for EditError {}

/// Whether two edits (sorted so that `a` starts no later than `b`) conflict.
fn conflicts(a: &Range<usize>, b: &Range<usize>) -> bool {
    let a_ins = a.start == a.end;
    let b_ins = b.start == b.end;
    match (a_ins, b_ins) {
        // Two insertions at the same place: their order would be a guess.
        (true, true) => a.start == b.start,
        // An insertion strictly inside a replaced range.
        (true, false) => a.start > b.start && a.start < b.end,
        (false, true) => b.start > a.start && b.start < a.end,
        // Two replacements sharing at least one byte.
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Refuses `edits` (given against the original `source`, in any order) when one is out of bounds
/// or splits a character, or two conflict: the checks of [`apply_edits`], without splicing.
pub fn check_edits(source: &str, edits: &[&Edit]) -> Result<(), EditError> {
    let len = source.len();
    for edit in edits {
        let Range { start, end } = edit.range;
        if start > end || end > len {
            return Err(EditError::OutOfBounds {
                range: edit.range.clone(),
                len,
            });
        }
        for offset in [start, end] {
            if !source.is_char_boundary(offset) {
                return Err(EditError::NotCharBoundary { offset });
            }
        }
    }

    let mut sorted: Vec<&Edit> = edits.to_vec();
    // Insertions at an offset sort before a replacement starting there (end is smaller).
    sorted.sort_by_key(|e| (e.range.start, e.range.end));

    // After sorting, a conflict can only involve an edit and a later one whose start
    // is before the furthest end seen so far (or equal to it for insertions).
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if b.range.start > a.range.end {
                break;
            }
            if conflicts(&a.range, &b.range) {
                return Err(EditError::Overlap {
                    first: a.range.clone(),
                    second: b.range.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Apply `edits` (given against the original `source`, in any order).
pub fn apply_edits(source: &str, edits: &[Edit]) -> Result<String, EditError> {
    let refs: Vec<&Edit> = edits.iter().collect();
    check_edits(source, &refs)?;
    let mut sorted = refs;
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let extra: usize = sorted.iter().map(|e| e.replacement.len()).sum();
    let mut out = String::with_capacity(source.len() + extra);
    let mut pos = 0;
    for edit in sorted {
        out.push_str(&source[pos..edit.range.start]);
        out.push_str(&edit.replacement);
        pos = edit.range.end;
    }
    out.push_str(&source[pos..]);
    Ok(out)
}

/// Edits over one source, taken a group at a time: a group is added only when the whole set
/// stays one [`apply_edits`] accepts. A new group is checked against the edits it could conflict
/// with (those starting within its ranges, and the replacement before each), not against the
/// whole set again, so taking many groups costs what they hold, not the file.
#[derive(Debug, Clone, Default)]
pub struct EditSet {
    /// In the order they were added.
    edits: Vec<Edit>,
    /// `(start, end, index into edits)`.
    by_range: std::collections::BTreeSet<(usize, usize, usize)>,
    /// The same, for replacements only (ranges that are not empty).
    replacements: std::collections::BTreeSet<(usize, usize, usize)>,
}

impl EditSet {
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    pub fn into_edits(self) -> Vec<Edit> {
        self.edits
    }

    fn holds(&self, edit: &Edit) -> bool {
        let Range { start, end } = edit.range;
        self.by_range
            .range((start, end, 0)..=(start, end, usize::MAX))
            .any(|&(_, _, i)| self.edits[i] == *edit)
    }

    /// The edits of `group` the set does not hold yet (each once), if the set with them is one
    /// [`apply_edits`] accepts; else the error it would give for the whole set. Nothing is added.
    pub fn check(&self, source: &str, group: &[Edit]) -> Result<Vec<Edit>, EditError> {
        let mut fresh: Vec<Edit> = Vec::new();
        for edit in group {
            if !self.holds(edit) && !fresh.contains(edit) {
                fresh.push(edit.clone());
            }
        }
        // The set's own edits were checked together when they came: only those a fresh edit
        // could conflict with are checked again, with the fresh ones.
        let mut near: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        for edit in &fresh {
            let Range { start, end } = edit.range;
            if start > end {
                continue;
            }
            near.extend(
                self.by_range
                    .range((start, 0, 0)..=(end, usize::MAX, usize::MAX))
                    .map(|&(_, _, i)| i),
            );
            // A replacement that starts before this edit and may reach into it.
            if let Some(&(_, _, i)) = self.replacements.range(..(start, 0, 0)).next_back() {
                near.insert(i);
            }
        }
        let mut together: Vec<&Edit> = near.iter().map(|&i| &self.edits[i]).collect();
        together.extend(fresh.iter());
        check_edits(source, &together)?;
        Ok(fresh)
    }

    /// Adds edits [`EditSet::check`] returned.
    pub fn add(&mut self, fresh: Vec<Edit>) {
        for edit in fresh {
            let key = (edit.range.start, edit.range.end, self.edits.len());
            self.by_range.insert(key);
            if !edit.is_insertion() {
                self.replacements.insert(key);
            }
            self.edits.push(edit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_tree_parses_again_to_the_tree_of_the_new_text() {
        use crate::parse::{outline, parse_ruby, reparse_ruby};
        let cases: Vec<(&str, Vec<Edit>)> = vec![
            // Inserted text that ends mid-line, before a token on the same line.
            (
                "lane :a do\n  pilot(skip: true)\nend\n",
                vec![Edit::insert(19, "api_key: k, ")],
            ),
            // Several lines in, ending mid-line; a replacement and a deletion further on.
            (
                "lane :a do\r\n  pilot(username: \"é@x\", skip: true)\r\n  deliver\r\nend\r\n",
                vec![
                    Edit::insert(12, "k = key(\r\n    id: 1\r\n  ); "),
                    Edit::replace(20..40, "api_key: k"),
                    Edit::delete(50..59),
                ],
            ),
            // Long stretches after the edits, on their lines and below, for the parser to reuse.
            (
                "lane :a do\n  pilot(skip: true, groups: [\"a\", \"b\", \"c\", \"d\"], notes: { x: 1, y: [2, 3] })\n  deliver(force: true, options: { a: [1, 2], b: { c: 3 } })\n  slack(message: \"done\")\nend\n\nlane :b do\n  gym(scheme: \"App\", export_options: { method: \"app-store\" })\nend\n",
                vec![
                    Edit::insert(19, "api_key: k, "),
                    Edit::insert(96, "api_key: k,\n    "),
                    Edit::replace(2..2, "# a\n  "),
                ],
            ),
            // After a byte order mark, on the first line.
            (
                "\u{feff}lane :a do\n  pilot\nend\n",
                vec![Edit::insert(3, "# é\n"), Edit::replace(18..23, "pilot(api_key: k)")],
            ),
        ];
        for (text, edits) in cases {
            let source = SourceFile::new(
                "F".into(),
                "F".into(),
                crate::source::FileKind::Fastfile,
                text.into(),
            );
            let new = apply_edits(text, &edits).unwrap();
            let mut tree = parse_ruby(text).unwrap();
            edit_tree(&mut tree, &source, &edits);
            let again = reparse_ruby(&new, &tree).unwrap();
            let fresh = parse_ruby(&new).unwrap();
            assert_eq!(outline(&again), outline(&fresh), "{new:?}");
        }
    }

    #[test]
    fn no_edits_is_identity() {
        assert_eq!(apply_edits("abc\r\n", &[]).unwrap(), "abc\r\n");
    }

    #[test]
    fn applies_in_any_order() {
        let src = "pilot(username: \"x\", force: true)";
        let edits = [
            Edit::replace(6..19, "api_key: api_key"),
            Edit::insert(0, "# hi\n"),
            Edit::delete(19..21),
        ];
        let want = "# hi\npilot(api_key: api_keyforce: true)";
        assert_eq!(apply_edits(src, &edits).unwrap(), want);
        let mut rev = edits.to_vec();
        rev.reverse();
        assert_eq!(apply_edits(src, &rev).unwrap(), want);
    }

    #[test]
    fn insertion_at_either_end_of_a_replacement_is_fine() {
        let src = "abcdef";
        let edits = [
            Edit::insert(2, "<"),
            Edit::replace(2..4, "XY"),
            Edit::insert(4, ">"),
        ];
        assert_eq!(apply_edits(src, &edits).unwrap(), "ab<XY>ef");
    }

    #[test]
    fn adjacent_replacements_are_fine() {
        let edits = [Edit::replace(0..2, "1"), Edit::replace(2..4, "2")];
        assert_eq!(apply_edits("abcd", &edits).unwrap(), "12");
    }

    #[test]
    fn overlap_is_refused() {
        let edits = [Edit::replace(0..3, "x"), Edit::replace(2..4, "y")];
        assert!(matches!(
            apply_edits("abcdef", &edits),
            Err(EditError::Overlap { .. })
        ));
    }

    #[test]
    fn insertion_inside_replacement_is_refused() {
        let edits = [Edit::replace(1..5, "x"), Edit::insert(3, "y")];
        assert!(matches!(
            apply_edits("abcdef", &edits),
            Err(EditError::Overlap { .. })
        ));
    }

    #[test]
    fn two_insertions_at_one_offset_are_refused() {
        let edits = [Edit::insert(3, "x"), Edit::insert(3, "y")];
        assert!(matches!(
            apply_edits("abcdef", &edits),
            Err(EditError::Overlap { .. })
        ));
    }

    #[test]
    fn same_range_twice_is_refused() {
        let edits = [Edit::replace(1..2, "x"), Edit::replace(1..2, "x")];
        assert!(apply_edits("abc", &edits).is_err());
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)]
    fn out_of_bounds_and_char_boundary_are_refused() {
        assert!(matches!(
            apply_edits("abc", &[Edit::insert(4, "x")]),
            Err(EditError::OutOfBounds { .. })
        ));
        assert!(matches!(
            apply_edits(
                "abc",
                &[Edit {
                    range: 2..1,
                    replacement: String::new()
                }]
            ),
            Err(EditError::OutOfBounds { .. })
        ));
        assert!(matches!(
            apply_edits("é", &[Edit::insert(1, "x")]),
            Err(EditError::NotCharBoundary { offset: 1 })
        ));
    }

    #[test]
    fn error_messages_read_well() {
        let err =
            apply_edits("abc", &[Edit::replace(0..2, ""), Edit::replace(1..3, "")]).unwrap_err();
        assert_eq!(err.to_string(), "edits 0..2 and 1..3 overlap");
    }
}
