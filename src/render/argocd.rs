//! Argo CD: an Application per chart.
//!
//! Values go in `spec.source.helm.valuesObject`. Argo CD has no native way
//! to read Helm values from a Secret, so secret values use the helm-secrets
//! plugin with the vals backend on the repo server: each value path is a
//! `fileParameters` entry reading the component's Secret (materialised by
//! its ExternalSecret) at render time:
//! `secrets+literal://vals!ref+k8s://v1/Secret/<ns>/<name>/<key>`.
//! The sync wave is the component's tier; openstack-helm's Helm hook jobs
//! run as Argo CD Sync hooks (`annotations.job.default`), so they run during
//! the sync and are replaced, not patched, on upgrades.

use serde_json::{Value as J, json};

use super::common::{labels, vals_ref};
use crate::resolve::{Resolved, ResolvedComponent};

/// Job annotations that make openstack-helm's hook jobs work under Argo CD.
pub fn job_annotations() -> J {
    json!({"default": {
        "argocd.argoproj.io/hook": "Sync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    }})
}

pub fn application(resolved: &Resolved, c: &ResolvedComponent) -> J {
    let site = &resolved.site;
    let ns = site.spec.namespace.as_str();
    let mut values = c.values.to_sorted_json();
    if let J::Object(m) = &mut values {
        let ann = m.entry("annotations").or_insert_with(|| json!({}));
        if let J::Object(a) = ann {
            a.insert("job".into(), job_annotations());
        }
        // Keep the documented key order (sorted).
        m.sort_keys();
    }
    let mut helm = json!({"releaseName": c.name});
    if !c.secrets.is_empty() {
        let params: Vec<J> = c
            .secrets
            .iter()
            .map(|s| {
                json!({
                    "name": s.path,
                    "path": format!("secrets+literal://vals!{}", vals_ref(ns, &c.name, &s.key)),
                })
            })
            .collect();
        helm["fileParameters"] = J::Array(params);
    }
    helm["valuesObject"] = values;
    let mut meta_labels = labels(site, Some(&c.name));
    meta_labels["stackc.dev/tier"] = J::String(c.tier.to_string());
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": format!("{}-{}", site.metadata.name, c.name),
            "namespace": site.spec.argocd.namespace.as_str(),
            "labels": meta_labels,
            "annotations": {"argocd.argoproj.io/sync-wave": c.tier.to_string()},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": site.spec.argocd.project.as_str(),
            "source": {
                "repoURL": super::CHART_REPOSITORY,
                "chart": c.chart,
                "targetRevision": c.version,
                "helm": helm,
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
            "syncPolicy": {
                "automated": {"prune": true, "selfHeal": true},
                "syncOptions": ["ServerSideApply=true"],
                "retry": {"limit": 5, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"}},
            },
        },
    })
}
