//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` / `location.lines.begin`).
//! Errors are `major`, warnings `minor`. The fingerprint hashes the path, code, lane and normalised line
//! text (and which equal line it is), so it survives lines inserted above.

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::fingerprint::{diagnostic_line, fnv1a, Occurrences};
use crate::report::Report;

#[derive(Serialize)]
pub struct Lines {
    pub begin: usize,
    pub end: usize,
}

#[derive(Serialize)]
pub struct Location<'a> {
    pub path: &'a str,
    pub lines: Lines,
}

#[derive(Serialize)]
pub struct Content<'a> {
    pub body: &'a str,
}

#[derive(Serialize)]
pub struct Issue<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: String,
    pub check_name: &'static str,
    pub fingerprint: String,
    pub severity: &'static str,
    pub categories: [&'static str; 1],
    pub location: Location<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Content<'a>>,
}

pub fn issues(report: &Report) -> Vec<Issue<'_>> {
    let mut occurrences = Occurrences::default();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = &report.ws.files[d.file].source;
            let line = diagnostic_line(source, d);
            let lane = d.lane.as_deref().unwrap_or("");
            let key = format!("{}\0{}\0{lane}\0{line}", source.display, d.rule.code);
            let n = occurrences.next(&key).to_string();
            Issue {
                kind: "issue",
                description: format!("{} {}: {}", d.rule.code, d.rule.name, d.message),
                check_name: d.rule.code,
                fingerprint: format!("{:016x}", fnv1a(&[key.as_bytes(), n.as_bytes()])),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                categories: ["Security"],
                location: Location {
                    path: &source.display,
                    lines: Lines {
                        begin: source.line_of(d.span.start),
                        end: source.line_of(d.span.end),
                    },
                },
                content: d.help.as_deref().map(|body| Content { body }),
            }
        })
        .collect()
}

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &issues(report))?;
    writeln!(out)
}
