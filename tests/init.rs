//! `stackc init`: every shape, for every release, validates and renders
//! (and `kubectl kustomize` builds the result); the files are golden; an
//! existing file is never overwritten; bad arguments write nothing.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// `stackc init ARGS` in `dir`.
fn init(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(stackc().current_dir(dir).arg("init").args(args))
}

/// The releases and profiles of the embedded library.
fn library_names() -> (Vec<String>, Vec<String>) {
    let lib = embedded_library();
    (
        lib.releases.keys().cloned().collect(),
        lib.profiles.keys().cloned().collect(),
    )
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_shape_for_every_release_validates_and_renders() {
    let (releases, profiles) = library_names();
    assert!(profiles.contains(&"ha".to_string()) && profiles.contains(&"minimal".to_string()));
    let kubectl = tool("kubectl");
    let dir = tempfile::tempdir().unwrap();
    for release in &releases {
        for profile in &profiles {
            let name = format!("{profile}-{}", release.replace('.', "-"));
            let (code, _, err) = init(
                dir.path(),
                &[&name, "--release", release, "--profile", profile],
            );
            assert_eq!(code, 0, "{name}: {err}");
            let file = format!("{name}.yaml");
            let (code, out, err) = run(stackc().current_dir(dir.path()).args(["validate", &file]));
            assert_eq!(
                (code, err.as_str()),
                (0, ""),
                "{name}: no diagnostic at all"
            );
            assert!(
                out.contains(&format!("release {release}, profile {profile}")),
                "{out}"
            );
            let (code, _, err) = run(stackc().current_dir(dir.path()).args(["render", &file]));
            assert_eq!(code, 0, "{name}: {err}");
            let built = Command::new(&kubectl)
                .arg("kustomize")
                .arg(dir.path().join("rendered").join(&name))
                .output()
                .unwrap();
            assert!(
                built.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&built.stderr)
            );
        }
    }
}

#[test]
fn the_shapes_are_golden() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("lab", &["--release", "2025.1"][..]),
        ("prod", &["--release", "2025.1", "--profile", "ha"][..]),
        (
            "edge",
            &[
                "--release",
                "2025.2",
                "--with",
                "cinder,heat",
                "--with",
                "designate",
            ][..],
        ),
    ] {
        let mut all = vec![name];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = init(dir.path(), &all);
        assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
        assert!(
            stderr.starts_with(&format!("created {name}.yaml: ")),
            "{stderr}"
        );
        let text = std::fs::read_to_string(dir.path().join(format!("{name}.yaml"))).unwrap();
        assert!(
            text.starts_with(
                "# yaml-language-server: $schema=https://stackc.dev/schemas/site.schema.json\n"
            ),
            "the modeline comes first"
        );
        assert_golden(&format!("golden/init/{name}.yaml"), &text);
    }
}

#[test]
fn defaults_are_the_newest_release_and_the_minimal_profile() {
    let (releases, _) = library_names();
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = init(dir.path(), &["lab"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("lab.yaml")).unwrap();
    let newest = releases.last().unwrap();
    assert!(text.contains(&format!("  release: '{newest}'")), "{text}");
    assert!(text.contains("  profile: minimal\n"), "{text}");
    assert!(
        err.contains(&format!("(release {newest}, profile minimal, 6 services)")),
        "{err}"
    );
}

#[test]
fn schema_can_point_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = init(
        dir.path(),
        &["lab", "--schema", "../schemas/site.schema.json"],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("lab.yaml")).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=../schemas/site.schema.json\n"));
}

#[test]
fn never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lab.yaml"), "mine\n").unwrap();
    let (code, stdout, _) = init(dir.path(), &["--message-format", "json", "lab"]);
    assert_eq!(code, 2);
    let d: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str()),
        (Some("E0053"), Some("lab.yaml"))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("lab.yaml")).unwrap(),
        "mine\n"
    );
    // Nor a directory (or anything else) of that name.
    std::fs::create_dir(dir.path().join("prod.yaml")).unwrap();
    let (code, _, err) = init(dir.path(), &["prod"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("E0053") && err.contains("prod.yaml: already exists"),
        "{err}"
    );
    assert_eq!(listing(dir.path()), ["lab.yaml", "prod.yaml"]);
}

#[test]
fn bad_arguments_are_located_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (args, codes) in [
        (&["Lab_1"][..], &["E0010"][..]),
        (&["lab.yaml"][..], &["E0010"][..]),
        (
            &[
                "lab",
                "--release",
                "2025.3",
                "--profile",
                "hq",
                "--with",
                "nova-extra,heat",
            ][..],
            &["E0013", "E0014", "E0015"][..],
        ),
    ] {
        let (code, stdout, _) = run(stackc()
            .current_dir(dir.path())
            .args(["init", "--message-format", "json"])
            .args(args));
        assert_eq!(code, 2, "{args:?}: {stdout}");
        let found: Vec<String> = stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(found, codes, "{args:?}: every problem, once: {stdout}");
        assert!(listing(dir.path()).is_empty(), "{args:?} wrote nothing");
    }
    let (_, _, err) = init(dir.path(), &["lab.yaml"]);
    assert!(err.contains("`stackc init lab`"), "{err}");
    let (_, _, err) = init(dir.path(), &["lab", "--release", "2025.3"]);
    assert!(err.contains("did you mean `2025.1`?"), "{err}");
}

/// A site that does not validate with the given library is not written:
/// its problems are shown in the file it would have been.
#[test]
fn a_site_the_library_rejects_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    // A layer whose expression fails when a site is resolved (E0102).
    let layer = dir.path().join("layer");
    std::fs::create_dir(&layer).unwrap();
    std::fs::write(
        layer.join("keystone.yaml"),
        "values:\n  pod:\n    replicas:\n      api: \"{{ site.spec.nope }}\"\n",
    )
    .unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let (code, _, err) = run(stackc()
        .current_dir(&work)
        .arg("--layer")
        .arg(&layer)
        .args(["init", "lab"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("E0102") && err.contains("nothing written"),
        "{err}"
    );
    assert!(listing(&work).is_empty());
}
