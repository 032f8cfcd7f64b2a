//! `check` and `--fix` run one project at a time and drop each project's models once its rules
//! have run (`fastlint::pipeline`). They must report (and rewrite) what a single load of every file
//! gives: this renders every fixture both ways, as JSON and as the markdown lane graph, with
//! `--fix`'s diffs and summary, and compares them.

use std::path::{Path, PathBuf};

use fastlint::config::Config;
use fastlint::discover::discover;
use fastlint::fix::{self, KeySource, Outcome};
use fastlint::load::load;
use fastlint::parse::{outline, parse_ruby};
use fastlint::report::{CheckOptions, Report};
use fastlint::{pipeline, render, suppress};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rendered(report: &Report) -> (String, String) {
    let mut json = Vec::new();
    render::json::write(report, true, &mut json).expect("write json");
    (
        String::from_utf8(json).expect("utf-8"),
        render::markdown::graph(report),
    )
}

fn both_ways(paths: &[PathBuf]) -> ((String, String), (String, String)) {
    let options = CheckOptions::default();
    let whole = Report::build(load(discover(paths).files, None), &options);
    let by_project = fastlint::pipeline::check(discover(paths).files, None, &options);
    (rendered(&whole), rendered(&by_project))
}

/// What `--fix` shows and leaves: each diff, both summaries with their details, problems, rounds, the count of
/// suppressions removed, and the JSON report of the rewritten files.
fn fix_rendered(outcome: &Outcome, removed: usize) -> String {
    let mut out = String::new();
    for c in &outcome.changes {
        out.push_str(&fix::diff::unified_diff(&c.display, &c.before, &c.after));
    }
    out.push_str(&format!(
        "{}\n{}{}\n{}problems: {:?}\nrounds: {}\nremoved: {removed}\n",
        outcome.summary(true),
        outcome.details(true),
        outcome.summary(false),
        outcome.details(false),
        outcome.problems,
        outcome.rounds
    ));
    out + &rendered(&outcome.report).0
}

fn fixed_both_ways(paths: &[PathBuf]) -> (String, String) {
    let options = CheckOptions::default();
    let config = Config::default();
    let whole = fix::fix(
        Report::build(load(discover(paths).files, None), &options),
        KeySource::File,
        &options,
    );
    let (whole, whole_removed) = suppress::fix_unused(whole, &config, &options);
    let (by_project, removed) = pipeline::fix(
        discover(paths).files,
        None,
        &options,
        KeySource::File,
        &config,
    );
    (
        fix_rendered(&whole, whole_removed),
        fix_rendered(&by_project, removed),
    )
}

fn assert_same(paths: &[PathBuf]) {
    let (whole, by_project) = fixed_both_ways(paths);
    if whole != by_project {
        let diff = similar::TextDiff::from_lines(&whole, &by_project)
            .unified_diff()
            .header("whole load", "by project")
            .to_string();
        panic!("{paths:?}: --fix differs\n{diff}");
    }
    let (whole, by_project) = both_ways(paths);
    assert!(
        whole.0 == by_project.0,
        "{paths:?}: JSON differs\n--- whole load\n{}\n--- by project\n{}",
        whole.0,
        by_project.0
    );
    assert_eq!(whole.1, by_project.1, "{paths:?}: lane graph differs");
}

#[test]
fn every_fixture_project_reports_the_same_either_way() {
    let root = repo_root();
    let mut checked = 0;
    for group in ["fixtures/check", "fixtures/rules", "fixtures/ci"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(group))
            .expect("fixture folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            assert_same(std::slice::from_ref(&dir));
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} fixture projects found");
    // All of them in one run: folders side by side, with imports between some of them.
    assert_same(&[root.join("fixtures")]);
}

/// Writes each `(path under root, text)`.
fn write_all(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

#[test]
fn a_folder_that_imports_another_is_checked_together_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // `shared` is a library of lanes: its private lane is analysed where `app` imports it, with
    // the key `app` sets up first.
    write_all(
        root,
        &[
            (
                "shared/fastlane/Fastfile",
                "private_lane :upload do\n  pilot\nend\n",
            ),
            (
                "app/fastlane/Fastfile",
                "import \"../../shared/fastlane/Fastfile\"\n\nlane :beta do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: \"k.p8\")\n  upload\nend\n",
            ),
            (
                "other/fastlane/Fastfile",
                "lane :release do\n  deliver(username: \"me@example.com\")\nend\n",
            ),
        ],
    );
    assert_same(&[root.to_path_buf()]);
    let (_, (json, graph)) = both_ways(&[root.to_path_buf()]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let lanes: Vec<(String, String)> = report["lanes"]
        .as_array()
        .expect("lanes")
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap_or_default().to_string(),
                l["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        lanes.contains(&("beta".into(), "api-key".into())),
        "{lanes:?}"
    );
    assert!(
        lanes.contains(&("release".into(), "migratable".into())),
        "{lanes:?}"
    );
    assert!(
        graph.contains("-->"),
        "the call from beta to upload is drawn: {graph}"
    );
}

#[test]
fn folders_that_import_the_same_fastfile_are_checked_and_fixed_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // `lib/Fastfile` is outside both folders given: each imports it, and each runs its lane
    // after setting up a key of its own or not.
    write_all(
        root,
        &[
            (
                "lib/Fastfile",
                "private_lane :upload do\n  pilot(username: \"me@example.com\")\nend\n",
            ),
            (
                "a/fastlane/Fastfile",
                "import \"../../lib/Fastfile\"\n\nlane :beta do\n  upload\nend\n",
            ),
            (
                "b/fastlane/Fastfile",
                "import \"../../lib/Fastfile\"\n\nlane :release do\n  upload\n  deliver\nend\n",
            ),
        ],
    );
    let paths = [root.join("a"), root.join("b")];
    assert_same(&paths);
    let (whole, _) = fixed_both_ways(&paths);
    // `b`'s lane gets the key block, and so does the shared lane: once, though two folders run it.
    assert_eq!(whole.matches("+++ ").count(), 2, "{whole}");
    assert_eq!(whole.matches("lib/Fastfile\n").count(), 2, "{whole}");
}

#[test]
fn the_trees_fix_parses_again_incrementally_are_those_a_fresh_parse_gives() {
    let options = CheckOptions::default();
    let paths = [repo_root().join("fixtures")];
    let outcome = fix::fix(
        Report::build(load(discover(&paths).files, None), &options),
        KeySource::File,
        &options,
    );
    assert!(outcome.changes.len() > 20, "{}", outcome.changes.len());
    let mut compared = 0;
    for change in &outcome.changes {
        let file = &outcome.report.ws.files[change.file];
        let Some(kept) = &file.tree else {
            continue;
        };
        let fresh = parse_ruby(&file.source.text).expect("parses");
        assert!(
            outline(kept) == outline(&fresh),
            "{}: the incremental tree differs from a fresh parse",
            change.display
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        outcome.changes.len(),
        "every rewritten file kept its tree"
    );
}

/// `--fix` keeps the syntax trees of Fastfiles that parse, and drops the others' as it loads them
/// (`load::Trees::Rewritable`): those are the only files it rewrites. The fixtures hold Appfiles,
/// Matchfiles, Deliverfiles and other tool files that log in with an Apple ID, and Fastfiles
/// with syntax errors, none of which it changes. (Were one rewritten, the result would be the same,
/// from a fresh parse: `every_fixture_project_reports_the_same_either_way` compares it with a load
/// that keeps every tree.)
#[test]
fn fix_rewrites_only_the_files_whose_trees_it_keeps() {
    let paths = [repo_root().join("fixtures")];
    let found = discover(&paths).files;
    let kinds: std::collections::BTreeSet<String> =
        found.iter().map(|f| format!("{:?}", f.kind)).collect();
    for kind in ["Appfile", "Fastfile"] {
        assert!(kinds.contains(kind), "no {kind} among {kinds:?}");
    }
    assert!(
        kinds.iter().any(|k| k.starts_with("Config")),
        "no tool config file among {kinds:?}"
    );
    let options = CheckOptions::default();
    let (outcome, _) = pipeline::fix(found, None, &options, KeySource::File, &Config::default());
    assert!(outcome.changes.len() > 20, "{}", outcome.changes.len());
    for change in &outcome.changes {
        let file = &outcome.report.ws.files[change.file];
        assert_eq!(
            file.source.kind,
            fastlint::source::FileKind::Fastfile,
            "{}",
            change.display
        );
        assert!(
            parse_ruby(&change.before).is_some_and(|t| !t.root_node().has_error()),
            "{} had a syntax error",
            change.display
        );
    }
}

/// What `check` keeps of each file for printing holds no room to spare: with tens of thousands of
/// files, the room the lists of lanes grew into would be held to the end of the run.
#[test]
fn the_models_kept_for_printing_are_sized_to_what_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut fastfile = String::from("def helper\nend\n");
    for i in 0..37 {
        fastfile.push_str(&format!(
            "# lane {i}\nlane :l{i} do\n  pilot(username: \"me@example.com\")\nend\n"
        ));
    }
    fastfile.push_str("before_all do\nend\nplatform :ios do\n  lane :x do\n  end\nend\n");
    write_all(dir.path(), &[("fastlane/Fastfile", &fastfile)]);
    let report = pipeline::check(
        discover(&[dir.path().to_path_buf()]).files,
        None,
        &CheckOptions::default(),
    );
    let model = report.ws.files[0].ruby().expect("a Ruby model");
    assert_eq!(model.lanes.len(), 38);
    assert!(!model.comments.is_empty() && !model.hooks.is_empty());
    assert!(!model.methods.is_empty() && !model.platforms.is_empty());
    assert_eq!(model.lanes.capacity(), model.lanes.len());
    assert_eq!(model.comments.capacity(), model.comments.len());
    assert_eq!(model.hooks.capacity(), model.hooks.len());
    assert_eq!(model.methods.capacity(), model.methods.len());
    assert_eq!(model.platforms.capacity(), model.platforms.len());
}

/// What a run looks up on the file system (here the `Gemfile.lock` over a folder) is remembered for
/// that run only: the next run in the same process, single load or one folder at a time, reads it
/// again.
#[test]
fn each_run_looks_the_file_system_up_afresh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fastlane = dir.path().join("ios").join("fastlane");
    std::fs::create_dir_all(&fastlane).expect("mkdir");
    std::fs::write(
        fastlane.join("Fastfile"),
        "lane :beta do\n  pilot(api_key_path: \"k.json\")\nend\n",
    )
    .expect("write");
    let lock = |version: &str| {
        std::fs::write(
            dir.path().join("Gemfile.lock"),
            format!("GEM\n  remote: https://rubygems.org/\n  specs:\n    fastlane ({version})\n\nDEPENDENCIES\n  fastlane\n"),
        )
        .expect("write")
    };
    let paths = [dir.path().to_path_buf()];
    let options = CheckOptions::default();
    let verdicts = |report: &Report| -> Vec<&'static str> {
        report.lanes.iter().map(|l| l.verdict.as_str()).collect()
    };
    let single = || Report::build(load(discover(&paths).files, None), &options);
    let by_folder = || pipeline::check(discover(&paths).files, None, &options);
    // pilot takes a key from fastlane 2.157.0 on (`src/knowledge.rs`).
    let versions = [
        ("2.150.0", "blocked"),
        ("2.219.0", "api-key"),
        ("2.150.0", "blocked"),
    ];
    // Single loads one after the other, then runs one folder at a time one after the other.
    let runs: [(&str, &dyn Fn() -> Report); 2] =
        [("single load", &single), ("by folder", &by_folder)];
    for (how, run) in runs {
        for (version, expected) in versions {
            lock(version);
            assert_eq!(verdicts(&run()), [expected], "{how}, fastlane {version}");
        }
    }
}

#[test]
fn a_chain_of_folders_each_importing_the_next_is_checked_as_one_load_gives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // a -> b -> c -> d, each importing the next folder's Fastfile; d imports a file outside every
    // folder given, which e imports too; c's private lane is run from a's lane, under a's key.
    let mut files: Vec<(String, String)> = Vec::new();
    for (name, next) in [
        ("a", Some("b")),
        ("b", Some("c")),
        ("c", Some("d")),
        ("d", None),
    ] {
        let import = match next {
            Some(next) => format!("import \"../../{next}/fastlane/Fastfile\"\n"),
            None => "import \"../../lib/Fastfile\"\n".to_string(),
        };
        let body = match name {
            "a" => "lane :a_beta do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: \"k.p8\")\n  c_upload\nend\n",
            "c" => "private_lane :c_upload do\n  pilot(username: \"me@example.com\")\nend\n",
            _ => "lane :NAME_release do\n  shared_upload\n  deliver\nend\n",
        };
        files.push((
            format!("{name}/fastlane/Fastfile"),
            format!("{import}\n{}", body.replace("NAME", name)),
        ));
    }
    files.push((
        "lib/Fastfile".into(),
        "private_lane :shared_upload do\n  pilot\nend\n".into(),
    ));
    files.push((
        "e/fastlane/Fastfile".into(),
        "import \"../../lib/Fastfile\"\n\nlane :e_release do\n  shared_upload\nend\n".into(),
    ));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_all(root, &files);
    let paths = ["a", "b", "c", "d", "e"].map(|d| root.join(d));
    assert_same(&paths);
    assert_same(&[root.to_path_buf()]);
    let (_, (json, _)) = both_ways(&paths);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let verdict = |name: &str| {
        report["lanes"]
            .as_array()
            .expect("lanes")
            .iter()
            .find(|l| l["name"] == name)
            .map(|l| l["verdict"].as_str().unwrap_or_default().to_string())
    };
    // The lane three imports down runs under a's key; b's own lane still has none.
    assert_eq!(verdict("a_beta").as_deref(), Some("api-key"), "{json}");
    assert_eq!(
        verdict("b_release").as_deref(),
        Some("migratable"),
        "{json}"
    );
    assert_eq!(
        verdict("e_release").as_deref(),
        Some("migratable"),
        "{json}"
    );
}
