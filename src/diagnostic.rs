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
    pub message: Text,
    pub help: Option<Text>,
    /// The qualified lane it sits in (`ios beta`), if any.
    pub lane: Option<Text>,
}

/// A finding's text. Most texts repeat word for word across findings (a rule's help, a lane's
/// name, the same message on every lane of a generated Fastfile), so each distinct text is
/// stored once for the run.
pub type Text = std::sync::Arc<str>;

/// The shared copy of `text`. Each worker thread keeps its own set (no lock in the per-project
/// work), so a text is stored at most once per thread.
pub fn intern(text: impl Into<String> + AsRef<str>) -> Text {
    thread_local! {
        static TEXTS: std::cell::RefCell<foldhash::HashSet<Text>> = Default::default();
    }
    TEXTS.with(|texts| {
        let mut texts = texts.borrow_mut();
        if let Some(t) = texts.get(text.as_ref()) {
            return t.clone();
        }
        let t: Text = Text::from(text.into());
        texts.insert(t.clone());
        t
    })
}

impl Diagnostic {
    pub fn new(
        rule: &'static RuleInfo,
        file: usize,
        span: Span,
        message: impl Into<String> + AsRef<str>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            file,
            span,
            message: intern(message),
            help: None,
            lane: None,
        }
    }

    pub fn help(mut self, help: impl Into<String> + AsRef<str>) -> Self {
        self.help = Some(intern(help));
        self
    }
}
