//! Scale benchmark for the `fastlint` binary: `cargo bench --bench scale`.
//!
//! It generates its inputs (seeded, so every run sees the same bytes) into a temporary
//! folder, runs the release binary on them next to the floors it is measured against, and
//! prints two Markdown tables: every measured command (median and min wall time over several
//! interleaved runs, max RSS of the child) and the ratios with their targets.
//!
//! Cases (pass names to run only some: `cargo bench --bench scale -- lanes one`):
//! - `monorepo`: ~200,000 files and folders shaped like a mobile monorepo with 20 fastlane
//!   folders; `fastlint check` against `rg --files` on the same tree.
//! - `lanes`: 2,000 fastlane folders with ~5 KB Fastfiles (10% with syntax errors) plus
//!   Appfiles, Matchfiles, Deliverfiles and `.env` files; `check` against `debug parse`
//!   (discover + read + parse, the floor), 1 thread against 2, `--fix` on a fresh copy, and
//!   peak memory.
//! - `one`: a repository with one Fastfile; whole-process time.
//! - `large`: one generated 5 MB Fastfile (tens of thousands of findings); the text, `--quiet`,
//!   SARIF and GitHub outputs and `--diff` against `--format json`, and SARIF's peak memory.
//! - `stress`: inputs where work could be paid once per finding (20,000 suppressed findings,
//!   500 folders importing each other in a chain, 40,000 findings on one line, 400 configuration
//!   globs, 10,000 platform hooks), each against the same input without what makes it hard (or
//!   with half of it), or against `--format json`.
//!
//! Environment:
//! - `FASTLINT_BIN`: the binary to measure (default: the release binary cargo builds for
//!   this bench, `target/release/fastlint`).
//! - `FASTLINT_BENCH_SCALE`: multiplies the input sizes (default 1; 0.1 for a quick run).
//! - `FASTLINT_BENCH_MONOREPO_ENTRIES`, `FASTLINT_BENCH_FASTFILES`: exact sizes.
//! - `FASTLINT_BENCH_RUNS`: timed runs per command (default 5; the `one` case does 4x).
//! - `FASTLINT_BENCH_THREADS`: `--threads` for the same-threads comparisons (default: cores).
//! - `FASTLINT_BENCH_SEED`: input seed (default 20240611).
//! - `FASTLINT_BENCH_DIR`: generate into this folder and keep the inputs for the next run
//!   (default: a temporary folder removed at the end).

mod inputs;

use inputs::rng::Rng;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bumped whenever the generators change, so kept inputs are regenerated.
const GENERATOR_VERSION: u32 = 4;

struct Config {
    bin: PathBuf,
    scale: f64,
    runs: usize,
    seed: u64,
    monorepo_entries: usize,
    fastfiles: usize,
    threads: usize,
    cores: usize,
    only: Vec<String>,
    keep_dir: Option<PathBuf>,
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(x) => Some(x),
        Err(_) => {
            eprintln!("warning: ignoring {name}={v:?} (not a number)");
            None
        }
    }
}

impl Config {
    fn from_env() -> Config {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let scale: f64 = env_parse("FASTLINT_BENCH_SCALE").unwrap_or(1.0);
        let scaled = |n: f64| ((n * scale).round() as usize).max(1);
        Config {
            bin: std::env::var_os("FASTLINT_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_fastlint"))),
            scale,
            runs: env_parse("FASTLINT_BENCH_RUNS").unwrap_or(5).max(1),
            seed: env_parse("FASTLINT_BENCH_SEED").unwrap_or(20_240_611),
            monorepo_entries: env_parse("FASTLINT_BENCH_MONOREPO_ENTRIES")
                .unwrap_or_else(|| scaled(200_000.0)),
            fastfiles: env_parse("FASTLINT_BENCH_FASTFILES").unwrap_or_else(|| scaled(2_000.0)),
            threads: env_parse("FASTLINT_BENCH_THREADS").unwrap_or(cores).max(1),
            cores,
            only: std::env::args()
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .collect(),
            keep_dir: std::env::var_os("FASTLINT_BENCH_DIR").map(PathBuf::from),
        }
    }

    fn wants(&self, case: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == case)
    }
}

/// One finished child process.
struct RunResult {
    wall: Duration,
    /// User + system CPU time of the child.
    cpu: Duration,
    max_rss_kb: i64,
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Runs `program args` in `cwd`, reading its output through pipes (as a CI log would).
///
/// The child is started by a copy of this binary in `__spawn` mode, which times it and reaps
/// it with `wait4`. Linux carries a process's peak RSS across `exec`, so a child forked
/// straight from this (larger) process would report this process's peak as its own; forked
/// from the small spawner it starts from a clean slate.
fn run_child(program: &Path, args: &[String], cwd: &Path) -> std::io::Result<RunResult> {
    let report = tempfile::NamedTempFile::new()?;
    let mut child = Command::new(std::env::current_exe()?)
        .arg(SPAWN_MODE)
        .arg(report.path())
        .arg(cwd)
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let out = drain(child.stdout.take().expect("piped stdout"));
    let err = drain(child.stderr.take().expect("piped stderr"));
    let status = child.wait()?;
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let text = std::fs::read_to_string(report.path())?;
    let f: Vec<i64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    if !status.success() || f.len() != 4 {
        return Err(std::io::Error::other(format!(
            "the spawner failed ({status}): {}",
            String::from_utf8_lossy(&stderr)
        )));
    }
    Ok(RunResult {
        wall: Duration::from_nanos(f[0] as u64),
        cpu: Duration::from_nanos(f[1] as u64),
        max_rss_kb: f[2],
        code: f[3] as i32,
        stdout,
        stderr,
    })
}

const SPAWN_MODE: &str = "__spawn";

/// `__spawn REPORT CWD PROGRAM ARGS...`: runs PROGRAM with this process's stdio, then writes
/// `wall_nanos cpu_nanos max_rss_kb exit_code` to REPORT.
fn spawner(args: &[std::ffi::OsString]) -> std::io::Result<()> {
    let [report, cwd, program, rest @ ..] = args else {
        return Err(std::io::Error::other(
            "usage: __spawn REPORT CWD PROGRAM ARGS...",
        ));
    };
    let start = Instant::now();
    let child = Command::new(program).args(rest).current_dir(cwd).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for the child spawned (and reaped) here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc != -1 {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let wall = start.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let tv = |t: libc::timeval| t.tv_sec as u128 * 1_000_000_000 + t.tv_usec as u128 * 1_000;
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    std::fs::write(
        report,
        format!("{} {cpu} {} {code}\n", wall.as_nanos(), usage.ru_maxrss),
    )
}

type Prepare = Box<dyn Fn() -> std::io::Result<()>>;
type Validate = fn(&RunResult) -> Result<(), String>;

/// A command measured in a group.
struct Case {
    key: &'static str,
    label: String,
    program: PathBuf,
    args: Vec<String>,
    cwd: PathBuf,
    prepare: Option<Prepare>,
    validate: Validate,
    walls: Vec<Duration>,
    cpus: Vec<Duration>,
    max_rss_kb: i64,
    codes: BTreeSet<i32>,
    failure: Option<String>,
}

impl Case {
    fn new(
        key: &'static str,
        program: &Path,
        args: &[&str],
        cwd: &Path,
        validate: Validate,
    ) -> Case {
        let name = program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Case {
            key,
            label: format!("{name} {}", args.join(" ")),
            program: program.to_path_buf(),
            args: args.iter().map(|s| s.to_string()).collect(),
            cwd: cwd.to_path_buf(),
            prepare: None,
            validate,
            walls: Vec::new(),
            cpus: Vec::new(),
            max_rss_kb: 0,
            codes: BTreeSet::new(),
            failure: None,
        }
    }

    fn with_prepare(mut self, p: Prepare) -> Case {
        self.prepare = Some(p);
        self
    }

    fn run(&mut self, record: bool) -> Option<RunResult> {
        if self.failure.is_some() {
            return None;
        }
        if let Some(p) = &self.prepare {
            if let Err(e) = p() {
                self.failure = Some(format!("preparing the input failed: {e}"));
                return None;
            }
        }
        match run_child(&self.program, &self.args, &self.cwd) {
            Err(e) => {
                self.failure = Some(format!("could not run: {e}"));
                None
            }
            Ok(r) => {
                if let Err(why) = (self.validate)(&r) {
                    let stderr = String::from_utf8_lossy(&r.stderr);
                    let head: String = stderr.lines().take(3).collect::<Vec<_>>().join(" / ");
                    self.failure = Some(format!("exit {}: {why}; stderr: {head}", r.code));
                    return None;
                }
                self.codes.insert(r.code);
                self.max_rss_kb = self.max_rss_kb.max(r.max_rss_kb);
                if record {
                    self.walls.push(r.wall);
                    self.cpus.push(r.cpu);
                }
                Some(r)
            }
        }
    }

    fn median(&self) -> Option<Duration> {
        median(&self.walls)
    }

    fn cpu_median(&self) -> Option<Duration> {
        median(&self.cpus)
    }

    fn min(&self) -> Option<Duration> {
        self.walls.iter().min().copied()
    }
}

/// The median over rounds of `a[i] / b[i]`, when both commands have a time for every round.
fn paired_ratio(a: &[Duration], b: &[Duration]) -> Option<f64> {
    if a.is_empty() || a.len() != b.len() || b.iter().any(|d| d.is_zero()) {
        return None;
    }
    let r: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| x.as_secs_f64() / y.as_secs_f64())
        .collect();
    middle(&r, |x, y| (x + y) / 2.0)
}

fn median(d: &[Duration]) -> Option<Duration> {
    middle(d, |x, y| (x + y) / 2)
}

/// The middle one of `values` in order, or `mean` of the two middle ones for an even count.
fn middle<T: Copy + PartialOrd>(values: &[T], mean: impl Fn(T, T) -> T) -> Option<T> {
    let mut w = values.to_vec();
    w.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
    let n = w.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(w[n / 2]),
        _ => Some(mean(w[n / 2 - 1], w[n / 2])),
    }
}

/// One warm-up run of each case, then `runs` rounds that run every case once, so drift on a
/// shared machine hits all of them alike.
fn measure(cases: &mut [Case], runs: usize) {
    for c in cases.iter_mut() {
        c.run(false);
    }
    for _ in 0..runs {
        for c in cases.iter_mut() {
            c.run(true);
        }
    }
}

fn json_check(r: &RunResult) -> Result<(), String> {
    if r.code != 0 && r.code != 1 {
        return Err("expected exit 0 or 1".into());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&r.stdout).map_err(|e| format!("output is not JSON ({e})"))?;
    v.get("summary")
        .map(|_| ())
        .ok_or_else(|| "no summary in the JSON output".into())
}

/// Whether `debug parse` printed `marker`; else says what was expected.
fn printed(r: &RunResult, marker: &str, expected: &str) -> Result<(), String> {
    if String::from_utf8_lossy(&r.stdout).contains(marker) {
        Ok(())
    } else {
        Err(format!("expected `{expected}`"))
    }
}

fn parse_check(r: &RunResult) -> Result<(), String> {
    printed(r, "files=", "files=N errors=N")
}

fn walk_check(r: &RunResult) -> Result<(), String> {
    printed(r, "nodes=", "files=N errors=N nodes=N")
}

fn extract_check(r: &RunResult) -> Result<(), String> {
    printed(r, "calls=", "files=N errors=N calls=N")
}

fn fix_check(r: &RunResult) -> Result<(), String> {
    if r.code == 0 || r.code == 1 {
        Ok(())
    } else {
        Err("expected exit 0 or 1".into())
    }
}

fn zero_exit(r: &RunResult) -> Result<(), String> {
    if r.code == 0 {
        Ok(())
    } else {
        Err("expected exit 0".into())
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn mb(kb: i64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

struct Ratio {
    name: String,
    shown: String,
    /// The median of the ratios of the two commands' wall times round by round: each round runs
    /// both, one after the other, so a slow spell of the machine that spans a round cancels out.
    paired: String,
    /// The same ratio over CPU time (user + system), less sensitive to other load.
    cpu: String,
    target: String,
    met: Option<bool>,
    note: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<String>,
    ratios: Vec<Ratio>,
}

impl Report {
    fn case(&mut self, input: &str, c: &Case) {
        let (med, min) = match (c.median(), c.min()) {
            (Some(a), Some(b)) => (ms(a), ms(b)),
            _ => ("-".into(), "-".into()),
        };
        let cpu = c.cpu_median().map(ms).unwrap_or_else(|| "-".into());
        let codes: Vec<String> = c.codes.iter().map(|c| c.to_string()).collect();
        let note = c.failure.clone().unwrap_or_default();
        self.rows.push(format!(
            "| {input} | `{}` | {med} | {min} | {cpu} | {} | {} | {note} |",
            c.label,
            if c.max_rss_kb > 0 {
                mb(c.max_rss_kb)
            } else {
                "-".into()
            },
            codes.join(",")
        ));
    }

    /// `a / b` (a time ratio); `at_most` says whether the target is an upper bound.
    fn ratio(&mut self, name: &str, a: &Case, b: &Case, target: f64, at_most: bool, note: &str) {
        self.push_ratio(name, a, b, Some((target, at_most)), note);
    }

    /// A ratio shown without a target.
    fn info_ratio(&mut self, name: &str, a: &Case, b: &Case, note: &str) {
        self.push_ratio(name, a, b, None, note);
    }

    fn push_ratio(
        &mut self,
        name: &str,
        a: &Case,
        b: &Case,
        target: Option<(f64, bool)>,
        note: &str,
    ) {
        let value = match (a.median(), b.median()) {
            (Some(x), Some(y)) if y.as_nanos() > 0 => Some(x.as_secs_f64() / y.as_secs_f64()),
            _ => None,
        };
        let met = target.and_then(|(target, at_most)| {
            value.map(|v| if at_most { v <= target } else { v >= target })
        });
        let cpu = match (a.cpu_median(), b.cpu_median()) {
            (Some(x), Some(y)) if y.as_nanos() > 0 => {
                format!("{:.2}x", x.as_secs_f64() / y.as_secs_f64())
            }
            _ => "-".into(),
        };
        let paired = paired_ratio(&a.walls, &b.walls)
            .map(|v| format!("{v:.2}x"))
            .unwrap_or_else(|| "-".into());
        self.ratios.push(Ratio {
            name: name.into(),
            cpu,
            paired,
            shown: value
                .map(|v| format!("{v:.2}x"))
                .unwrap_or_else(|| "-".into()),
            target: match target {
                Some((target, at_most)) => {
                    format!("{} {target:.2}x", if at_most { "<=" } else { ">=" })
                }
                None => "-".into(),
            },
            met,
            note: note.into(),
        });
    }

    fn absolute(
        &mut self,
        name: &str,
        shown: Option<String>,
        met: Option<bool>,
        target: &str,
        note: &str,
    ) {
        self.ratios.push(Ratio {
            name: name.into(),
            cpu: "-".into(),
            paired: "-".into(),
            shown: shown.unwrap_or_else(|| "-".into()),
            target: target.into(),
            met,
            note: note.into(),
        });
    }

    fn print(&self) {
        println!("\n| input | command | median | min | CPU (median) | max RSS | exit | note |");
        println!("|---|---|---:|---:|---:|---:|---|---|");
        for r in &self.rows {
            println!("{r}");
        }
        println!(
            "\n| figure | measured (wall) | round by round | same over CPU time | target | status | note |"
        );
        println!("|---|---:|---:|---:|---|---|---|");
        for r in &self.ratios {
            let status = match r.met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "n/a",
            };
            println!(
                "| {} | {} | {} | {} | {} | {status} | {} |",
                r.name, r.shown, r.paired, r.cpu, r.target, r.note
            );
        }
    }
}

/// Where inputs go: a kept folder (reused when its stamp matches) or a temporary one.
struct Workspace {
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
    keep: bool,
}

impl Workspace {
    fn new(cfg: &Config) -> std::io::Result<Workspace> {
        match &cfg.keep_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                Ok(Workspace {
                    root: d.canonicalize()?,
                    _temp: None,
                    keep: true,
                })
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("fastlint-bench-")
                    .tempdir()?;
                Ok(Workspace {
                    root: t.path().to_path_buf(),
                    _temp: Some(t),
                    keep: false,
                })
            }
        }
    }

    /// Generates `name` with `make` unless a kept copy with the same stamp exists.
    fn input<T>(
        &self,
        name: &str,
        stamp: &str,
        make: impl FnOnce(&Path) -> std::io::Result<T>,
    ) -> std::io::Result<(PathBuf, Option<T>, Duration)> {
        let dir = self.root.join(name);
        let stamp_file = self.root.join(format!("{name}.stamp"));
        let stamp = format!("v{GENERATOR_VERSION} {stamp}");
        if self.keep && std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str())
        {
            return Ok((dir, None, Duration::ZERO));
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let start = Instant::now();
        let out = make(&dir)?;
        let took = start.elapsed();
        if self.keep {
            std::fs::write(&stamp_file, stamp)?;
        }
        Ok((dir, Some(out), took))
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn summary(r: &RunResult) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).ok()?;
    Some(v)
}

fn monorepo(cfg: &Config, ws: &Workspace, rep: &mut Report) -> std::io::Result<()> {
    let seed = Rng::new(cfg.seed);
    let (root, made, took) = ws.input(
        "monorepo",
        // v2: CI workflows whose steps start lanes.
        &format!("v2 seed={} entries={}", cfg.seed, cfg.monorepo_entries),
        |dir| {
            let mut t = inputs::monorepo::Tree::new(dir)?;
            inputs::monorepo::generate(&mut t, &seed, cfg.monorepo_entries)
        },
    )?;
    match &made {
        Some(m) => println!(
            "monorepo: {} files and folders ({:.1} MB), {} fastlane folders, {} lanes; generated in {:.1} s",
            m.entries,
            m.bytes as f64 / 1e6,
            m.fastfiles.len(),
            m.lanes,
            took.as_secs_f64()
        ),
        None => println!("monorepo: reusing {}", root.display()),
    }

    // Correctness first: fastlint must find exactly the 20 real Fastfiles and no decoy.
    let mut check = Case::new(
        "check",
        &cfg.bin,
        &["check", ".", "--format", "json"],
        &root,
        json_check,
    );
    if let Some(r) = check.run(false) {
        if let Some(v) = summary(&r) {
            let mut found = BTreeSet::new();
            for l in v["lanes"].as_array().into_iter().flatten() {
                if let Some(p) = l["path"].as_str() {
                    found.insert(p.to_string());
                }
            }
            for d in v["diagnostics"].as_array().into_iter().flatten() {
                if let Some(p) = d["path"].as_str() {
                    found.insert(p.to_string());
                }
            }
            let decoys: Vec<&String> = found
                .iter()
                .filter(|p| {
                    ["node_modules/", "Pods/", "build/", "DerivedData/", ".git/"]
                        .iter()
                        .any(|d| p.contains(d))
                })
                .collect();
            let fastfiles = found.iter().filter(|p| p.ends_with("Fastfile")).count();
            println!(
                "monorepo: fastlint read {} files, {} lanes; {fastfiles} Fastfiles reported; decoys reported: {}",
                v["summary"]["files"], v["summary"]["lanes"],
                if decoys.is_empty() { "none".to_string() } else { format!("{decoys:?}") }
            );
            if let Some(m) = &made {
                let expected: BTreeSet<String> = m.fastfiles.iter().cloned().collect();
                let reported: BTreeSet<String> = found
                    .iter()
                    .filter(|p| p.ends_with("/Fastfile") || *p == "fastlane/Fastfile")
                    .cloned()
                    .collect();
                let missing: Vec<&String> = expected.difference(&reported).collect();
                if !missing.is_empty() {
                    println!("monorepo: WARNING: Fastfiles with no lane or diagnostic reported: {missing:?}");
                }
            }
        }
    }

    let mut cases = vec![check];
    let rg = which("rg");
    match &rg {
        Some(rg) => {
            cases.push(Case::new("rg", rg, &["--files"], &root, zero_exit));
            cases.push(Case::new("rg-all", rg, &["--files", "--no-ignore", "--hidden"], &root, zero_exit));
        }
        None => println!(
            "monorepo: ripgrep (rg) is not installed: the rg ratio is skipped (install it: apt-get install -y ripgrep)"
        ),
    }
    measure(&mut cases, cfg.runs);
    for c in &cases {
        rep.case("monorepo", c);
    }
    if rg.is_some() {
        rep.ratio(
            "monorepo: check / rg --files",
            &cases[0],
            &cases[1],
            1.0,
            true,
            "rg honours the repo's .gitignore",
        );
        rep.ratio(
            "monorepo: check / rg --files --no-ignore --hidden",
            &cases[0],
            &cases[2],
            1.0,
            true,
            "info: the whole tree",
        );
    } else {
        rep.absolute(
            "monorepo: check / rg --files",
            None,
            None,
            "<= 1.00x",
            "rg not installed",
        );
    }
    Ok(())
}

fn files_differing(a: &Path, b: &Path, n: &mut usize) -> std::io::Result<()> {
    for entry in std::fs::read_dir(a)? {
        let entry = entry?;
        let other = b.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            files_differing(&entry.path(), &other, n)?;
        } else if std::fs::read(entry.path())? != std::fs::read(&other).unwrap_or_default() {
            *n += 1;
        }
    }
    Ok(())
}

fn many_lanes(cfg: &Config, ws: &Workspace, rep: &mut Report) -> std::io::Result<()> {
    let seed = Rng::new(cfg.seed);
    let (root, made, took) = ws.input(
        "lanes",
        &format!("seed={} fastfiles={}", cfg.seed, cfg.fastfiles),
        |dir| inputs::many_lanes(dir, &seed, cfg.fastfiles),
    )?;
    match &made {
        Some(m) => println!(
            "lanes: {} Fastfiles ({} with syntax errors), {} files in all, {:.1} MB, ~{} lanes; generated in {:.1} s",
            m.fastfiles,
            m.broken,
            m.files,
            m.bytes as f64 / 1e6,
            m.lanes,
            took.as_secs_f64()
        ),
        None => println!("lanes: reusing {}", root.display()),
    }

    let t = cfg.threads.to_string();
    let mut counts: Vec<usize> = vec![1, 2, cfg.threads];
    counts.sort();
    counts.dedup();
    let mut cases = Vec::new();
    for n in &counts {
        let n = n.to_string();
        cases.push(Case::new(
            "check",
            &cfg.bin,
            &["check", ".", "--format", "json", "--threads", &n],
            &root,
            json_check,
        ));
        cases.push(Case::new(
            "parse",
            &cfg.bin,
            &["debug", "parse", ".", "--threads", &n],
            &root,
            parse_check,
        ));
    }
    cases.push(Case::new(
        "walk",
        &cfg.bin,
        &["debug", "parse", ".", "--walk", "--threads", &t],
        &root,
        walk_check,
    ));
    cases.push(Case::new(
        "extract",
        &cfg.bin,
        &["debug", "parse", ".", "--extract", "--threads", &t],
        &root,
        extract_check,
    ));
    let copy = ws.root.join("lanes-fix");
    let (src, dst) = (root.clone(), copy.clone());
    cases.push(
        Case::new(
            "fix",
            &cfg.bin,
            &["check", ".", "--fix", "--format", "json", "--threads", &t],
            &copy,
            fix_check,
        )
        .with_prepare(Box::new(move || {
            if dst.exists() {
                std::fs::remove_dir_all(&dst)?;
            }
            inputs::copy_tree(&src, &dst)?;
            // The copy's 50 MB go to disk now, untimed: left dirty, the first `fsync` of `--fix`
            // would wait for them, and the run would pay for the harness's own copy.
            std::process::Command::new("sync").status()?;
            Ok(())
        })),
    );
    let find = |cases: &[Case], key: &str, n: usize| -> usize {
        let flag = n.to_string();
        cases
            .iter()
            .position(|c| {
                c.key == key
                    && c.args
                        .windows(2)
                        .any(|w| w[0] == "--threads" && w[1] == flag)
            })
            .expect("case exists")
    };

    // What fastlint finds, once.
    let i = find(&cases, "check", cfg.threads);
    if let Some(r) = cases[i].run(false) {
        if let Some(v) = summary(&r) {
            let s = &v["summary"];
            println!(
                "lanes: fastlint read {} files: {} lanes, {} diagnostics, FL000 {}, verdicts {}",
                s["files"], s["lanes"], s["diagnostics"], s["by_code"]["FL000"], s["verdicts"]
            );
        }
    }

    measure(&mut cases, cfg.runs);
    if cases.last().is_some_and(|c| c.failure.is_none()) {
        let mut changed = 0;
        if files_differing(&root, &copy, &mut changed).is_ok() {
            println!("lanes: --fix changed {changed} files of the copy");
        }
    }
    for c in &cases {
        rep.case("lanes", c);
    }
    let (ct, pt) = (
        find(&cases, "check", cfg.threads),
        find(&cases, "parse", cfg.threads),
    );
    rep.ratio(
        &format!("lanes: check / debug parse (--threads {t})"),
        &cases[ct],
        &cases[pt],
        1.3,
        true,
        "parse = discover + read + tree-sitter parse",
    );
    let wt = find(&cases, "walk", cfg.threads);
    rep.ratio(
        &format!("lanes: debug parse --walk / debug parse (--threads {t})"),
        &cases[wt],
        &cases[pt],
        1.3,
        true,
        "info: one cursor walk over every node, the least any reader of the trees pays",
    );
    let et = find(&cases, "extract", cfg.threads);
    rep.ratio(
        &format!("lanes: debug parse --extract / debug parse (--threads {t})"),
        &cases[et],
        &cases[pt],
        1.3,
        true,
        "info: parse + each file's model (walk, lanes, calls, options), nothing across files",
    );
    let (c1, c2) = (find(&cases, "check", 1), find(&cases, "check", 2));
    let note = if cfg.cores < 2 {
        "only 1 core: not meaningful"
    } else {
        ""
    };
    rep.ratio(
        "lanes: check speed-up, 2 threads vs 1",
        &cases[c1],
        &cases[c2],
        1.7,
        false,
        note,
    );
    let (p1, p2) = (find(&cases, "parse", 1), find(&cases, "parse", 2));
    rep.ratio(
        "lanes: debug parse speed-up, 2 threads vs 1",
        &cases[p1],
        &cases[p2],
        1.7,
        false,
        "info: the floor's own scaling",
    );
    let fx = cases.len() - 1;
    rep.ratio(
        &format!("lanes: check --fix (fresh copy) / check (--threads {t})"),
        &cases[fx],
        &cases[ct],
        2.0,
        true,
        "",
    );
    let rss = cases
        .iter()
        .filter(|c| c.key == "check")
        .map(|c| c.max_rss_kb)
        .max()
        .unwrap_or(0);
    let any = cases
        .iter()
        .any(|c| c.key == "check" && !c.walls.is_empty());
    rep.absolute(
        "lanes: peak memory of check (max RSS)",
        any.then(|| mb(rss)),
        any.then_some(rss <= 64 * 1024),
        "<= 64 MB",
        "",
    );
    Ok(())
}

fn one_fastfile(cfg: &Config, ws: &Workspace, rep: &mut Report) -> std::io::Result<()> {
    let seed = Rng::new(cfg.seed);
    let (root, _, _) = ws.input("one", &format!("seed={}", cfg.seed), |dir| {
        inputs::one_fastfile(dir, &seed)
    })?;
    let mut cases = vec![
        Case::new("check", &cfg.bin, &["check", "."], &root, fix_check),
        Case::new(
            "json",
            &cfg.bin,
            &["check", ".", "--format", "json"],
            &root,
            json_check,
        ),
    ];
    measure(&mut cases, cfg.runs * 4);
    for c in &cases {
        rep.case("one Fastfile", c);
    }
    let med = cases[0].median();
    rep.absolute(
        "one Fastfile: whole process (check, text output)",
        med.map(ms),
        med.map(|d| d < Duration::from_millis(15)),
        "< 15 ms",
        "spawn to exit, measured from the parent",
    );
    Ok(())
}

/// The size of the `large` case's Fastfile: half the largest file fastlint reads by default.
const LARGE_FASTFILE_BYTES: f64 = 5_000_000.0;

fn large_fastfile(cfg: &Config, ws: &Workspace, rep: &mut Report) -> std::io::Result<()> {
    let seed = Rng::new(cfg.seed);
    let bytes = ((LARGE_FASTFILE_BYTES * cfg.scale.min(1.0)) as usize).max(10_000);
    let (root, _, _) = ws.input(
        "large",
        &format!("seed={} bytes={bytes}", cfg.seed),
        |dir| inputs::large_fastfile(dir, &seed, bytes),
    )?;
    let format =
        |name: &'static str, f: &'static str, check: fn(&RunResult) -> Result<(), String>| {
            Case::new(name, &cfg.bin, &["check", ".", "--format", f], &root, check)
        };
    let mut cases = vec![
        format("json", "json", json_check),
        Case::new("text", &cfg.bin, &["check", "."], &root, fix_check),
        Case::new(
            "quiet",
            &cfg.bin,
            &["check", ".", "--quiet"],
            &root,
            fix_check,
        ),
        format("sarif", "sarif", fix_check),
        format("github", "github", fix_check),
        Case::new(
            "diff",
            &cfg.bin,
            &["check", ".", "--diff"],
            &root,
            fix_check,
        ),
    ];
    measure(&mut cases, cfg.runs);
    let label = format!("large ({} MB Fastfile)", bytes / 1_000_000);
    for c in &cases {
        rep.case(&label, c);
    }
    for (i, name) in [
        (1, "text"),
        (2, "text --quiet"),
        (3, "sarif"),
        (4, "github"),
    ] {
        rep.ratio(
            &format!("large Fastfile: {name} / json"),
            &cases[i],
            &cases[0],
            2.0,
            true,
            "fastlint's own: the format costs little beside the analysis",
        );
    }
    let json_rss = cases[0].max_rss_kb;
    let sarif_rss = cases[3].max_rss_kb;
    rep.absolute(
        "large Fastfile: max RSS of sarif / json",
        (json_rss > 0).then(|| format!("{:.2}x", sarif_rss as f64 / json_rss as f64)),
        (json_rss > 0).then_some(sarif_rss as f64 <= json_rss as f64 * 1.25),
        "<= 1.25x",
        "fastlint's own: results are written as they are made, not held",
    );
    rep.ratio(
        "large Fastfile: check --diff / json",
        &cases[5],
        &cases[0],
        3.0,
        true,
        "fastlint's own: rewrite, re-parse and diff",
    );
    Ok(())
}

fn stress(cfg: &Config, ws: &Workspace, rep: &mut Report) -> std::io::Result<()> {
    let (root, _, _) = ws.input("stress", "v11", inputs::stress::generate)?;
    let run = |key: &'static str, at: &str, args: &[&str], validate: Validate| {
        Case::new(key, &cfg.bin, args, &root.join(at), validate)
    };
    let json = ["check", ".", "--format", "json"];
    let diff = ["check", ".", "--diff"];
    let globs = root.join("globs.toml").to_string_lossy().into_owned();
    let baseline = root.join("oneline.baseline.json");
    let baseline = baseline.to_string_lossy().into_owned();
    let mut cases = vec![
        run("suppressed", "suppressed", &json, json_check),
        run("unsuppressed", "unsuppressed", &json, json_check),
        run("suppressed diff", "suppressed", &diff, fix_check),
        run("unsuppressed diff", "unsuppressed", &diff, fix_check),
        run("chain", "chain", &json, json_check),
        run("unchained", "unchained", &json, json_check),
        run("oneline", "oneline", &json, json_check),
        run("oneline text", "oneline", &["check", "."], fix_check),
        run(
            "oneline sarif",
            "oneline",
            &["check", ".", "--format", "sarif"],
            fix_check,
        ),
        run(
            "oneline gitlab",
            "oneline",
            &["check", ".", "--format", "gitlab"],
            fix_check,
        ),
        run(
            "oneline baseline",
            "oneline",
            &["check", ".", "--write-baseline", &baseline],
            fix_check,
        ),
        run(
            "globs",
            "unsuppressed",
            &["check", ".", "--format", "json", "--config", &globs],
            json_check,
        ),
    ];
    // Each input that makes `--diff` hard, beside its own `json` run (cases 12 to 19).
    for (name, diff_name) in [
        ("longrun", "longrun diff"),
        ("manylanes", "manylanes diff"),
        ("sharedvar", "sharedvar diff"),
        ("nested", "nested diff"),
    ] {
        cases.push(run(name, name, &json, json_check));
        cases.push(run(diff_name, name, &diff, fix_check));
    }
    // A large file with a missing `end`, beside the same file whole (cases 20 and 21).
    cases.push(run("unclosed", "unclosed", &json, json_check));
    cases.push(run("closed", "closed", &json, json_check));
    // Shell commands held in variables and heredocs, beside half as many (cases 22 and 23).
    cases.push(run("shellvars", "shellvars", &json, json_check));
    cases.push(run("shellvars half", "shellvars_half", &json, json_check));
    // Hooks in many platform blocks, beside half as many (cases 24 to 27).
    cases.push(run("hooks", "hooks", &json, json_check));
    cases.push(run("hooks half", "hooks_half", &json, json_check));
    cases.push(run("hooks diff", "hooks", &diff, fix_check));
    cases.push(run("hooks half diff", "hooks_half", &diff, fix_check));
    // A workflow whose jobs start lanes, beside half as many (cases 28 and 29).
    cases.push(run("workflow", "workflow", &json, json_check));
    cases.push(run("workflow half", "workflow_half", &json, json_check));
    // A Jenkinsfile whose stages start lanes, beside half as many (cases 30 and 31).
    cases.push(run("jenkins", "jenkins", &json, json_check));
    cases.push(run("jenkins half", "jenkins_half", &json, json_check));
    measure(&mut cases, cfg.runs);
    for c in &cases {
        rep.case(
            &format!(
                "stress {}",
                c.cwd
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            ),
            c,
        );
    }
    let own = "fastlint's own: the same input without what makes it hard";
    rep.ratio(
        "stress: check, 20,000 suppressed findings / none",
        &cases[0],
        &cases[1],
        1.5,
        true,
        own,
    );
    rep.ratio(
        "stress: --diff, 20,000 suppressed findings / none",
        &cases[2],
        &cases[3],
        1.5,
        true,
        own,
    );
    // Each of the 500 folders sees the lanes of every Fastfile below it in the chain (125,000
    // file visits by the analysis), as fastlane would: no target, the figure is shown.
    let chain = cases[4].median();
    rep.absolute(
        "stress: check, 500 folders each importing the next",
        chain.map(ms),
        None,
        "-",
        "info: beside `unchained`, the same folders without the imports",
    );
    rep.ratio(
        "stress: check, 400 configuration globs / none (40,000 findings)",
        &cases[11],
        &cases[1],
        1.5,
        true,
        own,
    );
    rep.ratio(
        "stress: check, 40,000 findings on one line / on lines of their own",
        &cases[6],
        &cases[1],
        1.5,
        true,
        "fastlint's own: a finding's column is not counted from the start of its line each time",
    );
    for (i, name) in [
        (7, "text"),
        (8, "sarif"),
        (9, "gitlab"),
        (10, "--write-baseline"),
    ] {
        rep.ratio(
            &format!("stress: 40,000 findings on one line, {name} / json"),
            &cases[i],
            &cases[6],
            2.0,
            true,
            "fastlint's own: a long line costs each output once, not once per finding",
        );
    }
    rep.ratio(
        "stress: --diff / json, one run of 20,000 changed lines",
        &cases[13],
        &cases[12],
        3.0,
        true,
        "fastlint's own, as for the large Fastfile: the diff's search is bounded",
    );
    // Each lane gains a key block, so the rewritten file is 2.7 times as long and is read again
    // to check it: shown, no target.
    let (lanes_diff, lanes_json) = (&cases[15], &cases[14]);
    rep.info_ratio(
        "stress: --diff / json, 20,000 lanes in one Fastfile",
        lanes_diff,
        lanes_json,
        "info: the rewrite is 2.7 times as long as the file and is read again",
    );
    for (i, name) in [
        (16, "20,000 calls passing one hash variable"),
        (18, "a call inside 20,000 nested calls"),
    ] {
        rep.ratio(
            &format!("stress: --diff / json, {name}"),
            &cases[i + 1],
            &cases[i],
            3.0,
            true,
            "fastlint's own: what each call looks up is found once for the file",
        );
    }
    // tree-sitter's own recovery from the error is part of it, and FL000 parses the file once
    // more to check the `end` it names: shown, no target.
    rep.info_ratio(
        "stress: check, 20,000 lanes, the first missing its `end` / none missing",
        &cases[20],
        &cases[21],
        "info: the parser's error recovery, and FL000 checking the repair it names by parsing it",
    );
    rep.ratio(
        "stress: check, 40,000 shell commands held in variables and heredocs / 20,000",
        &cases[22],
        &cases[23],
        2.3,
        true,
        "fastlint's own: twice the commands cost about twice the time (each variable's strings and each heredoc's body are found once for the file)",
    );
    for (name, i) in [("check", 24), ("--diff", 26)] {
        rep.ratio(
            &format!("stress: {name}, 10,000 platform hooks / 5,000"),
            &cases[i],
            &cases[i + 1],
            2.3,
            true,
            "fastlint's own: hooks are found by kind and platform, not by a scan of all of them per lane",
        );
    }
    rep.ratio(
        "stress: check, a workflow of 10,000 jobs starting lanes / 5,000",
        &cases[28],
        &cases[29],
        2.3,
        true,
        "fastlint's own: the workflow is read once, and each folder its steps run in looked up once",
    );
    rep.ratio(
        "stress: check, a Jenkinsfile of 10,000 stages starting lanes / 5,000",
        &cases[30],
        &cases[31],
        2.3,
        true,
        "fastlint's own: the Jenkinsfile's blocks are read in one pass, each statement once",
    );
    Ok(())
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == SPAWN_MODE) {
        if let Err(e) = spawner(&args[2..]) {
            eprintln!("spawner: {e}");
            std::process::exit(125);
        }
        return;
    }
    let cfg = Config::from_env();
    println!(
        "fastlint scale benchmark: {} cores, --threads {} for same-threads figures, {} timed runs per command (median), scale {}, seed {}",
        cfg.cores, cfg.threads, cfg.runs, cfg.scale, cfg.seed
    );
    println!("binary: {}", cfg.bin.display());
    if !cfg.bin.is_file() {
        eprintln!(
            "error: {} does not exist (build it with `cargo build --release` or set FASTLINT_BIN)",
            cfg.bin.display()
        );
        std::process::exit(2);
    }
    let ws = match Workspace::new(&cfg) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: cannot create the input folder: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "inputs: {}{}",
        ws.root.display(),
        if ws.keep {
            " (kept)"
        } else {
            " (removed at the end)"
        }
    );

    println!("load average: {}", loadavg());
    let mut rep = Report::default();
    type CaseFn = fn(&Config, &Workspace, &mut Report) -> std::io::Result<()>;
    let all: [(&str, CaseFn); 5] = [
        ("monorepo", monorepo),
        ("lanes", many_lanes),
        ("one", one_fastfile),
        ("large", large_fastfile),
        ("stress", stress),
    ];
    for (name, f) in all {
        if cfg.wants(name) {
            if let Err(e) = f(&cfg, &ws, &mut rep) {
                eprintln!("error: {name}: {e}");
            }
        }
    }
    rep.print();
    println!("\nload average at the end: {}", loadavg());
}

/// The machine's load average (other work skews wall times; the CPU-time columns less so).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
