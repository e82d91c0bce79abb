//! Field-by-field diff of two JSON-model documents.
//!
//! Maps are compared key by key. Lists of maps are matched by a natural key
//! (`name`, `targetPath`, `secretKey`, `containerPort`, ... — the first one
//! every item has, uniquely), so inserting one item is one change, not a
//! cascade; lists of scalars are compared as sets when their items are
//! unique; anything else by index.

use std::fmt;

use serde_json::Value as J;

/// One step of a path inside a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(untagged)]
pub enum Seg {
    Key(String),
    Index(usize),
    /// A list item matched by `key = value`.
    Item {
        key: String,
        value: String,
    },
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Index(i) => write!(f, "[{i}]"),
            Seg::Item { key, value } => write!(f, "[{key}={value}]"),
        }
    }
}

/// `spec.values.pod.replicas.osapi`, `spec.valuesFrom[targetPath=x]`.
pub fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Added,
    Removed,
    Changed,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: Vec<Seg>,
    pub op: Op,
    pub old: Option<J>,
    pub new: Option<J>,
}

/// Keys that identify list items, most specific first.
const LIST_KEYS: &[&str] = &[
    "name",
    "targetPath",
    "secretKey",
    "containerPort",
    "mountPath",
    "devicePath",
    "port",
    "ip",
    "key",
    "path",
    "type",
];

/// Every difference between `old` and `new`, in document order.
pub fn diff(old: &J, new: &J) -> Vec<Change> {
    let mut out = Vec::new();
    walk(old, new, &mut Vec::new(), &mut out);
    out
}

fn walk(old: &J, new: &J, path: &mut Vec<Seg>, out: &mut Vec<Change>) {
    match (old, new) {
        (J::Object(a), J::Object(b)) => {
            for (k, va) in a {
                path.push(Seg::Key(k.clone()));
                match b.get(k) {
                    Some(vb) => walk(va, vb, path, out),
                    None => out.push(change(path, Op::Removed, Some(va), None)),
                }
                path.pop();
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    path.push(Seg::Key(k.clone()));
                    out.push(change(path, Op::Added, None, Some(vb)));
                    path.pop();
                }
            }
        }
        (J::Array(a), J::Array(b)) => list(a, b, path, out),
        (a, b) if a == b => {}
        (a, b) => out.push(change(path, Op::Changed, Some(a), Some(b))),
    }
}

fn change(path: &[Seg], op: Op, old: Option<&J>, new: Option<&J>) -> Change {
    Change {
        path: path.to_vec(),
        op,
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// The text a list item's natural key is matched by.
pub(super) fn scalar_text(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The natural key shared by every item of both lists, unique in each.
fn list_key(a: &[J], b: &[J]) -> Option<&'static str> {
    LIST_KEYS.iter().copied().find(|key| {
        [a, b]
            .iter()
            .all(|items| unique(items.iter().map(|i| i.get(*key).and_then(scalar_text))).is_some())
    })
}

/// The items of a list of scalars, when they are unique.
fn unique_scalars(items: &[J]) -> Option<Vec<String>> {
    unique(items.iter().map(scalar_text))
}

/// The texts, when every one is present and none repeats.
fn unique(texts: impl Iterator<Item = Option<String>>) -> Option<Vec<String>> {
    let texts: Vec<String> = texts.collect::<Option<_>>()?;
    let mut sorted = texts.clone();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == texts.len()).then_some(texts)
}

fn list(a: &[J], b: &[J], path: &mut Vec<Seg>, out: &mut Vec<Change>) {
    if a == b {
        return;
    }
    let maps = a.iter().chain(b).all(J::is_object) && !(a.is_empty() && b.is_empty());
    if let Some(key) = maps.then(|| list_key(a, b)).flatten() {
        let id = |i: &J| i.get(key).and_then(scalar_text).unwrap_or_default();
        for ia in a {
            let k = id(ia);
            path.push(Seg::Item {
                key: key.into(),
                value: k.clone(),
            });
            match b.iter().find(|ib| id(ib) == k) {
                Some(ib) => walk(ia, ib, path, out),
                None => out.push(change(path, Op::Removed, Some(ia), None)),
            }
            path.pop();
        }
        for ib in b {
            let k = id(ib);
            if !a.iter().any(|ia| id(ia) == k) {
                path.push(Seg::Item {
                    key: key.into(),
                    value: k,
                });
                out.push(change(path, Op::Added, None, Some(ib)));
                path.pop();
            }
        }
        return;
    }
    if let (Some(ta), Some(tb)) = (unique_scalars(a), unique_scalars(b)) {
        for (i, t) in ta.iter().enumerate() {
            if !tb.contains(t) {
                path.push(Seg::Index(i));
                out.push(change(path, Op::Removed, Some(&a[i]), None));
                path.pop();
            }
        }
        for (i, t) in tb.iter().enumerate() {
            if !ta.contains(t) {
                path.push(Seg::Index(i));
                out.push(change(path, Op::Added, None, Some(&b[i])));
                path.pop();
            }
        }
        if ta.len() == tb.len() && ta.iter().all(|t| tb.contains(t)) {
            // Same items, another order.
            out.push(change(
                path,
                Op::Changed,
                Some(&J::Array(a.to_vec())),
                Some(&J::Array(b.to_vec())),
            ));
        }
        return;
    }
    for i in 0..a.len().max(b.len()) {
        path.push(Seg::Index(i));
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => walk(x, y, path, out),
            (Some(x), None) => out.push(change(path, Op::Removed, Some(x), None)),
            (None, Some(y)) => out.push(change(path, Op::Added, None, Some(y))),
            (None, None) => {}
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(old: J, new: J) -> Vec<String> {
        diff(&old, &new)
            .iter()
            .map(|c| format!("{:?} {}", c.op, path_string(&c.path)))
            .collect()
    }

    #[test]
    fn maps_and_scalars() {
        assert_eq!(
            paths(
                json!({"a": 1, "b": {"c": 2}, "d": 3}),
                json!({"a": 2, "b": {"c": 2, "e": 1}})
            ),
            ["Changed a", "Added b.e", "Removed d"]
        );
    }

    #[test]
    fn one_inserted_item_is_one_change() {
        let old = json!({"containers": [{"name": "api", "image": "a"}, {"name": "sidecar", "image": "b"}]});
        let new = json!({"containers": [{"name": "init", "image": "c"}, {"name": "api", "image": "a2"}, {"name": "sidecar", "image": "b"}]});
        assert_eq!(
            paths(old, new),
            [
                "Changed containers[name=api].image",
                "Added containers[name=init]"
            ]
        );
    }

    #[test]
    fn scalar_lists_are_sets() {
        assert_eq!(
            paths(json!({"r": ["a", "b"]}), json!({"r": ["a", "x", "b"]})),
            ["Added r[1]"]
        );
        assert_eq!(
            paths(json!({"r": ["a", "b"]}), json!({"r": ["b", "a"]})),
            ["Changed r"]
        );
    }
}
