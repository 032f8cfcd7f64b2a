//! A mobile monorepo of a given size (files + folders): a React Native / Flutter style
//! workspace with a huge `node_modules` (nested package trees, scoped packages, `.bin`,
//! `.cache`), `ios/Pods`, Xcode `build/` and `DerivedData`, Gradle output, a `.git` object
//! store, app sources, and 20 fastlane folders in the places real repositories keep them.
//! A few decoy `fastlane/Fastfile`s sit inside folders a linter must not enter
//! (`node_modules`, `Pods`, `build`, `DerivedData`, `.git`).

use super::fastlane;
use super::rng::Rng;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Writes files and folders under a root and counts every entry it creates.
pub struct Tree {
    root: PathBuf,
    dirs: HashSet<PathBuf>,
    pub entries: usize,
    pub bytes: u64,
}

impl Tree {
    pub fn new(root: &Path) -> io::Result<Tree> {
        fs::create_dir_all(root)?;
        Ok(Tree {
            root: root.to_path_buf(),
            dirs: HashSet::new(),
            entries: 0,
            bytes: 0,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates `rel` and any missing parents, counting each new folder.
    pub fn dir(&mut self, rel: &str) -> io::Result<()> {
        let rel = Path::new(rel);
        let mut missing = Vec::new();
        let mut cur = Some(rel);
        while let Some(p) = cur {
            if p.as_os_str().is_empty() || self.dirs.contains(p) {
                break;
            }
            missing.push(p.to_path_buf());
            cur = p.parent();
        }
        for p in missing.into_iter().rev() {
            match fs::create_dir(self.root.join(&p)) {
                Ok(()) => self.entries += 1,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            self.dirs.insert(p);
        }
        Ok(())
    }

    pub fn file(&mut self, rel: &str, contents: &[u8]) -> io::Result<()> {
        if let Some(parent) = Path::new(rel).parent() {
            let parent = parent.to_str().unwrap_or_default().to_string();
            self.dir(&parent)?;
        }
        fs::write(self.root.join(rel), contents)?;
        self.entries += 1;
        self.bytes += contents.len() as u64;
        Ok(())
    }
}

/// What was generated: the real Fastfiles (relative paths) and how many entries in all.
pub struct Monorepo {
    pub entries: usize,
    pub bytes: u64,
    pub fastfiles: Vec<String>,
    pub lanes: usize,
}

const JS_FILES: &[&str] = &[
    "index.js",
    "index.d.ts",
    "utils.js",
    "core.js",
    "parse.js",
    "types.d.ts",
    "constants.js",
    "shared.js",
    "compat.js",
    "browser.js",
    "node.js",
    "polyfill.js",
    "stream.js",
    "errors.js",
];
const POD_NAMES: &[&str] = &[
    "Alamofire",
    "SDWebImage",
    "Firebase",
    "FirebaseCore",
    "FirebaseAnalytics",
    "GoogleUtilities",
    "React-Core",
    "React-RCTText",
    "Yoga",
    "RNScreens",
    "RNReanimated",
    "Sentry",
    "nanopb",
    "PromisesObjC",
    "boost",
    "glog",
    "DoubleConversion",
    "RCT-Folly",
    "fmt",
    "hermes-engine",
    "SocketRocket",
    "Lottie",
    "RNSVG",
    "GoogleDataTransport",
    "AppAuth",
    "OneSignal",
];
const LOCALES: &[&str] = &[
    "en-US", "de-DE", "fr-FR", "ja", "es-ES", "it", "pt-BR", "zh-Hans",
];
const METADATA: &[&str] = &[
    "description.txt",
    "keywords.txt",
    "marketing_url.txt",
    "name.txt",
    "privacy_url.txt",
    "promotional_text.txt",
    "release_notes.txt",
    "subtitle.txt",
    "support_url.txt",
];

fn junk(rng: &mut Rng, lo: usize, hi: usize) -> Vec<u8> {
    let n = rng.range(lo, hi);
    let line = b"module.exports = function () { return 42; };\n";
    line.iter().cycle().take(n).copied().collect()
}

fn package(t: &mut Tree, rng: &mut Rng, base: &str, depth: usize, limit: usize) -> io::Result<()> {
    let name = if rng.chance(0.2) {
        {
            let k = rng.range(1, 3);
            format!("@{}/{}", rng.word(2), rng.word(k))
        }
    } else {
        let k = rng.range(1, 3);
        let mut n = rng.word(k);
        if rng.chance(0.3) {
            n.push('-');
            n.push_str(&rng.word(2));
        }
        n
    };
    let p = format!("{base}/{name}");
    let json = format!(
        "{{\"name\":\"{name}\",\"version\":\"{}.{}.{}\",\"main\":\"index.js\"}}\n",
        rng.below(10),
        rng.below(30),
        rng.below(20)
    );
    t.file(&format!("{p}/package.json"), json.as_bytes())?;
    for f in ["README.md", "LICENSE", "index.js"] {
        if rng.chance(0.85) {
            let j = junk(rng, 40, 600);
            t.file(&format!("{p}/{f}"), &j)?;
        }
    }
    for sub in ["lib", "dist", "src", "esm", "cjs"] {
        if rng.chance(0.45) {
            for _ in 0..rng.range(1, 12) {
                let f = format!("{p}/{sub}/{}-{}", rng.word(1), rng.pick(JS_FILES));
                let j = junk(rng, 40, 900);
                t.file(&f, &j)?;
                if t.entries >= limit {
                    return Ok(());
                }
            }
            if rng.chance(0.3) {
                let d = format!("{p}/{sub}/{}", rng.word(2));
                for _ in 0..rng.range(1, 8) {
                    let j = junk(rng, 40, 400);
                    t.file(&format!("{d}/{}", rng.pick(JS_FILES)), &j)?;
                }
            }
        }
    }
    if depth < 4 && rng.chance(0.22 / (depth as f64 + 1.0)) {
        for _ in 0..rng.range(1, 5) {
            if t.entries >= limit {
                break;
            }
            package(t, rng, &format!("{p}/node_modules"), depth + 1, limit)?;
        }
    }
    Ok(())
}

fn node_modules(t: &mut Tree, rng: &mut Rng, base: &str, budget: usize) -> io::Result<()> {
    let limit = t.entries + budget;
    t.dir(base)?;
    while t.entries < limit {
        package(t, rng, base, 0, limit)?;
        if rng.chance(0.02) {
            let f = format!("{base}/.bin/{}", rng.word(2));
            t.file(&f, b"#!/usr/bin/env node\nrequire('../lib/cli.js')\n")?;
        }
        if rng.chance(0.01) {
            let f = format!("{base}/.cache/babel-loader/{}.json", rng.hex(32));
            t.file(&f, b"{}")?;
        }
    }
    Ok(())
}

fn pods(t: &mut Tree, rng: &mut Rng, base: &str, budget: usize) -> io::Result<()> {
    let limit = t.entries + budget;
    t.file(&format!("{base}/Manifest.lock"), b"PODFILE CHECKSUM: 0\n")?;
    t.file(
        &format!("{base}/Pods.xcodeproj/project.pbxproj"),
        b"// !$*UTF8*$!\n{}\n",
    )?;
    let mut i = 0usize;
    while t.entries < limit {
        let pod = format!(
            "{}{}",
            rng.pick(POD_NAMES),
            if i >= POD_NAMES.len() {
                format!("{i}")
            } else {
                String::new()
            }
        );
        i += 1;
        let src = rng.pick(&["Sources", "Classes", "Source", "ios"]);
        for _ in 0..rng.range(10, 80) {
            let stem = format!("{}{}", rng.word(2), rng.word(1));
            let ext = rng.pick(&["h", "m", "swift", "mm", "cpp", "c"]);
            let sub = rng.pick(&["", "/Core", "/Internal", "/Private", "/Utils"]);
            let j = junk(rng, 100, 2000);
            t.file(&format!("{base}/{pod}/{src}{sub}/{stem}.{ext}"), &j)?;
            if ext == "h" {
                t.file(
                    &format!("{base}/Headers/Public/{pod}/{stem}.h"),
                    b"#import <Foundation/Foundation.h>\n",
                )?;
            }
        }
        t.file(
            &format!("{base}/Target Support Files/{pod}/{pod}.xcconfig"),
            b"GCC_PREPROCESSOR_DEFINITIONS = $(inherited)\n",
        )?;
        t.file(
            &format!("{base}/Target Support Files/{pod}/{pod}-umbrella.h"),
            b"#import <UIKit/UIKit.h>\n",
        )?;
    }
    Ok(())
}

fn xcode_build(
    t: &mut Tree,
    rng: &mut Rng,
    base: &str,
    scheme: &str,
    budget: usize,
) -> io::Result<()> {
    let limit = t.entries + budget;
    let objs = format!("{base}/Build/Intermediates.noindex/{scheme}.build/Release-iphoneos/{scheme}.build/Objects-normal/arm64");
    let index = format!("{base}/Index.noindex/DataStore/v5/records");
    while t.entries < limit {
        let stem = format!("{}{}", rng.word(2), rng.word(2));
        let o = junk(rng, 200, 3000);
        t.file(&format!("{objs}/{stem}.o"), &o)?;
        t.file(&format!("{objs}/{stem}.d"), b"dependencies: \n")?;
        if rng.chance(0.5) {
            let h = rng.hex(2).to_uppercase();
            t.file(
                &format!("{index}/{h}/{stem}.swift-{}", rng.hex(12)),
                b"\0\0",
            )?;
        }
        if rng.chance(0.05) {
            t.file(
                &format!("{base}/Build/Products/Release-iphoneos/{scheme}.app/{stem}.nib"),
                b"nib",
            )?;
        }
    }
    Ok(())
}

fn gradle(t: &mut Tree, rng: &mut Rng, base: &str, budget: usize) -> io::Result<()> {
    let limit = t.entries + budget;
    t.file(
        &format!("{base}/build.gradle"),
        b"buildscript { repositories { google() } }\n",
    )?;
    t.file(&format!("{base}/settings.gradle"), b"include ':app'\n")?;
    t.file(
        &format!("{base}/gradle.properties"),
        b"org.gradle.jvmargs=-Xmx4g\n",
    )?;
    t.file(
        &format!("{base}/app/build.gradle"),
        b"apply plugin: 'com.android.application'\n",
    )?;
    let pkg = format!(
        "{base}/app/src/main/java/com/{}/{}",
        rng.word(2),
        rng.word(2)
    );
    for _ in 0..rng.range(5, 25) {
        let f = format!(
            "{pkg}/{}{}.kt",
            rng.word(2),
            rng.pick(&["Activity", "Module", "Package", "Service"])
        );
        t.file(&f, b"package com.example\n\nclass Main\n")?;
    }
    for dpi in ["mdpi", "hdpi", "xhdpi", "xxhdpi", "xxxhdpi"] {
        for icon in ["ic_launcher.png", "ic_launcher_round.png", "splash.png"] {
            t.file(
                &format!("{base}/app/src/main/res/mipmap-{dpi}/{icon}"),
                b"\x89PNG\r\n\x1a\n",
            )?;
        }
    }
    let gdir = format!("{base}/.gradle/8.{}", rng.below(10));
    let bdir = format!("{base}/app/build/intermediates");
    while t.entries < limit {
        if rng.chance(0.3) {
            t.file(&format!("{gdir}/fileHashes/{}.bin", rng.hex(16)), b"\0")?;
        } else {
            let kind = rng.pick(&[
                "javac",
                "dex",
                "merged_res",
                "compiled_local_resources",
                "incremental",
                "symbol_list",
            ]);
            let o = junk(rng, 50, 1500);
            t.file(
                &format!(
                    "{bdir}/{kind}/release/{}/{}.{}",
                    rng.word(1),
                    rng.word(3),
                    rng.pick(&["class", "dex", "flat", "txt"])
                ),
                &o,
            )?;
        }
    }
    Ok(())
}

fn git_store(t: &mut Tree, rng: &mut Rng, budget: usize) -> io::Result<()> {
    let limit = t.entries + budget;
    t.file(".git/HEAD", b"ref: refs/heads/main\n")?;
    t.file(".git/config", b"[core]\n\trepositoryformatversion = 0\n")?;
    t.file(
        ".git/refs/heads/main",
        format!("{}\n", rng.hex(40)).as_bytes(),
    )?;
    for hook in [
        "pre-commit.sample",
        "pre-push.sample",
        "commit-msg.sample",
        "update.sample",
    ] {
        t.file(&format!(".git/hooks/{hook}"), b"#!/bin/sh\nexit 0\n")?;
    }
    // A stale copy of a Fastfile in a worktree-like place inside .git: must never be read.
    t.file(
        ".git/rr-cache/fastlane/Fastfile",
        b"lane :x do\n  pilot(username: \"decoy@example.com\")\nend\n",
    )?;
    while t.entries < limit {
        let o = junk(rng, 30, 400);
        t.file(&format!(".git/objects/{}/{}", rng.hex(2), rng.hex(38)), &o)?;
    }
    Ok(())
}

fn sources(t: &mut Tree, rng: &mut Rng, base: &str, budget: usize) -> io::Result<()> {
    let limit = t.entries + budget;
    while t.entries < limit {
        let area = rng.pick(&[
            "components",
            "screens",
            "hooks",
            "store",
            "api",
            "utils",
            "navigation",
            "__tests__",
        ]);
        let ext = rng.pick(&["tsx", "ts", "tsx", "js", "test.tsx"]);
        let j = junk(rng, 200, 3000);
        t.file(
            &format!("{base}/{area}/{}{}.{ext}", rng.word(2), rng.word(1)),
            &j,
        )?;
        if rng.chance(0.05) {
            t.file(
                &format!("{base}/assets/images/{}@2x.png", rng.word(2)),
                b"\x89PNG\r\n\x1a\n",
            )?;
        }
    }
    Ok(())
}

/// A fastlane folder as a real app keeps it: Fastfile, Appfile, often Matchfile, `.env`
/// files, Pluginfile, README, report.xml and the deliver metadata tree.
fn fastlane_folder(
    t: &mut Tree,
    rng: &mut Rng,
    dir: &str,
    ios: bool,
) -> io::Result<(String, usize)> {
    let size = rng.range(2_000, 9_000);
    let (ff, meta) = fastlane::fastfile(rng, size);
    let path = format!("{dir}/Fastfile");
    t.file(&path, ff.as_bytes())?;
    t.file(
        &format!("{dir}/Appfile"),
        fastlane::appfile(rng, meta.auth).as_bytes(),
    )?;
    t.file(
        &format!("{dir}/Pluginfile"),
        b"gem 'fastlane-plugin-firebase_app_distribution'\n",
    )?;
    t.file(
        &format!("{dir}/README.md"),
        b"fastlane documentation\n----\n",
    )?;
    t.file(
        &format!("{dir}/report.xml"),
        b"<?xml version=\"1.0\"?>\n<testsuites/>\n",
    )?;
    if ios && rng.chance(0.6) {
        t.file(
            &format!("{dir}/Matchfile"),
            fastlane::matchfile(rng).as_bytes(),
        )?;
    }
    if rng.chance(0.5) {
        t.file(
            &format!("{dir}/.env.default"),
            fastlane::dotenv(rng, meta.auth).as_bytes(),
        )?;
    }
    if ios {
        for loc in LOCALES.iter().take(rng.range(1, LOCALES.len())) {
            for m in METADATA {
                t.file(
                    &format!("{dir}/metadata/{loc}/{m}"),
                    b"Text for the store listing.\n",
                )?;
            }
        }
        t.file(
            &format!("{dir}/metadata/copyright.txt"),
            b"2024 Example Inc.\n",
        )?;
        for i in 0..rng.range(0, 6) {
            t.file(
                &format!("{dir}/screenshots/en-US/iPhone 15 Pro-{i:02}.png"),
                b"\x89PNG\r\n\x1a\n",
            )?;
        }
    } else {
        for loc in LOCALES.iter().take(rng.range(1, 4)) {
            t.file(
                &format!("{dir}/metadata/android/{loc}/full_description.txt"),
                b"Store text.\n",
            )?;
            t.file(
                &format!("{dir}/metadata/android/{loc}/changelogs/default.txt"),
                b"Fixes.\n",
            )?;
        }
    }
    Ok((path, meta.lanes))
}

/// Generates a monorepo of about `target` files and folders under `t`'s root.
pub fn generate(t: &mut Tree, rng: &Rng, target: usize) -> io::Result<Monorepo> {
    let mut fastfiles = Vec::new();
    let mut lanes = 0usize;
    let apps: Vec<String> = {
        let mut r = rng.fork(1);
        (0..6).map(|i| format!("{}{i}", r.word(2))).collect()
    };
    let packages: Vec<String> = {
        let mut r = rng.fork(2);
        (0..8)
            .map(|_| {
                format!(
                    "{}-{}",
                    r.word(2),
                    r.pick(&["sdk", "ui", "core", "native", "bridge"])
                )
            })
            .collect()
    };

    // Root files.
    t.file(
        ".gitignore",
        b"# OSX\n.DS_Store\n\n# Xcode\nbuild/\nDerivedData/\n*.xcuserstate\n**/Pods/\n\n# Android\n.gradle/\nlocal.properties\n\n# node\nnode_modules/\nnpm-debug.log\n\n# fastlane\n**/fastlane/report.xml\n**/fastlane/screenshots\n",
    )?;
    t.file(
        "package.json",
        b"{\"name\":\"mobile\",\"private\":true,\"workspaces\":[\"apps/*\",\"packages/*\"]}\n",
    )?;
    t.file("yarn.lock", b"# yarn lockfile v1\n")?;
    t.file(
        "Gemfile",
        b"source \"https://rubygems.org\"\ngem \"fastlane\"\n",
    )?;
    t.file("Gemfile.lock", fastlane::gemfile_lock("2.219.0").as_bytes())?;
    t.file("tsconfig.json", b"{}\n")?;
    t.file("babel.config.js", b"module.exports = {};\n")?;

    // CI workflows whose steps start lanes in the fastlane folders (read before the folders, and
    // followed to them).
    t.file(
        ".github/workflows/ios.yml",
        b"name: ios\non:\n  push:\n    branches: [main]\nenv:\n  APP_STORE_CONNECT_API_KEY_KEY_ID: ${{ secrets.ASC_KEY_ID }}\n  APP_STORE_CONNECT_API_KEY_ISSUER_ID: ${{ secrets.ASC_ISSUER_ID }}\njobs:\n  beta:\n    runs-on: macos-14\n    defaults:\n      run:\n        working-directory: ios\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ruby/setup-ruby@v1\n        with:\n          bundler-cache: true\n      - run: echo \"$ASC_KEY\" > \"$RUNNER_TEMP/asc_key.json\"\n        env:\n          ASC_KEY: ${{ secrets.ASC_KEY_JSON }}\n      - run: echo \"APP_STORE_CONNECT_API_KEY_PATH=$RUNNER_TEMP/asc_key.json\" >> \"$GITHUB_ENV\"\n      - run: bundle exec fastlane ios beta\n      - run: bundle exec fastlane ios release\n        if: startsWith(github.ref, 'refs/tags/')\n",
    )?;
    t.file(
        ".github/workflows/android.yml",
        b"name: android\non: [push]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      SUPPLY_JSON_KEY_DATA: ${{ secrets.PLAY_JSON }}\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          cd android\n          bundle exec fastlane android deploy track:internal\n",
    )?;
    t.file(
        ".github/workflows/apps.yml",
        b"name: apps\non: [workflow_dispatch]\njobs:\n  apps:\n    runs-on: macos-14\n    strategy:\n      matrix:\n        app: [one, two, three]\n    steps:\n      - uses: actions/checkout@v4\n      - uses: maierj/fastlane-action@v3.1.0\n        with:\n          lane: ios beta\n          subdirectory: apps/${{ matrix.app }}/ios\n        env:\n          FASTLANE_USER: ${{ secrets.APPLE_ID }}\n",
    )?;

    // The 20 real fastlane folders.
    let mut dirs: Vec<(String, bool)> = vec![
        ("fastlane".into(), true),
        ("ios/fastlane".into(), true),
        ("android/fastlane".into(), false),
    ];
    for a in &apps {
        dirs.push((format!("apps/{a}/ios/fastlane"), true));
        dirs.push((format!("apps/{a}/android/fastlane"), false));
    }
    for p in packages.iter().take(3) {
        dirs.push((format!("packages/{p}/fastlane"), true));
    }
    dirs.push(("tools/release/fastlane".into(), true));
    dirs.push((
        format!("flutter/{}/ios/fastlane", rng.fork(3).word(2)),
        true,
    ));
    debug_assert_eq!(dirs.len(), 20);
    let mut r = rng.fork(4);
    for (d, ios) in &dirs {
        let (p, l) = fastlane_folder(t, &mut r, d, *ios)?;
        fastfiles.push(p);
        lanes += l;
    }
    for a in &apps {
        t.file(
            &format!("apps/{a}/ios/Gemfile.lock"),
            fastlane::gemfile_lock("2.210.1").as_bytes(),
        )?;
    }

    // Bulk, by share of what is left.
    let left = target.saturating_sub(t.entries);
    let share = |f: f64| (left as f64 * f) as usize;
    let mut r = rng.fork(5);
    git_store(t, &mut r, share(0.08))?;
    node_modules(t, &mut r, "node_modules", share(0.41))?;
    // A package that ships its own fastlane folder: a decoy.
    t.file(
        "node_modules/react-native-release-kit/fastlane/Fastfile",
        b"lane :release do\n  deliver(username: \"decoy@example.com\")\nend\n",
    )?;
    for a in &apps {
        node_modules(t, &mut r, &format!("apps/{a}/node_modules"), share(0.015))?;
    }
    for p in &packages {
        node_modules(
            t,
            &mut r,
            &format!("packages/{p}/node_modules"),
            share(0.005),
        )?;
    }
    pods(t, &mut r, "ios/Pods", share(0.09))?;
    t.file(
        "ios/Pods/FirebaseCrashlytics/fastlane/Fastfile",
        b"lane :x do\n  pilot(username: \"decoy@example.com\")\nend\n",
    )?;
    for a in apps.iter().take(3) {
        pods(t, &mut r, &format!("apps/{a}/ios/Pods"), share(0.01))?;
    }
    xcode_build(t, &mut r, "ios/build", "App", share(0.04))?;
    t.file(
        "ios/build/Build/Products/Release-iphoneos/fastlane/Fastfile",
        b"lane :x do\n  match(username: \"decoy@example.com\")\nend\n",
    )?;
    xcode_build(
        t,
        &mut r,
        "ios/DerivedData/App-bzxqlmafhxzaqgbbtwhbuwnqfqfu",
        "App",
        share(0.05),
    )?;
    gradle(t, &mut r, "android", share(0.07))?;
    for a in apps.iter().take(3) {
        gradle(t, &mut r, &format!("apps/{a}/android"), share(0.01))?;
    }
    sources(t, &mut r, "src", share(0.04))?;
    for a in &apps {
        sources(t, &mut r, &format!("apps/{a}/src"), share(0.004))?;
    }
    for p in &packages {
        sources(t, &mut r, &format!("packages/{p}/src"), share(0.002))?;
    }
    // Top up to the target with more node_modules, the part that grows in real life.
    if t.entries < target {
        let rest = target - t.entries;
        node_modules(t, &mut r, "node_modules", rest)?;
    }
    fastfiles.sort();
    Ok(Monorepo {
        entries: t.entries,
        bytes: t.bytes,
        fastfiles,
        lanes,
    })
}
