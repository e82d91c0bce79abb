//! Flux: a HelmRelease per chart and the HelmRepository they use.
//!
//! Secrets reach the charts through `valuesFrom`: each component's
//! ExternalSecret materialises a Secret whose keys are secret roles, and
//! each value path the chart needs is a `valuesFrom` entry with
//! `targetPath`. No secret value is ever in the rendered files.

use serde_json::{Value as J, json};

use super::common::{labels, metadata, secret_data_key, secret_name};
use crate::resolve::{Resolved, ResolvedComponent};

/// The HelmRepository name the HelmReleases refer to.
pub const REPOSITORY_NAME: &str = "openstack-helm";

pub fn helm_repository(resolved: &Resolved) -> J {
    let site = &resolved.site;
    json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": REPOSITORY_NAME, "namespace": site.spec.namespace.as_str(), "labels": labels(site, None)},
        "spec": {"url": super::CHART_REPOSITORY, "interval": "1h"},
    })
}

/// The Flux Kustomization that syncs this rendered directory from Git
/// (like Flux's own `gotk-sync.yaml`, it is part of what it applies).
pub fn sync(resolved: &Resolved) -> J {
    let site = &resolved.site;
    let flux = &site.spec.flux;
    let path = flux
        .path
        .clone()
        .unwrap_or_else(|| format!("./rendered/{}", site.metadata.name));
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": format!("stackc-{}", site.metadata.name), "namespace": flux.namespace.as_str(), "labels": labels(site, None)},
        "spec": {
            "interval": "10m",
            "path": path,
            "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": flux.source.as_str(), "namespace": flux.namespace.as_str()},
            "timeout": "5m",
        },
    })
}

pub fn helm_release(resolved: &Resolved, c: &ResolvedComponent) -> J {
    let site = &resolved.site;
    let ns = site.spec.namespace.as_str();
    let depends: Vec<J> = c.depends_on.iter().map(|d| json!({"name": d})).collect();
    let values_from: Vec<J> = c
        .secrets
        .iter()
        .map(|s| {
            json!({
                "kind": "Secret",
                "name": secret_name(&c.name),
                "valuesKey": secret_data_key(&s.key),
                "targetPath": s.path,
            })
        })
        .collect();
    let mut spec = json!({
        "releaseName": c.name,
        "chart": {"spec": {
            "chart": c.chart,
            "version": c.version,
            "sourceRef": {"kind": "HelmRepository", "name": REPOSITORY_NAME},
            "interval": "1h",
        }},
        "interval": "30m",
        // openstack-helm runs database and bootstrap work in Helm hook jobs
        // that can take a while on first install.
        "timeout": "30m",
        "maxHistory": 5,
        "install": {"remediation": {"retries": 3}},
        "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": true}, "cleanupOnFail": true},
    });
    if !depends.is_empty() {
        spec["dependsOn"] = J::Array(depends);
    }
    if !values_from.is_empty() {
        spec["valuesFrom"] = J::Array(values_from);
    }
    spec["values"] = c.values.to_sorted_json();
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": metadata(site, &c.name, ns, Some(&c.name)),
        "spec": spec,
    })
}
