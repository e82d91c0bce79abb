//! Kubernetes on this cloud (`spec.kubernetes`): the cloud.conf stackc
//! assembles parses, uses only keys cloud-provider-openstack reads, and
//! carries the catalogue's public Keystone endpoint and the site's region
//! wherever they appear; Manila, which the embedded library does not have
//! yet, through a library that does.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value as J;
use stackc::library::ConfKeys;

const TARGETS: [&str; 3] = ["flux", "argocd", "kustomize"];

/// Every document of a rendered YAML file (stackc's own reader).
fn docs(path: &Path) -> Vec<J> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut files = stackc::source::Files::new();
    let id = files.add(stackc::source::SourceFile::new(
        path.display().to_string(),
        text,
        stackc::source::Layer::Rendered,
    ));
    let (docs, diags) = stackc::load::parse_all(id, &files);
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "{}: {diags:?}",
        path.display()
    );
    docs.into_iter().map(|d| d.to_json()).collect()
}

/// Renders `site` (with extra global arguments) for `target` into `out`.
fn render(args: &[&str], site: &Path, target: &str, out: &Path) -> PathBuf {
    let (code, _, err) = run(stackc()
        .args(args)
        .args(["render", "--target", target, "-o"])
        .arg(out)
        .arg(site));
    assert_eq!(code, 0, "{}: {err}", site.display());
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(dirs.len(), 1, "one site rendered into {}", out.display());
    dirs.pop().unwrap()
}

/// The template's Go actions replaced by a placeholder, as external-secrets
/// would fill them.
fn substitute(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("closed action") + i + 2;
        out.push_str("PLACEHOLDER");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Parses cloud.conf files with Python's configparser (an INI reader that
/// is not stackc's): file -> section -> key -> value (quotes removed).
fn parse_ini(files: &[PathBuf]) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let script = r#"
import configparser, json, sys
out = {}
for path in sys.argv[1:]:
    p = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    p.optionxform = str
    p.read(path)
    out[path] = {s: {k: v.strip('"') for k, v in p.items(s)} for s in p.sections()}
print(json.dumps(out))
"#;
    let out = Command::new(tool("python"))
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The key table of the release the example's clusters target.
fn key_table(library: &Path, app: &str) -> ConfKeys {
    let text =
        std::fs::read_to_string(library.join(format!("kubernetes/cloud-conf-keys/{app}.txt")))
            .unwrap();
    ConfKeys::parse(&text)
}

/// Keystone's public endpoint as the rendered keystone release states it.
fn keystone_public_url(site_dir: &Path, target: &str) -> String {
    let values = match target {
        "flux" => docs(&site_dir.join("keystone/helmrelease.yaml"))[0]["spec"]["values"].clone(),
        "argocd" => docs(&site_dir.join("keystone/application.yaml"))[0]["spec"]["source"]["helm"]
            ["valuesObject"]
            .clone(),
        _ => docs(&site_dir.join("keystone/values.yaml"))[0].clone(),
    };
    let id = &values["endpoints"]["identity"];
    let scheme = id["scheme"]["public"].as_str().unwrap();
    let host = id["host_fqdn_override"]["public"]["host"].as_str().unwrap();
    let port = id["port"]["api"]["public"].as_i64().unwrap();
    let default = if scheme == "https" { 443 } else { 80 };
    let port = if port == default {
        String::new()
    } else {
        format!(":{port}")
    };
    format!(
        "{scheme}://{host}{port}{}",
        id["path"]["default"].as_str().unwrap()
    )
}

const MANILA_SITE: &str = r#"apiVersion: stackc.dev/v1alpha1
kind: Site
metadata:
  name: shares
spec:
  release: "2025.2"
  region: RegionShare
  domain: shares.example.org
  tls:
    issuer: {name: site-ca}
    privateCA: {key: tls/ca}
  services:
    keystone: {}
    nova: {}
    neutron: {}
    glance: {}
    placement: {}
    cinder: {}
    manila: {}
  kubernetes:
    clusters:
      - name: files
        project: files
        credential: kubernetes/files
        kubeVersion: "1.36"
        storage:
          cinder: {}
          manila: {protocol: NFS, shareType: general, shareNetwork: 6b1f4a52-2f0d-4a3e-8a2b-0c1d2e3f4a5b}
"#;

/// Every cloud.conf stackc renders (every example and the Manila site,
/// every target) parses as INI once the secrets are filled in, uses only
/// sections and keys of the targeted cloud-provider-openstack release, and
/// states the catalogue's public Keystone URL and the site's region; so do
/// the Manila secret, Magnum's clients and the Keystone webhook.
#[test]
fn cloud_conf_parses_uses_known_keys_and_the_catalogue() {
    let tmp = tempfile::tempdir().unwrap();
    let manila_site = tmp.path().join("shares.yaml");
    std::fs::write(&manila_site, MANILA_SITE).unwrap();
    let mut cases: Vec<(Vec<&str>, PathBuf)> = sites()
        .into_iter()
        .filter(|s| {
            std::fs::read_to_string(repo().join(s))
                .unwrap()
                .contains("\n  kubernetes:")
        })
        .map(|s| (Vec::new(), repo().join(s)))
        .collect();
    assert!(!cases.is_empty(), "an example site has clusters");
    cases.push((Vec::new(), manila_site.clone()));
    let mut confs = 0;
    let mut manila_secrets = 0;
    for target in TARGETS {
        for (args, site) in &cases {
            let out = tempfile::tempdir().unwrap();
            let dir = render(args, site, target, out.path());
            let text = std::fs::read_to_string(site).unwrap();
            let region = text
                .lines()
                .find_map(|l| l.strip_prefix("  region: "))
                .unwrap()
                .to_string();
            let url = keystone_public_url(&dir, target);
            let site_name = dir.file_name().unwrap().to_string_lossy().to_string();
            let table = key_table(&repo().join("library"), "v1.36.0");
            let mut ini_files = Vec::new();
            for (rel, _) in read_tree(&dir) {
                if !rel.ends_with("externalsecret.yaml") || !rel.starts_with("clusters/") {
                    continue;
                }
                for doc in docs(&dir.join(&rel)) {
                    let data = &doc["spec"]["target"]["template"]["data"];
                    if let Some(conf) = data["cloud.conf"].as_str() {
                        let f = out.path().join(format!("{}.ini", ini_files.len()));
                        std::fs::write(&f, substitute(conf)).unwrap();
                        ini_files.push(f);
                        assert_eq!(
                            data["ca.crt"], "{{ .caCert }}",
                            "{rel}: the CA beside cloud.conf"
                        );
                    }
                    if doc["metadata"]["name"] == "csi-manila-secrets" {
                        manila_secrets += 1;
                        assert_eq!(data["os-authURL"], url.as_str(), "{rel}: os-authURL");
                        assert_eq!(data["os-region"], region.as_str(), "{rel}: os-region");
                        for key in data.as_object().unwrap().keys() {
                            assert!(
                                table.manila.contains(key),
                                "{rel}: Manila secret key `{key}`"
                            );
                        }
                    }
                    // No secret value: references to the store, below the
                    // site's prefix (its name).
                    for d in doc["spec"]["data"].as_array().unwrap() {
                        let key = d["remoteRef"]["key"].as_str().unwrap();
                        assert!(key.starts_with(&format!("{site_name}/")), "{rel}: {key}");
                    }
                }
            }
            assert!(
                !ini_files.is_empty(),
                "{}: cloud.conf rendered",
                site.display()
            );
            for (path, sections) in parse_ini(&ini_files) {
                confs += 1;
                for (section, keys) in &sections {
                    let (name, _) = stackc::library::split_section(section).unwrap();
                    let s = table
                        .section(name)
                        .unwrap_or_else(|| panic!("{path}: section [{section}] is not read"));
                    for (key, value) in keys {
                        let k = s
                            .key(key)
                            .unwrap_or_else(|| panic!("{path}: [{section}] {key} is not read"));
                        assert!(
                            value == "PLACEHOLDER" || k.ty.accepts(value),
                            "{path}: [{section}] {key} = {value}"
                        );
                    }
                }
                let global = &sections["Global"];
                assert_eq!(global["auth-url"], url, "{path}: auth-url");
                assert_eq!(global["region"], region, "{path}: region");
                assert_eq!(global["application-credential-id"], "PLACEHOLDER");
                assert_eq!(global["application-credential-secret"], "PLACEHOLDER");
            }
            // The region everywhere else: Magnum's clients, every Keystone
            // account of every chart.
            for (rel, _) in read_tree(&dir) {
                if !rel.ends_with(".yaml") || rel.starts_with("clusters/") {
                    continue;
                }
                for doc in docs(&dir.join(&rel)) {
                    let mut bad = Vec::new();
                    regions(&doc, "", &region, &mut bad);
                    assert!(bad.is_empty(), "{target} {rel}: regions {bad:?}");
                }
            }
        }
    }
    assert!(confs >= 9, "{confs} cloud.conf files checked");
    assert_eq!(manila_secrets, 3, "the Manila secret, once per target");
}

/// Every `region_name` (and Magnum's `*_client.region_name`) found below
/// `doc` that is not `want`.
fn regions(doc: &J, path: &str, want: &str, bad: &mut Vec<String>) {
    match doc {
        J::Object(m) => {
            for (k, v) in m {
                let p = format!("{path}.{k}");
                if (k == "region_name" || k == "os_region_name") && v.is_string() && v != want {
                    bad.push(format!("{p} = {v}"));
                }
                regions(v, &p, want, bad);
            }
        }
        J::Array(a) => a.iter().for_each(|v| regions(v, path, want, bad)),
        _ => {}
    }
}

/// With `services.manila`, `storage.manila` renders the Manila CSI chart,
/// its secret and StorageClass; without it enabled, the error says so.
#[test]
fn manila_follows_the_library() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("shares.yaml");
    std::fs::write(&site, MANILA_SITE).unwrap();
    let dir = render(&[], &site, "flux", tmp.path());
    let c = dir.join("clusters/files/openstack-manila-csi");
    let hr = &docs(&c.join("helmrelease.yaml"))[0];
    assert_eq!(hr["spec"]["chart"]["spec"]["version"], "2.36.0");
    assert_eq!(
        hr["spec"]["values"]["csimanila"]["clusterID"],
        "shares-files"
    );
    assert_eq!(
        hr["spec"]["values"]["shareProtocols"][0]["protocolSelector"],
        "NFS"
    );
    let sc = &docs(&c.join("storageclass.yaml"))[0];
    assert_eq!(sc["provisioner"], "nfs.manila.csi.openstack.org");
    assert_eq!(sc["parameters"]["type"], "general");
    assert_eq!(
        sc["parameters"]["csi.storage.k8s.io/node-publish-secret-name"],
        "csi-manila-secrets"
    );
    let secret = &docs(&c.join("externalsecret.yaml"))[0];
    assert_eq!(
        secret["spec"]["target"]["template"]["data"]["os-certAuthority"],
        "{{ .caCert }}"
    );
    // Without `services.manila`, the error says the site does not run it.
    let without = tmp.path().join("no-manila.yaml");
    std::fs::write(&without, MANILA_SITE.replace("    manila: {}\n", "")).unwrap();
    let (code, _, err) = run(stackc().arg("validate").arg(&without));
    assert_eq!(code, 1);
    assert!(
        err.contains("E0046") && err.contains("which the site does not run"),
        "{err}"
    );
}

/// The cluster trees build (kustomize target: with a chart the tests own
/// standing in for the cloud-provider-openstack charts), and their
/// ExternalSecrets and StorageClasses are valid objects.
#[test]
fn cluster_trees_build_with_helm_offline() {
    let kubectl = tool("kubectl");
    let helm = tool("helm");
    let tmp = tempfile::tempdir().unwrap();
    let site = repo().join("sites/k8s-cloud.yaml");
    let dir = render(&[], &site, "kustomize", tmp.path());
    let mut built = 0;
    for cluster in std::fs::read_dir(dir.join("clusters")).unwrap().flatten() {
        for chart in std::fs::read_dir(cluster.path()).unwrap().flatten() {
            let k = chart.path().join("kustomization.yaml");
            if !k.exists() {
                continue;
            }
            place_fixture_chart(&chart.path());
        }
        let out = Command::new(&kubectl)
            .args(["kustomize", "--enable-helm", "--helm-command"])
            .arg(&helm)
            .arg(cluster.path())
            .env("HELM_CACHE_HOME", tmp.path().join(".helm-cache"))
            .env("HELM_CONFIG_HOME", tmp.path().join(".helm-config"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for want in [
            "name: openstack-cloud-controller-manager-values",
            "name: openstack-cinder-csi-values",
            "kind: ExternalSecret",
            "kind: StorageClass",
            "namespace: kube-system",
        ] {
            assert!(text.contains(want), "{}: {want}", cluster.path().display());
        }
        built += 1;
    }
    assert_eq!(built, 2, "both clusters built");
}

/// A copy of the library.
fn library_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in read_tree(&repo().join("library")) {
        let p = dir.path().join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// A library without the cloud.conf key table of the release the clusters
/// target is reported (E0111); one whose table lacks a key stackc writes
/// fails stackc's own check before anything is written (E0112).
#[test]
fn the_key_table_is_required_and_enforced() {
    let site = repo().join("sites/k8s-cloud.yaml");
    let lib = library_copy();
    let table = lib.path().join("kubernetes/cloud-conf-keys/v1.36.0.txt");
    let full = std::fs::read_to_string(&table).unwrap();
    std::fs::remove_file(&table).unwrap();
    let (code, _, err) = run(stackc()
        .args(["--library", lib.path().to_str().unwrap(), "validate"])
        .arg(&site));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0111") && err.contains("v1.36.0"), "{err}");
    std::fs::write(
        &table,
        full.lines()
            .filter(|l| !l.contains("ignore-volume-az"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, _, err) = run(stackc()
        .args(["--library", lib.path().to_str().unwrap(), "render", "-o"])
        .arg(out.path())
        .arg(&site));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("E0112") && err.contains("[BlockStorage] ignore-volume-az"),
        "{err}"
    );
    assert!(read_tree(out.path()).is_empty(), "nothing written");
}

/// `stackc diff` tells the objects of different clusters apart: a change
/// in one cluster's cloud.conf is one changed object of that cluster.
#[test]
fn diff_tells_clusters_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let old = repo().join("sites/k8s-cloud.yaml");
    let new = tmp.path().join("k8s-cloud.yaml");
    std::fs::write(
        &new,
        std::fs::read_to_string(&old)
            .unwrap()
            .replace("monitor-delay: 10s", "monitor-delay: 20s"),
    )
    .unwrap();
    let (code, out, err) = run(stackc().arg("diff").arg(&old).arg(&new));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("ExternalSecret kube-system/cloud-config (cluster apps)"),
        "{out}"
    );
    assert!(!out.contains("(cluster ci)"), "{out}");
    assert!(
        out.contains("1 changed, 0 added, 0 removed objects"),
        "{out}"
    );
}
