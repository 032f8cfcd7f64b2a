//! A file fastlint read: its kind, its text, and byte → line/column conversion for printing.

use std::path::PathBuf;

/// What a file is to fastlane, decided by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A Fastfile (or `*Fastfile`, or a file pulled in by `import`).
    Fastfile,
    /// The Appfile: account and app settings every tool falls back to.
    Appfile,
    /// A tool config file (`Matchfile`, `Deliverfile`, `Precheckfile`): Ruby calls named after options.
    Config(&'static str),
    /// A fastlane `.env` / `.env.*` file loaded by dotenv before any lane runs.
    DotEnv,
    /// A CI configuration file that may set environment variables for fastlane.
    Ci(CiKind),
    /// A `.p8` file: an App Store Connect API private key.
    PrivateKey,
    /// A JSON key file named by `api_key_path` (`{"key_id": ..., "key": ...}`).
    KeyJson,
    /// `Fastfile.swift`: lanes written in Swift, which fastlane runs in place of a Ruby Fastfile in
    /// the same folder. Not analysed; reported as a note.
    SwiftFastfile,
}

/// Which CI system a CI configuration file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CiKind {
    /// `.github/workflows/*.yml`
    GitHub,
    /// `.gitlab-ci.yml`
    GitLab,
    /// `.circleci/config.yml`
    CircleCi,
    /// `bitrise.yml`
    Bitrise,
    /// `azure-pipelines.yml`
    Azure,
    /// `Jenkinsfile` (Groovy, scanned line by line)
    Jenkins,
}

impl CiKind {
    pub fn is_yaml(self) -> bool {
        self != CiKind::Jenkins
    }
}

impl FileKind {
    pub fn is_ruby(self) -> bool {
        matches!(
            self,
            FileKind::Fastfile | FileKind::Appfile | FileKind::Config(_)
        )
    }
}

/// The length of `s` in UTF-16 code units.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    // A character outside the Basic Multilingual Plane is two UTF-16 units, and four bytes in
    // UTF-8 (the only ones whose first byte is 0xF0 or above).
    let wide: usize = s.bytes().map(|b| usize::from(b >= 0xF0)).sum();
    s.chars().count() + wide
}

/// [`SourceFile::utf16_column`] of offsets that mostly come in increasing order: each is counted
/// on from the one before when both are on the same line of the same file, so many findings on
/// one long line cost the line once rather than once each.
#[derive(Default)]
pub struct Utf16Columns {
    /// File, start of the line, offset and its column.
    last: Option<(usize, usize, usize, usize)>,
}

impl Utf16Columns {
    pub fn column(&mut self, file: usize, source: &SourceFile, offset: usize) -> usize {
        let mut end = offset.min(source.text.len());
        while !source.text.is_char_boundary(end) {
            end -= 1;
        }
        let (_, start) = source.row(end);
        let (from, column) = match self.last {
            Some((f, s, at, column)) if f == file && s == start && at <= end => (at, column),
            _ => (start, 1),
        };
        let column = column + utf16_len(&source.text[from..end]);
        self.last = Some((file, start, end, column));
        column
    }
}

/// 1-based line and column (columns count Unicode characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A file's text with what is needed to print positions in it.
#[derive(Debug)]
pub struct SourceFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// How it is shown: relative to the current directory as given on the command line.
    pub display: String,
    pub kind: FileKind,
    pub text: String,
    /// Where each line starts (`u32`: a file fastlint reads is far below 4 GB, and a run keeps
    /// this for every file).
    line_starts: Vec<u32>,
    /// The rows that hold a character beyond ASCII, in order (usually none): on the others a
    /// column is a byte count, and many findings on one long line do not count its characters
    /// once each.
    wide_rows: Box<[u32]>,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, kind: FileKind, text: String) -> Self {
        let line_starts: Vec<u32> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        let wide_rows = if text.is_ascii() {
            Box::default()
        } else {
            let ends = line_starts.iter().skip(1).map(|&e| e as usize);
            line_starts
                .iter()
                .zip(ends.chain([text.len()]))
                .enumerate()
                .filter(|(_, (&start, end))| !text.as_bytes()[start as usize..*end].is_ascii())
                .map(|(row, _)| row as u32)
                .collect()
        };
        Self {
            path,
            display,
            kind,
            text,
            line_starts,
            wide_rows,
        }
    }

    /// The characters of `text[start..end]`, a part of row `row`.
    fn chars_in_row(&self, row: usize, start: usize, end: usize) -> usize {
        if self.wide_rows.binary_search(&(row as u32)).is_ok() {
            self.text[start..end].chars().count()
        } else {
            end - start
        }
    }

    /// The last component of the path (empty when it has none or is not UTF-8).
    pub fn file_name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    }

    /// The 0-based row of a byte offset already clamped to the text, and where that row starts.
    fn row(&self, offset: usize) -> (usize, usize) {
        let row = self.line_starts.partition_point(|&s| s as usize <= offset) - 1;
        (row, self.line_starts[row] as usize)
    }

    /// The 0-based row and byte column of a byte offset (clamped to the text): a syntax tree's
    /// point.
    pub fn point(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (row, start) = self.row(offset);
        (row, offset - start)
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let (line, start) = self.row(offset);
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        Position {
            line: line + 1,
            column: self.chars_in_row(line, start, end) + 1,
        }
    }

    /// The 1-based column of a byte offset counted in UTF-16 code units (SARIF's default column kind).
    pub fn utf16_column(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let (row, start) = self.row(offset);
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        if self.wide_rows.binary_search(&(row as u32)).is_err() {
            return end - start + 1;
        }
        utf16_len(&self.text[start..end]) + 1
    }

    /// The 1-based line number of a byte offset (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.row(offset.min(self.text.len())).0 + 1
    }

    /// The byte range of a 1-based line, without its line ending.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line - 1)
            .map_or(self.text.len(), |&s| s as usize);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&s| s as usize);
        let text = &self.text[start..end];
        let trimmed = text.trim_end_matches(['\n', '\r']);
        start..start + trimmed.len()
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.line_range(line)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let f = SourceFile::new(
            "x".into(),
            "x".into(),
            FileKind::Fastfile,
            "ab\n\u{e9}xy\r\nz".into(),
        );
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(3), Position { line: 2, column: 1 });
        assert_eq!(f.position(5), Position { line: 2, column: 2 });
        assert_eq!(f.line_text(2), "\u{e9}xy");
        assert_eq!(f.position(100), Position { line: 3, column: 2 });
    }

    #[test]
    fn columns_on_ascii_rows_and_others_are_counted_alike() {
        for text in [
            "lane :a do\n  pilot # \u{e9}t\u{e9}\n\u{1f680}\nend\r\n\u{e9}",
            "plain\nascii\n",
            "\u{e9}",
            "",
        ] {
            let f = SourceFile::new("x".into(), "x".into(), FileKind::Fastfile, text.into());
            for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let prefix = &text[start..at];
                assert_eq!(
                    f.position(at).column,
                    prefix.chars().count() + 1,
                    "{text:?} {at}"
                );
                assert_eq!(
                    f.utf16_column(at),
                    prefix.encode_utf16().count() + 1,
                    "{text:?} {at}"
                );
            }
        }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        // U+1F680 is one character, two UTF-16 code units, four bytes.
        let f = SourceFile::new(
            "x".into(),
            "x".into(),
            FileKind::Fastfile,
            "a\u{1f680}b\n\u{e9}c".into(),
        );
        assert_eq!(f.position(5).column, 3);
        assert_eq!(f.utf16_column(5), 4);
        assert_eq!(f.utf16_column(6), 5);
        assert_eq!(f.utf16_column(9), 2);
    }

    #[test]
    fn utf16_columns_counted_on_are_those_counted_afresh() {
        let text = "a\u{1f680}b \u{e9}x\u{1f680}\u{1f680}\nz\u{e9}\u{1f680}q\n\nend";
        let f = SourceFile::new("x".into(), "x".into(), FileKind::Fastfile, text.into());
        // Forwards, backwards, within a character, across lines and files.
        let mut offsets: Vec<usize> = (0..=text.len() + 2).collect();
        offsets.extend((0..=text.len()).rev());
        offsets.extend([3, 3, 20, 1, 30, 2]);
        let mut columns = Utf16Columns::default();
        for (i, &at) in offsets.iter().enumerate() {
            let file = usize::from(i % 7 == 0);
            assert_eq!(
                columns.column(file, &f, at),
                f.utf16_column(at),
                "offset {at}"
            );
        }
    }
}
