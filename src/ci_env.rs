//! What the CI configuration files of a run set for the fastlane runs of their repository.
//!
//! A CI file (`.github/workflows/*.yml`, `.gitlab-ci.yml`, `.circleci/config.yml`, `bitrise.yml`,
//! `azure-pipelines.yml`, a `Jenkinsfile`) sets the environment of the fastlane runs its steps
//! start, in any fastlane folder of the repository it configures: the folder that holds `.github`
//! or `.circleci`, or the CI file itself. A variable it sets to something (a value, or a secret
//! it reads in) counts as set there; one set to nothing does not.
//!
//! `check` loads each fastlane folder on its own ([`crate::pipeline`]), apart from the CI files,
//! which sit outside every fastlane folder. So the CI files are read once before the folders, and
//! each folder's load is given what they set ([`crate::load::Workspace::ci`]): a rule asking
//! whether CI sets a variable gets the answer a single load of every file gives.

use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashSet};

use crate::load::canonical_dir;
use crate::model::{Contents, FileModel};
use crate::source::{CiKind, FileKind};

/// The variables each CI file of a run sets, with the repository it configures, and the lanes
/// its steps start.
#[derive(Clone, Debug, Default)]
pub struct CiEnv {
    files: Vec<CiSets>,
    /// By canonical fastlane folder.
    runs: HashMap<PathBuf, Vec<CiRun>>,
}

/// A lane a CI step starts in a fastlane folder that was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CiRun {
    /// `ios` in `fastlane ios beta`.
    pub platform: Option<String>,
    pub lane: String,
    /// The key variables set to something where it runs.
    pub env: Vec<String>,
}

#[derive(Clone, Debug)]
struct CiSets {
    /// The canonical repository folder the file configures CI for.
    root: PathBuf,
    /// Variables it sets to something.
    names: HashSet<String>,
    /// The actions its steps start as fastlane tools (`fastlane deliver`) with no key given on
    /// the command line, and not read-only.
    keyless_tools: HashSet<&'static str>,
}

impl CiEnv {
    /// What the CI files among `files` set.
    pub fn of(files: &[FileModel]) -> Self {
        let mut runs: HashMap<PathBuf, Vec<CiRun>> = HashMap::default();
        let lane_runs = files.iter().filter_map(|file| match &file.contents {
            Contents::Ci(ci) => Some(&ci.lane_runs),
            _ => None,
        });
        for run in lane_runs.flatten() {
            let Some(folder) = &run.folder else { continue };
            let mut env: Vec<String> = run.env.iter().map(|(name, _)| name.clone()).collect();
            env.sort_unstable();
            runs.entry(folder.clone()).or_default().push(CiRun {
                platform: run.platform.clone(),
                lane: run.lane.clone(),
                env,
            });
        }
        // The same lane started with the same variables from many steps is one run.
        for list in runs.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        let files = files
            .iter()
            .filter_map(|file| {
                let (FileKind::Ci(kind), Contents::Ci(ci)) = (file.source.kind, &file.contents)
                else {
                    return None;
                };
                Some(CiSets {
                    root: canonical_dir(&repository_root(&file.source.path, kind)),
                    names: ci
                        .env
                        .iter()
                        .filter(|a| !a.value.is_empty())
                        .map(|a| a.name.clone())
                        .collect(),
                    keyless_tools: ci
                        .fastlane
                        .iter()
                        .filter(|r| !r.key && !r.readonly)
                        .map(|r| r.action)
                        .collect(),
                })
            })
            .collect();
        CiEnv { files, runs }
    }

    /// Whether CI steps start any lane fastlint follows.
    pub fn has_runs(&self) -> bool {
        !self.runs.is_empty()
    }

    /// The lane runs CI steps start in the fastlane folder `folder` (canonical).
    pub fn runs_in(&self, folder: &Path) -> &[CiRun] {
        self.runs.get(folder).map_or(&[], Vec::as_slice)
    }

    /// Whether a CI file of the repository that holds the fastlane folder `dir` sets one of
    /// `names`; with no folder (code no project runs), whether any CI file does.
    pub fn sets(&self, dir: Option<&Path>, names: &[&str]) -> bool {
        if self.files.is_empty() {
            return false;
        }
        let dir = dir.map(canonical_dir);
        self.files.iter().any(|f| {
            dir.as_ref().is_none_or(|d| d.starts_with(&f.root))
                && names.iter().any(|n| f.names.contains(*n))
        })
    }

    /// Whether a step of a CI file of the repository that holds the fastlane folder `dir` starts
    /// one of `actions` as a fastlane tool with no key on its command line.
    pub fn starts_keyless(&self, dir: &Path, actions: &[&str]) -> bool {
        let dir = canonical_dir(dir);
        self.files.iter().any(|f| {
            dir.starts_with(&f.root) && actions.iter().any(|a| f.keyless_tools.contains(a))
        })
    }
}

/// Looks for the fastlane folder each lane run of a CI file runs in, as fastlane does from the
/// run's folder: its `fastlane` (or `.fastlane`) folder, or the folder itself when it is one.
pub fn find_folders(file: &mut FileModel) {
    let (FileKind::Ci(kind), Contents::Ci(ci)) = (file.source.kind, &mut file.contents) else {
        return;
    };
    let root = repository_root(&file.source.path, kind);
    // Runs are many in a large workflow, and their folders few.
    let mut found: foldhash::HashMap<String, Option<PathBuf>> = Default::default();
    for run in &mut ci.lane_runs {
        let Some(dir) = &run.dir else { continue };
        run.folder = found
            .entry(dir.clone())
            .or_insert_with(|| fastlane_folder(&root.join(dir)))
            .clone();
    }
}

/// The fastlane folder fastlane uses when started in `cwd` (canonical).
fn fastlane_folder(cwd: &Path) -> Option<PathBuf> {
    let own_name = cwd
        .canonicalize()
        .ok()
        .and_then(|c| c.file_name().map(|n| n == "fastlane" || n == ".fastlane"));
    ["fastlane", ".fastlane"]
        .iter()
        .map(|sub| cwd.join(sub))
        .find(|f| f.is_dir())
        .or_else(|| (own_name == Some(true)).then(|| cwd.to_path_buf()))
        .map(|f| canonical_dir(&f))
}

/// The repository folder a CI file configures: `.github/workflows/x.yml` → the folder holding
/// `.github`, `.circleci/config.yml` → the folder holding `.circleci`, the others → their own.
pub fn repository_root(path: &Path, kind: CiKind) -> PathBuf {
    let up = match kind {
        CiKind::GitHub => 3,
        CiKind::CircleCi => 2,
        CiKind::GitLab | CiKind::Bitrise | CiKind::Azure | CiKind::Jenkins => 1,
    };
    let mut dir = path;
    for _ in 0..up {
        dir = dir.parent().unwrap_or(Path::new(""));
    }
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ci_file_configures_the_repository_it_sits_in() {
        let root = |p: &str, k| repository_root(Path::new(p), k);
        assert_eq!(
            root("app/.github/workflows/release.yml", CiKind::GitHub),
            Path::new("app")
        );
        assert_eq!(
            root(".github/workflows/release.yml", CiKind::GitHub),
            Path::new(".")
        );
        assert_eq!(
            root("./.circleci/config.yml", CiKind::CircleCi),
            Path::new(".")
        );
        assert_eq!(
            root("/r/mobile/.gitlab-ci.yml", CiKind::GitLab),
            Path::new("/r/mobile")
        );
        assert_eq!(root("Jenkinsfile", CiKind::Jenkins), Path::new("."));
    }
}
