//! The value keys a chart knows (`components/<name>/chart-keys.txt`).
//!
//! Generated from the chart's upstream `values.yaml` (a test regenerates it
//! and compares): one key path per line. A key with no keys listed below it
//! (a scalar, a list, an empty map, a free-form subtree) is open. stackc
//! reads it to report chart values the chart does not have, which Helm
//! would silently ignore. A line-per-path text file loads in a fraction of
//! the time a YAML tree of the same keys takes to parse.

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

/// A chart's key tree: an arena of nodes, node 0 the root. A node without
/// children is open (any value, any keys below).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartKeys {
    names: Vec<Box<str>>,
    children: Vec<Vec<u32>>,
}

impl Default for ChartKeys {
    fn default() -> Self {
        ChartKeys {
            names: vec!["".into()],
            children: vec![Vec::new()],
        }
    }
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
    fn child(&self, node: u32, name: &str) -> Option<u32> {
        self.children[node as usize]
            .iter()
            .copied()
            .find(|c| &*self.names[*c as usize] == name)
    }

    fn child_or_insert(&mut self, node: u32, name: &str) -> u32 {
        if let Some(c) = self.child(node, name) {
            return c;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.children.push(Vec::new());
        self.children[node as usize].push(id);
        id
    }

    /// The key tree of a values document: maps with keys are strict; empty
    /// maps, scalars and lists are open; free-form subtrees are cut.
    pub fn derive(values: &serde_json::Value) -> ChartKeys {
        let mut keys = ChartKeys::default();
        derive_into(values, &mut keys, 0, &mut Vec::new());
        keys
    }

    /// Reads the text form (`chart-keys.txt`): one key path per line,
    /// segments joined by `.`, a `.` inside a key written `\\.`; `#` starts a
    /// comment line. Parents are usually listed before their children, which
    /// makes loading one insertion per line.
    pub fn parse(text: &str) -> ChartKeys {
        let mut keys = ChartKeys::default();
        // The path of the previous line: (segment, node).
        let mut stack: Vec<(String, u32)> = Vec::new();
        for line in text.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let segs = split_escaped(line);
            let common = stack
                .iter()
                .zip(&segs)
                .take_while(|((a, _), b)| a == *b)
                .count();
            stack.truncate(common);
            for seg in &segs[common..] {
                let parent = stack.last().map_or(0, |(_, n)| *n);
                let node = keys.child_or_insert(parent, seg);
                stack.push((seg.clone(), node));
            }
        }
        keys
    }

    /// The text form: every key path, depth first, keys sorted.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_paths(0, &mut String::new(), &mut out);
        out
    }

    fn write_paths(&self, node: u32, prefix: &mut String, out: &mut String) {
        let mut kids = self.children[node as usize].clone();
        kids.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        for k in kids {
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(&self.names[k as usize].replace('.', "\\."));
            out.push_str(prefix);
            out.push('\n');
            self.write_paths(k, prefix, out);
            prefix.truncate(len);
        }
    }

    /// The keys the chart has directly below `path`, sorted (empty when the
    /// path is unknown or open).
    pub fn children(&self, path: &[&str]) -> Vec<&str> {
        let mut node = 0u32;
        for seg in path {
            match self.child(node, seg) {
                Some(n) => node = n,
                None => return Vec::new(),
            }
        }
        let mut out: Vec<&str> = self.children[node as usize]
            .iter()
            .map(|c| &*self.names[*c as usize])
            .collect();
        out.sort_unstable();
        out
    }

    /// Checks one map-key path (as written in a values override).
    pub fn check(&self, path: &[PathSeg]) -> KeyCheck {
        let mut node = 0u32;
        for (depth, seg) in path.iter().enumerate() {
            if is_free_form(&path[..=depth]) || self.children[node as usize].is_empty() {
                return KeyCheck::Known;
            }
            let PathSeg::Key(k) = seg else {
                return KeyCheck::Known;
            };
            match self.child(node, k) {
                Some(n) => node = n,
                None => {
                    let mut siblings: Vec<String> = self.children[node as usize]
                        .iter()
                        .map(|c| self.names[*c as usize].to_string())
                        .collect();
                    siblings.sort();
                    return KeyCheck::Unknown { depth, siblings };
                }
            }
        }
        KeyCheck::Known
    }

    /// Removes from `values` every key the chart does not know (used for
    /// catalogue injection: an endpoint entry may carry keys, like
    /// RabbitMQ's `statefulset`, that only its clients have).
    pub fn prune(&self, values: &mut Node, prefix: &[PathSeg]) {
        let mut path = prefix.to_vec();
        prune_at(self, values, &mut path);
    }
}

fn derive_into(
    values: &serde_json::Value,
    keys: &mut ChartKeys,
    node: u32,
    path: &mut Vec<PathSeg>,
) {
    if let serde_json::Value::Object(m) = values {
        for (k, v) in m {
            path.push(PathSeg::Key(k.clone()));
            let child = keys.child_or_insert(node, k);
            if !is_free_form(path) {
                derive_into(v, keys, child, path);
            }
            path.pop();
        }
    }
}

fn split_escaped(line: &str) -> Vec<String> {
    if !line.contains('\\') {
        return line.split('.').map(str::to_string).collect();
    }
    let mut out = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                out.last_mut().expect("non-empty").push('.');
                chars.next();
            }
            '.' => out.push(String::new()),
            c => out.last_mut().expect("non-empty").push(c),
        }
    }
    out
}

fn prune_at(keys: &ChartKeys, node: &mut Node, path: &mut Vec<PathSeg>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip_and_checks() {
        let v = serde_json::json!({"pod": {"replicas": {"api": 1}, "resources": {}}, "conf": {"a": {"b": 1}}, "x.y": {"z": 1}});
        let keys = ChartKeys::derive(&v);
        let text = keys.to_text();
        assert!(text.contains("x\\.y.z\n"), "{text}");
        assert_eq!(ChartKeys::parse(&text).to_text(), text);
        let p = |s: &str| {
            s.split('/')
                .map(|k| PathSeg::Key(k.into()))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys.check(&p("pod/replicas/api")), KeyCheck::Known);
        assert_eq!(
            keys.check(&p("pod/resources/anything/goes")),
            KeyCheck::Known
        );
        assert_eq!(keys.check(&p("conf/whatever/deep")), KeyCheck::Known);
        assert_eq!(keys.check(&p("x.y/z")), KeyCheck::Known);
        assert!(matches!(
            keys.check(&p("pod/replicas/apii")),
            KeyCheck::Unknown { depth: 2, .. }
        ));
    }
}
