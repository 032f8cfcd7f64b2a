//! Every repair FL000 names mends the file for Ruby too: 300 generated Fastfiles, each broken in
//! one of the benchmark's ways (a lost `end`, an unclosed call, a stray bracket, a half-written
//! block) or with a quote askew (a string's closing quote dropped, a quote one too many after a
//! bracket), are checked; each one whose message names a repair gets that repair, and `ruby -c`
//! must then accept it.

#[allow(dead_code, clippy::all)]
#[path = "../benches/inputs/mod.rs"]
mod inputs;

use std::process::Command;

mod ci_common;
use ci_common::run;

const FILES: usize = 300;

/// `text` with one quote askew, on a line picked with `rng`: a string's closing quote dropped
/// before the next option on its line (`"beta", clean:` becomes `"beta, clean:`) or where a value
/// ends its line (`"beta",` becomes `"beta,`), or a quote put after a closing bracket
/// (`ENV["ID"]",`). `None` if the text has no such line.
fn break_quote(rng: &mut inputs::rng::Rng, text: &str) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // A value's closing quote dropped before the next option on its line: `"beta", clean: true`.
    if rng.chance(0.3) {
        let at: Vec<(usize, usize)> = (0..lines.len())
            .filter_map(|i| {
                let j = lines[i].find("\", ")?;
                let rest = &lines[i][j + 3..];
                let key = rest.split(':').next()?;
                (!key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                    .then_some((i, j))
            })
            .collect();
        if !at.is_empty() {
            let (i, j) = at[rng.below(at.len())];
            lines[i].remove(j);
            return Some(lines.join("\n") + "\n");
        }
    }
    let too_many = rng.chance(0.5);
    let fits = |l: &String| {
        let t = l.trim_end();
        if too_many {
            t.ends_with("],")
        } else {
            (t.ends_with("\",") || t.ends_with("\")")) && t.matches('"').count() == 2
        }
    };
    let at: Vec<usize> = (0..lines.len()).filter(|&i| fits(&lines[i])).collect();
    if at.is_empty() {
        return None;
    }
    let line = &mut lines[at[rng.below(at.len())]];
    let cut = line.trim_end().len() - 1;
    if too_many {
        line.insert(cut, '"');
    } else {
        line.remove(cut - 1);
    }
    Some(lines.join("\n") + "\n")
}

/// The text with the repair `message` names made, or `None` if it names none. `line` and
/// `column` are the finding's, 1-based (the opener's, for a missing `end`).
fn repaired(text: &str, message: &str, line: usize, column: usize) -> Option<String> {
    let number_after = |marker: &str| -> Option<usize> {
        let at = message.find(marker)? + marker.len();
        message[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let closing = || message.split("(a `").nth(1)?.chars().next();
    if message.contains("names no lane") {
        // `lane: release` → `lane :release`, at the finding.
        let at = lines[line - 1].char_indices().nth(column - 1)?.0;
        let colon = lines[line - 1][at..].find(": ")? + at;
        lines[line - 1].replace_range(colon..colon + 2, " :");
    } else if let Some(row) = number_after("before the comment on line ") {
        // `a `,` before the comment on line 7`: before the `#` that starts it, and the spaces.
        let hash = lines[row - 1].rfind('#')?;
        let at = lines[row - 1][..hash].trim_end().len();
        lines[row - 1].insert(at, closing()?);
    } else if message.contains("(removing it mends this)") {
        let at = lines[line - 1].char_indices().nth(column - 1)?.0;
        lines[line - 1].remove(at);
    } else if let Some(before) = message.split("mends this").next().and_then(|m| {
        let at = m.find(" before `")? + " before `".len();
        Some(m[at..].split('`').next()?.to_string())
    }) {
        // `a `"` before `,` on line 8`: before that text, from the finding's column on.
        let row = number_after(&format!("before `{before}` on line "))?;
        let from = if row == line { column - 1 } else { 0 };
        let at = lines[row - 1][from..].find(&before)? + from;
        lines[row - 1].insert(at, closing()?);
    } else if let Some(line) = number_after("an `end` before line ") {
        lines.insert(line - 1, format!("{}end", " ".repeat(column - 1)));
    } else if message.contains("an `end` at the end of the file") {
        lines.push(format!("{}end", " ".repeat(column - 1)));
    } else if let Some(line) = number_after(" at the end of line ") {
        lines[line - 1].push(closing()?);
    } else {
        return None;
    }
    Some(lines.join("\n") + "\n")
}

#[test]
fn each_repair_named_mends_the_file_for_ruby() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = inputs::rng::Rng::new(20_241_201);
    for i in 0..FILES {
        let (text, _) = inputs::fastlane::fastfile(&mut rng, 3_000);
        // One file in three gets a quote askew (when it has a line for it).
        let broken = match i % 3 {
            0 => break_quote(&mut rng, &text),
            _ => None,
        }
        .unwrap_or_else(|| inputs::fastlane::break_syntax(&mut rng, &text));
        let dir = tmp.path().join(format!("app{i}/fastlane"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Fastfile"), broken).unwrap();
    }
    let out = run(tmp.path(), &["check", ".", "--format", "json"]);
    let report = out.json();
    let mut checked = 0;
    let mut findings: Vec<(String, usize, usize, String)> = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let message = d["message"].as_str().unwrap();
        if d["code"] == "FL000" && message.contains("mends this") {
            findings.push((
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize,
                message.to_string(),
            ));
        }
    }
    // One mistake per file: one repair each.
    let mut strings = 0;
    for (path, line, column, message) in &findings {
        assert_eq!(
            findings.iter().filter(|f| &f.0 == path).count(),
            1,
            "{path}"
        );
        let file = tmp.path().join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let mended =
            repaired(&text, message, *line, *column).unwrap_or_else(|| panic!("{message}"));
        strings += usize::from(message.contains("string") || message.contains("quote"));
        let target = tmp.path().join("mended.rb");
        std::fs::write(&target, &mended).unwrap();
        let ruby = Command::new("ruby")
            .arg("-c")
            .arg(&target)
            .output()
            .expect("ruby runs (is it installed?)");
        assert!(
            ruby.status.success(),
            "{path}: {message}\n{}",
            String::from_utf8_lossy(&ruby.stderr)
        );
        checked += 1;
    }
    // Most broken files name their cause (a lost `end` or an unclosed call; a stray bracket or
    // a line pasted into a call has none to name).
    assert!(checked > FILES / 4, "{checked} of {FILES}");
    // And a good share of the quotes askew.
    assert!(strings > FILES / 10, "{strings} of {FILES}");
}
