//! `stackc render`: golden trees for every example and target, checked with
//! the real tools (kubectl kustomize, helm, the upstream CRDs,
//! kubernetes-validate); determinism, atomicity, the drift gate, secrets.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const TARGETS: [&str; 3] = ["flux", "argocd", "kustomize"];

fn stem(path: &str) -> &str {
    path.rsplit('/').next().unwrap().trim_end_matches(".yaml")
}

/// The site name (metadata.name) of an example, i.e. its output directory.
fn site_name(path: &str) -> String {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("name:"))
        .unwrap();
    line.split(':').nth(1).unwrap().trim().to_string()
}

fn render_to(out: &Path, site: &str, target: &str) {
    let (code, _, err) = run(stackc()
        .args(["render", "--target", target, "-o"])
        .arg(out)
        .arg(site));
    assert_eq!(code, 0, "{site} ({target}): {err}");
}

/// Renders every example for `target` into a fresh directory.
fn render_all(target: &str) -> (tempfile::TempDir, Vec<(String, PathBuf)>) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for site in sites() {
        render_to(dir.path(), &site, target);
        out.push((site.clone(), dir.path().join(site_name(&site))));
    }
    (dir, out)
}

#[test]
fn rendered_trees_match_goldens() {
    let mut dirs = Vec::new();
    for target in TARGETS {
        let (_tmp, sites) = render_all(target);
        for (site, dir) in &sites {
            let golden = format!("golden/sites/{target}/{}", stem(site));
            assert_golden_tree(&golden, &read_tree(dir));
            dirs.push(format!("{target}/{}", stem(site)));
        }
    }
    // Both ways: no golden tree without an example.
    let mut have: Vec<String> = Vec::new();
    for target in TARGETS {
        if let Ok(rd) = std::fs::read_dir(repo().join("golden/sites").join(target)) {
            for e in rd.flatten() {
                have.push(format!("{target}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    have.sort();
    dirs.sort();
    assert_eq!(
        have, dirs,
        "golden/sites holds exactly the examples x targets"
    );
}

#[test]
fn kubectl_kustomize_builds_flux_and_argocd_output() {
    let kubectl = tool("kubectl");
    for target in ["flux", "argocd"] {
        let (_tmp, sites) = render_all(target);
        for (site, dir) in sites {
            let out = Command::new(&kubectl)
                .arg("kustomize")
                .arg(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{site} ({target}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let docs = String::from_utf8(out.stdout).unwrap();
            // Cluster trees are built on their own (below).
            let files = read_tree(&dir)
                .keys()
                .filter(|k| {
                    k.ends_with(".yaml")
                        && *k != "kustomization.yaml"
                        && !k.starts_with("clusters/")
                })
                .count();
            assert!(
                docs.matches("\nkind: ").count() + usize::from(docs.starts_with("kind: ")) >= files,
                "{site}: every file built"
            );
            for cluster in cluster_dirs(&dir) {
                let out = Command::new(&kubectl)
                    .arg("kustomize")
                    .arg(&cluster)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{site} ({target}) {}: {}",
                    cluster.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

/// The `clusters/<cluster>/` trees of a rendered site.
fn cluster_dirs(site: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(site.join("clusters"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    read_tree(dir)
        .keys()
        .filter(|k| {
            k.ends_with(".yaml")
                && !k.ends_with("kustomization.yaml")
                && !k.ends_with("values.yaml")
        })
        .map(|k| dir.join(k))
        .collect()
}

/// Custom resources validate strictly against the upstream CRDs; plain
/// Kubernetes objects against kubernetes-validate --strict.
#[test]
fn objects_validate_against_crds_and_kubernetes_schemas() {
    let python = tool("python");
    let validator = conformance().join("tools/crd_validate.py");
    let crds = conformance().join("crds");
    for target in TARGETS {
        let (_tmp, sites) = render_all(target);
        for (site, dir) in sites {
            let files = yaml_files(&dir);
            let mut custom = Vec::new();
            let mut plain = Vec::new();
            for f in files {
                let text = std::fs::read_to_string(&f).unwrap();
                // Built-in kinds (Namespace, StorageClass, RBAC) have no CRD.
                let builtin = text.contains("apiVersion: v1\nkind: Namespace")
                    || text.contains("apiVersion: storage.k8s.io/v1\n")
                    || text.contains("apiVersion: rbac.authorization.k8s.io/v1\n");
                if builtin {
                    plain.push(f);
                } else {
                    custom.push(f);
                }
            }
            let out = Command::new(&python)
                .arg(&validator)
                .arg("--strict")
                .arg(&crds)
                .args(&custom)
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{site} ({target}) CRD validation:\n{report}"
            );
            assert!(
                !report.contains("SKIP"),
                "{site} ({target}): every custom resource has a CRD:\n{report}"
            );
            let kv = Command::new(tool("kubernetes-validate"))
                .args(["--strict", "--quiet"])
                .args(&plain)
                .output()
                .unwrap();
            assert!(
                kv.status.success(),
                "{site} ({target}) kubernetes-validate:\n{}{}",
                String::from_utf8_lossy(&kv.stdout),
                String::from_utf8_lossy(&kv.stderr)
            );
        }
    }
}

/// The kustomize target builds offline with helm, on a chart the tests own
/// placed where kustomize looks for a local copy.
#[test]
fn kustomize_target_builds_with_helm_offline() {
    let kubectl = tool("kubectl");
    let helm = tool("helm");
    let (_tmp, sites) = render_all("kustomize");
    for (site, dir) in sites {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let comp = entry.path();
            let k = comp.join("kustomization.yaml");
            if !k.exists() {
                continue;
            }
            place_fixture_chart(&comp);
        }
        let out = Command::new(&kubectl)
            .args(["kustomize", "--enable-helm", "--helm-command"])
            .arg(&helm)
            .arg(&dir)
            .env("HELM_CACHE_HOME", dir.join(".helm-cache"))
            .env("HELM_CONFIG_HOME", dir.join(".helm-config"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{site}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The chart received stackc's values and the secret references.
        assert!(
            text.contains("name: keystone-values"),
            "{site}: inflated keystone"
        );
        assert!(
            text.contains("ref+k8s://v1/Secret/"),
            "{site}: secret references reach the chart"
        );
    }
}

#[test]
fn renders_are_byte_identical_across_environments() {
    for target in TARGETS {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for site in sites() {
            render_to(a.path(), &site, target);
            // Another working directory, time zone and locale.
            let site_abs = repo().join(&site);
            let out = run(Command::new(env!("CARGO_BIN_EXE_stackc"))
                .current_dir(b.path())
                .env("TZ", "Pacific/Chatham")
                .env("LC_ALL", "tr_TR.UTF-8")
                .env("LANG", "tr_TR.UTF-8")
                .args(["render", "--target", target, "-o", "out"])
                .arg(site_abs));
            assert_eq!(out.0, 0, "{}", out.2);
        }
        let ta = read_tree(a.path());
        let tb = read_tree(&b.path().join("out"));
        assert_eq!(ta, tb, "{target}: identical bytes");
        for (path, bytes) in &ta {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(!text.contains('\r'), "{path}: LF only");
            assert!(
                !text.contains(a.path().to_str().unwrap()),
                "{path}: no absolute paths"
            );
            assert!(
                !text.contains(env!("CARGO_PKG_VERSION")) || path.ends_with("values.yaml"),
                "{path}: no tool version"
            );
        }
    }
}

#[test]
fn check_reports_stale_missing_and_extra_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let (code, _, _) = run(stackc()
        .args(["render", "--check", "-o"])
        .arg(out)
        .arg("sites/lab-aio.yaml"));
    assert_eq!(code, 1, "nothing rendered yet");
    render_to(out, "sites/lab-aio.yaml", "flux");
    let (code, stdout, _) = run(stackc()
        .args(["render", "--check", "-o"])
        .arg(out)
        .arg("sites/lab-aio.yaml"));
    assert_eq!((code, stdout.as_str()), (0, ""));
    let site = out.join("lab-aio");
    std::fs::write(site.join("nova/helmrelease.yaml"), "edited\n").unwrap();
    std::fs::remove_file(site.join("namespace.yaml")).unwrap();
    std::fs::write(site.join("nova/extra.yaml"), "x: 1\n").unwrap();
    let (code, stdout, _) = run(stackc()
        .args(["render", "--check", "-o"])
        .arg(out)
        .arg("sites/lab-aio.yaml"));
    assert_eq!(code, 1);
    for line in ["stale: ", "missing: ", "extra: "] {
        assert!(stdout.contains(line), "{stdout}");
    }
    assert!(
        stdout.contains("nova/helmrelease.yaml")
            && stdout.contains("namespace.yaml")
            && stdout.contains("nova/extra.yaml"),
        "{stdout}"
    );
    // --check writes nothing.
    assert_eq!(
        std::fs::read_to_string(site.join("nova/helmrelease.yaml")).unwrap(),
        "edited\n"
    );
}

#[test]
fn refuses_directories_it_does_not_own() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("lab-aio");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("precious.txt"), "keep me").unwrap();
    let (code, _, err) = run(stackc()
        .args(["render", "-o"])
        .arg(dir.path())
        .arg("sites/lab-aio.yaml"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0022"), "{err}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn a_failed_render_keeps_the_previous_tree() {
    let dir = tempfile::tempdir().unwrap();
    render_to(dir.path(), "sites/lab-aio.yaml", "flux");
    let before = read_tree(&dir.path().join("lab-aio"));
    // A broken edit of the same site: nothing is written.
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(repo().join("sites/lab-aio.yaml"))
        .unwrap()
        .replace("nova: {}", "nova: {replcias: 3}");
    std::fs::write(&broken, text).unwrap();
    let (code, _, _) = run(stackc().args(["render", "-o"]).arg(dir.path()).arg(&broken));
    assert_eq!(code, 1);
    assert_eq!(read_tree(&dir.path().join("lab-aio")), before);
}

/// Killing renders at random moments never leaves a half-written tree: a
/// site directory is either the previous complete render or the new one.
#[test]
fn a_killed_render_leaves_whole_trees() {
    let dir = tempfile::tempdir().unwrap();
    let sites_dir = dir.path().join("sites");
    std::fs::create_dir_all(&sites_dir).unwrap();
    let base =
        std::fs::read_to_string(repo().join("tests/cases/valid/everything-ovn-ceph-tls.yaml"))
            .unwrap();
    for i in 0..40 {
        std::fs::write(
            sites_dir.join(format!("s{i:02}.yaml")),
            base.replace("name: everything", &format!("name: site-{i:02}")),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    // A complete first render (flux) to compare against.
    let (code, _, err) = run(stackc().args(["render", "-o"]).arg(&out).arg(&sites_dir));
    assert_eq!(code, 0, "{err}");
    let flux: BTreeMap<String, Vec<u8>> = strip_name(&read_tree(&out.join("site-00")), 0);
    let mut argocd = None;
    for delay_ms in [5u64, 15, 30, 60, 120] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stackc"))
            .args(["render", "--target", "argocd", "-o"])
            .arg(&out)
            .arg(&sites_dir)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        for i in 0..40 {
            let tree = read_tree(&out.join(format!("site-{i:02}")));
            let is_flux = strip_name(&tree, i) == flux;
            let is_argo = tree.contains_key("keystone/application.yaml")
                && !tree.contains_key("keystone/helmrelease.yaml");
            assert!(
                is_flux || is_argo,
                "site-{i:02} is neither the old nor a new complete tree after a kill at {delay_ms} ms"
            );
            if is_argo {
                let full = strip_name(&tree, i);
                match &argocd {
                    None => argocd = Some(full),
                    Some(a) => assert_eq!(&full, a, "site-{i:02}: a complete argocd tree"),
                }
            }
        }
    }
    // And a final, uninterrupted render completes everything.
    let (code, _, _) = run(stackc()
        .args(["render", "--target", "argocd", "-o"])
        .arg(&out)
        .arg(&sites_dir));
    assert_eq!(code, 0);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging directories are cleaned up: {leftovers:?}"
    );
}

/// Makes trees of differently named sites comparable.
fn strip_name(tree: &BTreeMap<String, Vec<u8>>, i: usize) -> BTreeMap<String, Vec<u8>> {
    tree.iter()
        .map(|(k, v)| {
            (
                k.clone(),
                String::from_utf8_lossy(v)
                    .replace(&format!("site-{i:02}"), "SITE")
                    .into_bytes(),
            )
        })
        .collect()
}

#[test]
fn several_sites_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(stackc().args(["render", "-o"]).arg(dir.path()).arg("sites"));
    assert_eq!(code, 0, "{err}");
    for site in sites() {
        assert!(
            dir.path()
                .join(site_name(&site))
                .join("kustomization.yaml")
                .is_file()
        );
    }
    // Two files defining the same site name are refused before writing.
    let (code, _, err) = run(stackc()
        .args(["render", "-o"])
        .arg(dir.path())
        .args(["sites/lab-aio.yaml", "sites/lab-aio.yaml"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0023"), "{err}");
}

/// Secret scanning: no rendered file holds a secret value; canaries
/// planted in rejected inputs appear nowhere.
#[test]
fn no_secret_values_in_any_output() {
    for target in TARGETS {
        let (_tmp, sites) = render_all(target);
        for (site, dir) in sites {
            for (path, bytes) in read_tree(&dir) {
                let text = String::from_utf8(bytes).unwrap();
                assert!(!text.contains("password: password"), "{site}/{path}");
                for (n, line) in text.lines().enumerate() {
                    let Some((key, value)) =
                        line.trim_start().trim_start_matches("- ").split_once(": ")
                    else {
                        continue;
                    };
                    let value = value.trim().trim_matches('\'').trim_matches('"');
                    // External-secrets template actions name a data key.
                    let reference = value.starts_with("ref+k8s://")
                        || value.starts_with("secrets+literal://")
                        || (value.starts_with("{{ .") && value.ends_with("}}"))
                        || key == "secretKey"
                        || value.is_empty();
                    assert!(
                        !stackc::secret::is_secret_key(key) || reference,
                        "{site} {target} {path}:{}: `{key}` holds a value",
                        n + 1
                    );
                    assert!(
                        !stackc::secret::has_url_credentials(value),
                        "{site} {target} {path}:{}: URL credentials",
                        n + 1
                    );
                }
            }
        }
    }
    // Canaries in a rejected site reach no output.
    let dir = tempfile::tempdir().unwrap();
    let canary = "CANARY-render-7f3a";
    let site = std::fs::read_to_string(repo().join("sites/lab-aio.yaml"))
        .unwrap()
        .replace(
            "nova: {}",
            &format!("nova: {{values: {{conf: {{nova: {{database: {{password: {canary}}}}}}}}}}}"),
        );
    let p = dir.path().join("canary.yaml");
    std::fs::write(&p, site).unwrap();
    for format in ["human", "json"] {
        let (code, out, err) = run(stackc()
            .args(["render", "--message-format", format, "-o"])
            .arg(dir.path().join("out"))
            .arg(&p));
        assert_eq!(code, 1);
        assert!(
            !out.contains(canary) && !err.contains(canary),
            "{format}: canary leaked"
        );
    }
    assert!(
        !dir.path().join("out").exists(),
        "nothing written for a rejected site"
    );
}

#[test]
fn secrets_lists_what_to_create_in_the_store() {
    let (code, out, err) = run(stackc().args(["secrets", "sites/prod-ha.yaml"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("prod/east/identity/admin"), "{out}");
    assert!(
        out.contains("prod/east/metadata/proxy-shared-secret"),
        "{out}"
    );
    assert_golden("golden/secrets/prod-ha.txt", &out);
}
