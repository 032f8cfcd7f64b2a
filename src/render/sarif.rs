//! `--format sarif`: SARIF 2.1.0 in the subset GitHub code scanning reads.
//!
//! - `tool.driver`: name, version, and every rule (id, name, short and full description, help as text and
//!   markdown, default level after `[severity]` overrides);
//! - each result: `ruleId`, `ruleIndex`, `level`, `message.text`, the repo-relative `artifactLocation.uri`
//!   (as displayed: run fastlint from the repository root), a region in UTF-16 columns with `endColumn`
//!   one past the last character, `partialFingerprints.primaryLocationLineHash` (a hash of the code and
//!   the normalised line text, then `:N` for the N-th equal line in the file), the lane in `properties`;
//! - suppressed findings stay, marked `suppressions: [{kind: "inSource"}]` (a comment) or
//!   `[{kind: "external"}]` (the baseline);
//! - files that could not be read are tool execution notifications, and the run is then not successful.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::docs;
use crate::fingerprint::{LineHashes, Occurrences};
use crate::report::Report;
use crate::rules::RULES;
use crate::source::Utf16Columns;
use crate::suppress::{Suppressed, SuppressionKind};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A path as a SARIF URI: relative paths percent-encoded, absolute ones as `file://` URIs.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn rule_descriptor(info: &crate::diagnostic::RuleInfo, config: &Config) -> Value {
    let mut full = docs::what_it_finds(info);
    if full.len() > 1024 {
        let mut cut = 1021;
        while !full.is_char_boundary(cut) {
            cut -= 1;
        }
        full.truncate(cut);
        full.push_str("...");
    }
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": full},
        "help": {"text": info.explanation, "markdown": info.explanation},
        "defaultConfiguration": {"level": level(config.severity_of(info.code, info.severity))},
        "properties": {"tags": ["fastlane", "apple-id", "app-store-connect"]},
    })
}

fn result(
    report: &Report,
    d: &Diagnostic,
    suppression: Option<&Suppressed>,
    occurrences: &mut Occurrences,
    hashes: &mut LineHashes,
    columns: &mut (Utf16Columns, Utf16Columns),
) -> Value {
    let source = &report.ws.files[d.file].source;
    let (start_line, end_line) = (source.line_of(d.span.start), source.line_of(d.span.end));
    let hash = hashes.of(source, d);
    let n = occurrences.next(&format!("{}\0{hash}", source.display));
    let text = match &d.help {
        Some(help) => format!("{}.\nHelp: {help}", d.message),
        None => d.message.to_string(),
    };
    let mut r = json!({
        "ruleId": d.rule.code,
        "ruleIndex": RULES.iter().position(|r| r.info.code == d.rule.code),
        "level": level(d.severity),
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&source.display), "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": start_line,
                    "startColumn": columns.0.column(d.file, source, d.span.start),
                    "endLine": end_line,
                    "endColumn": columns.1.column(d.file, source, d.span.end),
                }
            }
        }],
        "partialFingerprints": {"primaryLocationLineHash": format!("{hash}:{n}")},
        "properties": {"name": d.rule.name},
    });
    if let Some(lane) = &d.lane {
        r["properties"]["lane"] = json!(&**lane);
    }
    if let Some(s) = suppression {
        let kind = match s.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::Baseline => "external",
        };
        let mut entry = json!({"kind": kind});
        if let Some(j) = &s.justification {
            entry["justification"] = json!(j);
        }
        r["suppressions"] = json!([entry]);
    }
    r
}

/// A report's SARIF log, serialized as it is written: each result is built, written and dropped
/// in turn, so a run with many findings never holds them all as JSON values.
pub struct Log<'a> {
    report: &'a Report,
    config: &'a Config,
}

impl<'a> Log<'a> {
    pub fn new(report: &'a Report, config: &'a Config) -> Self {
        Log { report, config }
    }
}

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut log = serializer.serialize_map(Some(3))?;
        log.serialize_entry("$schema", SCHEMA)?;
        log.serialize_entry("version", "2.1.0")?;
        log.serialize_entry("runs", &[Run(self)])?;
        log.end()
    }
}

/// The log's one run.
struct Run<'l, 'a>(&'l Log<'a>);

impl Serialize for Run<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Log { report, config } = *self.0;
        let version = env!("CARGO_PKG_VERSION");
        let mut run = serializer.serialize_map(Some(5))?;
        run.serialize_entry(
            "tool",
            &json!({"driver": {
                "name": "fastlint",
                "version": version,
                "semanticVersion": version,
                "rules": RULES.iter().map(|r| rule_descriptor(r.info, config)).collect::<Vec<_>>(),
            }}),
        )?;
        run.serialize_entry("columnKind", "utf16CodeUnits")?;
        run.serialize_entry("results", &Results(report))?;
        run.serialize_entry(
            "invocations",
            &json!([{
                "executionSuccessful": report.errors().is_empty(),
                "toolExecutionNotifications": notifications(report),
            }]),
        )?;
        run.serialize_entry("properties", &json!({"verdicts": report.by_verdict()}))?;
        run.end()
    }
}

/// Every finding, suppressed ones included, by file and position.
struct Results<'a>(&'a Report);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let files = &report.ws.files;
        let mut all: Vec<(&Diagnostic, Option<&Suppressed>)> = report
            .diagnostics
            .iter()
            .map(|d| (d, None))
            .chain(report.suppressed.iter().map(|s| (&s.diagnostic, Some(s))))
            .collect();
        all.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                (
                    files[d.file].source.display.as_str(),
                    d.span.start,
                    d.span.end,
                    d.rule.code,
                )
            };
            key(a.0).cmp(&key(b.0))
        });
        let mut occurrences = Occurrences::default();
        let mut hashes = LineHashes::default();
        // Starts and ends, each mostly in order of position.
        let mut columns = Default::default();
        serializer.collect_seq(
            all.into_iter()
                .map(|(d, s)| result(report, d, s, &mut occurrences, &mut hashes, &mut columns)),
        )
    }
}

/// The run's errors and notes.
fn notifications(report: &Report) -> Vec<Value> {
    let files = &report.ws.files;
    let mut notifications: Vec<Value> = report
        .errors()
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&e.display)}}}],
            })
        })
        .collect();
    notifications.extend(report.notes().iter().map(|n| {
        let source = &files[n.file].source;
        json!({
            "level": "note",
            "message": {"text": n.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(&source.display), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": source.line_of(n.span.start)},
            }}],
        })
    }));
    notifications
}

/// Writes the SARIF log.
pub fn write(
    report: &Report,
    config: &Config,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Log::new(report, config))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("fastlane/Fastfile"), "fastlane/Fastfile");
        assert_eq!(
            uri("my app/fastlane/.env.default"),
            "my%20app/fastlane/.env.default"
        );
        assert_eq!(uri("/abs/é"), "file:///abs/%C3%A9");
    }
}
