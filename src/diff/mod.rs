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
pub mod escape;
mod format;
mod hazards;
mod many;
pub mod mask;
mod objects;
mod tree;

use std::collections::BTreeMap;

use serde_json::Value as J;

pub use config::Format as FileFormat;
pub use consequences::{Consequence, Kind as ConsequenceKind};
pub use format::{Format, render as format};
pub use hazards::{Hazard, HazardKind};
pub use many::render_many;
pub use mask::MASK;
pub use objects::{Object, ObjectId};
pub use tree::{Op, Seg, path_string};

use crate::diagnostic::Diagnostic;
use crate::library::Library;
use crate::render::Target;
use crate::resolve::Resolved;
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
    let (a, b) = match (
        objects::objects(&old.files, &old.label),
        objects::objects(&new.files, &new.label),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            return Err(a.err().into_iter().chain(b.err()).flatten().collect());
        }
    };
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
            config::mask(&mut fc, secret);
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
    // Changes are found on the documents as they are; what is shown comes
    // from their masked copies.
    let shown = |o: &Object, v: Option<J>| v.map(|_| at(&o.masked, &c.path));
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
        path: mask::mask_text(&path_string(&c.path)).into_owned(),
        old: shown(oa, c.old),
        new: shown(ob, c.new),
        segs: c.path,
        op: c.op,
        origin,
        config: None,
    }
}

/// The value at a change's path in a masked document (masked whole when
/// the path itself no longer resolves there).
fn at(doc: &J, path: &[Seg]) -> J {
    let found = path.iter().try_fold(doc, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(*i),
        Seg::Item { key, value } => v.as_array()?.iter().find(|item| {
            item.get(key)
                .and_then(tree::scalar_text)
                .is_some_and(|t| t == *value)
        }),
    });
    found.cloned().unwrap_or_else(|| J::String(MASK.into()))
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
