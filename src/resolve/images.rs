//! The images a component pulls (`images.tags` of its final values) and
//! their move to the site's registry mirror (`spec.images.registry`): a last
//! layer, attributed to that site field, points every image of the chart at
//! the mirror, so none is missed and `explain` shows why.

use std::collections::BTreeMap;

use super::LayerValues;
use super::merge::{empty_map, set_path};
use crate::diagnostic::{Code, Diagnostic};
use crate::library::ChartKeys;
use crate::source::Span;
use crate::yaml::{Node, PathSeg, Value};

/// One image a component pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Its key under `images.tags`.
    pub key: String,
    /// The image the library, layers and site chose.
    pub source: String,
    /// What the cluster pulls: `source`, or its copy in the mirror.
    pub pulled: String,
}

/// `spec.images.registry` and where the site sets it.
#[derive(Debug, Clone, Copy)]
pub struct Mirror<'a> {
    pub prefix: &'a str,
    pub span: Span,
}

/// The label of the mirror's layer (for `explain` and `diff`).
const MIRROR_LAYER: &str = "site images.registry";

/// The images of component `name`, and with a mirror the layer that moves
/// them there. With a mirror, every image key the chart has must hold an
/// image reference (E0034): one deleted with `null` would fall back to the
/// chart's default, outside the mirror.
pub fn collect(
    name: &str,
    keys: Option<&ChartKeys>,
    layers: &[LayerValues],
    values: &Node,
    mirror: Option<Mirror<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Image>, Option<LayerValues>) {
    let tags = values
        .get("images")
        .and_then(|i| i.get("tags"))
        .and_then(Node::as_map);
    let mut images = Vec::new();
    for (key, entry) in tags.into_iter().flatten() {
        let Some(source) = entry.node.as_str() else {
            if let Some(m) = mirror {
                let what = format!("is a {}, not an image", entry.node.value.kind());
                diags.push(not_an_image(name, key, m, entry.node.span, &what));
            }
            continue;
        };
        let pulled = match mirror {
            Some(m) => crate::image::mirrored(source, m.prefix),
            None => source.to_string(),
        };
        images.push(Image {
            key: key.clone(),
            source: source.to_string(),
            pulled,
        });
    }
    images.sort_by(|a, b| a.key.cmp(&b.key));
    let Some(m) = mirror else {
        return (images, None);
    };
    if let Some(keys) = keys {
        for key in keys.children(&["images", "tags"]) {
            if tags.is_none_or(|t| !t.contains_key(key)) {
                let at = deleted_at(layers, key).unwrap_or(m.span);
                diags.push(not_an_image(name, key, m, at, "has no image"));
            }
        }
    }
    let mut tree = empty_map(m.span);
    for i in &images {
        set_path(
            &mut tree,
            &["images", "tags", &i.key],
            Node::new(Value::String(i.pulled.clone()), m.span),
        );
    }
    let layer = LayerValues {
        label: MIRROR_LAYER.into(),
        tree,
    };
    (images, Some(layer))
}

/// The images of a cloud-provider-openstack chart: every `image` map with a
/// `repository` in its final values (stackc's values for the chart list
/// each one the chart has), keyed by the map's path (`csi.plugin.image`);
/// an empty tag is the chart's appVersion, as in the chart's templates.
/// With a mirror, the last layer moves every repository there.
pub fn collect_chart(
    values: &Node,
    app_version: &str,
    mirror: Option<Mirror<'_>>,
) -> (Vec<Image>, Option<LayerValues>) {
    let mut found = Vec::new();
    image_maps(values, &mut Vec::new(), &mut found);
    let mut images = Vec::new();
    let mut tree = mirror.map(|m| empty_map(m.span));
    for (path, repository, tag) in found {
        let tag = tag.filter(|t| !t.is_empty()).unwrap_or(app_version);
        let source = format!("{repository}:{tag}");
        let pulled = match mirror {
            Some(m) => crate::image::mirrored(&source, m.prefix),
            None => source.clone(),
        };
        if let (Some(tree), Some(m)) = (&mut tree, mirror) {
            let mut at: Vec<&str> = path.iter().map(String::as_str).collect();
            at.push("repository");
            let moved = crate::image::mirrored(repository, m.prefix);
            set_path(tree, &at, Node::new(Value::String(moved), m.span));
        }
        images.push(Image {
            key: path.join("."),
            source,
            pulled,
        });
    }
    images.sort_by(|a, b| a.key.cmp(&b.key));
    let layer = tree.map(|tree| LayerValues {
        label: MIRROR_LAYER.into(),
        tree,
    });
    (images, layer)
}

/// `(path, repository, tag)` of every `image: {repository: ...}` map below
/// `node`, in document order.
fn image_maps<'a>(
    node: &'a Node,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a str, Option<&'a str>)>,
) {
    let Some(map) = node.as_map() else { return };
    for (key, entry) in map {
        path.push(key.clone());
        let repository = entry.node.get("repository").and_then(Node::as_str);
        match repository {
            Some(r) if key == "image" => {
                let tag = entry.node.get("tag").and_then(Node::as_str);
                out.push((path.clone(), r, tag));
            }
            _ => image_maps(&entry.node, path, out),
        }
        path.pop();
    }
}

/// Where the last layer that deletes `images.tags.<key>` does so.
fn deleted_at(layers: &[LayerValues], key: &str) -> Option<Span> {
    let path = [
        PathSeg::Key("images".into()),
        PathSeg::Key("tags".into()),
        PathSeg::Key(key.into()),
    ];
    layers
        .iter()
        .rev()
        .filter_map(|l| l.tree.at(&path))
        .find(|n| matches!(n.value, Value::Null))
        .map(|n| n.span)
}

fn not_an_image(name: &str, key: &str, m: Mirror<'_>, at: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::NotMirrored,
        at,
        format!(
            "`{name}` images.tags.{key} {what}: with `spec.images.registry` every image must be an image reference, or the chart's default would be pulled from outside {}",
            m.prefix
        ),
    )
    .label("not an image in the mirror")
    .with_secondary(m.span, "the mirror")
    .help(format!(
        "set `services.{name}.values.images.tags.{key}` to an image (it moves to the mirror), instead of deleting it"
    ))
}

/// Two different images that the mirror would store under one name (E0033).
/// `images` are `(where it is set, image)`: `nova images.tags.nova_api`.
pub fn conflicts<'a>(
    images: impl IntoIterator<Item = (String, &'a Image)>,
    m: Mirror<'_>,
) -> Vec<Diagnostic> {
    let mut by_pulled: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for (at, i) in images {
        by_pulled
            .entry(&i.pulled)
            .or_default()
            .entry(&i.source)
            .or_default()
            .push(at);
    }
    by_pulled
        .into_iter()
        .filter(|(_, sources)| sources.len() > 1)
        .map(|(pulled, sources)| {
            let list: Vec<String> = sources
                .iter()
                .map(|(s, at)| {
                    let mut at = at.clone();
                    at.sort();
                    format!("{s} ({})", at.join(", "))
                })
                .collect();
            Diagnostic::error(
                Code::MirrorConflict,
                m.span,
                format!(
                    "the mirror {} would hold different images under one name, {pulled}: {}",
                    m.prefix,
                    list.join("; ")
                ),
            )
            .label("this mirror")
            .help("point the images at one upstream image (services.<name>.values.images.tags), or mirror them by hand under different names")
        })
        .collect()
}
