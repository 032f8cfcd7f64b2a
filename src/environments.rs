//! Which fastlane `.env` files a run loads, and the variables they leave set.
//!
//! fastlane's dotenv helper reads the first of the fastlane folder and its parent that holds any
//! `*.env*` file. There it loads `.env` and `.env.default` before every lane (`.env` wins over
//! `.env.default`), and `.env.<name>` only for `fastlane <lane> --env <name>`; with `--env a,b`
//! each named file is loaded in turn and overrides what came before.
//!
//! fastlint cannot see which `--env` the runs it judges use. By default ([`Selection::Every`]) it
//! counts every `.env.<name>` file as loaded, since some run may name it, except templates
//! (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.tmpl`): they hold
//! placeholders for people to copy, and no run loads them. `--env a,b` (or `env = ["a", "b"]` in
//! `fastlint.toml`) names the environments the runs use ([`Selection::Named`]); then exactly what
//! `fastlane --env a,b` loads counts, with its overriding order.
//!
//! "Counts" means that the variables a loaded file sets are in scope for the lanes: an API key path,
//! a precheck setting, an issuer id. What is written *in* a `.env` file (an Apple ID, a password) is
//! reported whatever is selected: the file is there for some run to load.

use std::collections::HashMap;
use std::path::Path;

use crate::load::{canonical_dir, Project, Workspace};
use crate::model::{EnvAssignment, FileModel};
use crate::source::FileKind;

/// The environments (`fastlane --env NAME`) the checked runs use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// Not known: every `.env.<name>` file but a template may be loaded by some run.
    #[default]
    Every,
    /// These, in `--env` order.
    Named(Vec<String>),
}

impl Selection {
    /// `--env a,b`: see [`Selection::from_names`].
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::from_names(text.split(','))
    }

    /// The environments named, in order, without blanks or repeats; an error when one is not a
    /// name ([`check_name`]) or none is given.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut out: Vec<String> = Vec::new();
        for name in names.into_iter().map(str::trim) {
            if name.is_empty() {
                continue;
            }
            check_name(name)?;
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        if out.is_empty() {
            return Err("name at least one environment, as in `--env ci`".to_string());
        }
        Ok(Selection::Named(out))
    }
}

/// Whether `name` can be the NAME of a `.env.NAME` file (no path separator, no blank).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.contains(['/', '\\']) || name.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{name}` is not an environment name (the NAME of a `.env.NAME` file)"
        ));
    }
    Ok(())
}

/// The suffixes of `.env` templates: `.env.example` and the like.
const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist", ".tmpl"];

/// Whether a file name is that of a template holding placeholders (`.env.example`,
/// `.env.ci.sample`, `ci.yml.dist`, ...).
pub fn is_template_name(name: &str) -> bool {
    TEMPLATE_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// When fastlane loads a `.env` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// `.env.default`: before every lane, below everything else.
    Default,
    /// `.env`: before every lane, over `.env.default`.
    Always,
    /// `.env.<name>` of a selected environment: its place in `--env` order (later ones win).
    Selected(usize),
    /// `.env.<name>` of an environment that is not selected.
    NotSelected,
    /// A template: no run loads it.
    Template,
}

impl Load {
    /// Whether the run loads the file, so that what it sets is in scope.
    pub fn loaded(self) -> bool {
        matches!(self, Load::Default | Load::Always | Load::Selected(_))
    }
}

/// When fastlane loads the `.env` file called `file_name`.
pub fn load_of(file_name: &str, selection: &Selection) -> Load {
    match file_name {
        ".env.default" => return Load::Default,
        ".env" => return Load::Always,
        _ => {}
    }
    let name = file_name.strip_prefix(".env.").unwrap_or(file_name);
    match selection {
        Selection::Named(names) => names
            .iter()
            .position(|n| n == name)
            .map_or(Load::NotSelected, Load::Selected),
        Selection::Every if is_template_name(file_name) => Load::Template,
        Selection::Every => Load::Selected(0),
    }
}

/// When fastlane loads `file`, a `.env` file.
pub fn load_of_file(file: &FileModel, selection: &Selection) -> Load {
    load_of(file.source.file_name(), selection)
}

/// The `.env` files of the folder fastlane's dotenv reads for `project`: the first of the fastlane
/// folder and its parent that holds `.env*` files.
fn dotenv_folder_files(ws: &Workspace, project: &Project) -> Vec<usize> {
    let dotenv: Vec<usize> = project
        .files
        .iter()
        .copied()
        .filter(|&f| ws.files[f].source.kind == FileKind::DotEnv)
        .collect();
    let folder = canonical_dir(&project.dir);
    let in_folder = |f: &usize| {
        ws.files[*f]
            .source
            .path
            .parent()
            .map(canonical_dir)
            .as_ref()
            == Some(&folder)
    };
    if dotenv.iter().any(in_folder) {
        dotenv.into_iter().filter(in_folder).collect()
    } else {
        dotenv
    }
}

/// The `.env` files of `project` that its runs load (see [`Load::loaded`]).
pub fn loaded_files(ws: &Workspace, project: &Project, selection: &Selection) -> Vec<usize> {
    dotenv_folder_files(ws, project)
        .into_iter()
        .filter(|&f| load_of_file(&ws.files[f], selection).loaded())
        .collect()
}

/// The variables the `.env` files of a project leave set before its lanes run.
#[derive(Debug, Default)]
pub struct Loaded<'a> {
    values: HashMap<&'a str, &'a EnvAssignment>,
}

impl<'a> Loaded<'a> {
    /// Works out what the `.env` files of `project` set, as fastlane loads them.
    pub fn of_project(ws: &'a Workspace, project: &Project, selection: &Selection) -> Self {
        let dotenv: Vec<&'a FileModel> = dotenv_folder_files(ws, project)
            .into_iter()
            .map(|f| &ws.files[f])
            .collect();
        Self::of_files(&dotenv, selection)
    }

    /// Works out what `files`, the `.env` files of one folder, set.
    pub fn of_files(files: &[&'a FileModel], selection: &Selection) -> Self {
        let mut loaded: Vec<(Load, &Path, &'a FileModel)> = files
            .iter()
            .map(|f| (load_of_file(f, selection), f.source.path.as_path(), *f))
            .filter(|(load, _, _)| load.loaded())
            .collect();
        // From the lowest precedence to the highest (file name order among unordered ones).
        let rank = |load: Load| match load {
            Load::Default => (0, 0),
            Load::Always => (1, 0),
            Load::Selected(i) => (2, i),
            Load::NotSelected | Load::Template => unreachable!("only loaded files are ranked"),
        };
        loaded.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(a.1.cmp(b.1)));
        let every = *selection == Selection::Every;
        let mut values: HashMap<&'a str, &'a EnvAssignment> = HashMap::new();
        for (_, _, file) in loaded {
            for a in file.dotenv() {
                match values.get(a.name.as_str()) {
                    // Not knowing which run loads which file, a value some run sets stays set.
                    Some(old) if every && !old.value.is_empty() && a.value.is_empty() => {}
                    _ => {
                        values.insert(a.name.as_str(), a);
                    }
                }
            }
        }
        Loaded { values }
    }

    /// The assignment that gives `name` its value, when a loaded file sets it.
    pub fn get(&self, name: &str) -> Option<&'a EnvAssignment> {
        self.values.get(name).copied()
    }

    /// Whether `name` is left set to something (a blank value unsets it in effect).
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some_and(|a| !a.value.is_empty())
    }

    /// The variables left set, with the assignment each comes from.
    pub fn set(&self) -> impl Iterator<Item = &'a EnvAssignment> + '_ {
        self.values
            .values()
            .copied()
            .filter(|a| !a.value.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn file(name: &str, text: &str) -> FileModel {
        let path = Path::new("app/fastlane").join(name);
        let source = SourceFile::new(
            path.clone(),
            path.display().to_string(),
            FileKind::DotEnv,
            text.to_string(),
        );
        crate::load::model_of(source)
    }

    fn named(names: &[&str]) -> Selection {
        Selection::Named(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn which_files_load() {
        let every = Selection::Every;
        assert_eq!(load_of(".env", &every), Load::Always);
        assert_eq!(load_of(".env.default", &every), Load::Default);
        assert_eq!(load_of(".env.ci", &every), Load::Selected(0));
        assert_eq!(load_of(".env.example", &every), Load::Template);
        assert_eq!(load_of(".env.ci.sample", &every), Load::Template);
        let ci = named(&["staging", "ci"]);
        assert_eq!(load_of(".env.ci", &ci), Load::Selected(1));
        assert_eq!(load_of(".env.staging", &ci), Load::Selected(0));
        assert_eq!(load_of(".env.release", &ci), Load::NotSelected);
        assert_eq!(load_of(".env.example", &ci), Load::NotSelected);
        // Named on the command line, a template is loaded like any other.
        assert_eq!(
            load_of(".env.example", &named(&["example"])),
            Load::Selected(0)
        );
        assert_eq!(load_of(".env", &ci), Load::Always);
    }

    #[test]
    fn parse_names() {
        assert_eq!(Selection::parse("ci"), Ok(named(&["ci"])));
        assert_eq!(Selection::parse(" a, b ,a,"), Ok(named(&["a", "b"])));
        assert!(Selection::parse("").is_err());
        assert!(Selection::parse(" , ").is_err());
        assert!(Selection::parse("../x").unwrap_err().contains("`../x`"));
    }

    #[test]
    fn precedence_follows_fastlane() {
        let default = file(".env.default", "KEY=default\nONLY_DEFAULT=d\n");
        let env = file(".env", "KEY=env\nBLANKED=set\n");
        let ci = file(".env.ci", "KEY=ci\nBLANKED=\n");
        let staging = file(".env.staging", "KEY=staging\n");
        let example = file(".env.example", "EXAMPLE_ONLY=placeholder\n");
        let files = [&default, &env, &ci, &staging, &example];

        let value = |sel: &Selection, name: &str| {
            Loaded::of_files(&files, sel)
                .get(name)
                .map(|a| a.value.clone())
        };
        // `.env` wins over `.env.default`; `--env` files override both, the last named winning.
        let only_env = named(&["none"]);
        assert_eq!(value(&only_env, "KEY").as_deref(), Some("env"));
        assert_eq!(value(&only_env, "ONLY_DEFAULT").as_deref(), Some("d"));
        assert_eq!(value(&named(&["ci"]), "KEY").as_deref(), Some("ci"));
        assert_eq!(
            value(&named(&["ci", "staging"]), "KEY").as_deref(),
            Some("staging")
        );
        assert_eq!(
            value(&named(&["staging", "ci"]), "KEY").as_deref(),
            Some("ci")
        );
        // An overriding blank value unsets; not knowing the environment, some run keeps it.
        assert!(!Loaded::of_files(&files, &named(&["ci"])).is_set("BLANKED"));
        assert!(Loaded::of_files(&files, &Selection::Every).is_set("BLANKED"));
        // Templates are never loaded unless named.
        assert!(!Loaded::of_files(&files, &Selection::Every).is_set("EXAMPLE_ONLY"));
        assert!(Loaded::of_files(&files, &named(&["example"])).is_set("EXAMPLE_ONLY"));
    }
}
