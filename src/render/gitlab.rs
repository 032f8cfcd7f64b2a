//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` / `location.lines.begin`).
//! Errors are `major`, warnings `minor`. The fingerprint hashes the path, code, lane and normalised line
//! text (and which equal line it is), so it survives lines inserted above.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::fingerprint::{diagnostic_line, fnv1a_from, FNV_OFFSET};
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
    // A finding's key is its file, rule, lane and normalised line; its fingerprint hashes the key
    // and the key's count so far. Each key is made and hashed once per file, line, rule and lane
    // (many findings on one long line cost the line once), and counted by its text, as equal
    // lines are counted together.
    let mut keys: HashMap<(usize, usize, &str, &str), (usize, u64)> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut counts: Vec<usize> = Vec::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = &report.ws.files[d.file].source;
            let lane = d.lane.as_deref().unwrap_or("");
            let at = (d.file, source.line_of(d.span.start), d.rule.code, lane);
            let (id, hashed) = *keys.entry(at).or_insert_with(|| {
                let line = diagnostic_line(source, d);
                let key = format!("{}\0{}\0{lane}\0{line}", source.display, d.rule.code);
                let hashed = fnv1a_from(FNV_OFFSET, &[key.as_bytes()]);
                let next = ids.len();
                let id = *ids.entry(key).or_insert(next);
                if id == counts.len() {
                    counts.push(0);
                }
                (id, hashed)
            });
            counts[id] += 1;
            let n = counts[id].to_string();
            Issue {
                kind: "issue",
                description: format!("{} {}: {}", d.rule.code, d.rule.name, d.message),
                check_name: d.rule.code,
                fingerprint: format!("{:016x}", fnv1a_from(hashed, &[n.as_bytes()])),
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
