//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the counts, the
//! lane table, a Mermaid graph of the lanes and the lanes they call coloured by verdict (GitHub renders
//! Mermaid), and the findings in a collapsed list.

use std::collections::HashMap;

use crate::report::Report;
use crate::verdict::Verdict;

/// Rows of the lane table and of the finding list; GitHub refuses comments over 65,536 characters.
pub const MAX_ROWS: usize = 100;
/// Lanes in the graph; Mermaid refuses larger diagrams (50,000 characters, 500 edges).
pub const MAX_GRAPH_LANES: usize = 150;

fn more(out: &mut String, total: usize, what: &str) {
    if total > MAX_ROWS {
        out.push_str(&format!(
            "\n… and {} more {what} (`fastlint check` lists them all)\n",
            total - MAX_ROWS
        ));
    }
}

/// Makes text safe inside a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Makes text safe inside a quoted Mermaid label.
fn label(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::NoAppleAuth => "noauth",
        Verdict::ApiKey => "apikey",
        Verdict::Migratable => "migratable",
        Verdict::Blocked => "blocked",
    }
}

fn counts(report: &Report, with_findings: bool) -> String {
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    let verdicts = report.verdict_summary();
    let mut line = format!(
        "**{} file(s), {} lane(s)",
        report.ws.files.len(),
        report.lanes.len()
    );
    if with_findings {
        line.push_str(&format!(
            ", {} finding(s)** ({errors} error(s), {warnings} warning(s))",
            report.diagnostics.len()
        ));
    } else {
        line.push_str("**");
    }
    if !verdicts.is_empty() {
        line.push_str(&format!(" · lanes: {verdicts}"));
    }
    if !report.suppressed.is_empty() {
        line.push_str(&format!(" · {} suppressed", report.suppressed.len()));
    }
    if !report.errors().is_empty() {
        line.push_str(&format!(
            " · **{} file(s) could not be read**",
            report.errors().len()
        ));
    }
    line
}

fn lane_table(report: &Report, out: &mut String) {
    let files = &report.ws.files;
    out.push_str("| lane | where | verdict | why |\n|---|---|---|---|\n");
    for l in report.lanes.iter().take(MAX_ROWS) {
        let file = &files[l.file];
        let Some(lane) = file.ruby().map(|m| &m.lanes[l.lane]) else {
            continue;
        };
        let private = if lane.private { " (private)" } else { "" };
        let why = super::table::why(report, l);
        out.push_str(&format!(
            "| `{}`{private} | `{}:{}` | {} | {} |\n",
            cell(&lane.qualified_name()),
            cell(&file.source.display),
            file.source.line_of(lane.span.start),
            l.verdict.as_str(),
            cell(&why)
        ));
    }
}

/// The Mermaid flowchart of lanes and the lanes they call (a note instead when there are too many lanes).
pub fn graph(report: &Report) -> String {
    if report.lanes.len() > MAX_GRAPH_LANES {
        return format!(
            "_The lane graph is left out: {} lanes are more than Mermaid draws ({MAX_GRAPH_LANES}); run fastlint on one project at a time to see it._\n",
            report.lanes.len()
        );
    }
    let index: HashMap<(usize, usize), usize> = report
        .lanes
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.file, l.lane), i))
        .collect();
    let mut out = String::from("```mermaid\nflowchart LR\n");
    for (i, l) in report.lanes.iter().enumerate() {
        let Some(lane) = report.ws.files[l.file].ruby().map(|m| &m.lanes[l.lane]) else {
            continue;
        };
        out.push_str(&format!(
            "  L{i}[\"{}<br/>{}\"]:::{}\n",
            label(&lane.qualified_name()),
            l.verdict.as_str(),
            class(l.verdict)
        ));
    }
    for (from, to) in report.lane_calls().iter() {
        if let (Some(a), Some(b)) = (index.get(from), index.get(to)) {
            out.push_str(&format!("  L{a} --> L{b}\n"));
        }
    }
    out.push_str(
        "  classDef blocked fill:#f8d7da,stroke:#b02a37,color:#58151c\n\
         \x20 classDef migratable fill:#fff3cd,stroke:#997404,color:#664d03\n\
         \x20 classDef apikey fill:#d1e7dd,stroke:#146c43,color:#0a3622\n\
         \x20 classDef noauth fill:#e9ecef,stroke:#6c757d,color:#343a40\n```\n",
    );
    out
}

/// What a summary shows besides the counts and the lane table.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// The Mermaid lane graph.
    pub graph: bool,
    /// The finding counts and list (`fastlint lanes` leaves them out).
    pub findings: bool,
}

/// The markdown summary.
pub fn summary(report: &Report, parts: Parts) -> String {
    let mut out = String::from("## fastlint\n\n");
    out.push_str(&counts(report, parts.findings));
    out.push_str("\n\n");
    if !report.lanes.is_empty() {
        lane_table(report, &mut out);
        more(&mut out, report.lanes.len(), "lanes");
        out.push('\n');
        if parts.graph {
            out.push_str(&graph(report));
            out.push('\n');
        }
    }
    if parts.findings && !report.diagnostics.is_empty() {
        out.push_str(&format!(
            "<details><summary>{} finding(s)</summary>\n\n| code | where | lane | message |\n|---|---|---|---|\n",
            report.diagnostics.len()
        ));
        for d in report.diagnostics.iter().take(MAX_ROWS) {
            let source = &report.ws.files[d.file].source;
            let pos = source.position(d.span.start);
            out.push_str(&format!(
                "| {} `{}` | `{}:{}:{}` | {} | {} |\n",
                d.rule.code,
                d.rule.name,
                cell(&source.display),
                pos.line,
                pos.column,
                d.lane
                    .as_deref()
                    .map(|l| format!("`{}`", cell(l)))
                    .unwrap_or_default(),
                cell(&d.message)
            ));
        }
        more(&mut out, report.diagnostics.len(), "findings");
        out.push_str("\n</details>\n");
    }
    if !report.notes().is_empty() {
        out.push_str("\nNotes:\n\n");
        for n in report.notes().iter().take(MAX_ROWS) {
            let source = &report.ws.files[n.file].source;
            out.push_str(&format!(
                "- `{}:{}`: {}\n",
                cell(&source.display),
                source.line_of(n.span.start),
                cell(&n.message)
            ));
        }
        more(&mut out, report.notes().len(), "notes");
    }
    if !report.errors().is_empty() {
        out.push_str("\nCould not be read:\n\n");
        for e in report.errors() {
            out.push_str(&format!("- `{}`: {}\n", cell(&e.display), cell(&e.message)));
        }
    }
    out
}

pub fn write(report: &Report, parts: Parts, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(summary(report, parts).as_bytes())
}
