//! The lane table: lane, file:line, verdict, why.

use crate::report::Report;
use crate::verdict::LaneVerdict;

/// Why a lane has its verdict, in one line: `FL008 ... (fastlane/Fastfile:14); ...`.
pub fn why(report: &Report, lane: &LaneVerdict) -> String {
    let files = &report.ws.files;
    lane.reasons
        .iter()
        .map(|r| {
            let src = &files[r.file].source;
            format!(
                "{} {} ({}:{})",
                r.code,
                r.message,
                src.display,
                src.line_of(r.span.start)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes the lane table (nothing when there are no lanes).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let files = &report.ws.files;
    let mut rows: Vec<[String; 4]> = Vec::new();
    for l in &report.lanes {
        let file = &files[l.file];
        let Some(lane) = file.ruby().map(|m| &m.lanes[l.lane]) else {
            continue;
        };
        let mut name = lane.qualified_name();
        if lane.private {
            name.push_str(" (private)");
        }
        let location = format!(
            "{}:{}",
            file.source.display,
            file.source.line_of(lane.span.start)
        );
        let why = why(report, l);
        rows.push([name, location, l.verdict.as_str().to_string(), why]);
    }
    if rows.is_empty() {
        return Ok(());
    }
    let header = ["LANE", "FILE:LINE", "VERDICT", "WHY"].map(String::from);
    let width = |i: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0], row[1], row[2], row[3]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
