//! Objects every target renders: the namespace, ExternalSecrets, Gateway
//! API routes, certificates and the root kustomization.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as J, json};

use super::Target;
use crate::model::Site;
use crate::resolve::{Resolved, ResolvedComponent};

/// Labels on every object stackc renders: the site's own labels, then
/// stackc's (which win).
pub fn labels(site: &Site, component: Option<&str>) -> J {
    let mut m = serde_json::Map::new();
    for (k, v) in &site.metadata.labels {
        m.insert(k.to_string(), J::String(v.to_string()));
    }
    m.insert("app.kubernetes.io/managed-by".into(), "stackc".into());
    m.insert("app.kubernetes.io/part-of".into(), "openstack".into());
    if let Some(c) = component {
        m.insert("app.kubernetes.io/component".into(), c.into());
    }
    m.insert("stackc.dev/site".into(), site.metadata.name.as_str().into());
    J::Object(m)
}

pub fn metadata(site: &Site, name: &str, namespace: &str, component: Option<&str>) -> J {
    json!({"name": name, "namespace": namespace, "labels": labels(site, component)})
}

/// The site namespace; `wave` is an Argo CD sync wave. Its annotations
/// record the release and profile the tree was rendered for (read back by
/// `stackc diff` on rendered directories).
pub fn namespace(site: &Site, wave: Option<String>) -> J {
    let mut meta = json!({"name": site.spec.namespace.as_str(), "labels": labels(site, None)});
    let mut ann = serde_json::Map::new();
    if let Some(w) = wave {
        ann.insert("argocd.argoproj.io/sync-wave".into(), J::String(w));
    }
    ann.insert(RELEASE_ANNOTATION.into(), site.spec.release.as_str().into());
    ann.insert(PROFILE_ANNOTATION.into(), site.spec.profile.as_str().into());
    meta["annotations"] = J::Object(ann);
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
}

/// The release a rendered tree was made for (on the Namespace).
pub const RELEASE_ANNOTATION: &str = "stackc.dev/release";
/// The profile a rendered tree was made for (on the Namespace).
pub const PROFILE_ANNOTATION: &str = "stackc.dev/profile";

/// Adds an Argo CD sync wave annotation.
fn with_wave(meta: &mut J, wave: Option<String>) {
    if let Some(w) = wave {
        meta["annotations"] = json!({"argocd.argoproj.io/sync-wave": w});
    }
}

/// The Secret (and ExternalSecret) holding a component's secret values.
pub fn secret_name(component: &str) -> String {
    format!("{component}-stackc-secrets")
}

/// A secret role as a Secret data key: `identity/admin` -> `identity.admin`.
pub fn secret_data_key(role: &str) -> String {
    role.replace('/', ".")
}

/// A vals reference to a secret value in a component's Secret (read at
/// deploy time by vals, never written out).
pub fn vals_ref(namespace: &str, component: &str, role: &str) -> String {
    format!(
        "ref+k8s://v1/Secret/{namespace}/{}/{}",
        secret_name(component),
        secret_data_key(role)
    )
}

/// The remote key of a role in the store: `<prefix>/<role>`.
pub fn remote_key(site: &Site, role: &str) -> String {
    format!("{}/{role}", site.secret_prefix())
}

fn store_ref(site: &Site) -> J {
    let store = &site.spec.secrets.store;
    json!({"kind": store.kind.as_str(), "name": store.name.as_str()})
}

/// The ExternalSecrets of a component: one for its secret values (read by
/// the chart through the target's mechanism) and one per secret object.
pub fn external_secret(
    resolved: &Resolved,
    c: &ResolvedComponent,
    wave: Option<String>,
) -> Option<Vec<J>> {
    let site = &resolved.site;
    let ns = site.spec.namespace.as_str();
    let mut docs = Vec::new();
    let roles: BTreeSet<&str> = c.secrets.iter().map(|s| s.key.as_str()).collect();
    if !roles.is_empty() {
        docs.push(external_secret_doc(
            site,
            &secret_name(&c.name),
            ns,
            &c.name,
            roles.iter().map(|r| (secret_data_key(r), r.to_string())),
        ));
    }
    for so in &c.secret_objects {
        docs.push(external_secret_doc(
            site,
            &so.name,
            ns,
            &c.name,
            so.data.iter().cloned(),
        ));
    }
    for d in &mut docs {
        with_wave(&mut d["metadata"], wave.clone());
    }
    (!docs.is_empty()).then_some(docs)
}

fn external_secret_doc(
    site: &Site,
    name: &str,
    ns: &str,
    component: &str,
    data: impl Iterator<Item = (String, String)>,
) -> J {
    let data: Vec<J> = data
        .map(|(key, role)| json!({"secretKey": key, "remoteRef": {"key": remote_key(site, &role)}}))
        .collect();
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(site, name, ns, Some(component)),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": store_ref(site),
            "target": {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
            "data": data,
        },
    })
}

/// Gateway API routes for a component's public endpoints.
pub fn http_routes(resolved: &Resolved, c: &ResolvedComponent) -> Vec<J> {
    let site = &resolved.site;
    let gw = &site.spec.gateway;
    c.routes
        .iter()
        .map(|r| {
            let short = r.host.split('.').next().unwrap_or(&c.name);
            let mut parent = json!({"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gw.name.as_str(), "namespace": gw.namespace.as_str()});
            if let Some(section) = &gw.section_name {
                parent["sectionName"] = J::String(section.to_string());
            }
            json!({
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": metadata(site, short, site.spec.namespace.as_str(), Some(&c.name)),
                "spec": {
                    "parentRefs": [parent],
                    "hostnames": [r.host],
                    "rules": [{
                        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                        "backendRefs": [{"name": r.service, "port": r.port}],
                    }],
                },
            })
        })
        .collect()
}

/// The TLS certificate for a component's public hostnames (with `spec.tls`).
pub fn certificate(resolved: &Resolved, c: &ResolvedComponent) -> Option<J> {
    let site = &resolved.site;
    let tls = site.spec.tls.as_ref()?;
    let hosts: Vec<&str> = c.routes.iter().map(|r| r.host.as_str()).collect();
    Some(json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": metadata(site, &format!("{}-public", c.name), site.spec.namespace.as_str(), Some(&c.name)),
        "spec": {
            "secretName": format!("{}-public-tls", c.name),
            "dnsNames": hosts,
            "issuerRef": {"group": "cert-manager.io", "kind": tls.issuer.kind.as_str(), "name": tls.issuer.name.as_str()},
        },
    }))
}

/// The root kustomization: every resource file (flux, argocd) or component
/// directory (kustomize), sorted.
pub fn root_kustomization(
    resolved: &Resolved,
    target: Target,
    files: &BTreeMap<String, String>,
) -> J {
    let resources: Vec<String> = match target {
        Target::Kustomize => {
            let mut v: Vec<String> = vec!["namespace.yaml".into()];
            v.extend(resolved.components.keys().cloned());
            v.sort();
            v
        }
        // Cluster trees are applied to their own clusters; host files
        // (documentation, kube-apiserver settings) are not objects.
        _ => files
            .keys()
            .filter(|p| {
                p.as_str() != "kustomization.yaml"
                    && !p.starts_with("clusters/")
                    && p.ends_with(".yaml")
            })
            .cloned()
            .collect(),
    };
    json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    })
}

/// Every secret the site needs in the store, with who uses it.
#[derive(Debug, Clone, Default)]
pub struct SecretsPlan {
    /// remote key -> (components, value paths or Secret names that use it)
    pub keys: BTreeMap<String, Vec<(String, String)>>,
}

pub fn secrets_plan(resolved: &Resolved) -> SecretsPlan {
    let site = &resolved.site;
    let mut plan = SecretsPlan::default();
    for c in resolved.components.values() {
        for s in &c.secrets {
            plan.keys
                .entry(remote_key(site, &s.key))
                .or_default()
                .push((c.name.clone(), s.path.clone()));
        }
        for so in &c.secret_objects {
            for (k, role) in &so.data {
                plan.keys
                    .entry(remote_key(site, role))
                    .or_default()
                    .push((c.name.clone(), format!("Secret {}/{k}", so.name)));
            }
        }
    }
    // Clusters on the cloud read their own store (`secretStore`), with the
    // same keys.
    for c in &resolved.clusters {
        let who = format!("cluster {}", c.name);
        plan.keys
            .entry(remote_key(site, &c.credential))
            .or_default()
            .push((
                who.clone(),
                "application credential: properties `id` and `secret` (cloud.conf, Manila secret)"
                    .into(),
            ));
        if let Some(ca) = &c.ca {
            plan.keys
                .entry(remote_key(site, ca))
                .or_default()
                .push((who, "CA certificate (ca.crt, cloud.conf ca-file)".into()));
        }
    }
    plan
}
