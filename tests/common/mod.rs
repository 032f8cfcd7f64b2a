//! Shared helpers for the CLI specification tests: run the real binary,
//! parse its JSON output, check the invariants every JSON report must hold,
//! and compare diagnostics and lane verdicts against hand-written tables.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Marker for a diagnostic outside any lane (`"lane": null`).
pub const NO_LANE: &str = "-";
/// Lane visibility column of the lane tables.
pub const PUB: bool = false;
pub const PRIV: bool = true;

/// The longest a single run may take before the test fails (guards against
/// hangs on cycles and symlink loops).
const TIMEOUT: Duration = Duration::from_secs(60);

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("fixtures").join("check").join(name)
}

/// The result of one run of the binary.
pub struct Run {
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "`fastlint {}` in {}\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.cwd.display(),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    pub fn assert_exit(&self, expected: i32) {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit status\n{}",
            self.describe()
        );
    }

    pub fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && self.code != 101,
            "the binary panicked\n{}",
            self.describe()
        );
    }

    /// stdout followed by stderr, for text checks that do not care where a
    /// line was printed.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not one JSON document ({e})\n{}", self.describe())
        })
    }
}

/// Runs the binary with `args` in `cwd`, killing it after [`TIMEOUT`].
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fastlint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("APP_STORE_CONNECT_API_KEY_PATH")
        .env_remove("APP_STORE_CONNECT_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the fastlint binary");
    let mut out = child.stdout.take().expect("stdout pipe");
    let mut err = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for fastlint") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`fastlint {}` in {} did not finish within {:?}",
                args.join(" "),
                cwd.display(),
                TIMEOUT
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        cwd: cwd.to_path_buf(),
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// A JSON report together with the run that produced it.
pub struct Report {
    pub run: Run,
    pub json: Value,
}

/// `fastlint check --format json <extra...> <paths...>` in `cwd`, with the
/// report invariants already checked.
pub fn check_json(cwd: &Path, extra: &[&str], paths: &[&str]) -> Report {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let run = run_in(cwd, &args);
    run.assert_no_panic();
    let json = run.json();
    check_invariants(&run, &json);
    Report { run, json }
}

/// `fastlint check --format json <extra...> .` inside `fixtures/check/<name>`.
pub fn check_fixture(name: &str, extra: &[&str]) -> Report {
    check_json(&fixture(name), extra, &["."])
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

fn u(v: &Value, key: &str) -> u64 {
    v.get(key)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("`{key}` is not a number in {v}"))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("`{key}` is not an array in {v}"))
}

/// Name and severity of every rule code, from the rule table of the spec.
pub fn rule(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "FL000" => ("parse-error", "error"),
        "FL001" => ("username-option", "warning"),
        "FL002" => ("apple-id-env", "warning"),
        "FL003" => ("appfile-apple-id", "warning"),
        "FL004" => ("apple-id-only-action", "error"),
        "FL005" => ("spaceship-login", "error"),
        "FL006" => ("fastlane-session", "warning"),
        "FL007" => ("app-specific-password", "warning"),
        "FL008" => ("no-api-key", "warning"),
        "FL009" => ("hardcoded-credential", "error"),
        "FL010" => ("deliver-precheck-iap", "warning"),
        "FL011" => ("api-key-shape", "error"),
        "FL012" => ("api-key-duration", "error"),
        "FL013" => ("enterprise-in-house", "warning"),
        "FL014" => ("conflicting-auth", "error"),
        "FL015" => ("individual-key", "warning"),
        "FL016" => ("lane-shadows-action", "warning"),
        "FL017" => ("key-filepath-relative", "warning"),
        "FL018" => ("match-storage-team-id", "warning"),
        "FL019" => ("match-developer-id", "warning"),
        "FL020" => ("shell-fastlane", "error"),
        "FL100" => ("unused-suppression", "warning"),
        _ => return None,
    })
}

const VERDICTS: [&str; 4] = ["api-key", "blocked", "migratable", "no-apple-auth"];

pub fn qualified_name(lane: &Value) -> String {
    match lane.get("platform").and_then(Value::as_str) {
        Some(p) => format!("{p} {}", s(lane, "name")),
        None => s(lane, "name").to_string(),
    }
}

/// Everything the spec promises about any JSON report, whatever the input.
pub fn check_invariants(run: &Run, json: &Value) {
    let ctx = run.describe();
    let diags = arr(json, "diagnostics");
    let lanes = arr(json, "lanes");
    let errors = arr(json, "errors");
    let summary = json
        .get("summary")
        .unwrap_or_else(|| panic!("no summary\n{ctx}"));

    // Exit status follows from what was reported.
    let expected_exit = if !errors.is_empty() {
        2
    } else if !diags.is_empty() {
        1
    } else {
        0
    };
    assert_eq!(
        run.code, expected_exit,
        "exit status does not match the report\n{ctx}"
    );

    let lane_names: std::collections::HashSet<String> = lanes.iter().map(qualified_name).collect();
    let mut prev: Option<(String, u64, u64, String)> = None;
    for d in diags {
        let code = s(d, "code");
        let (name, severity) =
            rule(code).unwrap_or_else(|| panic!("unknown code {code} in {d}\n{ctx}"));
        assert_eq!(s(d, "name"), name, "rule name of {d}");
        assert_eq!(s(d, "severity"), severity, "severity of {d}");
        let path = s(d, "path");
        assert!(
            !path.starts_with("./") && !path.contains('\\'),
            "path form of {d}"
        );
        let (line, col) = (u(d, "line"), u(d, "column"));
        let (end_line, end_col) = (u(d, "end_line"), u(d, "end_column"));
        assert!(line >= 1 && col >= 1, "1-based position in {d}");
        assert!(
            end_line > line || (end_line == line && end_col >= col),
            "span ends before it starts in {d}"
        );
        assert!(!s(d, "message").is_empty(), "empty message in {d}");
        let help = d
            .get("help")
            .unwrap_or_else(|| panic!("no help key in {d}"));
        assert!(help.is_null() || help.is_string(), "help of {d}");
        match d.get("lane") {
            Some(Value::Null) => {}
            Some(Value::String(l)) => assert!(
                lane_names.contains(l),
                "diagnostic lane {l:?} is not a lane of the report: {d}\n{ctx}"
            ),
            _ => panic!("lane of {d} is neither null nor a string"),
        }
        let key = (path.to_string(), line, col, code.to_string());
        if let Some(p) = &prev {
            assert!(
                p <= &key,
                "diagnostics not sorted: {p:?} before {key:?}\n{ctx}"
            );
        }
        prev = Some(key);
    }

    let mut prev_lane: Option<(String, u64)> = None;
    for l in lanes {
        let verdict = s(l, "verdict");
        assert!(VERDICTS.contains(&verdict), "unknown verdict in {l}");
        assert!(
            l.get("private").and_then(Value::as_bool).is_some(),
            "private of {l}"
        );
        let path = s(l, "path");
        let key = (path.to_string(), u(l, "line"));
        if let Some(p) = &prev_lane {
            assert!(p <= &key, "lanes not sorted: {p:?} before {key:?}\n{ctx}");
        }
        prev_lane = Some(key);
        let file_has_parse_error = diags
            .iter()
            .any(|d| s(d, "code") == "FL000" && s(d, "path") == path);
        let fixable = l
            .get("fixable")
            .and_then(Value::as_bool)
            .expect("fixable is a bool");
        let reasons = arr(l, "reasons");
        // `--fix` cannot give a key to a fastlane started from a shell (FL020).
        let from_shell = reasons.iter().any(|r| s(r, "code") == "FL020");
        assert_eq!(
            fixable,
            verdict == "migratable" && !file_has_parse_error && !from_shell,
            "fixable of {l}\n{ctx}"
        );
        for r in reasons {
            let found = diags.iter().any(|d| {
                s(d, "code") == s(r, "code")
                    && s(d, "path") == s(r, "path")
                    && u(d, "line") == u(r, "line")
            });
            assert!(
                found,
                "reason {r} of lane {} is not a reported diagnostic\n{ctx}",
                qualified_name(l)
            );
            assert!(
                r.get("message").and_then(Value::as_str).is_some(),
                "reason message of {r}"
            );
        }
        let codes: Vec<&str> = reasons.iter().map(|r| s(r, "code")).collect();
        match verdict {
            "blocked" => assert!(
                codes
                    .iter()
                    .any(|c| ["FL004", "FL005", "FL020"].contains(c)),
                "blocked lane {} gives no FL004/FL005/FL020 reason\n{ctx}",
                qualified_name(l)
            ),
            "migratable" => assert!(
                codes
                    .iter()
                    .any(|c| ["FL001", "FL008", "FL020"].contains(c)),
                "migratable lane {} gives no FL001/FL008/FL020 reason\n{ctx}",
                qualified_name(l)
            ),
            _ => {}
        }
    }

    for e in errors {
        assert!(!s(e, "path").is_empty(), "error without a path: {e}");
        assert!(!s(e, "message").is_empty(), "error without a message: {e}");
    }

    assert!(
        u(summary, "files") >= 1 || diags.is_empty(),
        "summary.files\n{ctx}"
    );
    assert_eq!(
        u(summary, "lanes") as usize,
        lanes.len(),
        "summary.lanes\n{ctx}"
    );
    assert_eq!(
        u(summary, "diagnostics") as usize,
        diags.len(),
        "summary.diagnostics\n{ctx}"
    );
    assert_eq!(
        u(summary, "errors") as usize,
        errors.len(),
        "summary.errors\n{ctx}"
    );
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for d in diags {
        *by_code.entry(s(d, "code")).or_default() += 1;
    }
    let reported = summary
        .get("by_code")
        .and_then(Value::as_object)
        .expect("summary.by_code");
    for (code, n) in &by_code {
        assert_eq!(
            reported.get(*code).and_then(Value::as_u64),
            Some(*n),
            "by_code[{code}]\n{ctx}"
        );
    }
    for (code, n) in reported {
        let n = n.as_u64().expect("by_code count");
        assert_eq!(
            n,
            by_code.get(code.as_str()).copied().unwrap_or(0),
            "by_code[{code}]\n{ctx}"
        );
    }
    let verdicts = summary
        .get("verdicts")
        .and_then(Value::as_object)
        .expect("summary.verdicts");
    for v in VERDICTS {
        let n = lanes.iter().filter(|l| s(l, "verdict") == v).count() as u64;
        assert_eq!(
            verdicts.get(v).and_then(Value::as_u64),
            Some(n),
            "verdicts[{v}]\n{ctx}"
        );
    }
}

/// One expected diagnostic: (code, path, line, lane or [`NO_LANE`]).
pub type Diag<'a> = (&'a str, &'a str, u64, &'a str);
/// One expected lane: (path, line, qualified name, private, verdict). The
/// verdict may list alternatives separated by `|` where the spec leaves the
/// choice open.
pub type LaneRow<'a> = (&'a str, u64, &'a str, bool, &'a str);

fn show_diag(code: &str, path: &str, line: u64, lane: &str) -> String {
    format!("{code} {path}:{line} [{lane}]")
}

fn diff_lists(what: &str, expected: &[String], actual: &[String], ctx: &str) {
    let missing: Vec<&String> = {
        let mut rest = actual.to_vec();
        expected
            .iter()
            .filter(|e| match rest.iter().position(|a| a == *e) {
                Some(i) => {
                    rest.remove(i);
                    false
                }
                None => true,
            })
            .collect()
    };
    let extra: Vec<&String> = {
        let mut rest = expected.to_vec();
        actual
            .iter()
            .filter(|a| match rest.iter().position(|e| e == *a) {
                Some(i) => {
                    rest.remove(i);
                    false
                }
                None => true,
            })
            .collect()
    };
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} differ\n  missing:    {missing:#?}\n  unexpected: {extra:#?}\n{ctx}"
    );
}

impl Report {
    pub fn diagnostics(&self) -> &Vec<Value> {
        arr(&self.json, "diagnostics")
    }

    pub fn lanes(&self) -> &Vec<Value> {
        arr(&self.json, "lanes")
    }

    pub fn errors(&self) -> &Vec<Value> {
        arr(&self.json, "errors")
    }

    pub fn lane(&self, qualified: &str) -> &Value {
        self.lanes()
            .iter()
            .find(|l| qualified_name(l) == qualified)
            .unwrap_or_else(|| panic!("no lane {qualified}\n{}", self.run.describe()))
    }

    /// Diagnostics as (code, path, line) with the lane, exactly as expected.
    ///
    /// Only the codes these tests are about are compared: the core rules (FL000-FL008, FL100) and
    /// any code `expected` names. The key hygiene rules (FL009-FL019) have their own fixtures and
    /// exact expectations in `tests/rules_key_hygiene.rs`.
    pub fn assert_diagnostics(&self, expected: &[Diag]) {
        let compared = |code: &str| {
            code < "FL009" || code == "FL100" || expected.iter().any(|(c, ..)| *c == code)
        };
        let mut exp: Vec<String> = expected
            .iter()
            .map(|(c, p, l, lane)| show_diag(c, p, *l, lane))
            .collect();
        let mut act: Vec<String> = self
            .diagnostics()
            .iter()
            .filter(|d| compared(s(d, "code")))
            .map(|d| {
                let lane = d.get("lane").and_then(Value::as_str).unwrap_or(NO_LANE);
                show_diag(s(d, "code"), s(d, "path"), u(d, "line"), lane)
            })
            .collect();
        exp.sort();
        act.sort();
        diff_lists("diagnostics", &exp, &act, &self.run.describe());
    }

    /// Every lane with its position, visibility and verdict, exactly.
    pub fn assert_lanes(&self, expected: &[LaneRow]) {
        let ctx = self.run.describe();
        let mut exp: Vec<String> = expected
            .iter()
            .map(|(p, l, n, private, _)| format!("{p}:{l} {n} private={private}"))
            .collect();
        let mut act: Vec<String> = self
            .lanes()
            .iter()
            .map(|l| {
                let private = l.get("private").and_then(Value::as_bool).unwrap_or(false);
                format!(
                    "{}:{} {} private={private}",
                    s(l, "path"),
                    u(l, "line"),
                    qualified_name(l)
                )
            })
            .collect();
        exp.sort();
        act.sort();
        diff_lists("lanes", &exp, &act, &ctx);
        let mut wrong = Vec::new();
        for (path, line, name, _, verdict) in expected {
            let lane = self
                .lanes()
                .iter()
                .find(|l| {
                    s(l, "path") == *path && u(l, "line") == *line && qualified_name(l) == *name
                })
                .expect("lane present");
            let got = s(lane, "verdict");
            if !verdict.split('|').any(|v| v == got) {
                wrong.push(format!(
                    "{name} ({path}:{line}): expected {verdict}, got {got}"
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "verdicts differ:\n  {}\n{ctx}",
            wrong.join("\n  ")
        );
    }

    /// The reasons of one lane include these (code, path, line).
    pub fn assert_reasons_include(&self, lane: &str, expected: &[(&str, &str, u64)]) {
        let l = self.lane(lane);
        let reasons: Vec<(String, String, u64)> = arr(l, "reasons")
            .iter()
            .map(|r| {
                (
                    s(r, "code").to_string(),
                    s(r, "path").to_string(),
                    u(r, "line"),
                )
            })
            .collect();
        for (c, p, n) in expected {
            assert!(
                reasons
                    .iter()
                    .any(|(rc, rp, rn)| rc == c && rp == p && rn == n),
                "lane {lane} lacks reason {c} {p}:{n}; has {reasons:?}\n{}",
                self.run.describe()
            );
        }
    }

    /// The exact span of the one diagnostic with this code on this line.
    pub fn assert_span(
        &self,
        code: &str,
        path: &str,
        line: u64,
        col: u64,
        end_line: u64,
        end_col: u64,
    ) {
        let found: Vec<&Value> = self
            .diagnostics()
            .iter()
            .filter(|d| s(d, "code") == code && s(d, "path") == path && u(d, "line") == line)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {code} at {path}:{line}\n{}",
            self.run.describe()
        );
        let d = found[0];
        assert_eq!(
            (u(d, "column"), u(d, "end_line"), u(d, "end_column")),
            (col, end_line, end_col),
            "span of {code} at {path}:{line} (column, end_line, end_column)\n{}",
            self.run.describe()
        );
    }

    pub fn summary_files(&self) -> u64 {
        u(&self.json["summary"], "files")
    }
}
