//! Inputs shaped to make work that should be paid once per file be paid once per finding, each
//! beside the same input without what makes it hard, so the two can be compared:
//!
//! - `suppressed/`: one Fastfile of 2,000 lanes, each with 10 `pilot(username: ...)` calls held
//!   by `# fastlint: ignore` comments; `unsuppressed/` is the same file without the comments.
//! - `chain/`: 500 fastlane folders, each importing the next one's Fastfile; `unchained/` is the
//!   same folders without the imports.
//! - `oneline/`: one Fastfile whose lane is a single 580 KB line of 20,000 calls (40,000
//!   findings on one line).
//! - `globs.toml`: a configuration of 200 `exclude` and 200 `per-file-ignores` globs, none of
//!   which matches, for `unsuppressed/` with and without it.
//! - `longrun/`: one lane of 20,000 consecutive `pilot(username: ...)` calls, each line its own,
//!   so that `--diff` has one run of 20,000 changed lines with no unchanged line among them.
//! - `manylanes/`: 20,000 lanes of one `pilot(username: ...)` call each in one Fastfile, so that
//!   `--diff` has 40,000 changes in one file.
//! - `sharedvar/`: one lane of 20,000 `pilot(opts)` calls passing one hash literal, which
//!   `--fix` follows from each call.
//! - `nested/`: one `pilot(username: ...)` call inside 20,000 nested `pilot(...)` calls.
//! - `shellvars/`: one lane of 20,000 shell commands, each assigned to a variable and run with
//!   `sh(cmd)`, as many heredocs run with `sh <<~SH`, and a command that has a word added with
//!   `+=` and is run after each of them; `shellvars_half/` is the first half of
//!   it, so that the two show whether the cost grows with the number of commands, or faster.
//! - `hooks/`: 10,000 platform blocks, each with a `before_all` hook that runs `pilot` and makes
//!   a Spaceship request with no key, and a lane; `hooks_half/` has half as many.
//! - `workflow/`: a GitHub workflow of 10,000 jobs, each with a key variable in its `env:`, a
//!   step appending another to `$GITHUB_ENV` and a step starting a lane of `app/fastlane` from
//!   its folder (a different lane in every tenth job); `workflow_half/` has half as many jobs.
//! - `jenkins/`: a Jenkinsfile of 10,000 stages, each with a key variable in its `environment`,
//!   another bound by `withCredentials` inside `dir('app')`, and an `sh '''...'''` step starting
//!   a lane of `app/fastlane`; `jenkins_half/` has half as many stages.

use super::monorepo::Tree;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

pub const SUPPRESSED_LANES: usize = 2_000;
pub const CHAIN_FOLDERS: usize = 500;
pub const ONELINE_CALLS: usize = 20_000;
pub const GLOBS: usize = 200;
pub const LONGRUN_CALLS: usize = 20_000;
pub const MANY_LANES: usize = 20_000;
pub const SHARED_VAR_CALLS: usize = 20_000;
pub const NESTED_CALLS: usize = 20_000;
pub const SHELL_COMMANDS: usize = 20_000;
pub const PLATFORM_HOOKS: usize = 10_000;
pub const WORKFLOW_JOBS: usize = 10_000;
pub const JENKINS_STAGES: usize = 10_000;

/// The Fastfile the CI files' steps start lanes of: `ios lane0` to `ios lane9`, each running
/// pilot and deliver.
fn ci_lanes() -> String {
    let mut lanes = String::from("platform :ios do\n");
    for l in 0..10 {
        let _ = writeln!(lanes, "  lane :lane{l} do\n    pilot\n    deliver\n  end\n");
    }
    lanes.push_str("end\n");
    lanes
}

pub fn generate(root: &Path) -> io::Result<()> {
    let mut t = Tree::new(root)?;
    for (dir, comment) in [
        (
            "suppressed",
            " # fastlint: ignore FL001 -- the team account",
        ),
        ("unsuppressed", ""),
    ] {
        let mut text = String::new();
        for lane in 0..SUPPRESSED_LANES {
            let _ = writeln!(text, "lane :l{lane} do");
            for _ in 0..10 {
                let _ = writeln!(text, "  pilot(username: \"me@example.com\"){comment}");
            }
            text.push_str("end\n");
        }
        t.file(&format!("{dir}/fastlane/Fastfile"), text.as_bytes())?;
    }
    for (dir, imports) in [("chain", true), ("unchained", false)] {
        for i in 0..CHAIN_FOLDERS {
            let mut text = String::new();
            if imports && i + 1 < CHAIN_FOLDERS {
                let _ = writeln!(text, "import \"../../d{}/fastlane/Fastfile\"\n", i + 1);
            }
            let _ = writeln!(text, "lane :x{i} do\n  pilot\nend");
            t.file(&format!("{dir}/d{i}/fastlane/Fastfile"), text.as_bytes())?;
        }
    }
    let mut globs = String::from("exclude = [");
    for i in 0..GLOBS {
        let _ = write!(globs, "{}\"legacy{i}/**\"", if i > 0 { ", " } else { "" });
    }
    globs.push_str("]\n\n[per-file-ignores]\n");
    for i in 0..GLOBS {
        let _ = writeln!(globs, "\"apps/app{i}/**\" = [\"FL00{}\"]", i % 9 + 1);
    }
    t.file("globs.toml", globs.as_bytes())?;
    let calls: Vec<&str> = vec!["pilot(username: \"me@example.com\")"; ONELINE_CALLS];
    let text = format!("lane :a do; {}; end\n", calls.join("; "));
    t.file("oneline/fastlane/Fastfile", text.as_bytes())?;
    let mut text = String::from("lane :a do\n");
    for i in 0..LONGRUN_CALLS {
        let _ = writeln!(
            text,
            "  pilot(username: \"me@example.com\", app_identifier: \"com.example.app{i}\")"
        );
    }
    text.push_str("end\n");
    t.file("longrun/fastlane/Fastfile", text.as_bytes())?;
    let mut text = String::new();
    for lane in 0..MANY_LANES {
        let _ = writeln!(
            text,
            "lane :l{lane} do\n  pilot(username: \"me@example.com\")\nend"
        );
    }
    t.file("manylanes/fastlane/Fastfile", text.as_bytes())?;
    // The same lanes in a platform block, whole and with the first lane's `end` lost: tree-sitter
    // wraps everything after it in one error, and FL000 looks for which block lost its `end`.
    for (dir, lost) in [("closed", false), ("unclosed", true)] {
        let mut text = String::from("platform :ios do\n");
        for lane in 0..MANY_LANES {
            let _ = writeln!(
                text,
                "  lane :l{lane} do\n    pilot(username: \"me@example.com\")"
            );
            if !(lost && lane == 0) {
                text.push_str("  end\n");
            }
        }
        text.push_str("end\n");
        t.file(&format!("{dir}/fastlane/Fastfile"), text.as_bytes())?;
    }
    let text = format!(
        "lane :a do\n  opts = {{username: \"me@example.com\"}}\n{}end\n",
        "  pilot(opts)\n".repeat(SHARED_VAR_CALLS)
    );
    t.file("sharedvar/fastlane/Fastfile", text.as_bytes())?;
    let text = format!(
        "lane :a do\n  {}username: \"me@example.com\"{}\nend\n",
        "pilot(".repeat(NESTED_CALLS),
        ")".repeat(NESTED_CALLS)
    );
    t.file("nested/fastlane/Fastfile", text.as_bytes())?;
    for (dir, commands) in [
        ("shellvars", SHELL_COMMANDS),
        ("shellvars_half", SHELL_COMMANDS / 2),
    ] {
        let mut text = String::from("lane :a do\n  all = \"fastlane pilot upload\"\n");
        for i in 0..commands {
            let command = format!("fastlane pilot upload -u me{i}@example.com");
            let _ = writeln!(text, "  cmd = \"{command}\"\n  sh(cmd)");
            let _ = writeln!(text, "  sh <<~SH\n    {command}\n  SH");
            let _ = writeln!(text, "  all += \" --group g{i}\"\n  sh(all)");
        }
        text.push_str("end\n");
        t.file(&format!("{dir}/fastlane/Fastfile"), text.as_bytes())?;
    }
    for (dir, platforms) in [
        ("hooks", PLATFORM_HOOKS),
        ("hooks_half", PLATFORM_HOOKS / 2),
    ] {
        let mut text = String::new();
        for i in 0..platforms {
            let _ = writeln!(
                text,
                "platform :p{i} do\n  before_all do\n    pilot\n    Spaceship::ConnectAPI::App.find(\"com.example.p{i}\")\n  end\n\n  lane :release do\n    UI.message(\"p{i}\")\n  end\nend\n"
            );
        }
        t.file(&format!("{dir}/fastlane/Fastfile"), text.as_bytes())?;
    }
    for (dir, jobs) in [
        ("workflow", WORKFLOW_JOBS),
        ("workflow_half", WORKFLOW_JOBS / 2),
    ] {
        let mut text = String::from("name: release\non: push\njobs:\n");
        for i in 0..jobs {
            let _ = writeln!(
                text,
                "  job{i}:\n    runs-on: macos-14\n    env:\n      PILOT_API_KEY_PATH: ${{{{ runner.temp }}}}/k{i}.json\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo \"DELIVER_API_KEY_PATH=$RUNNER_TEMP/k{i}.json\" >> \"$GITHUB_ENV\"\n      - run: |\n          cd app\n          bundle exec fastlane ios lane{}\n",
                i % 10
            );
        }
        t.file(
            &format!("{dir}/.github/workflows/release.yml"),
            text.as_bytes(),
        )?;
        t.file(
            &format!("{dir}/app/fastlane/Fastfile"),
            ci_lanes().as_bytes(),
        )?;
    }
    for (dir, stages) in [
        ("jenkins", JENKINS_STAGES),
        ("jenkins_half", JENKINS_STAGES / 2),
    ] {
        let mut text = String::from(
            "pipeline {\n  agent { label 'mac' }\n  environment {\n    LC_ALL = 'en_US.UTF-8'\n  }\n  stages {\n",
        );
        for i in 0..stages {
            let _ = writeln!(
                text,
                "    stage('s{i}') {{\n      environment {{\n        DELIVER_API_KEY_PATH = credentials('asc-{i}')\n      }}\n      steps {{\n        dir('app') {{\n          withCredentials([file(credentialsId: 'k{i}', variable: 'PILOT_API_KEY_PATH')]) {{\n            sh '''\n              bundle install\n              bundle exec fastlane ios lane{}\n            '''\n          }}\n        }}\n      }}\n    }}",
                i % 10
            );
        }
        text.push_str("  }\n}\n");
        t.file(&format!("{dir}/Jenkinsfile"), text.as_bytes())?;
        t.file(
            &format!("{dir}/app/fastlane/Fastfile"),
            ci_lanes().as_bytes(),
        )?;
    }
    Ok(())
}
