//! Property tests for the edit applier.

use fastlint::fix::edit::{apply_edits, Edit, EditError, EditSet};
use proptest::prelude::*;

/// The obvious reference: apply edits back to front on a byte vector.
fn naive(source: &str, edits: &[Edit]) -> String {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut bytes = source.as_bytes().to_vec();
    for e in sorted.iter().rev() {
        bytes.splice(e.range.clone(), e.replacement.bytes());
    }
    String::from_utf8(bytes).expect("edits keep UTF-8 valid")
}

fn source() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just(' '),
            Just('\n'),
            Just('\r'),
            Just('\t'),
            Just('é'),
            Just('😀')
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn char_offsets(s: &str) -> Vec<usize> {
    let mut v: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    v.push(s.len());
    v
}

/// A source and a set of pairwise non-conflicting edits on char boundaries.
fn source_and_edits() -> impl Strategy<Value = (String, Vec<Edit>)> {
    source()
        .prop_flat_map(|src| {
            let n = char_offsets(&src).len();
            let picks = proptest::collection::vec((0..n, 0..3usize, "[x\\n]{0,3}"), 0..8);
            (Just(src), picks)
        })
        .prop_map(|(src, picks)| {
            let offs = char_offsets(&src);
            // Walk left to right so edits never overlap: each edit starts at or after the
            // previous end, insertions never share an offset with another insertion and
            // never land strictly inside a replacement.
            let mut idx: Vec<(usize, usize, String)> = picks;
            idx.sort_by_key(|p| p.0);
            let mut edits = Vec::new();
            let mut min = 0usize; // smallest char index the next edit may start at
            let mut last_insert: Option<usize> = None;
            for (start, width, text) in idx {
                let start = start.max(min);
                if start >= offs.len() {
                    break;
                }
                let end = (start + width).min(offs.len() - 1);
                if start == end {
                    if last_insert == Some(start) {
                        continue;
                    }
                    last_insert = Some(start);
                    min = start;
                } else {
                    last_insert = None;
                    min = end;
                }
                edits.push(Edit::replace(offs[start]..offs[end], text));
            }
            (src, edits)
        })
}

proptest! {
    #[test]
    fn no_edits_is_identity(src in source()) {
        prop_assert_eq!(apply_edits(&src, &[]).unwrap(), src);
    }

    #[test]
    fn order_does_not_matter_and_matches_reference(
        (src, edits) in source_and_edits(),
        seed in any::<u64>(),
    ) {
        let forward = apply_edits(&src, &edits).unwrap();
        prop_assert_eq!(&forward, &naive(&src, &edits));
        // A deterministic shuffle from the seed.
        let mut shuffled = edits.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = (state % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(&apply_edits(&src, &shuffled).unwrap(), &forward);
        let mut reversed = edits.clone();
        reversed.reverse();
        prop_assert_eq!(apply_edits(&src, &reversed).unwrap(), forward);
    }

    #[test]
    fn overlapping_sets_are_refused_whole(
        (src, edits) in source_and_edits(),
        pick in any::<prop::sample::Index>(),
        text in "[y]{0,2}",
    ) {
        prop_assume!(!edits.is_empty());
        let victim = &edits[pick.index(edits.len())];
        // A second edit that conflicts with `victim`: the same insertion point, or a
        // replacement sharing its bytes.
        let clash = if victim.range.is_empty() {
            Edit::insert(victim.range.start, text)
        } else {
            Edit::replace(victim.range.clone(), text)
        };
        let mut all = edits.clone();
        all.push(clash);
        let result = apply_edits(&src, &all);
        prop_assert!(matches!(result, Err(EditError::Overlap { .. })), "{:?}", result);
        all.reverse();
        let result = apply_edits(&src, &all);
        prop_assert!(matches!(result, Err(EditError::Overlap { .. })), "{:?}", result);
    }

    #[test]
    fn out_of_bounds_is_refused_whole((src, edits) in source_and_edits()) {
        let mut all = edits;
        all.push(Edit::insert(src.len() + 1, "z"));
        let refused = matches!(apply_edits(&src, &all), Err(EditError::OutOfBounds { .. }));
        prop_assert!(refused);
    }

    #[test]
    fn a_set_taken_group_by_group_decides_as_the_whole_list_does(
        src in source(),
        groups in proptest::collection::vec(
            proptest::collection::vec((0..48usize, 0..4usize, "[xy\n]{0,2}"), 1..4),
            1..12,
        ),
    ) {
        // Random edits, conflicting or not, on character boundaries (and some past the end).
        let offs = char_offsets(&src);
        let at = |i: usize| offs.get(i).copied().unwrap_or(src.len() + i);
        let mut set = EditSet::default();
        // What the set holds, as `apply_edits` would hold it: the old way of taking a group.
        let mut list: Vec<Edit> = Vec::new();
        for group in groups {
            let group: Vec<Edit> = group
                .into_iter()
                .map(|(start, width, text)| Edit::replace(at(start)..at(start + width), text))
                .collect();
            let mut trial = list.clone();
            for edit in &group {
                if !trial.contains(edit) {
                    trial.push(edit.clone());
                }
            }
            let whole = apply_edits(&src, &trial);
            match set.check(&src, &group) {
                Ok(fresh) => {
                    prop_assert!(whole.is_ok(), "the set took a group the list refuses: {:?}", whole);
                    set.add(fresh);
                    list = trial;
                }
                Err(e) => prop_assert_eq!(Err(e), whole.map(|_| ())),
            }
            prop_assert_eq!(set.edits(), &list[..]);
        }
        prop_assert_eq!(apply_edits(&src, set.edits()), apply_edits(&src, &list));
    }
}
