//! Deterministic benchmark inputs, generated at run time into a temporary folder.
//!
//! - [`monorepo::generate`]: a mobile monorepo of ~200,000 files and folders.
//! - [`many_lanes`]: thousands of fastlane folders with ~5 KB Fastfiles (10% broken).
//! - [`one_fastfile`]: a repository with a single fastlane folder.
//! - [`large_fastfile`]: a repository whose one Fastfile is megabytes long.
//! - [`stress::generate`]: inputs where work could grow once per finding, each with a plain twin.

#![allow(dead_code)]

pub mod fastlane;
pub mod monorepo;
pub mod rng;
pub mod stress;

use monorepo::Tree;
use rng::Rng;
use std::io;
use std::path::Path;

pub struct ManyLanes {
    pub fastfiles: usize,
    pub broken: usize,
    pub files: usize,
    pub lanes: usize,
    pub bytes: u64,
}

/// `n` fastlane folders under `root/apps/<group>/<app>/fastlane/`, each with a Fastfile of
/// 4-6 KB, an Appfile, and (by chance) a Matchfile, Deliverfile, `.env` and `.env.default`.
/// One Fastfile in ten has a syntax error.
pub fn many_lanes(root: &Path, seed: &Rng, n: usize) -> io::Result<ManyLanes> {
    let mut t = Tree::new(root)?;
    t.file("Gemfile.lock", fastlane::gemfile_lock("2.219.0").as_bytes())?;
    let mut out = ManyLanes {
        fastfiles: 0,
        broken: 0,
        files: 1,
        lanes: 0,
        bytes: 0,
    };
    for i in 0..n {
        // Each app has its own stream, so app i is the same whatever n is.
        let mut rng = seed.fork(1_000 + i as u64);
        let dir = format!("apps/g{:02}/{}-{i:04}/fastlane", i / 100, rng.word(2));
        let size = rng.range(4_000, 6_000);
        let (mut ff, meta) = fastlane::fastfile(&mut rng, size);
        if i % 10 == 7 {
            ff = fastlane::break_syntax(&mut rng, &ff);
            out.broken += 1;
        }
        t.file(&format!("{dir}/Fastfile"), ff.as_bytes())?;
        t.file(
            &format!("{dir}/Appfile"),
            fastlane::appfile(&mut rng, meta.auth).as_bytes(),
        )?;
        out.files += 2;
        if rng.chance(0.5) {
            t.file(
                &format!("{dir}/Matchfile"),
                fastlane::matchfile(&mut rng).as_bytes(),
            )?;
            out.files += 1;
        }
        if rng.chance(0.15) {
            t.file(
                &format!("{dir}/Deliverfile"),
                fastlane::deliverfile(&mut rng).as_bytes(),
            )?;
            out.files += 1;
        }
        if rng.chance(0.4) {
            t.file(
                &format!("{dir}/.env"),
                fastlane::dotenv(&mut rng, meta.auth).as_bytes(),
            )?;
            out.files += 1;
        }
        if rng.chance(0.2) {
            t.file(
                &format!("{dir}/.env.default"),
                fastlane::dotenv(&mut rng, meta.auth).as_bytes(),
            )?;
            out.files += 1;
        }
        out.fastfiles += 1;
        out.lanes += meta.lanes;
    }
    out.bytes = t.bytes;
    Ok(out)
}

/// A repository with one fastlane folder: a generated Fastfile of about `bytes`, its Appfile and
/// a `Gemfile.lock`.
fn one_folder(root: &Path, mut rng: Rng, bytes: usize) -> io::Result<Tree> {
    let mut t = Tree::new(root)?;
    let (ff, meta) = fastlane::fastfile(&mut rng, bytes);
    t.file("Gemfile.lock", fastlane::gemfile_lock("2.219.0").as_bytes())?;
    t.file("fastlane/Fastfile", ff.as_bytes())?;
    t.file(
        "fastlane/Appfile",
        fastlane::appfile(&mut rng, meta.auth).as_bytes(),
    )?;
    Ok(t)
}

/// A small repository with one fastlane folder (Fastfile of ~5 KB, Appfile, Gemfile.lock).
pub fn one_fastfile(root: &Path, seed: &Rng) -> io::Result<()> {
    let mut t = one_folder(root, seed.fork(7), 5_000)?;
    t.file("README.md", b"# app\n")
}

/// A repository whose one Fastfile is `bytes` long (a generated one, thousands of lanes).
pub fn large_fastfile(root: &Path, seed: &Rng, bytes: usize) -> io::Result<()> {
    one_folder(root, seed.fork(11), bytes).map(|_| ())
}

/// Copies a tree (files and folders only), for `--fix` runs on a fresh copy.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if ty.is_file() {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}
