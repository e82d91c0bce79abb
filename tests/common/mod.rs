//! Shared test helpers: running the real binary, golden files, tool lookup.
#![allow(dead_code)]

pub mod charts;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (tests run with it as the working directory).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `stackc` command run from the repository root with a clean,
/// deterministic environment (no colour, fixed locale and time zone).
pub fn stackc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stackc"));
    c.current_dir(repo())
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .env_remove("COLUMNS");
    c
}

/// Runs a command, returning (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out: Output = cmd.output().expect("failed to start stackc");
    (
        out.status.code().expect("stackc was killed by a signal"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Runs git in `dir` with a fixed identity and `main` as the first
/// branch; fails the test when git fails.
pub fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=stackc",
            "-c",
            "user.email=stackc@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// `../shared/conformance` (or `$STACKC_CONFORMANCE`). Tests that need it
/// fail, never skip, when it is missing.
pub fn conformance() -> PathBuf {
    let p = std::env::var_os("STACKC_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/conformance"));
    assert!(
        p.join("crds").is_dir(),
        "conformance data not found at {} (set STACKC_CONFORMANCE)",
        p.display()
    );
    p
}

/// Where `scripts/setup` installs the tools (`$STACKC_TOOLS` or `.tools/`).
pub fn tools_dir() -> PathBuf {
    std::env::var_os("STACKC_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools"))
}

/// A tool installed by `scripts/setup` into `.tools/`. Fails (never skips)
/// when missing.
pub fn tool(name: &str) -> PathBuf {
    let dir = tools_dir();
    let p = if name == "python" {
        dir.join("venv/bin/python")
    } else {
        dir.join("bin").join(name)
    };
    assert!(
        p.exists(),
        "{name} not found at {}: run scripts/setup (the test suite needs the real tool)",
        p.display()
    );
    p
}

/// Whether goldens may be rewritten (`STACKC_BLESS=1`). Refused under CI.
pub fn bless() -> bool {
    let wanted = std::env::var_os("STACKC_BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    if wanted && std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "STACKC_BLESS is refused under CI: goldens are only rewritten locally and committed"
        );
    }
    wanted
}

/// A unified diff of two texts.
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

/// Compares `actual` with the golden file at `path` (relative to the repo).
pub fn assert_golden(path: &str, actual: &str) {
    let full = repo().join(path);
    if bless() {
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&full).unwrap_or_else(|_| {
        panic!("missing golden {path}: run with STACKC_BLESS=1 locally and review")
    });
    assert!(
        expected == actual,
        "golden {path} differs:\n{}",
        diff(&expected, actual)
    );
}

/// Reads every file under `dir` as `relative path -> bytes`.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Compares a whole tree with a golden directory, both ways: missing,
/// extra and differing files all fail.
pub fn assert_golden_tree(golden_dir: &str, actual: &BTreeMap<String, Vec<u8>>) {
    let full = repo().join(golden_dir);
    if bless() {
        let _ = std::fs::remove_dir_all(&full);
        for (rel, bytes) in actual {
            let p = full.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        return;
    }
    let expected = read_tree(&full);
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let mut report = String::new();
    if !missing.is_empty() {
        report.push_str(&format!(
            "files in {golden_dir} but not produced: {missing:?}\n"
        ));
    }
    if !extra.is_empty() {
        report.push_str(&format!(
            "files produced but not in {golden_dir}: {extra:?}\n"
        ));
    }
    for (rel, exp) in &expected {
        if let Some(act) = actual.get(rel)
            && act != exp
        {
            report.push_str(&format!(
                "{golden_dir}/{rel} differs:\n{}\n",
                diff(&String::from_utf8_lossy(exp), &String::from_utf8_lossy(act))
            ));
        }
    }
    assert!(report.is_empty(), "{report}");
}

/// Every file in `dir` with one of `exts`, sorted, as repo-relative paths.
pub fn files_in(dir: &str, exts: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| exts.iter().any(|x| e == *x)))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// The example sites.
pub fn sites() -> Vec<String> {
    files_in("sites", &["yaml"])
}

/// The embedded library, loaded in-process.
pub fn embedded_library() -> stackc::library::Library {
    stackc::library::Library::embedded()
        .unwrap_or_else(|(_, diags)| panic!("embedded library: {diags:#?}"))
}

/// Puts the chart the tests own (tests/fixtures/chart) where kustomize
/// looks for a local copy of the chart that `dir/kustomization.yaml`
/// inflates (`helmCharts:`), under its name and version, so that
/// `kubectl kustomize --enable-helm` builds offline.
pub fn place_fixture_chart(dir: &Path) {
    let fixture = repo().join("tests/fixtures/chart");
    let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .strip_prefix(&format!("{name}: "))
            })
            .unwrap()
            .trim_matches('\'')
            .to_string()
    };
    let (name, version) = (field("name"), field("version"));
    let chart_dir = dir
        .join("charts")
        .join(format!("{name}-{version}"))
        .join(&name);
    std::fs::create_dir_all(chart_dir.join("templates")).unwrap();
    let chart = std::fs::read_to_string(fixture.join("Chart.yaml"))
        .unwrap()
        .replace("NAME", &name)
        .replace("VERSION", &version);
    std::fs::write(chart_dir.join("Chart.yaml"), chart).unwrap();
    std::fs::copy(
        fixture.join("templates/values.yaml"),
        chart_dir.join("templates/values.yaml"),
    )
    .unwrap();
}

/// A diff's JSON output without provenance: its objects and its `member`
/// (`hazards`, `consequences`), to compare a diff of directories with the
/// diff of the sites they came from.
pub fn without_origins(json: &str, member: &str) -> (serde_json::Value, serde_json::Value) {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    for o in v["objects"].as_array_mut().unwrap() {
        for c in o["changes"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("origin");
        }
    }
    (v["objects"].clone(), v[member].clone())
}

/// Image keys a chart's templates read that its values.yaml lacks
/// (`templateKeys` in scripts/release-images.yaml): the library sets them
/// beside the chart's own keys.
pub fn template_image_keys(chart: &str) -> Vec<String> {
    use stackc::source::{Files, Layer, SourceFile};
    let rel = "scripts/release-images.yaml";
    let text = std::fs::read_to_string(repo().join(rel)).expect("read release-images.yaml");
    let mut files = Files::new();
    let id = files.add(SourceFile::new(rel, text, Layer::Library));
    let doc = stackc::load::parse_one(id, &files)
        .0
        .expect("release-images.yaml parses");
    doc.to_json()["templateKeys"][chart]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// `path -> (repository, tag)` of every `image: {repository}` map; an
/// empty or null tag is None.
pub fn image_maps(v: &serde_json::Value) -> BTreeMap<String, (String, Option<String>)> {
    fn walk(
        v: &serde_json::Value,
        path: &str,
        out: &mut BTreeMap<String, (String, Option<String>)>,
    ) {
        let Some(m) = v.as_object() else { return };
        for (k, x) in m {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match x.get("repository").and_then(serde_json::Value::as_str) {
                Some(r) if k == "image" => {
                    let tag = x
                        .get("tag")
                        .and_then(serde_json::Value::as_str)
                        .filter(|t| !t.is_empty());
                    out.insert(p, (r.to_string(), tag.map(str::to_string)));
                }
                _ => walk(x, &p, out),
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(v, "", &mut out);
    out
}
