//! Every repair FL000 names mends the file for Ruby too: 300 generated Fastfiles, each broken in
//! one of the benchmark's ways (a lost `end`, an unclosed call, a stray bracket, a half-written
//! block), are checked; each one whose message names a repair gets that repair, and `ruby -c`
//! must then accept it.

#[allow(dead_code, clippy::all)]
#[path = "../benches/inputs/mod.rs"]
mod inputs;

use std::process::Command;

mod ci_common;
use ci_common::run;

const FILES: usize = 300;

/// The text with the repair `message` names made, or `None` if it names none. `column` is the
/// 1-based column of the finding (the opener's, for a missing `end`).
fn repaired(text: &str, message: &str, column: usize) -> Option<String> {
    let number_after = |marker: &str| -> Option<usize> {
        let at = message.find(marker)? + marker.len();
        message[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if let Some(line) = number_after("an `end` before line ") {
        lines.insert(line - 1, format!("{}end", " ".repeat(column - 1)));
    } else if message.contains("an `end` at the end of the file") {
        lines.push(format!("{}end", " ".repeat(column - 1)));
    } else if let Some(line) = number_after(" at the end of line ") {
        let closing = message.split("a `").nth(1)?.chars().next()?;
        lines[line - 1].push(closing);
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
        let broken = inputs::fastlane::break_syntax(&mut rng, &text);
        let dir = tmp.path().join(format!("app{i}/fastlane"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Fastfile"), broken).unwrap();
    }
    let out = run(tmp.path(), &["check", ".", "--format", "json"]);
    let report = out.json();
    let mut checked = 0;
    let mut findings: Vec<(String, usize, String)> = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let message = d["message"].as_str().unwrap();
        if d["code"] == "FL000" && message.contains("mends this") {
            findings.push((
                d["path"].as_str().unwrap().to_string(),
                d["column"].as_u64().unwrap() as usize,
                message.to_string(),
            ));
        }
    }
    // One mistake per file: one repair each.
    for (path, column, message) in &findings {
        assert_eq!(
            findings.iter().filter(|f| &f.0 == path).count(),
            1,
            "{path}"
        );
        let file = tmp.path().join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let mended = repaired(&text, message, *column).unwrap_or_else(|| panic!("{message}"));
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
}
