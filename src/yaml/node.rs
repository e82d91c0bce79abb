//! The YAML tree stackc works on: plain data plus a [`Span`] on every node
//! and every map key, so any value can be traced back to its file and line.

use indexmap::IndexMap;

use crate::source::Span;

/// A YAML node with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A map entry: the key's own span and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key_span: Span,
    pub node: Node,
}

/// Map keys are strings; insertion order is kept (it is the file order).
pub type Map = IndexMap<String, Entry>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Map),
}

impl Value {
    /// The YAML/JSON type name used in messages ("map", "list", "string", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::Seq(_) | Value::Map(_))
    }
}

/// One step of a path into a tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Key(k) => f.write_str(k),
            PathSeg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Formats a path as `a.b[2].c`.
pub fn path_to_string(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A visitor for [`Node::walk`]: (path, key span of the entry, node).
pub type Visit<'f, 'a> = dyn FnMut(&[PathSeg], Option<Span>, &'a Node) + 'f;

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key` when this node is a map.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// The value at `key` when this node is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    /// Follows a dotted key path (`spec.storage.backend`).
    pub fn get_path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |n, k| n.get(k))
    }

    /// Follows a path of keys and indices.
    pub fn at(&self, path: &[PathSeg]) -> Option<&Node> {
        path.iter().try_fold(self, |n, seg| match (seg, &n.value) {
            (PathSeg::Key(k), Value::Map(m)) => m.get(k).map(|e| &e.node),
            (PathSeg::Index(i), Value::Seq(s)) => s.get(*i),
            _ => None,
        })
    }

    /// The span that best names the thing at `path`: the key's span for a map
    /// entry, else the node's own span. Falls back to the nearest ancestor.
    pub fn key_span_at(&self, path: &[PathSeg]) -> Span {
        let mut node = self;
        let mut span = self.span;
        for seg in path {
            match (seg, &node.value) {
                (PathSeg::Key(k), Value::Map(m)) => match m.get(k) {
                    Some(e) => {
                        span = e.key_span;
                        node = &e.node;
                    }
                    None => return span,
                },
                (PathSeg::Index(i), Value::Seq(s)) => match s.get(*i) {
                    Some(n) => {
                        span = n.span;
                        node = n;
                    }
                    None => return span,
                },
                _ => return span,
            }
        }
        span
    }

    /// The span of the value at `path` (nearest ancestor when missing).
    pub fn value_span_at(&self, path: &[PathSeg]) -> Span {
        let mut node = self;
        for seg in path {
            match node.at(std::slice::from_ref(seg)) {
                Some(n) => node = n,
                None => break,
            }
        }
        node.span
    }

    /// Converts to a JSON value (for schema validation and typed decoding).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, e)| (k.clone(), e.node.to_json()))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON with map keys sorted: the documented order of chart
    /// values everywhere stackc writes or reads them back.
    pub fn to_sorted_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Map(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                serde_json::Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), m[k].node.to_sorted_json()))
                        .collect(),
                )
            }
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_sorted_json).collect())
            }
            _ => self.to_json(),
        }
    }

    /// Visits every node depth-first with its path, parents before children.
    pub fn walk<'a>(&'a self, f: &mut Visit<'_, 'a>) {
        let mut path = Vec::new();
        walk_inner(self, None, &mut path, f);
    }
}

fn walk_inner<'a>(
    node: &'a Node,
    key_span: Option<Span>,
    path: &mut Vec<PathSeg>,
    f: &mut Visit<'_, 'a>,
) {
    f(path, key_span, node);
    match &node.value {
        Value::Map(m) => {
            for (k, e) in m {
                path.push(PathSeg::Key(k.clone()));
                walk_inner(&e.node, Some(e.key_span), path, f);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                path.push(PathSeg::Index(i));
                walk_inner(n, None, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Sets a dotted path in a JSON tree, creating maps on the way (and
/// replacing scalars that stand in the way).
pub fn set_dotted(root: &mut serde_json::Value, dotted: &str, value: serde_json::Value) {
    let mut node = root;
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = serde_json::Value::Object(Default::default());
        }
        let m = node.as_object_mut().expect("object");
        if i == parts.len() - 1 {
            m.insert(p.to_string(), value);
            return;
        }
        node = m
            .entry(p.to_string())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
}
