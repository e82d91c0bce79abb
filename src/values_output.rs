//! The text of `stackc values`: resolved chart values as YAML.

use crate::resolve::Resolved;
use crate::yaml;

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
        out.push_str(&yaml::to_string(&c.values.to_sorted_json()));
    }
    out
}
