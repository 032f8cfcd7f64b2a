//! Suppression comments, and FL100 for those that suppress nothing.
//!
//! - `# fastlint: ignore FL001 -- reason` at the end of a line suppresses FL001 on that line;
//! - alone on a line, it suppresses the next line that is not a comment (so several can be stacked);
//! - `# fastlint: ignore-file FL004 -- reason` anywhere suppresses FL004 in the whole file.
//!
//! Codes may be written as codes or rule names, separated by commas or spaces; the reason after `--` is
//! optional and becomes the SARIF justification. Ruby comments come from the syntax tree (a `#` inside a
//! string is not a comment); in `.env` files a comment is a line starting with `#`, or ` #` after an
//! unquoted value or after a quoted one.
//!
//! Suppressed findings are kept (SARIF shows them as suppressed) but leave the text, the JSON and the exit
//! status.

use std::collections::{BTreeMap, HashMap};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::fix::edit::{apply_edits, Edit};
use crate::fix::{FileChange, Outcome as FixOutcome};
use crate::load::{model_of, Workspace};
use crate::model::{FileModel, Span};
use crate::report::{CheckOptions, Report};
use crate::rules::{self, fl100_unused_suppression};
use crate::source::SourceFile;

/// Why a finding is not reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A `# fastlint: ignore` comment in the file.
    InSource,
    /// An entry of the `--baseline` file.
    Baseline,
}

/// A finding that was found and then suppressed.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub kind: SuppressionKind,
    pub justification: Option<String>,
}

/// One code named by a suppression comment.
#[derive(Clone, Debug)]
pub struct NamedCode {
    /// As written (`FL001`, `username-option`).
    pub text: String,
    /// The rule's code, when it names one.
    pub code: Option<&'static str>,
    pub span: Span,
}

/// A `# fastlint: ...` comment.
#[derive(Clone, Debug)]
pub struct Directive {
    pub file: usize,
    /// The whole comment.
    pub comment: Span,
    /// `ignore-file`.
    pub whole_file: bool,
    /// `ignore` / `ignore-file`; `false` for a `# fastlint:` comment that is neither.
    pub valid: bool,
    pub codes: Vec<NamedCode>,
    pub reason: Option<String>,
    /// The 1-based line an `ignore` covers.
    pub line: usize,
}

const PREFIX: &str = "fastlint:";

/// Parses one comment (`comment` spans it, `#` included). `None` when it is not a `# fastlint:` comment.
pub fn parse_comment(
    text: &str,
    comment: Span,
) -> Option<(bool, bool, Vec<NamedCode>, Option<String>)> {
    let body = &text[comment.start..comment.end];
    let after_hash = body.strip_prefix('#')?;
    let lead = after_hash.len() - after_hash.trim_start().len();
    let rest = after_hash.trim_start().strip_prefix(PREFIX)?;
    let at = comment.start + 1 + lead + PREFIX.len();
    let (codes_part, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], Some(rest[i + 2..].trim().to_string())),
        None => (rest, None),
    };
    let reason = reason.filter(|r| !r.is_empty());
    let mut words = Vec::new();
    let mut start = None;
    for (i, ch) in codes_part.char_indices() {
        let sep = ch.is_whitespace() || ch == ',';
        match (sep, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, codes_part.len()));
    }
    let word = |(s, e): (usize, usize)| &codes_part[s..e];
    let (valid, whole_file) = match words.first().map(|w| word(*w)) {
        Some("ignore") => (true, false),
        Some("ignore-file") => (true, true),
        _ => (false, false),
    };
    let codes = if valid {
        words[1..]
            .iter()
            .map(|&(s, e)| {
                let text = &codes_part[s..e];
                NamedCode {
                    text: text.to_string(),
                    code: rules::find(text).map(|r| r.info.code),
                    span: Span::new(at + s, at + e),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Some((valid, whole_file, codes, reason))
}

/// The comments of a `.env` file: `#` lines and trailing ` #` comments.
fn dotenv_comments(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let lead = line.len() - line.trim_start().len();
        if line[lead..].starts_with('#') {
            out.push(Span::new(start + lead, start + line.len()));
            continue;
        }
        let Some(eq) = line.find('=') else { continue };
        let value = &line[eq + 1..];
        let value_lead = value.len() - value.trim_start().len();
        let v = &value[value_lead..];
        let search_from = match v.chars().next() {
            Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                Some(close) => close + 2,
                None => continue,
            },
            _ => 0,
        };
        let tail = &v[search_from..];
        let hash = if search_from == 0 {
            tail.find(" #").map(|i| i + 1)
        } else {
            tail.find('#')
        };
        if let Some(h) = hash {
            let s = start + eq + 1 + value_lead + search_from + h;
            out.push(Span::new(s, start + line.len()));
        }
    }
    out
}

/// Every `# fastlint:` comment of a file.
pub fn directives(file_index: usize, file: &FileModel) -> Vec<Directive> {
    let text = &file.source.text;
    let comments: Vec<Span> = match file.ruby() {
        Some(model) => model.comments.clone(),
        None => dotenv_comments(text),
    };
    let source = &file.source;
    // Lines that hold only a comment: an `ignore` alone on its line skips them to find its target.
    let comment_only = |line: usize| {
        let range = source.line_range(line);
        let lead = text[range.clone()].len() - text[range.clone()].trim_start().len();
        let first = range.start + lead;
        first < range.end && comments.iter().any(|c| c.start == first)
    };
    let line_count = source.line_of(text.len());
    let mut out = Vec::new();
    for &comment in &comments {
        let Some((valid, whole_file, codes, reason)) = parse_comment(text, comment) else {
            continue;
        };
        let own_line = source.line_of(comment.start);
        let alone = text[source.line_range(own_line).start..comment.start]
            .trim()
            .is_empty();
        let mut line = own_line;
        if alone && !whole_file {
            line += 1;
            while line <= line_count && comment_only(line) {
                line += 1;
            }
        }
        out.push(Directive {
            file: file_index,
            comment,
            whole_file,
            valid,
            codes,
            reason,
            line,
        });
    }
    out
}

/// Which findings `# fastlint: ignore` comments suppress, looked up by file, line and code: what
/// `--fix` leaves as it is (a suppressed finding is kept as written, not migrated). Files are read
/// when first asked about.
#[derive(Default)]
pub struct Held {
    files: HashMap<usize, FileHeld>,
}

/// The codes a file's comments ignore.
#[derive(Default)]
struct FileHeld {
    whole_file: Vec<&'static str>,
    by_line: HashMap<usize, Vec<&'static str>>,
}

impl Held {
    /// Whether a comment suppresses `code` at `span` of file `file`.
    pub fn holds(&mut self, ws: &Workspace, file: usize, span: Span, code: &str) -> bool {
        let held = self.files.entry(file).or_insert_with(|| {
            let mut held = FileHeld::default();
            for d in directives(file, &ws.files[file])
                .into_iter()
                .filter(|d| d.valid)
            {
                let codes = d.codes.iter().filter_map(|c| c.code);
                if d.whole_file {
                    held.whole_file.extend(codes);
                } else {
                    held.by_line.entry(d.line).or_default().extend(codes);
                }
            }
            held.whole_file.sort_unstable();
            held.whole_file.dedup();
            held
        });
        if held.whole_file.contains(&code) {
            return true;
        }
        let line = ws.files[file].source.line_of(span.start);
        held.by_line
            .get(&line)
            .is_some_and(|codes| codes.contains(&code))
    }
}

/// What suppression leaves.
pub struct Outcome {
    pub active: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
    /// FL100 findings (before the configuration decides whether FL100 runs on their file).
    pub unused: Vec<Diagnostic>,
}

/// The suppression comments of a workspace, and which of their codes suppressed something.
struct Judged {
    directives: Vec<Directive>,
    /// `used[d][c]`: code `c` of directive `d` suppressed a finding.
    used: Vec<Vec<bool>>,
    /// For each diagnostic, in order, the directive that suppresses it.
    hits: Vec<Option<usize>>,
}

impl Judged {
    fn new(ws: &Workspace, diagnostics: &[Diagnostic]) -> Self {
        use rayon::prelude::*;
        // Each file's comments are read on the thread pool; the directives stay in file order.
        let directives: Vec<Directive> = ws
            .files
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, file)| self::directives(i, file))
            .collect();
        let mut used: Vec<Vec<bool>> = directives
            .iter()
            .map(|d| vec![false; d.codes.len()])
            .collect();
        // Each diagnostic is checked against its file's whole-file directives for its code and
        // the directives on its line only. A whole-file code is marked used by the first finding
        // it holds, so that a file of many such comments costs each finding a lookup.
        let mut whole_file: HashMap<(usize, &str), Vec<(usize, usize)>> = HashMap::new();
        let mut by_line: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (i, d) in directives.iter().enumerate() {
            if d.whole_file {
                for (ci, c) in d.codes.iter().enumerate() {
                    if let Some(code) = c.code {
                        whole_file.entry((d.file, code)).or_default().push((i, ci));
                    }
                }
            } else {
                by_line.entry((d.file, d.line)).or_default().push(i);
            }
        }
        let mut marked: std::collections::HashSet<(usize, &str)> = Default::default();
        let mut hits = Vec::with_capacity(diagnostics.len());
        for diag in diagnostics {
            let key = (diag.file, diag.rule.code);
            // The first such comment in the file (directives are in file order).
            let mut hit: Option<usize> = None;
            if let Some(codes) = whole_file.get(&key) {
                hit = codes.first().map(|&(di, _)| di);
                if marked.insert(key) {
                    for &(di, ci) in codes {
                        used[di][ci] = true;
                    }
                }
            }
            let line = ws.files[diag.file].source.line_of(diag.span.start);
            for &di in by_line.get(&(diag.file, line)).into_iter().flatten() {
                for (ci, c) in directives[di].codes.iter().enumerate() {
                    if c.code == Some(diag.rule.code) {
                        used[di][ci] = true;
                        hit = Some(hit.map_or(di, |h| h.min(di)));
                    }
                }
            }
            hits.push(hit);
        }
        Judged {
            directives,
            used,
            hits,
        }
    }

    /// The codes of directive `di` that should go: unknown ones, and those that suppressed nothing
    /// although their rule runs on the file.
    fn removable(&self, ws: &Workspace, di: usize, config: &Config) -> Vec<usize> {
        let d = &self.directives[di];
        let path = &ws.files[d.file].source.path;
        d.codes
            .iter()
            .enumerate()
            .filter(|(ci, c)| match c.code {
                None => true,
                Some(code) => !self.used[di][*ci] && config.is_enabled(code, path),
            })
            .map(|(ci, _)| ci)
            .collect()
    }
}

/// Splits diagnostics into reported and suppressed ones, and reports suppressions that suppress nothing.
pub fn apply(ws: &Workspace, diagnostics: Vec<Diagnostic>, config: &Config) -> Outcome {
    let judged = Judged::new(ws, &diagnostics);
    let mut out = Outcome {
        active: Vec::new(),
        suppressed: Vec::new(),
        unused: Vec::new(),
    };
    for (diag, hit) in diagnostics.into_iter().zip(&judged.hits) {
        match hit {
            Some(di) => out.suppressed.push(Suppressed {
                diagnostic: diag,
                kind: SuppressionKind::InSource,
                justification: judged.directives[*di].reason.clone(),
            }),
            None => out.active.push(diag),
        }
    }
    for (di, d) in judged.directives.iter().enumerate() {
        let message = if !d.valid {
            Some("`# fastlint:` comment that is not a suppression: expected `ignore CODE` or `ignore-file CODE`".to_string())
        } else if d.codes.is_empty() {
            Some("suppression names no rule: write the codes it suppresses (`# fastlint: ignore FL001`)".to_string())
        } else {
            let removable = judged.removable(ws, di, config);
            let (unknown, unused): (Vec<&NamedCode>, Vec<&NamedCode>) = removable
                .iter()
                .map(|&ci| &d.codes[ci])
                .partition(|c| c.code.is_none());
            let mut parts = Vec::new();
            if !unknown.is_empty() {
                parts.push(format!(
                    "suppression names unknown rule {} (`fastlint rules` lists them)",
                    quoted(&unknown)
                ));
            }
            if !unused.is_empty() {
                let where_ = if d.whole_file {
                    "in this file"
                } else {
                    "on the line it covers"
                };
                parts.push(format!(
                    "unused suppression: {} {} not reported {where_}",
                    quoted(&unused),
                    if unused.len() == 1 { "is" } else { "are" }
                ));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        };
        if let Some(message) = message {
            out.unused.push(
                Diagnostic::new(&fl100_unused_suppression::INFO, d.file, d.comment, message)
                    .help("delete the comment, or the codes in it that suppress nothing; `fastlint check --fix` does this"),
            );
        }
    }
    out
}

/// The edits that delete unused codes from suppression comments (FL100's fix): the whole comment when
/// none of its codes is used (with its line when it stands alone), else only the unused codes.
/// Comments that are not suppressions are left alone, and so are files FL100 does not run on.
pub fn removal_edits(
    ws: &Workspace,
    diagnostics: &[Diagnostic],
    config: &Config,
) -> BTreeMap<usize, Vec<Edit>> {
    let judged = Judged::new(ws, diagnostics);
    let mut out: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    for (di, d) in judged.directives.iter().enumerate() {
        let file = &ws.files[d.file];
        let source = &file.source;
        if !d.valid
            || d.codes.is_empty()
            || file.has_syntax_errors()
            || !config.is_enabled(fl100_unused_suppression::INFO.code, &source.path)
        {
            continue;
        }
        let removable = judged.removable(ws, di, config);
        if removable.is_empty() {
            continue;
        }
        let text = &source.text;
        let edit = if removable.len() == d.codes.len() {
            let line = source.line_range(source.line_of(d.comment.start));
            let before = &text[line.start..d.comment.start];
            if before.trim().is_empty() {
                // The comment is the whole line: delete the line with its line break.
                let end = text[line.end..]
                    .find('\n')
                    .map_or(text.len(), |i| line.end + i + 1);
                Edit::delete(line.start..end)
            } else {
                let code_end = line.start + before.trim_end().len();
                Edit::delete(code_end..d.comment.end)
            }
        } else {
            let kept: Vec<&str> = d
                .codes
                .iter()
                .enumerate()
                .filter(|(ci, _)| !removable.contains(ci))
                .map(|(_, c)| c.text.as_str())
                .collect();
            let first = d.codes.first().map_or(0, |c| c.span.start);
            let last = d.codes.last().map_or(0, |c| c.span.end);
            Edit::replace(first..last, kept.join(", "))
        };
        out.entry(d.file).or_default().push(edit);
    }
    out
}

/// `--fix` for FL100: deletes unused suppressions from the files as the migration left them, and
/// re-analyses. Returns the outcome and how many comments were changed.
pub fn fix_unused(
    mut outcome: FixOutcome,
    config: &Config,
    options: &CheckOptions,
) -> (FixOutcome, usize) {
    let enabled = crate::gate::Enabled::new(config, &outcome.report.ws.files);
    let diagnostics: Vec<Diagnostic> = outcome
        .report
        .diagnostics
        .iter()
        .filter(|d| enabled.keeps(d))
        .cloned()
        .collect();
    let edits = removal_edits(&outcome.report.ws, &diagnostics, config);
    if edits.is_empty() {
        return (outcome, 0);
    }
    let mut count = 0;
    let Report { mut ws, .. } = outcome.report;
    for (file, edits) in edits {
        let old = &ws.files[file].source;
        let text = match apply_edits(&old.text, &edits) {
            Ok(text) => text,
            Err(e) => {
                outcome.problems.push(format!("{}: {e}", old.display));
                continue;
            }
        };
        if old.kind.is_ruby() && !crate::extract::ruby::parses_clean(&text) {
            outcome.problems.push(format!(
                "{}: removing unused suppressions would introduce a syntax error; the file is kept as it is (please report this)",
                old.display
            ));
            continue;
        }
        count += edits.len();
        match outcome.changes.iter_mut().find(|c| c.file == file) {
            Some(change) => change.after = text.clone(),
            None => outcome.changes.push(FileChange {
                file,
                display: old.display.clone(),
                path: old.path.clone(),
                before: old.text.clone(),
                after: text.clone(),
            }),
        }
        let source = SourceFile::new(old.path.clone(), old.display.clone(), old.kind, text);
        ws.files[file] = model_of(source);
    }
    crate::fix::sort_changes(&mut outcome.changes);
    outcome.report = Report::build(ws, options);
    (outcome, count)
}

fn quoted(codes: &[&NamedCode]) -> String {
    codes
        .iter()
        .map(|c| format!("`{}`", c.text))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::model_of;
    use crate::source::{FileKind, SourceFile};

    fn file(kind: FileKind, text: &str) -> FileModel {
        model_of(SourceFile::new("f".into(), "f".into(), kind, text.into()))
    }

    #[test]
    fn parses_directives() {
        let text = "# fastlint: ignore FL001, no-api-key FL999 -- legacy account\n";
        let (valid, whole, codes, reason) =
            parse_comment(text, Span::new(0, text.len() - 1)).unwrap();
        assert!(valid && !whole);
        let names: Vec<_> = codes.iter().map(|c| (c.text.as_str(), c.code)).collect();
        assert_eq!(
            names,
            [
                ("FL001", Some("FL001")),
                ("no-api-key", Some("FL008")),
                ("FL999", None)
            ]
        );
        assert_eq!(&text[codes[1].span.start..codes[1].span.end], "no-api-key");
        assert_eq!(reason.as_deref(), Some("legacy account"));
        assert!(parse_comment("# just a note", Span::new(0, 13)).is_none());
        let (valid, ..) = parse_comment("#fastlint: ignroe FL001", Span::new(0, 23)).unwrap();
        assert!(!valid);
    }

    #[test]
    fn targets_of_ruby_directives() {
        let f = file(
            FileKind::Fastfile,
            "lane :a do\n  # fastlint: ignore FL008\n  # fastlint: ignore FL001\n  pilot(username: 'x') # fastlint: ignore FL004\n  s = \"# fastlint: ignore FL002\"\nend\n# fastlint: ignore-file FL005\n",
        );
        let d = directives(0, &f);
        let lines: Vec<_> = d.iter().map(|d| (d.line, d.whole_file)).collect();
        assert_eq!(lines, [(4, false), (4, false), (4, false), (7, true)]);
    }

    #[test]
    fn dotenv_comments_skip_quoted_hashes() {
        let text = "# fastlint: ignore FL002\nFASTLANE_USER=a # fastlint: ignore FL002\nX=\"a # b\" # c\nY=a#b\n";
        let spans: Vec<&str> = dotenv_comments(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(
            spans,
            [
                "# fastlint: ignore FL002",
                "# fastlint: ignore FL002",
                "# c"
            ]
        );
    }
}
