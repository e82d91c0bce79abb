//! Stage 4, render: a resolved site -> the files of its GitOps directory
//! (in memory; stage 5, `emit`, writes them).
//!
//! Layout of `<out>/<site>/`:
//!
//! ```text
//! kustomization.yaml          lists every resource (so `kubectl kustomize` builds it)
//! namespace.yaml              the site namespace
//! sources/helmrepository.yaml the openstack-helm chart repository (flux)
//! flux/sync.yaml              the Flux Kustomization syncing this directory (flux)
//! <component>/                one directory per enabled component:
//!   helmrelease.yaml          flux: HelmRelease
//!   application.yaml          argocd: Application
//!   kustomization.yaml        kustomize: helmCharts entry
//!   values.yaml               kustomize: the chart values
//!   secret-values.yaml        kustomize: secret value references
//!   externalsecret.yaml       secret values and secret objects from the store
//!   httproute.yaml            public endpoints (Gateway API)
//!   certificate.yaml          TLS for public endpoints (cert-manager)
//! kubernetes-keystone-webhook/ (keystoneAuth) webhook-certificate.yaml, and
//!   kube-apiserver/           README.md, webhook.kubeconfig: host settings
//! magnum/                     (magnum) clusterrolebinding.yaml, management-cluster.md
//! clusters/<cluster>/         a tree per cluster on the cloud, applied to that
//!                             cluster (`cluster.rs`); not in the root kustomization
//! ```
//!
//! Files and keys are in a fixed order: paths sorted; Kubernetes objects
//! `apiVersion, kind, metadata, spec`; chart values sorted by key.

mod argocd;
mod cluster;
mod common;
mod flux;
mod keystone_auth;
mod kustomize;
mod magnum;

use std::collections::BTreeMap;

use crate::resolve::{Resolved, ResolvedComponent};

pub use common::{
    PROFILE_ANNOTATION, RELEASE_ANNOTATION, SecretsPlan, remote_key, secret_data_key, secret_name,
    secrets_plan,
};

/// The GitOps flavour to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Flux: HelmRelease + HelmRepository, secrets through `valuesFrom`.
    Flux,
    /// Argo CD: one Application per chart, secrets through helm-secrets/vals
    /// `fileParameters`.
    Argocd,
    /// Kustomize: `helmCharts:` per component (`kustomize build --enable-helm`).
    Kustomize,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Flux => "flux",
            Target::Argocd => "argocd",
            Target::Kustomize => "kustomize",
        }
    }
}

/// The rendered files of one site: relative path -> content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifests {
    pub site: String,
    pub files: BTreeMap<String, String>,
}

/// The repository the openstack-helm charts are published in.
pub const CHART_REPOSITORY: &str = "https://tarballs.opendev.org/openstack/openstack-helm";

/// The chart values a target hands a component's chart (secret values
/// aside: they reach the chart from the store at deploy time), keys sorted.
pub fn chart_values(c: &ResolvedComponent, target: Target) -> serde_json::Value {
    let mut values = c.values.to_sorted_json();
    if target == Target::Argocd {
        argocd::add_job_annotations(&mut values);
    }
    values
}

/// Renders a resolved site for a target.
pub fn render(resolved: &Resolved, target: Target) -> Manifests {
    let mut files = BTreeMap::new();
    let site = &resolved.site;
    // Argo CD syncs in waves: the namespace, then the secrets the
    // Applications read while rendering, then the components by tier.
    let wave = |w: &str| (target == Target::Argocd).then(|| w.to_string());
    files.insert(
        "namespace.yaml".to_string(),
        crate::yaml::to_string(&common::namespace(site, wave("-2"))),
    );
    for c in resolved.components.values() {
        let dir = &c.name;
        // The component's object files (listed by its kustomization under
        // the kustomize target).
        let mut objects: Vec<(&'static str, String)> = Vec::new();
        if let Some(es) = common::external_secret(resolved, c, wave("-1")) {
            objects.push(("externalsecret.yaml", crate::yaml::to_string_multi(&es)));
        }
        let routes = common::http_routes(resolved, c);
        if !routes.is_empty() {
            objects.push(("httproute.yaml", crate::yaml::to_string_multi(&routes)));
            if let Some(cert) = common::certificate(resolved, c) {
                objects.push(("certificate.yaml", crate::yaml::to_string(&cert)));
            }
        }
        if c.name == crate::model::KEYSTONE_WEBHOOK {
            if let Some(cert) = keystone_auth::certificate(resolved, c) {
                objects.push(("webhook-certificate.yaml", crate::yaml::to_string(&cert)));
            }
            files.insert(
                format!("{dir}/kube-apiserver/README.md"),
                keystone_auth::readme(resolved, c),
            );
            files.insert(
                format!("{dir}/kube-apiserver/webhook.kubeconfig"),
                crate::yaml::to_string(&keystone_auth::kubeconfig(resolved, c)),
            );
        }
        if c.name == "magnum"
            && let Some(m) = &resolved.management
        {
            objects.push((
                "clusterrolebinding.yaml",
                crate::yaml::to_string(&magnum::cluster_role_binding(resolved, c)),
            ));
            files.insert(
                format!("{dir}/management-cluster.md"),
                magnum::readme(resolved, m),
            );
        }
        let names: Vec<&'static str> = objects.iter().map(|(name, _)| *name).collect();
        for (name, text) in objects {
            files.insert(format!("{dir}/{name}"), text);
        }
        match target {
            Target::Flux => {
                files.insert(
                    format!("{dir}/helmrelease.yaml"),
                    crate::yaml::to_string(&flux::helm_release(resolved, c)),
                );
            }
            Target::Argocd => {
                files.insert(
                    format!("{dir}/application.yaml"),
                    crate::yaml::to_string(&argocd::application(resolved, c)),
                );
            }
            Target::Kustomize => {
                for (name, text) in kustomize::component_files(resolved, c, &names) {
                    files.insert(format!("{dir}/{name}"), text);
                }
            }
        }
    }
    if target == Target::Flux {
        files.insert(
            "flux/sync.yaml".to_string(),
            crate::yaml::to_string(&flux::sync(resolved)),
        );
        files.insert(
            "sources/helmrepository.yaml".to_string(),
            crate::yaml::to_string(&flux::helm_repository(resolved)),
        );
    }
    for c in &resolved.clusters {
        for (path, text) in cluster::files(resolved, c, target) {
            files.insert(format!("clusters/{}/{path}", c.name), text);
        }
    }
    let root = common::root_kustomization(resolved, target, &files);
    files.insert(
        "kustomization.yaml".to_string(),
        crate::yaml::to_string(&root),
    );
    Manifests {
        site: site.metadata.name.to_string(),
        files,
    }
}
