//! The human view: each diagnostic through miette (code, message, the line with the span underlined,
//! `help:`), then the lane table, notes, errors and a summary line. Source lines are shown with
//! credentials blanked out (see [`crate::secrets`]).

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::FileModel;
use crate::report::Report;

/// A file's text as it is shown (credentials blanked out) and where its lines start, counted as
/// miette counts them (`\n`, `\r\n` and a lone `\r` each end a line).
struct ShownFile<'a> {
    text: Cow<'a, str>,
    lines: Vec<usize>,
}

impl<'a> ShownFile<'a> {
    fn of(file: &'a FileModel) -> Self {
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
        ShownFile { text, lines }
    }
}

/// A file's text under its display name, for miette.
struct Named<'a> {
    name: &'a str,
    file: &'a ShownFile<'a>,
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
        let line = self
            .file
            .lines
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
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
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line and character column of the finding in the file.
    line: usize,
    column: usize,
}

impl Excerpt {
    /// The excerpt of the line a finding starts on, and where the finding is in it, when that
    /// line or a line next to it is long; `None` otherwise.
    fn of(
        name: &str,
        file: &ShownFile,
        span: std::ops::Range<usize>,
    ) -> Option<(Self, (usize, usize))> {
        let text: &str = &file.text;
        let line = file
            .lines
            .partition_point(|&l| l <= span.start)
            .saturating_sub(1);
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
                column: own[..start].chars().count(),
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

/// One diagnostic as miette sees it.
struct Shown<'a> {
    d: &'a Diagnostic,
    source: Source<'a>,
    /// Where the label goes in the source given (an excerpt has offsets of its own).
    label: (usize, usize),
}

/// What miette reads a diagnostic's lines from.
enum Source<'a> {
    File(Named<'a>),
    Excerpt(Excerpt),
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{} {}",
            self.d.rule.code, self.d.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(match &self.source {
            Source::File(named) => named,
            Source::Excerpt(excerpt) => excerpt,
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = match &self.d.lane {
            Some(lane) => format!("in lane `{lane}`"),
            None => String::new(),
        };
        let span = LabeledSpan::new(
            (!label.is_empty()).then_some(label),
            self.label.0,
            self.label.1,
        );
        Some(Box::new(std::iter::once(span)))
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_width(120)
}

/// Renders one diagnostic over its file as shown.
fn render_with(report: &Report, d: &Diagnostic, color: bool, file: &ShownFile) -> String {
    let src = &report.ws.files[d.file].source;
    let shown = match Excerpt::of(&src.display, file, d.span.start..d.span.end) {
        Some((excerpt, label)) => Shown {
            d,
            source: Source::Excerpt(excerpt),
            label,
        },
        None => Shown {
            d,
            source: Source::File(Named {
                name: &src.display,
                file,
            }),
            label: (d.span.start, d.span.len()),
        },
    };
    let mut out = String::new();
    if handler(color).render_report(&mut out, &shown).is_err() {
        let pos = src.position(d.span.start);
        out = format!(
            "{}:{}:{}: {} {}\n",
            src.display, pos.line, pos.column, d.rule.code, d.message
        );
    }
    out
}

/// Diagnostics rendered on the thread pool at a time: bounds what is held before it is written.
const RENDER_BATCH: usize = 2048;

/// Writes every diagnostic, in order, each followed by a blank line. Each file's shown text is made once; diagnostics are rendered on the thread pool, a batch at
/// a time, and written in order.
pub fn write_diagnostics(
    report: &Report,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut with_diagnostics: Vec<usize> = report.diagnostics.iter().map(|d| d.file).collect();
    with_diagnostics.sort_unstable();
    with_diagnostics.dedup();
    let shown: Vec<ShownFile> = with_diagnostics
        .par_iter()
        .map(|&f| ShownFile::of(&report.ws.files[f]))
        .collect();
    let file = |f: usize| &shown[with_diagnostics.binary_search(&f).unwrap_or_default()];
    for batch in report.diagnostics.chunks(RENDER_BATCH) {
        let rendered: Vec<String> = batch
            .par_iter()
            .map(|d| render_with(report, d, color, file(d.file)))
            .collect();
        for text in rendered {
            writeln!(out, "{text}")?;
        }
    }
    Ok(())
}

/// Writes the whole text report.
pub fn write(report: &Report, color: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_diagnostics(report, color, out)?;
    if !report.lanes.is_empty() {
        super::table::write(report, out)?;
        writeln!(out)?;
    }
    for n in report.notes() {
        writeln!(out, "{}", note_line(report, n))?;
    }
    write_summary(report, out)
}

/// `note: path:line: message`.
pub fn note_line(report: &Report, note: &crate::load::Note) -> String {
    let src = &report.ws.files[note.file].source;
    format!(
        "note: {}:{}: {}",
        src.display,
        src.line_of(note.span.start),
        note.message
    )
}

/// `3 files, 5 lanes (...), 7 diagnostics (...)` and any errors.
pub fn write_summary(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let verdicts = report.verdict_summary();
    let codes = report
        .by_code()
        .into_iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{} file{}, {} lane{}",
        report.files_checked(),
        plural(report.files_checked()),
        report.lanes.len(),
        plural(report.lanes.len())
    );
    if !verdicts.is_empty() {
        line.push_str(&format!(" ({verdicts})"));
    }
    line.push_str(&format!(
        ", {} diagnostic{}",
        report.diagnostics.len(),
        plural(report.diagnostics.len())
    ));
    if !codes.is_empty() {
        line.push_str(&format!(" ({codes})"));
    }
    if !report.errors().is_empty() {
        line.push_str(&format!(
            ", {} error{}",
            report.errors().len(),
            plural(report.errors().len())
        ));
    }
    writeln!(out, "{line}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
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
