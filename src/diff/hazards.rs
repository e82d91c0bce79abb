//! Upgrade hazards: changes that a plain apply cannot perform safely.

use std::collections::BTreeMap;

use super::data_plane::DataPlane;
use super::objects::{Object, ObjectId};
use super::tree::Seg;
use super::{ObjectDiff, Status};
use crate::library::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HazardKind {
    /// The release jump is not a supported upgrade path.
    UnsupportedUpgrade,
    /// A release or chart series goes backwards.
    Downgrade,
    /// A field Kubernetes will not change in place.
    ImmutableField,
    /// A database or message-queue vhost renamed: data does not follow.
    DatabaseRename,
    /// An object is replaced by another with a new name.
    RenamedObject,
    /// An object is deleted.
    RemovedObject,
    /// A chart moves to another release series.
    ChartVersionJump,
    /// The RabbitMQ broker changes major version.
    MessageQueueUpgrade,
    /// The MariaDB server version changes.
    DatabaseUpgrade,
}

impl HazardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HazardKind::UnsupportedUpgrade => "unsupported upgrade",
            HazardKind::Downgrade => "downgrade",
            HazardKind::ImmutableField => "immutable field",
            HazardKind::DatabaseRename => "database rename",
            HazardKind::RenamedObject => "renamed object",
            HazardKind::RemovedObject => "removed object",
            HazardKind::ChartVersionJump => "chart version jump",
            HazardKind::MessageQueueUpgrade => "message queue upgrade",
            HazardKind::DatabaseUpgrade => "database upgrade",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
    /// What the operator must do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Fields Kubernetes rejects changes to, by kind (path prefixes).
const IMMUTABLE: &[(&str, &[&str])] = &[
    (
        "StatefulSet",
        &[
            "spec.selector",
            "spec.volumeClaimTemplates",
            "spec.serviceName",
            "spec.podManagementPolicy",
        ],
    ),
    ("Deployment", &["spec.selector"]),
    ("DaemonSet", &["spec.selector"]),
    ("ReplicaSet", &["spec.selector"]),
    (
        "Job",
        &["spec.selector", "spec.template", "spec.completionMode"],
    ),
    ("Service", &["spec.clusterIP", "spec.clusterIPs"]),
    (
        "PersistentVolumeClaim",
        &[
            "spec.accessModes",
            "spec.storageClassName",
            "spec.selector",
            "spec.volumeName",
            "spec.volumeMode",
            "spec.dataSource",
        ],
    ),
    (
        "HelmRelease",
        &[
            "spec.releaseName",
            "spec.targetNamespace",
            "spec.storageNamespace",
        ],
    ),
];

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path.starts_with(&format!("{prefix}."))
        || path.starts_with(&format!("{prefix}["))
}

/// A release series: (year, number).
type Series = (u32, u32);

/// `2025.1` -> (2025, 1); also the series of a chart version `2025.1.3+abc`.
fn series(v: &str) -> Option<Series> {
    let mut it = v.split(['.', '+', '-']);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

pub fn find(
    diffs: &[ObjectDiff],
    a: &BTreeMap<ObjectId, Object>,
    b: &BTreeMap<ObjectId, Object>,
    releases: (Option<&str>, Option<&str>),
    lib: &Library,
) -> Vec<Hazard> {
    let mut out = Vec::new();
    if let (Some(from), Some(to)) = releases {
        release_path(from, to, lib, &mut out);
    }
    let mut data_plane = DataPlane::default();
    // Chart series moves, grouped: (from, to) -> components.
    let mut jumps: BTreeMap<(Series, Series), Vec<String>> = BTreeMap::new();
    // Renames: a removed and an added object of one kind and component.
    let removed: Vec<&ObjectDiff> = diffs
        .iter()
        .filter(|d| d.status == Status::Removed)
        .collect();
    let added: Vec<&ObjectDiff> = diffs.iter().filter(|d| d.status == Status::Added).collect();
    let mut renamed = Vec::new();
    for r in &removed {
        if let Some(n) = added.iter().find(|n| {
            n.id.kind == r.id.kind
                && n.id.api_version == r.id.api_version
                && n.component.is_some()
                && n.component == r.component
        }) {
            renamed.push(r.id.clone());
            out.push(Hazard {
                kind: HazardKind::RenamedObject,
                component: r.component.clone(),
                object: Some(r.id.to_string()),
                message: format!("{} is replaced by {}: the old one is deleted and a new one created; nothing it holds moves over", r.id, n.id),
                help: None,
            });
        }
    }
    // Deletions, one hazard per component (or per object without one).
    let mut deleted: BTreeMap<Option<String>, Vec<&ObjectDiff>> = BTreeMap::new();
    for r in removed.iter().filter(|r| !renamed.contains(&r.id)) {
        deleted.entry(r.component.clone()).or_default().push(r);
    }
    for (component, objs) in deleted {
        let what = |r: &ObjectDiff| match r.id.kind.as_str() {
            "HelmRelease" => " (Flux uninstalls the chart and everything it created)",
            "Application" => " (Argo CD prunes everything it deployed)",
            _ => "",
        };
        let list = |objs: &[&ObjectDiff]| {
            objs.iter()
                .map(|r| format!("{}{}", r.id, what(r)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match component {
            Some(c) => out.push(Hazard {
                kind: HazardKind::RemovedObject,
                component: Some(c.clone()),
                object: None,
                message: format!(
                    "{c} is removed: {} deleted: {}",
                    plural(objs.len()),
                    list(&objs)
                ),
                help: None,
            }),
            None => {
                for r in objs {
                    out.push(Hazard {
                        kind: HazardKind::RemovedObject,
                        component: None,
                        object: Some(r.id.to_string()),
                        message: format!("{} is deleted{}", r.id, what(r)),
                        help: None,
                    });
                }
            }
        }
    }
    for d in diffs.iter().filter(|d| d.status == Status::Changed) {
        let Some(ob) = b.get(&d.id) else { continue };
        let oa = a.get(&d.id);
        let immutable_cm = matches!(d.id.kind.as_str(), "ConfigMap" | "Secret")
            && oa.is_some_and(|o| o.doc.get("immutable") == Some(&serde_json::Value::Bool(true)));
        for c in &d.changes {
            let mut hit = |kind: HazardKind, message: String| {
                out.push(Hazard {
                    kind,
                    component: d.component.clone(),
                    object: Some(d.id.to_string()),
                    message,
                    help: None,
                })
            };
            if let Some((_, prefixes)) = IMMUTABLE.iter().find(|(k, _)| *k == d.id.kind)
                && let Some(p) = prefixes.iter().find(|p| under(&c.path, p))
            {
                hit(
                    HazardKind::ImmutableField,
                    format!(
                        "{} cannot change in place ({p}): the object must be recreated",
                        c.path
                    ),
                );
            }
            if immutable_cm
                && ["data", "stringData", "binaryData"]
                    .iter()
                    .any(|p| under(&c.path, p))
            {
                hit(
                    HazardKind::ImmutableField,
                    format!(
                        "{} of an immutable {} cannot change: it must be recreated",
                        c.path, d.id.kind
                    ),
                );
            }
            // Chart versions.
            let version_path = match d.id.kind.as_str() {
                "HelmRelease" => c.path == "spec.chart.spec.version",
                "Application" => c.path == "spec.source.targetRevision",
                "Kustomization" => {
                    c.path.starts_with("helmCharts[") && c.path.ends_with("].version")
                }
                _ => false,
            };
            if version_path
                && let (Some(o), Some(n)) = (
                    c.old.as_ref().and_then(|v| v.as_str()),
                    c.new.as_ref().and_then(|v| v.as_str()),
                )
                && let (Some(so), Some(sn)) = (series(o), series(n))
                && so != sn
            {
                jumps
                    .entry((so, sn))
                    .or_default()
                    .push(d.component.clone().unwrap_or_else(|| d.id.name.clone()));
            }
            // Chart values.
            // A change inside a list counts for the key holding the list.
            let keys: Vec<Seg> = c
                .segs
                .iter()
                .take_while(|s| matches!(s, Seg::Key(_)))
                .cloned()
                .collect();
            let Some(vp) = super::values_path(ob, &keys) else {
                continue;
            };
            let vp = vp.join(".");
            let component = ob.component.as_deref().unwrap_or_default();
            if let Some(def) = lib.components.get(component)
                && let Some(p) = def.def().immutable_values.iter().find(|p| under(&vp, p))
            {
                hit(
                    HazardKind::ImmutableField,
                    format!(
                        "{component} value {vp} lands in an immutable field ({p}): the workload must be recreated"
                    ),
                );
            }
            let segs: Vec<&str> = vp.split('.').collect();
            if let ["images", "tags", key] = segs.as_slice()
                && let (Some(o), Some(n)) = (
                    c.old.as_ref().and_then(|v| v.as_str()),
                    c.new.as_ref().and_then(|v| v.as_str()),
                )
            {
                data_plane.observe(component, key, o, n);
            }
            let db = match segs.as_slice() {
                ["endpoints", t, "path", ..] if t.starts_with("oslo_db") => Some("database"),
                ["endpoints", t, "path", ..] if t.starts_with("oslo_messaging") => {
                    Some("message queue vhost")
                }
                ["endpoints", t, "auth", _, "username"]
                    if t.starts_with("oslo_db") || t.starts_with("oslo_messaging") =>
                {
                    Some("account")
                }
                _ => None,
            };
            if let Some(what) = db {
                hit(
                    HazardKind::DatabaseRename,
                    format!(
                        "{component} {what} renamed ({vp}): existing data and grants do not follow"
                    ),
                );
            }
        }
    }
    for ((from, to), mut components) in jumps {
        components.sort();
        components.dedup();
        let (kind, what) = if to < from {
            (HazardKind::Downgrade, "back to an older series")
        } else {
            (HazardKind::ChartVersionJump, "to another series")
        };
        out.push(Hazard {
            kind,
            component: None,
            object: None,
            message: format!(
                "{} chart(s) move {what}, {}.{} -> {}.{}: {}; follow the charts' upgrade notes",
                components.len(),
                from.0,
                from.1,
                to.0,
                to.1,
                components.join(", ")
            ),
            help: None,
        });
    }
    data_plane.hazards(&mut out);
    out.sort_by(|x, y| {
        (x.kind, &x.component, &x.object, &x.message).cmp(&(
            y.kind,
            &y.component,
            &y.object,
            &y.message,
        ))
    });
    out.dedup();
    out
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 object".into()
    } else {
        format!("{n} objects")
    }
}

/// The release jump `from -> to`, against the library's upgrade paths.
fn release_path(from: &str, to: &str, lib: &Library, out: &mut Vec<Hazard>) {
    if from == to {
        return;
    }
    let (Some(sf), Some(st)) = (series(from), series(to)) else {
        return;
    };
    if st < sf {
        out.push(Hazard {
            kind: HazardKind::Downgrade,
            component: None,
            object: None,
            message: format!("release {from} -> {to} goes backwards: OpenStack does not support downgrades (database migrations are one-way)"),
            help: None,
        });
        return;
    }
    let Some(rel) = lib.releases.get(to) else {
        return;
    };
    if !rel.def.upgrades_from.iter().any(|r| r == from) {
        let supported = rel.def.upgrades_from.join(", ");
        let via = rel
            .def
            .upgrades_from
            .iter()
            .filter(|r| series(r).is_some_and(|s| s > sf))
            .min()
            .cloned();
        let hint = match via {
            Some(v) => format!("; upgrade to {v} first"),
            None => String::new(),
        };
        out.push(Hazard {
            kind: HazardKind::UnsupportedUpgrade,
            component: None,
            object: None,
            message: format!("release {from} -> {to} skips a supported upgrade path: {to} upgrades from {supported}{hint}"),
            help: None,
        });
    }
}
