//! `stackc diff`: what a change to a site, a layer, the library or the
//! release does to the rendered tree — objects matched by
//! apiVersion/kind/namespace/name, fields diffed one by one (chart values
//! too, each with the layer that caused it), upgrade hazards flagged and
//! secrets masked.
//!
//! A consumer of render: each side is a rendered tree ([`Side`]), made from
//! a site in memory or read from a directory.

mod attribute;
pub mod comment;
mod config;
mod consequences;
mod data_plane;
mod format;
mod hazards;
mod many;
mod objects;
mod tree;

use std::collections::BTreeMap;

use serde_json::Value as J;

pub use config::Format as FileFormat;
pub use consequences::{Consequence, Kind as ConsequenceKind};
pub use format::{Format, render as format};
pub use hazards::{Hazard, HazardKind};
pub use many::render_many;
pub use objects::{Object, ObjectId};
pub use tree::{Op, Seg, path_string};

use crate::diagnostic::Diagnostic;
use crate::library::Library;
use crate::render::Target;
use crate::resolve::Resolved;
use crate::secret;
use crate::source::Files;
use crate::yaml::PathSeg;

/// One side of a diff: a rendered tree, and how it was made when known.
pub struct Side {
    /// What the user named: a file, a directory, `site.yaml@HEAD~1`.
    pub label: String,
    /// Relative path -> content.
    pub files: BTreeMap<String, String>,
    /// Resolution data, when the side was rendered from a site (provenance).
    pub resolved: Option<(Files, Resolved)>,
}

/// Where a changed value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub layer: String,
    pub file: String,
    pub line: usize,
    /// What that line changed, when it is not the value itself (`chart
    /// nova 2025.1.3 -> 2025.2.0` for a chart pin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}:{}", self.layer, self.file, self.line)?;
        if let Some(c) = &self.cause {
            write!(f, ": {c}")?;
        }
        Ok(())
    }
}

/// A change inside a file held by a ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigLine {
    /// The data key (`nova.conf`).
    pub file: String,
    pub format: FileFormat,
    /// `[DEFAULT] cpu_allocation_ratio`, `a.b`, `line 3`.
    pub location: String,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    pub path: String,
    /// The path as segments (what `path` spells).
    #[serde(skip)]
    pub segs: Vec<Seg>,
    pub op: Op,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<J>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<J>,
    /// The layer that set the new value (the old one for removals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// For a change inside a ConfigMap's or Secret's file: where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigLine>,
}

/// An object is added, removed or changed, like a field.
pub type Status = Op;

/// One object that differs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectDiff {
    pub status: Status,
    #[serde(flatten)]
    pub id: ObjectId,
    pub component: Option<String>,
    pub file: String,
    /// Field changes (changed objects only).
    pub changes: Vec<FieldChange>,
}

/// The result of a diff.
#[derive(Debug, Clone)]
pub struct Diff {
    pub old: String,
    pub new: String,
    /// Sorted by component, then object identity.
    pub objects: Vec<ObjectDiff>,
    pub hazards: Vec<Hazard>,
    /// What the changes do to the running cloud (hydrated objects).
    pub consequences: Vec<Consequence>,
}

impl Diff {
    /// No change at all (folded label changes count as changes).
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.consequences.is_empty()
    }

    pub fn count(&self, status: Status) -> usize {
        self.objects.iter().filter(|o| o.status == status).count()
    }

    pub fn field_changes(&self) -> usize {
        self.objects.iter().map(|o| o.changes.len()).sum()
    }

    /// Changed lines of config files, and how many name their cause.
    pub fn config_lines(&self) -> (usize, usize) {
        let lines = self
            .objects
            .iter()
            .flat_map(|o| &o.changes)
            .filter(|c| c.config.is_some());
        lines.fold((0, 0), |(n, a), c| {
            (n + 1, a + usize::from(c.origin.is_some()))
        })
    }
}

/// Compares two sides. `lib` supplies release and component data for the
/// hazard checks (the new side's library); `target` says how changed Jobs
/// and hooks are handled.
pub fn diff(
    old: &Side,
    new: &Side,
    lib: &Library,
    target: Target,
) -> Result<Diff, Vec<Diagnostic>> {
    let a = objects::objects(&old.files)?;
    let b = objects::objects(&new.files)?;
    let mut out = Vec::new();
    for (id, oa) in &a {
        match b.get(id) {
            None => out.push(object_diff(Status::Removed, oa, Vec::new())),
            Some(ob) => {
                let changes = object_changes(oa, ob, old, new);
                if !changes.is_empty() {
                    out.push(object_diff(Status::Changed, ob, changes));
                }
            }
        }
    }
    for (id, ob) in &b {
        if !a.contains_key(id) {
            out.push(object_diff(Status::Added, ob, Vec::new()));
        }
    }
    out.sort_by(|x, y| (&x.component, &x.id).cmp(&(&y.component, &y.id)));
    let releases = (objects::release(&a), objects::release(&b));
    let mut hazards = hazards::find(&out, &a, &b, releases, lib);
    let consequences = consequences::find(&mut out, &mut hazards, &a, &b, target);
    Ok(Diff {
        old: old.label.clone(),
        new: new.label.clone(),
        objects: out,
        hazards,
        consequences,
    })
}

/// The changes of one object: fields, and inside ConfigMaps and Secrets
/// the files they hold, decoded.
fn object_changes(oa: &Object, ob: &Object, old: &Side, new: &Side) -> Vec<FieldChange> {
    let holds_files =
        matches!(ob.id.kind.as_str(), "ConfigMap" | "Secret") && ob.id.api_version == "v1";
    let data = |c: &tree::Change| {
        holds_files
            && matches!(c.path.first(), Some(Seg::Key(k)) if ["data", "stringData", "binaryData"].contains(&k.as_str()))
    };
    let mut changes: Vec<FieldChange> = tree::diff(&oa.doc, &ob.doc)
        .into_iter()
        .filter(|c| !data(c))
        .map(|c| field_change(c, oa, ob, old, new))
        .collect();
    if holds_files {
        let secret = ob.id.kind == "Secret";
        let component = ob.component.as_deref().unwrap_or_default();
        for mut fc in config::diff(
            &config::files(&oa.doc, secret),
            &config::files(&ob.doc, secret),
        ) {
            config::mask(&mut fc);
            let origin = attribute::config_line(old, new, component, &fc);
            changes.push(FieldChange {
                path: format!("{} {}", fc.file, fc.location),
                segs: vec![Seg::Key("data".into()), Seg::Key(fc.file.clone())],
                op: fc.op,
                old: fc.old.map(J::String),
                new: fc.new.map(J::String),
                origin,
                config: Some(ConfigLine {
                    file: fc.file,
                    format: fc.format,
                    location: fc.location,
                }),
            });
        }
    }
    changes
}

fn object_diff(status: Status, o: &Object, changes: Vec<FieldChange>) -> ObjectDiff {
    ObjectDiff {
        status,
        id: o.id.clone(),
        component: o.component.clone(),
        file: o.file.clone(),
        changes,
    }
}

fn field_change(c: tree::Change, oa: &Object, ob: &Object, old: &Side, new: &Side) -> FieldChange {
    let secret_object = ob.id.kind == "Secret"
        && matches!(c.path.first(), Some(Seg::Key(k)) if k == "data" || k == "stringData");
    let secret_path = c
        .path
        .iter()
        .any(|s| matches!(s, Seg::Key(k) if secret::is_secret_key(k)));
    let masked = |v: Option<J>| {
        v.map(|v| {
            if secret_object || secret_path {
                J::String(MASK.into())
            } else {
                mask(v)
            }
        })
    };
    let origin = match values_path(ob, &c.path) {
        Some(vp) => {
            let (side, component) = match c.op {
                Op::Removed => (old, oa.component.as_deref()),
                _ => (new, ob.component.as_deref()),
            };
            component.and_then(|component| origin(side, component, &vp))
        }
        // A hydrated object's field: the chart value it was made from.
        None if !ob.rendered_by_stackc() => match (&c.new, ob.component.as_deref()) {
            (Some(J::String(v)), Some(component)) => attribute::field(old, new, component, v),
            (Some(v @ J::Number(_)), Some(component)) => {
                attribute::field(old, new, component, &v.to_string())
            }
            _ => None,
        },
        None => None,
    };
    FieldChange {
        path: path_string(&c.path),
        segs: c.path,
        op: c.op,
        old: masked(c.old),
        new: masked(c.new),
        origin,
        config: None,
    }
}

/// What masked values are replaced with.
pub const MASK: &str = "(secret, masked)";

/// Masks secret-looking keys and URL credentials anywhere inside a value.
fn mask(v: J) -> J {
    match v {
        J::Object(m) => J::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = if secret::is_secret_key(&k)
                        && !x.is_object()
                        && !x.is_array()
                        && !x.is_null()
                    {
                        J::String(MASK.into())
                    } else {
                        mask(x)
                    };
                    (k, x)
                })
                .collect(),
        ),
        J::Array(a) => J::Array(a.into_iter().map(mask).collect()),
        J::String(s) if secret::has_url_credentials(&s) => J::String(MASK.into()),
        other => other,
    }
}

/// The chart-values path of a change inside an object, if it is one.
fn values_path(o: &Object, path: &[Seg]) -> Option<Vec<String>> {
    let root = o.values_root()?;
    if path.len() <= root.len() || path[..root.len()] != root[..] {
        return None;
    }
    path[root.len()..]
        .iter()
        .map(|s| match s {
            Seg::Key(k) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

/// Where a value of a component came from on one side.
fn origin(side: &Side, component: &str, values_path: &[String]) -> Option<Origin> {
    let (files, resolved) = side.resolved.as_ref()?;
    let c = resolved.components.get(component)?;
    let segs: Vec<PathSeg> = values_path
        .iter()
        .map(|k| PathSeg::Key(k.clone()))
        .collect();
    // The deepest node that exists (a removed key's parent, ...).
    let node = (0..=segs.len())
        .rev()
        .find_map(|n| c.values.at(&segs[..n]))?;
    let file = files.get(node.span.file);
    let loc = files.location(node.span);
    Some(Origin {
        layer: file.layer.to_string(),
        file: loc.file,
        line: loc.line,
        cause: None,
    })
}
