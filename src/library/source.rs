//! Where library files come from: the copy embedded in the binary, or a
//! directory given with `--library` / `--layer`.

use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::relative_path;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/library");

/// A library file: its path relative to the library root and its bytes.
#[derive(Debug, Clone)]
pub struct RawFile {
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// The files of a library tree, sorted by relative path.
pub struct RawTree {
    /// Prefix for display names: `library` for the embedded copy, else the
    /// directory as given.
    pub display_root: String,
    pub files: Vec<RawFile>,
}

/// The embedded default library.
pub fn embedded() -> RawTree {
    let mut files = Vec::new();
    collect_embedded(&EMBEDDED, &mut files);
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    RawTree {
        display_root: "library".into(),
        files,
    }
}

/// The release series of the embedded library (`releases/<name>/`), in
/// name order, without parsing anything (`stackc --version` lists them).
pub fn embedded_releases() -> Vec<String> {
    let mut names: Vec<String> = EMBEDDED
        .get_dir("releases")
        .map(|d| {
            d.dirs()
                .filter(|r| r.get_file(r.path().join("release.yaml")).is_some())
                .filter_map(|r| r.path().file_name()?.to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<RawFile>) {
    for f in dir.files() {
        if is_library_file(f.path()) {
            out.push(RawFile {
                rel: relative_path(Path::new(""), f.path()),
                bytes: f.contents().to_vec(),
            });
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

/// Most directory entries a library or layer tree may have.
const MAX_ENTRIES: usize = 20_000;
/// Most bytes of library files in one tree.
const MAX_TREE_BYTES: u64 = 64 * 1024 * 1024;

/// A library or layer directory on disk. Symbolic links are followed,
/// within the tree's limits (depth 4, [`MAX_ENTRIES`] entries,
/// [`MAX_TREE_BYTES`] bytes, each file at most the input limit); a link
/// loop or a broken link is an error naming it.
pub fn directory(root: &Path) -> Result<RawTree, Diagnostic> {
    let display_root = root.display().to_string();
    if !root.is_dir() {
        return Err(
            Diagnostic::at_path(Code::Io, &display_root, "not a directory")
                .help("--library and --layer take a directory"),
        );
    }
    let mut files = Vec::new();
    let mut bytes = 0u64;
    let walk = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .max_depth(4);
    for (n, entry) in walk.into_iter().enumerate() {
        let entry = entry.map_err(|e| {
            let at = e
                .path()
                .map_or(display_root.clone(), |p| p.display().to_string());
            let (what, help) = if e.loop_ancestor().is_some() {
                (
                    "symbolic link loop",
                    "remove the link that points back into the directory",
                )
            } else if e
                .path()
                .is_some_and(|p| p.symlink_metadata().is_ok() && !p.exists())
            {
                ("broken symbolic link", "fix or remove the link")
            } else {
                ("cannot read", "check the directory's permissions")
            };
            Diagnostic::at_path(Code::Io, at, format!("{what}: {e}")).help(help)
        })?;
        if n > MAX_ENTRIES {
            return Err(too_large(
                &display_root,
                &format!("more than {MAX_ENTRIES} entries"),
            ));
        }
        if !entry.file_type().is_file() || !is_library_file(entry.path()) {
            continue;
        }
        let data = crate::load::read_bytes(entry.path())?;
        bytes += data.len() as u64;
        if bytes > MAX_TREE_BYTES {
            return Err(too_large(
                &display_root,
                &format!("more than {} MiB of files", MAX_TREE_BYTES / (1024 * 1024)),
            ));
        }
        files.push(RawFile {
            rel: relative_path(root, entry.path()),
            bytes: data,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(RawTree {
        display_root,
        files,
    })
}

fn too_large(root: &str, what: &str) -> Diagnostic {
    Diagnostic::at_path(
        Code::TooLarge,
        root,
        format!("library or layer directory holds {what}"),
    )
    .help("a library or layer is a small tree of YAML files; check where its symbolic links point")
}

/// Library data files: YAML, and the generated `chart-keys.txt` indexes.
pub fn is_library_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        || p.file_name().is_some_and(|n| n == "chart-keys.txt")
}
