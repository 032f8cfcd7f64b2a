//! Rule documentation: `fastlint rule CODE`, `fastlint rules` (text, JSON, markdown), SARIF rule
//! descriptions, and README's rule list (generated from [`rules_markdown`]).

use serde::Serialize;

use crate::diagnostic::RuleInfo;
use crate::rules::RULES;

/// The marker lines around the generated rule list in README.md.
pub const README_START: &str = "<!-- rules:start -->";
pub const README_END: &str = "<!-- rules:end -->";

/// The paragraph of a rule's explanation that says what it finds, as plain text on one line.
pub fn what_it_finds(info: &RuleInfo) -> String {
    let first = info
        .explanation
        .split("\n\n")
        .next()
        .unwrap_or(info.summary);
    let text = first
        .trim_start_matches("**What it finds.**")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        info.summary.to_string()
    } else {
        text
    }
}

/// `fastlint rule FL001`: the rule's heading, then its documentation (markdown).
pub fn rule_text(info: &RuleInfo) -> String {
    let fix = if info.fixable { ", fixable" } else { "" };
    format!(
        "{} {} ({}{fix})\n{}\n\n{}\n",
        info.code,
        info.name,
        info.severity.as_str(),
        info.summary,
        info.explanation.trim_end()
    )
}

/// `fastlint rules`: one line per rule.
pub fn rules_text() -> String {
    let width = RULES.iter().map(|r| r.info.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in RULES {
        let i = r.info;
        out.push_str(&format!(
            "{}  {:<width$}  {:<7}  {:<3}  {}\n",
            i.code,
            i.name,
            i.severity.as_str(),
            if i.fixable { "fix" } else { "" },
            i.summary
        ));
    }
    out
}

#[derive(Serialize)]
pub struct JsonRule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub fixable: bool,
    pub summary: &'static str,
    pub explanation: &'static str,
}

/// `fastlint rules --format json`.
pub fn rules_json() -> Vec<JsonRule> {
    RULES
        .iter()
        .map(|r| JsonRule {
            code: r.info.code,
            name: r.info.name,
            severity: r.info.severity.as_str(),
            fixable: r.info.fixable,
            summary: r.info.summary,
            explanation: r.info.explanation,
        })
        .collect()
}

/// The heading anchor GitHub gives `### FL001 `username-option``.
fn anchor(info: &RuleInfo) -> String {
    format!("{}-{}", info.code.to_ascii_lowercase(), info.name)
}

/// `fastlint rules --format markdown`: a table, then each rule's documentation. README.md holds it
/// between [`README_START`] and [`README_END`].
pub fn rules_markdown() -> String {
    let mut out = String::from("| code | name | severity | fix | finds |\n|---|---|---|---|---|\n");
    for r in RULES {
        let i = r.info;
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} |\n",
            i.code,
            anchor(i),
            i.name,
            i.severity.as_str(),
            if i.fixable { "yes" } else { "" },
            i.summary.replace('|', "\\|")
        ));
    }
    for r in RULES {
        let i = r.info;
        out.push_str(&format!(
            "\n### {} `{}`\n\n{}\n",
            i.code,
            i.name,
            i.explanation.trim_end()
        ));
    }
    out
}

/// README.md with its rule list replaced by [`rules_markdown`]; `None` when the markers are missing.
pub fn readme_with_rules(readme: &str) -> Option<String> {
    let start = readme.find(README_START)? + README_START.len();
    let end = start + readme[start..].find(README_END)?;
    Some(format!(
        "{}\n{}{}",
        &readme[..start],
        rules_markdown(),
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented() {
        for r in RULES {
            let i = r.info;
            assert!(
                i.explanation.starts_with("**What it finds.**"),
                "{}",
                i.code
            );
            assert!(i.explanation.contains("**The way out.**"), "{}", i.code);
            assert!(i.explanation.contains("**Example.**"), "{}", i.code);
            assert!(what_it_finds(i).len() <= 1024, "{}", i.code);
        }
    }

    #[test]
    fn readme_section_is_replaced_between_markers() {
        let readme = format!("# x\n{README_START}\nSTALE LIST\n{README_END}\nrest\n");
        let new = readme_with_rules(&readme).unwrap();
        assert!(new.starts_with(&format!("# x\n{README_START}\n| code |")));
        assert!(new.ends_with(&format!("{README_END}\nrest\n")));
        assert!(!new.contains("STALE LIST"));
        assert_eq!(readme_with_rules(&new).unwrap(), new);
    }
}
