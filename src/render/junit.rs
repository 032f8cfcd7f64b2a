//! `--format junit`: JUnit XML for CI test reports. One `<testsuite>` per file, one `<testcase>` per
//! lane (named by its qualified name, with its verdict in `<system-out>`); a lane with findings fails,
//! with one `<failure>` listing them. Findings outside any lane (hooks, methods, Appfile, `.env`) form a
//! `(outside lanes)` case of their file; a file that could not be read is an `<error>`.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Diagnostic;
use crate::report::Report;

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Case<'a> {
    line: Option<usize>,
    verdict: Option<&'static str>,
    findings: Vec<&'a Diagnostic>,
    error: Option<&'a str>,
}

const OUTSIDE: &str = "(outside lanes)";

type Suites<'a> = BTreeMap<String, Vec<(String, Case<'a>)>>;

/// Where each case is in its suite, by path and name.
type Index = HashMap<(String, String), usize>;

/// The case `name` of the suite `path`, added when new.
fn case<'s, 'a>(
    suites: &'s mut Suites<'a>,
    index: &mut Index,
    path: &str,
    name: &str,
) -> &'s mut Case<'a> {
    let cases = suites.entry(path.to_string()).or_default();
    let i = *index
        .entry((path.to_string(), name.to_string()))
        .or_insert_with(|| {
            cases.push((name.to_string(), Case::default()));
            cases.len() - 1
        });
    &mut cases[i].1
}

fn finding_line(report: &Report, d: &Diagnostic) -> String {
    let source = &report.ws.files[d.file].source;
    let pos = source.position(d.span.start);
    let mut line = format!(
        "{}:{}:{}: {} {} {} {}",
        source.display,
        pos.line,
        pos.column,
        d.severity.as_str(),
        d.rule.code,
        d.rule.name,
        d.message
    );
    if let Some(help) = &d.help {
        line.push_str(&format!("\n  help: {help}"));
    }
    line
}

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let files = &report.ws.files;
    // path → cases, in path order; lanes by line, then the outside case.
    let mut suites: Suites = BTreeMap::new();
    let mut index = Index::new();
    for l in &report.lanes {
        let file = &files[l.file];
        let Some(lane) = file.ruby().map(|m| &m.lanes[l.lane]) else {
            continue;
        };
        let case = case(
            &mut suites,
            &mut index,
            &file.source.display,
            &lane.qualified_name(),
        );
        case.line = Some(file.source.line_of(lane.span.start));
        case.verdict = Some(l.verdict.as_str());
    }
    for d in &report.diagnostics {
        let path = &files[d.file].source.display;
        case(
            &mut suites,
            &mut index,
            path,
            d.lane.as_deref().unwrap_or(OUTSIDE),
        )
        .findings
        .push(d);
    }
    for e in report.errors() {
        case(&mut suites, &mut index, &e.display, "(read)").error = Some(&e.message);
    }

    let count = |f: &dyn Fn(&Case) -> bool| -> usize {
        suites.values().flatten().filter(|(_, c)| f(c)).count()
    };
    let tests = count(&|_| true);
    let failures = count(&|c| !c.findings.is_empty());
    let errors = count(&|c| c.error.is_some());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="fastlint" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    for (path, cases) in &suites {
        let failures = cases.iter().filter(|(_, c)| !c.findings.is_empty()).count();
        let errors = cases.iter().filter(|(_, c)| c.error.is_some()).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="{errors}">"#,
            escape(path),
            cases.len()
        )?;
        for (name, case) in cases {
            let line = case
                .line
                .map(|l| format!(r#" line="{l}""#))
                .unwrap_or_default();
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{}" file="{}"{line}>"#,
                escape(name),
                escape(path),
                escape(path)
            )?;
            if !case.findings.is_empty() {
                let mut codes: Vec<&str> = case.findings.iter().map(|d| d.rule.code).collect();
                codes.sort_unstable();
                codes.dedup();
                let n = case.findings.len();
                let body = case
                    .findings
                    .iter()
                    .map(|d| finding_line(report, d))
                    .collect::<Vec<_>>()
                    .join("\n");
                writeln!(
                    out,
                    r#"      <failure message="{n} finding{}: {}" type="{}">{}</failure>"#,
                    if n == 1 { "" } else { "s" },
                    escape(&codes.join(", ")),
                    escape(&codes.join(",")),
                    escape(&body)
                )?;
            }
            if let Some(message) = case.error {
                writeln!(
                    out,
                    r#"      <error message="{}" type="read-error"/>"#,
                    escape(message)
                )?;
            }
            if let Some(verdict) = case.verdict {
                writeln!(out, "      <system-out>verdict: {verdict}</system-out>")?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
