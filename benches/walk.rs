//! What a reader of tree-sitter trees pays, by what it skips.
//!
//! Parses every Fastfile of the many-lanes input once, holds the trees, then times cursor walks
//! over all of them: every node (what extraction does), and walks that do not descend into some
//! kinds of node. It prints, per walk, the nodes visited and the median time against the full
//! walk. It shows why fastlint reads every node rather than pruning: the walk's cost does not
//! follow the number of nodes visited.
//!
//! Run `cargo bench --bench scale` with `FASTLINT_BENCH_DIR` set once, to generate the inputs,
//! then `FASTLINT_BENCH_DIR=<same folder> cargo bench --bench walk` (`FASTLINT_BENCH_RUNS`, default
//! 7, sets the number of timed passes per walk).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tree_sitter::Tree;

/// A walk: its name, and the node kinds it does not descend into.
const WALKS: &[(&str, &[&str])] = &[
    ("every node", &[]),
    ("not into string literals", &["string"]),
    ("not into `key: value` pairs", &["pair"]),
    ("not into argument lists", &["argument_list"]),
];

fn fastfiles(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            fastfiles(&path, out)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with("Fastfile"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Walks every tree with one cursor each, not descending into nodes of a kind in `skip`;
/// returns the nodes visited.
fn walk(trees: &[Tree], skip: &[u16]) -> u64 {
    let mut visited = 0;
    for tree in trees {
        fastlint::parse::walk_where(tree, |node| {
            visited += 1;
            !skip.contains(&node.kind_id())
        });
    }
    visited
}

fn main() {
    let Some(root) = std::env::var_os("FASTLINT_BENCH_DIR").map(PathBuf::from) else {
        eprintln!(
            "set FASTLINT_BENCH_DIR to the folder `cargo bench --bench scale` generated into"
        );
        std::process::exit(2);
    };
    let runs: usize = std::env::var("FASTLINT_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(7);
    let mut paths = Vec::new();
    if let Err(e) = fastfiles(&root.join("lanes"), &mut paths) {
        eprintln!("{}: {e}", root.join("lanes").display());
        std::process::exit(2);
    }
    paths.sort();
    let trees: Vec<Tree> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| fastlint::parse::parse_ruby(&text))
        .collect();
    if trees.is_empty() {
        eprintln!("no Fastfile under {}", root.join("lanes").display());
        std::process::exit(2);
    }
    let language = fastlint::parse::language();
    println!(
        "cursor walks over {} parsed Fastfiles, {runs} timed passes each (median)\n",
        trees.len()
    );
    println!("| walk | nodes visited | median | against every node |");
    println!("|---|---:|---:|---:|");
    let mut full: Option<(u64, Duration)> = None;
    for (name, kinds) in WALKS {
        let skip: Vec<u16> = kinds
            .iter()
            .map(|k| language.id_for_node_kind(k, true))
            .collect();
        walk(&trees, &skip); // warm-up
        let mut times = Vec::with_capacity(runs);
        let mut visited = 0;
        for _ in 0..runs {
            let start = Instant::now();
            visited = walk(&trees, &skip);
            times.push(start.elapsed());
        }
        times.sort();
        let median = times[times.len() / 2];
        let (full_nodes, full_time) = *full.get_or_insert((visited, median));
        println!(
            "| {name} | {visited} ({:.0}%) | {:.1} ms | {:.2}x |",
            100.0 * visited as f64 / full_nodes as f64,
            median.as_secs_f64() * 1000.0,
            median.as_secs_f64() / full_time.as_secs_f64()
        );
    }
}
