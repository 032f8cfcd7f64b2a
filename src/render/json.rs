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

/// The parts of [`JsonReport`] that follow the diagnostics and lanes.
#[derive(Serialize)]
struct JsonReportRest<'a> {
    errors: Vec<JsonError<'a>>,
    notes: Vec<JsonNote<'a>>,
    summary: JsonSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
}

/// How many items are rendered side by side before they are written: enough to keep every thread
/// busy, few enough that the report is never held whole.
const BATCH: usize = 1024;

/// Writes `"name": [items]` as `serde_json`'s pretty printer does at the second level of the
/// report, rendering the items on the thread pool a batch at a time, in order.
fn write_items<'a, T: Sync, J: Serialize>(
    out: &mut dyn std::io::Write,
    name: &str,
    items: &'a [T],
    view: impl Fn(&'a T) -> Option<J> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    write!(out, "  \"{name}\": [")?;
    let mut first = true;
    for batch in items.chunks(BATCH) {
        let rendered: Vec<Vec<u8>> = batch
            .par_chunks(64)
            .map(|chunk| {
                let mut buf = Vec::new();
                for item in chunk.iter().filter_map(&view) {
                    let text = serde_json::to_vec_pretty(&item).map_err(std::io::Error::other)?;
                    buf.extend_from_slice(b",\n    ");
                    // Strings are escaped, so every raw newline starts a line of the item.
                    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
                        if i > 0 {
                            buf.extend_from_slice(b"\n    ");
                        }
                        buf.extend_from_slice(line);
                    }
                }
                Ok(buf)
            })
            .collect::<std::io::Result<_>>()?;
        for buf in rendered.iter().filter(|b| !b.is_empty()) {
            // Each item was written after ",\n    ": the first of all goes after "[\n    ".
            let skip = if first { 1 } else { 0 };
            first = false;
            out.write_all(&buf[skip..])?;
        }
    }
    if first {
        write!(out, "]")
    } else {
        write!(out, "\n  ]")
    }
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

/// Writes the JSON report: what `serde_json::to_writer_pretty` writes for [`to_json`], with the
/// diagnostics and lanes rendered on the thread pool as they are written.
pub fn write(
    report: &Report,
    with_diagnostics: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
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
    writeln!(out, "{{")?;
    write_items(out, "diagnostics", shown, |d| Some(diagnostic(report, d)))?;
    writeln!(out, ",")?;
    write_items(out, "lanes", &report.lanes, |l| lane(report, l))?;
    writeln!(out, ",")?;
    let rest = serde_json::to_vec_pretty(&JsonReportRest {
        errors,
        notes,
        summary,
        baseline,
    })
    .map_err(std::io::Error::other)?;
    // The rest's own braces give way to the report's.
    out.write_all(rest.strip_prefix(b"{\n").unwrap_or(&rest))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_of(files: &[(&str, String)]) -> (tempfile::TempDir, Report) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = crate::discover::discover(&[dir.path().to_path_buf()]).files;
        let report = crate::pipeline::check(found, None, &Default::default());
        (dir, report)
    }

    /// The report as `serde_json` pretty-prints it whole.
    fn whole(report: &Report, with_diagnostics: bool) -> String {
        serde_json::to_string_pretty(&to_json(report, with_diagnostics)).unwrap() + "\n"
    }

    #[test]
    fn written_as_the_pretty_printer_writes_it_whole() {
        // More lanes and diagnostics than one batch holds, and none at all.
        let mut many = String::new();
        for i in 0..BATCH + 300 {
            many.push_str(&format!(
                "lane :l{i} do\n  pilot(username: \"me@example.com\", changelog: \"a\\nb\")\nend\n"
            ));
        }
        let cases = [
            vec![],
            vec![("fastlane/Fastfile", "lane :a do\n  gym\nend\n".to_string())],
            vec![
                ("fastlane/Fastfile", many),
                (
                    "fastlane/Appfile",
                    "apple_id \"me@example.com\"\n".to_string(),
                ),
                (
                    "broken/fastlane/Fastfile",
                    "lane :b do\n  pilot(\nend\n".to_string(),
                ),
            ],
        ];
        for files in cases {
            let (_dir, report) = report_of(&files);
            for with_diagnostics in [true, false] {
                let mut out = Vec::new();
                write(&report, with_diagnostics, &mut out).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    whole(&report, with_diagnostics)
                );
            }
        }
    }
}
