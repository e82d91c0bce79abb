//! Chart directories for the hydration tests, built from the charts the
//! project owns (`tests/charts/`) with the real helm: one copy of a test
//! chart per (chart, version) the library pins, renamed, then packaged
//! (`helm package`, `helm repo index`) or left unpacked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{embedded_library, repo, tool};

/// Every (chart, version) pinned by a release of the embedded library.
pub fn pins() -> BTreeSet<(String, String)> {
    let lib = embedded_library();
    let mut out = BTreeSet::new();
    for rel in lib.releases.values() {
        for c in lib.components.values() {
            let chart = c.def().chart.clone();
            if let Some(v) = rel.chart_version(&chart) {
                out.insert((chart.clone(), v.to_string()));
            }
        }
    }
    out
}

/// Copies test chart `source` (a directory under tests/charts) to
/// `dest`, named `chart` at `version`.
pub fn instantiate(source: &str, chart: &str, version: &str, dest: &Path) {
    let from = repo().join("tests/charts").join(source);
    for e in walkdir::WalkDir::new(&from).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(&from).unwrap();
        let to = dest.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    let chart_yaml = dest.join("Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("name: ") {
                format!("name: {chart}")
            } else if l.starts_with("version: ") {
                format!("version: {version}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&chart_yaml, text + "\n").unwrap();
}

fn helm(args: &[&str]) {
    let out = Command::new(tool("helm"))
        .args(args)
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("stackc-test-helm/cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("stackc-test-helm/config"),
        )
        .env(
            "HELM_DATA_HOME",
            std::env::temp_dir().join("stackc-test-helm/data"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Helm repository directory: a package per pin (`source` chart for
/// the charts in `replaced`, the service chart otherwise) and index.yaml.
pub fn build_repository(dest: &Path, replaced: &[(&str, &str)], skip: &[&str]) {
    std::fs::create_dir_all(dest).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for (chart, version) in pins() {
        if skip.contains(&chart.as_str()) {
            continue;
        }
        let source = replaced
            .iter()
            .find(|(c, _)| *c == chart)
            .map_or("service", |(_, s)| *s);
        let dir = work.path().join(format!("{chart}-{version}"));
        instantiate(source, &chart, &version, &dir);
        dirs.push(dir);
    }
    let mut args = vec!["package".to_string()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.push("--destination".into());
    args.push(dest.display().to_string());
    helm(&args.iter().map(String::as_str).collect::<Vec<_>>());
    helm(&["repo", "index", &dest.display().to_string()]);
}

/// A directory of unpacked charts, one per pin.
pub fn build_unpacked(dest: &Path) {
    for (chart, version) in pins() {
        instantiate(
            "service",
            &chart,
            &version,
            &dest.join(format!("{chart}-{version}")),
        );
    }
}

/// The shared repository of service charts: built once for a given
/// content of tests/charts and set of pins, under target/tmp (reused by
/// later runs, removed by `cargo clean`).
pub fn repository() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        pins().hash(&mut h);
        for e in walkdir::WalkDir::new(repo().join("tests/charts")).sort_by_file_name() {
            let e = e.unwrap();
            e.path().strip_prefix(repo()).unwrap().hash(&mut h);
            if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap().hash(&mut h);
            }
        }
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = tmp.join(format!("charts-{:016x}", h.finish()));
        if !dir.join("index.yaml").is_file() {
            // Built aside and renamed: concurrent test binaries never see
            // a half-built repository.
            let staging = tempfile::Builder::new()
                .prefix("charts-staging-")
                .tempdir_in(tmp)
                .unwrap();
            build_repository(staging.path(), &[], &[]);
            if std::fs::rename(staging.path(), &dir).is_err() {
                assert!(dir.join("index.yaml").is_file(), "{}", dir.display());
            }
        }
        dir
    })
    .clone()
}
