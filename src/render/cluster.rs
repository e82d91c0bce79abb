//! The tree of a cluster on this cloud, `clusters/<cluster>/`, applied to
//! that cluster (never to the control-plane cluster: the site's root
//! kustomization does not list it).
//!
//! ```text
//! clusters/<cluster>/
//!   kustomization.yaml                       every resource below
//!   cloud-config/externalsecret.yaml         kube-system/cloud-config: cloud.conf (+ ca.crt)
//!   sources/helmrepository.yaml              flux: the cloud-provider-openstack repository
//!   flux/sync.yaml                           flux: the Kustomization syncing this tree
//!   <chart>/helmrelease.yaml                 flux
//!   <chart>/application.yaml                 argocd
//!   <chart>/kustomization.yaml, values.yaml  kustomize
//!   openstack-cinder-csi/storageclass.yaml   one per volume type
//!   openstack-manila-csi/externalsecret.yaml csi-manila-secrets
//!   openstack-manila-csi/storageclass.yaml
//! ```

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::Target;
use super::common::remote_key;
use crate::cloudconf::ConfText;
use crate::model::{CINDER_CSI, MANILA_CSI, Site};
use crate::resolve::Resolved;
use crate::resolve::cluster::{
    CA_CERT, CLOUD_CONFIG, CREDENTIAL_ID, CREDENTIAL_SECRET, ClusterChart, MANILA_SECRET,
    NAMESPACE, ResolvedCluster,
};

/// The HelmRepository the cluster's HelmReleases use (flux).
pub const REPOSITORY_NAME: &str = "cloud-provider-openstack";

/// Labels of a cluster's objects.
fn labels(site: &Site, cluster: &str, component: &str) -> J {
    let mut m = serde_json::Map::new();
    for (k, v) in &site.metadata.labels {
        m.insert(k.to_string(), J::String(v.to_string()));
    }
    m.insert("app.kubernetes.io/managed-by".into(), "stackc".into());
    m.insert("app.kubernetes.io/component".into(), component.into());
    m.insert("stackc.dev/site".into(), site.metadata.name.as_str().into());
    m.insert("stackc.dev/cluster".into(), cluster.into());
    J::Object(m)
}

fn metadata(site: &Site, cluster: &str, name: &str, namespace: Option<&str>, component: &str) -> J {
    let mut m = json!({"name": name});
    if let Some(ns) = namespace {
        m["namespace"] = ns.into();
    }
    m["labels"] = labels(site, cluster, component);
    m
}

/// The files of one cluster's tree, relative to `clusters/<cluster>/`.
pub fn files(resolved: &Resolved, c: &ResolvedCluster, target: Target) -> BTreeMap<String, String> {
    let site = &resolved.site;
    let repo = c.repository.as_str();
    let wave = |w: &str| (target == Target::Argocd).then(|| w.to_string());
    let mut files = BTreeMap::new();
    let mut put = |path: String, docs: &[J]| {
        files.insert(path, crate::yaml::to_string_multi(docs));
    };
    put(
        "cloud-config/externalsecret.yaml".into(),
        &[cloud_config(site, c, wave("-1"))],
    );
    // Objects beside each chart (listed by its kustomization under the
    // kustomize target).
    let mut beside: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
    if let Some(cinder) = &c.cinder {
        let mut classes = vec![cinder_class(
            site,
            &c.name,
            "csi-cinder",
            None,
            cinder.default,
        )];
        for t in &cinder.volume_types {
            classes.push(cinder_class(
                site,
                &c.name,
                &format!("csi-cinder-{t}"),
                Some(t),
                false,
            ));
        }
        put(format!("{CINDER_CSI}/storageclass.yaml"), &classes);
        beside
            .entry(CINDER_CSI)
            .or_default()
            .push("storageclass.yaml");
    }
    if let Some(m) = &c.manila_secret {
        put(
            format!("{MANILA_CSI}/externalsecret.yaml"),
            &[manila_secret(site, c, m, wave("-1"))],
        );
        put(
            format!("{MANILA_CSI}/storageclass.yaml"),
            &[manila_class(site, c)],
        );
        beside
            .entry(MANILA_CSI)
            .or_default()
            .extend(["externalsecret.yaml", "storageclass.yaml"]);
    }
    for chart in &c.charts {
        let dir = &chart.chart;
        match target {
            Target::Flux => put(
                format!("{dir}/helmrelease.yaml"),
                &[helm_release(site, c, chart)],
            ),
            Target::Argocd => put(
                format!("{dir}/application.yaml"),
                &[application(site, c, chart, repo)],
            ),
            Target::Kustomize => {
                let mut resources = beside.get(dir.as_str()).cloned().unwrap_or_default();
                resources.sort();
                let mut k = json!({
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    "namespace": NAMESPACE,
                });
                if !resources.is_empty() {
                    k["resources"] = json!(resources);
                }
                k["helmCharts"] = json!([{
                    "name": chart.chart,
                    "repo": repo,
                    "version": chart.version,
                    "releaseName": chart.chart,
                    "namespace": NAMESPACE,
                    "valuesFile": "values.yaml",
                }]);
                put(format!("{dir}/kustomization.yaml"), &[k]);
                put(
                    format!("{dir}/values.yaml"),
                    &[chart.values.to_sorted_json()],
                );
            }
        }
    }
    if target == Target::Flux {
        put(
            "sources/helmrepository.yaml".into(),
            &[json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "HelmRepository",
                "metadata": metadata(site, &c.name, REPOSITORY_NAME, Some(NAMESPACE), "sources"),
                "spec": {"url": repo, "interval": "1h"},
            })],
        );
        let flux = &site.spec.flux;
        let base = flux
            .path
            .clone()
            .unwrap_or_else(|| format!("./rendered/{}", site.metadata.name));
        put(
            "flux/sync.yaml".into(),
            &[json!({
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": metadata(site, &c.name, &format!("stackc-{}-{}", site.metadata.name, c.name), Some(flux.namespace.as_str()), "flux"),
                "spec": {
                    "interval": "10m",
                    "path": format!("{base}/clusters/{}", c.name),
                    "prune": true,
                    "sourceRef": {"kind": "GitRepository", "name": flux.source.as_str(), "namespace": flux.namespace.as_str()},
                    "timeout": "5m",
                },
            })],
        );
    }
    let resources: Vec<String> = match target {
        Target::Kustomize => {
            let mut v: Vec<String> = vec!["cloud-config/externalsecret.yaml".into()];
            v.extend(c.charts.iter().map(|ch| ch.chart.clone()));
            v.sort();
            v
        }
        _ => files.keys().cloned().collect(),
    };
    files.insert(
        "kustomization.yaml".into(),
        crate::yaml::to_string(&json!({
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        })),
    );
    files
}

fn store_ref(c: &ResolvedCluster) -> J {
    json!({"kind": c.store.kind.as_str(), "name": c.store.name.as_str()})
}

/// The ExternalSecret data: the application credential's two properties
/// and the CA certificate.
fn secret_data(site: &Site, c: &ResolvedCluster) -> Vec<J> {
    let key = remote_key(site, &c.credential);
    let mut data = vec![
        json!({"secretKey": CREDENTIAL_ID, "remoteRef": {"key": key, "property": "id"}}),
        json!({"secretKey": CREDENTIAL_SECRET, "remoteRef": {"key": key, "property": "secret"}}),
    ];
    if let Some(ca) = &c.ca {
        data.push(json!({"secretKey": CA_CERT, "remoteRef": {"key": remote_key(site, ca)}}));
    }
    data
}

fn external_secret(
    site: &Site,
    c: &ResolvedCluster,
    name: &str,
    component: &str,
    template: J,
    wave: Option<String>,
) -> J {
    let mut meta = metadata(site, &c.name, name, Some(NAMESPACE), component);
    if let Some(w) = wave {
        meta["annotations"] = json!({"argocd.argoproj.io/sync-wave": w});
    }
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": meta,
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": store_ref(c),
            "target": {
                "name": name,
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
                "template": {"engineVersion": "v2", "data": template},
            },
            "data": secret_data(site, c),
        },
    })
}

/// `kube-system/cloud-config`: cloud.conf assembled by the template (and
/// the CA beside it), read by the controller manager and Cinder CSI.
fn cloud_config(site: &Site, c: &ResolvedCluster, wave: Option<String>) -> J {
    let mut data = json!({"cloud.conf": c.cloud_conf.to_template()});
    if c.ca.is_some() {
        data["ca.crt"] = J::String(format!("{{{{ .{CA_CERT} }}}}"));
    }
    external_secret(site, c, CLOUD_CONFIG, CLOUD_CONFIG, data, wave)
}

/// `kube-system/csi-manila-secrets`: the `os-*` keys the Manila CSI
/// driver reads, named by the StorageClasses.
fn manila_secret(
    site: &Site,
    c: &ResolvedCluster,
    m: &crate::cloudconf::CloudConf,
    wave: Option<String>,
) -> J {
    let mut data = serde_json::Map::new();
    for e in m.sections.iter().flat_map(|s| &s.entries) {
        let v = match &e.value {
            ConfText::Literal(s) => s.clone(),
            ConfText::Secret(k) => format!("{{{{ .{k} }}}}"),
        };
        data.insert(e.key.clone(), J::String(v));
    }
    external_secret(site, c, MANILA_SECRET, MANILA_CSI, J::Object(data), wave)
}

fn cinder_class(
    site: &Site,
    cluster: &str,
    name: &str,
    volume_type: Option<&str>,
    default: bool,
) -> J {
    let mut meta = metadata(site, cluster, name, None, CINDER_CSI);
    if default {
        meta["annotations"] = json!({"storageclass.kubernetes.io/is-default-class": "true"});
    }
    let mut sc = json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta,
        "provisioner": "cinder.csi.openstack.org",
    });
    if let Some(t) = volume_type {
        sc["parameters"] = json!({"type": t});
    }
    sc["reclaimPolicy"] = "Delete".into();
    sc["allowVolumeExpansion"] = true.into();
    sc["volumeBindingMode"] = "WaitForFirstConsumer".into();
    sc
}

fn manila_class(site: &Site, c: &ResolvedCluster) -> J {
    let m = c
        .manila
        .as_ref()
        .expect("a Manila secret with storage.manila");
    let proto = m.protocol.as_str().to_ascii_lowercase();
    let mut params = serde_json::Map::new();
    params.insert("type".into(), m.share_type.as_str().into());
    if let Some(net) = &m.share_network {
        params.insert("shareNetworkID".into(), net.as_str().into());
    }
    for stage in [
        "provisioner",
        "controller-expand",
        "node-stage",
        "node-publish",
    ] {
        params.insert(
            format!("csi.storage.k8s.io/{stage}-secret-name"),
            MANILA_SECRET.into(),
        );
        params.insert(
            format!("csi.storage.k8s.io/{stage}-secret-namespace"),
            NAMESPACE.into(),
        );
    }
    json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": metadata(site, &c.name, &format!("csi-manila-{proto}"), None, MANILA_CSI),
        // <protocol>.<driverName> (the chart's csidriver.yaml).
        "provisioner": format!("{proto}.manila.csi.openstack.org"),
        "parameters": params,
        "reclaimPolicy": "Delete",
        "allowVolumeExpansion": true,
    })
}

fn helm_release(site: &Site, c: &ResolvedCluster, chart: &ClusterChart) -> J {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": metadata(site, &c.name, &chart.chart, Some(NAMESPACE), &chart.chart),
        "spec": {
            "releaseName": chart.chart,
            "chart": {"spec": {
                "chart": chart.chart,
                "version": chart.version,
                "sourceRef": {"kind": "HelmRepository", "name": REPOSITORY_NAME},
                "interval": "1h",
            }},
            "interval": "30m",
            "install": {"remediation": {"retries": 3}},
            "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": true}, "cleanupOnFail": true},
            "values": chart.values.to_sorted_json(),
        },
    })
}

fn application(site: &Site, c: &ResolvedCluster, chart: &ClusterChart, repo: &str) -> J {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": format!("{}-{}-{}", site.metadata.name, c.name, chart.chart),
            "namespace": site.spec.argocd.namespace.as_str(),
            "labels": labels(site, &c.name, &chart.chart),
            "annotations": {"argocd.argoproj.io/sync-wave": "0"},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": site.spec.argocd.project.as_str(),
            "source": {
                "repoURL": repo,
                "chart": chart.chart,
                "targetRevision": chart.version,
                "helm": {"releaseName": chart.chart, "valuesObject": chart.values.to_sorted_json()},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": NAMESPACE},
            "syncPolicy": {
                "automated": {"prune": true, "selfHeal": true},
                "syncOptions": ["ServerSideApply=true"],
                "retry": {"limit": 5, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"}},
            },
        },
    })
}
