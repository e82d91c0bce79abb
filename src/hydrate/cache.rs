//! The render cache: `helm template` output, content-addressed.
//!
//! A key is the sha256 of everything the output depends on: the chart's
//! digest, the values, the release name, the namespace, the Kubernetes
//! version, Helm's version and the `helm template` flags. An entry is
//! Helm's stdout, stored at `<dir>/helm/<key[..2]>/<key>.yaml`; entries are
//! written to a temporary file and renamed, so concurrent runs never see a
//! partial one. An unchanged chart is never rendered twice.
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
        let path = self.entry(key);
        let Some(parent) = path.parent() else { return };
        let _ = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(parent)?;
            let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
            tmp.write_all(output.as_bytes())?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        })();
    }

    /// A small named value (Helm's version for a binary), best effort.
    pub fn note(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join("notes").join(name)).ok()
    }

    pub fn set_note(&self, name: &str, value: &str) {
        let dir = self.dir.join("notes");
        let _ = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
            tmp.write_all(value.as_bytes())?;
            tmp.persist(dir.join(name)).map_err(|e| e.error)?;
            Ok(())
        })();
    }
}
