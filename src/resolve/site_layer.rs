//! The generated part of the site layer: what every chart receives from the
//! site spec by rule — catalogue endpoints, the region, node selectors and
//! replica counts — driven by each component's definition.

use super::catalogue::Catalogue;
use super::merge::{empty_map, from_json, merge, set_path};
use super::origin::SiteSpans;
use crate::library::{ChartKeys, Component, KeyCheck};
use crate::model::{LabelKey, LabelValue, Site};
use crate::source::Span;
use crate::yaml::{Node, PathSeg};

/// A chart value supplied from the secret store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretRef {
    /// Dotted chart value path (`endpoints.identity.auth.admin.password`).
    pub path: String,
    /// The secret's role, the remote key below the site prefix
    /// (`identity/admin`). Charts needing the same value share the role.
    pub key: String,
}

/// The secret family of an endpoint type's accounts.
fn family(endpoint_type: &str) -> &str {
    match endpoint_type {
        t if t.starts_with("oslo_db") => "database",
        t if t.starts_with("oslo_messaging") => "messaging",
        t => t,
    }
}

/// Every chart value of `c` that must come from the secret store;
/// `holds(i)` tells whether the condition of `secrets[i]` holds.
pub fn secrets(c: &Component, mut holds: impl FnMut(usize) -> bool) -> Vec<SecretRef> {
    let mut out = Vec::new();
    for (kind, users) in &c.def().users {
        for (key, account) in users {
            out.push(SecretRef {
                path: format!("endpoints.{kind}.auth.{key}.password"),
                key: format!("{}/{account}", family(kind)),
            });
        }
    }
    for (i, s) in c.def().secrets.iter().enumerate() {
        if !holds(i) {
            continue;
        }
        out.push(SecretRef {
            path: s.path.clone(),
            key: s.key.clone(),
        });
    }
    out.sort();
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// Endpoints from the catalogue, for every type the chart uses or serves,
/// limited to the keys the chart knows.
pub fn endpoints(c: &Component, catalogue: &Catalogue, keys: Option<&ChartKeys>) -> Node {
    let def_span = c.doc().span.with_len(0);
    let mut out = empty_map(def_span);
    for kind in c.def().uses.iter().chain(c.def().provides.keys()) {
        if let Some(entry) = catalogue.entries.get(kind) {
            let mut holder = empty_map(def_span);
            set_path(&mut holder, &["endpoints", kind], entry.values.clone());
            if let Some(keys) = keys {
                keys.prune(&mut holder, &[]);
            }
            merge(&mut out, holder);
        }
    }
    out
}

/// The other rules: region, node selectors, replicas.
pub fn rules(c: &Component, site: &Site, spans: &SiteSpans<'_>, keys: Option<&ChartKeys>) -> Node {
    let def_span = c.doc().span.with_len(0);
    let decl = |field: &str| c.doc().entry(field).map_or(def_span, |e| e.key_span);
    let mut out = empty_map(def_span);

    // The cluster DNS domain, for every chart that has endpoints.
    let suffix = [
        PathSeg::Key("endpoints".into()),
        PathSeg::Key("cluster_domain_suffix".into()),
    ];
    if keys.is_none_or(|k| k.check(&suffix) == KeyCheck::Known) {
        set_path(
            &mut out,
            &["endpoints", "cluster_domain_suffix"],
            from_json(
                &site.spec.cluster_domain.as_str().into(),
                spans.value("spec.clusterDomain").unwrap_or(def_span),
            ),
        );
    }

    // The region of every identity account.
    let region_span = spans.value("spec.region").unwrap_or(decl("users"));
    if let Some(accounts) = c.def().users.get("identity") {
        for key in accounts.keys() {
            set_path(
                &mut out,
                &["endpoints", "identity", "auth", key, "region_name"],
                from_json(&site.spec.region.as_str().into(), region_span),
            );
        }
    }

    // Node selectors.
    let nodes = [
        (
            &c.def().selectors.control_plane,
            &site.spec.nodes.control_plane,
            "spec.nodes.controlPlane",
        ),
        (
            &c.def().selectors.compute,
            &site.spec.nodes.compute,
            "spec.nodes.compute",
        ),
    ];
    for (groups, selector, at) in nodes {
        let Some((key, value)) = selector.iter().next() else {
            continue;
        };
        let span = spans.value(at).unwrap_or(decl("selectors"));
        for group in groups {
            set_selector(&mut out, group, key, value, span);
        }
    }

    // Replicas.
    if let Some(r) = site.spec.services.get(&c.name).and_then(|s| s.replicas) {
        let span = spans
            .value(&format!("spec.services.{}.replicas", c.name))
            .unwrap_or(decl("replicas"));
        for path in &c.def().replicas {
            let segs: Vec<&str> = path.split('.').collect();
            set_path(&mut out, &segs, from_json(&r.get().into(), span));
        }
    }
    out
}

fn set_selector(out: &mut Node, group: &str, key: &LabelKey, value: &LabelValue, span: Span) {
    let mut segs: Vec<&str> = vec!["labels"];
    segs.extend(group.split('.'));
    let n = segs.len();
    segs.push("node_selector_key");
    set_path(out, &segs, from_json(&template_safe(key).into(), span));
    segs[n] = "node_selector_value";
    set_path(out, &segs, from_json(&template_safe(value).into(), span));
}

/// openstack-helm templates node selectors unquoted
/// (`{{ key }}: {{ value }}`): a label such as `"true"` or `""` would reach
/// Kubernetes as a boolean or null. Such labels are handed over already
/// quoted, so the template writes a YAML string. (Label keys and values
/// never contain `"` or `\`.)
fn template_safe(label: &str) -> String {
    if crate::yaml::reads_as_non_string(label) {
        format!("\"{label}\"")
    } else {
        label.to_string()
    }
}
