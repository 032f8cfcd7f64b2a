//! `--format github`: GitHub Actions workflow commands, one annotation per finding:
//! `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=FL001 username-option::message`.
//!
//! GitHub shows at most 10 annotations of each kind per step and drops the rest silently, so at most
//! [`MAX_PER_SEVERITY`] errors and as many warnings are annotated; a `::notice` counts the others, which
//! follow as plain `path:line:col: CODE message` lines. Notes (what was not analysed) are notices, as
//! many as GitHub shows beside the counting one; the rest are plain `note:` lines. A summary line ends
//! the output.

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::Report;

/// Annotations of one severity GitHub shows per step.
pub const MAX_PER_SEVERITY: usize = 10;

/// Escapes a command's message (`escapeData` in actions/toolkit).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (`escapeProperty` in actions/toolkit).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One annotation.
pub fn annotation(report: &Report, d: &Diagnostic) -> String {
    let source = &report.ws.files[d.file].source;
    let start = source.position(d.span.start);
    let end = source.position(d.span.end);
    let mut message = d.message.to_string();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        command(d.severity),
        escape_property(&source.display),
        start.line,
        start.column,
        end.line,
        end.column,
        escape_property(&format!("{} {}", d.rule.code, d.rule.name)),
        escape_data(&message)
    )
}

/// Writes the annotations, the overflow notice and the summary line.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut shown = [0usize; 2];
    let mut rest: Vec<&Diagnostic> = Vec::new();
    for d in &report.diagnostics {
        let slot = &mut shown[usize::from(d.severity == Severity::Error)];
        if *slot < MAX_PER_SEVERITY {
            *slot += 1;
            writeln!(out, "{}", annotation(report, d))?;
        } else {
            rest.push(d);
        }
    }
    for e in report.errors() {
        writeln!(
            out,
            "::error file={},title=fastlint::{}",
            escape_property(&e.display),
            escape_data(&e.message)
        )?;
    }
    // Notices share GitHub's limit: one is kept for the count of findings not annotated.
    let notices = MAX_PER_SEVERITY - 1;
    for (i, n) in report.notes().iter().enumerate() {
        let source = &report.ws.files[n.file].source;
        let line = source.line_of(n.span.start);
        if i < notices {
            writeln!(
                out,
                "::notice file={},line={line},title=fastlint::{}",
                escape_property(&source.display),
                escape_data(&n.message)
            )?;
        } else {
            writeln!(out, "{}", super::text::note_line(report, n))?;
        }
    }
    if !rest.is_empty() {
        let errors = rest
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = rest.len() - errors;
        writeln!(
            out,
            "::notice title=fastlint::{}",
            escape_data(&format!(
                "{errors} more error(s) and {warnings} more warning(s) are not annotated (GitHub shows {MAX_PER_SEVERITY} of each per step); they are listed in the log"
            ))
        )?;
        for d in rest {
            let source = &report.ws.files[d.file].source;
            let pos = source.position(d.span.start);
            writeln!(
                out,
                "{}:{}:{}: {} {} {}",
                source.display,
                pos.line,
                pos.column,
                d.severity.as_str(),
                d.rule.code,
                d.message
            )?;
        }
    }
    super::text::write_summary(report, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
