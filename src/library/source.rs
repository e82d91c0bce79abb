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

/// A library or layer directory on disk.
pub fn directory(root: &Path) -> Result<RawTree, Diagnostic> {
    let display_root = root.display().to_string();
    if !root.is_dir() {
        return Err(
            Diagnostic::at_path(Code::Io, &display_root, "not a directory")
                .help("--library and --layer take a directory"),
        );
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name().max_depth(4) {
        let entry = entry.map_err(|e| {
            Diagnostic::at_path(
                Code::Io,
                &display_root,
                format!("cannot read directory: {e}"),
            )
            .help("check the directory's permissions")
        })?;
        if !entry.file_type().is_file() || !is_library_file(entry.path()) {
            continue;
        }
        let bytes = crate::load::read_bytes(entry.path())?;
        files.push(RawFile {
            rel: relative_path(root, entry.path()),
            bytes,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(RawTree {
        display_root,
        files,
    })
}

/// Library data files: YAML, and the generated `chart-keys.txt` indexes.
pub fn is_library_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        || p.file_name().is_some_and(|n| n == "chart-keys.txt")
}
