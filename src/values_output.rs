//! The text of `stackc values`: resolved chart values as YAML.

use crate::resolve::Resolved;
use crate::yaml::{self, Node, Value};

/// Chart values as JSON with map keys sorted (the documented order of
/// values everywhere stackc writes them).
pub fn sorted_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            serde_json::Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted_json(&m[k].node)))
                    .collect(),
            )
        }
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(sorted_json).collect()),
        _ => node.to_json(),
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

/// One document per component (all when `only` is empty).
pub fn render(resolved: &Resolved, only: &[String]) -> String {
    let mut out = String::new();
    for (name, c) in &resolved.components {
        if !only.is_empty() && !only.contains(name) {
            continue;
        }
        out.push_str(&format!(
            "---\n# {name}: chart {} {}, tier {}{}\n",
            c.chart,
            c.version,
            c.tier,
            if c.depends_on.is_empty() {
                String::new()
            } else {
                format!(", after {}", c.depends_on.join(", "))
            }
        ));
        out.push_str(&yaml::to_string(&sorted_json(&c.values)));
    }
    out
}
