//! `stackc diff`: what a change to a site, a layer, the library or the
//! release does to the rendered tree — objects matched by
//! apiVersion/kind/namespace/name, fields diffed one by one (chart values
//! too, each with the layer that caused it), upgrade hazards flagged and
//! secrets masked.
//!
//! A consumer of render: each side is a rendered tree ([`Side`]), made from
//! a site in memory or read from a directory.

pub mod comment;
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

pub use format::{Format, render as format};
pub use hazards::{Hazard, HazardKind};
pub use many::render_many;
pub use mask::MASK;
pub use objects::{Object, ObjectId};
pub use tree::{Op, Seg, path_string};

use crate::diagnostic::Diagnostic;
use crate::library::Library;
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
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}:{}", self.layer, self.file, self.line)
    }
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
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    pub fn count(&self, status: Status) -> usize {
        self.objects.iter().filter(|o| o.status == status).count()
    }

    pub fn field_changes(&self) -> usize {
        self.objects.iter().map(|o| o.changes.len()).sum()
    }
}

/// Compares two sides. `lib` supplies release and component data for the
/// hazard checks (the new side's library).
pub fn diff(old: &Side, new: &Side, lib: &Library) -> Result<Diff, Vec<Diagnostic>> {
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
                let changes: Vec<FieldChange> = tree::diff(&oa.doc, &ob.doc)
                    .into_iter()
                    .map(|c| field_change(c, oa, ob, old, new))
                    .collect();
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
    let hazards = hazards::find(&out, &a, &b, releases, lib);
    Ok(Diff {
        old: old.label.clone(),
        new: new.label.clone(),
        objects: out,
        hazards,
    })
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
    let origin = values_path(ob, &c.path).and_then(|vp| {
        let (side, component) = match c.op {
            Op::Removed => (old, oa.component.as_deref()),
            _ => (new, ob.component.as_deref()),
        };
        origin(side, component?, &vp)
    });
    FieldChange {
        path: mask::mask_text(&path_string(&c.path)).into_owned(),
        old: shown(oa, c.old),
        new: shown(ob, c.new),
        segs: c.path,
        op: c.op,
        origin,
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
    })
}
