//! Where charts come from: a local directory, never the network.
//!
//! `--charts DIR` (or `STACKC_CHARTS`) is either
//! - a Helm chart repository as `helm pull` or a mirror leaves it:
//!   `<chart>-<version>.tgz` packages, with or without an `index.yaml`
//!   (when the index lists a package, its URL names the file and its
//!   `digest`, when present, is checked), or
//! - a directory of unpacked charts: subdirectories holding a `Chart.yaml`
//!   (with their dependencies in `charts/`, as `helm dependency build`
//!   leaves them).
//!
//! When both hold a (chart, version), the package wins. Every chart has a
//! content digest (sha256 of the package; of every file's path and bytes
//! for an unpacked chart), part of the render cache key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Files, Layer, SourceFile};
use crate::yaml::{Node, Value};

/// A chart found in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRef {
    /// Absolute path of the package or directory (what `helm template` gets).
    pub path: PathBuf,
    /// `sha256:<hex>` of its content.
    pub digest: String,
}

/// What the index says about one package.
#[derive(Debug, Clone)]
struct IndexEntry {
    file: String,
    digest: Option<String>,
}

/// A charts directory.
#[derive(Debug)]
pub struct ChartStore {
    pub root: PathBuf,
    /// (chart, version) -> the index's entry, when there is an index.
    index: BTreeMap<(String, String), IndexEntry>,
    /// (chart, version) -> unpacked chart directory.
    unpacked: BTreeMap<(String, String), PathBuf>,
    /// Versions present per chart (for messages).
    versions: BTreeMap<String, Vec<String>>,
}

/// Why a chart could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// Not in the directory; the versions of that chart that are.
    NotFound(Vec<String>),
    /// The package's digest is not the index's.
    DigestMismatch {
        file: PathBuf,
        expected: String,
        actual: String,
    },
    /// The package or directory could not be read.
    Unreadable(String),
}

fn io(path: &Path, what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::at_path(
        Code::ChartsDirectory,
        path.display().to_string(),
        format!("{what}: {e}"),
    )
    .help("--charts (or STACKC_CHARTS) names a directory of chart packages (<chart>-<version>.tgz, as `helm pull` leaves them, optionally with index.yaml) or of unpacked charts")
}

impl ChartStore {
    /// Opens a charts directory: reads its `index.yaml` (if any) and the
    /// `Chart.yaml` of its unpacked charts.
    pub fn open(root: &Path) -> Result<ChartStore, Diagnostic> {
        let root = std::fs::canonicalize(root)
            .map_err(|e| io(root, "cannot open the charts directory", e))?;
        if !root.is_dir() {
            return Err(io(&root, "not a directory", "--charts takes a directory"));
        }
        let mut store = ChartStore {
            root: root.clone(),
            index: BTreeMap::new(),
            unpacked: BTreeMap::new(),
            versions: BTreeMap::new(),
        };
        let index = root.join("index.yaml");
        if index.is_file() {
            store.read_index(&index)?;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&root)
            .map_err(|e| io(&root, "cannot read the charts directory", e))?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() && p.join("Chart.yaml").is_file() {
                if let Some((chart, version)) = chart_yaml(&p.join("Chart.yaml")) {
                    store.note(&chart, &version);
                    store.unpacked.entry((chart, version)).or_insert(p);
                }
            } else if let Some(stem) = name.strip_suffix(".tgz") {
                // `<chart>-<version>`: the version starts at the first `-`
                // followed by a digit.
                if let Some(i) = stem
                    .char_indices()
                    .find(|(i, c)| {
                        *c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit())
                    })
                    .map(|(i, _)| i)
                {
                    store.note(&stem[..i], &stem[i + 1..]);
                }
            }
        }
        for v in store.versions.values_mut() {
            v.sort();
            v.dedup();
        }
        Ok(store)
    }

    fn note(&mut self, chart: &str, version: &str) {
        self.versions
            .entry(chart.to_string())
            .or_default()
            .push(version.to_string());
    }

    fn read_index(&mut self, path: &Path) -> Result<(), Diagnostic> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, "cannot read", e))?;
        let mut files = Files::new();
        let id = files.add(SourceFile::new(
            path.display().to_string(),
            text,
            Layer::Rendered,
        ));
        let crate::yaml::Parsed { docs, errors, .. } = crate::yaml::parse_stream(id, files.get(id));
        if let Some(e) = errors.first() {
            return Err(io(
                path,
                "not a chart repository index",
                format!("{} at {}", e.message, files.location(e.span)),
            ));
        }
        let entries = docs
            .first()
            .and_then(|d| d.get("entries"))
            .and_then(Node::as_map);
        let Some(entries) = entries else {
            return Err(io(path, "not a chart repository index", "no `entries:`"));
        };
        for (chart, e) in entries {
            let Value::Seq(versions) = &e.node.value else {
                continue;
            };
            for v in versions {
                let s = |k: &str| v.get(k).and_then(Node::as_str).map(str::to_string);
                let Some(version) = s("version") else {
                    continue;
                };
                let url = v
                    .get("urls")
                    .and_then(|u| match &u.value {
                        Value::Seq(items) => items.first().and_then(Node::as_str),
                        _ => None,
                    })
                    .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
                    .unwrap_or_else(|| format!("{chart}-{version}.tgz"));
                if root_has(&self.root, &url) {
                    self.note(chart, &version);
                }
                self.index.insert(
                    (chart.to_string(), version),
                    IndexEntry {
                        file: url,
                        digest: s("digest"),
                    },
                );
            }
        }
        Ok(())
    }

    /// The chart at a version, with its digest.
    pub fn find(&self, chart: &str, version: &str) -> Result<ChartRef, Missing> {
        let key = (chart.to_string(), version.to_string());
        let entry = self.index.get(&key);
        let package = entry.map_or_else(|| format!("{chart}-{version}.tgz"), |e| e.file.clone());
        let path = self.root.join(&package);
        if path.is_file() {
            let bytes = std::fs::read(&path)
                .map_err(|e| Missing::Unreadable(format!("{}: {e}", path.display())))?;
            let actual = hex(&Sha256::digest(&bytes));
            if let Some(expected) = entry.and_then(|e| e.digest.as_deref())
                && !expected.eq_ignore_ascii_case(&actual)
            {
                return Err(Missing::DigestMismatch {
                    file: path,
                    expected: expected.to_string(),
                    actual,
                });
            }
            return Ok(ChartRef {
                path,
                digest: format!("sha256:{actual}"),
            });
        }
        if let Some(dir) = self.unpacked.get(&key) {
            let digest = dir_digest(dir).map_err(Missing::Unreadable)?;
            return Ok(ChartRef {
                path: dir.clone(),
                digest: format!("sha256:{digest}"),
            });
        }
        Err(Missing::NotFound(
            self.versions.get(chart).cloned().unwrap_or_default(),
        ))
    }
}

fn root_has(root: &Path, file: &str) -> bool {
    !file.contains(['/', '\\']) && root.join(file).is_file()
}

/// (name, version) from a Chart.yaml.
fn chart_yaml(path: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut files = Files::new();
    let id = files.add(SourceFile::new(
        path.display().to_string(),
        text,
        Layer::Rendered,
    ));
    let crate::yaml::Parsed { docs, .. } = crate::yaml::parse_stream(id, files.get(id));
    let doc = docs.first()?;
    let s = |k: &str| -> Option<String> {
        match &doc.get(k)?.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(_) => Some(files.get(id).slice(doc.get(k)?.span).to_string()),
            _ => None,
        }
    };
    Some((s("name")?, s("version")?))
}

/// sha256 over every file of a directory: relative path, length, bytes, in
/// path order.
fn dir_digest(dir: &Path) -> Result<String, String> {
    let mut h = Sha256::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.map_err(|e| e.to_string())?;
        if !e.file_type().is_file() {
            continue;
        }
        let rel = crate::source::relative_path(dir, e.path());
        let bytes =
            std::fs::read(e.path()).map_err(|err| format!("{}: {err}", e.path().display()))?;
        h.update(rel.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(hex(&h.finalize()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
