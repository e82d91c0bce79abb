//! The value keys a chart knows (`components/<name>/chart-keys.yaml`).
//!
//! Generated from the chart's upstream `values.yaml` (a test regenerates it
//! and compares): the same tree of maps, with every scalar replaced by `~`,
//! every list by `[]` and every empty map by `{}`. stackc reads it to report
//! chart values that the chart does not have, which Helm would silently
//! ignore.

use crate::yaml::{Node, PathSeg, Value};

/// Subtrees whose keys are free-form: any key below them is accepted.
///
/// - `conf.*`: configuration files rendered by the chart;
/// - `annotations.*`, `extraObjects.*`: arbitrary metadata and manifests
///   (helm-toolkit reads `annotations.job.<job>`);
/// - inside `endpoints.<type>`: the endpoint classes of `hosts`,
///   `host_fqdn_override`, `path`, `scheme` and `port.<name>`, and the
///   accounts of `auth`.
pub fn is_free_form(path: &[PathSeg]) -> bool {
    let keys: Vec<&str> = path
        .iter()
        .map(|s| match s {
            PathSeg::Key(k) => k.as_str(),
            PathSeg::Index(_) => "[]",
        })
        .collect();
    matches!(
        keys.as_slice(),
        ["conf" | "annotations" | "extraObjects", _, ..]
            | [
                "endpoints",
                _,
                "hosts" | "host_fqdn_override" | "path" | "scheme" | "auth",
                _,
                ..
            ]
            | ["endpoints", _, "port", _, _, ..]
    )
}

/// A chart's key tree.
#[derive(Debug, Clone)]
pub struct ChartKeys {
    pub root: Node,
}

/// The result of looking a value path up.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyCheck {
    Known,
    /// Unknown key at `depth` (index into the path); `siblings` are the keys
    /// the chart has there.
    Unknown {
        depth: usize,
        siblings: Vec<String>,
    },
}

impl ChartKeys {
    /// Builds the key tree of a values document (what `chart-keys.yaml`
    /// holds). Free-form subtrees are cut to `{}`.
    pub fn derive(values: &serde_json::Value) -> serde_json::Value {
        derive_at(values, &mut Vec::new())
    }

    /// Removes from `values` every key the chart does not know (used for
    /// catalogue injection: an endpoint entry may carry keys, like
    /// RabbitMQ's `statefulset`, that only its clients have).
    pub fn prune(&self, values: &mut crate::yaml::Node, prefix: &[PathSeg]) {
        let mut path = prefix.to_vec();
        prune_at(self, values, &mut path);
    }

    /// Checks one map-key path (as written in a values override).
    pub fn check(&self, path: &[PathSeg]) -> KeyCheck {
        let mut node = &self.root;
        for (depth, seg) in path.iter().enumerate() {
            if is_free_form(&path[..=depth]) {
                return KeyCheck::Known;
            }
            let PathSeg::Key(k) = seg else {
                return KeyCheck::Known;
            };
            match &node.value {
                Value::Map(m) if m.is_empty() => return KeyCheck::Known,
                Value::Map(m) => match m.get(k) {
                    Some(e) => node = &e.node,
                    None => {
                        return KeyCheck::Unknown {
                            depth,
                            siblings: m.keys().cloned().collect(),
                        };
                    }
                },
                // Below a scalar or list default the chart takes any shape.
                _ => return KeyCheck::Known,
            }
        }
        KeyCheck::Known
    }
}

fn derive_at(values: &serde_json::Value, path: &mut Vec<PathSeg>) -> serde_json::Value {
    use serde_json::Value as J;
    match values {
        J::Object(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    path.push(PathSeg::Key(k.clone()));
                    let sub = if is_free_form(path) {
                        J::Object(Default::default())
                    } else {
                        derive_at(v, path)
                    };
                    path.pop();
                    (k.clone(), sub)
                })
                .collect(),
        ),
        J::Array(_) => J::Array(Vec::new()),
        _ => J::Null,
    }
}

fn prune_at(keys: &ChartKeys, node: &mut crate::yaml::Node, path: &mut Vec<PathSeg>) {
    let Value::Map(m) = &mut node.value else {
        return;
    };
    m.retain(|k, _| {
        path.push(PathSeg::Key(k.clone()));
        let known = keys.check(path) == KeyCheck::Known;
        path.pop();
        known
    });
    for (k, e) in m.iter_mut() {
        path.push(PathSeg::Key(k.clone()));
        prune_at(keys, &mut e.node, path);
        path.pop();
    }
}
