//! The lanes CI steps start (`run: cd ios && bundle exec fastlane beta`), with the folder each runs
//! in and the variables it runs with, so that the analysis can start those lanes as CI does.
//!
//! A step's key variables (the others do not matter to a lane's verdict) are those of the
//! `env:`-like blocks around it (step, job, workflow: every
//! block in a mapping that holds the step), the `export NAME=...` and `NAME=... fastlane` of its
//! script, and, in GitHub Actions, what an earlier step of the same job appended to `$GITHUB_ENV`.
//! Its folder is the repository's root, moved by the `working-directory` keys around it (GitHub
//! `defaults.run.working-directory` too) and by the `cd`s of its script before the command. A move
//! that cannot be read (`cd "$APP_DIR"`, an absolute path) leaves the folder unknown. A
//! Jenkinsfile's steps are read by [`super::jenkins`], which runs their scripts here too.

use saphyr::MarkedYaml;

use super::ci_commands::{scalar_chars, scripts_of};
use super::shell::{self, Char, OPAQUE};
use crate::knowledge;
use crate::model::{CiLaneRun, Span};

/// Keys that set the folder a step (or every step of a job) runs in.
pub const WORKING_DIR_KEYS: &[&str] = &[
    "working-directory",
    "working_directory",
    "workingDirectory",
    "working_dir",
];

/// How CI systems spell the folder the repository is checked out to, at the start of a path.
const ROOT_SPELLINGS: &[&str] = &[
    "${{ github.workspace }}",
    "${{github.workspace}}",
    "$GITHUB_WORKSPACE",
    "${GITHUB_WORKSPACE}",
    "$CI_PROJECT_DIR",
    "${CI_PROJECT_DIR}",
    "$BITRISE_SOURCE_DIR",
    "${BITRISE_SOURCE_DIR}",
    "$(Build.SourcesDirectory)",
    "$(System.DefaultWorkingDirectory)",
    "~/project",
];

/// Where a step's commands run and what is set around them.
#[derive(Clone, Debug)]
pub struct Around {
    /// Relative to the repository's root (empty for the root); `None` when it cannot be told.
    pub dir: Option<String>,
    /// Key variables set to something, each once, with where it was set last.
    pub env: Vec<(String, Span)>,
}

impl Around {
    /// The top of a CI file: the repository's root, nothing set.
    pub fn root() -> Self {
        Around {
            dir: Some(String::new()),
            env: Vec::new(),
        }
    }

    /// Sets `name` at `at`, if it is a key variable ([`knowledge::is_key_var`]): only those
    /// matter to the lanes, and keeping each once bounds what every step copies.
    pub fn set(&mut self, name: String, at: Span) {
        set_key(&mut self.env, name, at);
    }
}

/// Sets `name` at `at` in `env` if it is a key variable, replacing an earlier setting.
fn set_key(env: &mut Vec<(String, Span)>, name: String, at: Span) {
    if !knowledge::is_key_var(&name) {
        return;
    }
    match env.iter_mut().find(|(n, _)| *n == name) {
        Some(old) => old.1 = at,
        None => env.push((name, at)),
    }
}

/// `dir` moved to `to` (relative to it, or from the repository's root when `to` starts with one
/// of its spellings); `None` when either cannot be told.
pub fn join(dir: Option<&str>, to: &str) -> Option<String> {
    let to = to.trim();
    let (base, rest) = match ROOT_SPELLINGS
        .iter()
        .find(|r| to == **r || to.strip_prefix(**r).is_some_and(|t| t.starts_with('/')))
    {
        Some(r) => (Some(""), to[r.len()..].trim_start_matches('/')),
        None if to.starts_with('/') => return None,
        None => (dir, to),
    };
    let base = base?;
    if rest.starts_with('~') || rest.contains(['$', '`', '*', '?', OPAQUE]) {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The lanes a step's command (a script, or a list of command lines run in one shell) starts,
/// pushed to `out`; returns the variables it appends to `$GITHUB_ENV` for the job's later steps.
pub fn lane_runs_in(
    node: &MarkedYaml,
    text: &str,
    span: &dyn Fn(&MarkedYaml) -> Span,
    around: &Around,
    out: &mut Vec<CiLaneRun>,
) -> Vec<(String, Span)> {
    let mut script = Script {
        dir: around.dir.clone(),
        env: around.env.clone(),
        written: Vec::new(),
    };
    let mut scripts = Vec::new();
    scripts_of(node, span, &mut scripts);
    for s in scripts {
        let (chars, end) = scalar_chars(text, s);
        for words in shell::commands(&chars, end) {
            script.command(&words, out);
        }
    }
    script.written
}

/// The lanes one script (its characters, each with its byte offset, up to `end`) starts when it
/// runs in its own shell with `around`, pushed to `out`.
pub fn lane_runs_of_script(chars: &[Char], end: usize, around: &Around, out: &mut Vec<CiLaneRun>) {
    let mut script = Script {
        dir: around.dir.clone(),
        env: around.env.clone(),
        written: Vec::new(),
    };
    for words in shell::commands(chars, end) {
        script.command(&words, out);
    }
}

/// A shell running a step's commands in order.
struct Script {
    dir: Option<String>,
    env: Vec<(String, Span)>,
    written: Vec<(String, Span)>,
}

impl Script {
    fn command(&mut self, words: &[shell::Word], out: &mut Vec<CiLaneRun>) {
        if let Some(to) = shell::cd_target(words) {
            self.dir = to.and_then(|to| join(self.dir.as_deref(), to));
            return;
        }
        for (name, at) in shell::exported(words) {
            set_key(&mut self.env, name, at);
        }
        for (name, at) in shell::written_to_github_env(words) {
            set_key(&mut self.written, name, at);
        }
        if let Some(start) = shell::lane_start(words) {
            let mut env = self.env.clone();
            for (name, at) in start.env {
                set_key(&mut env, name, at);
            }
            out.push(CiLaneRun {
                platform: start.platform,
                lane: start.lane,
                span: start.span,
                dir: self.dir.clone(),
                env,
                folder: None,
            });
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::source::CiKind;

    /// Each lane run: `platform lane @ dir`, and the variables set there.
    pub(in crate::extract) fn runs(kind: CiKind, src: &str) -> Vec<(String, Vec<String>)> {
        crate::extract::ci::extract(kind, src)
            .lane_runs
            .iter()
            .map(|r| {
                let at = r
                    .dir
                    .as_deref()
                    .map_or("?".to_string(), |d| format!("/{d}"));
                let platform = r
                    .platform
                    .as_deref()
                    .map_or(String::new(), |p| format!("{p} "));
                assert!(
                    src[r.span.start..r.span.end].contains(&*r.lane),
                    "{:?}",
                    &src[r.span.start..r.span.end]
                );
                let mut env: Vec<String> = r.env.iter().map(|(n, _)| n.clone()).collect();
                env.sort();
                (format!("{platform}{} @ {at}", r.lane), env)
            })
            .collect()
    }

    pub(in crate::extract) fn run(name: &str, env: &[&str]) -> (String, Vec<String>) {
        (
            name.to_string(),
            env.iter().map(|e| e.to_string()).collect(),
        )
    }

    #[test]
    fn github_steps_run_with_the_env_and_folders_around_them() {
        let src = "\
env:
  APP_STORE_CONNECT_API_KEY_PATH: ${{ runner.temp }}/key.json
  EMPTY: ''
jobs:
  ios:
    defaults:
      run:
        working-directory: ios
    steps:
      - run: bundle exec fastlane ios beta
      - run: echo \"PILOT_API_KEY_PATH=$RUNNER_TEMP/k.json\" >> \"$GITHUB_ENV\"
      - run: |
          cd App
          export DELIVER_API_KEY_PATH=k.json
          bundle exec fastlane release
        working-directory: ${{ github.workspace }}/apps
        env:
          PILOT_API_KEY: x
      - run: cd \"$DIR\" && fastlane beta
  android:
    env:
      SUPPLY_JSON_KEY: k.json
    steps:
      - run: fastlane android deploy && fastlane lanes
";
        assert_eq!(
            runs(CiKind::GitHub, src),
            vec![
                run("ios beta @ /ios", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run(
                    "release @ /apps/App",
                    &[
                        "APP_STORE_CONNECT_API_KEY_PATH",
                        "DELIVER_API_KEY_PATH",
                        "PILOT_API_KEY",
                        "PILOT_API_KEY_PATH",
                    ]
                ),
                run(
                    "beta @ ?",
                    &["APP_STORE_CONNECT_API_KEY_PATH", "PILOT_API_KEY_PATH"]
                ),
                run("android deploy @ /", &["APP_STORE_CONNECT_API_KEY_PATH"]),
            ]
        );
    }

    #[test]
    fn gitlab_circleci_bitrise_and_azure_steps() {
        let gitlab = "\
variables:
  APP_STORE_CONNECT_API_KEY_PATH: key.json
beta:
  variables:
    DELIVER_API_KEY_PATH: x
  script:
    - cd ios
    - bundle exec fastlane beta
";
        assert_eq!(
            runs(CiKind::GitLab, gitlab),
            vec![run(
                "beta @ /ios",
                &["APP_STORE_CONNECT_API_KEY_PATH", "DELIVER_API_KEY_PATH"]
            )]
        );
        let circle = "\
jobs:
  beta:
    working_directory: ~/project/ios
    environment:
      SIGH_API_KEY_PATH: x
    steps:
      - checkout
      - run:
          command: bundle exec fastlane beta
          environment:
            PILOT_API_KEY_PATH: y
";
        assert_eq!(
            runs(CiKind::CircleCi, circle),
            vec![run(
                "beta @ /ios",
                &["PILOT_API_KEY_PATH", "SIGH_API_KEY_PATH"]
            )]
        );
        let bitrise = "\
app:
  envs:
    - APP_STORE_CONNECT_API_KEY_PATH: key.json
      opts:
        is_expand: false
workflows:
  beta:
    envs:
      - DELIVER_API_KEY: x
    steps:
      - script@1:
          inputs:
            - content: bundle exec fastlane ios beta
            - working_dir: $BITRISE_SOURCE_DIR/mobile
";
        assert_eq!(
            runs(CiKind::Bitrise, bitrise),
            vec![run(
                "ios beta @ /mobile",
                &["APP_STORE_CONNECT_API_KEY_PATH", "DELIVER_API_KEY"]
            )]
        );
        let azure = "\
variables:
  - name: APP_STORE_CONNECT_API_KEY_PATH
    value: key.json
steps:
  - script: bundle exec fastlane beta
    workingDirectory: $(Build.SourcesDirectory)/ios
";
        assert_eq!(
            runs(CiKind::Azure, azure),
            vec![run("beta @ /ios", &["APP_STORE_CONNECT_API_KEY_PATH"])]
        );
        // Steps that start a lane without a command.
        let action = "\
jobs:
  beta:
    env:
      APP_STORE_CONNECT_API_KEY_PATH: k.json
    steps:
      - uses: maierj/fastlane-action@v3.1.0
        with:
          lane: ios beta
          subdirectory: mobile
      - uses: maierj/fastlane-action@v3.1.0
        with:
          lane: 'release version:1.0'
      - uses: actions/other@v1
        with:
          lane: nope
";
        assert_eq!(
            runs(CiKind::GitHub, action),
            vec![
                run("ios beta @ /mobile", &["APP_STORE_CONNECT_API_KEY_PATH"]),
                run("release @ /", &["APP_STORE_CONNECT_API_KEY_PATH"]),
            ]
        );
        let bitrise_step = "\
workflows:
  deploy:
    envs:
      - APP_STORE_CONNECT_API_KEY_PATH: k.json
    steps:
      - fastlane@3:
          inputs:
            - lane: android deploy
            - work_dir: $BITRISE_SOURCE_DIR/android
      - fastlane:
          inputs:
            - lane: $LANE
";
        assert_eq!(
            runs(CiKind::Bitrise, bitrise_step),
            vec![run(
                "android deploy @ /android",
                &["APP_STORE_CONNECT_API_KEY_PATH"]
            )]
        );
        // A Jenkinsfile's steps are followed too (see `super::super::jenkins`).
        let jenkins = "pipeline { environment { APP_STORE_CONNECT_API_KEY_PATH = 'k' }\n stages { stage('a') { steps { sh 'fastlane beta' } } } }";
        assert_eq!(
            runs(CiKind::Jenkins, jenkins),
            vec![run("beta @ /", &["APP_STORE_CONNECT_API_KEY_PATH"])]
        );
    }

    #[test]
    fn joins_working_directories() {
        assert_eq!(join(Some(""), "ios"), Some("ios".into()));
        assert_eq!(
            join(Some("apps"), "./mobile/ios/"),
            Some("apps/mobile/ios".into())
        );
        assert_eq!(join(Some("ios/App"), ".."), Some("ios".into()));
        assert_eq!(join(Some("ios"), "../.."), None);
        assert_eq!(
            join(Some("x"), "${{ github.workspace }}/ios"),
            Some("ios".into())
        );
        assert_eq!(join(Some("x"), "$CI_PROJECT_DIR"), Some(String::new()));
        assert_eq!(join(Some("x"), "~/project/android"), Some("android".into()));
        assert_eq!(join(None, "ios"), None);
        assert_eq!(join(None, "$GITHUB_WORKSPACE/ios"), Some("ios".into()));
        for to in [
            "/Users/ci/app",
            "~/app",
            "$APP_DIR",
            "${{ matrix.dir }}",
            "$GITHUB_WORKSPACEX",
        ] {
            assert_eq!(join(Some(""), to), None, "{to}");
        }
    }
}
