//! Credentials written into the files fastlint reads: where they are, what they are, and the file's
//! text with them blanked out.
//!
//! FL009 reports what [`find`] returns; every printer that shows source text shows
//! [`redacted_text`] instead, so no secret is printed whichever rule points near it.

use std::borrow::Cow;

use crate::knowledge::{
    self, APP_SPECIFIC_PASSWORD_ENV, KEY_CONTENT_ENV, PASSWORD_ENV, SESSION_ENV,
};
use crate::model::{FileModel, Span, Value};
use crate::source::{CiKind, FileKind};

/// What kind of credential a literal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretKind {
    /// An Apple-ID password.
    Password,
    /// A `FASTLANE_SESSION` web-session cookie.
    Session,
    /// An app-specific password.
    AppSpecificPassword,
    /// An App Store Connect API private key.
    PrivateKey,
}

impl SecretKind {
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::Password => "an Apple-ID password",
            SecretKind::Session => "a web-session cookie",
            SecretKind::AppSpecificPassword => "an app-specific password",
            SecretKind::PrivateKey => "an App Store Connect API private key",
        }
    }
}

/// A credential written as a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    pub kind: SecretKind,
    /// The literal as written (for a private key, its whole PEM block).
    pub span: Span,
    /// Where it was found, for messages: "`FASTLANE_PASSWORD`", "`password:` of `pilot`".
    pub what: String,
    /// The length of the value, in characters (without quotes).
    pub chars: usize,
}

impl Secret {
    /// How the value is shown: never its text, only its length.
    pub fn redacted(&self) -> String {
        format!("<redacted, {} chars>", self.chars)
    }
}

/// The kind of secret a variable holds, if it holds one.
pub fn env_secret_kind(name: &str) -> Option<SecretKind> {
    if PASSWORD_ENV.contains(&name) {
        Some(SecretKind::Password)
    } else if SESSION_ENV.contains(&name) {
        Some(SecretKind::Session)
    } else if APP_SPECIFIC_PASSWORD_ENV.contains(&name) {
        Some(SecretKind::AppSpecificPassword)
    } else if KEY_CONTENT_ENV.contains(&name) {
        Some(SecretKind::PrivateKey)
    } else {
        None
    }
}

/// Template files whose values are placeholders, not secrets.
fn is_template(file: &FileModel) -> bool {
    crate::environments::is_template_name(file.source.file_name())
}

/// A value that only stands for a secret (`<password>`, `xxxx`, `your-password`, `changeme`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let mut chars = v.chars();
    let first = chars.next();
    (v.starts_with('<') && v.ends_with('>'))
        || first.is_some_and(|c| v.chars().all(|d| d == c))
        || [
            "your",
            "example",
            "placeholder",
            "changeme",
            "replace",
            "dummy",
            "secret_here",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether a value written in a `.env` or CI file is a literal rather than a reference
/// (`${{ secrets.X }}`, `$VAR`, `$(VAR)`, Jenkins `credentials('id')`, `params.X`).
pub fn is_literal(kind: FileKind, raw: &str, value: &str) -> bool {
    let raw = raw.trim();
    if value.trim().is_empty() || raw.contains('$') {
        return false;
    }
    match kind {
        // Groovy: a quoted string is a literal; `credentials('id')`, `params.X`, `env.X` and bare
        // names are expressions. `withEnv(["NAME=value"])` values come without their quotes.
        FileKind::Ci(CiKind::Jenkins) => {
            raw.starts_with(['"', '\''])
                || !(raw.contains('(')
                    || raw
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        }
        _ => true,
    }
}

fn is_base64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='
}

/// PEM private key blocks with a literal body (`-----BEGIN PRIVATE KEY-----` and at least 64 base64
/// characters, across real line breaks or `\n` escapes). Encrypted keys and headers whose body is
/// interpolated (`"-----BEGIN PRIVATE KEY-----\n#{body}"`) are not counted.
pub fn private_key_blocks(text: &str) -> Vec<Span> {
    const BEGIN: &str = "-----BEGIN ";
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(i) = text[search..].find(BEGIN) {
        let start = search + i;
        search = start + BEGIN.len();
        let label_start = start + BEGIN.len();
        let Some(label_len) = text[label_start..].find("-----") else {
            break;
        };
        let label = &text[label_start..label_start + label_len];
        if !label.ends_with("PRIVATE KEY") || label.contains("ENCRYPTED") || label.len() > 40 {
            continue;
        }
        let mut j = label_start + label_len + 5;
        let mut body = 0;
        while j < b.len() {
            match b[j] {
                c if is_base64(c) => {
                    body += 1;
                    j += 1;
                }
                b' ' | b'\t' | b'\r' | b'\n' => j += 1,
                b'\\' if matches!(b.get(j + 1), Some(b'n' | b'r')) => j += 2,
                _ => break,
            }
        }
        if body < 64 {
            continue;
        }
        let mut end = j;
        if text[j..].starts_with("-----END ") {
            if let Some(k) = text[j + 9..].find("-----") {
                end = j + 9 + k + 5;
            }
        } else {
            end = text[..j].trim_end_matches([' ', '\t', '\r', '\n']).len();
        }
        out.push(Span::new(start, end));
        search = end;
    }
    out
}

/// Whether a string value is private key content: a PEM block with a body, or a long base64 string
/// (`is_key_content_base64: true`).
pub fn looks_like_key_content(value: &str) -> bool {
    if !private_key_blocks(value).is_empty() {
        return true;
    }
    let v = value.trim();
    v.len() >= 100
        && v.bytes().all(|c| is_base64(c) || c.is_ascii_whitespace())
        && v.bytes().filter(|c| is_base64(*c)).count() >= 100
}

/// Every secret written as a literal in a file.
pub fn find(file: &FileModel) -> Vec<Secret> {
    collect(file, true)
}

/// `strict`: what FL009 reports; otherwise also placeholders and template files, which are blanked
/// out in printed source all the same.
fn collect(file: &FileModel, strict: bool) -> Vec<Secret> {
    let text = &file.source.text;
    let placeholder = |v: &str| strict && is_placeholder(v);
    let mut out = Vec::new();
    let mut push = |kind: SecretKind, span: Span, what: String, value: &str| {
        out.push(Secret {
            kind,
            span,
            what,
            chars: value.chars().count(),
        });
    };

    for span in private_key_blocks(text) {
        let what = match file.source.kind {
            FileKind::PrivateKey => "this .p8 file".to_string(),
            FileKind::KeyJson => "this JSON key file".to_string(),
            _ => "a `-----BEGIN PRIVATE KEY-----` block".to_string(),
        };
        push(
            SecretKind::PrivateKey,
            span,
            what,
            &text[span.start..span.end],
        );
    }

    if let Some(model) = file.ruby() {
        for e in model.env.iter().filter(|e| e.write) {
            let (Some(kind), Some(Value::Str(v)), Some(span)) =
                (env_secret_kind(&e.name), &e.value, e.value_span)
            else {
                continue;
            };
            let ok = match kind {
                SecretKind::PrivateKey => looks_like_key_content(v),
                _ => !v.is_empty() && !placeholder(v),
            };
            if ok {
                push(kind, span, format!("`ENV[\"{}\"]`", e.name), v);
            }
        }
        for call in &model.calls {
            let apple = knowledge::action(&call.name).is_some();
            for opt in &call.options {
                let Value::Str(v) = &opt.value else {
                    if opt.key == "api_key" {
                        if let Some(e) = opt.entry("key") {
                            if let Value::Str(k) = &e.value {
                                if looks_like_key_content(k) {
                                    push(
                                        SecretKind::PrivateKey,
                                        e.value_span,
                                        format!("`key` of the `api_key:` hash of `{}`", call.name),
                                        k,
                                    );
                                }
                            }
                        }
                    }
                    continue;
                };
                match opt.key.as_str() {
                    "password" if apple && !v.is_empty() && !placeholder(v) => push(
                        SecretKind::Password,
                        opt.value_span,
                        format!("`password:` of `{}`", call.name),
                        v,
                    ),
                    "key_content" if looks_like_key_content(v) => push(
                        SecretKind::PrivateKey,
                        opt.value_span,
                        format!("`key_content:` of `{}`", call.name),
                        v,
                    ),
                    _ => {}
                }
            }
        }
        for s in &model.spaceship {
            if let Some(span) = s.password {
                let v = text
                    .get(span.start + 1..span.end.saturating_sub(1))
                    .unwrap_or("");
                if !placeholder(v) {
                    push(
                        SecretKind::Password,
                        span,
                        format!("the password given to `{}`", s.text),
                        v,
                    );
                }
            }
        }
    }

    if matches!(file.source.kind, FileKind::DotEnv | FileKind::Ci(_))
        && !(strict && is_template(file))
    {
        for a in file.dotenv() {
            let Some(kind) = env_secret_kind(&a.name) else {
                continue;
            };
            let raw = text.get(a.value_span.start..a.value_span.end).unwrap_or("");
            if !is_literal(file.source.kind, raw, &a.value) {
                continue;
            }
            let ok = match kind {
                SecretKind::PrivateKey => looks_like_key_content(&a.value),
                _ => !placeholder(&a.value),
            };
            if ok {
                push(kind, a.value_span, format!("`{}`", a.name), &a.value);
            }
        }
    }

    if let Some(json) = file.key_json() {
        if let Some(f) = json.field("key") {
            if let Value::Str(k) = &f.value {
                if looks_like_key_content(k) {
                    push(
                        SecretKind::PrivateKey,
                        f.value_span,
                        "the `key` field of this JSON key file".to_string(),
                        k,
                    );
                }
            }
        }
    }

    // One finding per place: an outer literal wins over a PEM block inside it.
    out.sort_by_key(|s| (s.span.start, std::cmp::Reverse(s.span.end)));
    let mut kept: Vec<Secret> = Vec::with_capacity(out.len());
    for s in out {
        if kept
            .last()
            .is_some_and(|k| k.span.start <= s.span.start && s.span.end <= k.span.end)
        {
            continue;
        }
        kept.push(s);
    }
    kept
}

/// Where the file's secrets are: what FL009 reports, placeholders and template values, and what
/// was found before the file's calls were dropped.
pub fn spans(file: &FileModel) -> Vec<Span> {
    let mut spans: Vec<Span> = collect(file, false).into_iter().map(|s| s.span).collect();
    if let Some(model) = file.ruby() {
        spans.extend(model.redactions.iter().copied());
    }
    spans.sort();
    spans.dedup();
    spans
}

/// The file's text with every secret's bytes replaced by `*` (line breaks kept, so positions and
/// lines stay the same).
pub fn redacted_text(file: &FileModel) -> Cow<'_, str> {
    let spans = spans(file);
    if spans.is_empty() {
        return Cow::Borrowed(&file.source.text);
    }
    let mut bytes = file.source.text.as_bytes().to_vec();
    for span in &spans {
        let end = span.end.min(bytes.len());
        for b in &mut bytes[span.start.min(end)..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // Spans sit on character boundaries and every byte inside became ASCII.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZWtleWZha2VrZXk";

    #[test]
    fn pem_blocks_need_a_literal_body() {
        let text =
            format!("k = \"-----BEGIN PRIVATE KEY-----\\n{BODY}\\n-----END PRIVATE KEY-----\"\n");
        let blocks = private_key_blocks(&text);
        assert_eq!(blocks.len(), 1);
        assert!(text[blocks[0].start..blocks[0].end].ends_with("-----END PRIVATE KEY-----"));
        assert!(private_key_blocks(
            "x = \"-----BEGIN PRIVATE KEY-----\\n#{body}\\n-----END PRIVATE KEY-----\""
        )
        .is_empty());
        assert!(private_key_blocks("key.start_with?(\"-----BEGIN PRIVATE KEY-----\")").is_empty());
        let enc = format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{BODY}\n");
        assert!(private_key_blocks(&enc).is_empty());
        let rsa = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{BODY}\n{BODY}\n-----END RSA PRIVATE KEY-----\n"
        );
        assert_eq!(private_key_blocks(&rsa).len(), 1);
    }

    #[test]
    fn literals_and_references() {
        let env = FileKind::DotEnv;
        assert!(is_literal(env, "hunter2", "hunter2"));
        assert!(!is_literal(env, "${PW}", "${PW}"));
        assert!(!is_literal(env, "", ""));
        let gh = FileKind::Ci(CiKind::GitHub);
        assert!(!is_literal(gh, "${{ secrets.PW }}", "${{ secrets.PW }}"));
        assert!(is_literal(gh, "'hunter2'", "hunter2"));
        let j = FileKind::Ci(CiKind::Jenkins);
        assert!(!is_literal(j, "credentials('pw')", "credentials('pw')"));
        assert!(!is_literal(j, "params.PW", "params.PW"));
        assert!(is_literal(j, "'hunter2'", "hunter2"));
        assert!(is_literal(j, "abc-123", "abc-123"));
        assert!(!is_literal(j, "ASP_VALUE", "ASP_VALUE"));
        assert!(is_placeholder("<your password>"));
        assert!(is_placeholder("xxxxxxxx"));
        assert!(!is_placeholder("hunter2"));
    }

    #[test]
    fn base64_key_content() {
        let long = BODY.repeat(2);
        assert!(looks_like_key_content(&long));
        assert!(!looks_like_key_content("ABC123"));
    }
}
