//! What miette reads a diagnostic's lines from, for the text output: a file's text as it is shown
//! (credentials blanked out) read from the first line shown rather than from its start, or, on a
//! long line, an excerpt of the line around the finding.

use std::borrow::Cow;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::model::FileModel;

/// A file's text as it is shown (credentials blanked out) and where its lines start, counted as
/// miette counts them (`\n`, `\r\n` and a lone `\r` each end a line).
pub(super) struct ShownFile<'a> {
    text: Cow<'a, str>,
    lines: Vec<usize>,
    /// All ASCII: a column is a byte count (many findings on one long line then do not count
    /// its characters once each).
    ascii: bool,
}

impl<'a> ShownFile<'a> {
    pub(super) fn of(file: &'a FileModel) -> Self {
        let text = crate::secrets::redacted_text(file);
        let bytes = text.as_bytes();
        let mut lines = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                    lines.push(i + 1);
                }
                b'\r' | b'\n' => lines.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let ascii = text.is_ascii();
        ShownFile { text, lines, ascii }
    }

    /// The 0-based line, as miette counts them, of a byte offset.
    fn line_at(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }
}

/// A file's text under its display name, for miette.
pub(super) struct Named<'a> {
    pub(super) name: &'a str,
    pub(super) file: &'a ShownFile<'a>,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette reads a `str` from its start to the span; it is given the text from the first
        // line it shows instead, so a diagnostic costs the lines around it, not the file before it.
        let text: &str = &self.file.text;
        let line = self.file.line_at(span.offset());
        // One line more than miette shows: it reads an empty span at the very start of its text
        // differently from one further in.
        let first = line.saturating_sub(before + 1);
        let base = self.file.lines[first].min(text.len());
        let local = SourceSpan::new((span.offset().saturating_sub(base)).into(), span.len());
        let inner = text[base..].read_span(&local, before, after)?;
        // miette counts the column in bytes; fastlint's columns count characters.
        let start = base + inner.span().offset();
        let line_start = start.saturating_sub(inner.column());
        let column = text
            .get(line_start..start)
            .map_or(inner.column(), |prefix| prefix.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new(start.into(), inner.span().len()),
            inner.line() + first,
            column,
            inner.line_count() + first,
        )))
    }
}

/// A line longer than this, in bytes, is shown as an excerpt around the finding (miette would
/// print it whole, once per finding on or next to it).
const LONG_LINE: usize = 400;

/// Characters of a long line shown on each side of the finding.
const EXCERPT_CONTEXT: usize = 60;

/// The longest part of a finding shown on a long line.
const EXCERPT_SPAN: usize = 160;

/// The part of a long line around a finding, `…` where it was cut, shown as that line (at its
/// number, with the finding's true column).
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// 0-based line and character column of the finding in the file.
    line: usize,
    column: usize,
}

impl Excerpt {
    /// The excerpt of the line a finding starts on, and where the finding is in it, when that
    /// line or a line next to it is long; `None` otherwise.
    pub(super) fn of(
        name: &str,
        file: &ShownFile,
        span: std::ops::Range<usize>,
    ) -> Option<(Self, (usize, usize))> {
        let text: &str = &file.text;
        let line = file.line_at(span.start);
        let line_text = |i: usize| {
            let start = *file.lines.get(i)?;
            let end = file.lines.get(i + 1).copied().unwrap_or(text.len());
            text.get(start..end)
                .map(|t| t.trim_end_matches(['\n', '\r']))
        };
        let long = |i: usize| line_text(i).is_some_and(|t| t.len() > LONG_LINE);
        if !(long(line) || long(line + 1) || line.checked_sub(1).is_some_and(long)) {
            return None;
        }
        let own = line_text(line)?;
        let base = file.lines[line];
        let floor = |mut i: usize| {
            while !own.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let ceil = |mut i: usize| {
            while !own.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        let start = (span.start - base).min(own.len());
        let end = span.end.saturating_sub(base).clamp(start, own.len());
        let shown_end = own[start..end]
            .char_indices()
            .nth(EXCERPT_SPAN)
            .map_or(end, |(i, _)| start + i);
        let from = floor(start.saturating_sub(EXCERPT_CONTEXT * 4));
        let from = own[from..start]
            .char_indices()
            .rev()
            .nth(EXCERPT_CONTEXT - 1)
            .map_or(from, |(i, _)| from + i);
        let to = ceil((shown_end + EXCERPT_CONTEXT * 4).min(own.len()));
        let to = own[shown_end..to]
            .char_indices()
            .nth(EXCERPT_CONTEXT)
            .map_or(to, |(i, _)| shown_end + i);
        let mut excerpt = String::new();
        if from > 0 {
            excerpt.push('…');
        }
        let label_start = excerpt.len() + (start - from);
        excerpt.push_str(&own[from..to]);
        if to < own.len() {
            excerpt.push('…');
        }
        Some((
            Excerpt {
                name: name.to_string(),
                text: excerpt,
                line,
                column: if file.ascii {
                    start
                } else {
                    own[..start].chars().count()
                },
            },
            (label_start, shown_end - start),
        ))
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // With no context asked for, miette wants the finding's own position (the header's
        // `file:line:column`); else the lines to show, which are the excerpt alone.
        let (data, at, column) = if before == 0 {
            let start = span.offset().min(self.text.len());
            (&self.text.as_bytes()[start..], start, self.column)
        } else {
            (self.text.as_bytes(), 0, 0)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(at.into(), data.len()),
            self.line,
            column,
            1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    /// What miette gives when it reads the whole text, with the column counted in characters.
    fn whole_text(
        text: &str,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> (String, usize, usize, usize, usize, usize) {
        let inner = text.read_span(&span, before, after).unwrap();
        let start = inner.span().offset();
        let column = text[start - inner.column()..start].chars().count();
        (
            String::from_utf8(inner.data().to_vec()).unwrap(),
            start,
            inner.span().len(),
            inner.line(),
            column,
            inner.line_count(),
        )
    }

    #[test]
    fn reading_from_the_first_shown_line_gives_what_reading_the_whole_text_gives() {
        // Every line ending miette knows, a blank line, a multi-byte character, no final newline.
        let text = "lane :a do\r\n  x = 1\r  pilot(username: \"a@b.c\")\n\n\r\n  deliver(\n  username: \"é@b.c\",\r\n   ipa: \"x\")\nend";
        let model = crate::load::model_of(SourceFile::new(
            "Fastfile".into(),
            "Fastfile".into(),
            FileKind::Fastfile,
            text.to_string(),
        ));
        let shown = ShownFile::of(&model);
        let named = Named {
            name: "Fastfile",
            file: &shown,
        };
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let mut compared = 0;
        for &start in &boundaries {
            for &end in boundaries.iter().filter(|&&e| e >= start) {
                for (before, after) in [(0, 0), (1, 1), (2, 1), (0, 3)] {
                    let span = SourceSpan::new(start.into(), end - start);
                    let got = named.read_span(&span, before, after).unwrap();
                    let got = (
                        String::from_utf8(got.data().to_vec()).unwrap(),
                        got.span().offset(),
                        got.span().len(),
                        got.line(),
                        got.column(),
                        got.line_count(),
                    );
                    assert_eq!(
                        got,
                        whole_text(text, span, before, after),
                        "span {start}..{end}, {before} before, {after} after"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 10_000);
    }
}
