//! Command-line interface: `fastlint check`, `fastlint lanes`, and the hidden `debug parse`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::discover::discover;
use crate::fix;
use crate::load::{load, load_file};
use crate::render;
use crate::report::{CheckOptions, Report};
use crate::version::Version;

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
    /// Internal tools (benchmark floors).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Discover, read and parse with tree-sitter only; print `files=N errors=N`.
    Parse(CommonArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
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
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Rewrite migratable lanes to use an App Store Connect API key, print the diffs, then report what remains.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the diffs `--fix` would apply and write nothing (exit 1 when there are changes).
    #[arg(long)]
    pub diff: bool,
    /// Where the inserted `app_store_connect_api_key` call reads the key from.
    #[arg(long, value_enum, default_value_t = KeySourceArg::File)]
    pub key_source: KeySourceArg,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeySourceArg {
    /// `key_filepath: ENV["APP_STORE_CONNECT_API_KEY_KEY_FILEPATH"]`
    File,
    /// `key_content: ENV["APP_STORE_CONNECT_API_KEY_KEY"], is_key_content_base64: true`
    Content,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
}

fn init_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        // Fails only if the pool was already built, in which case it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}

/// Loads and analyses the paths.
pub fn build_report(args: &CommonArgs) -> Report {
    init_threads(args.threads);
    let discovery = discover(&args.paths);
    let mut ws = load(discovery.files, args.fastlane_version);
    ws.errors.extend(discovery.errors);
    ws.errors.sort();
    Report::build(
        ws,
        &CheckOptions {
            key_from_env: args.key_from_env,
        },
    )
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
    if args.fix || args.diff {
        return fix_or_diff(args);
    }
    let report = build_report(&args.common);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match args.common.format {
        Format::Json => render::json::write(&report, true, &mut out),
        Format::Text => {
            print_errors(&report);
            render::text::write(&report, render::use_color(), &mut out)
        }
    };
    finish(result.and_then(|_| out.flush()), report.exit_code())
}

/// `check --fix` and `check --diff`.
fn fix_or_diff(args: &CheckArgs) -> ExitCode {
    let report = build_report(&args.common);
    let key_source = match args.key_source {
        KeySourceArg::File => fix::KeySource::File,
        KeySourceArg::Content => fix::KeySource::Content,
    };
    let options = CheckOptions {
        key_from_env: args.common.key_from_env,
    };
    let outcome = fix::fix(report, key_source, &options);
    let json = args.common.format == Format::Json;
    let color = !json && render::use_color();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
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
        print_errors(&outcome.report);
        eprintln!("{}", outcome.summary(false));
        let code = if failed {
            2
        } else {
            u8::from(!outcome.changes.is_empty())
        };
        return finish(result.and_then(|_| out.flush()), code);
    }

    // --fix: write each file atomically, then show what was applied and what remains.
    let mut shown = String::new();
    for change in &outcome.changes {
        if let Err(e) = fix::atomic::write_atomic(&change.path, change.after.as_bytes()) {
            eprintln!("error: {}: cannot write: {e}", change.display);
            failed = true;
            continue;
        }
        let d = fix::diff::unified_diff(&change.display, &change.before, &change.after);
        shown.push_str(&if color { fix::diff::colorize(&d) } else { d });
    }
    let summary = outcome.summary(true);
    let report = &outcome.report;
    let result = if json {
        eprint!("{shown}");
        eprintln!("{summary}");
        render::json::write(report, true, &mut out)
    } else {
        print_errors(report);
        write!(out, "{shown}")
            .and_then(|_| writeln!(out, "{summary}"))
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
    finish(result.and_then(|_| out.flush()), code)
}

fn lanes(args: &CommonArgs) -> ExitCode {
    let report = build_report(args);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match args.format {
        Format::Json => render::json::write(&report, false, &mut out),
        Format::Text => {
            print_errors(&report);
            render::table::write(&report, &mut out)
        }
    };
    let code = if report.errors().is_empty() { 0 } else { 2 };
    finish(result.and_then(|_| out.flush()), code)
}

fn debug_parse(args: &CommonArgs) -> ExitCode {
    init_threads(args.threads);
    let discovery = discover(&args.paths);
    let errors: usize = discovery
        .files
        .par_iter()
        .map(|f| match load_file(&f.path, &f.display, f.kind) {
            Ok(model) => usize::from(model.has_syntax_errors()),
            Err(_) => 1,
        })
        .sum();
    println!(
        "files={} errors={}",
        discovery.files.len(),
        errors + discovery.errors.len()
    );
    ExitCode::SUCCESS
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(args) => check(args),
        Command::Lanes(args) => lanes(args),
        Command::Debug(DebugCommand::Parse(args)) => debug_parse(args),
    }
}
