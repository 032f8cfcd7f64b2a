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

/// One diagnostic as miette sees it.
struct Shown<'a> {
    d: &'a Diagnostic,
    source: Named<'a>,
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
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = match &self.d.lane {
            Some(lane) => format!("in lane `{lane}`"),
            None => String::new(),
        };
        let span = LabeledSpan::new(
            (!label.is_empty()).then_some(label),
            self.d.span.start,
            self.d.span.len(),
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
    let shown = Shown {
        d,
        source: Named {
            name: &src.display,
            file,
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
