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

use foldhash::HashSet;

use crate::load::canonical_dir;
use crate::model::{Contents, FileModel};
use crate::source::{CiKind, FileKind};

/// The variables each CI file of a run sets, with the repository it configures.
#[derive(Clone, Debug, Default)]
pub struct CiEnv {
    files: Vec<CiSets>,
}

#[derive(Clone, Debug)]
struct CiSets {
    /// The canonical repository folder the file configures CI for.
    root: PathBuf,
    /// Variables it sets to something.
    names: HashSet<String>,
}

impl CiEnv {
    /// What the CI files among `files` set.
    pub fn of(files: &[FileModel]) -> Self {
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
                })
            })
            .collect();
        CiEnv { files }
    }

    /// Whether a CI file of the repository that holds the fastlane folder `dir` sets one of
    /// `names`; with no folder (code no project runs), whether any CI file does.
    pub fn sets(&self, dir: Option<&Path>, names: &[&str]) -> bool {
        let dir = dir.map(canonical_dir);
        self.files.iter().any(|f| {
            dir.as_ref().is_none_or(|d| d.starts_with(&f.root))
                && names.iter().any(|n| f.names.contains(*n))
        })
    }
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
