//! `check` runs one project at a time and drops each project's models once its rules have run
//! (`fastlint::pipeline`); `--fix` loads everything at once. Both must report the same: this
//! renders every fixture both ways, as JSON and as the markdown lane graph, and compares them.

use std::path::{Path, PathBuf};

use fastlint::discover::discover;
use fastlint::load::load;
use fastlint::render;
use fastlint::report::{CheckOptions, Report};

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

fn assert_same(paths: &[PathBuf]) {
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

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn a_folder_that_imports_another_is_checked_together_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // `shared` is a library of lanes: its private lane is analysed where `app` imports it, with
    // the key `app` sets up first.
    write(
        &root.join("shared/fastlane/Fastfile"),
        "private_lane :upload do\n  pilot\nend\n",
    );
    write(
        &root.join("app/fastlane/Fastfile"),
        "import \"../../shared/fastlane/Fastfile\"\n\nlane :beta do\n  app_store_connect_api_key(key_id: \"K\", issuer_id: \"I\", key_filepath: \"k.p8\")\n  upload\nend\n",
    );
    write(
        &root.join("other/fastlane/Fastfile"),
        "lane :release do\n  deliver(username: \"me@example.com\")\nend\n",
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
