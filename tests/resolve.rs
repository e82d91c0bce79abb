//! The resolver: golden resolved values, explain and graph outputs for the
//! examples; the library's values against the real charts; layers; broken
//! libraries.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value as J;
use stackc::library::{ChartKeys, KeyCheck};
use stackc::source::{Files, Layer, SourceFile};
use stackc::yaml::PathSeg;

fn stem(path: &str) -> &str {
    path.rsplit('/').next().unwrap().trim_end_matches(".yaml")
}

/// Every site the resolver is tested on: the examples and the coverage
/// sites that enable every component.
fn all_sites() -> Vec<String> {
    let mut v = sites();
    v.extend(files_in("tests/cases/valid", &["yaml"]));
    v
}

fn resolve_in_process(site: &str) -> (Files, stackc::resolve::Resolved, stackc::library::Library) {
    let lib = embedded_library();
    let check = stackc::validate::check_file(&repo().join(site), &lib);
    assert!(!check.has_errors(), "{site}: {:?}", check.diagnostics);
    let checked = check.site.unwrap();
    let resolved =
        stackc::resolve::resolve(&checked, &lib).unwrap_or_else(|d| panic!("{site}: {d:#?}"));
    (check.files, resolved, lib)
}

#[test]
fn resolved_values_match_goldens() {
    for site in all_sites() {
        let (code, out, err) = run(stackc().args(["values", &site]));
        assert_eq!(code, 0, "{site}: {err}");
        assert!(err.is_empty(), "{site}: no diagnostics expected: {err}");
        assert_golden(&format!("golden/resolved/{}.yaml", stem(&site)), &out);
    }
    let expected: Vec<String> = all_sites()
        .iter()
        .map(|s| format!("golden/resolved/{}.yaml", stem(s)))
        .collect();
    assert_eq!(files_in("golden/resolved", &["yaml"]), {
        let mut e = expected;
        e.sort();
        e
    });
}

#[test]
fn graphs_match_goldens() {
    let mut expected = Vec::new();
    for site in sites() {
        for (format, ext) in [("dot", "dot"), ("mermaid", "mmd")] {
            let (code, out, err) = run(stackc().args(["graph", "--format", format, &site]));
            assert_eq!(code, 0, "{site}: {err}");
            let path = format!("golden/graph/{}.{ext}", stem(&site));
            assert_golden(&path, &out);
            expected.push(path);
        }
    }
    expected.sort();
    let mut actual = files_in("golden/graph", &["dot", "mmd"]);
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn explain_matches_goldens() {
    let cases = std::fs::read_to_string(repo().join("tests/cases/explain.txt")).unwrap();
    let mut expected = Vec::new();
    for (n, line) in cases.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let (flags, rest) = words.split_at(words.len() - 2);
        let mut cmd = stackc();
        cmd.args(flags).arg("explain").args(rest);
        let (code, out, err) = run(&mut cmd);
        let path = format!("golden/explain/{:02}.txt", n + 1);
        assert_golden(
            &path,
            &format!("$ stackc {line}\nexit: {code}\n--- stdout\n{out}--- stderr\n{err}"),
        );
        expected.push(path);
    }
    assert_eq!(files_in("golden/explain", &["txt"]), expected);
}

#[test]
fn explain_exit_codes() {
    let (code, _, err) = run(stackc().args([
        "explain",
        "sites/prod-ha.yaml",
        "keystone.pod.replicas.apii",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("did you mean `keystone.pod.replicas.api`?"),
        "{err}"
    );
    let (code, out, _) =
        run(stackc().args(["explain", "sites/prod-ha.yaml", "nova.pod.replicas.osapi"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("nova.pod.replicas.osapi = 3\n"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.contains("sites/prod-ha.yaml:"),
        "the site's setting wins, last: {out}"
    );
}

/// The upstream key tree of a chart (not the committed index).
fn upstream_keys(chart: &str) -> ChartKeys {
    let path = conformance().join(format!("openstack-helm/{chart}/values.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut files = Files::new();
    let id = files.add(SourceFile::new("values.yaml", text, Layer::Library));
    let doc = stackc::load::parse_one(id, &files).0.unwrap();
    ChartKeys::derive(&doc.to_json())
}

fn leaf_paths(v: &J, path: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
    if let J::Object(m) = v {
        for (k, x) in m {
            path.push(PathSeg::Key(k.clone()));
            out.push(path.clone());
            leaf_paths(x, path, out);
            path.pop();
        }
    }
}

/// Only keys the real chart knows: every key path stackc emits for a chart
/// exists in the chart's upstream values.yaml (free-form maps excepted).
#[test]
fn every_emitted_key_exists_in_the_chart() {
    let mut keys_by_chart: BTreeMap<String, ChartKeys> = BTreeMap::new();
    let mut checked = 0;
    for site in all_sites() {
        let (_, resolved, _) = resolve_in_process(&site);
        for (name, c) in &resolved.components {
            let keys = keys_by_chart
                .entry(c.chart.clone())
                .or_insert_with(|| upstream_keys(&c.chart));
            let mut paths = Vec::new();
            leaf_paths(&c.values.to_json(), &mut Vec::new(), &mut paths);
            let template_keys = template_image_keys(&c.chart);
            for p in paths {
                if let [PathSeg::Key(a), PathSeg::Key(b), PathSeg::Key(k)] = p.as_slice()
                    && a == "images"
                    && b == "tags"
                    && template_keys.contains(k)
                {
                    continue;
                }
                if let KeyCheck::Unknown { depth, .. } = keys.check(&p)
                    && depth + 1 == p.len()
                {
                    panic!(
                        "{site}: {name} emits `{}`, which the {} chart does not have",
                        stackc::yaml::path_to_string(&p),
                        c.chart
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "checked {checked} keys");
}

/// The values of the cloud-provider-openstack charts of every cluster use
/// only keys the chart has (its index in the library is the real
/// values.yaml's, tests/library.rs; with the keys its templates read).
#[test]
fn every_cluster_chart_key_exists_in_the_chart() {
    let mut checked = 0;
    for site in all_sites() {
        let (_, resolved, lib) = resolve_in_process(&site);
        for c in &resolved.clusters {
            for ch in &c.charts {
                let keys = lib.kubernetes.charts[&ch.chart]
                    .keys
                    .as_ref()
                    .expect("chart-keys.txt")
                    .get(&lib.files);
                let diags =
                    stackc::library::check_chart_keys(&ch.values, keys, &ch.chart, "emitted");
                assert!(
                    diags.is_empty(),
                    "{site}: cluster {}: {:?}",
                    c.name,
                    diags.iter().map(|d| &d.message).collect::<Vec<_>>()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "checked {checked} cluster charts");
}

/// Secret values never appear in resolved values: every value that must
/// come from the store is absent, and no secret-looking key holds a value.
#[test]
fn resolved_values_hold_no_secrets() {
    for site in all_sites() {
        let (_, resolved, _) = resolve_in_process(&site);
        for (name, c) in &resolved.components {
            for s in &c.secrets {
                let path: Vec<PathSeg> =
                    s.path.split('.').map(|k| PathSeg::Key(k.into())).collect();
                assert!(
                    c.values.at(&path).is_none(),
                    "{site}: {name} sets secret value {}",
                    s.path
                );
            }
            c.values.walk(&mut |path, _, node| {
                if let Some(PathSeg::Key(k)) = path.last()
                    && stackc::secret::is_secret_key(k)
                    && node.as_str().is_some_and(|s| !s.is_empty())
                {
                    panic!(
                        "{site}: {name} value {} looks like a secret",
                        stackc::yaml::path_to_string(path)
                    );
                }
            });
        }
    }
}

#[test]
fn resolution_is_deterministic() {
    for site in sites() {
        let a = run(stackc().args(["values", &site])).1;
        let b = run(stackc()
            .args(["values", &site])
            .env("TZ", "Asia/Tokyo")
            .env("LC_ALL", "de_DE.UTF-8"))
        .1;
        assert_eq!(a, b, "{site}");
    }
}

#[test]
fn every_component_resolves_with_every_release_and_profile() {
    let lib = embedded_library();
    let base =
        std::fs::read_to_string(repo().join("tests/cases/valid/everything-ovn-ceph-tls.yaml"))
            .unwrap();
    for release in lib.releases.keys() {
        for profile in lib.profiles.keys() {
            let text = base
                .replace("release: \"2025.2\"", &format!("release: \"{release}\""))
                .replace("profile: ha", &format!("profile: {profile}"));
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("s.yaml");
            std::fs::write(&p, text).unwrap();
            let (code, out, err) = run(stackc().arg("values").arg(&p));
            assert_eq!(code, 0, "{release}/{profile}: {err}");
            // Every component but ceph-rgw, which serves the object store
            // swift serves here (tests/cases/valid/more-external-ceph.yaml
            // has it), and kubernetes-keystone-webhook, which only
            // `spec.kubernetes.keystoneAuth` enables (sites/k8s-cloud.yaml).
            assert_eq!(
                out.matches("\n# ").count() + usize::from(out.starts_with("# ")),
                lib.components.len() - 2,
                "{release}/{profile}: every component"
            );
            assert!(!out.contains("\n# ceph-rgw: "), "{release}/{profile}");
            assert!(
                !out.contains("\n# kubernetes-keystone-webhook: "),
                "{release}/{profile}"
            );
        }
    }
}

#[test]
fn layers_apply_between_profile_and_site() {
    let (code, out, err) = run(stackc().args([
        "--layer",
        "tests/cases/layers/acme",
        "values",
        "sites/lab-aio.yaml",
        "keystone",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("debug: true"), "{out}");
    // The site's own replicas beat the layer's.
    let (_, out, _) = run(stackc().args([
        "--layer",
        "tests/cases/layers/acme",
        "values",
        "sites/prod-ha.yaml",
        "keystone",
    ]));
    assert!(out.contains("  replicas:\n    api: 3\n"), "{out}");
}

#[test]
fn broken_layers_and_libraries_are_located() {
    for (args, code, needle) in [
        (
            vec![
                "--layer",
                "tests/cases/layers/typo",
                "validate",
                "sites/lab-aio.yaml",
            ],
            "E0019",
            "tests/cases/layers/typo/keystone.yaml:4:7",
        ),
        (
            vec![
                "--layer",
                "tests/cases/layers/unavailable",
                "validate",
                "sites/lab-aio.yaml",
            ],
            "E0101",
            "tests/cases/layers/unavailable/nova.yaml:2:1",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/expression-typo",
                "values",
                "tests/cases/libraries/site-keystone.yaml",
            ],
            "E0102",
            "tests/cases/libraries/expression-typo/components/keystone/site.yaml:6:24",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/requires-cycle",
                "values",
                "tests/cases/libraries/site-a.yaml",
            ],
            "E0020",
            "tests/cases/libraries/requires-cycle/components/a/component.yaml:1:1",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/integration-typo",
                "values",
                "tests/cases/libraries/site-a.yaml",
            ],
            "E0102",
            "tests/cases/libraries/integration-typo/components/b/component.yaml:6:11",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/bad-definition",
                "values",
                "tests/cases/libraries/site-a.yaml",
            ],
            "E0008",
            "tests/cases/libraries/bad-definition/components/a/component.yaml:4:1",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/bad-definition",
                "validate",
                "tests/cases/libraries/site-a.yaml",
            ],
            "E0004",
            "tests/cases/libraries/bad-definition/components/b/component.yaml:5:1",
        ),
        // A release without a build of a component's images (E0032) or
        // without a published chart for it (E0031): located at the service,
        // never a fallback to another release's chart or image.
        (
            vec![
                "--library",
                "tests/cases/libraries/jammy-images",
                "validate",
                "tests/cases/libraries/site-swift.yaml",
            ],
            "E0032",
            "tests/cases/libraries/site-swift.yaml:10:5",
        ),
        (
            vec![
                "--library",
                "tests/cases/libraries/jammy-images",
                "validate",
                "tests/cases/libraries/site-swift.yaml",
            ],
            "E0031",
            "tests/cases/libraries/site-swift.yaml:11:5",
        ),
        // A required component: at the service that requires it.
        (
            vec![
                "--library",
                "tests/cases/libraries/jammy-images",
                "render",
                "-o",
                "/nonexistent/never-written",
                "tests/cases/libraries/site-jammy-keystone.yaml",
            ],
            "E0031",
            "tests/cases/libraries/site-jammy-keystone.yaml:9:5",
        ),
    ] {
        let (exit, _, err) = run(stackc().args(&args));
        assert_eq!(exit, 1, "{args:?}: {err}");
        assert!(
            err.contains(code) && err.contains(needle),
            "{args:?}: {err}"
        );
    }
    let (_, _, err) = run(stackc().args([
        "--library",
        "tests/cases/libraries/expression-typo",
        "values",
        "tests/cases/libraries/site-keystone.yaml",
    ]));
    assert!(err.contains("did you mean `site.region`?"), "{err}");
    let (_, _, err) = run(stackc().args([
        "--library",
        "tests/cases/libraries/bad-definition",
        "validate",
        "tests/cases/libraries/site-a.yaml",
    ]));
    assert!(err.contains("did you mean `requires`?"), "{err}");
    let (_, _, err) = run(stackc().args([
        "--library",
        "tests/cases/libraries/integration-typo",
        "values",
        "tests/cases/libraries/site-a.yaml",
    ]));
    assert!(
        err.contains("did you mean `site.storage.backend`?"),
        "{err}"
    );
    let (_, _, err) = run(stackc().args([
        "--library",
        "tests/cases/libraries/jammy-images",
        "values",
        "tests/cases/libraries/site-jammy-keystone.yaml",
    ]));
    assert!(
        err.contains("requires it: keystone → rabbitmq")
            && err.contains("help: disable `keystone` or choose another release")
            && err.contains("release 2025.1 pins")
            && err.contains("no `rabbitmq` chart"),
        "{err}"
    );
    let (_, _, err) = run(stackc().args([
        "--library",
        "tests/cases/libraries/jammy-images",
        "validate",
        "tests/cases/libraries/site-swift.yaml",
    ]));
    assert!(
        err.contains("swift:2025.1-ubuntu_jammy")
            && err.contains("jammy-images/releases/2025.1/swift.yaml:5:14"),
        "{err}"
    );
}

#[test]
fn library_list() {
    let (code, out, _) = run(stackc().args(["library", "list"]));
    assert_eq!(code, 0);
    assert_golden("golden/library-list.txt", &out);
}
