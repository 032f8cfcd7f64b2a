//! The human view: each diagnostic through miette (code, message, the line with the span underlined,
//! `help:`), then the lane table, notes, errors and a summary line. Source lines are shown with
//! credentials blanked out (see [`crate::secrets`]).

use std::fmt;

use rayon::prelude::*;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::Report;

use super::snippet::{Excerpt, Named, ShownFile};

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
