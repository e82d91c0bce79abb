//! The render cache: `helm template` output, content-addressed.
//!
//! A key is the sha256 of everything the output depends on: the chart's
//! digest, the values, the release name, the namespace, the Kubernetes
//! version, Helm's version and the `helm template` flags. An entry is
//! Helm's stdout, stored at `<dir>/helm/<key[..2]>/<key>.yaml`; entries are
//! written to a temporary file and renamed, so concurrent runs never see a
//! partial one. An unchanged chart is never rendered twice.
//!
//! Beside it, the object files stackc made from that output (split,
//! normalised, written: what parsing Helm's YAML costs a warm run), at
//! `<dir>/objects/<k[..2]>/<k>.json`, where `k` also covers the stackc
//! build (version, and the executable's size and modification time), so a
//! new stackc never reads an older one's objects.
//!
//! The directory is `--cache-dir`, else `$XDG_CACHE_HOME/stackc`, else
//! `$HOME/.cache/stackc`. A cache that cannot be written is skipped
//! silently: it only saves time.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::charts::hex;

/// Bumped when the meaning of a cached entry changes.
const FORMAT: &str = "stackc-hydrate-cache-1";

#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: PathBuf,
}

/// Everything a `helm template` output depends on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Key<'a> {
    pub chart_digest: &'a str,
    pub values: &'a str,
    pub release: &'a str,
    pub namespace: &'a str,
    pub kube_version: &'a str,
    pub helm_version: &'a str,
    pub args: &'a [String],
}

impl Key<'_> {
    /// The key as hex.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(&(FORMAT, self)).expect("serialisable");
        hex(&Sha256::digest(json.as_bytes()))
    }
}

impl Cache {
    /// `--cache-dir`, or the user cache directory.
    pub fn locate(explicit: Option<&Path>) -> Option<Cache> {
        let dir = match explicit {
            Some(d) => d.to_path_buf(),
            None => {
                let env = |k: &str| {
                    std::env::var_os(k)
                        .filter(|v| !v.is_empty())
                        .map(PathBuf::from)
                };
                env("XDG_CACHE_HOME")
                    .filter(|p| p.is_absolute())
                    .or_else(|| env("HOME").map(|h| h.join(".cache")))?
                    .join("stackc")
            }
        };
        Some(Cache { dir })
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir
            .join("helm")
            .join(&key[..2])
            .join(format!("{key}.yaml"))
    }

    /// A cached output.
    pub fn get(&self, key: &str) -> Option<String> {
        std::fs::read_to_string(self.entry(key)).ok()
    }

    /// Stores an output (best effort).
    pub fn put(&self, key: &str, output: &str) {
        write_atomic(&self.entry(key), output);
    }

    fn objects_entry(&self, key: &str) -> PathBuf {
        let k = hex(&Sha256::digest(format!("{key}|{}", build_id()).as_bytes()));
        self.dir
            .join("objects")
            .join(&k[..2])
            .join(format!("{k}.json"))
    }

    /// The object files made from the output cached under `key`.
    pub fn get_objects(&self, key: &str) -> Option<Vec<(String, String)>> {
        let bytes = std::fs::read(self.objects_entry(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores the object files made from an output (best effort).
    pub fn put_objects(&self, key: &str, files: &[(String, String)]) {
        let json = serde_json::to_string(files).expect("serialisable");
        write_atomic(&self.objects_entry(key), &json);
    }

    /// A small named value (Helm's version for a binary), best effort.
    pub fn note(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join("notes").join(name)).ok()
    }

    pub fn set_note(&self, name: &str, value: &str) {
        write_atomic(&self.dir.join("notes").join(name), value);
    }
}

/// Writes `path` through a temporary file and a rename (best effort).
fn write_atomic(path: &Path, text: &str) {
    let Some(parent) = path.parent() else { return };
    let _ = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(parent)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
        tmp.write_all(text.as_bytes())?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
}

/// A file's identity for caching: its canonical path, size and
/// modification time (a rebuilt binary is another file).
pub fn file_fingerprint(path: &Path) -> std::io::Result<String> {
    let p = std::fs::canonicalize(path)?;
    let m = std::fs::metadata(&p)?;
    let mtime = m
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Ok(format!("{}|{}|{}", p.display(), m.len(), mtime.as_nanos()))
}

/// This stackc build: its version and its executable's fingerprint.
fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(|p| file_fingerprint(&p))
            // Unknown executable: a build of its own, never reused.
            .unwrap_or_else(|_| format!("unknown-{}", std::process::id()));
        format!("{}|{exe}", env!("CARGO_PKG_VERSION"))
    })
}
