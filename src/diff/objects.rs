//! The objects of a rendered tree, with the identity `diff` matches them by.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::tree::Seg;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Files, Layer, SourceFile};

/// apiVersion / kind / namespace / name, within one site directory when a
/// tree holds several.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectId {
    /// The site directory of a tree holding several rendered sites (each
    /// marked by its `.stackc`); empty for one site.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub site: String,
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.site.is_empty() {
            write!(f, "{}: ", self.site)?;
        }
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

impl ObjectId {
    /// With the apiVersion: `apps/v1 Deployment openstack/nova-api`.
    pub fn display_full(&self) -> String {
        format!("{} {self}", self.api_version)
    }
}

/// One document of a rendered tree.
#[derive(Debug, Clone)]
pub struct Object {
    pub id: ObjectId,
    pub file: String,
    pub component: Option<String>,
    pub doc: J,
    /// `doc` with its secret values masked: what output shows.
    pub masked: J,
}

impl Object {
    /// Where the chart values are inside this object, if it carries them.
    pub fn values_root(&self) -> Option<Vec<Seg>> {
        let k = |s: &str| Seg::Key(s.to_string());
        match (self.id.api_version.as_str(), self.id.kind.as_str()) {
            (v, "HelmRelease") if v.starts_with("helm.toolkit.fluxcd.io/") => {
                Some(vec![k("spec"), k("values")])
            }
            (v, "Application") if v.starts_with("argoproj.io/") => {
                Some(vec![k("spec"), k("source"), k("helm"), k("valuesObject")])
            }
            ("stackc.dev/v1", "Values") => Some(Vec::new()),
            _ => None,
        }
    }
}

/// The release a tree was rendered for: the `stackc.dev/release`
/// annotation of its Namespace.
pub fn release(objects: &BTreeMap<ObjectId, Object>) -> Option<&str> {
    let key = crate::render::RELEASE_ANNOTATION.replace('/', "~1");
    objects
        .values()
        .filter(|o| o.id.kind == "Namespace")
        .find_map(|o| {
            o.doc
                .pointer(&format!("/metadata/annotations/{key}"))?
                .as_str()
        })
}

/// Documents of a tree, keyed by identity. Files that are not Kubernetes
/// objects get a synthetic identity: a component's `values.yaml` is
/// `stackc.dev/v1 Values <component>`, a kustomization is identified by its
/// directory.
///
/// A tree holding several rendered sites (directories marked by a
/// `.stackc` file, e.g. the parent `rendered/`) is matched per site: an
/// object's identity includes its site directory. Two documents with one
/// identity are an error naming both files (`label` names the tree): one
/// of them would otherwise hide the other's changes.
pub fn objects(
    files: &BTreeMap<String, String>,
    label: &str,
) -> Result<BTreeMap<ObjectId, Object>, Vec<Diagnostic>> {
    let sites = site_dirs(files);
    let mut out: BTreeMap<ObjectId, Object> = BTreeMap::new();
    let mut diags = Vec::new();
    let mut arena = Files::new();
    for (rel, text) in files {
        if !rel.ends_with(".yaml") && !rel.ends_with(".yml") {
            continue;
        }
        let id = arena.add(SourceFile::new(rel.clone(), text.as_str(), Layer::Rendered));
        let (docs, d) = crate::load::parse_all(id, &arena);
        if d.iter().any(Diagnostic::is_error) {
            // The arena is local: name the place in the message itself.
            for x in d {
                let place = x
                    .span()
                    .map_or(rel.clone(), |s| arena.location(s).to_string());
                diags.push(
                    Diagnostic::at_path(x.code, format!("{label}/{place}"), x.message)
                        .help("a rendered directory holds YAML manifests; fix or remove this file"),
                );
            }
            continue;
        }
        let (site, inner) = match sites.iter().find(|s| rel.starts_with(&format!("{s}/"))) {
            Some(s) => (s.clone(), &rel[s.len() + 1..]),
            None => (String::new(), rel.as_str()),
        };
        let (dir, file_name) = match inner.rsplit_once('/') {
            Some((dir, name)) => (Some(dir.to_string()), name),
            None => (None, inner),
        };
        for (i, doc) in docs.into_iter().enumerate() {
            let doc = doc.to_json();
            if doc.is_null() {
                continue;
            }
            let s = |v: Option<&J>| v.and_then(J::as_str).unwrap_or_default().to_string();
            let mut oid = ObjectId {
                site: site.clone(),
                api_version: s(doc.get("apiVersion")),
                kind: s(doc.get("kind")),
                namespace: s(doc.pointer("/metadata/namespace")),
                name: s(doc.pointer("/metadata/name")),
            };
            if oid.kind.is_empty() && matches!(file_name, "values.yaml" | "secret-values.yaml") {
                oid = ObjectId {
                    site: site.clone(),
                    api_version: "stackc.dev/v1".into(),
                    kind: if file_name == "values.yaml" {
                        "Values"
                    } else {
                        "SecretValues"
                    }
                    .into(),
                    namespace: String::new(),
                    name: dir.clone().unwrap_or_default(),
                };
            } else if oid.name.is_empty() {
                oid.name = match i {
                    0 => inner.to_string(),
                    _ => format!("{inner}#{i}"),
                };
            }
            let component = doc
                .pointer("/metadata/labels/app.kubernetes.io~1component")
                .and_then(J::as_str)
                .map(str::to_string)
                .or_else(|| dir.clone().filter(|d| !d.contains('/') && d != "sources"));
            if let Some(first) = out.get(&oid) {
                diags.push(duplicate(label, &oid, &first.file, rel));
                continue;
            }
            out.insert(
                oid.clone(),
                Object {
                    id: oid,
                    file: rel.clone(),
                    component,
                    masked: super::mask::masked(&doc),
                    doc,
                },
            );
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// The site directories of a tree holding several rendered sites: those
/// with a `.stackc` marker, when the tree's root has none.
fn site_dirs(files: &BTreeMap<String, String>) -> Vec<String> {
    if files.contains_key(crate::emit::MARKER) {
        return Vec::new();
    }
    let suffix = format!("/{}", crate::emit::MARKER);
    let mut dirs: Vec<String> = files
        .keys()
        .filter_map(|k| k.strip_suffix(&suffix))
        .map(str::to_string)
        .collect();
    // Longest first: a nested marker wins.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    dirs
}

fn duplicate(label: &str, id: &ObjectId, first: &str, second: &str) -> Diagnostic {
    let again = if first == second {
        format!("twice in {label}/{first}")
    } else {
        format!("in {label}/{first} and in {label}/{second}")
    };
    Diagnostic::at_path(
        Code::DuplicateObject,
        format!("{label}/{second}"),
        format!("two documents define `{}`: {again}", id.display_full()),
    )
    .help("a rendered tree holds each object once: remove one, or diff the site directories one by one (a directory of rendered sites is matched per site when each carries its `.stackc` marker)")
}
