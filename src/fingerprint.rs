//! Stable fingerprints of findings, for SARIF `partialFingerprints`, GitLab's `fingerprint` and the
//! baseline. They hash the normalised text of the finding's line, not its line number, so inserting lines
//! above a finding does not change them.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// 64-bit FNV-1a over byte strings (each followed by a 0 byte, so `["ab", "c"]` ≠ `["a", "bc"]`).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    fnv1a_from(FNV_OFFSET, parts)
}

/// FNV-1a's starting value: the hash of nothing.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// [`fnv1a`] going on from the hash of the parts before `parts`.
pub fn fnv1a_from(mut hash: u64, parts: &[&[u8]]) -> u64 {
    for part in parts {
        for &b in part.iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// A line with its whitespace runs collapsed and its ends trimmed.
pub fn normalise_line(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The normalised text of the line a diagnostic starts on.
pub fn diagnostic_line(source: &SourceFile, d: &Diagnostic) -> String {
    normalise_line(source.line_text(source.line_of(d.span.start)))
}

/// `hash(code, normalised line)` as 16 hex digits.
pub fn line_hash(code: &str, normalised_line: &str) -> String {
    format!(
        "{:016x}",
        fnv1a(&[code.as_bytes(), normalised_line.as_bytes()])
    )
}

/// [`line_hash`] of each diagnostic, made once per file, line and rule: many findings on one
/// long line cost the line once, not once each.
#[derive(Default)]
pub struct LineHashes(HashMap<(usize, usize, &'static str), String>);

impl LineHashes {
    pub fn of(&mut self, source: &SourceFile, d: &Diagnostic) -> &str {
        let line = source.line_of(d.span.start);
        self.0
            .entry((d.file, line, d.rule.code))
            .or_insert_with(|| line_hash(d.rule.code, &diagnostic_line(source, d)))
    }
}

/// Numbers equal keys in order of appearance (1, 2, ...), so equal lines in one file stay apart.
#[derive(Default)]
pub struct Occurrences(HashMap<String, usize>);

impl Occurrences {
    pub fn next(&mut self, key: &str) -> usize {
        let n = self.0.entry(key.to_string()).or_insert(0);
        *n += 1;
        *n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_ignore_whitespace_but_not_content() {
        assert_eq!(
            normalise_line("  pilot(  username: x )\r"),
            "pilot( username: x )"
        );
        assert_eq!(line_hash("FL001", "a b"), line_hash("FL001", "a b"));
        assert_ne!(line_hash("FL001", "a b"), line_hash("FL008", "a b"));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        // Known FNV-1a value of the empty input plus its separator byte.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }
}
