//! `render --check`: the rendered tree against the one on disk.

use std::collections::BTreeMap;
use std::path::Path;

use super::{MARKER, MARKER_TEXT};
use crate::render::Manifests;
use crate::source::relative_path;

/// How the tree on disk differs from a fresh render.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// On disk with other content.
    pub stale: Vec<String>,
    /// Rendered, not on disk.
    pub missing: Vec<String>,
    /// On disk, not rendered.
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `<out>/<site>/` with `m` (paths relative to the site directory).
pub fn check(out: &Path, m: &Manifests) -> Drift {
    let dir = out.join(&m.site);
    let mut want: BTreeMap<&str, &str> = m
        .files
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    want.insert(MARKER, MARKER_TEXT);
    let mut have: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    if dir.is_dir() {
        for e in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() {
                have.insert(relative_path(&dir, e.path()), e.into_path());
            }
        }
    }
    let mut drift = Drift::default();
    for (rel, text) in &want {
        match have.get(*rel) {
            None => drift.missing.push(rel.to_string()),
            Some(path) if !same_content(path, text) => drift.stale.push(rel.to_string()),
            Some(_) => {}
        }
    }
    for rel in have.keys() {
        if !want.contains_key(rel.as_str()) {
            drift.extra.push(rel.clone());
        }
    }
    drift
}

/// Whether the site directory holds exactly the rendered files (stops at
/// the first difference; cheaper than [`check`] when only a yes/no is
/// needed).
pub fn is_identical(dir: &Path, m: &Manifests) -> bool {
    let mut on_disk = 0usize;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            on_disk += 1;
        }
    }
    if on_disk != m.files.len() + 1 {
        return false;
    }
    let same = |rel: &str, text: &str| same_content(&dir.join(rel), text);
    same(MARKER, MARKER_TEXT) && m.files.iter().all(|(rel, text)| same(rel, text))
}

/// Whether a file holds exactly `text`; a file of another length is not
/// read (files in an output directory can be anything).
fn same_content(path: &Path, text: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == text.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == text.as_bytes())
}
