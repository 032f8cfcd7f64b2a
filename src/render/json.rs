//! `--format json`: one object with diagnostics, lanes, errors, notes and a summary.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::baseline::Entry;
use crate::report::Report;

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub lane: Option<&'a str>,
}

#[derive(Serialize)]
pub struct JsonReason<'a> {
    pub code: &'static str,
    pub path: &'a str,
    pub line: usize,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct JsonLane<'a> {
    pub path: &'a str,
    pub line: usize,
    pub platform: Option<&'a str>,
    pub name: &'a str,
    pub private: bool,
    pub verdict: &'static str,
    pub fixable: bool,
    pub reasons: Vec<JsonReason<'a>>,
}

#[derive(Serialize)]
pub struct JsonError<'a> {
    pub path: &'a str,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct JsonNote<'a> {
    pub path: &'a str,
    pub line: usize,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub lanes: usize,
    pub diagnostics: usize,
    pub errors: usize,
    pub by_code: BTreeMap<&'static str, usize>,
    pub verdicts: BTreeMap<&'static str, usize>,
}

/// What `--baseline` matched, and its entries that match nothing any more.
#[derive(Serialize)]
pub struct JsonBaseline<'a> {
    pub path: &'a str,
    pub matched: usize,
    pub fixed: &'a [Entry],
}

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    pub lanes: Vec<JsonLane<'a>>,
    pub errors: Vec<JsonError<'a>>,
    pub notes: Vec<JsonNote<'a>>,
    pub summary: JsonSummary,
    /// Only with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<JsonBaseline<'a>>,
}

/// The JSON view of one diagnostic.
pub fn diagnostic<'a>(
    report: &'a Report,
    d: &'a crate::diagnostic::Diagnostic,
) -> JsonDiagnostic<'a> {
    let src = &report.ws.files[d.file].source;
    let start = src.position(d.span.start);
    let end = src.position(d.span.end);
    JsonDiagnostic {
        code: d.rule.code,
        name: d.rule.name,
        severity: d.severity.as_str(),
        path: &src.display,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        message: &d.message,
        help: d.help.as_deref(),
        lane: d.lane.as_deref(),
    }
}

/// The JSON view of one lane verdict (none for a lane of a file that is not Ruby).
fn lane<'a>(report: &'a Report, l: &'a crate::verdict::LaneVerdict) -> Option<JsonLane<'a>> {
    let files = &report.ws.files;
    let file = &files[l.file];
    let lane = &file.ruby()?.lanes[l.lane];
    Some(JsonLane {
        path: &file.source.display,
        line: file.source.line_of(lane.span.start),
        platform: lane.platform.as_deref(),
        name: &lane.name,
        private: lane.private,
        verdict: l.verdict.as_str(),
        fixable: l.fixable,
        reasons: l
            .reasons
            .iter()
            .map(|r| JsonReason {
                code: r.code,
                path: &files[r.file].source.display,
                line: files[r.file].source.line_of(r.span.start),
                message: &r.message,
            })
            .collect(),
    })
}

/// A sequence serialized as it is produced, element by element, never held whole.
struct Each<F>(F);

impl<F, I> Serialize for Each<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// [`JsonReport`] with the diagnostics and lanes produced while they are written.
#[derive(Serialize)]
struct JsonReportStream<'a, D: Serialize, L: Serialize> {
    diagnostics: D,
    lanes: L,
    errors: Vec<JsonError<'a>>,
    notes: Vec<JsonNote<'a>>,
    summary: JsonSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
}

/// Builds the JSON view of a report (`with_diagnostics: false` for `fastlint lanes`).
pub fn to_json(report: &Report, with_diagnostics: bool) -> JsonReport<'_> {
    let mut json = to_json_without_items(report, with_diagnostics);
    if with_diagnostics {
        json.diagnostics = report
            .diagnostics
            .iter()
            .map(|d| diagnostic(report, d))
            .collect();
    }
    json.lanes = report
        .lanes
        .iter()
        .filter_map(|l| lane(report, l))
        .collect();
    json
}

/// The JSON view without its diagnostics and lanes: errors, notes, the summary, the baseline.
fn to_json_without_items(report: &Report, with_diagnostics: bool) -> JsonReport<'_> {
    let files = &report.ws.files;
    JsonReport {
        diagnostics: Vec::new(),
        lanes: Vec::new(),
        errors: report
            .errors()
            .iter()
            .map(|e| JsonError {
                path: &e.display,
                message: &e.message,
            })
            .collect(),
        notes: report
            .notes()
            .iter()
            .map(|n| JsonNote {
                path: &files[n.file].source.display,
                line: files[n.file].source.line_of(n.span.start),
                message: &n.message,
            })
            .collect(),
        summary: JsonSummary {
            files: report.files_checked(),
            lanes: report.lanes.len(),
            diagnostics: if with_diagnostics {
                report.diagnostics.len()
            } else {
                0
            },
            errors: report.errors().len(),
            by_code: if with_diagnostics {
                report.by_code()
            } else {
                BTreeMap::new()
            },
            verdicts: report.by_verdict(),
        },
        baseline: report.baseline.as_ref().map(|b| JsonBaseline {
            path: &b.path,
            matched: b.matched,
            fixed: &b.fixed,
        }),
    }
}

/// Writes the JSON report.
pub fn write(
    report: &Report,
    with_diagnostics: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // The small parts are built first; diagnostics and lanes are written as they are made.
    let JsonReport {
        errors,
        notes,
        summary,
        baseline,
        ..
    } = to_json_without_items(report, with_diagnostics);
    let shown: &[crate::diagnostic::Diagnostic] = if with_diagnostics {
        &report.diagnostics
    } else {
        &[]
    };
    let stream = JsonReportStream {
        diagnostics: Each(|| shown.iter().map(|d| diagnostic(report, d))),
        lanes: Each(|| report.lanes.iter().filter_map(|l| lane(report, l))),
        errors,
        notes,
        summary,
        baseline,
    };
    serde_json::to_writer_pretty(&mut *out, &stream)?;
    writeln!(out)
}
