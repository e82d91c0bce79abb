//! `stackc diff`: golden scenarios in text, Markdown and JSON; provenance,
//! hazards, masking, git revisions, exit codes.

mod common;

use std::process::Command;

use common::*;

const D: &str = "tests/cases/diff";

fn scenarios() -> Vec<(&'static str, Vec<String>)> {
    let pair = |name: &str| {
        vec![
            format!("{D}/{name}/old.yaml"),
            format!("{D}/{name}/new.yaml"),
        ]
    };
    vec![
        ("replica-change", pair("replica-change")),
        ("service-added-removed", pair("service-added-removed")),
        ("tls-on", pair("tls-on")),
        (
            "upgrade-2025.1-2025.2",
            vec![
                format!("{D}/replica-change/old.yaml"),
                "--release".into(),
                "2025.2".into(),
            ],
        ),
        // `old/` is the site as stackc rendered it for the retired 2024.2
        // (what a site that named 2024.2 has on disk): a rendered directory
        // needs no release data.
        (
            "skip-level-upgrade",
            vec![
                format!("{D}/skip-level-upgrade/old"),
                format!("{D}/skip-level-upgrade/new.yaml"),
            ],
        ),
    ]
}

#[test]
fn scenarios_match_goldens_in_every_format() {
    let mut expected = Vec::new();
    for (name, args) in scenarios() {
        for (format, ext) in [("text", "txt"), ("markdown", "md"), ("json", "json")] {
            let (code, out, err) = run(stackc().arg("diff").args(&args).args(["--format", format]));
            assert_eq!(code, 1, "{name} ({format}): changes exit 1\n{err}");
            assert!(err.is_empty(), "{name}: {err}");
            let path = format!("golden/diff/{name}.{ext}");
            assert_golden(&path, &out);
            expected.push(path);
        }
        let (code, out, _) = run(stackc().arg("diff").args(&args).arg("--summary"));
        assert_eq!(code, 1);
        let path = format!("golden/diff/{name}.summary.txt");
        assert_golden(&path, &out);
        expected.push(path);
    }
    expected.push("golden/diff/layer-change.txt".into());
    expected.sort();
    let mut have = files_in("golden/diff", &["txt", "md", "json"]);
    have.sort();
    assert_eq!(have, expected, "every diff golden has a scenario");
}

#[test]
fn changed_values_name_the_layer_that_caused_them() {
    let (_, out, _) = run(stackc().args([
        "diff",
        &format!("{D}/replica-change/old.yaml"),
        &format!("{D}/replica-change/new.yaml"),
    ]));
    assert!(
        out.contains("~ spec.values.pod.replicas.osapi: 2 -> 5  (site tests/cases/diff/replica-change/new.yaml:12)"),
        "{out}"
    );
    let (_, out, _) = run(stackc().args([
        "diff",
        &format!("{D}/replica-change/old.yaml"),
        "--release",
        "2025.2",
    ]));
    assert!(out.contains("spec.values.images.tags.nova_api: quay.io/airshipit/nova:2025.1-ubuntu_noble -> quay.io/airshipit/nova:2025.2-ubuntu_noble  (release 2025.2 library/releases/2025.2/nova.yaml:"), "{out}");
    assert!(
        !out.contains("unsupported upgrade"),
        "2025.1 -> 2025.2 is supported"
    );
}

#[test]
fn hazards() {
    let json = |args: &[String]| -> serde_json::Value {
        let (_, out, _) = run(stackc().arg("diff").args(args).args(["--format", "json"]));
        serde_json::from_str(&out).unwrap()
    };
    let kinds = |v: &serde_json::Value| -> Vec<String> {
        v["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let skip = json(&[
        format!("{D}/skip-level-upgrade/old"),
        format!("{D}/skip-level-upgrade/new.yaml"),
    ]);
    assert!(
        kinds(&skip).contains(&"unsupported-upgrade".to_string()),
        "{skip}"
    );
    let msg = skip["hazards"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("2024.2 -> 2026.1") && msg.contains("upgrade to 2025.1 first"),
        "{msg}"
    );
    let down = json(&[
        format!("{D}/skip-level-upgrade/new.yaml"),
        format!("{D}/skip-level-upgrade/old"),
    ]);
    assert!(kinds(&down).contains(&"downgrade".to_string()));
    let removed = json(&[
        format!("{D}/service-added-removed/old.yaml"),
        format!("{D}/service-added-removed/new.yaml"),
    ]);
    assert!(kinds(&removed).contains(&"removed-object".to_string()));
    assert_eq!(removed["schema"], "stackc.dev/diff/v1");
    assert_eq!(removed["summary"]["added"], 3);
}

#[test]
fn immutable_values_and_database_renames_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::fs::read_to_string(repo().join(format!("{D}/replica-change/old.yaml"))).unwrap();
    let new = old
        .replace("    keystone: {}", "    keystone:\n      values:\n        endpoints:\n          oslo_db:\n            path: /keystone2")
        .replace("    glance: {}", "    glance: {}\n    mariadb:\n      values:\n        volume:\n          class_name: fast");
    let (po, pn) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
    std::fs::write(&po, &old).unwrap();
    std::fs::write(&pn, &new).unwrap();
    let (code, out, err) = run(stackc().arg("diff").arg(&po).arg(&pn));
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("database rename [keystone]"), "{out}");
    assert!(out.contains("immutable field [mariadb]"), "{out}");
}

/// A RabbitMQ major version change and a MariaDB version change are
/// hazards with what the operator must do; 3.10 -> 4.x is not one step.
#[test]
fn data_plane_versions_are_hazards() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        std::fs::read_to_string(repo().join(format!("{D}/replica-change/old.yaml"))).unwrap();
    let new = base.replace("release: \"2025.1\"", "release: \"2025.2\"");
    let old = base.replace(
        "    glance: {}",
        "    glance: {}\n    rabbitmq:\n      values:\n        images:\n          tags:\n            rabbitmq: quay.io/airshipit/rabbitmq:3.10.18\n    mariadb:\n      values:\n        images:\n          tags:\n            mariadb: quay.io/airshipit/mariadb:10.11-noble",
    );
    let (po, pn) = (dir.path().join("old.yaml"), dir.path().join("new.yaml"));
    std::fs::write(&po, &old).unwrap();
    std::fs::write(&pn, &new).unwrap();
    let (code, out, err) = run(stackc()
        .arg("diff")
        .arg(&po)
        .arg(&pn)
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hazards = v["hazards"].as_array().unwrap();
    let find = |kind: &str, needle: &str| {
        hazards
            .iter()
            .find(|h| h["kind"] == kind && h["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no {kind} hazard with {needle:?}: {out}"))
    };
    let skip = find(
        "message-queue-upgrade",
        "RabbitMQ 3.10.18 -> 4.3.5 cannot be done in one step",
    );
    assert!(
        skip["message"]
            .as_str()
            .unwrap()
            .contains("rabbitmq images.tags.rabbitmq")
    );
    assert!(skip["help"].as_str().unwrap().contains("up to 3.13"));
    // The charts' rabbit_init images follow the broker: 3.13 -> 4.3.5.
    let major = find(
        "message-queue-upgrade",
        "RabbitMQ 3.13 -> 4.3.5 is a major upgrade",
    );
    assert!(
        major["message"]
            .as_str()
            .unwrap()
            .contains("nova images.tags.rabbit_init")
    );
    assert!(
        major["help"]
            .as_str()
            .unwrap()
            .contains("rabbitmqctl enable_feature_flag all")
    );
    let db = find(
        "database-upgrade",
        "quay.io/airshipit/mariadb:10.11-noble -> quay.io/airshipit/mariadb:latest-ubuntu_noble",
    );
    assert!(db["help"].as_str().unwrap().contains("backup"));
    // The text output prints the help under the hazard.
    let (_, text, _) = run(stackc().arg("diff").arg(&po).arg(&pn));
    assert!(
        text.contains("  ! database upgrade: MariaDB image"),
        "{text}"
    );
    assert!(
        text.contains("      help: take a full backup first"),
        "{text}"
    );
    // No version change, no hazard: the same site on both sides.
    let (_, same, _) = run(stackc()
        .arg("diff")
        .arg(&pn)
        .arg(&pn)
        .args(["--format", "json"]));
    assert!(!same.contains("message-queue-upgrade") && !same.contains("database-upgrade"));
}

#[test]
fn rendered_directories_diff_like_sites() {
    let dir = tempfile::tempdir().unwrap();
    for (side, file) in [("a", "old"), ("b", "new")] {
        let (code, _, err) = run(stackc()
            .args(["render", "-o"])
            .arg(dir.path().join(side))
            .arg(format!("{D}/replica-change/{file}.yaml")));
        assert_eq!(code, 0, "{err}");
    }
    let (code, from_dirs, _) = run(stackc()
        .arg("diff")
        .arg(dir.path().join("a/review"))
        .arg(dir.path().join("b/review"))
        .args(["--format", "json"]));
    assert_eq!(code, 1);
    let (_, from_sites, _) = run(stackc().args([
        "diff",
        &format!("{D}/replica-change/old.yaml"),
        &format!("{D}/replica-change/new.yaml"),
        "--format",
        "json",
    ]));
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        for o in v["objects"].as_array_mut().unwrap() {
            for c in o["changes"].as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("origin");
            }
        }
        (v["objects"].clone(), v["hazards"].clone())
    };
    assert_eq!(
        strip(&from_dirs),
        strip(&from_sites),
        "the same changes, without provenance"
    );
    // Identical directories: exit 0.
    let (code, out, _) = run(stackc()
        .arg("diff")
        .arg(dir.path().join("a/review"))
        .arg(dir.path().join("a/review")));
    assert_eq!((code, out.contains("no changes")), (0, true));
}

/// A rendered directory records its release on the Namespace, so release
/// hazards are found without the sites.
#[test]
fn rendered_directories_carry_their_release() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(stackc()
        .args(["render", "-o"])
        .arg(dir.path())
        .arg(format!("{D}/skip-level-upgrade/new.yaml")));
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(stackc()
        .arg("diff")
        .arg(format!("{D}/skip-level-upgrade/old"))
        .arg(dir.path().join("review"))
        .args(["--format", "json"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"unsupported-upgrade"), "{kinds:?}");
}

#[test]
fn secrets_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |side: &str, password: &str, data: &str| {
        let d = dir.path().join(side);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("objects.yaml"),
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: x}}\ndata: {{token: {data}}}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: nova, namespace: x}}\nspec:\n  values:\n    conf: {{db: {{password: {password}, connection: 'mysql://nova:{password}@db/nova'}}}}\n"
            ),
        )
        .unwrap();
    };
    write("old", "CANARY-old-9f1", "Q0FOQVJZLW9sZA==");
    write("new", "CANARY-new-3c7", "Q0FOQVJZLW5ldw==");
    for format in ["text", "markdown", "json"] {
        let (code, out, err) = run(stackc()
            .arg("diff")
            .arg(dir.path().join("old"))
            .arg(dir.path().join("new"))
            .args(["--format", format]));
        assert_eq!(code, 1, "{err}");
        for leak in [
            "CANARY-old-9f1",
            "CANARY-new-3c7",
            "Q0FOQVJZLW9sZA==",
            "Q0FOQVJZLW5ldw==",
        ] {
            assert!(
                !out.contains(leak) && !err.contains(leak),
                "{format} leaked {leak}:\n{out}"
            );
        }
        assert!(out.contains("masked"), "{format}: {out}");
    }
}

#[test]
fn errors_exit_2() {
    let (code, _, err) = run(stackc().args([
        "diff",
        "tests/cases/invalid/13-bad-site-name.yaml",
        &format!("{D}/replica-change/new.yaml"),
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E0010"));
    let (code, _, err) = run(stackc().args([
        "diff",
        &format!("{D}/replica-change/old.yaml"),
        "--release",
        "2031.1",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("E0013"), "{err}");
    let (code, _, _) = run(stackc().args(["diff", &format!("{D}/replica-change/old.yaml")]));
    assert_eq!(code, 2, "NEW, --release or --against is required");
}

/// A layer change, reviewed with `--against`: the site and the layer are
/// read at the revision with git, without a checkout.
#[test]
fn a_layer_change_against_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("layer")).unwrap();
    std::fs::copy(
        repo().join(format!("{D}/layer-change/site.yaml")),
        root.join("site.yaml"),
    )
    .unwrap();
    std::fs::copy(
        repo().join(format!("{D}/layer-change/layer/nova.yaml")),
        root.join("layer/nova.yaml"),
    )
    .unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "layer v1"]);
    std::fs::copy(
        repo().join(format!("{D}/layer-change/layer-v2-nova.yaml")),
        root.join("layer/nova.yaml"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args(["--layer", "layer", "diff", "site.yaml", "--against", "HEAD"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("~ spec.values.conf.nova.DEFAULT.cpu_allocation_ratio: 4.0 -> 8.0  (layer layer layer/nova.yaml:"), "{text}");
    assert!(
        text.contains("+ spec.values.conf.nova.DEFAULT.ram_allocation_ratio: 1.0"),
        "{text}"
    );
    assert_golden("golden/diff/layer-change.txt", &text);
    // Unknown revision: exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .current_dir(root)
        .args(["diff", "site.yaml", "--against", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0024"));
}

#[test]
fn diffs_are_deterministic() {
    for (_, args) in scenarios() {
        let a = run(stackc().arg("diff").args(&args).args(["--format", "json"])).1;
        let b = run(stackc()
            .arg("diff")
            .args(&args)
            .args(["--format", "json"])
            .env("TZ", "Asia/Kolkata"))
        .1;
        assert_eq!(a, b);
    }
}

#[test]
fn an_unknown_release_is_an_error_with_suggestions() {
    let (code, out, err) =
        run(stackc().args(["diff", "sites/prod-ha.yaml", "--release", "2025.9"]));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("E0013") && err.contains("did you mean `2025.1`?"),
        "{err}"
    );
}

/// A rendered directory with a file that is not UTF-8: a located error,
/// not a crash.
#[test]
fn a_non_utf8_file_in_a_rendered_directory_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("x.yaml");
    std::fs::write(&bad, b"a: \xff\n").unwrap();
    let (code, _, err) = run(stackc().arg("diff").arg(dir.path()).arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("E0003") && err.contains(&format!("{}:1:4", bad.display())),
        "{err}"
    );
}
