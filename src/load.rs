//! Reads discovered files, parses and extracts them in parallel, follows `import`s, and groups the
//! files into projects (one per fastlane folder) with their fastlane version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::ci_env::CiEnv;
use crate::discover::{display_path, FileError, Found};
use crate::environments::is_template_name;
use crate::extract;
use crate::knowledge;
use crate::model::{Contents, FileModel, Span, Value};
use crate::parse::parse_ruby;
use crate::source::{FileKind, SourceFile};
use crate::version::{self, Version};

/// Something fastlint could not analyse, that is not an error of the run (`import_from_git`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub file: usize,
    pub span: Span,
    pub message: String,
}

/// Where a project's fastlane version came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionSource {
    Flag,
    GemfileLock(String),
    Assumed,
}

/// The files of one fastlane folder, analysed together.
#[derive(Clone, Debug)]
pub struct Project {
    /// The fastlane folder.
    pub dir: PathBuf,
    /// Files that live in the folder (or, for `.env`, beside it).
    pub files: Vec<usize>,
    /// Fastfiles whose lanes are visible here: its own and every file they import, transitively.
    pub fastfiles: Vec<usize>,
    pub version: Version,
    pub version_source: VersionSource,
}

/// Everything that was read.
#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Vec<FileModel>,
    pub projects: Vec<Project>,
    pub errors: Vec<FileError>,
    pub notes: Vec<Note>,
    /// Key file paths written as literals, resolved the way fastlane's actions resolve them.
    pub key_paths: Vec<KeyPathRef>,
    /// The canonical fastlane folders of imported Fastfiles that were left to another load
    /// (`load_in_run`'s `loaded_elsewhere`).
    pub imports_elsewhere: Vec<PathBuf>,
    /// What the CI files set for the fastlane runs of their repositories: those of this load,
    /// or, in a load of some fastlane folders of a run, those of the whole run
    /// ([`crate::pipeline`]).
    pub ci: std::sync::Arc<CiEnv>,
}

/// A literal path to an App Store Connect API key file: `api_key_path: "key.json"` (also in a
/// config file, a `.env` file or an `ENV[...] =` write) or `key_filepath: "AuthKey.p8"`.
#[derive(Clone, Debug)]
pub struct KeyPathRef {
    /// The file it is written in, and where.
    pub file: usize,
    pub span: Span,
    pub literal: String,
    /// `api_key_path` (a JSON key file) rather than `key_filepath` (a `.p8` file).
    pub json: bool,
    /// The folder fastlane's actions run in: the parent of the fastlane folder.
    pub project_root: PathBuf,
    /// The fastlane folder (where `sh` runs, and where people often expect paths to start).
    pub fastlane_dir: PathBuf,
    pub resolved: PathBuf,
    pub exists: bool,
    /// The JSON key file that was read from it.
    pub loaded: Option<usize>,
}

/// The largest file fastlint reads by default: 10 MB. Real fastlane files are a few kilobytes;
/// tree-sitter's tree for dense Ruby takes up to ~100 bytes per byte of source, so a 50 MB
/// Fastfile would need gigabytes. A larger file is an error naming it, and the run goes on.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;

static MAX_FILE_SIZE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Sets the largest file read, in bytes, for the rest of the run (`--max-file-size`; 0: no limit).
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// Why a file of `len` bytes is not read, if it is too large.
pub fn too_large(len: u64) -> Option<String> {
    let limit = MAX_FILE_SIZE.load(std::sync::atomic::Ordering::Relaxed);
    (limit > 0 && len > limit).then(|| {
        format!(
            "{} is larger than the {} fastlint reads; a fastlane file this large is generated, not written (`--max-file-size` raises the limit)",
            human_size(len),
            human_size(limit)
        )
    })
}

/// `12.5 MB`, `300 KB`, `12 bytes`.
fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6).replace(".0 MB", " MB"),
        b if b >= 1_000 => format!("{:.1} KB", b as f64 / 1e3).replace(".0 KB", " KB"),
        b => format!("{b} bytes"),
    }
}

/// Reads a file whole, refusing one larger than the limit before reading it (and one that grows
/// past it while being read).
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let (file, meta) = crate::plain_file::open(path).map_err(|e| e.to_string())?;
    let len = meta.len();
    if let Some(problem) = too_large(len) {
        return Err(problem);
    }
    let limit = MAX_FILE_SIZE.load(std::sync::atomic::Ordering::Relaxed);
    let mut bytes = Vec::with_capacity(len as usize);
    let cap = if limit == 0 { u64::MAX } else { limit + 1 };
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if let Some(problem) = too_large(bytes.len() as u64) {
        return Err(problem);
    }
    Ok(bytes)
}

/// Reads one file and builds its model. Binary and non-UTF-8 files are errors.
pub fn load_file(path: &Path, display: &str, kind: FileKind) -> Result<FileModel, FileError> {
    let error = |message: String| FileError {
        display: display.to_string(),
        message,
    };
    if kind == FileKind::SwiftFastfile {
        // Not analysed: only its being there is reported.
        return Ok(FileModel {
            source: SourceFile::new(path.to_path_buf(), display.to_string(), kind, String::new()),
            contents: Contents::NotAnalysed,
            context: false,
            tree: None,
        });
    }
    let bytes = read_limited(path).map_err(error)?;
    if kind == FileKind::PrivateKey
        && (bytes.iter().take(8192).any(|b| *b == 0) || std::str::from_utf8(&bytes).is_err())
    {
        // A binary `.p8` (DER, or encrypted by git-crypt and the like): no readable key in it.
        return Ok(FileModel {
            source: SourceFile::new(path.to_path_buf(), display.to_string(), kind, String::new()),
            contents: Contents::PrivateKey,
            context: false,
            tree: None,
        });
    }
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(error(
            "binary file (it contains NUL bytes), not a fastlane file".to_string(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let prefix = &e.as_bytes()[..at];
        let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
        error(format!(
            "not valid UTF-8: invalid byte at offset {at} (line {line})"
        ))
    })?;
    let source = |text| SourceFile::new(path.to_path_buf(), display.to_string(), kind, text);
    if kind.is_ruby() {
        let tree = crate::parse::parse_or_refuse(&text).map_err(error)?;
        return Ok(model_of_tree(source(text), tree));
    }
    Ok(model_of(source(text)))
}

/// Builds a model from text already in memory (tests, stdin).
pub fn model_of(source: SourceFile) -> FileModel {
    if source.kind.is_ruby() {
        return match parse_ruby(&source.text) {
            Some(tree) => model_of_tree(source, tree),
            None => FileModel {
                source,
                contents: Contents::Ruby(Default::default()),
                context: false,
                tree: None,
            },
        };
    }
    let contents = match source.kind {
        FileKind::Ci(ci) => Contents::Ci(extract::ci::extract(ci, &source.text)),
        FileKind::KeyJson => Contents::KeyJson(extract::keyjson::extract(&source.text)),
        FileKind::PrivateKey => Contents::PrivateKey,
        FileKind::SwiftFastfile => Contents::NotAnalysed,
        _ => Contents::DotEnv(extract::dotenv::extract(&source.text)),
    };
    let mut model = FileModel {
        source,
        contents,
        context: false,
        tree: None,
    };
    // Where a CI file's lane runs run: looked up once, when the file is read.
    crate::ci_env::find_folders(&mut model);
    model
}

/// Builds a model from text already parsed: `tree` is `source`'s Ruby syntax tree, kept in the
/// model (other kinds of file are modelled from their text alone).
pub fn model_of_tree(source: SourceFile, tree: tree_sitter::Tree) -> FileModel {
    if !source.kind.is_ruby() {
        return model_of(source);
    }
    let contents = Contents::Ruby(extract::ruby::extract(&tree, &source.text));
    FileModel {
        source,
        contents,
        context: false,
        tree: Some(tree),
    }
}

/// The fastlane folder a file belongs to.
pub fn project_dir(path: &Path, kind: FileKind) -> PathBuf {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    if kind == FileKind::DotEnv {
        let name = dir.file_name().and_then(|n| n.to_str());
        if !matches!(name, Some("fastlane" | ".fastlane")) {
            for sub in ["fastlane", ".fastlane"] {
                if dir.join(sub).is_dir() {
                    return dir.join(sub);
                }
            }
        }
    }
    dir
}

/// `a/fastlane/../Shared/Fastfile` → `a/Shared/Fastfile`, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir if !out.is_empty() => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The canonical form of a folder, remembered for the rest of the run. A folder that is not a
/// symbolic link is its canonical parent joined with its name, so each new folder costs one
/// `lstat` rather than a `realpath` that reads every component again.
pub fn canonical_dir(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Some(hit) = crate::memo::with(|memo| memo.canonical_dirs.get(dir).cloned()) {
        return hit;
    }
    let resolved = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name))
            if !parent.as_os_str().is_empty()
                && std::fs::symlink_metadata(dir).is_ok_and(|m| !m.file_type().is_symlink()) =>
        {
            canonical_dir(parent).join(name)
        }
        _ => canonical(dir),
    };
    crate::memo::with(|memo| {
        memo.canonical_dirs
            .insert(dir.to_path_buf(), resolved.clone())
    });
    resolved
}

/// The canonical form of a file's path, resolving its folder once for all the files in it;
/// remembered while the folders being loaded are worked on ([`crate::memo::forget_files`]).
pub fn canonical_file(path: &Path) -> PathBuf {
    if let Some(hit) = crate::memo::with(|memo| memo.canonical_files.get(path).cloned()) {
        return hit;
    }
    let resolved = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) if !path.is_symlink() => canonical_dir(dir).join(name),
        _ => canonical(path),
    };
    crate::memo::with(|memo| {
        memo.canonical_files
            .insert(path.to_path_buf(), resolved.clone())
    });
    resolved
}

/// Reads the discovered files, follows imports, and forms projects: a run of its own, which
/// looks the file system up afresh ([`crate::memo`]).
pub fn load(found: Vec<Found>, version_flag: Option<Version>) -> Workspace {
    load_with_stdin(found, version_flag, None)
}

/// Like [`load`], with the text of the file at `stdin.0` given (read from standard input) instead of
/// read from disk.
pub fn load_with_stdin(
    found: Vec<Found>,
    version_flag: Option<Version>,
    stdin: Option<(&Path, &str)>,
) -> Workspace {
    crate::memo::begin_run();
    load_in_run(
        found,
        version_flag,
        stdin,
        &|_| false,
        &|_| None,
        Trees::Keep,
    )
}

/// Whether a load keeps each Ruby file's syntax tree in its model. Only `--fix` reads the trees
/// after the models are built; dropped right away, while what they are made of is still in the
/// processor's cache, a tree costs less to free than at the end of its group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trees {
    /// Every tree is kept.
    Keep,
    /// Only the trees of the files `--fix` may rewrite are kept: Fastfiles (and the files they
    /// import) that parse. It leaves a file with a syntax error as it is, and rewrites calls only
    /// in lanes, hooks and the methods they call, which Appfiles, Matchfiles and the other tool
    /// files do not hold. Should it need another file's tree, it parses the file again.
    Rewritable,
    /// No tree is kept.
    Drop,
}

impl Trees {
    fn apply(self, mut model: FileModel) -> FileModel {
        let keep = match self {
            Trees::Keep => true,
            Trees::Rewritable => {
                model.source.kind == FileKind::Fastfile && !model.has_syntax_errors()
            }
            Trees::Drop => false,
        };
        if !keep {
            model.tree = None;
        }
        model
    }
}

/// Like [`load_with_stdin`], within a run already begun: what the run has looked up is reused
/// ([`crate::pipeline`] loads each group of folders so). An imported Fastfile for which
/// `loaded_elsewhere` (given its canonical path) is true is not read: its folder is listed in
/// [`Workspace::imports_elsewhere`] instead, for the caller to check the two together. A found
/// file for which `read_before` gives a model is not read again.
pub(crate) fn load_in_run(
    found: Vec<Found>,
    version_flag: Option<Version>,
    stdin: Option<(&Path, &str)>,
    loaded_elsewhere: &dyn Fn(&Path) -> bool,
    read_before: &(dyn Fn(&Path) -> Option<FileModel> + Sync),
    trees: Trees,
) -> Workspace {
    crate::memo::forget_files();
    let results: Vec<Result<FileModel, FileError>> = found
        .par_iter()
        .map(|f| match stdin {
            Some((path, text)) if path == f.path => match too_large(text.len() as u64) {
                Some(message) => Err(FileError {
                    display: f.display.clone(),
                    message,
                }),
                None => Ok(trees.apply(model_of(SourceFile::new(
                    f.path.clone(),
                    f.display.clone(),
                    f.kind,
                    text.to_string(),
                )))),
            },
            _ => match read_before(&f.path) {
                Some(model) => Ok(trees.apply(model)),
                None => load_file(&f.path, &f.display, f.kind).map(|m| trees.apply(m)),
            },
        })
        .collect();
    let mut ws = Workspace::default();
    ws.files.reserve(results.len());
    let mut by_path: HashMap<PathBuf, usize> = HashMap::with_capacity(results.len());
    for result in results {
        match result {
            Ok(model) => {
                by_path.insert(canonical_file(&model.source.path), ws.files.len());
                ws.files.push(model);
            }
            Err(e) => ws.errors.push(e),
        }
    }
    for (file, model) in ws.files.iter().enumerate() {
        if model.source.kind == FileKind::SwiftFastfile {
            let beside = model.source.path.with_file_name("Fastfile").is_file();
            ws.notes.push(Note {
                file,
                span: Span::new(0, 0),
                message: if beside {
                    "not analysed: a Swift Fastfile (fastlint reads Ruby Fastfiles only); fastlane looks for `Fastfile.swift` before `Fastfile`, so the Ruby Fastfile beside it may not be the one that runs"
                } else {
                    "not analysed: a Swift Fastfile (fastlint reads Ruby Fastfiles only), so its lanes are not checked"
                }
                .into(),
            });
        }
    }

    // fastlane always loads the Appfile, config files and .env files of the folder (and .env files
    // beside it): read those that were not found, as context, so a Fastfile given by name is judged
    // as fastlane runs it.
    let mut dirs: Vec<PathBuf> = ws
        .files
        .iter()
        .filter(|f| f.source.kind == FileKind::Fastfile)
        .map(|f| project_dir(&f.source.path, f.source.kind))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let parent = dir
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty());
        for folder in std::iter::once(dir.clone()).chain(parent) {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            // Whether each entry is a file, from the listing itself where it can tell.
            let mut paths: Vec<(PathBuf, Option<bool>)> = entries
                .filter_map(|e| e.ok())
                .map(|e| {
                    let file = e.file_type().ok().filter(|t| !t.is_symlink());
                    (e.path(), file.map(|t| t.is_file()))
                })
                .collect();
            paths.sort();
            for (path, is_file) in paths {
                let Some(kind) = crate::discover::classify(&path) else {
                    continue;
                };
                let wanted = match kind {
                    FileKind::DotEnv => true,
                    FileKind::Appfile | FileKind::Config(_) => folder == dir,
                    _ => false,
                };
                if !wanted
                    || !is_file.unwrap_or_else(|| path.is_file())
                    || by_path.contains_key(&canonical_file(&path))
                {
                    continue;
                }
                if let Ok(mut model) = load_file(&path, &display_path(&path), kind) {
                    model = trees.apply(model);
                    model.context = true;
                    by_path.insert(canonical_file(&path), ws.files.len());
                    ws.files.push(model);
                }
            }
        }
    }

    // Group files by fastlane folder.
    let mut groups: BTreeMap<PathBuf, (PathBuf, Vec<usize>)> = BTreeMap::new();
    let mut canonical_dirs: HashMap<PathBuf, PathBuf> = HashMap::new();
    for (i, f) in ws.files.iter().enumerate() {
        let dir = project_dir(&f.source.path, f.source.kind);
        let key = canonical_dirs
            .entry(dir.clone())
            .or_insert_with(|| canonical_dir(&dir))
            .clone();
        groups
            .entry(key)
            .or_insert_with(|| (dir, Vec::new()))
            .1
            .push(i);
    }

    let mut noted: foldhash::HashSet<(usize, Span)> = Default::default();
    for (_, (dir, files)) in groups {
        let mut fastfiles: Vec<usize> = files
            .iter()
            .copied()
            .filter(|&i| ws.files[i].source.kind == FileKind::Fastfile)
            .collect();
        // Follow imports transitively, reading imported files that were not discovered.
        let mut next = 0;
        while next < fastfiles.len() {
            let file = fastfiles[next];
            next += 1;
            let imports = ws.files[file]
                .ruby()
                .map(|m| m.imports.clone())
                .unwrap_or_default();
            for import in imports {
                let note = |message: String| Note {
                    file,
                    span: import.span,
                    message,
                };
                if import.from_git {
                    if noted.insert((file, import.span)) {
                        ws.notes.push(note(
                            "`import_from_git` is not analysed: the lanes it brings in are unknown to fastlint".into(),
                        ));
                    }
                    continue;
                }
                let Some(rel) = import.path.as_deref() else {
                    if noted.insert((file, import.span)) {
                        ws.notes
                            .push(note("`import` of a computed path is not analysed".into()));
                    }
                    continue;
                };
                let base = ws.files[file]
                    .source
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let target = lexical(&base.join(rel));
                let key = canonical_file(&target);
                let idx = match by_path.get(&key) {
                    Some(&i) => i,
                    None if loaded_elsewhere(&key) => {
                        let dir = key.parent().map(Path::to_path_buf).unwrap_or_default();
                        ws.imports_elsewhere.push(dir);
                        continue;
                    }
                    None => match load_file(&target, &display_path(&target), FileKind::Fastfile) {
                        Ok(model) => {
                            ws.files.push(trees.apply(model));
                            by_path.insert(key, ws.files.len() - 1);
                            ws.files.len() - 1
                        }
                        Err(e) => {
                            if noted.insert((file, import.span)) {
                                ws.notes.push(note(format!(
                                    "`import \"{rel}\"` is not analysed: {}",
                                    e.message
                                )));
                            }
                            continue;
                        }
                    },
                };
                if !fastfiles.contains(&idx) {
                    fastfiles.push(idx);
                }
            }
        }

        let (version, version_source) = match version_flag {
            Some(v) => (v, VersionSource::Flag),
            None => match find_gemfile_lock(&dir) {
                Some((v, path)) => (v, VersionSource::GemfileLock(path)),
                None => (version::NEWEST_KNOWN, VersionSource::Assumed),
            },
        };
        ws.projects.push(Project {
            dir,
            files,
            fastfiles,
            version,
            version_source,
        });
    }
    // A Fastfile that another folder imports is a library of lanes: it is analysed where it is
    // imported, not on its own (its private lanes are called from there).
    let imported: foldhash::HashSet<usize> = ws
        .projects
        .iter()
        .flat_map(|p| p.fastfiles.iter().filter(|f| !p.files.contains(f)).copied())
        .collect();
    for project in &mut ws.projects {
        let own_only: Vec<usize> = project
            .fastfiles
            .iter()
            .copied()
            .filter(|f| project.files.contains(f))
            .collect();
        if !own_only.is_empty() && own_only.iter().all(|f| imported.contains(f)) {
            project.fastfiles.clear();
        }
    }
    for (f, file) in ws.files.iter().enumerate() {
        if let Contents::Ci(ci) = &file.contents {
            if let Some((span, message)) = &ci.error {
                ws.notes.push(Note {
                    file: f,
                    span: *span,
                    message: format!("not analysed: it is not valid YAML ({message})"),
                });
            }
        }
    }
    load_key_files(&mut ws, &mut by_path);
    resolve_bare_names(&mut ws.files);
    ws.ci = std::sync::Arc::new(CiEnv::of(&ws.files));
    ws.errors.sort();
    ws.errors.dedup();
    ws
}

/// Turns the bare names each file kept aside into calls where some Ruby file read defines a lane
/// or method of that name (a lane of an imported Fastfile called as `shared_lane`); the rest are
/// local-variable reads or other tools' actions, and are dropped.
pub fn resolve_bare_names(files: &mut [FileModel]) {
    if files
        .iter()
        .filter_map(FileModel::ruby)
        .all(|m| m.bare_names.is_empty())
    {
        return;
    }
    let mut defined: foldhash::HashSet<String> = foldhash::HashSet::default();
    for model in files.iter().filter_map(FileModel::ruby) {
        defined.extend(model.lanes.iter().map(|l| l.name.clone()));
        defined.extend(model.methods.iter().map(|m| m.name.clone()));
    }
    for file in files.iter_mut() {
        let text = &file.source.text;
        let Contents::Ruby(model) = &mut file.contents else {
            continue;
        };
        let before = model.calls.len();
        for (span, scope) in std::mem::take(&mut model.bare_names) {
            let name = &text[span.start..span.end];
            if defined.contains(name) {
                model
                    .calls
                    .push(crate::model::Call::bare(name, span, scope));
            }
        }
        if model.calls.len() != before {
            model.calls.sort_by_key(|c| (c.span.start, c.span.end));
        }
    }
}

/// The folder a project's actions run in, from one of its own files: the parent of the fastlane
/// folder, or the folder itself when the Fastfile is not in one.
fn roots_of(path: &Path, kind: FileKind) -> (PathBuf, PathBuf) {
    let dir = project_dir(path, kind);
    let is_fastlane = matches!(
        dir.file_name().and_then(|n| n.to_str()),
        Some("fastlane" | ".fastlane")
    );
    let root = if is_fastlane {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        dir.clone()
    };
    (root, dir)
}

/// `root/literal` without `.` components.
fn join_clean(root: &Path, literal: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in root.join(literal).components() {
        if c != std::path::Component::CurDir {
            out.push(c);
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The folders at and above `dir`, as relative paths where `dir` is relative (`a/fastlane`, `a`, `.`, `..`, ...).
fn ancestors(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = dir
        .ancestors()
        .filter(|d| !d.as_os_str().is_empty() && *d != Path::new("."))
        .map(Path::to_path_buf)
        .collect();
    if dir.is_relative() {
        let mut up = PathBuf::from(".");
        loop {
            let at_root = canonical_dir(&up).parent().is_none();
            out.push(up.clone());
            if at_root || out.len() > 256 {
                break;
            }
            up = if up == Path::new(".") {
                PathBuf::from("..")
            } else {
                up.join("..")
            };
        }
    }
    out
}

/// A plain string literal as written in Ruby (`"x"` or `'x'`, no interpolation).
fn ruby_string_literal(text: &str) -> Option<String> {
    let t = text.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            let inner = &t[1..t.len() - 1];
            if inner.contains('\\') || inner.contains("#{") || inner.contains(q) {
                return None;
            }
            return Some(inner.to_string());
        }
    }
    None
}

/// A path literal worth resolving: relative, with no variables in it.
fn usable_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.starts_with('~')
        && !p.contains('$')
        && !p.contains("#{")
        && !p.contains('\\')
}

/// The key file path literals a file holds: (where, the path, JSON key file?).
pub fn key_path_literals(file: &FileModel) -> Vec<(Span, String, bool)> {
    let mut out = Vec::new();
    let src = &file.source.text;
    if let Some(model) = file.ruby() {
        let config = matches!(file.source.kind, FileKind::Config(_));
        for call in &model.calls {
            if config && call.name == "api_key_path" {
                if let Some(arg) = call.first_arg {
                    if let Some(p) = src.get(arg.start..arg.end).and_then(ruby_string_literal) {
                        out.push((arg, p, true));
                    }
                }
                continue;
            }
            for opt in &call.options {
                let json = match opt.key.as_str() {
                    "api_key_path" => true,
                    "key_filepath" if call.name == "app_store_connect_api_key" => false,
                    "api_key" => {
                        if let Some(e) = opt.entry("filepath") {
                            if let Value::Str(p) = &e.value {
                                out.push((e.value_span, p.clone(), false));
                            }
                        }
                        continue;
                    }
                    _ => continue,
                };
                if let Value::Str(p) = &opt.value {
                    out.push((opt.value_span, p.clone(), json));
                }
            }
        }
        for e in model.env.iter().filter(|e| e.write) {
            let json = knowledge::is_key_path_env(&e.name);
            if !json && !knowledge::KEY_FILEPATH_ENV.contains(&e.name.as_str()) {
                continue;
            }
            if let (Some(Value::Str(p)), Some(span)) = (&e.value, e.value_span) {
                out.push((span, p.clone(), json));
            }
        }
    } else if file.source.kind == FileKind::DotEnv && !is_template_name(file.source.file_name()) {
        // A template's paths are placeholders.
        for a in file.dotenv() {
            let json = knowledge::is_key_path_env(&a.name);
            if json || knowledge::KEY_FILEPATH_ENV.contains(&a.name.as_str()) {
                out.push((a.value_span, a.value.clone(), json));
            }
        }
    }
    out.retain(|(_, p, _)| usable_path(p));
    out
}

/// Resolves every key file path literal and reads the JSON key files that exist.
fn load_key_files(ws: &mut Workspace, by_path: &mut HashMap<PathBuf, usize>) {
    let mut refs = Vec::new();
    let mut seen: foldhash::HashSet<(usize, Span, PathBuf)> = Default::default();
    for project in &ws.projects {
        let Some(&home) = project.files.first() else {
            continue;
        };
        let home = &ws.files[home].source;
        let (root, fastlane_dir) = roots_of(&home.path, home.kind);
        let mut files: Vec<usize> = project.files.clone();
        files.extend(project.fastfiles.iter().copied());
        files.sort_unstable();
        files.dedup();
        for f in files {
            for (span, literal, json) in key_path_literals(&ws.files[f]) {
                let resolved = join_clean(&root, &literal);
                if !seen.insert((f, span, resolved.clone())) {
                    continue;
                }
                refs.push(KeyPathRef {
                    file: f,
                    span,
                    literal,
                    json,
                    project_root: root.clone(),
                    fastlane_dir: fastlane_dir.clone(),
                    exists: resolved.exists(),
                    resolved,
                    loaded: None,
                });
            }
        }
    }
    for r in &mut refs {
        if !r.json || !r.resolved.is_file() {
            continue;
        }
        let key = canonical(&r.resolved);
        if let Some(&i) = by_path.get(&key) {
            if ws.files[i].source.kind == FileKind::KeyJson {
                r.loaded = Some(i);
            }
            continue;
        }
        match load_file(&r.resolved, &display_path(&r.resolved), FileKind::KeyJson) {
            Ok(model) => {
                ws.files.push(model);
                by_path.insert(key, ws.files.len() - 1);
                r.loaded = Some(ws.files.len() - 1);
            }
            Err(e) => ws.notes.push(Note {
                file: r.file,
                span: r.span,
                message: format!(
                    "the key file `{}` is not analysed: {}",
                    r.literal, e.message
                ),
            }),
        }
    }
    refs.sort_by_key(|r| (r.file, r.span));
    ws.key_paths = refs;
}

/// The nearest `Gemfile.lock` at or above `dir` that locks fastlane.
fn find_gemfile_lock(dir: &Path) -> Option<(Version, String)> {
    let mut visited = Vec::new();
    let mut found: Option<std::rc::Rc<(Version, String)>> = None;
    for d in ancestors(dir) {
        let key = canonical_dir(&d);
        if let Some(hit) = crate::memo::with(|memo| memo.gemfile_locks.get(&key).cloned()) {
            found = hit;
            break;
        }
        visited.push(key);
        let lock = d.join("Gemfile.lock");
        if let Ok(text) = crate::plain_file::read_to_string(&lock) {
            if let Some(v) = version::from_gemfile_lock(&text) {
                found = Some(std::rc::Rc::new((v, display_path(&lock))));
                break;
            }
        }
    }
    crate::memo::with(|memo| {
        for d in visited {
            memo.gemfile_locks.insert(d, found.clone());
        }
    });
    found.map(|f| (*f).clone())
}
