//! Reads a JSON key file (`api_key_path`): its top-level fields with their positions.
//!
//! `serde_json` decides validity and values; a small scanner finds where each top-level field and
//! its value are, so diagnostics can point at them.

use crate::model::{KeyJson, Opt, Span, Value};

/// Extracts the top-level fields of a JSON key file.
pub fn extract(text: &str) -> KeyJson {
    let parsed: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let at = offset_of(text, e.line(), e.column());
            return KeyJson {
                fields: Vec::new(),
                error: Some((Span::new(at, at), e.to_string())),
            };
        }
    };
    let Some(object) = parsed.as_object() else {
        let start = text.len() - text.trim_start().len();
        return KeyJson {
            fields: Vec::new(),
            error: Some((
                Span::new(start, start),
                "the key file is not a JSON object".to_string(),
            )),
        };
    };
    let spans = top_level_spans(text);
    let mut fields = Vec::new();
    for (name, name_span, value_span) in spans {
        let Some(value) = object.get(&name) else {
            continue;
        };
        let value = match value {
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Bool(true) => Value::True,
            serde_json::Value::Bool(false) => Value::False,
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Number(n) => n.as_i64().map(Value::Int).unwrap_or(Value::Other),
            _ => Value::Other,
        };
        fields.push(Opt {
            key: name,
            span: Span::new(name_span.start, value_span.end),
            value,
            value_span,
            via_variable: false,
            entries: Vec::new(),
        });
    }
    KeyJson {
        fields,
        error: None,
    }
}

/// The byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Each top-level `"name": value` of a valid JSON object: the name, the span of the name (with its
/// quotes) and the span of the value.
fn top_level_spans(text: &str) -> Vec<(String, Span, Span)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return out;
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            return out;
        }
        let name_start = i;
        let name_end = skip_string(b, i);
        let name: String = serde_json::from_str(&text[name_start..name_end]).unwrap_or_default();
        i = skip_ws(b, name_end);
        if b.get(i) != Some(&b':') {
            return out;
        }
        i = skip_ws(b, i + 1);
        let value_start = i;
        let value_end = skip_value(b, i);
        out.push((
            name,
            Span::new(name_start, name_end),
            Span::new(value_start, value_end),
        ));
        i = skip_ws(b, value_end);
        if b.get(i) != Some(&b',') {
            return out;
        }
        i += 1;
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The offset just after the string that starts at `i` (at its opening quote).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The offset just after the value that starts at `i`.
fn skip_value(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_positions() {
        let text = "{\n  \"key_id\": \"ABC123\",\n  \"issuer_id\" : \"x\\\"y\",\n  \"in_house\": false,\n  \"duration\": 900,\n  \"extra\": {\"a\": [1, \"}\"]}\n}\n";
        let k = extract(text);
        assert!(k.error.is_none());
        let got: Vec<_> = k
            .fields
            .iter()
            .map(|f| (f.key.as_str(), &text[f.value_span.start..f.value_span.end]))
            .collect();
        assert_eq!(
            got,
            [
                ("key_id", "\"ABC123\""),
                ("issuer_id", "\"x\\\"y\""),
                ("in_house", "false"),
                ("duration", "900"),
                ("extra", "{\"a\": [1, \"}\"]}")
            ]
        );
        assert_eq!(k.field("duration").unwrap().value, Value::Int(900));
        assert_eq!(k.field("in_house").unwrap().value, Value::False);
    }

    #[test]
    fn invalid_json_has_a_position() {
        let text = "{\n  \"key_id\": \"A\"\n  \"key\": \"B\"\n}\n";
        let k = extract(text);
        let (span, message) = k.error.unwrap();
        assert_eq!(&text[span.start..span.start + 1], "\"");
        assert!(message.contains("line 3"), "{message}");
        assert!(extract("[1]").error.is_some());
    }
}
