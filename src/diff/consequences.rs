//! What a change of Kubernetes objects does to a running cloud, listed
//! before the changes themselves: workloads that restart (and why), Jobs
//! that must be recreated (Jobs are immutable) and how the target does it,
//! hook Jobs that run again, fields Kubernetes will not change in place,
//! volumes that go away.
//!
//! Helm noise is folded in here rather than printed line by line: the
//! chart-version labels on every object and the checksum annotations
//! (`configmap-etc-hash`, `checksum/config`) that exist only to restart
//! pods.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as J;

use super::hazards::{Hazard, HazardKind};
use super::objects::{Object, ObjectId};
use super::{FieldChange, ObjectDiff, Status};
use crate::render::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A workload whose pod template changes: its pods are replaced.
    Restart,
    /// A Job whose spec changes: it must be deleted and created again.
    Recreate,
    /// Hook Jobs that run again with the upgrade.
    HookRerun,
    /// A field Kubernetes will not change in place.
    ImmutableField,
    /// A PersistentVolumeClaim (and its data) is deleted.
    RemovedVolume,
    /// Helm noise (chart labels) folded into one line.
    Labels,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Restart => "restart",
            Kind::Recreate => "recreate",
            Kind::HookRerun => "hooks re-run",
            Kind::ImmutableField => "immutable field",
            Kind::RemovedVolume => "volume removed",
            Kind::Labels => "labels",
        }
    }
}

/// Sorted by kind, component, object, message (field order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Consequence {
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
}

const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/// Labels and annotations that only carry the chart version or a checksum.
fn noise(path: &str) -> Option<Noise> {
    let last = |prefix: &str| {
        path.find(prefix)
            .map(|i| &path[i + prefix.len()..])
            .filter(|rest| !rest.is_empty())
    };
    if let Some(label) = last("labels.")
        && matches!(
            label,
            "helm.sh/chart" | "chart" | "app.kubernetes.io/version"
        )
    {
        return Some(Noise::Chart);
    }
    if let Some(ann) = last("annotations.")
        && (ann.starts_with("checksum/")
            || (ann.starts_with("configmap-") || ann.starts_with("secret-"))
                && ann.ends_with("-hash"))
    {
        return Some(Noise::Checksum(ann.to_string()));
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Noise {
    Chart,
    Checksum(String),
}

/// Folds noise out of `diffs`, and lists the consequences. Immutable-field
/// hazards of objects move here from `hazards`.
pub fn find(
    diffs: &mut Vec<ObjectDiff>,
    hazards: &mut Vec<Hazard>,
    a: &BTreeMap<ObjectId, Object>,
    b: &BTreeMap<ObjectId, Object>,
    target: Target,
) -> Vec<Consequence> {
    let mut out = Vec::new();
    // Config objects that change, by component: for restart reasons.
    let changed_config: BTreeSet<(String, String)> = diffs
        .iter()
        .filter(|d| {
            matches!(d.id.kind.as_str(), "ConfigMap" | "Secret") && d.status != Status::Removed
        })
        .filter(|d| d.changes.iter().any(|c| noise(&c.path).is_none()) || d.status == Status::Added)
        .map(|d| (d.id.kind.clone(), d.id.name.clone()))
        .collect();
    let mut chart_labels: BTreeMap<Option<String>, (usize, BTreeSet<String>)> = BTreeMap::new();
    let mut touched: BTreeSet<Option<String>> = BTreeSet::new();
    // Hook Jobs whose spec changes: name -> what changes.
    let mut changed_hooks: BTreeMap<String, String> = BTreeMap::new();
    for d in diffs.iter_mut() {
        touched.insert(d.component.clone());
        if d.status != Status::Changed {
            continue;
        }
        let all = std::mem::take(&mut d.changes);
        let mut checksums = BTreeSet::new();
        for c in &all {
            match noise(&c.path) {
                Some(Noise::Chart) => {
                    let e = chart_labels.entry(d.component.clone()).or_default();
                    if (c.path.ends_with("helm.sh/chart") || c.path.ends_with(".chart"))
                        && let (Some(o), Some(n)) = (text(&c.old), text(&c.new))
                    {
                        e.1.insert(format!("{o} -> {n}"));
                    }
                    e.0 += 1;
                }
                Some(Noise::Checksum(name)) => {
                    checksums.insert(name);
                }
                None => d.changes.push(c.clone()),
            }
        }
        let Some(ob) = b.get(&d.id) else { continue };
        let kind = d.id.kind.as_str();
        if WORKLOADS.contains(&kind) && all.iter().any(|c| under(&c.path, "spec.template")) {
            out.push(restart(d, &all, &checksums, ob, &changed_config));
        }
        if kind == "Job" && d.changes.iter().any(|c| under(&c.path, "spec")) {
            if is_hook(ob, target) {
                changed_hooks.insert(d.id.name.clone(), job_changes(d));
            } else {
                out.push(recreate(d, target));
            }
        }
    }
    // Objects whose every change was noise are folded away.
    diffs.retain(|d| d.status != Status::Changed || !d.changes.is_empty());
    // Hook Jobs of every component that changes run again.
    for component in &touched {
        let hooks: Vec<&Object> = b
            .values()
            .filter(|o| &o.component == component && o.id.kind == "Job" && is_hook(o, target))
            .collect();
        if hooks.is_empty() {
            continue;
        }
        let names: Vec<String> = hooks
            .iter()
            .map(|o| match changed_hooks.get(&o.id.name) {
                Some(what) => format!("{} (changes: {what})", o.id.name),
                None => o.id.name.clone(),
            })
            .collect();
        let installed = !a.values().any(|o| &o.component == component);
        let how = match (target, installed) {
            (Target::Argocd, true) => "Argo CD runs its Sync hook Jobs during the first sync",
            (Target::Argocd, false) => {
                "Argo CD deletes and runs its Sync hook Jobs again on every sync"
            }
            (_, true) => "Helm runs its post-install hook Jobs when the release is installed",
            (_, false) => {
                "Helm deletes and runs its hook Jobs again on every upgrade of the release"
            }
        };
        out.push(Consequence {
            kind: Kind::HookRerun,
            component: component.clone(),
            object: None,
            message: format!("{how}: {}", names.join(", ")),
        });
    }
    // Immutable fields (Jobs are covered by `recreate`).
    hazards.retain(|h| {
        let job = h.object.as_deref().is_some_and(|o| o.starts_with("Job "));
        if h.kind == HazardKind::ImmutableField && h.object.is_some() && is_hydrated(h, b, a) {
            if !job {
                out.push(Consequence {
                    kind: Kind::ImmutableField,
                    component: h.component.clone(),
                    object: h.object.clone(),
                    message: format!("{}: {}", h.object.as_deref().unwrap_or_default(), h.message),
                });
            }
            return false;
        }
        true
    });
    for d in diffs.iter().filter(|d| d.status == Status::Removed) {
        let volumes = match d.id.kind.as_str() {
            "PersistentVolumeClaim" => Some(format!(
                "{} is deleted, and with it the volume's data (unless its PersistentVolume's reclaim policy is Retain)",
                d.id
            )),
            "StatefulSet" => a
                .get(&d.id)
                .and_then(|o| o.doc.pointer("/spec/volumeClaimTemplates"))
                .and_then(J::as_array)
                .filter(|v| !v.is_empty())
                .map(|_| format!("{} is deleted; Kubernetes keeps the PersistentVolumeClaims of its volumeClaimTemplates: delete them by hand once their data is no longer needed", d.id)),
            _ => None,
        };
        if let Some(message) = volumes {
            out.push(Consequence {
                kind: Kind::RemovedVolume,
                component: d.component.clone(),
                object: Some(d.id.to_string()),
                message,
            });
        }
    }
    for (component, (n, versions)) in chart_labels {
        let versions: Vec<String> = versions.into_iter().collect();
        let what = if versions.is_empty() {
            String::new()
        } else {
            format!(" ({})", versions.join(", "))
        };
        out.push(Consequence {
            kind: Kind::Labels,
            component,
            object: None,
            message: format!(
                "chart version labels change on {n} objects{what}; not listed one by one"
            ),
        });
    }
    out.sort();
    out.dedup();
    out
}

/// An object of a hydrated tree (not a stackc-rendered one).
fn is_hydrated(h: &Hazard, b: &BTreeMap<ObjectId, Object>, a: &BTreeMap<ObjectId, Object>) -> bool {
    let Some(name) = h.object.as_deref() else {
        return false;
    };
    b.values()
        .chain(a.values())
        .find(|o| o.id.to_string() == name)
        .is_some_and(|o| !o.rendered_by_stackc())
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path.starts_with(&format!("{prefix}."))
        || path.starts_with(&format!("{prefix}["))
}

fn text(v: &Option<J>) -> Option<String> {
    v.as_ref().map(|v| match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Whether a Job is run as a hook by the target.
fn is_hook(o: &Object, target: Target) -> bool {
    let ann = |k: &str| {
        o.doc
            .pointer(&format!("/metadata/annotations/{}", k.replace('/', "~1")))
            .is_some()
    };
    match target {
        Target::Argocd => ann("argocd.argoproj.io/hook") || ann("helm.sh/hook"),
        Target::Flux => ann("helm.sh/hook"),
        // kustomize renders hooks as plain objects.
        Target::Kustomize => false,
    }
}

fn restart(
    d: &ObjectDiff,
    all: &[FieldChange],
    checksums: &BTreeSet<String>,
    ob: &Object,
    changed_config: &BTreeSet<(String, String)>,
) -> Consequence {
    let mut reasons: Vec<String> = Vec::new();
    let mut images = BTreeSet::new();
    for c in all
        .iter()
        .filter(|c| under(&c.path, "spec.template") && c.path.ends_with(".image"))
    {
        if let (Some(o), Some(n)) = (text(&c.old), text(&c.new)) {
            images.insert(format!("image {o} -> {n}"));
        }
    }
    reasons.extend(images);
    let refs = config_refs(&ob.doc);
    let configs: Vec<String> = refs
        .iter()
        .filter(|r| changed_config.contains(r))
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if !configs.is_empty() {
        reasons.push(format!("its config changes ({})", configs.join(", ")));
    } else if !checksums.is_empty() {
        let list: Vec<&str> = checksums.iter().map(String::as_str).collect();
        reasons.push(format!("checksum annotation {} changes", list.join(", ")));
    }
    let other = all
        .iter()
        .filter(|c| {
            under(&c.path, "spec.template")
                && !c.path.ends_with(".image")
                && noise(&c.path).is_none()
        })
        .count();
    if other > 0 {
        reasons.push(format!("{other} other pod template field(s) change"));
    }
    Consequence {
        kind: Kind::Restart,
        component: d.component.clone(),
        object: Some(d.id.to_string()),
        message: format!("{} restarts: {}", d.id, reasons.join("; ")),
    }
}

/// The ConfigMaps and Secrets a pod template mounts or reads.
fn config_refs(doc: &J) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let spec = doc.pointer("/spec/template/spec");
    let list = |v: Option<&J>| v.and_then(J::as_array).cloned().unwrap_or_default();
    if let Some(spec) = spec {
        for v in list(spec.get("volumes")) {
            if let Some(n) = v.pointer("/secret/secretName").and_then(J::as_str) {
                out.insert(("Secret".into(), n.to_string()));
            }
            if let Some(n) = v.pointer("/configMap/name").and_then(J::as_str) {
                out.insert(("ConfigMap".into(), n.to_string()));
            }
            for s in list(v.pointer("/projected/sources")) {
                if let Some(n) = s.pointer("/secret/name").and_then(J::as_str) {
                    out.insert(("Secret".into(), n.to_string()));
                }
                if let Some(n) = s.pointer("/configMap/name").and_then(J::as_str) {
                    out.insert(("ConfigMap".into(), n.to_string()));
                }
            }
        }
        for field in ["containers", "initContainers"] {
            for c in list(spec.get(field)) {
                for e in list(c.get("envFrom")) {
                    if let Some(n) = e.pointer("/secretRef/name").and_then(J::as_str) {
                        out.insert(("Secret".into(), n.to_string()));
                    }
                    if let Some(n) = e.pointer("/configMapRef/name").and_then(J::as_str) {
                        out.insert(("ConfigMap".into(), n.to_string()));
                    }
                }
                for e in list(c.get("env")) {
                    if let Some(n) = e
                        .pointer("/valueFrom/secretKeyRef/name")
                        .and_then(J::as_str)
                    {
                        out.insert(("Secret".into(), n.to_string()));
                    }
                    if let Some(n) = e
                        .pointer("/valueFrom/configMapKeyRef/name")
                        .and_then(J::as_str)
                    {
                        out.insert(("ConfigMap".into(), n.to_string()));
                    }
                }
            }
        }
    }
    out
}

/// What changes in a Job, briefly.
fn job_changes(d: &ObjectDiff) -> String {
    let fields: BTreeSet<String> = d
        .changes
        .iter()
        .map(|c| {
            if c.path.ends_with(".image") {
                format!(
                    "image {} -> {}",
                    text(&c.old).unwrap_or_default(),
                    text(&c.new).unwrap_or_default()
                )
            } else {
                c.path.clone()
            }
        })
        .collect();
    shorten(&fields.into_iter().collect::<Vec<_>>())
}

/// A plain (non-hook) Job whose spec changes.
fn recreate(d: &ObjectDiff, target: Target) -> Consequence {
    let how = match target {
        Target::Flux => {
            "Jobs are immutable: helm-controller's upgrade fails on it unless the HelmRelease sets spec.upgrade.force (Helm then replaces it) or the Job is deleted first"
        }
        Target::Argocd => {
            "Jobs are immutable: Argo CD's sync fails on it unless the Job is deleted first or the sync uses Replace=true"
        }
        Target::Kustomize => {
            "Jobs are immutable: `kubectl apply` fails on it; delete the Job first (or `kubectl replace --force`)"
        }
    };
    Consequence {
        kind: Kind::Recreate,
        component: d.component.clone(),
        object: Some(d.id.to_string()),
        message: format!("{} changes ({}): {how}", d.id, job_changes(d)),
    }
}

/// At most three items, then a count.
fn shorten(items: &[String]) -> String {
    if items.len() <= 3 {
        items.join(", ")
    } else {
        format!("{}, and {} more", items[..3].join(", "), items.len() - 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_paths() {
        assert_eq!(noise("metadata.labels.helm.sh/chart"), Some(Noise::Chart));
        assert_eq!(
            noise("spec.template.metadata.labels.app.kubernetes.io/version"),
            Some(Noise::Chart)
        );
        assert_eq!(
            noise("spec.template.metadata.annotations.configmap-etc-hash"),
            Some(Noise::Checksum("configmap-etc-hash".into()))
        );
        assert_eq!(
            noise("spec.template.metadata.annotations.checksum/config"),
            Some(Noise::Checksum("checksum/config".into()))
        );
        assert_eq!(noise("metadata.labels.application"), None);
        assert_eq!(noise("spec.replicas"), None);
    }
}
