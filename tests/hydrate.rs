//! `stackc hydrate`: the real helm on the charts the project owns
//! (tests/charts): every example hydrates, validates strictly and is
//! byte-identical twice; no secret or random value; the cache; helm
//! failing, hanging or missing; charts missing or damaged; the Argo CD hook
//! check.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::charts::{build_repository, build_unpacked, repository};
use common::*;

/// `stackc hydrate` with the test charts, a private cache and the real helm.
fn hydrate(charts: &Path, cache: &Path, out: &Path) -> Command {
    hydrate_with(charts, cache, out, &tool("helm"))
}

fn hydrate_with(charts: &Path, cache: &Path, out: &Path, helm: &Path) -> Command {
    let mut c = stackc();
    c.arg("hydrate")
        .arg("--charts")
        .arg(charts)
        .arg("--cache-dir")
        .arg(cache)
        .arg("--helm")
        .arg(helm)
        .arg("-o")
        .arg(out);
    c
}

/// Runs a failing command with JSON diagnostics: (exit code, diagnostics).
fn failing(cmd: &mut Command) -> (i32, Vec<serde_json::Value>) {
    let (code, stdout, _) = run(cmd.args(["--message-format", "json"]));
    let diags = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (code, diags)
}

/// The one diagnostic's code, message and help, joined.
fn only(diags: &[serde_json::Value]) -> (String, String) {
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    (
        d["code"].as_str().unwrap().to_string(),
        format!("{} | {} | {}", d["file"], d["message"], d["help"]),
    )
}

fn ok(cmd: &mut Command) -> String {
    let (code, _, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    err
}

/// The object files of a hydrated site directory.
fn objects(dir: &Path) -> Vec<PathBuf> {
    read_tree(dir)
        .keys()
        .filter(|k| k.contains('/') && k.ends_with(".yaml"))
        .map(|k| dir.join(k))
        .collect()
}

fn site_dirs(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_hydrates_validates_and_is_deterministic() {
    let charts = repository();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let err = ok(hydrate(&charts, &tmp.path().join("cache-a"), &a).arg("sites"));
    assert!(err.contains("hydrated "), "{err}");
    // Another cache (so helm runs again), working directory, locale and
    // time zone: the same bytes.
    let (code, _, err) = run(Command::new(env!("CARGO_BIN_EXE_stackc"))
        .current_dir(tmp.path())
        .env("TZ", "Pacific/Chatham")
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("HELM_CONFIG_HOME", "/nonexistent")
        .arg("hydrate")
        .arg("--charts")
        .arg(&charts)
        .arg("--cache-dir")
        .arg("cache-b")
        .arg("--helm")
        .arg(tool("helm"))
        .args(["-o", "b"])
        .arg(repo().join("sites")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read_tree(&a),
        read_tree(&b),
        "two hydrations, identical bytes"
    );
    let sites = site_dirs(&a);
    assert_eq!(sites.len(), common::sites().len());
    for site in &sites {
        let files = objects(site);
        assert!(
            files.len() > 40,
            "{}: {} objects",
            site.display(),
            files.len()
        );
        // Every object passes strict validation for the Kubernetes version
        // stackc hydrates for.
        let kv = Command::new(tool("kubernetes-validate"))
            .args(["--strict", "--quiet", "-k", stackc::helm::KUBE_VERSION])
            .args(&files)
            .output()
            .unwrap();
        assert!(
            kv.status.success(),
            "{}: {}{}",
            site.display(),
            String::from_utf8_lossy(&kv.stdout),
            String::from_utf8_lossy(&kv.stderr)
        );
        // The root kustomization lists every object, and kustomize builds it.
        let k = Command::new(tool("kubectl"))
            .arg("kustomize")
            .arg(site)
            .output()
            .unwrap();
        assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stderr));
        let built = String::from_utf8(k.stdout).unwrap();
        assert_eq!(
            built.matches("\n---\n").count() + 1,
            files.len(),
            "{}: every object built",
            site.display()
        );
    }
}

/// The decoded files of a Secret or ConfigMap file.
fn secret_file(path: &Path, key: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap_or_else(|| panic!("{key} in {}", path.display()));
    let b64 = line.split(':').nth(1).unwrap().trim();
    let out = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    out.stdin
        .as_ref()
        .unwrap()
        .write_all(b64.as_bytes())
        .unwrap();
    String::from_utf8(out.wait_with_output().unwrap().stdout).unwrap()
}

/// Store secrets become tokens naming their key; values a chart would
/// randomise are pinned; nothing else looks like generated material.
#[test]
fn secrets_are_tokens_and_nothing_is_random() {
    let tmp = tempfile::tempdir().unwrap();
    ok(hydrate(&repository(), &tmp.path().join("cache"), tmp.path()).arg("sites/prod-ha.yaml"));
    let site = tmp.path().join("prod-east");
    let nova = secret_file(&site.join("nova/secret_nova-etc.yaml"), "nova.conf");
    for line in [
        "connection = mysql+pymysql://nova:stackc-secret.prod~east~database~nova@mariadb.openstack.svc.cluster.local:3306/nova",
        "transport_url = rabbit://nova:stackc-secret.prod~east~messaging~nova@rabbitmq.openstack.svc.cluster.local:5672/nova",
        "memcache_secret_key = stackc-secret.prod~east~memcache~nova",
        "metadata_proxy_shared_secret = stackc-secret.prod~east~metadata~proxy-shared-secret",
    ] {
        assert!(nova.contains(line), "{line} in\n{nova}");
    }
    // rabbitmq uses memcached nowhere; keystone does, without a store key
    // for it: the chart's random default is pinned.
    let keystone = secret_file(
        &site.join("keystone/secret_keystone-etc.yaml"),
        "keystone.conf",
    );
    assert!(
        keystone.contains(
            "memcache_secret_key = stackc-random.endpoints.oslo_cache.auth.memcache_secret_key"
        ),
        "{keystone}"
    );
    // No 64-character random string anywhere (randAlphaNum 64), decoded or not.
    let random = regex::Regex::new(r"\b[A-Za-z0-9]{64}\b").unwrap();
    for (rel, bytes) in read_tree(&site) {
        let text = String::from_utf8(bytes).unwrap();
        for line in text.lines() {
            let value = line.split_once(": ").map_or("", |(_, v)| v).trim();
            if line.trim_start().starts_with("configmap-") {
                continue; // sha256 hashes
            }
            assert!(!random.is_match(value), "{rel}: {line}");
        }
    }
}

#[test]
fn an_unchanged_chart_is_never_rendered_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let out = tmp.path().join("out");
    let err = ok(hydrate(&repository(), &cache, &out).arg("sites/lab-aio.yaml"));
    assert!(err.contains("12 charts: 12 rendered, 0 cached"), "{err}");
    let err = ok(hydrate(&repository(), &cache, &out).arg("sites/lab-aio.yaml"));
    assert!(
        err.contains("unchanged") && err.contains("0 rendered, 12 cached"),
        "{err}"
    );
    // One value edit re-renders the one chart it reaches.
    let site = tmp.path().join("lab.yaml");
    let text = std::fs::read_to_string(repo().join("sites/lab-aio.yaml"))
        .unwrap()
        .replace("    nova: {}", "    nova:\n      values:\n        conf:\n          nova:\n            DEFAULT:\n              cpu_allocation_ratio: 2.0");
    std::fs::write(&site, text).unwrap();
    let err = ok(hydrate(&repository(), &cache, &out).arg(&site));
    assert!(err.contains("1 rendered, 11 cached"), "{err}");
    // The cache holds helm's output per key: 13 entries now.
    let entries = walkdir::WalkDir::new(cache.join("helm"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(entries, 13);
    // Beside each output, the objects made from it; damaged ones are
    // rebuilt from Helm's output, never trusted.
    let objects: Vec<PathBuf> = walkdir::WalkDir::new(cache.join("objects"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    assert_eq!(objects.len(), 13);
    for (i, o) in objects.iter().enumerate() {
        let damaged = if i % 2 == 0 {
            "[[\"../../escape"
        } else {
            r#"[["../../x.yaml", "kind: Pod"]]"#
        };
        std::fs::write(o, damaged).unwrap();
    }
    let before = read_tree(&out);
    let err = ok(hydrate(&repository(), &cache, &out).arg(&site));
    assert!(
        err.contains("unchanged") && err.contains("0 rendered, 12 cached"),
        "{err}"
    );
    assert_eq!(read_tree(&out), before);
    // A warm hydration needs no helm at all... but a helm that exists.
    let (code, diags) = failing(
        hydrate_with(&repository(), &cache, &out, Path::new("/nonexistent/helm"))
            .arg("sites/lab-aio.yaml"),
    );
    let (c, text) = only(&diags);
    assert_eq!((code, c.as_str()), (1, "E0035"), "{text}");
    assert!(text.contains("keystone"), "{text}");
}

#[test]
fn a_relative_helm_path_is_relative_to_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("bin")).unwrap();
    std::os::unix::fs::symlink(tool("helm"), tmp.path().join("bin/helm")).unwrap();
    let mut cmd = hydrate_with(
        &repository(),
        &tmp.path().join("cache"),
        &tmp.path().join("out"),
        Path::new("bin/helm"),
    );
    let err = ok(cmd
        .current_dir(tmp.path())
        .arg(repo().join("sites/lab-aio.yaml")));
    assert!(err.contains("12 charts: 12 rendered"), "{err}");
}

fn broken_repository(replaced: &[(&str, &str)], skip: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    build_repository(dir.path(), replaced, skip);
    dir
}

#[test]
fn helm_failing_hanging_or_missing_is_an_error_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(hydrate(&repository(), &tmp.path().join("c0"), &out).arg("sites/lab-aio.yaml"));
    let before = read_tree(&out);
    // A chart that fails.
    let broken = broken_repository(&[("memcached", "broken")], &[]);
    let (code, diags) =
        failing(hydrate(broken.path(), &tmp.path().join("c1"), &out).arg("sites/lab-aio.yaml"));
    let (c, text) = only(&diags);
    assert_eq!((code, c.as_str()), (1, "E0036"), "{text}");
    assert!(text.contains("helm template memcached"), "{text}");
    assert!(
        text.contains("this test chart always fails to render"),
        "{text}"
    );
    assert_eq!(read_tree(&out), before, "nothing written");
    // A chart that never finishes: stopped after the timeout.
    let hang = broken_repository(&[("memcached", "hang")], &[]);
    let start = std::time::Instant::now();
    let (code, diags) = failing(
        hydrate(hang.path(), &tmp.path().join("c2"), &out)
            .args(["--timeout", "3"])
            .arg("sites/lab-aio.yaml"),
    );
    let (c, text) = only(&diags);
    assert_eq!((code, c.as_str()), (1, "E0037"), "{text}");
    assert!(
        text.contains("helm template memcached") && text.contains("3 s"),
        "{text}"
    );
    assert!(start.elapsed().as_secs() < 60, "stopped in time");
    assert_eq!(read_tree(&out), before, "nothing written");
    // No helm.
    let (code, diags) = failing(
        hydrate_with(
            &repository(),
            &tmp.path().join("c3"),
            &out,
            &tmp.path().join("no-helm"),
        )
        .arg("sites/lab-aio.yaml"),
    );
    let (c, text) = only(&diags);
    assert_eq!((code, c.as_str()), (1, "E0035"), "{text}");
    assert!(text.contains("nova"), "{text}");
    assert_eq!(read_tree(&out), before, "nothing written");
}

#[test]
fn a_chart_version_missing_from_the_charts_directory_is_located_at_its_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let charts = broken_repository(&[], &["nova"]);
    let (code, stdout, _) =
        run(
            hydrate(charts.path(), &tmp.path().join("c"), &tmp.path().join("o"))
                .args(["--message-format", "json"])
                .arg("sites/lab-aio.yaml"),
        );
    assert_eq!(code, 1);
    let d: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "E0038");
    assert_eq!(d["file"], "library/releases/2025.1/release.yaml");
    let release =
        std::fs::read_to_string(repo().join("library/releases/2025.1/release.yaml")).unwrap();
    let line = release
        .lines()
        .nth(d["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(line.trim_start().starts_with("nova: "), "{line}");
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains(
            "helm pull nova --repo https://tarballs.opendev.org/openstack/openstack-helm --version"
        ),
        "{help}"
    );
    assert!(!tmp.path().join("o").exists(), "nothing written");
}

#[test]
fn a_damaged_package_fails_its_index_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let charts = broken_repository(&[], &[]);
    let pkg = std::fs::read_dir(charts.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("keystone-")
        })
        .unwrap();
    let mut bytes = std::fs::read(&pkg).unwrap();
    bytes.push(0);
    std::fs::write(&pkg, bytes).unwrap();
    let (code, _, err) = run(
        hydrate(charts.path(), &tmp.path().join("c"), &tmp.path().join("o"))
            .arg("sites/lab-aio.yaml"),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("E0039") && err.contains("does not match its index"),
        "{err}"
    );
}

/// Unpacked charts give the same objects as their packages.
#[test]
fn unpacked_charts_hydrate_like_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let unpacked = tmp.path().join("unpacked");
    build_unpacked(&unpacked);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ok(hydrate(&repository(), &tmp.path().join("c"), &a).arg("sites/lab-aio.yaml"));
    ok(hydrate(&unpacked, &tmp.path().join("c"), &b).arg("sites/lab-aio.yaml"));
    assert_eq!(read_tree(&a), read_tree(&b));
    // STACKC_CHARTS stands for --charts; --check is the drift gate.
    let (code, _, err) = run(stackc()
        .env("STACKC_CHARTS", &unpacked)
        .args(["hydrate", "--check", "--cache-dir"])
        .arg(tmp.path().join("c"))
        .arg("--helm")
        .arg(tool("helm"))
        .arg("-o")
        .arg(&b)
        .arg("sites/lab-aio.yaml"));
    assert_eq!(code, 0, "{err}");
    std::fs::remove_file(b.join("lab-aio/nova/deployment_nova-api.yaml")).unwrap();
    let (code, stdout, _) = run(stackc()
        .env("STACKC_CHARTS", &unpacked)
        .args(["hydrate", "--check", "--cache-dir"])
        .arg(tmp.path().join("c"))
        .arg("--helm")
        .arg(tool("helm"))
        .arg("-o")
        .arg(&b)
        .arg("sites/lab-aio.yaml"));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("missing: ") && stdout.contains("nova/deployment_nova-api.yaml"),
        "{stdout}"
    );
    // Without any charts directory: a clear error.
    let (code, _, err) = run(stackc()
        .env_remove("STACKC_CHARTS")
        .args(["hydrate", "sites/lab-aio.yaml"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0040"), "{err}");
}

/// Under Argo CD every hook Job carries the hook annotations stackc sets;
/// one that ignores them (upstream's image-repo-sync) is reported.
#[test]
fn argocd_hook_jobs_carry_argocd_hook_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    ok(hydrate(&repository(), &tmp.path().join("c"), &out).args([
        "--target",
        "argocd",
        "sites/lab-aio.yaml",
    ]));
    let sync = std::fs::read_to_string(out.join("lab-aio/nova/job_nova-db-sync.yaml")).unwrap();
    assert!(
        sync.contains("argocd.argoproj.io/hook: Sync")
            && sync.contains("helm.sh/hook: post-install,post-upgrade"),
        "{sync}"
    );
    let site = tmp.path().join("lab.yaml");
    let text = std::fs::read_to_string(repo().join("sites/lab-aio.yaml"))
        .unwrap()
        .replace(
            "    nova: {}",
            "    nova:\n      values:\n        manifests:\n          job_image_repo_sync: true",
        );
    std::fs::write(&site, text).unwrap();
    let (code, diags) = failing(
        hydrate(&repository(), &tmp.path().join("c"), &out)
            .args(["--target", "argocd"])
            .arg(&site),
    );
    let (c, text) = only(&diags);
    assert_eq!((code, c.as_str()), (1, "E0042"), "{text}");
    assert!(
        text.contains("nova-image-repo-sync") && text.contains("PreSync"),
        "{text}"
    );
    // Flux has no such rule.
    ok(hydrate(&repository(), &tmp.path().join("c"), &out).arg(&site));
}

const H: &str = "tests/cases/diff-hydrate";

/// `stackc diff --hydrate` with the test charts.
fn diff_hydrate(cache: &Path) -> Command {
    let mut c = stackc();
    c.args(["diff", "--hydrate", "--charts"])
        .arg(repository())
        .arg("--cache-dir")
        .arg(cache)
        .arg("--helm")
        .arg(tool("helm"));
    c
}

/// Golden hydrated diffs: a conf value edit (the config line, its site
/// line, the restarted workloads), an upgrade (images, Jobs to recreate,
/// hooks), a service switched on.
#[test]
fn hydrated_diffs_match_goldens() {
    let tmp = tempfile::tempdir().unwrap();
    let scenarios: [(&str, Vec<String>); 3] = [
        (
            "conf-edit",
            vec![
                format!("{H}/conf-edit/old.yaml"),
                format!("{H}/conf-edit/new.yaml"),
            ],
        ),
        (
            "upgrade",
            vec![
                format!("{H}/conf-edit/old.yaml"),
                "--release".into(),
                "2025.2".into(),
            ],
        ),
        (
            "service-on",
            vec![
                format!("{H}/service-on/old.yaml"),
                format!("{H}/service-on/new.yaml"),
            ],
        ),
    ];
    let mut expected = Vec::new();
    for (name, args) in scenarios {
        for (format, ext) in [("text", "txt"), ("markdown", "md"), ("json", "json")] {
            let (code, out, err) = run(diff_hydrate(tmp.path())
                .args(&args)
                .args(["--format", format]));
            assert_eq!(code, 1, "{name} ({format}): changes exit 1\n{err}");
            assert!(err.is_empty(), "{name}: {err}");
            let path = format!("golden/diff-hydrate/{name}.{ext}");
            assert_golden(&path, &out);
            expected.push(path);
        }
    }
    expected.sort();
    assert_eq!(
        files_in("golden/diff-hydrate", &["txt", "md", "json"]),
        expected,
        "every hydrated diff golden has a scenario"
    );
}

#[test]
fn a_conf_edit_names_its_config_line_site_line_and_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(diff_hydrate(tmp.path()).args([
        &format!("{H}/conf-edit/old.yaml"),
        &format!("{H}/conf-edit/new.yaml"),
        "--format",
        "json",
    ]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1, "only the Secret is listed: {out}");
    let change = &objects[0]["changes"][0];
    assert_eq!(change["config"]["file"], "nova.conf");
    assert_eq!(
        change["config"]["location"],
        "[DEFAULT] cpu_allocation_ratio"
    );
    assert_eq!(
        (change["old"].as_str(), change["new"].as_str()),
        (Some("3"), Some("4"))
    );
    assert_eq!(change["origin"]["file"], format!("{H}/conf-edit/new.yaml"));
    assert_eq!(change["origin"]["line"], 20);
    assert_eq!(
        (
            v["summary"]["configLines"].as_u64(),
            v["summary"]["attributed"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let restarts: Vec<&str> = v["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "restart")
        .map(|c| c["object"].as_str().unwrap())
        .collect();
    assert_eq!(
        restarts,
        [
            "DaemonSet openstack/nova-compute",
            "DaemonSet openstack/nova-compute-ironic",
            "Deployment openstack/nova-api"
        ]
    );
    // No hash annotation is printed as a change.
    assert!(!out.contains("configmap-etc-hash\": "), "{out}");
}

#[test]
fn an_upgrade_lists_jobs_to_recreate_and_attributes_config_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(diff_hydrate(tmp.path()).args([
        &format!("{H}/conf-edit/old.yaml"),
        "--release",
        "2025.2",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<(&str, &str)> = v["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["message"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.iter().any(|(k, m)| *k == "recreate"
            && m.contains("Job openstack/nova-bootstrap")
            && m.contains("quay.io/airshipit/nova:2025.1-ubuntu_noble -> quay.io/airshipit/nova:2025.2-ubuntu_noble")
            && m.contains("spec.upgrade.force")),
        "{kinds:#?}"
    );
    assert!(
        kinds
            .iter()
            .any(|(k, m)| *k == "hook-rerun" && m.contains("nova-db-sync (changes: image")),
        "{kinds:#?}"
    );
    // Every changed config line names its cause.
    assert_eq!(
        v["summary"]["configLines"], v["summary"]["attributed"],
        "{out}"
    );
}

/// Removing a service deletes its PersistentVolumeClaim: said first.
#[test]
fn removed_volumes_are_consequences() {
    let tmp = tempfile::tempdir().unwrap();
    let new = tmp.path().join("ceph.yaml");
    let text = std::fs::read_to_string(repo().join(format!("{H}/service-on/old.yaml")))
        .unwrap()
        .replace("  services:", "  storage:\n    backend: ceph\n    ceph:\n      monitors: [\"10.0.0.1:6789\"]\n      rbdSecretUUID: 457eb676-33da-42ec-9a8c-9293d545c337\n  services:");
    std::fs::write(&new, text).unwrap();
    let (code, out, err) = run(diff_hydrate(&tmp.path().join("c"))
        .arg(format!("{H}/service-on/old.yaml"))
        .arg(&new));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains(
            "volume removed [glance]: PersistentVolumeClaim openstack/glance-images is deleted"
        ),
        "{out}"
    );
}

/// Hydrated directories diff like the sites they came from.
#[test]
fn hydrated_directories_diff_like_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    for (side, file) in [("a", "old"), ("b", "new")] {
        ok(hydrate(&repository(), &cache, &tmp.path().join(side))
            .arg(format!("{H}/conf-edit/{file}.yaml")));
    }
    let (code, from_dirs, _) = run(stackc()
        .args(["diff", "--hydrate", "--format", "json"])
        .arg(tmp.path().join("a/review"))
        .arg(tmp.path().join("b/review")));
    assert_eq!(code, 1);
    let (_, from_sites, _) = run(diff_hydrate(&cache).args([
        &format!("{H}/conf-edit/old.yaml"),
        &format!("{H}/conf-edit/new.yaml"),
        "--format",
        "json",
    ]));
    let strip = |s: &str| without_origins(s, "consequences");
    assert_eq!(strip(&from_dirs), strip(&from_sites));
}

/// A diff too large for a pull-request comment stays under GitHub's limit
/// and says what it left out.
#[test]
fn markdown_stays_under_the_comment_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let mut keys = String::new();
    for i in 0..2500 {
        keys.push_str(&format!("              option_{i:04}: value-{i}\n"));
    }
    let old = tmp.path().join("old.yaml");
    let new = tmp.path().join("new.yaml");
    let base = std::fs::read_to_string(repo().join(format!("{H}/service-on/old.yaml"))).unwrap();
    std::fs::write(&old, &base).unwrap();
    std::fs::write(
        &new,
        base.replace("    nova: {}", &format!("    nova:\n      values:\n        conf:\n          nova:\n            DEFAULT:\n{keys}")),
    )
    .unwrap();
    let (code, md, err) = run(diff_hydrate(&tmp.path().join("c"))
        .arg(&old)
        .arg(&new)
        .args(["--format", "markdown"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(md.contains("**Not shown**"), "{}", &md[md.len() - 500..]);
    assert!(
        md.contains("#### Consequences"),
        "the summary is always there"
    );
}

/// A chart version bump: its label changes on every object are folded
/// into one consequence, never listed field by field.
#[test]
fn chart_version_labels_are_folded() {
    let tmp = tempfile::tempdir().unwrap();
    let charts = tmp.path().join("charts");
    build_unpacked(&charts);
    common::charts::instantiate(
        "service",
        "nova",
        "2026.1.99+test",
        &charts.join("nova-bumped"),
    );
    let lib = tmp.path().join("library");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(repo().join("library"))
        .arg(&lib)
        .status()
        .unwrap();
    assert!(copy.success());
    let release = lib.join("releases/2025.1/release.yaml");
    let text = std::fs::read_to_string(&release).unwrap();
    let pin = text
        .lines()
        .find(|l| l.starts_with("  nova: "))
        .unwrap()
        .to_string();
    std::fs::write(&release, text.replace(&pin, "  nova: \"2026.1.99+test\"")).unwrap();
    let cache = tmp.path().join("c");
    ok(hydrate(&charts, &cache, &tmp.path().join("a")).arg(format!("{H}/conf-edit/old.yaml")));
    ok(hydrate(&charts, &cache, &tmp.path().join("b"))
        .arg("--library")
        .arg(&lib)
        .arg(format!("{H}/conf-edit/old.yaml")));
    let (code, out, err) = run(stackc()
        .args(["diff", "--hydrate"])
        .arg(tmp.path().join("a/review"))
        .arg(tmp.path().join("b/review")));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("labels [nova]: chart version labels change on")
            && out.contains("-> nova-2026.1.99_test)"),
        "{out}"
    );
    assert!(
        !out.contains("helm.sh/chart:"),
        "no label printed field by field: {out}"
    );
}
