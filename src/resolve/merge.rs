//! Layer merging: maps merge deeply, scalars and lists replace, an explicit
//! `null` deletes the key. Every node keeps the span of the layer that set
//! it, which is its provenance.

use crate::source::Span;
use crate::yaml::{Entry, Map, Node, Value};

/// Merges `overlay` onto `base`.
pub fn merge(base: &mut Node, overlay: Node) {
    match (&mut base.value, overlay.value) {
        (Value::Map(b), Value::Map(o)) => {
            for (k, e) in o {
                if matches!(e.node.value, Value::Null) {
                    b.shift_remove(&k);
                    continue;
                }
                match b.get_mut(&k) {
                    Some(existing)
                        if matches!(existing.node.value, Value::Map(_))
                            && matches!(e.node.value, Value::Map(_)) =>
                    {
                        merge(&mut existing.node, e.node);
                    }
                    _ => {
                        b.insert(
                            k,
                            Entry {
                                key_span: e.key_span,
                                node: strip_nulls(e.node),
                            },
                        );
                    }
                }
            }
        }
        (_, value) => {
            *base = strip_nulls(Node::new(value, overlay.span));
        }
    }
}

/// A value being set fresh keeps no `null` map entries: in a layer, `null`
/// means "delete", so there is nothing for it to delete below a new key.
fn strip_nulls(mut node: Node) -> Node {
    if let Value::Map(m) = &mut node.value {
        m.retain(|_, e| !matches!(e.node.value, Value::Null));
        for e in m.values_mut() {
            let n = std::mem::replace(&mut e.node, Node::new(Value::Null, e.key_span));
            e.node = strip_nulls(n);
        }
    }
    node
}

/// An empty map node.
pub fn empty_map(span: Span) -> Node {
    Node::new(Value::Map(Map::new()), span)
}

/// Builds nested maps: sets `value` at a dotted/segmented path.
pub fn set_path(root: &mut Node, path: &[&str], value: Node) {
    let Some((last, parents)) = path.split_last() else {
        *root = value;
        return;
    };
    let mut node = root;
    for seg in parents {
        node = &mut map_of(node, value.span)
            .entry(seg.to_string())
            .or_insert_with(|| Entry {
                key_span: value.span,
                node: empty_map(value.span),
            })
            .node;
    }
    map_of(node, value.span).insert(
        last.to_string(),
        Entry {
            key_span: value.span,
            node: value,
        },
    );
}

/// The map of `node`, which becomes an empty map at `span` if it is not one.
fn map_of(node: &mut Node, span: Span) -> &mut Map {
    if !matches!(node.value, Value::Map(_)) {
        *node = empty_map(span);
    }
    match &mut node.value {
        Value::Map(m) => m,
        _ => unreachable!("made a map above"),
    }
}

/// A JSON value as a node tree, every node carrying `span`.
pub fn from_json(v: &serde_json::Value, span: Span) -> Node {
    use serde_json::Value as J;
    let value = match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Seq(a.iter().map(|x| from_json(x, span)).collect()),
        J::Object(m) => Value::Map(
            m.iter()
                .map(|(k, x)| {
                    (
                        k.clone(),
                        Entry {
                            key_span: span,
                            node: from_json(x, span),
                        },
                    )
                })
                .collect(),
        ),
    };
    Node::new(value, span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Files, Layer, SourceFile};

    fn node(files: &mut Files, text: &str) -> Node {
        let id = files.add(SourceFile::new("t", text, Layer::Site));
        crate::load::parse_one(id, files).0.unwrap()
    }

    #[test]
    fn merge_rules() {
        let mut files = Files::new();
        let mut base = node(&mut files, "a: {b: 1, c: [1, 2], d: x}\ne: 1\n");
        let over = node(
            &mut files,
            "a: {b: 2, c: [3], d: null}\nf: {g: null, h: 1}\n",
        );
        merge(&mut base, over);
        assert_eq!(
            base.to_json(),
            serde_json::json!({"a": {"b": 2, "c": [3]}, "e": 1, "f": {"h": 1}})
        );
    }
}
