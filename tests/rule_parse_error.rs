//! FL000: what broke a file that does not parse, run through the binary over
//! `fixtures/rules/FL000-parse-error` (one fastlane folder per mistake). Each expectation was read
//! off the fixture; each repair a message names is made and checked with `ruby -c`.

use std::path::Path;
use std::process::Command;

mod ci_common;
use ci_common::{copy_dir, run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BASE: &str = "fixtures/rules/FL000-parse-error";

/// (line, column, message) of each FL000 finding of one fixture folder, in report order.
fn fl000(case: &str) -> Vec<(u64, u64, String)> {
    let dir = Path::new(ROOT).join(BASE).join(case);
    let out = run(&dir, &["check", ".", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.json()["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "FL000")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn one(line: u64, column: u64, message: &str) -> (u64, u64, String) {
    (line, column, message.to_string())
}

/// `ruby -c` on the fixture's Fastfile with `insert` put at the start of line `line` (1-based),
/// or, with `at_line_end`, at the end of that line.
fn ruby_accepts_with(case: &str, line: usize, insert: &str, at_line_end: bool) -> bool {
    ruby_accepts_edited(case, |text| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if at_line_end {
            lines[line - 1].push_str(insert);
        } else {
            lines.insert(line - 1, insert.trim_end_matches('\n').to_string());
        }
        lines.join("\n") + "\n"
    })
}

/// `ruby -c` on the fixture's Fastfile as `edit` changes it (which must change it).
fn ruby_accepts_edited(case: &str, edit: impl Fn(&str) -> String) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join(BASE).join(case), tmp.path());
    let path = tmp.path().join("fastlane/Fastfile");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changes nothing");
    std::fs::write(&path, edited).unwrap();
    let out = Command::new("ruby")
        .arg("-c")
        .arg(&path)
        .output()
        .expect("ruby runs (is it installed?)");
    out.status.success()
}

fn ruby_accepts(case: &str) -> bool {
    let path = Path::new(ROOT)
        .join(BASE)
        .join(case)
        .join("fastlane/Fastfile");
    Command::new("ruby")
        .arg("-c")
        .arg(path)
        .output()
        .expect("ruby runs (is it installed?)")
        .status
        .success()
}

#[test]
fn a_hook_whose_end_the_platform_block_took() {
    assert_eq!(
        fl000("hook-without-end"),
        vec![one(
            10,
            3,
            "syntax error: `after_all do |lane|` has no `end` of its own: the `end` on line 12 is indented for an outer block, but Ruby reads it as this one's (an `end` before line 12 mends this)"
        )]
    );
    assert!(!ruby_accepts("hook-without-end"));
    assert!(ruby_accepts_with("hook-without-end", 12, "  end", false));
}

#[test]
fn an_if_whose_end_the_lane_took() {
    assert_eq!(
        fl000("if-without-end"),
        vec![one(
            4,
            5,
            "syntax error: `if ENV[\"CI\"]` has no `end` of its own: the `end` on line 7 is indented for an outer block, but Ruby reads it as this one's (an `end` before line 6 mends this)"
        )]
    );
    assert!(!ruby_accepts("if-without-end"));
    // Before `upload_to_testflight`, which is indented like the `if`: it wraps `setup_ci` alone.
    assert!(ruby_accepts_with("if-without-end", 6, "    end", false));
}

#[test]
fn a_lane_left_open_before_the_next_one() {
    assert_eq!(
        fl000("lane-without-end"),
        vec![one(
            1,
            1,
            "syntax error: `lane :beta do` is never closed: its `end` is missing (an `end` before line 5 mends this)"
        )]
    );
    assert!(!ruby_accepts("lane-without-end"));
    assert!(ruby_accepts_with("lane-without-end", 5, "end", false));
}

#[test]
fn a_bracket_never_closed() {
    assert_eq!(
        fl000("bracket-never-closed"),
        vec![one(
            3,
            8,
            "syntax error: this `(` is never closed (a `)` at the end of line 3 mends this)"
        )]
    );
    assert!(!ruby_accepts("bracket-never-closed"));
    assert!(ruby_accepts_with("bracket-never-closed", 3, ")", true));
}

#[test]
fn two_mistakes_are_two_causes() {
    let found = fl000("two-mistakes");
    assert_eq!(
        found,
        vec![
            one(
                2,
                12,
                "syntax error: this `(` is never closed (a `)` at the end of line 2 mends this)"
            ),
            one(
                8,
                3,
                "syntax error: `if ENV[\"SLACK_URL\"]` has no `end` of its own: the `end` on line 10 is indented for an outer block, but Ruby reads it as this one's (an `end` before line 10 mends this)"
            ),
        ]
    );
}

#[test]
fn a_typographic_quote_in_code_and_none_in_text() {
    let found = fl000("typographic-quotes");
    // Line 1's comment and line 3's string hold typographic quotes too: they are text.
    assert_eq!(
        found[0],
        one(
            4,
            15,
            "syntax error: `“` is a typographic quote: Ruby code takes only straight quotes (`\"` or `'`)"
        )
    );
    // What the quote makes of the rest of its line is not told again.
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!ruby_accepts("typographic-quotes"));
}

/// A typographic quote where a string should end: the string runs on to the next line's first
/// quote, and the error shows there; the quote is named, and replacing it mends the file.
#[test]
fn a_typographic_quote_that_should_close_a_string() {
    assert_eq!(
        fl000("quote-closing-a-string"),
        vec![one(
            2,
            33,
            "syntax error: `”` is a typographic quote: Ruby code takes only straight quotes (`\"` or `'`)"
        )]
    );
    assert!(!ruby_accepts("quote-closing-a-string"));
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(ROOT).join(BASE).join("quote-closing-a-string"),
        tmp.path(),
    );
    let path = tmp.path().join("fastlane/Fastfile");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace('”', "\"")).unwrap();
    let out = Command::new("ruby").arg("-c").arg(&path).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A line pasted into a call's arguments: the error is shown where it is (Ruby says line 7 too).
/// Nothing mends it by adding a bracket, a `|` or an `end`, so no cause is named.
#[test]
fn a_stray_line_is_shown_where_the_parser_stuck() {
    assert_eq!(
        fl000("line-pasted-into-a-call"),
        vec![one(7, 17, "syntax error near `do |options`")]
    );
    assert!(!ruby_accepts("line-pasted-into-a-call"));
}

/// The same mistake where tree-sitter's error runs from line 1 to the end of the file: it is
/// shown on the line where the parser got stuck inside that error, the line Ruby names.
#[test]
fn an_error_over_the_whole_file_is_shown_where_the_parser_stuck() {
    assert_eq!(
        fl000("line-pasted-deep-in-a-platform"),
        vec![one(14, 23, "syntax error near `options`")]
    );
    assert!(!ruby_accepts("line-pasted-deep-in-a-platform"));
}

/// A quote one too many after `ENV["…"]` opens a string that runs on to the next line's quote and
/// turns what follows askew: the quote is named, not the brackets it unpaired, and the errors it
/// made are not repeated.
#[test]
fn a_quote_too_many_is_named() {
    assert_eq!(
        fl000("quote-too-many"),
        vec![one(
            3,
            32,
            "syntax error: this `\"` is one too many: it starts a string that runs on to the `\"` on line 4, so the code between is read as text (removing it mends this)"
        )]
    );
    assert!(!ruby_accepts("quote-too-many"));
    assert!(ruby_accepts_edited("quote-too-many", |text| text.replacen(
        "ENV[\"FIREBASE_APP_ID\"]\",",
        "ENV[\"FIREBASE_APP_ID\"],",
        1
    )));
}

/// A string whose closing quote is missing in a call on one line is closed by the quote meant to
/// open the next value, and that value is read as code: the string is named, with the option its
/// quote goes before.
#[test]
fn a_string_closed_by_the_next_value_is_named() {
    assert_eq!(
        fl000("string-closed-by-the-next-value"),
        vec![one(
            5,
            23,
            "syntax error: this string is not closed where it should be: the `\"` meant to open the next value closes it, so what follows is read as code (a `\"` before `,` on line 5 mends this)"
        )]
    );
    assert!(!ruby_accepts("string-closed-by-the-next-value"));
    assert!(ruby_accepts_edited(
        "string-closed-by-the-next-value",
        |text| text.replacen("\"Shop, ", "\"Shop\", ", 1)
    ));
}

/// A string whose closing quote is missing runs on to the next quote, three lines down, and every
/// quote after it pairs wrongly to the end of the file: the string is named, with where its quote
/// goes, and nothing else is reported.
#[test]
fn a_string_left_open_is_named() {
    assert_eq!(
        fl000("string-left-open"),
        vec![one(
            8,
            21,
            "syntax error: this string is never closed on its line: it runs on to the `\"` on line 11, so the code between is read as text (a `\"` before `,` on line 8 mends this)"
        )]
    );
    assert!(!ruby_accepts("string-left-open"));
    assert!(ruby_accepts_edited("string-left-open", |text| text
        .replacen("api_key.json,\n", "api_key.json\",\n", 1)));
}

/// Two options with no comma between them, on two lines (the first ending in a comment) and on
/// one: each is named at the second option's key, with where the comma goes, and the file parses
/// once both commas are in.
#[test]
fn an_option_without_its_comma_is_named() {
    assert_eq!(
        fl000("option-without-comma"),
        vec![
            one(
                8,
                7,
                "syntax error: a `,` is missing before `export_method:`: a call's options are separated by commas (a `,` before the comment on line 7 mends this)"
            ),
            one(
                15,
                49,
                "syntax error: a `,` is missing before `force:`: a call's options are separated by commas (a `,` before `force:` on line 15 mends this)"
            ),
        ]
    );
    assert!(!ruby_accepts("option-without-comma"));
    // Each comma alone leaves the other mistake.
    assert!(!ruby_accepts_edited("option-without-comma", |text| text
        .replacen("\"Release\" #", "\"Release\", #", 1)));
    assert!(ruby_accepts_edited("option-without-comma", |text| text
        .replacen("\"Release\" #", "\"Release\", #", 1)
        .replacen(
            "\"Version bump\" force",
            "\"Version bump\", force",
            1
        )));
}

/// `private_lane: notify do`, the lane's name written as a hash key: named where it is, with the
/// repair, and the file parses once the colon is moved.
#[test]
fn a_lane_named_like_a_hash_key_is_named() {
    assert_eq!(
        fl000("lane-name-as-key"),
        vec![one(
            8,
            3,
            "syntax error: `private_lane: notify` names no lane: Ruby reads `private_lane:` as a hash key and `notify` as a call; a lane's name is a symbol after the word (`private_lane :notify` mends this)"
        )]
    );
    assert!(!ruby_accepts("lane-name-as-key"));
    assert!(ruby_accepts_edited("lane-name-as-key", |text| text
        .replacen("private_lane: notify", "private_lane :notify", 1)));
}

/// `lane :ios beta do`, the platform written before the lane's name (as `fastlane ios beta` runs
/// it): named where it is, with the repair, and the file parses with it.
#[test]
fn a_lane_with_its_platform_before_its_name_is_named() {
    assert_eq!(
        fl000("lane-after-platform"),
        vec![one(
            7,
            1,
            "syntax error: `lane :ios beta` names two things: Ruby reads `lane :ios` as the lane and `beta` as a call; a lane's name is one symbol, and its platform is the `platform :ios do` block around it (`lane :beta` mends this)"
        )]
    );
    assert!(!ruby_accepts("lane-after-platform"));
    assert!(ruby_accepts_edited("lane-after-platform", |text| text
        .replacen("lane :ios beta", "lane :beta", 1)));
    // The repair the help gives: the lane inside its platform's block.
    assert!(ruby_accepts_edited("lane-after-platform", |text| text
        .replacen("lane :ios beta do", "platform :ios do\nlane :beta do", 1)
        .replacen("lane :release", "end\n\nlane :release", 1)));
}

/// `lane :beta do |options`, the block's parameters not closed: tree-sitter puts the `|` it
/// expected where the line ends, and the message names it.
#[test]
fn a_missing_token_is_named() {
    assert_eq!(
        fl000("block-parameters-not-closed"),
        vec![one(4, 25, "syntax error: a `|` is missing here")]
    );
    assert!(!ruby_accepts("block-parameters-not-closed"));
    assert!(ruby_accepts_with(
        "block-parameters-not-closed",
        4,
        "|",
        true
    ));
}
