//! The pipeline's arrows point one way: a stage never names a later stage
//! or a consumer (ARCHITECTURE.md). Checked on the source text: every
//! `crate::<module>` path in a stage's files.

use std::path::Path;

mod common;

/// Stages in pipeline order, and the modules each may not name.
const LATER: &[(&str, &[&str])] = &[
    (
        "yaml",
        &[
            "load", "model", "library", "validate", "resolve", "render", "emit",
        ],
    ),
    (
        "load",
        &["model", "library", "validate", "resolve", "render", "emit"],
    ),
    (
        "model",
        &["library", "validate", "resolve", "render", "emit"],
    ),
    ("library", &["validate", "resolve", "render", "emit"]),
    ("validate", &["resolve", "render", "emit"]),
    ("resolve", &["render", "emit"]),
    ("render", &["emit"]),
];

/// Consumers: no stage may name one.
const CONSUMERS: &[&str] = &["cli", "diff", "explain", "graph", "values_output"];

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn stages_never_name_later_stages_or_consumers() {
    let src = common::repo().join("src");
    let mut problems = Vec::new();
    for (stage, later) in LATER {
        let mut paths = Vec::new();
        let dir = src.join(stage);
        if dir.is_dir() {
            files(&dir, &mut paths);
        }
        let file = src.join(format!("{stage}.rs"));
        if file.is_file() {
            paths.push(file);
        }
        assert!(!paths.is_empty(), "no source for stage `{stage}`");
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("read source");
            for (n, line) in text.lines().enumerate() {
                for m in later.iter().chain(CONSUMERS) {
                    let needle = format!("crate::{m}");
                    let hit = line.match_indices(&needle).any(|(i, _)| {
                        !line[i + needle.len()..]
                            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if hit {
                        problems.push(format!(
                            "{}:{}: stage `{stage}` names `{needle}`",
                            p.strip_prefix(common::repo()).unwrap_or(&p).display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
