//! Reads a `.env` file the way dotenv does: `KEY=value` lines, `export KEY=value`, `#` comments,
//! quoted values.

use crate::model::{EnvAssignment, Span};

/// Every assignment in a `.env` file, in order.
pub fn extract(text: &str) -> Vec<EnvAssignment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let lead = line.len() - line.trim_start().len();
        let mut rest = &line[lead..];
        let mut at = line_start + lead;
        if rest.starts_with('#') || rest.is_empty() {
            continue;
        }
        if let Some(r) = rest.strip_prefix("export ") {
            let skipped = rest.len() - r.trim_start().len();
            at += skipped;
            rest = &rest[skipped..];
        }
        let Some(eq) = rest.find('=') else { continue };
        let name = rest[..eq].trim_end();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let value_raw = &rest[eq + 1..];
        let value_lead = value_raw.len() - value_raw.trim_start().len();
        let value_text = value_raw.trim();
        let value_start = at + eq + 1 + value_lead;
        let value = unquote(value_text);
        out.push(EnvAssignment {
            name: name.to_string(),
            name_span: Span::new(at, at + name.len()),
            value,
            value_span: Span::new(value_start, value_start + value_text.len()),
        });
    }
    out
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    // An unquoted value ends at an inline comment.
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assignments() {
        let text = "# comment\nFASTLANE_USER=me@example.com\nexport FASTLANE_PASSWORD=\"secret\"\n\n  APP_STORE_CONNECT_API_KEY_PATH = key.json # here\nnot a line\n";
        let a = extract(text);
        let names: Vec<_> = a.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "FASTLANE_USER",
                "FASTLANE_PASSWORD",
                "APP_STORE_CONNECT_API_KEY_PATH"
            ]
        );
        assert_eq!(a[1].value, "secret");
        assert_eq!(a[2].value, "key.json");
        assert_eq!(
            &text[a[1].name_span.start..a[1].name_span.end],
            "FASTLANE_PASSWORD"
        );
        assert_eq!(
            &text[a[0].value_span.start..a[0].value_span.end],
            "me@example.com"
        );
    }
}
