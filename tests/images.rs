//! The images a site pulls: every release-tagged image carries the site's
//! release, and with `spec.images.registry` every image of every chart comes
//! from the mirror (`stackc images`, the rendered values, and what a chart
//! that pulls its images the openstack-helm way makes of them).

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;

const MIRROR: &str = "registry.example.com/mirror";

/// The example sites and the test sites.
fn all_sites() -> Vec<String> {
    let mut v = sites();
    v.extend(files_in("tests/cases/valid", &["yaml"]));
    v
}

/// `site` with `spec.images.registry: MIRROR`, written into `dir`.
fn with_mirror(site: &str, dir: &Path) -> String {
    let mut text = std::fs::read_to_string(repo().join(site)).unwrap();
    let registry = format!("\n  images:\n    registry: {MIRROR}\n");
    if !text.contains(&registry) {
        assert!(text.contains("\nspec:\n"), "{site}");
        text = text.replacen("\nspec:\n", &format!("\nspec:{registry}"), 1);
    }
    let path = dir.join(Path::new(site).file_name().unwrap());
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn lines(out: &str) -> Vec<String> {
    out.lines().map(str::to_string).collect()
}

fn release_of_site(site: &str) -> String {
    let text = std::fs::read_to_string(repo().join(site)).unwrap();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("release: "))
        .unwrap()
        .trim_matches('"')
        .to_string()
}

/// `<YYYY.N>` of a `<repo>:<YYYY.N>-ubuntu_<distro>` image.
fn release_tag(image: &str) -> Option<&str> {
    let tag = image.rsplit_once(':')?.1;
    let (series, _) = tag.split_once("-ubuntu_")?;
    (series.len() == 6 && series.as_bytes()[4] == b'.').then_some(series)
}

/// Every component's resolved values templated through the test chart that
/// pulls images like openstack-helm: component -> container images.
fn chart_images(site: &str, work: &Path) -> Vec<(String, Vec<String>)> {
    let (code, out, err) = run(stackc().args(["values", site]));
    assert_eq!(code, 0, "{site}: {err}");
    let mut result = Vec::new();
    for doc in out.split("---\n").filter(|d| !d.trim().is_empty()) {
        let component = doc
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .and_then(|l| l.split(':').next())
            .unwrap_or_else(|| panic!("{site}: a values document names its component"))
            .to_string();
        let values = work.join(format!("{component}.yaml"));
        std::fs::write(&values, doc).unwrap();
        let rendered = Command::new(tool("helm"))
            .args(["template", &component])
            .arg(repo().join("tests/fixtures/images-chart"))
            .args(["--namespace", "openstack", "-f"])
            .arg(&values)
            .env("HELM_CACHE_HOME", work.join(".helm-cache"))
            .env("HELM_CONFIG_HOME", work.join(".helm-config"))
            .env("HELM_DATA_HOME", work.join(".helm-data"))
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "{site} {component}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let images: Vec<String> = String::from_utf8(rendered.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.trim().strip_prefix("image: "))
            .map(|i| i.trim_matches('"').to_string())
            .collect();
        assert!(!images.is_empty(), "{site} {component}: no images");
        result.push((component, images));
    }
    result
}

/// The images of the rendered cluster HelmReleases of `site`
/// (`clusters/<c>/<chart>/helmrelease.yaml`): every `image` map's
/// `repository:tag`, the tag defaulting to the chart's appVersion (the
/// cloud-provider-openstack release, `v<major>.<minor>.<patch>` of the
/// chart version `2.<minor>.<patch>`).
fn cluster_images(site: &str, work: &Path) -> BTreeSet<String> {
    let out = work.join("clusters-out");
    let _ = std::fs::remove_dir_all(&out);
    let (code, _, err) = run(stackc().args(["render", "-o"]).arg(&out).arg(site));
    assert_eq!(code, 0, "{site}: {err}");
    let mut images = BTreeSet::new();
    for (file, bytes) in read_tree(&out) {
        if !(file.contains("/clusters/") && file.ends_with("/helmrelease.yaml")) {
            continue;
        }
        let doc: serde_json::Value = serde_yaml::from_slice(&bytes).unwrap();
        let spec = &doc["spec"]["chart"]["spec"];
        let version = spec["version"].as_str().unwrap();
        let (_, rest) = version.split_once('.').unwrap();
        let app_version = format!("v1.{rest}");
        for (repository, tag) in image_maps(&doc["spec"]["values"]).into_values() {
            let tag = tag.unwrap_or_else(|| app_version.clone());
            images.insert(format!("{repository}:{tag}"));
        }
    }
    images
}

/// Every release-tagged image a chart pulls carries the site's release:
/// no 2026.1 pod in a 2025.1 site, whatever the chart defaults are.
#[test]
fn release_tagged_images_carry_the_site_release() {
    let work = tempfile::tempdir().unwrap();
    for site in all_sites() {
        let release = release_of_site(&site);
        let mut tagged = 0;
        for (component, images) in chart_images(&site, work.path()) {
            for image in images {
                if let Some(r) = release_tag(&image) {
                    assert_eq!(r, release, "{site} {component}: {image}");
                    tagged += 1;
                }
            }
        }
        assert!(tagged > 50, "{site}: {tagged} release-tagged images");
        // `stackc images` lists exactly what the charts pull.
        let (code, out, _) = run(stackc().args(["images", &site]));
        assert_eq!(code, 0);
        let listed: BTreeSet<String> = lines(&out).into_iter().collect();
        let pulled: BTreeSet<String> = chart_images(&site, work.path())
            .into_iter()
            .flat_map(|(_, i)| i)
            .collect();
        // Plus the cloud-provider-openstack images of the site's clusters,
        // each in a rendered cluster HelmRelease.
        let clusters = cluster_images(&site, work.path());
        let expected: BTreeSet<String> = pulled.union(&clusters).cloned().collect();
        assert_eq!(listed, expected, "{site}: stackc images");
        let mut sorted = lines(&out);
        sorted.sort();
        assert_eq!(sorted, lines(&out), "{site}: sorted, one per line");
    }
}

/// With a registry mirror, every image of every chart of every example is
/// pulled from the mirror, quay.io/airshipit and docker.io alike; nothing in
/// the rendered tree points at a public registry any more.
#[test]
fn a_registry_mirror_moves_every_image() {
    let work = tempfile::tempdir().unwrap();
    for site in all_sites() {
        let mirrored = with_mirror(&site, work.path());
        for (component, images) in chart_images(&mirrored, work.path()) {
            for image in images {
                assert!(
                    image.starts_with(&format!("{MIRROR}/")),
                    "{site} {component}: {image} is not in the mirror"
                );
            }
        }
        let (code, out, err) = run(stackc().args(["images", &mirrored]));
        assert_eq!(code, 0, "{err}");
        for image in lines(&out) {
            assert!(image.starts_with(&format!("{MIRROR}/")), "{site}: {image}");
        }
        // The pairs: every upstream image of the site, once, to its mirror copy.
        let sources = |site: &str| -> Vec<String> {
            let (_, pairs, _) = run(stackc().args(["images", "--pairs", site]));
            lines(&pairs)
                .iter()
                .map(|l| l.split_once(' ').unwrap().0.to_string())
                .collect()
        };
        assert_eq!(sources(&mirrored), sources(&site), "{site}: --pairs");
        let (_, pairs, _) = run(stackc().args(["images", "--pairs", &mirrored]));
        for pair in lines(&pairs) {
            let (from, to) = pair.split_once(' ').unwrap();
            let tag = |i: &str| i.rsplit_once(':').map(|(_, t)| t.to_string());
            assert_eq!(tag(from), tag(to), "{site}: {pair}");
        }
        // The rendered tree, every target: no image left upstream.
        for target in ["flux", "argocd", "kustomize"] {
            let out_dir = work.path().join(format!("out-{target}"));
            let (code, _, err) = run(stackc()
                .args(["render", "--target", target, "-o"])
                .arg(&out_dir)
                .arg(&mirrored));
            assert_eq!(code, 0, "{site} {target}: {err}");
            for (file, bytes) in read_tree(&out_dir) {
                let text = String::from_utf8(bytes).unwrap();
                for public in ["quay.io/", "docker.io/", "ghcr.io/", "registry.k8s.io/"] {
                    assert!(
                        !text.contains(public),
                        "{site} {target}: {file} still names {public}"
                    );
                }
            }
        }
    }
}

/// `explain` names the site field that moved an image.
#[test]
fn explain_names_the_registry() {
    let work = tempfile::tempdir().unwrap();
    let mirrored = with_mirror("sites/lab-aio.yaml", work.path());
    let (code, out, err) = run(stackc().args(["explain", &mirrored, "nova.images.tags.nova_api"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "nova.images.tags.nova_api = {MIRROR}/nova:2025.1-ubuntu_noble"
        )),
        "{out}"
    );
    assert!(out.contains("site images.registry"), "{out}");
}

/// A key deleted with `null` would fall back to the chart's default image,
/// outside the mirror (E0034); two upstream images on one mirror name would
/// overwrite each other (E0033).
#[test]
fn images_the_mirror_cannot_hold_are_errors() {
    let work = tempfile::tempdir().unwrap();
    let mirrored = with_mirror("sites/lab-aio.yaml", work.path());
    let base = std::fs::read_to_string(&mirrored).unwrap();
    let site = work.path().join("bad.yaml");
    let with_nova = |values: &str| {
        base.replace(
            "    nova: {}",
            &format!("    nova:\n      values:\n        images:\n          tags:\n{values}"),
        )
    };
    assert!(base.contains("    nova: {}"));
    std::fs::write(&site, with_nova("            nova_serialproxy: null\n")).unwrap();
    let (code, out, _) = run(stackc()
        .args(["--message-format", "json", "values"])
        .arg(&site));
    assert_eq!(code, 1, "{out}");
    let d: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "E0034", "{out}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(24), Some(31)),
        "{out}"
    );
    std::fs::write(
        &site,
        with_nova("            rabbit_init: quay.io/airshipit/rabbitmq:3.13-management\n"),
    )
    .unwrap();
    let (code, out, _) = run(stackc()
        .args(["--message-format", "json", "values"])
        .arg(&site));
    assert_eq!(code, 1);
    let d: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "E0033", "{out}");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("registry.example.com/mirror/rabbitmq:3.13-management"),
        "{out}"
    );
    assert_eq!(
        d["line"].as_u64(),
        Some(11),
        "at spec.images.registry: {out}"
    );
}

/// `scripts/check-real-charts` on packaged charts the tests own (the images
/// test chart, packaged under every pinned chart name and version the way
/// `helm pull` leaves them): it templates and validates every component,
/// checks the images (release, `stackc images`, behind a mirror) and fails,
/// naming it, on a pinned version the directory lacks.
#[test]
fn check_real_charts_takes_packaged_charts() {
    let work = tempfile::tempdir().unwrap();
    let site = "sites/lab-aio.yaml";
    let (code, values, _) = run(stackc().args(["values", site]));
    assert_eq!(code, 0);
    let charts = work.path().join("charts");
    let fixture = repo().join("tests/fixtures/images-chart");
    let mut packaged = 0;
    for line in values.lines().filter_map(|l| l.strip_prefix("# ")) {
        // `nova: chart nova 2026.1.27+0ee5adeff, tier 3`
        let words: Vec<&str> = line.split([' ', ',']).collect();
        let (chart, version) = (words[2], words[3]);
        if chart == "memcached" {
            continue; // missing from the directory: a failure, not a skip
        }
        let src = work.path().join("src").join(chart);
        std::fs::create_dir_all(src.join("templates")).unwrap();
        let meta = std::fs::read_to_string(fixture.join("Chart.yaml"))
            .unwrap()
            .replace("name: images", &format!("name: {chart}"));
        std::fs::write(src.join("Chart.yaml"), meta).unwrap();
        std::fs::copy(
            fixture.join("templates/pods.yaml"),
            src.join("templates/pods.yaml"),
        )
        .unwrap();
        let out = Command::new(tool("helm"))
            .args(["package", "--version", version, "-d"])
            .arg(&charts)
            .arg(&src)
            .env("HELM_CACHE_HOME", work.path().join(".helm-cache"))
            .env("HELM_CONFIG_HOME", work.path().join(".helm-config"))
            .env("HELM_DATA_HOME", work.path().join(".helm-data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(charts.join(format!("{chart}-{version}.tgz")).is_file());
        packaged += 1;
    }
    assert!(packaged >= 10);
    let out = Command::new(repo().join("scripts/check-real-charts"))
        .arg(&charts)
        .arg(site)
        .env("STACKC", env!("CARGO_BIN_EXE_stackc"))
        .env("STACKC_TOOLS", tools_dir())
        .current_dir(repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("FAIL {site} memcached:"))
            && stdout.contains("memcached 2026.1.1+0ee5adeff is pinned but")
            && stdout.contains(&format!("FAIL {site} (behind a mirror) memcached:")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("1 sites, {packaged} component renders"))
            && stdout.contains("; 2 failures;"),
        "only the missing chart fails: {stdout}"
    );
}
