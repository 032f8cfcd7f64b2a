//! The human view: each diagnostic through miette (code, message, the line with the span underlined,
//! `help:`), then the lane table, notes, errors and a summary line. Source lines are shown with
//! credentials blanked out (see [`crate::secrets`]).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::Report;

/// A file's text under its display name, for miette.
struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // miette counts the column in bytes; fastlint's columns count characters.
        let start = inner.span().offset();
        let line_start = start.saturating_sub(inner.column());
        let column = self
            .text
            .get(line_start..start)
            .map_or(inner.column(), |prefix| prefix.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
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

/// Renders one diagnostic as text.
pub fn render_diagnostic(report: &Report, d: &Diagnostic, color: bool) -> String {
    // Credentials written in the file are never shown, whichever diagnostic points near them.
    let text = crate::secrets::redacted_text(&report.ws.files[d.file]);
    render_with_text(report, d, color, &text)
}

/// Renders one diagnostic over `text`, the file's text with its credentials blanked out.
fn render_with_text(report: &Report, d: &Diagnostic, color: bool, text: &str) -> String {
    let src = &report.ws.files[d.file].source;
    let shown = Shown {
        d,
        source: Named {
            name: &src.display,
            text,
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

/// Writes the whole text report.
pub fn write(report: &Report, color: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Each file's text with its credentials blanked out, computed once per file.
    let mut texts: std::collections::HashMap<usize, std::borrow::Cow<str>> =
        std::collections::HashMap::new();
    for d in &report.diagnostics {
        let text = texts
            .entry(d.file)
            .or_insert_with(|| crate::secrets::redacted_text(&report.ws.files[d.file]));
        write!(out, "{}", render_with_text(report, d, color, text))?;
        writeln!(out)?;
    }
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
