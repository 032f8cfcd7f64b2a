//! Command-line interface: `fastlint check`, `fastlint lanes`, `fastlint rule`/`rules`,
//! `fastlint completions`, and the hidden `debug parse`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::config::{self, Config};
use crate::discover::{classify, discover, display_path, FileError, Found};
use crate::environments::Selection;
use crate::fix;
use crate::load::load_with_stdin;
use crate::output::Output;
use crate::report::{CheckOptions, Report};
use crate::source::FileKind;
use crate::version::Version;
use crate::{baseline, docs, gate, render, rules, suppress};

#[derive(Parser, Debug)]
#[command(
    name = "fastlint",
    version,
    about = "Find Apple-ID logins in fastlane configuration and move lanes to App Store Connect API keys"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report Apple-ID usage and give every lane a verdict.
    Check(CheckArgs),
    /// Print only the lane table.
    Lanes(CommonArgs),
    /// Print a rule's documentation (`fastlint rule FL001`, or by name).
    Rule(RuleArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a shell completion script (`fastlint completions bash > /etc/bash_completion.d/fastlint`).
    Completions(CompletionsArgs),
    /// Internal tools (benchmark floors).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Discover, read and parse with tree-sitter only; print `files=N errors=N`.
    Parse(DebugParseArgs),
}

#[derive(Args, Debug)]
pub struct DebugParseArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also visit every node of each tree once with a tree cursor, as any reader of the whole
    /// tree must, and print how many there were (`nodes=N`).
    #[arg(long)]
    pub walk: bool,
    /// Also build each Ruby file's model as `check` does (one walk, then its lanes, calls and
    /// options), drop it, and print how many calls there were (`calls=N`): the per-file part of
    /// `check`, without the analysis across files, the rules and the report.
    #[arg(long, conflicts_with = "walk")]
    pub extract: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with the code underlined, the lane table and a summary.
    Text,
    /// One JSON object (diagnostics, lanes, errors, notes, summary).
    Json,
    /// One JSON object per diagnostic and line.
    JsonLines,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (and a summary in $GITHUB_STEP_SUMMARY).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML: one test case per lane.
    Junit,
    /// A markdown summary for a pull-request comment, with a Mermaid lane graph.
    Markdown,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output going to a stream that is (or is not) a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// A rule code (FL001) or name (username-option).
    pub rule: String,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct CommonArgs {
    /// Files or folders to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The fastlane version to judge against (default: from the nearest Gemfile.lock, else 2.237.0).
    #[arg(long, value_name = "X.Y.Z", value_parser = parse_version)]
    pub fastlane_version: Option<Version>,
    /// Count an App Store Connect API key as in scope everywhere (CI sets APP_STORE_CONNECT_API_KEY_*).
    #[arg(long)]
    pub key_from_env: bool,
    /// The environments fastlane runs with (`fastlane <lane> --env a,b`): of the `.env.<name>` files,
    /// only theirs count as loaded (default: all of them but templates such as `.env.example`).
    #[arg(long, value_name = "NAMES", value_parser = parse_env)]
    pub env: Option<Selection>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Largest file read (default 10MB; also KB, or bytes; 0: no limit). A larger one is an error.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read settings from FILE instead of the nearest fastlint.toml / .fastlint.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,
    /// When to colour text output (NO_COLOR turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Read the file's text from standard input and report as if it were at NAME (fastlane/Fastfile);
    /// the other fastlane files beside it are read from disk.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Rewrite migratable lanes to use an App Store Connect API key (and delete unused suppressions),
    /// print the diffs, then report what remains.
    #[arg(long, conflicts_with_all = ["diff", "stdin_filename"])]
    pub fix: bool,
    /// Print the diffs `--fix` would apply and write nothing (exit 1 when there are changes).
    #[arg(long, conflicts_with = "stdin_filename")]
    pub diff: bool,
    /// Where the inserted `app_store_connect_api_key` call reads the key from (default: `[fix] key-source`
    /// in fastlint.toml, else file).
    #[arg(long, value_enum)]
    pub key_source: Option<KeySourceArg>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeySourceArg {
    /// `key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]`
    File,
    /// `key_content: ENV["APP_STORE_CONNECT_API_KEY_KEY"], is_key_content_base64: true`
    Content,
}

/// What is reported and how the run exits.
#[derive(Args, Debug)]
pub struct GateArgs {
    /// Only these rules (codes, names, code prefixes or ALL, comma-separated); replaces the config's selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = config::parse_selector)]
    pub select: Vec<String>,
    /// Leave out these rules (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = config::parse_selector)]
    pub ignore: Vec<String>,
    /// Exit 0 even when diagnostics remain (2 still means an error).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each rule has instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Text output: print the diagnostics only (no lane table, notes or summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Report only findings that are not in this baseline file; list its entries that are gone.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (then exit 0) to adopt fastlint without fixing everything.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
}

fn parse_env(s: &str) -> Result<Selection, String> {
    Selection::parse(s)
}

/// `10MB`, `512KB`, `1048576` (bytes), `0`.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let not_a_size = || format!("`{t}` is not a size: write 10MB, 512KB or a number of bytes");
    let lower = t.to_ascii_lowercase();
    let (digits, unit) = match lower.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => lower.split_at(i),
        None => (lower.as_str(), ""),
    };
    let unit: f64 = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        _ => return Err(not_a_size()),
    };
    match digits.parse::<f64>() {
        Ok(n) if n >= 0.0 && n.is_finite() => Ok((n * unit).round() as u64),
        _ => Err(not_a_size()),
    }
}

fn init_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        // Fails only if the pool was already built, in which case it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}

/// What a run starts from besides its flags: the configuration, and the text read from standard input.
#[derive(Debug, Default)]
pub struct Setup {
    pub config: Config,
    pub stdin: Option<String>,
}

/// Finds and reads the configuration, and standard input for `--stdin-filename`. On failure the error
/// has been printed and the run should exit 2.
pub fn setup(args: &CommonArgs) -> Result<Setup, ExitCode> {
    let file = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        if !path.is_file() {
            eprintln!("error: {}: no such configuration file", display_path(path));
            return Err(ExitCode::from(2));
        }
        Some(path.clone())
    } else {
        let start = match &args.stdin_filename {
            Some(name) => name
                .parent()
                .filter(|p| p.is_dir())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            None => args.paths.first().cloned().unwrap_or_else(|| ".".into()),
        };
        config::find(&start)
    };
    let config = match file {
        Some(path) => match config::load(&path) {
            Ok(c) => c,
            Err(e) => {
                let color = args.color.enabled(std::io::stderr().is_terminal());
                eprint!("{}", e.render(color));
                return Err(ExitCode::from(2));
            }
        },
        None => Config::default(),
    };
    let stdin = match &args.stdin_filename {
        Some(_) => {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("error: cannot read standard input: {e}");
                return Err(ExitCode::from(2));
            }
            Some(text)
        }
        None => None,
    };
    Ok(Setup { config, stdin })
}

/// The files for `--stdin-filename NAME`: NAME itself, the fastlane files beside it, and the `.env`
/// files beside its fastlane folder.
fn stdin_files(name: &Path) -> Vec<Found> {
    let dir = name
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut dirs = vec![(dir.to_path_buf(), false)];
    if matches!(
        dir.file_name().and_then(|n| n.to_str()),
        Some("fastlane" | ".fastlane")
    ) {
        if let Some(up) = dir.parent() {
            let up = if up.as_os_str().is_empty() {
                Path::new(".")
            } else {
                up
            };
            dirs.push((up.to_path_buf(), true));
        }
    }
    let own = display_path(name);
    let mut out = Vec::new();
    for (d, env_only) in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() || display_path(&path) == own {
                continue;
            }
            match classify(&path) {
                Some(kind) if !env_only || kind == FileKind::DotEnv => out.push(Found {
                    display: display_path(&path),
                    path,
                    kind,
                }),
                _ => {}
            }
        }
    }
    out.push(Found {
        display: own,
        path: name.to_path_buf(),
        kind: classify(name).unwrap_or(FileKind::Fastfile),
    });
    out.sort();
    out
}

/// Loads and analyses the paths (or standard input): everything the rules find, before the configuration
/// and suppressions decide what is reported. Every file's whole model is kept (`--fix` on standard
/// input needs it; from the file system, `--fix` works one folder at a time, see [`crate::pipeline`]).
pub fn load_report(args: &CommonArgs, setup: &Setup) -> Report {
    load_report_with(args, setup, false)
}

/// What changes what is found, from the command line and the configuration file.
fn check_options(args: &CommonArgs, setup: &Setup) -> CheckOptions {
    CheckOptions {
        key_from_env: args.key_from_env,
        env: args
            .env
            .clone()
            .or_else(|| setup.config.env.clone())
            .unwrap_or_default(),
    }
}

/// Like [`load_report`], but each project's models are dropped once its rules have run
/// ([`crate::pipeline`]): what `check` and `lanes` print needs no more.
fn check_report(args: &CommonArgs, setup: &Setup) -> Report {
    load_report_with(args, setup, args.stdin_filename.is_none())
}

fn load_report_with(args: &CommonArgs, setup: &Setup, by_project: bool) -> Report {
    let options = check_options(args, setup);
    if by_project {
        if let Some((found, errors, version)) = found_files(args, setup) {
            let mut report = crate::pipeline::check(found, version, &options);
            add_errors(&mut report.ws, errors);
            return report;
        }
    }
    let (found, errors) = match &args.stdin_filename {
        Some(name) => {
            init_run(args);
            (stdin_files(name), Vec::new())
        }
        None => discovered(args, setup),
    };
    let version = args.fastlane_version.or(setup.config.fastlane_version);
    let stdin = args.stdin_filename.as_deref().zip(setup.stdin.as_deref());
    let mut ws = load_with_stdin(found, version, stdin);
    add_errors(&mut ws, errors);
    Report::build(ws, &options)
}

/// The files to check, the paths that could not be walked and the fastlane version, when they
/// come from the file system rather than standard input.
fn found_files(
    args: &CommonArgs,
    setup: &Setup,
) -> Option<(Vec<Found>, Vec<FileError>, Option<Version>)> {
    if args.stdin_filename.is_some() {
        return None;
    }
    let (found, errors) = discovered(args, setup);
    let version = args.fastlane_version.or(setup.config.fastlane_version);
    Some((found, errors, version))
}

/// Sets the run's thread count and file-size limit.
fn init_run(args: &CommonArgs) {
    init_threads(args.threads);
    if let Some(bytes) = args.max_file_size {
        crate::load::set_max_file_size(bytes);
    }
}

/// Walks the paths given, leaving out excluded files that were not named.
fn discovered(args: &CommonArgs, setup: &Setup) -> (Vec<Found>, Vec<FileError>) {
    init_run(args);
    let mut discovery = discover(&args.paths);
    // Excluded files are skipped unless named on the command line.
    discovery
        .files
        .retain(|f| args.paths.contains(&f.path) || !setup.config.is_excluded(&f.path));
    (discovery.files, discovery.errors)
}

/// Adds the paths that could not be walked to a run's errors.
fn add_errors(ws: &mut crate::load::Workspace, errors: Vec<FileError>) {
    ws.errors.extend(errors);
    ws.errors.sort();
}

/// Loads and analyses the paths (or standard input), then applies the configuration and suppressions.
pub fn build_report(args: &CommonArgs, setup: &Setup) -> Report {
    let mut report = check_report(args, setup);
    gate::apply(&mut report, &setup.config);
    if let Some(name) = &args.stdin_filename {
        // Only the file read from standard input is reported on.
        let files = &report.ws.files;
        let own = |f: usize| files[f].source.path == *name;
        report.diagnostics.retain(|d| own(d.file));
        report.suppressed.retain(|s| own(s.diagnostic.file));
        report.lanes.retain(|l| own(l.file));
    }
    report
}

/// Whether text written to `--output` (or standard output) gets colour.
fn output_color(args: &CommonArgs) -> bool {
    let terminal = args.output.is_none() && std::io::stdout().is_terminal();
    args.color.enabled(terminal)
}

/// The notes (what was not analysed), on standard error: for `fastlint lanes`, which prints only
/// the table on standard output, and for the formats that have no place for them.
fn print_notes(report: &Report) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for n in report.notes() {
        let _ = writeln!(err, "{}", render::text::note_line(report, n));
    }
}

fn print_errors(report: &Report) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for e in report.errors() {
        let _ = writeln!(err, "error: {}: {}", e.display, e.message);
    }
}

fn finish(result: std::io::Result<()>, code: u8) -> ExitCode {
    match result {
        Ok(()) => ExitCode::from(code),
        // A closed pipe (`fastlint check | head`) is not a failure of the check.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let common = &args.common;
    let mut setup = match setup(common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    setup
        .config
        .override_selection(&args.gate.select, &args.gate.ignore);
    if args.fix || args.diff {
        return fix_or_diff(args, &setup);
    }
    let mut report = build_report(common, &setup);

    if let Some(path) = &args.gate.write_baseline {
        print_errors(&report);
        return match baseline::write(&report, path) {
            Ok(n) => {
                eprintln!(
                    "fastlint: wrote {n} finding{} to {}",
                    if n == 1 { "" } else { "s" },
                    display_path(path)
                );
                ExitCode::from(if report.errors().is_empty() { 0 } else { 2 })
            }
            Err(e) => {
                eprintln!(
                    "error: {}: cannot write the baseline: {e}",
                    display_path(path)
                );
                ExitCode::from(2)
            }
        };
    }
    if let Some(path) = &args.gate.baseline {
        match baseline::read(path) {
            Ok(b) => baseline::apply(&mut report, &b, &display_path(path)),
            Err(e) => {
                eprintln!("error: {}: {e}", display_path(path));
                return ExitCode::from(2);
            }
        }
    }

    let mut out = match Output::open(common.output.as_deref()) {
        Ok(out) => out,
        Err(e) => {
            let shown = common
                .output
                .as_deref()
                .map(display_path)
                .unwrap_or_default();
            eprintln!("error: {shown}: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    };
    let format = common.format;
    // Also on standard error in every format: a CI log shows why the run failed even when the
    // report goes to a file.
    print_errors(&report);
    // Formats with no place for notes give them on standard error, so the CI log shows them.
    if matches!(format, Format::Gitlab | Format::Junit | Format::JsonLines) {
        print_notes(&report);
    }
    if report.ws.files.is_empty() && report.errors().is_empty() && common.stdin_filename.is_none() {
        // A clean report over nothing: most likely the wrong folder.
        let paths: Vec<String> = common.paths.iter().map(|p| display_path(p)).collect();
        eprintln!("fastlint: no fastlane files found in {}", paths.join(", "));
    }
    let result = if args.gate.statistics {
        match format {
            Format::Json => render::statistics::write_json(&report, &mut out),
            _ => render::statistics::write_text(&report, &mut out),
        }
    } else {
        match format {
            Format::Json => render::json::write(&report, true, &mut out),
            Format::Text if args.gate.quiet => {
                render::text::write_diagnostics(&report, output_color(common), &mut out)
            }
            Format::Text => render::text::write(&report, output_color(common), &mut out)
                .and_then(|_| write_baseline_outcome(&report, &mut out)),
            Format::JsonLines => render::json_lines::write(&report, &mut out),
            Format::Sarif => render::sarif::write(&report, &setup.config, &mut out),
            Format::Github => {
                render::github::write(&report, &mut out).and_then(|_| step_summary(&report))
            }
            Format::Gitlab => render::gitlab::write(&report, &mut out),
            Format::Junit => render::junit::write(&report, &mut out),
            Format::Markdown => render::markdown::write(
                &report,
                render::markdown::Parts {
                    graph: true,
                    findings: true,
                },
                &mut out,
            ),
        }
    };
    if format != Format::Text || args.gate.statistics || args.gate.quiet {
        let _ = write_baseline_outcome(&report, &mut std::io::stderr());
    }
    let mut code = report.exit_code();
    if args.gate.exit_zero && code == 1 {
        code = 0;
    }
    let status = finish(result.and_then(|_| out.done()), code);
    // The process ends here: leave the workspace to the OS instead of freeing it piece by piece.
    std::mem::forget(report);
    status
}

/// What `--baseline` matched and which of its entries are gone.
fn write_baseline_outcome(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(b) = &report.baseline else {
        return Ok(());
    };
    writeln!(
        out,
        "baseline {}: {} finding{} matched, {} entr{} fixed since it was written",
        b.path,
        b.matched,
        if b.matched == 1 { "" } else { "s" },
        b.fixed.len(),
        if b.fixed.len() == 1 { "y" } else { "ies" }
    )?;
    for e in &b.fixed {
        let lane = e
            .lane
            .as_deref()
            .map(|l| format!(" (lane `{l}`)"))
            .unwrap_or_default();
        writeln!(
            out,
            "  fixed: {}:{}: {}{lane} {}",
            e.path, e.line, e.code, e.message
        )?;
    }
    Ok(())
}

/// Appends the markdown summary to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it.
fn step_summary(report: &Report) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let parts = render::markdown::Parts {
        graph: false,
        findings: true,
    };
    file.write_all(render::markdown::summary(report, parts).as_bytes())
}

/// `check --fix` and `check --diff`.
fn fix_or_diff(args: &CheckArgs, setup: &Setup) -> ExitCode {
    let common = &args.common;
    let key_source = match args.key_source {
        Some(KeySourceArg::File) => fix::KeySource::File,
        Some(KeySourceArg::Content) => fix::KeySource::Content,
        None => setup.config.key_source.unwrap_or_default(),
    };
    let options = check_options(common, setup);
    // Suppressions the migration made stale (or that were stale already) go too.
    let (mut outcome, removed) = match found_files(common, setup) {
        Some((found, errors, version)) => {
            let (mut outcome, removed) =
                crate::pipeline::fix(found, version, &options, key_source, &setup.config);
            add_errors(&mut outcome.report.ws, errors);
            (outcome, removed)
        }
        None => {
            let outcome = fix::fix(load_report(common, setup), key_source, &options);
            suppress::fix_unused(outcome, &setup.config, &options)
        }
    };
    gate::apply(&mut outcome.report, &setup.config);
    let json = common.format == Format::Json;
    let color = !json && output_color(common);
    let mut out = match Output::open(common.output.as_deref()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    };
    let removed_note = match removed {
        0 => String::new(),
        1 => "; 1 unused suppression removed".to_string(),
        n => format!("; {n} unused suppressions removed"),
    };
    let mut failed = !outcome.report.errors().is_empty() || !outcome.problems.is_empty();
    for p in &outcome.problems {
        eprintln!("error: {p}");
    }

    if args.diff {
        let mut result = Ok(());
        for change in &outcome.changes {
            let d = fix::diff::unified_diff(&change.display, &change.before, &change.after);
            let d = if color { fix::diff::colorize(&d) } else { d };
            result = result.and_then(|_| out.write_all(d.as_bytes()));
        }
        // The diffs reach the terminal before the summary written after them.
        let result = result.and_then(|_| out.done());
        print_errors(&outcome.report);
        eprint!("{}", summary_text(&outcome, false, &removed_note));
        let code = if failed {
            2
        } else {
            u8::from(!outcome.changes.is_empty())
        };
        let status = finish(result, code);
        // The process ends here: leave the workspace and the rewrites to the OS.
        std::mem::forget(outcome);
        return status;
    }

    // --fix: write each file atomically, then show what was applied and what remains.
    let mut shown = String::new();
    // Written several at a time (each write waits on the disk), reported in file order.
    let files: Vec<fix::atomic::Replacement> = outcome
        .changes
        .iter()
        .map(|c| fix::atomic::Replacement {
            path: &c.path,
            before: c.before.as_bytes(),
            after: c.after.as_bytes(),
        })
        .collect();
    // The diffs are made on the thread pool while the writers wait on the disk.
    let (written, diffs) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| fix::atomic::write_all_atomic(&files));
        let diffs: Vec<String> = outcome
            .changes
            .par_iter()
            .map(|change| {
                let d = fix::diff::unified_diff(&change.display, &change.before, &change.after);
                if color {
                    fix::diff::colorize(&d)
                } else {
                    d
                }
            })
            .collect();
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, diffs)
    });
    let written = written
        .into_iter()
        .zip(diffs)
        .map(|(result, d)| result.map(|()| d));
    let mut unwritten = std::collections::BTreeSet::new();
    for (change, result) in outcome.changes.iter().zip(written) {
        match result {
            Ok(d) => shown.push_str(&d),
            Err(e) => {
                eprintln!("error: {}: cannot write: {e}", change.display);
                unwritten.insert(change.file);
                failed = true;
            }
        }
    }
    // The summary counts what was written.
    outcome.take_back(&unwritten);
    if outcome.taken_back {
        // The report shows the files as they are on disk, rewritten or not: checked again.
        let mut report = load_report_with(common, setup, true);
        gate::apply(&mut report, &setup.config);
        outcome.report = report;
    }
    let summary = summary_text(&outcome, true, &removed_note);
    let report = &outcome.report;
    let result = if json {
        eprint!("{shown}{summary}");
        render::json::write(report, true, &mut out)
    } else {
        print_errors(report);
        write!(out, "{shown}")
            .and_then(|_| write!(out, "{summary}"))
            .and_then(|_| {
                if shown.is_empty() {
                    Ok(())
                } else {
                    writeln!(out)
                }
            })
            .and_then(|_| render::text::write(report, color, &mut out))
    };
    let code = if failed { 2 } else { report.exit_code() };
    let status = finish(result.and_then(|_| out.done()), code);
    // The process ends here: leave the workspace and the rewrites to the OS.
    std::mem::forget(outcome);
    status
}

/// What `--fix` (`applied`) or `--diff` says after the diffs: the headline with `extra` on its
/// line, then what is left and what to add by hand, a line each.
fn summary_text(outcome: &fix::Outcome, applied: bool, extra: &str) -> String {
    format!(
        "{}{extra}\n{}",
        outcome.summary(applied),
        outcome.details(applied)
    )
}

fn lanes(args: &CommonArgs) -> ExitCode {
    let setup = match setup(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !matches!(args.format, Format::Text | Format::Json | Format::Markdown) {
        eprintln!("error: `fastlint lanes` prints text, json or markdown");
        return ExitCode::from(2);
    }
    let report = build_report(args, &setup);
    let mut out = match Output::open(args.output.as_deref()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.format {
        Format::Json => render::json::write(&report, false, &mut out),
        Format::Markdown => render::markdown::write(
            &report,
            render::markdown::Parts {
                graph: true,
                findings: false,
            },
            &mut out,
        ),
        _ => {
            print_errors(&report);
            print_notes(&report);
            render::table::write(&report, &mut out)
        }
    };
    let code = if report.errors().is_empty() { 0 } else { 2 };
    finish(result.and_then(|_| out.done()), code)
}

fn rule(args: &RuleArgs) -> ExitCode {
    match rules::find(&args.rule) {
        Some(r) => finish(
            std::io::stdout().write_all(docs::rule_text(r.info).as_bytes()),
            0,
        ),
        None => {
            eprintln!(
                "error: unknown rule `{}`; `fastlint rules` lists them",
                args.rule
            );
            ExitCode::from(2)
        }
    }
}

fn rules_list(args: &RulesArgs) -> ExitCode {
    let text = match args.format {
        DocFormat::Text => docs::rules_text(),
        DocFormat::Markdown => docs::rules_markdown(),
        DocFormat::Json => match serde_json::to_string_pretty(&docs::rules_json()) {
            Ok(t) => t + "\n",
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    finish(std::io::stdout().write_all(text.as_bytes()), 0)
}

fn completions(args: &CompletionsArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut Cli::command(), "fastlint", &mut out);
    finish(out.flush(), 0)
}

fn debug_parse(args: &DebugParseArgs) -> ExitCode {
    init_threads(args.common.threads);
    let discovery = discover(&args.common.paths);
    let (errors, count): (usize, usize) = discovery
        .files
        .par_iter()
        .map(|f| match std::fs::read(&f.path).map(String::from_utf8) {
            // The floor: read and parse with tree-sitter, nothing else.
            Ok(Ok(text)) if f.kind.is_ruby() => match crate::parse::parse_ruby(&text) {
                Some(tree) => (
                    usize::from(tree.root_node().has_error()),
                    if args.walk {
                        let mut nodes = 0;
                        crate::parse::each_node(&tree, |_| nodes += 1);
                        nodes
                    } else if args.extract {
                        crate::extract::ruby::extract(&tree, &text).calls.len()
                    } else {
                        0
                    },
                ),
                None => (1, 0),
            },
            Ok(Ok(_)) => (0, 0),
            _ => (1, 0),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let errors = errors + discovery.errors.len();
    let files = discovery.files.len();
    if args.walk {
        println!("files={files} errors={errors} nodes={count}");
    } else if args.extract {
        println!("files={files} errors={errors} calls={count}");
    } else {
        println!("files={files} errors={errors}");
    }
    ExitCode::SUCCESS
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(args) => check(args),
        Command::Lanes(args) => lanes(args),
        Command::Rule(args) => rule(args),
        Command::Rules(args) => rules_list(args),
        Command::Completions(args) => completions(args),
        Command::Debug(DebugCommand::Parse(args)) => debug_parse(args),
    }
}
