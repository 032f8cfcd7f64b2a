//! Diagnostics: what a rule found, where, and the way out. Byte spans; positions only when printed.

use serde::Serialize;

use crate::model::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable code (`FL001`).
    pub code: &'static str,
    /// Stable name (`username-option`).
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Markdown: what it finds, why it matters, the way out, an example.
    pub explanation: &'static str,
    /// Whether `--fix` can rewrite what it finds.
    pub fixable: bool,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleInfo,
    /// The severity printers show: the rule's, unless the configuration overrides it.
    pub severity: Severity,
    /// Index of the file in the workspace.
    pub file: usize,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// The qualified lane it sits in (`ios beta`), if any.
    pub lane: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static RuleInfo,
        file: usize,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            file,
            span,
            message: message.into(),
            help: None,
            lane: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
