//! Output formats for CI: SARIF, GitHub annotations, JSON Lines, JUnit, GitLab Code Quality, markdown,
//! `--output`, `--statistics`, `--quiet`, `--exit-zero`.
//!
//! `fixtures/ci/project` (read it first): `ios beta` runs `pilot(changelog: "🚀 new build", username: ...)`
//! on line 7 (FL008 on `pilot`, FL001 on the `username:` pair, which starts after a character that takes
//! two UTF-16 code units), `ios release` calls `beta` and runs `pem` (FL004, line 13), `ios certs` has a
//! key, `ios test` talks to no Apple service; the Appfile sets `apple_id` (FL003, line 2) and `.env` sets
//! `FASTLANE_SESSION` (FL006, line 1).

mod ci_common;

use ci_common::*;
use serde_json::Value;

const RESULTS: &[(&str, u64, &str)] = &[
    ("fastlane/.env", 1, "FL006"),
    ("fastlane/Appfile", 2, "FL003"),
    ("fastlane/Fastfile", 7, "FL008"),
    ("fastlane/Fastfile", 7, "FL001"),
    ("fastlane/Fastfile", 13, "FL004"),
];

fn sarif(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let r = run(dir, &all);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.json()
}

fn region(result: &Value) -> (u64, u64, u64, u64) {
    let r = &result["locations"][0]["physicalLocation"]["region"];
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
    (
        n("startLine"),
        n("startColumn"),
        n("endLine"),
        n("endColumn"),
    )
}

fn nonempty(v: &Value) -> &str {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(!s.trim().is_empty());
    s
}

#[test]
fn sarif_has_the_fields_github_reads() {
    let dir = fixture("project");
    let log = sarif(&dir, &[]);
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "fastlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in ["FL000", "FL001", "FL004", "FL008", "FL100"] {
        assert!(ids.contains(&code), "{code} in {ids:?}");
    }
    for rule in rules {
        nonempty(&rule["name"]);
        nonempty(&rule["shortDescription"]["text"]);
        assert!(nonempty(&rule["fullDescription"]["text"]).len() <= 1024);
        nonempty(&rule["help"]["text"]);
        assert!(nonempty(&rule["help"]["markdown"]).contains("**The way out.**"));
        let level = nonempty(&rule["defaultConfiguration"]["level"]);
        assert!(["warning", "error"].contains(&level));
    }
    let fl001 = rules.iter().find(|r| r["id"] == "FL001").unwrap();
    assert_eq!(fl001["name"], "username-option");
    assert_eq!(fl001["defaultConfiguration"]["level"], "warning");
    let fl004 = rules.iter().find(|r| r["id"] == "FL004").unwrap();
    assert_eq!(fl004["defaultConfiguration"]["level"], "error");

    let results = run0["results"].as_array().unwrap();
    let got: Vec<(String, u64, String)> = results
        .iter()
        .map(|r| {
            let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            (
                uri.as_str().unwrap().to_string(),
                region(r).0,
                r["ruleId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<_> = RESULTS.iter().map(|(p, l, c)| f(p, *l, c)).collect();
    assert_eq!(got, want);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        nonempty(&r["message"]["text"]);
        assert!(r.get("suppressions").is_none());
        let hash = nonempty(&r["partialFingerprints"]["primaryLocationLineHash"]);
        let (hex, n) = hash.split_once(':').unwrap();
        assert_eq!(hex.len(), 16);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(n, "1");
    }
    let by_rule = |code: &str| results.iter().find(|r| r["ruleId"] == code).unwrap();
    assert_eq!(by_rule("FL004")["level"], "error");
    assert_eq!(by_rule("FL001")["level"], "warning");
    assert_eq!(by_rule("FL001")["properties"]["lane"], "ios beta");
    assert!(nonempty(&by_rule("FL001")["message"]["text"]).contains("username:"));
    // `pilot` spans columns 5..10; the `username:` pair follows "🚀" (one character, two UTF-16 units).
    assert_eq!(region(by_rule("FL008")), (7, 5, 7, 10));
    assert_eq!(region(by_rule("FL001")), (7, 38, 7, 64));
    assert_eq!(region(by_rule("FL006")), (1, 1, 1, 17));
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);

    // The JSON report counts characters: the same pair starts at column 37 there.
    let json = run(&dir, &["check", "--format", "json"]).json();
    let pair = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "FL001")
        .unwrap()
        .clone();
    assert_eq!(
        (pair["column"].as_u64(), pair["end_column"].as_u64()),
        (Some(37), Some(63))
    );
}

#[test]
fn sarif_fingerprints_survive_inserted_lines_and_tell_equal_lines_apart() {
    let dir = copy_fixture("project");
    let hashes = |log: &Value| -> Vec<(String, String)> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = hashes(&sarif(dir.path(), &[]));
    let fastfile = dir.path().join("fastlane/Fastfile");
    let text = std::fs::read_to_string(&fastfile).unwrap();
    std::fs::write(&fastfile, format!("# a comment\n\n# another\n{text}")).unwrap();
    let after = hashes(&sarif(dir.path(), &[]));
    assert_eq!(before, after);

    // A second `pem` line: same code and text, so the same hash with occurrence 2.
    let text = std::fs::read_to_string(&fastfile).unwrap();
    std::fs::write(&fastfile, text.replace("    pem\n", "    pem\n    pem\n")).unwrap();
    let twice: Vec<String> = hashes(&sarif(dir.path(), &[]))
        .into_iter()
        .filter(|(code, _)| code == "FL004")
        .map(|(_, h)| h)
        .collect();
    assert_eq!(twice.len(), 2);
    let (a, b) = (
        twice[0].split_once(':').unwrap(),
        twice[1].split_once(':').unwrap(),
    );
    assert_eq!(a.0, b.0);
    assert_eq!((a.1, b.1), ("1", "2"));
}

#[test]
fn sarif_levels_follow_severity_overrides() {
    let dir = copy_fixture("project");
    write(
        dir.path(),
        "fastlint.toml",
        "[severity]\nFL008 = \"error\"\n",
    );
    let log = sarif(dir.path(), &[]);
    let run0 = &log["runs"][0];
    let rule = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "FL008")
        .unwrap()
        .clone();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    let result = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "FL008")
        .unwrap()
        .clone();
    assert_eq!(result["level"], "error");
    // The other formats show the same severity.
    let json = run(dir.path(), &["check", "--format", "json"]).json();
    let fl008 = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "FL008")
        .unwrap()
        .clone();
    assert_eq!(fl008["severity"], "error");
}

#[test]
fn sarif_reports_unreadable_files_as_notifications() {
    let dir = copy_fixture("project");
    std::fs::write(dir.path().join("fastlane/Matchfile"), b"\0\x01binary").unwrap();
    let r = run(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(r.code, 2);
    let log = r.json();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let n = &invocation["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fastlane/Matchfile"
    );
}

#[test]
fn output_writes_to_a_file() {
    let dir = copy_fixture("project");
    let r = run(
        dir.path(),
        &["check", "--format", "sarif", "--output", "fastlint.sarif"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let text = std::fs::read_to_string(dir.path().join("fastlint.sarif")).unwrap();
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 5);
}

#[test]
fn github_annotations() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--format", "github"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    assert_eq!(
        lines[3].split("::").nth(1).unwrap(),
        "warning file=fastlane/Fastfile,line=7,col=37,endLine=7,endColumn=63,title=FL001 username-option"
    );
    assert!(lines[3].ends_with(
        "::`pilot` is given an Apple ID with `username:`, so it logs in with that account%0Ahelp: remove `username:` and use an App Store Connect API key (`app_store_connect_api_key` earlier in the lane, or `api_key:`); `fastlint check --fix` does this"
    ));
    assert!(lines[4].starts_with(
        "::error file=fastlane/Fastfile,line=13,col=5,endLine=13,endColumn=8,title=FL004 apple-id-only-action::"
    ));
    assert!(lines[0].starts_with("::warning file=fastlane/.env,line=1,col=1,"));
    assert!(lines[5].starts_with("3 files, 4 lanes"));
}

#[test]
fn github_escapes_properties_and_data() {
    let dir = tempfile::tempdir().unwrap();
    // A folder name with `,`, `:` and `%`, and a message with a line break (message + help).
    write(
        dir.path(),
        "a,b:50%/fastlane/Fastfile",
        "lane :beta do\n  pilot\nend\n",
    );
    let r = run(dir.path(), &["check", "--format", "github"]);
    let first = r.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("::warning file=a%2Cb%3A50%25/fastlane/Fastfile,line=2,col=3,endLine=2,endColumn=8,title=FL008 no-api-key::"),
        "{first}"
    );
    let data = first.split_once("no-api-key::").unwrap().1;
    assert!(data.contains("%0Ahelp: "), "{data}");
    assert!(!data.contains('\n') && !data.contains('\r'));
}

#[test]
fn github_caps_annotations_per_severity_and_writes_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut fastfile = String::from("lane :many do\n");
    for _ in 0..12 {
        fastfile.push_str("  pilot\n");
    }
    for _ in 0..11 {
        fastfile.push_str("  pem\n");
    }
    fastfile.push_str("end\n");
    write(dir.path(), "fastlane/Fastfile", &fastfile);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let r = run_env(
        dir.path(),
        &["check", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(r.code, 1);
    let count = |prefix: &str| r.stdout.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("::warning "), 10);
    assert_eq!(count("::error "), 10);
    assert_eq!(count("::notice "), 1);
    let notice = r
        .stdout
        .lines()
        .find(|l| l.starts_with("::notice "))
        .unwrap();
    assert!(
        notice.contains("1 more error(s) and 2 more warning(s)"),
        "{notice}"
    );
    // The three that were not annotated are still in the log.
    assert_eq!(count("fastlane/Fastfile:"), 3);

    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n## fastlint\n"), "{md}");
    assert!(
        md.contains("| `many` | `fastlane/Fastfile:1` | blocked |"),
        "{md}"
    );
    assert!(!md.contains("mermaid"));
}

#[test]
fn json_lines_has_one_diagnostic_per_line() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--format", "json-lines"]);
    assert_eq!(r.code, 1);
    let json = run(&dir, &["check", "--format", "json"]).json();
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, json["diagnostics"].as_array().unwrap());
    assert_eq!(lines.len(), 5);
}

#[test]
fn gitlab_code_quality() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--format", "gitlab"]);
    assert_eq!(r.code, 1);
    let issues = r.json();
    let issues = issues.as_array().unwrap();
    let got: Vec<(String, u64, String)> = issues
        .iter()
        .map(|i| {
            (
                i["location"]["path"].as_str().unwrap().to_string(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
                i["check_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<_> = RESULTS.iter().map(|(p, l, c)| f(p, *l, c)).collect();
    assert_eq!(got, want);
    let mut fingerprints = std::collections::HashSet::new();
    for i in issues {
        assert_eq!(i["type"], "issue");
        nonempty(&i["description"]);
        assert!(fingerprints.insert(nonempty(&i["fingerprint"]).to_string()));
        let severity = nonempty(&i["severity"]);
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
    }
    assert_eq!(issues[4]["severity"], "major");
    assert_eq!(issues[0]["severity"], "minor");
    assert!(issues[3]["description"]
        .as_str()
        .unwrap()
        .starts_with("FL001 username-option: "));
}

/// A JUnit test case as parsed from the XML.
#[derive(Debug, Default)]
struct Case {
    suite: String,
    name: String,
    failure_type: Option<String>,
    failure_text: String,
    out: String,
}

fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<Case>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    let mut suite = String::new();
    let mut in_failure = false;
    let mut in_out = false;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let attr = |e: &quick_xml::events::BytesStart, name: &str| -> Option<String> {
            e.try_get_attribute(name).unwrap().map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .to_string()
            })
        };
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuites" => {
                for key in ["tests", "failures", "errors"] {
                    root.push((key.to_string(), attr(&e, key).unwrap()));
                }
            }
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                suite = attr(&e, "name").unwrap();
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => cases.push(Case {
                suite: suite.clone(),
                name: attr(&e, "name").unwrap(),
                ..Case::default()
            }),
            Event::Start(e) if e.name().as_ref() == b"failure" => {
                in_failure = true;
                cases.last_mut().unwrap().failure_type = attr(&e, "type");
            }
            Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            Event::Start(e) if e.name().as_ref() == b"system-out" => in_out = true,
            Event::End(e) if e.name().as_ref() == b"system-out" => in_out = false,
            Event::Text(t) => {
                let text = t.decode().unwrap().to_string();
                let case = cases.last_mut();
                if in_failure {
                    case.unwrap().failure_text.push_str(&text);
                } else if in_out {
                    case.unwrap().out.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_failure => {
                let name = r.decode().unwrap().to_string();
                let ch = match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                };
                cases.last_mut().unwrap().failure_text.push_str(ch);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, cases)
}

#[test]
fn junit_has_one_case_per_lane_and_parses_as_xml() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--format", "junit"]);
    assert_eq!(r.code, 1);
    let (root, cases) = parse_junit(&r.stdout);
    assert_eq!(
        root,
        [
            ("tests".to_string(), "6".to_string()),
            ("failures".to_string(), "4".to_string()),
            ("errors".to_string(), "0".to_string())
        ]
    );
    let summary: Vec<(&str, &str, Option<&str>, &str)> = cases
        .iter()
        .map(|c| {
            (
                c.suite.as_str(),
                c.name.as_str(),
                c.failure_type.as_deref(),
                c.out.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("fastlane/.env", "(outside lanes)", Some("FL006"), ""),
            ("fastlane/Appfile", "(outside lanes)", Some("FL003"), ""),
            (
                "fastlane/Fastfile",
                "ios beta",
                Some("FL001,FL008"),
                "verdict: migratable"
            ),
            (
                "fastlane/Fastfile",
                "ios release",
                Some("FL004"),
                "verdict: blocked"
            ),
            ("fastlane/Fastfile", "ios certs", None, "verdict: api-key"),
            (
                "fastlane/Fastfile",
                "ios test",
                None,
                "verdict: no-apple-auth"
            ),
        ]
    );
    assert!(cases[2]
        .failure_text
        .starts_with("fastlane/Fastfile:7:5: warning FL008 no-api-key "));
}

#[test]
fn junit_escapes_names_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "fastlane/Fastfile",
        "lane :\"ship <now> & 'go'\" do\n  pilot(username: \"a&b<c>\")\nend\n",
    );
    let r = run(dir.path(), &["check", "--format", "junit"]);
    let (_, cases) = parse_junit(&r.stdout);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].name, "ship <now> & 'go'");
    assert!(cases[0].failure_text.contains("FL001"), "{}", r.stdout);
}

#[test]
fn markdown_summary_with_a_lane_graph() {
    let dir = fixture("project");
    let r = run(&dir, &["check", "--format", "markdown"]);
    assert_eq!(r.code, 1);
    let md = &r.stdout;
    assert!(md.starts_with("## fastlint\n\n**3 file(s), 4 lane(s), 5 finding(s)** (1 error(s), 4 warning(s)) · lanes: 1 api-key, 1 blocked, 1 migratable, 1 no-apple-auth\n"), "{md}");
    assert!(md.contains("| `ios release` | `fastlane/Fastfile:11` | blocked | FL004 `pem` needs an Apple ID at fastlane 2.237.0 (fastlane/Fastfile:13) |"));
    assert!(md.contains("```mermaid\nflowchart LR\n"));
    assert!(md.contains("  L0[\"ios beta<br/>migratable\"]:::migratable\n"));
    assert!(md.contains("  L1[\"ios release<br/>blocked\"]:::blocked\n"));
    // `release` calls `beta`; nothing else calls a lane.
    let edges: Vec<&str> = md.lines().filter(|l| l.contains("-->")).collect();
    assert_eq!(edges, ["  L1 --> L0"]);
    assert!(md.contains("classDef blocked "));
    assert!(md.contains("<details><summary>5 finding(s)</summary>"));
    assert!(
        md.contains("| FL004 `apple-id-only-action` | `fastlane/Fastfile:13:5` | `ios release` |")
    );

    let lanes = run(&dir, &["lanes", "--format", "markdown"]);
    assert_eq!(lanes.code, 0);
    assert!(lanes.stdout.contains("flowchart LR"));
    assert!(!lanes.stdout.contains("finding"));
}

#[test]
fn statistics_quiet_and_exit_zero() {
    let dir = copy_fixture("project");
    let fastfile = dir.path().join("fastlane/Fastfile");
    let text = std::fs::read_to_string(&fastfile).unwrap();
    std::fs::write(&fastfile, text.replace("    pem\n", "    pem\n    pem\n")).unwrap();
    let r = run(dir.path(), &["check", "--statistics"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "2  FL004  apple-id-only-action\n1  FL001  username-option       [fix]\n1  FL003  appfile-apple-id\n1  FL006  fastlane-session\n1  FL008  no-api-key            [fix]\n"
    );
    let json = run(dir.path(), &["check", "--statistics", "--format", "json"]).json();
    assert_eq!(json[0]["code"], "FL004");
    assert_eq!(json[0]["count"], 2);

    let quiet = run(dir.path(), &["check", "--quiet", "--color", "never"]);
    assert_eq!(quiet.code, 1);
    assert!(quiet.stdout.contains("FL004 apple-id-only-action"));
    assert!(!quiet.stdout.contains("VERDICT"));
    assert!(!quiet.stdout.contains("diagnostics ("));

    assert_eq!(run(dir.path(), &["check", "--exit-zero"]).code, 0);
    // --exit-zero does not hide errors.
    std::fs::write(dir.path().join("fastlane/Matchfile"), b"\0").unwrap();
    assert_eq!(run(dir.path(), &["check", "--exit-zero"]).code, 2);
}

#[test]
fn color_always_and_never() {
    let dir = fixture("project");
    let always = run(&dir, &["check", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["));
    let never = run(&dir, &["check", "--color", "never"]);
    assert!(!never.stdout.contains("\u{1b}["));
    // Not a terminal: `auto` means no colour.
    let auto = run(&dir, &["check"]);
    assert!(!auto.stdout.contains("\u{1b}["));
}

#[test]
fn markdown_stays_within_what_github_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut fastfile = String::new();
    for i in 0..160 {
        fastfile.push_str(&format!("lane :l{i} do\n  pilot\nend\n"));
    }
    write(dir.path(), "fastlane/Fastfile", &fastfile);
    let md = run(dir.path(), &["check", "--format", "markdown"]).stdout;
    assert!(md.contains("\n… and 60 more lanes (`fastlint check` lists them all)\n"));
    assert!(md.contains("\n… and 60 more findings (`fastlint check` lists them all)\n"));
    assert!(md.contains("The lane graph is left out: 160 lanes"));
    assert!(!md.contains("```mermaid"));
    assert!(md.len() < 65_536);
}
